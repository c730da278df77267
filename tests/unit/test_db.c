/* test_db.c: db.h on SQLite (a temporary file): parameters, the statement cache, status
 * mapping, transactions, scripts, migrations and backups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "app/module.h"
#include "db/db.h"
#include "db/migrate.h"
#include "lib/log.h"
#include "modules/orgs/orgs.h"

/* ---- a fresh database file per test ------------------------------------------------------ */

static char dir[512];
static char path[600];
static int serial;
static struct db *db;

static int group_setup(void **state)
{
	(void)state;
	log_set_level((enum log_level)(LOG_ERROR + 1)); /* the refusals tested below log */
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = P_tmpdir;
	snprintf(dir, sizeof(dir), "%s/tiejian-test-db-XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char p[1024];
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
	return 0;
}

static int open_fresh(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "%s/t%d.db", dir, ++serial);
	char err[256];
	if (db_open(path, &db, err, sizeof(err)) != ST_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int close_db(void **state)
{
	(void)state;
	db_close(db);
	db = NULL;
	return 0;
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, open_fresh, close_db)

static void script(const char *text)
{
	if (db_exec_script(db, text, NULL) != ST_OK)
		fail_msg("script failed: %s", db_errmsg(db));
}

static const char SCHEMA[] =
	"CREATE TABLE parent (id @ID@, name TEXT NOT NULL UNIQUE,"
	" n INTEGER NOT NULL DEFAULT 0 CHECK (n >= 0), note TEXT, data @BLOB@);"
	"CREATE TABLE child (id @ID@, parent_id BIGINT NOT NULL REFERENCES parent(id));";

static const struct sql SQL_PARENT_ADD =
	SQL("INSERT INTO parent (name, n, note) VALUES ($1, $2, $3) RETURNING id");
static const struct sql SQL_PARENT_COUNT = SQL("SELECT COUNT(*) FROM parent");
static const struct sql SQL_CHILD_ADD = SQL("INSERT INTO child (parent_id) VALUES ($1)");

static int64_t count_parents(struct db *on)
{
	int64_t n = -1;
	assert_int_equal(db_int1(on, &SQL_PARENT_COUNT, DB_NOARGS, &n), ST_OK);
	return n;
}

static int64_t add_parent(const char *name, int64_t n)
{
	int64_t id = 0;
	enum status st =
		db_int1(db, &SQL_PARENT_ADD, DB_ARGS(db_text(name), db_int(n), db_null()), &id);
	if (st)
		fail_msg("insert %s: status %d (%s)", name, (int)st, db_errmsg(db));
	return id;
}

/* ---- opening ----------------------------------------------------------------------------- */

static void open_and_kind(void **state)
{
	(void)state;
	assert_int_equal(db_kind(db), DB_SQLITE);
	assert_false(db_broken(db));
	assert_false(db_in_tx(db));
	assert_true(db_url_is_postgres("postgres://u@h/db"));
	assert_true(db_url_is_postgres("postgresql://h/db"));
	assert_false(db_url_is_postgres("tiejian.db"));
	assert_false(db_url_is_postgres("./postgres://x"));
	assert_false(db_url_is_postgres("postgres:/x"));

	struct db *other = (struct db *)&other;
	char err[256] = "";
	char bad[700];
	snprintf(bad, sizeof(bad), "%s/no-such-dir/x.db", dir);
	assert_int_equal(db_open(bad, &other, err, sizeof(err)), ST_UNAVAILABLE);
	assert_null(other);
	assert_true(strlen(err) > 0);
	db_close(NULL); /* harmless */
}

/* ---- parameters -------------------------------------------------------------------------- */

static void parameters_bound_by_number(void **state)
{
	(void)state;
	static const struct sql q = SQL("SELECT $2, $1, $2 || $1, $3 * 2, $2 = $2, $3");
	struct db_res *r = db_query(db, &q, DB_ARGS(db_text("a"), db_text("b"), db_int(21)));
	assert_true(db_next(r));
	assert_int_equal(db_col_count(r), 6);
	assert_string_equal(db_col_text(r, 0), "b");
	assert_string_equal(db_col_text(r, 1), "a");
	assert_string_equal(db_col_text(r, 2), "ba");
	assert_int_equal(db_col_int(r, 3), 42);
	assert_int_equal(db_col_int(r, 4), 1);
	assert_int_equal(db_col_int(r, 5), 21);
	assert_false(db_next(r));
	assert_int_equal(db_done(r), ST_OK);

	/* $10 is not $1 followed by a 0; arguments beyond those used are ignored. */
	static const struct sql ten = SQL("SELECT $10, $1, $9 || $10, $5");
	r = db_query(db, &ten,
		     DB_ARGS(db_int(1), db_int(2), db_int(3), db_int(4), db_int(5), db_int(6),
			     db_int(7), db_int(8), db_text("nine"), db_text("ten"), db_int(11)));
	assert_true(db_next(r));
	assert_string_equal(db_col_text(r, 0), "ten");
	assert_int_equal(db_col_int(r, 1), 1);
	assert_string_equal(db_col_text(r, 2), "nineten");
	assert_int_equal(db_col_int(r, 3), 5);
	assert_int_equal(db_done(r), ST_OK);

	/* The same parameter in several places of a write. */
	script(SCHEMA);
	static const struct sql up =
		SQL("INSERT INTO parent (name, n, note) VALUES ($2, $1, $2 || '-' || $1)");
	assert_int_equal(db_exec(db, &up, DB_ARGS(db_int(7), db_text("x")), NULL), ST_OK);
	static const struct sql get = SQL("SELECT n, note FROM parent WHERE name = $1 AND n = $2");
	r = db_query(db, &get, DB_ARGS(db_text("x"), db_int(7)));
	assert_true(db_next(r));
	assert_int_equal(db_col_int(r, 0), 7);
	assert_string_equal(db_col_text(r, 1), "x-7");
	assert_int_equal(db_done(r), ST_OK);
}

static void parameters_malformed_or_missing(void **state)
{
	(void)state;
	static const struct sql few = SQL("SELECT $1, $3");
	static const struct sql qmark = SQL("SELECT ?");
	static const struct sql named = SQL("SELECT :name");
	static const struct sql at = SQL("SELECT @x");
	static const struct sql zero = SQL("SELECT $0");
	static const struct sql word = SQL("SELECT $x");
	static const struct sql *const bad[] = { &qmark, &named, &at, &zero, &word };
	for (int round = 0; round < 2; round++) { /* the second time from the cache, if any */
		struct db_res *r = db_query(db, &few, DB_ARGS(db_int(1), db_int(2)));
		assert_false(db_next(r));
		assert_int_equal(db_done(r), ST_INTERNAL);
		assert_non_null(strstr(db_errmsg(db), "$3"));
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			r = db_query(db, bad[i], DB_ARGS(db_int(1)));
			assert_false(db_next(r));
			if (db_done(r) != ST_INTERNAL)
				fail_msg("<%s> was accepted", bad[i]->sqlite);
		}
	}
	/* With enough arguments the same statement runs. */
	struct db_res *r = db_query(db, &few, DB_ARGS(db_int(1), db_int(2), db_int(3)));
	assert_true(db_next(r));
	assert_int_equal(db_col_int(r, 1), 3);
	assert_int_equal(db_done(r), ST_OK);
	/* No parameters at all, and no arguments. */
	static const struct sql none = SQL("SELECT 5");
	int64_t v = 0;
	assert_int_equal(db_int1(db, &none, DB_NOARGS, &v), ST_OK);
	assert_int_equal(v, 5);
	/* Bad SQL is ST_DB with the reason kept for the log. */
	static const struct sql syntax = SQL("SELEC 1");
	assert_int_equal(db_exec(db, &syntax, DB_NOARGS, NULL), ST_DB);
	assert_non_null(strstr(db_errmsg(db), "syntax"));
	static const struct sql missing = SQL("SELECT * FROM no_such_table");
	assert_int_equal(db_exec(db, &missing, DB_NOARGS, NULL), ST_DB);
	assert_non_null(strstr(db_errmsg(db), "no_such_table"));
}

static void values_round_trip(void **state)
{
	(void)state;
	static const struct sql q =
		SQL("SELECT $1, $2, $3, $4, $5, $6, $7, $8, typeof($4), typeof($5), length($5)");
	static const char bytes[] = { 0, 1, 2, (char)0xff, 0, 'x' };
	static const char text_nul[] = "a\0b";
	struct db_res *r =
		db_query(db, &q,
			 DB_ARGS(db_int(INT64_MIN), db_int(INT64_MAX), db_real(-2.5), db_null(),
				 db_blob(bytes, sizeof(bytes)), db_text("铁肩 ✓"),
				 db_textn(text_nul, 3), db_id_or_null(0)));
	assert_true(db_next(r));
	assert_true(db_col_int(r, 0) == INT64_MIN);
	assert_true(db_col_int(r, 1) == INT64_MAX);
	assert_true(db_col_real(r, 2) == -2.5);
	assert_true(db_col_null(r, 3));
	assert_null(db_col_text(r, 3));
	assert_false(db_col_null(r, 4));
	assert_int_equal(db_col_len(r, 4), sizeof(bytes));
	assert_string_equal(db_col_text(r, 5), "铁肩 ✓");
	assert_int_equal(db_col_len(r, 5), strlen("铁肩 ✓"));
	assert_int_equal(db_col_len(r, 6), 3);
	assert_memory_equal(db_col_text(r, 6), text_nul, 3);
	assert_true(db_col_null(r, 7));
	assert_string_equal(db_col_text(r, 8), "null");
	assert_string_equal(db_col_text(r, 9), "blob");
	assert_int_equal(db_col_int(r, 10), sizeof(bytes));
	assert_false(db_next(r));
	assert_int_equal(db_done(r), ST_OK);

	assert_int_equal(db_text(NULL).type, DB_T_NULL);
	assert_int_equal(db_textn(NULL, 3).type, DB_T_NULL);
	assert_int_equal(db_id_or_null(-1).type, DB_T_NULL);
	assert_int_equal(db_id_or_null(1).type, DB_T_INT);
	assert_int_equal(db_text("").type, DB_T_TEXT);
	assert_int_equal(db_text("abc").len, 3);
}

/* ---- the statement cache ----------------------------------------------------------------- */

static const struct sql SQL_IDS_UPTO =
	SQL("SELECT id, name FROM parent WHERE id <= $1 ORDER BY id");

static void statement_cache_reuse(void **state)
{
	(void)state;
	script(SCHEMA);
	assert_int_equal(db_begin(db), ST_OK);
	for (int i = 1; i <= 50; i++) {
		char name[16];
		snprintf(name, sizeof(name), "p%d", i);
		assert_int_equal(add_parent(name, i), i);
	}
	assert_int_equal(db_commit(db), ST_OK);
	/* One struct sql run many times with other values each time. */
	static const struct sql get = SQL("SELECT name, n FROM parent WHERE id = $1");
	unsigned long before = db_query_count(db);
	uint32_t rnd = 7;
	for (int k = 0; k < 2000; k++) {
		rnd = rnd * 1103515245u + 12345u;
		int id = 1 + (int)((rnd >> 16) % 60);
		struct db_res *r = db_query(db, &get, DB_ARGS(db_int(id)));
		bool row = db_next(r);
		assert_int_equal(row, id <= 50);
		if (row) {
			char want[16];
			snprintf(want, sizeof(want), "p%d", id);
			assert_string_equal(db_col_text(r, 0), want);
			assert_int_equal(db_col_int(r, 1), id);
			if (k % 3 == 0) { /* done before the end of the rows: reset all the same */
				assert_int_equal(db_done(r), ST_OK);
				continue;
			}
			assert_false(db_next(r));
		}
		assert_int_equal(db_done(r), ST_OK);
	}
	assert_int_equal(db_query_count(db) - before, 2000);

	/* Hundreds of statements, each its own struct sql: all cached, all still right. */
	enum { N = 400 };
	static char texts[N][48];
	static struct sql many[N];
	for (int i = 0; i < N; i++) {
		snprintf(texts[i], sizeof(texts[i]), "SELECT $1 + %d", i);
		many[i] = (struct sql)SQL(texts[i]);
	}
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < N; i++) {
			int64_t v = -1;
			assert_int_equal(db_int1(db, &many[i], DB_ARGS(db_int(round * 1000)), &v),
					 ST_OK);
			assert_int_equal(v, round * 1000 + i);
		}
	/* Two struct sql with the same text are two statements, both fine. */
	static const struct sql twin_a = SQL("SELECT $1 * 2"), twin_b = SQL("SELECT $1 * 2");
	int64_t a = 0, b = 0;
	assert_int_equal(db_int1(db, &twin_a, DB_ARGS(db_int(4)), &a), ST_OK);
	assert_int_equal(db_int1(db, &twin_b, DB_ARGS(db_int(5)), &b), ST_OK);
	assert_int_equal(a, 8);
	assert_int_equal(b, 10);
}

