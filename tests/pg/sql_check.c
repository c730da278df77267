/* sql_check.c: every migration and every statement of every module runs on SQLite and on
 * PostgreSQL (when TIEJIAN_TEST_PG names a test cluster; `make api-pg` starts one).
 *
 * For each database: a fresh one is migrated from nothing (every migration of every module must
 * apply, and a second run must apply none), the reference data and the demo city are loaded,
 * then each statement constant listed by gen-sql-list.sh (all `const struct sql SQL_*` of all
 * _sql.c files) is prepared and run once, with 1 bound to every parameter, inside a savepoint
 * that is rolled back (a statement whose text for this database is "" has nothing to do there
 * and is counted apart). A statement passes when it runs; a constraint refusing the made-up
 * values (ST_CONFLICT, ST_INVALID) still proves it parsed, typed and ran. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "app/app_init.h"
#include "app/module.h"
#include "db/db.h"
#include "db/migrate.h"

struct sql_entry {
	const char *name;
	const char *file;
	const struct sql *sql;
};
#include "sql_list.c"

#define NSQL (sizeof(sql_all) / sizeof(sql_all[0]))

struct target {
	const char *label;
	char url[1024];
	char admin[1024]; /* PostgreSQL: the maintenance database, to drop ours afterwards */
	char dbname[64];
};

/* postgres://u:p@h:port/postgres?x -> postgres://u:p@h:port/NAME?x */
static void url_with_db(const char *admin, const char *name, char *out, size_t outlen)
{
	const char *q = strchr(admin, '?');
	size_t base = q ? (size_t)(q - admin) : strlen(admin);
	const char *hostpart = strstr(admin, "://");
	size_t slash = base;
	for (size_t i = hostpart ? (size_t)(hostpart - admin) + 3 : 0; i < base; i++)
		if (admin[i] == '/') {
			slash = i;
			break;
		}
	snprintf(out, outlen, "%.*s/%s%s", (int)slash, admin, name, q ? q : "");
}

static const struct sql SQL_SAVEPOINT = SQL("SAVEPOINT sql_check");
static const struct sql SQL_ROLLBACK_TO = SQL("ROLLBACK TO SAVEPOINT sql_check");

static int migrations_expected(void)
{
	int n = 0;
	for (size_t i = 0; i < app_nmodules; i++)
		for (const struct migration *m = app_modules[i]->migrations; m && m->version; m++)
			n++;
	return n;
}

static void migrate_from_nothing(const char *url)
{
	struct db *db = NULL;
	char err[256] = "";
	enum status st = db_open(url, &db, err, sizeof(err));
	if (st)
		fail_msg("cannot open %s: %s", url, err);
	struct app app;
	memset(&app, 0, sizeof(app));
	app.modules = app_modules;
	app.nmodules = app_nmodules;
	struct migration_set sets[64];
	size_t n = 0;
	for (size_t i = 0; i < app_nmodules; i++)
		if (app_modules[i]->migrations)
			sets[n++] = (struct migration_set){app_modules[i]->name,
							   app_modules[i]->migrations};
	int applied = -1;
	st = migrate_apply(db, sets, n, &applied);
	if (st)
		fail_msg("migrations failed: %s", db_errmsg(db));
	assert_int_equal(applied, migrations_expected());
	applied = -1;
	assert_int_equal(migrate_apply(db, sets, n, &applied), ST_OK);
	assert_int_equal(applied, 0);
	db_close(db);
}

static void load_demo(struct app *app)
{
	struct db *db;
	assert_int_equal(db_pool_get(app->pool, 10000, &db), ST_OK);
	for (size_t i = 0; i < app->nmodules; i++) {
		const struct module *m = app->modules[i];
		if (!m->demo)
			continue;
		assert_int_equal(db_begin(db), ST_OK);
		enum status st = m->demo(app, db);
		if (st)
			fail_msg("demo of %s failed: %s", m->name, db_errmsg(db));
		assert_int_equal(db_commit(db), ST_OK);
	}
	db_pool_put(app->pool, db);
}

