/* test_audit.c: the append-only audit log: rows inside transactions, the SM3 hash chain,
 * audit_verify on an intact log and on one edited behind the triggers' back, masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "app/module.h"
#include "audit/audit.h"
#include "db/migrate.h"
#include "lib/log.h"

static const char ZEROS[] = "0000000000000000000000000000000000000000000000000000000000000000";

static struct db *db;

/* A fresh in-memory database with the real schema of every module. */
static int open_db(void **state)
{
	(void)state;
	log_set_level((enum log_level)(LOG_ERROR + 1)); /* refusals tested below log */
	char err[256];
	if (db_open(":memory:", &db, err, sizeof(err)) != ST_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	struct migration_set sets[64];
	size_t n = 0;
	for (size_t i = 0; i < app_nmodules && n < 64; i++)
		if (app_modules[i]->migrations)
			sets[n++] = (struct migration_set){ app_modules[i]->name,
							    app_modules[i]->migrations };
	if (migrate_apply(db, sets, n, NULL) != ST_OK) {
		fprintf(stderr, "%s\n", db_errmsg(db));
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

#define TEST(f) cmocka_unit_test_setup_teardown(f, open_db, close_db)

static const struct audit_actor alice = { 7, "alice", "/1/2/", "10.1.2.3", "req-1" };
static const struct audit_actor nobody = { 0, "guess", NULL, "10.9.9.9", NULL };
static const struct audit_actor cli = { 0, "cli", NULL, NULL, NULL };

static const struct sql SQL_COUNT = SQL("SELECT COUNT(*) FROM audit_log");
static const struct sql SQL_ROWS =
	SQL("SELECT id, prev_hash, hash, user_id, entity_id, result, summary, username, ip"
	    " FROM audit_log ORDER BY id");

static int64_t count_rows(void)
{
	int64_t n = -1;
	assert_int_equal(db_int1(db, &SQL_COUNT, DB_NOARGS, &n), ST_OK);
	return n;
}

/* Five rows in one transaction, of several kinds of actor. */
static void append_five(void)
{
	assert_int_equal(db_begin(db), ST_OK);
	assert_int_equal(audit_append(db, &alice, 1767225600, "org", 42, "create",
				      json_pack("{s:s, s:i}", "name", "龙沙区工信局", "sort", 3),
				      true),
			 ST_OK);
	assert_int_equal(audit_append(db, &nobody, 1767225601, "session", 0, "login", NULL, false),
			 ST_OK);
	assert_int_equal(audit_append(db, &cli, 1767225602, "user", 9, "add",
				      json_pack("{s:s}", "role", "sysadmin"), true),
			 ST_OK);
	assert_int_equal(audit_append(db, &alice, 1767225603, "org", 42, "update",
				      json_pack("{s:{s:s, s:s}}", "name", "from", "a", "to", "b"),
				      true),
			 ST_OK);
	assert_int_equal(audit_append(db, &alice, 1767225604, "user", 9, "disable", NULL, true),
			 ST_OK);
	assert_int_equal(db_commit(db), ST_OK);
}

static void expect_intact(int64_t rows)
{
	struct audit_verify_result v;
	enum status st = audit_verify(db, &v);
	if (st != ST_OK)
		fail_msg("verify: status %d, row %lld: %s", (int)st, (long long)v.broken_id,
			 v.reason);
	assert_int_equal(v.rows, rows);
	assert_int_equal(v.broken_id, 0);
	assert_string_equal(v.reason, "");
	assert_int_equal(strlen(v.last_hash), 64);
}

static void expect_broken(int64_t rows, int64_t broken_id, const char *reason_part)
{
	struct audit_verify_result v;
	enum status st = audit_verify(db, &v);
	if (st != ST_CONFLICT || v.broken_id != broken_id)
		fail_msg("verify: status %d, broken row %lld (%s); want row %lld", (int)st,
			 (long long)v.broken_id, v.reason, (long long)broken_id);
	assert_int_equal(v.rows, rows); /* the whole log is walked */
	if (!strstr(v.reason, reason_part))
		fail_msg("reason \"%s\" does not say \"%s\"", v.reason, reason_part);
}

static bool lower_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* ---- appending --------------------------------------------------------------------------- */

static void append_outside_transaction_refused(void **state)
{
	(void)state;
	/* The summary is taken either way (ASan's leak check would see it otherwise). */
	assert_int_equal(audit_append(db, &alice, 1, "org", 1, "create",
				      json_pack("{s:s}", "name", "x"), true),
			 ST_INTERNAL);
	assert_int_equal(audit_append(db, &alice, 1, "org", 1, "create", NULL, true), ST_INTERNAL);
	assert_int_equal(count_rows(), 0);
	expect_intact(0);
	/* Rolled back with its transaction: nothing stays and the chain starts over. */
	assert_int_equal(db_begin(db), ST_OK);
	assert_int_equal(audit_append(db, &alice, 1, "org", 1, "create", NULL, true), ST_OK);
	assert_int_equal(count_rows(), 1);
	db_rollback(db);
	assert_int_equal(count_rows(), 0);
	append_five();
	expect_intact(5);
}

static void hashes_chain(void **state)
{
	(void)state;
	struct audit_verify_result v;
	assert_int_equal(audit_verify(db, &v), ST_OK); /* an empty log */
	assert_int_equal(v.rows, 0);
	assert_string_equal(v.last_hash, ZEROS);

	append_five();
	/* A second transaction continues the chain. */
	assert_int_equal(db_begin(db), ST_OK);
	assert_int_equal(audit_append(db, &cli, 1767225700, "system", 0, "backup", NULL, true),
			 ST_OK);
	assert_int_equal(db_commit(db), ST_OK);

	char prev[65], hashes[6][65];
	snprintf(prev, sizeof(prev), "%s", ZEROS);
	struct db_res *r = db_query(db, &SQL_ROWS, DB_NOARGS);
	int n = 0;
	while (db_next(r)) {
		assert_int_equal(db_col_int(r, 0), n + 1);
		assert_string_equal(db_col_text(r, 1), prev);
		const char *h = db_col_text(r, 2);
		assert_true(lower_hex64(h));
		for (int k = 0; k < n; k++)
			assert_string_not_equal(hashes[k], h);
		snprintf(hashes[n], sizeof(hashes[n]), "%s", h);
		snprintf(prev, sizeof(prev), "%s", h);
		n++;
	}
	assert_int_equal(db_done(r), ST_OK);
	assert_int_equal(n, 6);

	assert_int_equal(audit_verify(db, &v), ST_OK);
	assert_int_equal(v.rows, 6);
	assert_int_equal(v.broken_id, 0);
	assert_string_equal(v.last_hash, hashes[5]);
}

/* What the rows hold: NULL for no user or no entity, failure, the summary as sorted JSON. */
static void row_contents(void **state)
{
	(void)state;
	append_five();
	struct db_res *r = db_query(db, &SQL_ROWS, DB_NOARGS);
	assert_true(db_next(r)); /* alice creates org 42 */
	assert_int_equal(db_col_int(r, 3), 7);
	assert_int_equal(db_col_int(r, 4), 42);
	assert_string_equal(db_col_text(r, 5), "success");
	assert_string_equal(db_col_text(r, 6), "{\"name\":\"龙沙区工信局\",\"sort\":3}");
	assert_string_equal(db_col_text(r, 7), "alice");
	assert_true(db_next(r)); /* a failed login by nobody */
	assert_true(db_col_null(r, 3));
	assert_true(db_col_null(r, 4));
	assert_string_equal(db_col_text(r, 5), "failure");
	assert_string_equal(db_col_text(r, 6), "{}");
	assert_string_equal(db_col_text(r, 7), "guess");
	assert_true(db_next(r)); /* the command line: no address */
	assert_true(db_col_null(r, 8));
	assert_int_equal(db_done(r), ST_OK);
}

/* The triggers keep the log append-only. */
static void triggers_refuse_changes(void **state)
{
	(void)state;
	append_five();
	static const struct sql upd = SQL("UPDATE audit_log SET action = 'x' WHERE id = 2");
	static const struct sql del = SQL("DELETE FROM audit_log WHERE id = 5");
	static const struct sql del_all = SQL("DELETE FROM audit_log");
	assert_int_equal(db_exec(db, &upd, DB_NOARGS, NULL), ST_CONFLICT);
	assert_non_null(strstr(db_errmsg(db), "append-only"));
	assert_int_equal(db_exec(db, &del, DB_NOARGS, NULL), ST_CONFLICT);
	assert_int_equal(db_exec(db, &del_all, DB_NOARGS, NULL), ST_CONFLICT);
	assert_int_equal(count_rows(), 5);
	expect_intact(5);
}

/* ---- tampering (triggers dropped, as someone with the database file could) --------------- */

static void drop_triggers(void)
{
	if (db_exec_script(db, "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete",
			   NULL) != ST_OK)
		fail_msg("cannot drop the triggers: %s", db_errmsg(db));
}

/* Every column of row 3 edited in turn, each in a fresh log: found, and row 3 named. */
static void every_edited_column_found(void **state)
{
	(void)state;
	static const struct {
		struct sql edit;
		const char *reason;
	} cases[] = {
		{ SQL("UPDATE audit_log SET at = at + 1 WHERE id = 3"), "edited" },
		{ SQL("UPDATE audit_log SET user_id = 5 WHERE id = 3"), "edited" },
		{ SQL("UPDATE audit_log SET username = 'mallory' WHERE id = 3"), "edited" },
		{ SQL("UPDATE audit_log SET username = NULL WHERE id = 3"), "edited" },
		{ SQL("UPDATE audit_log SET org_path = '/1/' WHERE id = 3"), "edited" },
		{ SQL("UPDATE audit_log SET ip = '' WHERE id = 3"), "edited" }, /* NULL -> "" */
		{ SQL("UPDATE audit_log SET request_id = 'req-9' WHERE id = 3"), "edited" },
		{ SQL("UPDATE audit_log SET entity = 'org' WHERE id = 3"), "edited" },
		{ SQL("UPDATE audit_log SET entity_id = 10 WHERE id = 3"), "edited" },
		{ SQL("UPDATE audit_log SET entity_id = NULL WHERE id = 3"), "edited" },
		{ SQL("UPDATE audit_log SET action = 'delete' WHERE id = 3"), "edited" },
		{ SQL("UPDATE audit_log SET summary = '{\"role\":\"auditor\"}' WHERE id = 3"),
		  "edited" },
		{ SQL("UPDATE audit_log SET summary = summary || ' ' WHERE id = 3"), "edited" },
		{ SQL("UPDATE audit_log SET result = 'failure' WHERE id = 3"), "edited" },
		{ SQL("UPDATE audit_log SET hash = prev_hash WHERE id = 3"), "edited" },
		{ SQL("UPDATE audit_log SET hash = upper(hash) WHERE id = 3"), "edited" },
		{ SQL("UPDATE audit_log SET prev_hash = '" /* a well-formed but wrong hash */
		      "1111111111111111111111111111111111111111111111111111111111111111' WHERE id "
		      "= 3"),
		  "prev_hash" },
		{ SQL("UPDATE audit_log SET prev_hash = 'not hex' WHERE id = 3"), "prev_hash" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (i)
			assert_int_equal(open_db(NULL), 0);
		append_five();
		expect_intact(5);
		drop_triggers();
		int64_t changes = 0;
		assert_int_equal(db_exec(db, &cases[i].edit, DB_NOARGS, &changes), ST_OK);
		assert_int_equal(changes, 1);
		struct audit_verify_result v;
		enum status st = audit_verify(db, &v);
		if (st != ST_CONFLICT || v.broken_id != 3 || !strstr(v.reason, cases[i].reason))
			fail_msg("<%s>: status %d, row %lld, reason \"%s\"", cases[i].edit.sqlite,
				 (int)st, (long long)v.broken_id, v.reason);
		assert_int_equal(v.rows, 5);
		close_db(NULL);
	}
	assert_int_equal(open_db(NULL), 0); /* for the teardown */
}

/* A row overwritten with another row's content and hash, and two rows swapped whole. */
static void copied_and_swapped_rows_found(void **state)
{
	(void)state;
	append_five();
	drop_triggers();
	/* Row 3 takes row 4's content and hash: the hash covers the id and the previous hash. */
	static const struct sql copy =
		SQL("UPDATE audit_log SET (at, user_id, username, org_path, ip, request_id, entity,"
		    " entity_id, action, summary, result, hash) = (SELECT at, user_id, username,"
		    " org_path, ip, request_id, entity, entity_id, action, summary, result, hash"
		    " FROM audit_log WHERE id = 4) WHERE id = 3");
	assert_int_equal(db_exec(db, &copy, DB_NOARGS, NULL), ST_OK);
	expect_broken(5, 3, "edited");
	/* Rows swapped wholesale (ids and all): found at the first one out of place. */
	close_db(NULL);
	assert_int_equal(open_db(NULL), 0);
	append_five();
	drop_triggers();
	assert_int_equal(db_exec_script(db,
					"UPDATE audit_log SET id = 102 WHERE id = 2;"
					"UPDATE audit_log SET id = 2 WHERE id = 4;"
					"UPDATE audit_log SET id = 4 WHERE id = 102",
					NULL),
			 ST_OK);
	expect_broken(5, 2, "prev_hash");
}

static void deleted_rows_found(void **state)
{
	(void)state;
	static const struct sql del3 = SQL("DELETE FROM audit_log WHERE id = 3");
	static const struct sql del1 = SQL("DELETE FROM audit_log WHERE id = 1");
	static const struct sql del23 = SQL("DELETE FROM audit_log WHERE id IN (2, 3)");
	static const struct sql del5 = SQL("DELETE FROM audit_log WHERE id = 5");

	append_five();
	drop_triggers();
	assert_int_equal(db_exec(db, &del3, DB_NOARGS, NULL), ST_OK);
	expect_broken(4, 4, "missing");
	struct audit_verify_result v;
	audit_verify(db, &v);
	assert_non_null(strstr(v.reason, "row 4 follows row 2"));

	close_db(NULL);
	assert_int_equal(open_db(NULL), 0);
	append_five();
	drop_triggers();
	assert_int_equal(db_exec(db, &del1, DB_NOARGS, NULL), ST_OK);
	expect_broken(4, 2, "missing");

	close_db(NULL);
	assert_int_equal(open_db(NULL), 0);
	append_five();
	drop_triggers();
	assert_int_equal(db_exec(db, &del23, DB_NOARGS, NULL), ST_OK);
	expect_broken(3, 4, "row 4 follows row 1");

	/* The last row deleted: the chain left is whole, but its head is not the one recorded. */
	close_db(NULL);
	assert_int_equal(open_db(NULL), 0);
	append_five();
	assert_int_equal(audit_verify(db, &v), ST_OK);
	char head[65];
	snprintf(head, sizeof(head), "%s", v.last_hash);
	drop_triggers();
	assert_int_equal(db_exec(db, &del5, DB_NOARGS, NULL), ST_OK);
	assert_int_equal(audit_verify(db, &v), ST_OK);
	assert_int_equal(v.rows, 4);
	assert_string_not_equal(v.last_hash, head);
	/* Appending goes on from what is there. */
	assert_int_equal(db_begin(db), ST_OK);
	assert_int_equal(audit_append(db, &alice, 9, "org", 1, "x", NULL, true), ST_OK);
	assert_int_equal(db_commit(db), ST_OK);
	expect_intact(5);
}

/* A row added by hand with a made-up hash. */
static void forged_row_found(void **state)
{
	(void)state;
	append_five();
	static const struct sql forge = SQL(
		"INSERT INTO audit_log (id, at, entity, action, summary, result, prev_hash, hash)"
		" SELECT 6, 1767225700, 'user', 'grant', '{}', 'success', hash, prev_hash"
		" FROM audit_log WHERE id = 5");
	assert_int_equal(db_exec(db, &forge, DB_NOARGS, NULL), ST_OK);
	expect_broken(6, 6, "edited");
}

/* ---- masking ----------------------------------------------------------------------------- */

static void secrets_masked(void **state)
{
	(void)state;
	json_error_t jerr;
	json_t *summary = json_loads(
		"{\"password\":\"p1\",\"new_password\":\"p2\",\"old_password\":\"p3\","
		"\"token\":\"t1\",\"api_token\":\"t2\",\"csrf_token\":\"t3\",\"secret\":\"s1\","
		"\"client_secret\":\"s2\",\"password_hash\":\"h1\","
		"\"Password\":\"p4\",\"newPassword\":\"p5\",\"API_TOKEN\":\"t4\","
		"\"ClientSecret\":\"s3\",\"tokens\":[\"t5\",\"t6\"],\"password_set\":null,"
		"\"must_change_password\":true,"
		"\"name\":\"keep\",\"count\":3,\"username\":\"zhang\","
		"\"nested\":{\"secret\":{\"deep\":1},\"ok\":\"keep\","
		" \"deeper\":{\"token\":\"t7\",\"list\":[{\"password\":\"p6\"},\"keep\"]}},"
		"\"list\":[{\"secret\":\"s4\",\"ok\":\"keep\"},\"keep\",[{\"token\":\"t8\"}]]}",
		0, &jerr);
	assert_non_null(summary);
	assert_int_equal(db_begin(db), ST_OK);
	assert_int_equal(audit_append(db, &alice, 1, "user", 9, "update", summary, true), ST_OK);
	assert_int_equal(db_commit(db), ST_OK);

	static const struct sql get = SQL("SELECT summary FROM audit_log WHERE id = 1");
	struct db_res *r = db_query(db, &get, DB_NOARGS);
	assert_true(db_next(r));
	const char *text = db_col_text(r, 0);
	/* No secret value anywhere in the stored text. */
	static const char *const secrets[] = { "p1", "p2", "p3", "p4", "p5", "p6",  "t1",
					       "t2", "t3", "t4", "t5", "t6", "t7",  "t8",
					       "s1", "s2", "s3", "s4", "h1", "deep" };
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		char quoted[16];
		snprintf(quoted, sizeof(quoted), "\"%s\"", secrets[i]);
		if (strstr(text, quoted))
			fail_msg("%s is in the audit log: %s", secrets[i], text);
	}
	json_t *got = json_loads(text, 0, &jerr);
	assert_non_null(got);
	assert_int_equal(db_done(r), ST_OK);
	static const char *const masked[] = {
		"password",    "new_password", "old_password",	"token",	 "api_token",
		"csrf_token",  "secret",       "client_secret", "password_hash", "Password",
		"newPassword", "API_TOKEN",    "ClientSecret",	"tokens",
	};
	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
		const char *v = json_string_value(json_object_get(got, masked[i]));
		if (!v || strcmp(v, "***") != 0)
			fail_msg("key %s is not masked: %s", masked[i], text);
	}
	/* Values that are not secrets stay; a null or a flag about a password hides nothing. */
	assert_true(json_is_null(json_object_get(got, "password_set")));
	assert_true(json_is_true(json_object_get(got, "must_change_password")));
	assert_string_equal(json_string_value(json_object_get(got, "name")), "keep");
	assert_string_equal(json_string_value(json_object_get(got, "username")), "zhang");
	assert_int_equal(json_integer_value(json_object_get(got, "count")), 3);
	json_t *nested = json_object_get(got, "nested");
	assert_string_equal(json_string_value(json_object_get(nested, "secret")), "***");
	assert_string_equal(json_string_value(json_object_get(nested, "ok")), "keep");
	json_t *deeper = json_object_get(nested, "deeper");
	assert_string_equal(json_string_value(json_object_get(deeper, "token")), "***");
	json_t *dl = json_object_get(deeper, "list");
	assert_string_equal(json_string_value(json_object_get(json_array_get(dl, 0), "password")),
			    "***");
	assert_string_equal(json_string_value(json_array_get(dl, 1)), "keep");
	json_t *list = json_object_get(got, "list");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "secret")),
			    "***");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "ok")),
			    "keep");
	assert_string_equal(json_string_value(json_array_get(list, 1)), "keep");
	json_t *inner = json_array_get(json_array_get(list, 2), 0);
	assert_string_equal(json_string_value(json_object_get(inner, "token")), "***");
	json_decref(got);
	/* The masked text is what the hash covers. */
	expect_intact(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(append_outside_transaction_refused),
		TEST(hashes_chain),
		TEST(row_contents),
		TEST(triggers_refuse_changes),
		TEST(every_edited_column_found),
		TEST(copied_and_swapped_rows_found),
		TEST(deleted_rows_found),
		TEST(forged_row_found),
		TEST(secrets_masked),
	};
	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