/* The same statement used again while it is still stepping (a query inside its own loop). */
static void statement_nested_in_itself(void **state)
{
	(void)state;
	script(SCHEMA);
	for (int i = 1; i <= 6; i++) {
		char name[16];
		snprintf(name, sizeof(name), "n%d", i);
		add_parent(name, i);
	}
	int outer_rows = 0;
	struct db_res *outer = db_query(db, &SQL_IDS_UPTO, DB_ARGS(db_int(6)));
	while (db_next(outer)) {
		int64_t id = db_col_int(outer, 0);
		outer_rows++;
		assert_int_equal(id, outer_rows);
		int inner_rows = 0;
		struct db_res *inner = db_query(db, &SQL_IDS_UPTO, DB_ARGS(db_int(id)));
		assert_ptr_not_equal(inner, outer);
		while (db_next(inner)) {
			inner_rows++;
			/* and a third level */
			int64_t deepest = 0;
			assert_int_equal(db_int1(db, &SQL_IDS_UPTO,
						 DB_ARGS(db_int(db_col_int(inner, 0))), &deepest),
					 ST_OK);
			assert_int_equal(deepest, 1);
		}
		assert_int_equal(db_done(inner), ST_OK);
		assert_int_equal(inner_rows, id);
		/* A failing nested use leaves the outer loop alone. */
		inner = db_query(db, &SQL_IDS_UPTO, DB_NOARGS);
		assert_false(db_next(inner));
		assert_int_equal(db_done(inner), ST_INTERNAL);
		/* The outer statement's text is still this row's. */
		char want[16];
		snprintf(want, sizeof(want), "n%d", outer_rows);
		assert_string_equal(db_col_text(outer, 1), want);
	}
	assert_int_equal(db_done(outer), ST_OK);
	assert_int_equal(outer_rows, 6);
	/* Free again, the cached statement serves as before. */
	int n = 0;
	struct db_res *r = db_query(db, &SQL_IDS_UPTO, DB_ARGS(db_int(3)));
	while (db_next(r))
		n++;
	assert_int_equal(db_done(r), ST_OK);
	assert_int_equal(n, 3);
}

