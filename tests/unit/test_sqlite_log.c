/* test_sqlite_log.c: SQLite's log written in runs (db/sqlite_log.c): every commit is in the
 * file before another connection reads it, a commit writes a few runs instead of two writes a
 * page, large commits go through, nothing is held once a rolled-back writer lets the log go,
 * and a run that cannot be written fails its commit and leaves what was committed before it
 * whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db.h"
#include "db/sqlite_log.h"

#define FRAME_BYTES (24 + 4096)

static char dir[512];
static char path[600];
static char log_path[620];
static int serial;
static sqlite3 *writer, *reader;

static void exec(sqlite3 *h, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(h, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : sqlite3_errstr(rc));
}

static int64_t int1(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void integrity_ok(sqlite3 *h)
{
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
	sqlite3_finalize(s);
}

static sqlite3 *open_conn(void)
{
	sqlite3 *h = NULL;
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	exec(h, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0");
	return h;
}

/* Two connections to a fresh file: the writer commits without a sync, as the batches'
 * deferred connection does, and without the WAL hook that flushes after it (sqlite.c), so
 * that what a commit leaves held shows. */
static int open_pair(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "%s/log-%d.db", dir, ++serial);
	snprintf(log_path, sizeof(log_path), "%s-wal", path);
	writer = open_conn();
	exec(writer, "PRAGMA synchronous=NORMAL;"
		     "CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, body BLOB);"
		     "CREATE INDEX t_k ON t (k)");
	reader = open_conn();
	return 0;
}

static int close_pair(void **state)
{
	(void)state;
	sqlite3_close(reader);
	sqlite3_close(writer);
	unlink(path);
	unlink(log_path);
	char shm[640];
	snprintf(shm, sizeof(shm), "%s-shm", path);
	unlink(shm);
	return 0;
}

/* h's log holds nothing: writing out what it holds writes nothing */
static void nothing_held(sqlite3 *h)
{
	unsigned long long runs0, bytes0, runs1, bytes1;
	db_log_runs(&runs0, &bytes0);
	assert_int_equal(sq_log_flush(h), SQLITE_OK);
	db_log_runs(&runs1, &bytes1);
	assert_true(runs1 == runs0 && bytes1 == bytes0);
}

/* n rows of `size` random bytes each, keys spread so the index takes pages of its own */
static void insert_rows(sqlite3 *h, int n, int size)
{
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %d)"
		 " INSERT INTO t (k, body) SELECT abs(random()) %% 100000, randomblob(%d) FROM c",
		 n, size);
	exec(h, sql);
}

static int64_t log_size(void)
{
	struct stat st;
	return stat(log_path, &st) == 0 ? (int64_t)st.st_size : 0;
}

/* Commits of 1 to about 60 pages, each read at once by the other connection: had a commit's
 * last run still been held when SQLite published it, the reader would find its pages missing
 * from the file (a malformed page, or rows without their bodies). */
static void commits_visible_at_once(void **state)
{
	(void)state;
	int64_t rows = 0, bytes = 0;
	srand(7);
	for (int i = 0; i < 200; i++) {
		int n = 1 + rand() % 150, size = 100 + rand() % 1500;
		unsigned long long runs0, bytes0, runs1, bytes1;
		db_log_runs(&runs0, &bytes0);
		int64_t before = log_size();
		exec(writer, "BEGIN");
		insert_rows(writer, n, size);
		exec(writer, "COMMIT");
		db_log_runs(&runs1, &bytes1);
		nothing_held(writer); /* its last run went out with the commit frame */
		rows += n;
		bytes += (int64_t)n * size;
		assert_int_equal(int1(reader, "SELECT count(*) FROM t"), rows);
		assert_int_equal(int1(reader, "SELECT sum(length(body)) FROM t"), bytes);
		assert_int_equal(int1(reader, "SELECT count(*) FROM t INDEXED BY t_k WHERE k >= 0"),
				 rows);
		/* in runs: what the commit added to the log, in a few writes, not two a page */
		int64_t grew = log_size() - before;
		assert_true(grew > 0 && grew % FRAME_BYTES == 0);
		assert_int_equal((int64_t)(bytes1 - bytes0), grew);
		int64_t frames = grew / FRAME_BYTES;
		unsigned long long most = (unsigned long long)(grew / SQ_LOG_RUN_BYTES) + 2;
		if (runs1 - runs0 > most || runs1 - runs0 < 1)
			fail_msg("commit %d: %lld frames in %llu writes (at most %llu)", i,
				 (long long)frames, runs1 - runs0, most);
	}
	integrity_ok(reader);
}

/* One commit of 40 MB, about 340 runs each as large as they come: none may reach the 128 KB
 * the default VFS would take for a full disk. Nothing held after it; then the log copied into
 * the file. */
