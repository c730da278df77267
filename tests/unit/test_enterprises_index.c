/* test_enterprises_index.c: the enterprise list from the in-process copy answers exactly what
 * the SQL statements answer (rows, order, count), over the demo city with NULLs, ties, mixed
 * types, rows without a search row and tags added, for random filters, terms, scopes, orders
 * and pages; and it follows writes at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_init.h"
#include "app/module.h"
#include "db/db.h"
#include "lib/arena.h"
#include "lib/log.h"
#include "modules/enterprises/enterprises_grams.h"
#include "modules/enterprises/enterprises_index.h"
#include "modules/enterprises/enterprises_sql.h"

static char dir[512], path[600];
static struct app app;
static struct db *db;

static const struct sql Q_USER = SQL("SELECT id FROM users WHERE username = $1");
static const struct sql Q_ANY_ID = SQL("SELECT id FROM enterprises ORDER BY id LIMIT 1 OFFSET $1");
/* Edge cases the demo does not have: NULL sort keys, ties, a real among the integers, names
 * shared by several, rows without a search row, NULL filter columns, tags. */
static const char *const perturb[] = {
	"UPDATE enterprises SET capital_yuan = NULL WHERE id % 7 = 0",
	"UPDATE enterprises SET capital_yuan = 1000000 WHERE id % 5 = 1",
	"UPDATE enterprises SET capital_yuan = 1234.5 WHERE id % 101 = 3",
	"UPDATE enterprises SET founded_on = NULL WHERE id % 11 = 0",
	"UPDATE enterprises SET founded_on = '2001-01-01' WHERE id % 10 = 1",
	"UPDATE enterprises SET employees = NULL WHERE id % 13 = 0",
	"UPDATE enterprises SET employees = 50 WHERE id % 3 = 0",
	"UPDATE enterprises SET updated_at = 1700000000 WHERE id % 4 = 0",
	"UPDATE enterprises SET name = '同名企业有限公司', name_initials = 'tmqyyxgs'"
	" WHERE id % 97 = 0",
	"UPDATE enterprises SET scale = NULL WHERE id % 17 = 0",
	"UPDATE enterprises SET ownership = NULL WHERE id % 19 = 0",
	"UPDATE enterprises SET above_scale = 2 WHERE id % 23 = 0",
	"DELETE FROM enterprise_search WHERE id % 50 = 0",
	"INSERT OR IGNORE INTO enterprise_tag_links (enterprise_id, tag_id)"
	" SELECT id, 1 + id % 3 FROM enterprises WHERE id % 9 = 0",
	"INSERT OR IGNORE INTO enterprise_tag_links (enterprise_id, tag_id)"
	" SELECT id, 3 FROM enterprises WHERE id % 18 = 0",
};