/* ---- statuses ---------------------------------------------------------------------------- */

static void constraint_statuses(void **state)
{
	(void)state;
	script(SCHEMA);
	int64_t id = add_parent("one", 1);
	int64_t again = 0;
	/* UNIQUE */
	assert_int_equal(
		db_int1(db, &SQL_PARENT_ADD, DB_ARGS(db_text("one"), db_int(2), db_null()), &again),
		ST_CONFLICT);
	assert_non_null(strstr(db_errmsg(db), "UNIQUE"));
	/* CHECK */
	assert_int_equal(db_int1(db, &SQL_PARENT_ADD,
				 DB_ARGS(db_text("two"), db_int(-1), db_null()), &again),
			 ST_INVALID);
	assert_non_null(strstr(db_errmsg(db), "CHECK"));
	/* NOT NULL */
	assert_int_equal(
		db_int1(db, &SQL_PARENT_ADD, DB_ARGS(db_null(), db_int(1), db_null()), &again),
		ST_INVALID);
	/* PRIMARY KEY */
	static const struct sql with_id = SQL("INSERT INTO parent (id, name) VALUES ($1, $2)");
	assert_int_equal(db_exec(db, &with_id, DB_ARGS(db_int(id), db_text("dup id")), NULL),
			 ST_CONFLICT);
	/* FOREIGN KEY (foreign_keys is on) */
	assert_int_equal(db_exec(db, &SQL_CHILD_ADD, DB_ARGS(db_int(999)), NULL), ST_CONFLICT);
	assert_int_equal(db_exec(db, &SQL_CHILD_ADD, DB_ARGS(db_int(id)), NULL), ST_OK);
	static const struct sql del = SQL("DELETE FROM parent WHERE id = $1");
	assert_int_equal(db_exec(db, &del, DB_ARGS(db_int(id)), NULL), ST_CONFLICT);
	/* The statements that failed serve again. */
	assert_int_equal(add_parent("two", 2), id + 1);
	assert_int_equal(count_parents(db), 2);
	/* Changes */
	static const struct sql bump = SQL("UPDATE parent SET n = n + 1 WHERE n >= $1");
	int64_t changes = -1;
	assert_int_equal(db_exec(db, &bump, DB_ARGS(db_int(0)), &changes), ST_OK);
	assert_int_equal(changes, 2);
	assert_int_equal(db_exec(db, &bump, DB_ARGS(db_int(100)), &changes), ST_OK);
	assert_int_equal(changes, 0);
	struct db_res *r = db_query(db, &bump, DB_ARGS(db_int(3)));
	assert_false(db_next(r));
	assert_int_equal(db_changes(r), 1);
	assert_int_equal(db_done(r), ST_OK);
}

/* The same through the real schema of a module. */
static void constraint_statuses_on_orgs(void **state)
{
	(void)state;
	const struct migration_set sets[] = { { orgs_module.name, orgs_module.migrations } };
	assert_int_equal(migrate_apply(db, sets, 1, NULL), ST_OK);
	static const struct sql add =
		SQL("INSERT INTO orgs (parent_id, code, name, kind, path, status, created_at,"
		    " updated_at) VALUES ($1, $2, $2, $3, '/', $4, 0, 0)");
	assert_int_equal(
		db_exec(db, &add,
			DB_ARGS(db_null(), db_text("HLJ"), db_text("province"), db_text("active")),
			NULL),
		ST_OK);
	assert_int_equal(
		db_exec(db, &add,
			DB_ARGS(db_null(), db_text("HLJ"), db_text("city"), db_text("active")),
			NULL),
		ST_CONFLICT);
	assert_int_equal(
		db_exec(db, &add,
			DB_ARGS(db_null(), db_text("X1"), db_text("village"), db_text("active")),
			NULL),
		ST_INVALID);
	assert_int_equal(
		db_exec(db, &add,
			DB_ARGS(db_null(), db_text("X2"), db_text("city"), db_text("closed")),
			NULL),
		ST_INVALID);
	assert_int_equal(
		db_exec(db, &add,
			DB_ARGS(db_int(42), db_text("X3"), db_text("city"), db_text("active")),
			NULL),
		ST_CONFLICT);
}

/* ---- transactions ------------------------------------------------------------------------ */