static void check_statements(struct target *t)
{
	migrate_from_nothing(t->url);
	struct config cfg;
	config_defaults(&cfg);
	cfg.db_url = t->url;
	struct app app;
	if (app_open(&app, &cfg, false) != ST_OK)
		fail_msg("app_open on %s failed", t->label);
	load_demo(&app);

	struct db *db;
	assert_int_equal(db_pool_get(app.pool, 10000, &db), ST_OK);
	assert_int_equal(db_begin(db), ST_OK);
	struct db_val ones[64];
	for (size_t i = 0; i < 64; i++)
		ones[i] = db_int(1);
	int failures = 0, elsewhere = 0;
	for (size_t i = 0; i < NSQL; i++) {
		const struct sql *q = sql_all[i].sql;
		const char *text = db_kind(db) == DB_POSTGRES && q->pg ? q->pg : q->sqlite;
		if (!q->sqlite[0] && (!q->pg || !q->pg[0])) {
			print_error("%s (%s) has no text for either database\n", sql_all[i].name,
				    sql_all[i].file);
			failures++;
			continue;
		}
		if (!text[0]) {
			elsewhere++; /* "" = nothing to do on this database (db.h) */
			continue;
		}
		assert_int_equal(db_exec(db, &SQL_SAVEPOINT, DB_NOARGS, NULL), ST_OK);
		struct db_res *r = db_query(db, sql_all[i].sql, ones, 64);
		long rows = 0;
		while (db_next(r))
			rows++;
		enum status st = db_done(r);
		if (st != ST_OK && st != ST_CONFLICT && st != ST_INVALID) {
			print_error("%s: %s (%s) failed: %s\n", t->label, sql_all[i].name,
				    sql_all[i].file, db_errmsg(db));
			failures++;
		}
		assert_int_equal(db_exec(db, &SQL_ROLLBACK_TO, DB_NOARGS, NULL), ST_OK);
	}
	db_rollback(db);
	db_pool_put(app.pool, db);
	app_close(&app);
	print_message("%s: %d migrations and %zu statements checked (%d with nothing to do "
		      "there), %d failed\n",
		      t->label, migrations_expected(), NSQL, elsewhere, failures);
	assert_int_equal(failures, 0);
}

static void test_sqlite(void **state)
{
	struct target *t = *state;
	check_statements(t);
}

static void test_postgres(void **state)
{
	struct target *t = *state;
	if (!t->admin[0])
		skip();
	check_statements(t);
}

static int setup_sqlite(void **state)
{
	static struct target t = {.label = "sqlite"};
	char dir[] = "/tmp/tiejian-sqlcheck-XXXXXX";
	if (!mkdtemp(dir))
		return -1;
	snprintf(t.url, sizeof(t.url), "%s/check.db", dir);
	*state = &t;
	return 0;
}

static int teardown_sqlite(void **state)
{
	struct target *t = *state;
	char path[1100];
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", t->url, suffixes[i]);
		unlink(path);
	}
	char *slash = strrchr(t->url, '/');
	if (slash) {
		*slash = '\0';
		rmdir(t->url);
	}
	return 0;
}

static int setup_postgres(void **state)
{
	static struct target t = {.label = "postgres"};
	*state = &t;
	const char *admin = getenv("TIEJIAN_TEST_PG");
	if (!admin || !*admin) {
		print_message("TIEJIAN_TEST_PG is not set: PostgreSQL skipped (make api-pg runs it)\n");
		return 0;
	}
	snprintf(t.admin, sizeof(t.admin), "%s", admin);
	unsigned char rnd[4];
	randombytes_buf(rnd, sizeof(rnd));
	snprintf(t.dbname, sizeof(t.dbname), "sqlcheck_%d_%02x%02x%02x%02x", (int)getpid(), rnd[0],
		 rnd[1], rnd[2], rnd[3]);
	url_with_db(admin, t.dbname, t.url, sizeof(t.url));
	struct db *db;
	char err[256], create[128];
	if (db_open(admin, &db, err, sizeof(err))) {
		print_error("cannot reach %s: %s\n", admin, err);
		return -1;
	}
	snprintf(create, sizeof(create), "CREATE DATABASE %s", t.dbname);
	enum status st = db_exec_script(db, create, NULL);
	if (st)
		print_error("%s: %s\n", create, db_errmsg(db));
	db_close(db);
	return st ? -1 : 0;
}

static int teardown_postgres(void **state)
{
	struct target *t = *state;
	if (!t->admin[0])
		return 0;
	struct db *db;
	char err[256], drop[128];
	if (db_open(t->admin, &db, err, sizeof(err)))
		return 0;
	snprintf(drop, sizeof(drop), "DROP DATABASE IF EXISTS %s WITH (FORCE)", t->dbname);
	db_exec_script(db, drop, NULL);
	db_close(db);
	return 0;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sqlite, setup_sqlite, teardown_sqlite),
	    cmocka_unit_test_setup_teardown(test_postgres, setup_postgres, teardown_postgres),
	};
	return cmocka_run_group_tests_name("sql_check", tests, NULL, NULL);
}