static int setup(void **state)
{
	(void)state;
	log_set_level((enum log_level)(LOG_ERROR + 1));
	const char *base = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/tiejian-test-entix-XXXXXX", base && *base ? base : P_tmpdir);
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	static struct config cfg;
	config_defaults(&cfg);
	cfg.db_url = path;
	if (app_open(&app, &cfg, false) != ST_OK)
		return -1;
	if (db_pool_get(app.pool, 10000, &db) != ST_OK)
		return -1;
	for (size_t i = 0; i < app.nmodules; i++) {
		const struct module *m = app.modules[i];
		if (!m->demo)
			continue;
		if (db_begin(db) || m->demo(&app, db) || db_commit(db))
			return -1;
	}
	for (size_t i = 0; i < sizeof(perturb) / sizeof(perturb[0]); i++) {
		struct sql q = SQL(perturb[i]);
		if (db_exec(db, &q, DB_NOARGS, NULL) != ST_OK)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_pool_put(app.pool, db);
	app_close(&app);
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			char p[1100];
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
	return 0;
}

static uint64_t rng = 88172645463325252ull;
static unsigned pick(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static int64_t user_id(const char *name)
{
	int64_t id = 0;
	assert_int_equal(db_int1(db, &Q_USER, DB_ARGS(db_text(name)), &id), ST_OK);
	return id;
}

/* The reference: SQL_ENT_LIST (terms by the scan, which checks every term itself) and, for a
 * page past the end or without a search, SQL_ENT_COUNT. */
static void reference(struct db_val *a, int sort, int64_t *ids, size_t *nids, int64_t *total)
{
	int mode = a[15].type == DB_T_NULL ? ENT_MODE_NONE : ENT_MODE_SHORT;
	*nids = 0;
	*total = -1;
	struct db_res *r = db_query(db, &SQL_ENT_LIST[sort][mode], a, 20);
	while (db_next(r)) {
		ids[(*nids)++] = db_col_int(r, COL_ID);
		if (!db_col_null(r, COL_TOTAL))
			*total = db_col_int(r, COL_TOTAL);
	}
	assert_int_equal(db_done(r), ST_OK);
	if (*total < 0)
		assert_int_equal(db_int1(db, &SQL_ENT_COUNT[mode], a, 18, total), ST_OK);
}

static void compare(struct db_val *a, int sort, int64_t offset, int64_t size, const char *what)
{
	int64_t want[100], got[100], want_total, got_total;
	size_t nwant, ngot;
	a[18] = db_int(size);
	a[19] = db_int(offset);
	reference(a, sort, want, &nwant, &want_total);
	struct arena ar;
	arena_init(&ar, 1 << 16, 0);
	assert_true(ent_index_usable(db, a));
	assert_int_equal(ent_index_page(db, &ar, a, sort, offset, size, got, &ngot, &got_total),
			 ST_OK);
	arena_release(&ar);
	if (got_total != want_total || ngot != nwant || memcmp(got, want, ngot * sizeof(*got)))
		fail_msg("%s (sort %d, offset %lld, size %lld): total %lld, want %lld; %zu rows, "
			 "want %zu; first %lld, want %lld",
			 what, sort, (long long)offset, (long long)size, (long long)got_total,
			 (long long)want_total, ngot, nwant, ngot ? (long long)got[0] : -1LL,
			 nwant ? (long long)want[0] : -1LL);
}

static const char *const regions[] = {NULL, "230202", "230200", "230203", "230221", "999999"};
static const char *const industries[] = {NULL, "C", "34", "A", "13", "ZZ"};
static const char *const scales[] = {NULL, "small", "medium", "large", "micro", "huge"};
static const char *const owners[] = {NULL, "private", "state", "foreign", "mixed"};
static const char *const statuses[] = {NULL, "operating", "suspended", "closed"};
static const char *const terms[] = {"鹤", "龙沙", "机械", "有限公司", "a", "qq", "9", "食品",
				    "齐齐哈尔", "不存在的", "同名", "区", "机械制造", "qqhe", "27号",
				    "鹤城新材料科", "jx", "区经济", "公司9", "龙沙示范", "市建华"};

/* Fill the five scope values as scope_filter_args() would for a kind of caller. */
static void scope_args(struct db_val *a, int kind, int64_t cadre, int64_t ent)
{
	a[0] = db_int(0);
	for (int i = 1; i < 5; i++)
		a[i] = db_null();
	switch (kind) {
	case 0: /* the whole registry */
		a[0] = db_int(1);
		break;
	case 1: /* a county bureau and below */
		a[1] = db_text("/1/2/10/");
		break;
	case 2: /* one org */
		a[2] = db_int(10);
		break;
	case 3: /* an enterprise user */
		a[4] = db_int(ent);
		break;
	case 4: /* a liaison: their enterprises */
		a[0] = db_int(2);
		a[3] = db_int(cadre);
		break;
	default: /* a liaison who is also a county bureau */
		a[0] = db_int(2);
		a[1] = db_text("/1/2/12/");
		a[3] = db_int(cadre);
		break;
	}
}

static void random_lists(int rounds, const char *what)
{
	int64_t cadre = user_id("cadre"), ent = 0;
	assert_int_equal(db_int1(db, &Q_ANY_ID, DB_ARGS(db_int(37)), &ent), ST_OK);
	static const int64_t offsets[] = {0, 0, 3, 20, 150, 1990, 5000};
	static const int64_t sizes[] = {1, 7, 20, 100};
	for (int k = 0; k < rounds; k++) {
		struct db_val a[20];
		scope_args(a, pick(10) < 5 ? (int)pick(2) : (int)pick(6), cadre, ent);
		bool busy = pick(3) == 0; /* several filters at once */
		a[5] = db_text(pick(busy ? 2 : 4) ? NULL : regions[pick(6)]);
		a[6] = db_text(pick(busy ? 2 : 4) ? NULL : industries[pick(6)]);
		a[7] = db_text(pick(busy ? 2 : 4) ? NULL : scales[pick(6)]);
		a[8] = db_text(pick(busy ? 2 : 5) ? NULL : owners[pick(5)]);
		a[9] = pick(busy ? 2 : 5) ? db_null() : db_int(pick(2));
		a[10] = db_text(pick(busy ? 2 : 5) ? NULL : statuses[pick(4)]);
		for (int i = 11; i < 14; i++)
			a[i] = db_null();
		if (!pick(5)) {
			a[11] = db_int(1 + pick(3));
			if (pick(2))
				a[12] = db_int(3);
		}
		a[14] = db_null();
		int nt = pick(3) ? 0 : 1 + (int)pick(3);
		for (int i = 0; i < 3; i++)
			a[15 + i] = i < nt ? db_text(terms[pick(sizeof(terms) / sizeof(terms[0]))])
					   : db_null();
		compare(a, (int)pick(ENT_SORT__COUNT), offsets[pick(7)], sizes[pick(4)], what);
	}
}

static void test_same_as_sql(void **state)
{
	(void)state;
	random_lists(600, "as loaded");
}

/* A write bumps the registry version, and the next list has it. */
static void test_follows_writes(void **state)
{
	(void)state;
	static const char *const writes[] = {
		("UPDATE enterprises SET scale = 'large', capital_yuan = 99999999999"
		 " WHERE id % 31 = 0"),
		"DELETE FROM enterprise_tag_links WHERE tag_id = 2",
		"UPDATE enterprise_search SET text = text || '新加的词' WHERE id % 29 = 0",
		"UPDATE enterprises SET name_initials = 'aaaa' WHERE id % 37 = 0",
	};
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		struct sql q = SQL(writes[i]);
		assert_int_equal(db_exec(db, &q, DB_NOARGS, NULL), ST_OK);
		struct db_val a[20];
		scope_args(a, 0, 0, 0);
		for (int k = 5; k < 18; k++)
			a[k] = db_null();
		a[15] = db_text("新加的词");
		compare(a, ENT_SORT_CAPITAL_DESC, 0, 20, writes[i]);
		a[15] = db_null();
		a[7] = db_text("large");
		compare(a, ENT_SORT_CAPITAL_DESC, 0, 20, writes[i]);
		a[7] = db_null();
		a[11] = db_int(2);
		compare(a, ENT_SORT_NAME, 0, 20, writes[i]);
		a[11] = db_null();
		compare(a, ENT_SORT_NAME, 0, 100, writes[i]);
		random_lists(40, writes[i]);
	}
}

/* The rows a term's rarest pair lists, as the caller reads them. */
static size_t gram_rows(const struct grams *g, const char *term, uint32_t *rows, bool *listed)
{
	struct gram_iter it;
	size_t n = 0;
	*listed = grams_rows(g, term, strlen(term), &it);
	while (*listed && gram_next(&it, &rows[n]))
		n++;
	return n;
}

/* The lists on their own: every row that holds a pair, or a character beyond ASCII, is listed
 * once, in order, across gaps that need more than one byte; a gram no row holds lists nothing;
 * one ASCII character, a term that is not UTF-8 and a text that is not UTF-8 leave the search
 * to the scan. */
static void test_gram_lists(void **state)
{
	(void)state;
	enum { N = 300 };
	static char text[N * 16];
	uint32_t off[N + 1], at = 0;
	for (uint32_t i = 0; i < N; i++) {
		off[i] = at;
		const char *t = i == 0 ? "ab中文中文" : i == 1 ? "中文x" : i == 299 ? "x中文" : "xyz";
		at += (uint32_t)snprintf(text + at, sizeof(text) - at, "%s", t) + 1; /* and its NUL */
	}
	off[N] = at;
	struct grams *g = grams_build(text, off, N);
	assert_non_null(g);
	assert_true(grams_bytes(g) > 0);
	uint32_t rows[N];
	bool listed;
	assert_int_equal(gram_rows(g, "中文", rows, &listed), 3);
	assert_true(listed);
	assert_int_equal(rows[0], 0);
	assert_int_equal(rows[1], 1);
	assert_int_equal(rows[2], 299); /* a gap of 298: two bytes */
	assert_int_equal(gram_rows(g, "文x", rows, &listed), 1);
	assert_int_equal(rows[0], 1);
	assert_int_equal(gram_rows(g, "ab中文x", rows, &listed), 1); /* its rarest pair: ab */
	assert_int_equal(rows[0], 0);
	assert_int_equal(gram_rows(g, "中文不在", rows, &listed), 0);
	assert_true(listed);
	assert_int_equal(gram_rows(g, "中", rows, &listed), 3); /* one character: its own list */
	assert_true(listed);
	assert_int_equal(rows[2], 299);
	assert_int_equal(gram_rows(g, "不", rows, &listed), 0);
	assert_true(listed);
	gram_rows(g, "b", rows, &listed); /* one ASCII character: no list */
	assert_false(listed);
	gram_rows(g, "xy", rows, &listed); /* in 297 rows: more than an eighth, no list */
	assert_false(listed);
	gram_rows(g, "\xe4\xb8", rows, &listed);
	assert_false(listed);
	grams_free(g);
	memcpy(text + off[2], "\xe4x", 2);
	assert_null(grams_build(text, off, N));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gram_lists),
		cmocka_unit_test(test_same_as_sql),
		cmocka_unit_test(test_follows_writes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