static void transactions(void **state)
{
	(void)state;
	script(SCHEMA);
	struct db *other;
	char err[256];
	assert_int_equal(db_open(path, &other, err, sizeof(err)), ST_OK);

	/* Commit: visible to another connection only afterwards. */
	assert_int_equal(db_begin(db), ST_OK);
	assert_true(db_in_tx(db));
	add_parent("a", 1);
	add_parent("b", 2);
	assert_int_equal(count_parents(db), 2);
	assert_int_equal(count_parents(other), 0);
	assert_int_equal(db_commit(db), ST_OK);
	assert_false(db_in_tx(db));
	assert_int_equal(count_parents(other), 2);

	/* Rollback: nothing stays. */
	assert_int_equal(db_begin(db), ST_OK);
	add_parent("c", 3);
	db_rollback(db);
	assert_false(db_in_tx(db));
	assert_int_equal(count_parents(db), 2);

	/* An error half-way, then rollback as every error path does: the good write goes too. */
	assert_int_equal(db_begin(db), ST_OK);
	add_parent("d", 4);
	int64_t id;
	enum status st =
		db_int1(db, &SQL_PARENT_ADD, DB_ARGS(db_text("a"), db_int(5), db_null()), &id);
	assert_int_equal(st, ST_CONFLICT);
	assert_true(db_in_tx(db));
	db_rollback(db);
	assert_false(db_broken(db));
	assert_int_equal(count_parents(db), 2);
	assert_int_equal(count_parents(other), 2);

	/* A nested begin is refused; the outer transaction goes on and commits. */
	assert_int_equal(db_begin(db), ST_OK);
	add_parent("e", 5);
	assert_int_equal(db_begin(db), ST_INTERNAL);
	assert_non_null(strstr(db_errmsg(db), "nested"));
	assert_true(db_in_tx(db));
	add_parent("f", 6);
	assert_int_equal(db_commit(db), ST_OK);
	assert_int_equal(count_parents(other), 4);

	/* Commit or rollback with no transaction. */
	assert_int_equal(db_commit(db), ST_INTERNAL);
	db_rollback(db);
	db_rollback(db);
	assert_false(db_broken(db));
	assert_false(db_in_tx(db));

	db_close(other);
}

/* db_read_begin(): the reads until db_read_end() see one snapshot; a write or a transaction
 * inside is refused, not committed with the snapshot; a connection given back ends it. */
static void read_snapshot(void **state)
{
	(void)state;
	script(SCHEMA);
	struct db *other;
	char err[256];
	assert_int_equal(db_open(path, &other, err, sizeof(err)), ST_OK);
	int64_t id = 0;
	assert_int_equal(db_read_begin(db), ST_OK);
	assert_int_equal(count_parents(db), 0);
	assert_int_equal(db_int1(other, &SQL_PARENT_ADD, DB_ARGS(db_text("a"), db_int(1), db_null()),
				 &id),
			 ST_OK);
	assert_int_equal(count_parents(db), 0); /* still the snapshot */
	assert_int_equal(db_int1(db, &SQL_PARENT_ADD, DB_ARGS(db_text("b"), db_int(1), db_null()),
				 &id),
			 ST_INTERNAL);
	assert_non_null(strstr(db_errmsg(db), "db_read_begin"));
	assert_int_equal(db_begin(db), ST_INTERNAL);
	db_read_end(db);
	assert_false(db_broken(db));
	assert_int_equal(count_parents(db), 1);
	assert_int_equal(count_parents(other), 1); /* "b" was never written */
	db_close(other);

	struct db_pool *pool;
	assert_int_equal(db_pool_new(path, 2, &pool, err, sizeof(err)), ST_OK);
	struct db *a;
	assert_int_equal(db_pool_get(pool, 1000, &a), ST_OK);
	assert_int_equal(db_read_begin(a), ST_OK);
	assert_int_equal(count_parents(a), 1);
	db_pool_put(pool, a);
	assert_int_equal(db_pool_get(pool, 1000, &a), ST_OK);
	assert_int_equal(db_begin(a), ST_OK); /* the same connection, its snapshot ended */
	assert_int_equal(db_int1(a, &SQL_PARENT_ADD, DB_ARGS(db_text("c"), db_int(1), db_null()),
				 &id),
			 ST_OK);
	assert_int_equal(db_commit(a), ST_OK);
	assert_int_equal(count_parents(db), 2);
	db_pool_put(pool, a);
	db_pool_free(pool);
}

static void int1_results(void **state)
{
	(void)state;
	script(SCHEMA);
	static const struct sql by_name = SQL("SELECT n FROM parent WHERE name = $1");
	static const struct sql all_n = SQL("SELECT n FROM parent ORDER BY n DESC");
	int64_t out = 12345;
	assert_int_equal(db_int1(db, &by_name, DB_ARGS(db_text("none")), &out), ST_NOT_FOUND);
	assert_int_equal(out, 12345);
	assert_int_equal(db_int1(db, &all_n, DB_NOARGS, &out), ST_NOT_FOUND);
	assert_int_equal(out, 12345);
	/* RETURNING id */
	assert_int_equal(add_parent("x", 10), 1);
	assert_int_equal(add_parent("y", 20), 2);
	assert_int_equal(add_parent("z", 30), 3);
	assert_int_equal(db_int1(db, &by_name, DB_ARGS(db_text("y")), &out), ST_OK);
	assert_int_equal(out, 20);
	/* The first of several rows, and the statement is finished properly. */
	assert_int_equal(db_int1(db, &all_n, DB_NOARGS, &out), ST_OK);
	assert_int_equal(out, 30);
	assert_int_equal(db_int1(db, &all_n, DB_NOARGS, &out), ST_OK);
	assert_int_equal(out, 30);
	/* An error is the error, not ST_NOT_FOUND. */
	static const struct sql bad = SQL("SELECT n FROM parent WHERE nope = $1");
	assert_int_equal(db_int1(db, &bad, DB_ARGS(db_int(1)), &out), ST_DB);
	assert_int_equal(out, 30);
	/* NULL reads as 0. */
	static const struct sql null = SQL("SELECT NULL");
	assert_int_equal(db_int1(db, &null, DB_NOARGS, &out), ST_OK);
	assert_int_equal(out, 0);
}

/* ---- scripts ----------------------------------------------------------------------------- */

