/* audit_sql.c: every statement of the audit log, and its migrations. */
#include "audit/audit_sql.h"

const struct migration audit_migrations[] = {
	{1,
	 "CREATE TABLE audit_log ("
	 " id BIGINT PRIMARY KEY,"
	 " at BIGINT NOT NULL,"
	 " user_id BIGINT,"
	 " username TEXT,"
	 " org_path TEXT,"
	 " ip TEXT,"
	 " request_id TEXT,"
	 " entity TEXT NOT NULL,"
	 " entity_id BIGINT,"
	 " action TEXT NOT NULL,"
	 " summary TEXT NOT NULL,"
	 " result TEXT NOT NULL,"
	 " prev_hash TEXT NOT NULL,"
	 " hash TEXT NOT NULL);"
	 "CREATE INDEX audit_log_at ON audit_log (at);"
	 "CREATE INDEX audit_log_user ON audit_log (username, id);"
	 "CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);"
	 "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
	 " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
	 "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
	 " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
	 /* PostgreSQL: the same table; the refusal is a trigger function (TRUNCATE too). */
	 "CREATE TABLE audit_log ("
	 " id BIGINT PRIMARY KEY,"
	 " at BIGINT NOT NULL,"
	 " user_id BIGINT,"
	 " username TEXT,"
	 " org_path TEXT,"
	 " ip TEXT,"
	 " request_id TEXT,"
	 " entity TEXT NOT NULL,"
	 " entity_id BIGINT,"
	 " action TEXT NOT NULL,"
	 " summary TEXT NOT NULL,"
	 " result TEXT NOT NULL,"
	 " prev_hash TEXT NOT NULL,"
	 " hash TEXT NOT NULL);"
	 "CREATE INDEX audit_log_at ON audit_log (at);"
	 "CREATE INDEX audit_log_user ON audit_log (username, id);"
	 "CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);"
	 "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS"
	 " $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;"
	 "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log"
	 " FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();"
	 "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
	 " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();"},
	{0, NULL, NULL},
};

/* Writers are serialized: SQLite's BEGIN IMMEDIATE already is; PostgreSQL takes a lock. */
const struct sql SQL_AUDIT_LOCK = SQL2("SELECT 1", "SELECT pg_advisory_xact_lock(7310002)");
const struct sql SQL_AUDIT_HEAD = SQL("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
const struct sql SQL_AUDIT_INSERT =
	SQL("INSERT INTO audit_log (id, at, user_id, username, org_path, ip, request_id, entity,"
	    " entity_id, action, summary, result, prev_hash, hash)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)");
const struct sql SQL_AUDIT_WALK =
	SQL("SELECT id, at, user_id, username, org_path, ip, request_id, entity, entity_id, action,"
	    " summary, result, prev_hash, hash FROM audit_log ORDER BY id");

/* The audit admin's query: every filter optional ($6.. NULL = no filter), scoped. Rows of no
 * org (tries at unknown usernames, the command line, the demo) are shown to every audit reader:
 * a scope would hide them from everyone. */
#define AUDIT_FILTER                                                                               \
	" FROM audit_log a WHERE (a.org_path IS NULL OR "                                          \
	SCOPE_PRED("a.org_path", "NULL", "a.user_id", "NULL") ")"                                   \
	" AND (CAST($6 AS TEXT) IS NULL OR a.username = $6)"                                       \
	" AND (CAST($7 AS TEXT) IS NULL OR a.entity = $7)"                                         \
	" AND (CAST($8 AS TEXT) IS NULL OR a.action = $8)"                                         \
	" AND (CAST($9 AS TEXT) IS NULL OR a.result = $9)"                                         \
	" AND (CAST($10 AS BIGINT) IS NULL OR a.at >= $10)"                                        \
	" AND (CAST($11 AS BIGINT) IS NULL OR a.at < $11)"                                         \
	" AND (CAST($12 AS BIGINT) IS NULL OR a.entity_id = $12)"
const struct sql SQL_AUDIT_LIST =
	SQL("SELECT a.id, a.at, a.user_id, a.username, a.ip, a.request_id, a.entity, a.entity_id,"
	    " a.action, a.summary, a.result" AUDIT_FILTER
	    " ORDER BY a.id DESC LIMIT $13 OFFSET $14");
const struct sql SQL_AUDIT_COUNT = SQL("SELECT COUNT(*)" AUDIT_FILTER);
