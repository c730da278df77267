/* test_notify_db.c: the inbox on SQLite (a temporary file). Migration 3: an inbox written in
 * the old shape (a row of the whole message a user) comes through with the same ids, read
 * states, deliveries' users and unread counts, and a new message goes on from the last id,
 * told once to each user however often a caller names them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "app/module.h"
#include "db/db.h"
#include "db/migrate.h"
#include "lib/log.h"
#include "modules/notify/notify.h"

static struct db *db;
static char path[512];

static int setup(void **state)
{
	(void)state;
	log_set_level((enum log_level)(LOG_ERROR + 1));
	const char *base = getenv("TMPDIR");
	snprintf(path, sizeof(path), "%s/tiejian-test-notify-XXXXXX",
		 base && *base ? base : P_tmpdir);
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(path);
	char err[256];
	return db_open(path, &db, err, sizeof(err)) == ST_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	db_close(db);
	char p[600];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	return 0;
}

/* The modules' schemas up to notify's, notify's own up to version upto (0: all). */
static void migrate_upto(int upto)
{
	struct migration notify_old[8] = { { 0, NULL, NULL } };
	struct migration_set sets[16];
	size_t n = 0;
	for (size_t i = 0; i < app_nmodules; i++) {
		const struct module *m = app_modules[i];
		if (m == &notify_module && upto) {
			for (int k = 0; k < upto; k++)
				notify_old[k] = m->migrations[k];
			sets[n++] = (struct migration_set){ m->name, notify_old };
			break;
		}
		if (m->migrations)
			sets[n++] = (struct migration_set){ m->name, m->migrations };
		if (m == &notify_module)
			break;
	}
	if (migrate_apply(db, sets, n, NULL) != ST_OK)
		fail_msg("migrate: %s", db_errmsg(db));
}

static void script(const char *text)
{
	if (db_exec_script(db, text, NULL) != ST_OK)
		fail_msg("script failed: %s", db_errmsg(db));
}

/* A query of one integer and what it must give. Statements are cached by their address: each
 * has its own, static. */
struct check {
	struct sql q;
	int64_t want;
};

static void expect(const struct check *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t v = -1;
		if (db_int1(db, &c[i].q, DB_NOARGS, &v) != ST_OK)
			fail_msg("%s: %s", c[i].q.sqlite, db_errmsg(db));
		if (v != c[i].want)
			fail_msg("%s: %lld, not %lld", c[i].q.sqlite, (long long)v,
				 (long long)c[i].want);
	}
}

static const struct check moved[] = {
	{ SQL("SELECT COUNT(*) FROM notify_messages"), 4 },
	{ SQL("SELECT COUNT(*) FROM notify_messages WHERE id = 6 AND title = '新诉求二'"
	      " AND body IS NULL AND entity_id = 41 AND created_at = 101"),
	  1 },
	{ SQL("SELECT COUNT(*) FROM notifications"), 4 },
	{ SQL("SELECT read_at FROM notifications WHERE user_id = 1 AND id = 6"), 150 },
	{ SQL("SELECT COUNT(*) FROM notifications WHERE user_id = 2 AND id IN (7, 9)"
	      " AND read_at IS NULL"),
	  2 },
	{ SQL("SELECT n FROM notify_unread WHERE user_id = 1"), 1 },
	{ SQL("SELECT n FROM notify_unread WHERE user_id = 2"), 2 },
	{ SQL("SELECT user_id FROM notify_outbox WHERE id = 3"), 2 },
	{ SQL("SELECT COUNT(*) FROM notify_outbox WHERE id = 4 AND user_id IS NULL"
	      " AND status = 'delivered'"),
	  1 },
	{ SQL("SELECT COUNT(*) FROM pragma_foreign_key_check"), 0 },
};

static const struct check told[] = {
	{ SQL("SELECT MAX(id) FROM notify_messages"), 10 },
	{ SQL("SELECT COUNT(*) FROM notifications WHERE id = 10"), 2 },
	{ SQL("SELECT n FROM notify_unread WHERE user_id = 1"), 2 },
	{ SQL("SELECT n FROM notify_unread WHERE user_id = 2"), 3 },
};

static void inbox_moved(void **state)
{
	(void)state;
	migrate_upto(2);
	script("INSERT INTO orgs (id, parent_id, code, name, kind, path, status, created_at,"
	       " updated_at) VALUES (1, NULL, 'X', 'X', 'city', '/1/', 'active', 0, 0);"
	       "INSERT INTO users (id, username, display_name, org_id, password_hash, created_at,"
	       " updated_at) VALUES (1, 'a', 'A', 1, 'x', 0, 0), (2, 'b', 'B', 1, 'x', 0, 0);"
	       "INSERT INTO notifications (id, user_id, kind, title, body, entity, entity_id,"
	       " created_at, read_at) VALUES"
	       " (5, 1, 'filed', '新诉求一', '正文', 'appeal', 40, 100, NULL),"
	       " (6, 1, 'filed', '新诉求二', NULL, 'appeal', 41, 101, 150),"
	       " (7, 2, 'assigned', '交办', NULL, NULL, NULL, 102, NULL),"
	       " (9, 2, 'late', '超期', NULL, 'appeal', 40, 103, NULL);"
	       "INSERT INTO notify_outbox (id, notification_id, kind, body, status, attempts,"
	       " next_at, created_at) VALUES (3, 7, 'assigned', '{}', 'pending', 0, 102, 102),"
	       " (4, NULL, 'test', '{}', 'delivered', 1, 104, 104);");
	migrate_upto(0);
	expect(moved, sizeof(moved) / sizeof(moved[0]));

	/* written through the module now: one message, a copy and a count for each user once */
	const struct notify_msg m = { "filed", "新诉求三", NULL, "appeal", 42 };
	const int64_t ids[] = { 2, 1, 2, 0 };
	assert_int_equal(db_begin(db), ST_OK);
	assert_int_equal(notify_users(db, 200, ids, 4, &m), ST_OK);
	assert_int_equal(db_commit(db), ST_OK);
	expect(told, sizeof(told) / sizeof(told[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(inbox_moved, setup, teardown),
	};
	return cmocka_run_group_tests_name("notify_db", tests, NULL, NULL);
}