static void scripts_expand_tokens(void **state)
{
	(void)state;
	script("CREATE TABLE a (id @ID@, b @BLOB@, mail TEXT);"
	       "INSERT INTO a (mail) VALUES ('admin@example.cn');"
	       "INSERT INTO a (mail) VALUES ('@');"
	       "INSERT INTO a (mail) VALUES ('@@ @IDX@ @blob@ x@ID');");
	static const struct sql ddl = SQL("SELECT sql FROM sqlite_master WHERE name = 'a'");
	struct db_res *r = db_query(db, &ddl, DB_NOARGS);
	assert_true(db_next(r));
	const char *text = db_col_text(r, 0);
	assert_non_null(strstr(text, "id INTEGER PRIMARY KEY"));
	assert_non_null(strstr(text, "b BLOB"));
	assert_null(strstr(text, "@"));
	assert_int_equal(db_done(r), ST_OK);
	static const struct sql mails = SQL("SELECT id, mail FROM a ORDER BY id");
	static const char *const want[] = { "admin@example.cn", "@", "@@ @IDX@ @blob@ x@ID" };
	r = db_query(db, &mails, DB_NOARGS);
	for (int i = 0; i < 3; i++) {
		assert_true(db_next(r));
		assert_int_equal(db_col_int(r, 0), i + 1); /* @ID@ assigns keys */
		assert_string_equal(db_col_text(r, 1), want[i]);
	}
	assert_false(db_next(r));
	assert_int_equal(db_done(r), ST_OK);
	/* A failing script reports it. */
	assert_int_equal(db_exec_script(db, "CREATE TABLE a (x)", NULL), ST_DB);
	assert_non_null(strstr(db_errmsg(db), "already exists"));
	assert_int_equal(db_exec_script(db, "", NULL), ST_OK);
	/* The PostgreSQL text is not what SQLite runs. */
	assert_int_equal(db_exec_script(db, "CREATE TABLE pg_only_not (x)", "SYNTAX ERROR"), ST_OK);
}

/* ---- migrations -------------------------------------------------------------------------- */

static int64_t count_where(const char *what, const char *module)
{
	static const struct sql q = SQL("SELECT COUNT(*) FROM schema_migrations WHERE module = $1");
	static const struct sql t =
		SQL("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1");
	int64_t n = -1;
	assert_int_equal(
		db_int1(db, strcmp(what, "table") == 0 ? &t : &q, DB_ARGS(db_text(module)), &n),
		ST_OK);
	return n;
}

static void migrations_once_and_idempotent(void **state)
{
	(void)state;
	static const struct migration alpha2[] = {
		{ 1, "CREATE TABLE alpha (id @ID@, name TEXT NOT NULL)", NULL },
		{ 2,
		  "ALTER TABLE alpha ADD COLUMN note TEXT; INSERT INTO alpha (name) VALUES ('x')",
		  NULL },
		{ 0, NULL, NULL },
	};
	static const struct migration alpha3[] = {
		{ 1, "CREATE TABLE alpha (id @ID@, name TEXT NOT NULL)", NULL },
		{ 2,
		  "ALTER TABLE alpha ADD COLUMN note TEXT; INSERT INTO alpha (name) VALUES ('x')",
		  NULL },
		{ 3, "INSERT INTO alpha (name) VALUES ('y')", NULL },
		{ 0, NULL, NULL },
	};
	static const struct migration beta[] = {
		{ 1, "CREATE TABLE beta (id @ID@)", "this text is for PostgreSQL only" },
		{ 0, NULL, NULL },
	};
	struct migration_set sets[] = { { "alpha", alpha2 }, { "beta", beta }, { "none", NULL } };
	int applied = -1;
	assert_int_equal(migrate_apply(db, sets, 3, &applied), ST_OK);
	assert_int_equal(applied, 3);
	assert_int_equal(count_where("module", "alpha"), 2);
	assert_int_equal(count_where("module", "beta"), 1);
	assert_int_equal(count_where("table", "alpha"), 1);
	assert_int_equal(count_where("table", "beta"), 1);
	assert_false(db_in_tx(db));
	/* Again: nothing runs (the ALTER would fail if it did). */
	for (int i = 0; i < 3; i++) {
		applied = -1;
		assert_int_equal(migrate_apply(db, sets, 3, &applied), ST_OK);
		assert_int_equal(applied, 0);
	}
	assert_int_equal(migrate_apply(db, sets, 3, NULL), ST_OK);
	/* A new version runs alone. */
	sets[0].list = alpha3;
	assert_int_equal(migrate_apply(db, sets, 3, &applied), ST_OK);
	assert_int_equal(applied, 1);
	static const struct sql rows = SQL("SELECT COUNT(*) FROM alpha");
	int64_t n = 0;
	assert_int_equal(db_int1(db, &rows, DB_NOARGS, &n), ST_OK);
	assert_int_equal(n, 2);
	/* The versions are recorded, with a time. */
	static const struct sql rec = SQL("SELECT MIN(applied_at) FROM schema_migrations");
	assert_int_equal(db_int1(db, &rec, DB_NOARGS, &n), ST_OK);
	assert_true(n > 1700000000);
}

static void migrations_out_of_order_refused(void **state)
{
	(void)state;
	static const struct migration starts_at_2[] = { { 2, "CREATE TABLE g2 (x)", NULL },
							{ 0, NULL, NULL } };
	static const struct migration gap[] = { { 1, "CREATE TABLE g1 (x)", NULL },
						{ 3, "CREATE TABLE g3 (x)", NULL },
						{ 0, NULL, NULL } };
	static const struct migration twice[] = { { 1, "CREATE TABLE t1 (x)", NULL },
						  { 1, "CREATE TABLE t1b (x)", NULL },
						  { 0, NULL, NULL } };
	static const struct migration backwards[] = { { 2, "CREATE TABLE b2 (x)", NULL },
						      { 1, "CREATE TABLE b1 (x)", NULL },
						      { 0, NULL, NULL } };
	const struct migration_set bad[] = { { "starts_at_2", starts_at_2 },
					     { "gap", gap },
					     { "twice", twice },
					     { "backwards", backwards } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int applied = -1;
		if (migrate_apply(db, &bad[i], 1, &applied) != ST_INTERNAL)
			fail_msg("set %s was accepted", bad[i].module);
		assert_false(db_in_tx(db));
	}
	/* Nothing out of order was ever recorded or created. */
	static const struct sql high =
		SQL("SELECT COUNT(*) FROM schema_migrations WHERE version > 1");
	int64_t n = -1;
	assert_int_equal(db_int1(db, &high, DB_NOARGS, &n), ST_OK);
	assert_int_equal(n, 0);
	assert_int_equal(count_where("table", "g2"), 0);
	assert_int_equal(count_where("table", "g3"), 0);
	assert_int_equal(count_where("table", "t1b"), 0);
	assert_int_equal(count_where("table", "b2"), 0);
}