static void large_commit(void **state)
{
	(void)state;
	exec(writer, "BEGIN");
	insert_rows(writer, 20000, 2000);
	exec(writer, "COMMIT");
	assert_int_equal(int1(reader, "SELECT count(*) FROM t"), 20000);
	assert_int_equal(int1(reader, "SELECT sum(length(body)) FROM t"), 40000000);
	nothing_held(writer);
	exec(writer, "PRAGMA wal_checkpoint(TRUNCATE)");
	assert_int_equal(log_size(), 0);
	assert_int_equal(int1(writer, "SELECT count(*) FROM t"), 20000);
}

/* n rows of `size` bytes in one transaction while the file may grow only `room` bytes past the
 * log's size (RLIMIT_FSIZE, the process's limit): SQLite's result. */
static int commit_without_room(int n, int size, int64_t room)
{
	void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
	struct rlimit was, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
	lim = was;
	lim.rlim_cur = (rlim_t)(log_size() + room);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "BEGIN; WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < "
		 "%d)"
		 " INSERT INTO t (k, body) SELECT i, randomblob(%d) FROM c; COMMIT",
		 n, size);
	int rc = sqlite3_exec(writer, sql, NULL, NULL, NULL);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
	signal(SIGXFSZ, old);
	if (!sqlite3_get_autocommit(writer))
		exec(writer, "ROLLBACK");
	return rc;
}

/* Commits that cannot be written: one of three rows (its one run is the commit frame's, which must
 * fail the commit, not wait for the barrier where a failure can only be kept) and one of 2 MB (a
 * run fails on the way). Each fails; the rows committed before stay, the file is whole, and once
 * the limit is lifted the same connection commits again. */
static void failed_run_fails_commit(void **state)
{
	(void)state;
	exec(writer, "BEGIN");
	insert_rows(writer, 100, 500);
	exec(writer, "COMMIT");
	/* the small one first: the large one leaves the file longer than the log */
	assert_int_not_equal(commit_without_room(3, 500, 1024), SQLITE_OK);
	assert_int_equal(int1(reader, "SELECT count(*) FROM t"), 100);
	assert_int_not_equal(commit_without_room(1000, 2000, 64 * 1024), SQLITE_OK);
	assert_int_equal(int1(reader, "SELECT count(*) FROM t"), 100);
	sqlite3 *fresh = open_conn();
	assert_int_equal(int1(fresh, "SELECT count(*) FROM t"), 100);
	integrity_ok(fresh);
	sqlite3_close(fresh);
	exec(writer, "BEGIN");
	insert_rows(writer, 10, 100);
	exec(writer, "COMMIT");
	assert_int_equal(int1(reader, "SELECT count(*) FROM t"), 110);
}

/* A statement larger than the writer's page cache spills pages into the log and is refused at
 * its last row, so SQLite rolls it back, and the other connection commits frames at the same
 * place in the log. Held bytes of the spill written after that, at the writer's next use of
 * the log, would land on the other's commit: nothing may be held once the writer let the log
 * go. (SQLite 3.40's rollback reads the log while it still holds it, which writes out what is
 * held; the release of the lock writes it out whatever SQLite does first.) */
static void spill_then_rollback(void **state)
{
	(void)state;
	exec(writer, "BEGIN");
	insert_rows(writer, 9, 100);
	exec(writer, "INSERT INTO t (k, body) VALUES (1, zeroblob(100))");
	exec(writer, "COMMIT");
	exec(writer, "PRAGMA cache_size=10; CREATE UNIQUE INDEX IF NOT EXISTS t_u ON t (k, body)");
	/* about 600 pages through a cache of 10, refused at its last row: rolled back by SQLite */
	int rc = sqlite3_exec(
		writer,
		"WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c"
		" WHERE i < 3000) INSERT INTO t (k, body) SELECT CASE WHEN i < 3000 THEN"
		" i ELSE 1 END, CASE WHEN i < 3000 THEN randomblob(700) ELSE"
		" zeroblob(100) END FROM c",
		NULL, NULL, NULL);
	assert_int_equal(rc, SQLITE_CONSTRAINT);
	nothing_held(writer);
	exec(reader, "BEGIN");
	insert_rows(reader, 400, 300);
	exec(reader, "COMMIT");
	assert_int_equal(int1(writer, "SELECT count(*) FROM t"),
			 410); /* the writer reads the log */
	assert_int_equal(int1(writer, "SELECT sum(length(body)) FROM t"), 10 * 100 + 400 * 300);
	sqlite3 *fresh = open_conn();
	assert_int_equal(int1(fresh, "SELECT count(*) FROM t"), 410);
	assert_int_equal(int1(fresh, "SELECT sum(length(body)) FROM t"), 10 * 100 + 400 * 300);
	integrity_ok(fresh);
	sqlite3_close(fresh);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, open_pair, close_pair)

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/tiejian-log-%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
	if (sq_log_vfs_register() != SQLITE_OK || mkdir(dir, 0700) != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		TEST(commits_visible_at_once),
		TEST(large_commit),
		TEST(spill_then_rollback),
		TEST(failed_run_fails_commit),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return failed;
}