/* A migration that fails is rolled back whole and not recorded; fixed, it runs. */
static void migration_failure_rolls_back(void **state)
{
	(void)state;
	static const struct migration broken[] = {
		{ 1, "CREATE TABLE d1 (x)", NULL },
		{ 2, "CREATE TABLE d2_half (x); INSERT INTO d1 VALUES (1); CREATE TABLE oops (",
		  NULL },
		{ 0, NULL, NULL },
	};
	static const struct migration fixed[] = {
		{ 1, "CREATE TABLE d1 (x)", NULL },
		{ 2, "CREATE TABLE d2_half (x); INSERT INTO d1 VALUES (1); CREATE TABLE ok (y)",
		  NULL },
		{ 0, NULL, NULL },
	};
	struct migration_set set = { "delta", broken };
	int applied = -1;
	assert_int_equal(migrate_apply(db, &set, 1, &applied), ST_DB);
	assert_false(db_in_tx(db));
	assert_int_equal(count_where("module", "delta"), 1);
	assert_int_equal(count_where("table", "d1"), 1);
	assert_int_equal(count_where("table", "d2_half"), 0);
	static const struct sql rows = SQL("SELECT COUNT(*) FROM d1");
	int64_t n = -1;
	assert_int_equal(db_int1(db, &rows, DB_NOARGS, &n), ST_OK);
	assert_int_equal(n, 0);
	set.list = fixed;
	assert_int_equal(migrate_apply(db, &set, 1, &applied), ST_OK);
	assert_int_equal(applied, 1);
	assert_int_equal(count_where("table", "d2_half"), 1);
	assert_int_equal(db_int1(db, &rows, DB_NOARGS, &n), ST_OK);
	assert_int_equal(n, 1);
}

/* The real schema of every module, applied once, then nothing. */
static void real_migrations(void **state)
{
	(void)state;
	struct migration_set sets[64];
	size_t n = 0;
	for (size_t i = 0; i < app_nmodules; i++)
		if (app_modules[i]->migrations)
			sets[n++] = (struct migration_set){ app_modules[i]->name,
							    app_modules[i]->migrations };
	assert_true(n >= 3);
	int applied = -1;
	assert_int_equal(migrate_apply(db, sets, n, &applied), ST_OK);
	int total = 0;
	for (size_t i = 0; i < n; i++)
		for (const struct migration *m = sets[i].list; m->version; m++)
			total++;
	assert_int_equal(applied, total);
	assert_int_equal(migrate_apply(db, sets, n, &applied), ST_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(count_where("table", "orgs"), 1);
	assert_int_equal(count_where("table", "audit_log"), 1);
}

/* ---- backup ------------------------------------------------------------------------------ */

static void backup_copy_opens(void **state)
{
	(void)state;
	script(SCHEMA);
	assert_int_equal(db_begin(db), ST_OK); /* one commit, not 500 */
	for (int i = 1; i <= 500; i++) {
		char name[32];
		snprintf(name, sizeof(name), "backup row %d", i);
		add_parent(name, i);
	}
	assert_int_equal(db_commit(db), ST_OK);
	char out[700], msg[512] = "";
	snprintf(out, sizeof(out), "%s/copy%d.db", dir, serial);
	assert_int_equal(db_backup(db, out, msg, sizeof(msg)), ST_OK);
	assert_non_null(strstr(msg, "integrity_check ok"));
	/* Changes after the backup are not in the copy. */
	add_parent("after", 1);

	struct db *copy;
	char err[256];
	assert_int_equal(db_open(out, &copy, err, sizeof(err)), ST_OK);
	assert_int_equal(count_parents(copy), 500);
	static const struct sql sum = SQL("SELECT SUM(n) FROM parent");
	int64_t s = 0;
	assert_int_equal(db_int1(copy, &sum, DB_NOARGS, &s), ST_OK);
	assert_int_equal(s, 500 * 501 / 2);
	/* The copy is a working database. */
	assert_int_equal(db_begin(copy), ST_OK);
	int64_t id = 0;
	assert_int_equal(db_int1(copy, &SQL_PARENT_ADD,
				 DB_ARGS(db_text("in the copy"), db_int(0), db_null()), &id),
			 ST_OK);
	assert_int_equal(db_commit(copy), ST_OK);
	db_close(copy);

	/* Never over an existing file. */
	msg[0] = '\0';
	assert_int_equal(db_backup(db, out, msg, sizeof(msg)), ST_CONFLICT);
	assert_non_null(strstr(msg, "exists"));
	/* Nowhere to write. */
	char bad[700];
	snprintf(bad, sizeof(bad), "%s/no-such-dir/copy.db", dir);
	assert_int_equal(db_backup(db, bad, msg, sizeof(msg)), ST_UNAVAILABLE);
	assert_int_equal(access(bad, F_OK), -1);
}

/* A pool's connections share the write gate: a transaction holds it, and so does a write
 * statement outside one until db_done() (a read does not); db_begin_if_free() begins only when
 * it is free, and otherwise does nothing, without waiting. A write outside a transaction counts
 * as a commit for the copies of db_copy_stamp(); a read does not. Each pool connection gets the pool's
 * page-cache share. */
static void write_gate_shared(void **state)
{
	(void)state;
	struct db_pool *pool;
	char err[256];
	assert_int_equal(db_pool_new(path, 20, &pool, err, sizeof(err)), ST_OK);
	struct db *a, *b;
	assert_int_equal(db_pool_get(pool, 1000, &a), ST_OK);
	assert_int_equal(db_pool_get(pool, 1000, &b), ST_OK);
	int64_t cache = 0;
	static const struct sql Q_CACHE = SQL("PRAGMA cache_size");
	assert_int_equal(db_int1(a, &Q_CACHE, DB_NOARGS, &cache), ST_OK);
	assert_int_equal(cache, -4000); /* 80 MB over 20 connections */
	bool began = true;
	assert_int_equal(db_begin(a), ST_OK);
	assert_int_equal(db_begin_if_free(b, &began), ST_OK);
	assert_false(began);
	assert_false(db_in_tx(b));
	db_rollback(a);
	assert_int_equal(db_begin_if_free(b, &began), ST_OK);
	assert_true(began);
	assert_true(db_in_tx(b));
	assert_int_equal(db_begin_if_free(b, &began), ST_INTERNAL); /* nested */
	assert_int_equal(db_commit(b), ST_OK);

	static const struct sql Q_MAKE = SQL("CREATE TABLE IF NOT EXISTS gate (x)");
	static const struct sql Q_WRITE = SQL("INSERT INTO gate (x) VALUES (1) RETURNING x");
	static const struct sql Q_READ = SQL("SELECT count(*) FROM gate");
	assert_int_equal(db_exec(a, &Q_MAKE, DB_NOARGS, NULL), ST_OK);
	static const char *const gate_copied[] = { "gate", NULL };
	db_copies_read(gate_copied);
	uint64_t gen = db_commit_generation();
	struct db_res *w = db_query(b, &Q_WRITE, DB_NOARGS);
	assert_true(db_next(w)); /* open: the gate is b's */
	assert_int_equal(db_begin_if_free(a, &began), ST_OK);
	assert_false(began);
	assert_int_equal(db_done(w), ST_OK);
	assert_true(db_commit_generation() == gen + 1); /* a commit of its own: copies are stale */
	gen = db_commit_generation();
	struct db_res *rd = db_query(b, &Q_READ, DB_NOARGS);
	assert_true(db_next(rd)); /* a read holds nothing */
	assert_int_equal(db_begin_if_free(a, &began), ST_OK);
	assert_true(began);
	db_rollback(a);
	assert_int_equal(db_done(rd), ST_OK);
	assert_true(db_commit_generation() == gen); /* a read is none */
	db_pool_put(pool, a);
	db_pool_put(pool, b);
	db_pool_free(pool);
}

/* The copies' generation moves at a commit that changed a table they read (a row written by a
 * statement or a trigger, in a transaction or alone) and at no other: not for other tables, not
 * for a rolled-back change. A WITHOUT ROWID table among them is refused at the check. */
static void copies_follow_their_tables(void **state)
{
	(void)state;
	script("CREATE TABLE watched (x);"
	       "CREATE TABLE other (x);"
	       "CREATE TABLE keyed (k PRIMARY KEY, v) WITHOUT ROWID;"
	       "CREATE TRIGGER other_big AFTER INSERT ON other WHEN new.x > 100"
	       " BEGIN INSERT INTO watched (x) VALUES (new.x); END;");
	static const char *const copied[] = { "watched", NULL };
	db_copies_read(copied);
	assert_int_equal(db_copies_check(db), ST_OK);
	static const struct sql Q_OTHER = SQL("INSERT INTO other (x) VALUES ($1)");
	static const struct sql Q_WATCHED = SQL("UPDATE watched SET x = x + 1");
	static const struct sql Q_WATCHED_ADD = SQL("INSERT INTO watched (x) VALUES (1)");

	uint64_t gen = db_commit_generation();
	assert_int_equal(db_exec(db, &Q_OTHER, DB_ARGS(db_int(1)), NULL), ST_OK);
	assert_true(db_commit_generation() == gen); /* alone, another table */
	assert_int_equal(db_begin(db), ST_OK);
	assert_int_equal(db_exec(db, &Q_OTHER, DB_ARGS(db_int(2)), NULL), ST_OK);
	assert_int_equal(db_commit(db), ST_OK);
	assert_true(db_commit_generation() == gen); /* in a transaction, another table */

	assert_int_equal(db_exec(db, &Q_WATCHED_ADD, DB_NOARGS, NULL), ST_OK);
	assert_true(db_commit_generation() == gen + 1); /* alone, a watched table */
	assert_int_equal(db_begin(db), ST_OK);
	assert_int_equal(db_exec(db, &Q_OTHER, DB_ARGS(db_int(3)), NULL), ST_OK);
	assert_int_equal(db_exec(db, &Q_WATCHED, DB_NOARGS, NULL), ST_OK);
	assert_true(db_commit_generation() == gen + 1); /* not before the commit */
	assert_int_equal(db_commit(db), ST_OK);
	assert_true(db_commit_generation() == gen + 2);

	assert_int_equal(db_begin(db), ST_OK);
	assert_int_equal(db_exec(db, &Q_WATCHED, DB_NOARGS, NULL), ST_OK);
	db_rollback(db);
	assert_int_equal(db_begin(db), ST_OK);
	assert_int_equal(db_exec(db, &Q_OTHER, DB_ARGS(db_int(4)), NULL), ST_OK);
	assert_int_equal(db_commit(db), ST_OK);
	assert_true(db_commit_generation() == gen + 2); /* the rolled-back change left nothing */

	assert_int_equal(db_begin(db), ST_OK);
	assert_int_equal(db_exec(db, &Q_OTHER, DB_ARGS(db_int(500)), NULL), ST_OK);
	assert_int_equal(db_commit(db), ST_OK);
	assert_true(db_commit_generation() == gen + 3); /* the trigger's row counts */

	static const char *const keyed[] = { "keyed", NULL };
	db_copies_read(keyed);
	assert_int_equal(db_copies_check(db), ST_INTERNAL);
	assert_non_null(strstr(db_errmsg(db), "keyed"));
}

/* Group commit's halves: a deferred connection commits at synchronous=NORMAL and leaves the
 * log's checkpoints to its caller (the log grows past SQLite's 1,000-frame checkpoint, and
 * db_log_frames() says how far); db_pool_sync() syncs it; a checkpoint on another connection
 * copies the log, and the next commit starts it again. Given back, it is synced again. */
static void deferred_sync(void **state)
{
	(void)state;
	struct db_pool *pool;
	char err[256];
	assert_int_equal(db_pool_new(path, 4, &pool, err, sizeof(err)), ST_OK);
	struct db *w, *other;
	assert_int_equal(db_pool_get(pool, 1000, &w), ST_OK);
	assert_int_equal(db_pool_get(pool, 1000, &other), ST_OK);
	static const struct sql Q_SYNC = SQL("PRAGMA synchronous");
	int64_t level = 0;
	assert_false(db_sync_deferred(w));
	assert_int_equal(db_log_frames(w), 0);
	assert_int_equal(db_defer_sync(w, true), ST_OK);
	assert_true(db_sync_deferred(w));
	assert_int_equal(db_int1(w, &Q_SYNC, DB_NOARGS, &level), ST_OK);
	assert_int_equal(level, 1); /* NORMAL */

	static const struct sql Q_MAKE = SQL("CREATE TABLE IF NOT EXISTS big (x BLOB)");
	static const struct sql Q_FILL =
		SQL("INSERT INTO big (x) SELECT randomblob(3000) FROM json_each($1)");
	static const struct sql Q_COUNT = SQL("SELECT count(*) FROM big");
	char many[1300 * 2 + 2];
	size_t k = 0;
	many[k++] = '[';
	for (int i = 0; i < 1300; i++) {
		many[k++] = '0';
		many[k++] = i < 1299 ? ',' : ']';
	}
	many[k] = '\0';
	assert_int_equal(db_exec(w, &Q_MAKE, DB_NOARGS, NULL), ST_OK);
	assert_int_equal(db_begin(w), ST_OK);
	assert_int_equal(db_defer_sync(w, false), ST_INTERNAL); /* not inside a transaction */
	assert_int_equal(db_exec(w, &Q_FILL, DB_ARGS(db_text(many)), NULL), ST_OK);
	assert_int_equal(db_commit(w), ST_OK);
	int first = db_log_frames(w);
	assert_true(first > 1300); /* no checkpoint at 1,000 frames */
	assert_int_equal(db_pool_sync(pool), ST_OK);
	int64_t n = 0;
	assert_int_equal(db_int1(other, &Q_COUNT, DB_NOARGS, &n), ST_OK);
	assert_int_equal(n, 1300); /* visible to the others at once */
	assert_int_equal(db_begin(w), ST_OK);
	assert_int_equal(db_exec(w, &Q_FILL, DB_ARGS(db_text("[0]")), NULL), ST_OK);
	assert_int_equal(db_commit(w), ST_OK);
	assert_true(db_log_frames(w) > first); /* still not checkpointed */

	int copied = 0;
	assert_int_equal(db_checkpoint(other, false, &copied), ST_OK);
	assert_true(copied > first); /* the whole log */
	assert_int_equal(db_begin(w), ST_OK);
	assert_int_equal(db_exec(w, &Q_FILL, DB_ARGS(db_text("[0]")), NULL), ST_OK);
	assert_int_equal(db_commit(w), ST_OK);
	assert_true(db_log_frames(w) < 10); /* the log started again */
	assert_int_equal(db_pool_sync(pool), ST_OK);

	/* back in the pool, it waits for the disk again */
	db_pool_put(pool, w);
	struct db *again;
	assert_int_equal(db_pool_get(pool, 1000, &again), ST_OK);
	assert_ptr_equal(again, w);
	assert_false(db_sync_deferred(again));
	assert_int_equal(db_int1(again, &Q_SYNC, DB_NOARGS, &level), ST_OK);
	assert_int_equal(level, 2); /* FULL */
	assert_int_equal(db_log_frames(again), 0);
	db_pool_put(pool, again);
	db_pool_put(pool, other);
	db_pool_free(pool);
}

/* A reader inside the log when it is copied: a passive copy stops at the reader's snapshot,
 * so the log does not start again after it; a restart waits for the reader to leave (here
 * 50 ms later), copies everything, and the next commit starts the log again. */
struct reader_leave {
	struct db_res *r;
	enum status st;
};

static void *reader_leaves(void *arg)
{
	struct reader_leave *l = arg;
	struct timespec ts = {0, 50 * 1000000L};
	nanosleep(&ts, NULL);
	l->st = db_done(l->r);
	return NULL;
}

static void checkpoint_restart(void **state)
{
	(void)state;
	struct db_pool *pool;
	char err[256];
	assert_int_equal(db_pool_new(path, 4, &pool, err, sizeof(err)), ST_OK);
	struct db *w, *reader, *other;
	assert_int_equal(db_pool_get(pool, 1000, &w), ST_OK);
	assert_int_equal(db_pool_get(pool, 1000, &reader), ST_OK);
	assert_int_equal(db_pool_get(pool, 1000, &other), ST_OK);
	assert_int_equal(db_defer_sync(w, true), ST_OK);
	static const struct sql Q_MAKE = SQL("CREATE TABLE IF NOT EXISTS big (x BLOB)");
	static const struct sql Q_FILL =
		SQL("INSERT INTO big (x) SELECT randomblob(3000) FROM json_each($1)");
	static const struct sql Q_READ = SQL("SELECT x FROM big");
	assert_int_equal(db_exec(w, &Q_MAKE, DB_NOARGS, NULL), ST_OK);
	for (int round = 0; round < 2; round++) {
		bool restart = round == 1;
		assert_int_equal(db_checkpoint(other, true, NULL), ST_OK); /* from an empty log */
		assert_int_equal(db_exec(w, &Q_FILL, DB_ARGS(db_text("[0,0,0,0,0,0,0,0]")), NULL),
				 ST_OK);
		int start = db_log_frames(w);
		/* a reader in the log, then more frames after its snapshot */
		struct reader_leave l = {db_query(reader, &Q_READ, DB_NOARGS), ST_OK};
		assert_non_null(l.r);
		assert_true(db_next(l.r));
		assert_int_equal(db_exec(w, &Q_FILL, DB_ARGS(db_text("[0,0,0,0,0,0,0,0]")), NULL),
				 ST_OK);
		pthread_t t;
		assert_int_equal(pthread_create(&t, NULL, reader_leaves, &l), 0);
		assert_int_equal(db_checkpoint(other, restart, NULL), ST_OK);
		assert_int_equal(pthread_join(t, NULL), 0);
		assert_int_equal(l.st, ST_OK);
		assert_int_equal(db_exec(w, &Q_FILL, DB_ARGS(db_text("[0]")), NULL), ST_OK);
		if (restart)
			assert_true(db_log_frames(w) < 10); /* the log started again */
		else
			assert_true(db_log_frames(w) > start); /* it went on */
	}
	assert_int_equal(db_pool_sync(pool), ST_OK);
	db_pool_put(pool, w);
	db_pool_put(pool, reader);
	db_pool_put(pool, other);
	db_pool_free(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(open_and_kind),
		TEST(write_gate_shared),
		TEST(copies_follow_their_tables),
		TEST(deferred_sync),
		TEST(checkpoint_restart),
		TEST(parameters_bound_by_number),
		TEST(parameters_malformed_or_missing),
		TEST(values_round_trip),
		TEST(statement_cache_reuse),
		TEST(statement_nested_in_itself),
		TEST(constraint_statuses),
		TEST(constraint_statuses_on_orgs),
		TEST(transactions),
		TEST(read_snapshot),
		TEST(int1_results),
		TEST(scripts_expand_tokens),
		TEST(migrations_once_and_idempotent),
		TEST(migrations_out_of_order_refused),
		TEST(migration_failure_rolls_back),
		TEST(real_migrations),
		TEST(backup_copy_opens),
	};
	return cmocka_run_group_tests_name("db", tests, group_setup, group_teardown);
}
