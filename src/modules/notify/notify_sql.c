/* notify_sql.c: the inbox, the webhook and its outbox: tables and statements. */
#include "modules/notify/notify_sql.h"

#define PEOPLE_BUMP(name, event, table) MIGRATION_VERSION_BUMP("people_version", name, event, table)

/* The outbox's columns between its notification and its delivery (migrations 1 and 3). */
#define NOTIFY_OUTBOX_COLUMNS                                                                      \
	" kind TEXT NOT NULL,"                                                                     \
	" body TEXT NOT NULL,"                                                                     \
	" status TEXT NOT NULL DEFAULT 'pending'"                                                  \
	" CHECK (status IN ('pending','delivered','failed')),"                                     \
	" attempts INTEGER NOT NULL DEFAULT 0,"                                                    \
	" next_at BIGINT NOT NULL,"                                                                \
	" last_status INTEGER,"                                                                    \
	" last_error TEXT,"                                                                        \
	" created_at BIGINT NOT NULL,"
#define NOTIFY_MESSAGES_TABLE                                                                      \
	"CREATE TABLE notify_messages ("                                                           \
	" id @ID@,"                                                                                \
	" kind TEXT NOT NULL,"                                                                     \
	" title TEXT NOT NULL,"                                                                    \
	" body TEXT,"                                                                              \
	" entity TEXT,"                                                                            \
	" entity_id BIGINT,"                                                                       \
	" created_at BIGINT NOT NULL);"
#define NOTIFY_MESSAGES_FROM_OLD                                                                   \
	"INSERT INTO notify_messages (id, kind, title, body, entity, entity_id, created_at)"       \
	" SELECT id, kind, title, body, entity, entity_id, created_at FROM notifications;"
/* The new inbox beside the old, filled, then in its place; the unread counted from it. */
#define NOTIFY_INBOX_TABLE(options)                                                                \
	"CREATE TABLE notify_inbox ("                                                              \
	" user_id BIGINT NOT NULL REFERENCES users(id),"                                           \
	" id BIGINT NOT NULL REFERENCES notify_messages(id),"                                      \
	" read_at BIGINT,"                                                                         \
	" PRIMARY KEY (user_id, id))" options ";"
#define NOTIFY_INBOX_FROM_OLD                                                                      \
	"INSERT INTO notify_inbox (user_id, id, read_at)"                                          \
	" SELECT user_id, id, read_at FROM notifications;"                                         \
	"DROP TABLE notifications;"                                                                \
	"ALTER TABLE notify_inbox RENAME TO notifications;"
/* SQLite: the user's id the row's own key (INTEGER PRIMARY KEY), one b-tree. */
#define NOTIFY_UNREAD_TABLE(key)                                                                   \
	"CREATE TABLE notify_unread ("                                                             \
	" user_id " key " PRIMARY KEY REFERENCES users(id),"                                       \
	" n BIGINT NOT NULL);"                                                                     \
	"INSERT INTO notify_unread (user_id, n) SELECT user_id, COUNT(*) FROM notifications"       \
	" WHERE read_at IS NULL GROUP BY user_id;"

#define NOTIFY_DESK_TABLES(options, key)                                                           \
	"CREATE TABLE notify_desks ("                                                              \
	" perm TEXT NOT NULL,"                                                                     \
	" org_id BIGINT NOT NULL," /* at or above the org told; 0: holders of every org */        \
	" id BIGINT NOT NULL REFERENCES notify_messages(id),"                                      \
	" target BIGINT NOT NULL," /* the org told */                                              \
	" except_user BIGINT NOT NULL," /* who acted, not told; 0: nobody */                       \
	" PRIMARY KEY (perm, org_id, id))" options ";"                                             \
	"CREATE TABLE notify_desk_reads ("                                                         \
	" user_id BIGINT NOT NULL REFERENCES users(id),"                                           \
	" id BIGINT NOT NULL REFERENCES notify_messages(id),"                                      \
	" read_at BIGINT NOT NULL,"                                                                \
	" PRIMARY KEY (user_id, id))" options ";"                                                  \
	"CREATE TABLE notify_desk_users ("                                                         \
	" user_id " key " PRIMARY KEY REFERENCES users(id),"                                       \
	" since BIGINT NOT NULL,"                                                                  \
	" read_upto BIGINT NOT NULL,"                                                              \
	" read_at BIGINT);"
#define NOTIFY_LAST_ID "(SELECT COALESCE(MAX(id), 0) FROM notify_messages)"
/* PostgreSQL: a trigger calls a function of its own. */
#define NOTIFY_DESK_SINCE_PG(name, column, on, when)                                               \
	"CREATE FUNCTION " name "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"                  \
	" INSERT INTO notify_desk_users (user_id, since, read_upto)"                               \
	" VALUES (NEW." column ", " NOTIFY_LAST_ID ", 0) ON CONFLICT (user_id) DO UPDATE"          \
	" SET since = EXCLUDED.since, read_upto = 0, read_at = NULL; RETURN NULL; END $$;"         \
	"CREATE TRIGGER " name " AFTER " on " FOR EACH ROW" when                                   \
	" EXECUTE FUNCTION " name "();"

const struct migration notify_migrations[] = {
	{1,
	 "CREATE TABLE notifications ("
	 " id @ID@,"
	 " user_id BIGINT NOT NULL REFERENCES users(id),"
	 " kind TEXT NOT NULL,"
	 " title TEXT NOT NULL,"
	 " body TEXT,"
	 " entity TEXT,"
	 " entity_id BIGINT,"
	 " created_at BIGINT NOT NULL,"
	 " read_at BIGINT);"
	 "CREATE INDEX notifications_user ON notifications (user_id, id);"
	 "CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;"
	 /* the one webhook: id is always 1 */
	 "CREATE TABLE notify_webhook ("
	 " id INTEGER PRIMARY KEY CHECK (id = 1),"
	 " url TEXT NOT NULL,"
	 " secret TEXT NOT NULL,"
	 " enabled INTEGER NOT NULL DEFAULT 0,"
	 " kinds TEXT NOT NULL DEFAULT '',"
	 " updated_at BIGINT NOT NULL,"
	 " updated_by TEXT);"
	 "CREATE TABLE notify_outbox ("
	 " id @ID@,"
	 " notification_id BIGINT REFERENCES notifications(id),"
	 NOTIFY_OUTBOX_COLUMNS
	 " delivered_at BIGINT);"
	 "CREATE INDEX notify_outbox_due ON notify_outbox (status, next_at);",
	 NULL},
	/* 2: a version of everything that decides who holds a permission where (users' org and
	 * status, their roles, the roles' scope and permissions, the org tree), so a server may keep
	 * the holders it looked up (notify_http.c, SQLite) until any of it changes, whichever server
	 * or tool wrote. The token tells one database from another. A later migration that rebuilds
	 * one of these tables (SQLite's way to change a constraint) must create its triggers again.
	 * PostgreSQL looks the holders up every time: the table only. */
	{2,
	 MIGRATION_VERSION_TABLE("people_version")
	 PEOPLE_BUMP("users_pv_ins", "INSERT", "users")
	 PEOPLE_BUMP("users_pv_upd", "UPDATE OF org_id, status", "users")
	 PEOPLE_BUMP("users_pv_del", "DELETE", "users")
	 PEOPLE_BUMP("user_roles_pv_ins", "INSERT", "user_roles")
	 PEOPLE_BUMP("user_roles_pv_upd", "UPDATE", "user_roles")
	 PEOPLE_BUMP("user_roles_pv_del", "DELETE", "user_roles")
	 PEOPLE_BUMP("roles_pv_ins", "INSERT", "roles")
	 PEOPLE_BUMP("roles_pv_upd", "UPDATE OF scope", "roles")
	 PEOPLE_BUMP("roles_pv_del", "DELETE", "roles")
	 PEOPLE_BUMP("role_perms_pv_ins", "INSERT", "role_perms")
	 PEOPLE_BUMP("role_perms_pv_upd", "UPDATE", "role_perms")
	 PEOPLE_BUMP("role_perms_pv_del", "DELETE", "role_perms")
	 PEOPLE_BUMP("orgs_pv_ins", "INSERT", "orgs")
	 PEOPLE_BUMP("orgs_pv_upd", "UPDATE OF path, status", "orgs")
	 PEOPLE_BUMP("orgs_pv_del", "DELETE", "orgs"),
	 MIGRATION_VERSION_TABLE_PG("people_version")},
	/* 3: a message once, however many are told (notify_messages), and a user's copy of it only
	 * its id and read state, in the user's order (notifications, WITHOUT ROWID on SQLite), with
	 * the unread kept counted per user (notify_unread). A filing told 13 desks in the bench's
	 * county: 13 rows of its title and body and 26 index entries on user_id before, 45 of the
	 * 142 pages a batch of filings wrote to the log. A notification keeps its id (the message's),
	 * and a delivery names its user. */
	{3,
	 NOTIFY_MESSAGES_TABLE
	 NOTIFY_MESSAGES_FROM_OLD
	 "CREATE TABLE notify_outbox_new ("
	 " id INTEGER PRIMARY KEY,"
	 " notification_id BIGINT REFERENCES notify_messages(id),"
	 NOTIFY_OUTBOX_COLUMNS
	 " delivered_at BIGINT,"
	 " user_id BIGINT REFERENCES users(id));"
	 "INSERT INTO notify_outbox_new SELECT x.id, x.notification_id, x.kind, x.body, x.status,"
	 " x.attempts, x.next_at, x.last_status, x.last_error, x.created_at, x.delivered_at,"
	 " n.user_id FROM notify_outbox x LEFT JOIN notifications n ON n.id = x.notification_id;"
	 "DROP TABLE notify_outbox;"
	 "ALTER TABLE notify_outbox_new RENAME TO notify_outbox;"
	 "CREATE INDEX notify_outbox_due ON notify_outbox (status, next_at);"
	 NOTIFY_INBOX_TABLE(" WITHOUT ROWID")
	 NOTIFY_INBOX_FROM_OLD
	 NOTIFY_UNREAD_TABLE("INTEGER"),
	 NOTIFY_MESSAGES_TABLE
	 NOTIFY_MESSAGES_FROM_OLD
	 "SELECT setval(pg_get_serial_sequence('notify_messages', 'id'),"
	 " COALESCE(MAX(id), 0) + 1, false) FROM notify_messages;"
	 "ALTER TABLE notify_outbox ADD COLUMN user_id BIGINT REFERENCES users(id);"
	 "UPDATE notify_outbox x SET user_id = n.user_id FROM notifications n"
	 " WHERE n.id = x.notification_id;"
	 "ALTER TABLE notify_outbox DROP CONSTRAINT notify_outbox_notification_id_fkey;"
	 "ALTER TABLE notify_outbox ADD CONSTRAINT notify_outbox_notification_id_fkey"
	 " FOREIGN KEY (notification_id) REFERENCES notify_messages(id);"
	 NOTIFY_INBOX_TABLE("")
	 NOTIFY_INBOX_FROM_OLD
	 NOTIFY_UNREAD_TABLE("BIGINT")},
	/* 4: desks. What a permission's holders over an org are told is written once and read by
	 * each holder (notify_http.c, "desks"): a key per org at or above the org told, and 0 for
	 * holders of every org, each the message's id under (permission, org), so a holder reads
	 * the keys of their own org (or 0) in id order. A filing told 13 desks in the bench's
	 * county: 13 copies and 13 unread counts before, 4 keys now. A holder's read marks are
	 * rows of their own; a read-all is a mark up to an id. Since: the last message when the
	 * user's roles or org last changed, so that nobody reads what was told before they held
	 * the desk, as when each holder had a copy. */
	{4,
	 NOTIFY_DESK_TABLES(" WITHOUT ROWID", "INTEGER")
	 "CREATE TRIGGER user_roles_desk_since AFTER INSERT ON user_roles BEGIN"
	 " INSERT OR REPLACE INTO notify_desk_users (user_id, since, read_upto)"
	 " VALUES (NEW.user_id, " NOTIFY_LAST_ID ", 0); END;"
	 "CREATE TRIGGER users_desk_since AFTER UPDATE OF org_id ON users"
	 " WHEN OLD.org_id IS NOT NEW.org_id BEGIN"
	 " INSERT OR REPLACE INTO notify_desk_users (user_id, since, read_upto)"
	 " VALUES (NEW.id, " NOTIFY_LAST_ID ", 0); END;",
	 NOTIFY_DESK_TABLES("", "BIGINT")
	 NOTIFY_DESK_SINCE_PG("user_roles_desk_since", "user_id", "INSERT ON user_roles", "")
	 NOTIFY_DESK_SINCE_PG("users_desk_since", "id", "UPDATE OF org_id ON users",
			      " WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id)")},
	{0, NULL, NULL},
};

const struct sql SQL_PEOPLE_VERSION =
	SQL("SELECT token, version FROM people_version WHERE id = 1");

/* ---- inbox ------------------------------------------------------------------------------- */

const struct sql SQL_NOTE_MESSAGE =
	SQL("INSERT INTO notify_messages (kind, title, body, entity, entity_id, created_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
/* Message $2 to the users whose ids are the JSON array $1 (each once), and their unread counted.
 * The rows go in the order json_each gives them: an ORDER BY sorted them in a temporary
 * b-tree. SQLite's upsert from a SELECT needs the WHERE to tell its ON from a join's. */
const struct sql SQL_NOTE_INSERT_MANY =
	SQL2("INSERT INTO notifications (user_id, id) SELECT value, $2 FROM json_each($1)",
	     "INSERT INTO notifications (user_id, id) SELECT CAST(j.v AS BIGINT), CAST($2 AS BIGINT)"
	     " FROM json_array_elements_text(CAST($1 AS JSON)) AS j(v)");
const struct sql SQL_NOTE_UNREAD_ADD =
	SQL2("INSERT INTO notify_unread (user_id, n) SELECT value, 1 FROM json_each($1) WHERE 1"
	     " ON CONFLICT (user_id) DO UPDATE SET n = n + 1",
	     "INSERT INTO notify_unread (user_id, n) SELECT CAST(j.v AS BIGINT), 1"
	     " FROM json_array_elements_text(CAST($1 AS JSON)) AS j(v)"
	     " ON CONFLICT (user_id) DO UPDATE SET n = notify_unread.n + 1");
const struct sql SQL_NOTE_UNREAD =
	SQL("SELECT COALESCE((SELECT n FROM notify_unread WHERE user_id = $1), 0)");
/* Marking read: the row, then the count by the rows it changed. */
const struct sql SQL_NOTE_READ =
	SQL("UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2"
	    " AND read_at IS NULL");
const struct sql SQL_NOTE_READ_ALL =
	SQL("UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL");
const struct sql SQL_NOTE_UNREAD_SUB =
	SQL("UPDATE notify_unread SET n = n - $2 WHERE user_id = $1");

/* ---- desks ------------------------------------------------------------------------------- */

/* A message's keys: (permission $1, org of the JSON array $5, message $2), the org told $3, who
 * acted $4. */
const struct sql SQL_DESK_KEYS =
	SQL2("INSERT INTO notify_desks (perm, org_id, id, target, except_user)"
	     " SELECT $1, value, $2, $3, $4 FROM json_each($5)",
	     "INSERT INTO notify_desks (perm, org_id, id, target, except_user)"
	     " SELECT $1, CAST(j.v AS BIGINT), CAST($2 AS BIGINT), CAST($3 AS BIGINT),"
	     " CAST($4 AS BIGINT) FROM json_array_elements_text(CAST($5 AS JSON)) AS j(v)");
const struct sql SQL_DESK_USER =
	SQL("SELECT since, read_upto, read_at FROM notify_desk_users WHERE user_id = $1");

/*
 * What a user reads of the desks (the parameters of every statement below): $1 the user; three
 * desks, each a permission, the key the user reads it by (their org, or 0 with a scope of every
 * org) and the org told (0: any; their org, with a scope of their org alone): $2-$4, $5-$7,
 * $8-$10, a permission '' for none; $11 since, $12 read up to, $13 when (each statement names
 * those it reads, in order: PostgreSQL types each). A desk's message is the user's when one of
 * the three holds it, after since, and the user did not act; it is read when marked, or at or
 * below read-up-to.
 */
#define DESK_ARM(p, o, t)                                                                          \
	"d.perm = $" #p " AND d.org_id = $" #o " AND ($" #t " = 0 OR d.target = $" #t ")"          \
	" AND d.id > $11 AND d.except_user <> $1"
#define DESK_UNREAD                                                                                \
	" AND d.id > $12 AND NOT EXISTS (SELECT 1 FROM notify_desk_reads r"                        \
	" WHERE r.user_id = $1 AND r.id = d.id)"
#define DESK_COUNT(p, o, t, more)                                                                  \
	"(SELECT COUNT(*) FROM notify_desks d WHERE " DESK_ARM(p, o, t) more ")"
#define DESK_LIST_ARM(p, o, t)                                                                     \
	" UNION ALL SELECT d.id,"                                                                  \
	" COALESCE(r.read_at, CASE WHEN d.id <= $12 THEN CAST($13 AS BIGINT) END)"                 \
	" FROM notify_desks d LEFT JOIN notify_desk_reads r ON r.user_id = $1 AND r.id = d.id"     \
	" WHERE " DESK_ARM(p, o, t) " AND ($14 = 0 OR (d.id > $12 AND r.id IS NULL))"

/* The inbox's page: the user's own copies and the desks' messages, one order over all four,
 * each read in its key's order ($14: 1 for unread only; $15 the page's size, $16 its offset). */
const struct sql SQL_NOTE_LIST =
	SQL("SELECT m.id, m.kind, m.title, m.body, m.entity, m.entity_id, m.created_at, x.read_at"
	    " FROM (SELECT n.id AS id, n.read_at AS read_at FROM notifications n"
	    " WHERE n.user_id = $1 AND ($14 = 0 OR n.read_at IS NULL)"
	    DESK_LIST_ARM(2, 3, 4) DESK_LIST_ARM(5, 6, 7) DESK_LIST_ARM(8, 9, 10)
	    " ORDER BY 1 DESC LIMIT $15 OFFSET $16) x JOIN notify_messages m ON m.id = x.id"
	    " ORDER BY x.id DESC");
const struct sql SQL_NOTE_COUNT =
	SQL("SELECT (SELECT COUNT(*) FROM notifications WHERE user_id = $1) + "
	    DESK_COUNT(2, 3, 4, "") " + " DESK_COUNT(5, 6, 7, "") " + " DESK_COUNT(8, 9, 10, ""));
const struct sql SQL_DESK_UNREAD =
	SQL("SELECT " DESK_COUNT(2, 3, 4, DESK_UNREAD) " + " DESK_COUNT(5, 6, 7, DESK_UNREAD)
	    " + " DESK_COUNT(8, 9, 10, DESK_UNREAD));
/* Whose message $12 is: 2 the user's own copy, 1 a desk's, 0 neither. */
const struct sql SQL_NOTE_MINE =
	SQL("SELECT CASE WHEN EXISTS (SELECT 1 FROM notifications WHERE id = $12 AND user_id = $1)"
	    " THEN 2 WHEN EXISTS (SELECT 1 FROM notify_desks d WHERE d.id = $12"
	    " AND ((" DESK_ARM(2, 3, 4) ") OR (" DESK_ARM(5, 6, 7) ") OR (" DESK_ARM(8, 9, 10) ")))"
	    " THEN 1 ELSE 0 END");
/* A desk's message $2 marked read for user $1 at $3, unless read already (at or below $4). */
const struct sql SQL_DESK_READ =
	SQL("INSERT INTO notify_desk_reads (user_id, id, read_at) SELECT CAST($1 AS BIGINT),"
	    " CAST($2 AS BIGINT), CAST($3 AS BIGINT) WHERE CAST($2 AS BIGINT) > CAST($4 AS BIGINT)"
	    " ON CONFLICT (user_id, id) DO NOTHING");
/* Read all: up to the last message there is, and the marks below it gone. */
const struct sql SQL_DESK_READ_ALL =
	SQL("INSERT INTO notify_desk_users (user_id, since, read_upto, read_at)"
	    " VALUES ($1, 0, " NOTIFY_LAST_ID ", $2) ON CONFLICT (user_id) DO UPDATE"
	    " SET read_upto = EXCLUDED.read_upto, read_at = EXCLUDED.read_at"
	    " RETURNING read_upto");
const struct sql SQL_DESK_READS_DROP =
	SQL("DELETE FROM notify_desk_reads WHERE user_id = $1 AND id <= $2");

/* Users holding a permission through a role whose scope covers the org ($3 id): the org's
 * ancestors and itself ($5..$12, the ids its path names, 0 where there are fewer) for a subtree
 * role, the org for an org role, anyone for an all role. Read from the orgs' users, not from
 * every holder of the permission: a province has thousands of them. */
const struct sql SQL_NOTE_PERM_HOLDERS_UP =
	SQL("SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id"
	    " JOIN roles r ON r.id = ur.role_id"
	    " JOIN role_perms rp ON rp.role_id = r.id AND rp.perm = $1"
	    " WHERE u.org_id IN ($3, $5, $6, $7, $8, $9, $10, $11, $12)"
	    " AND u.status = 'active' AND u.id <> $4"
	    " AND ((r.scope = 'subtree' AND u.org_id IN ($5, $6, $7, $8, $9, $10, $11, $12))"
	    " OR (r.scope = 'org' AND u.org_id = $3))"
	    " UNION SELECT ur.user_id FROM user_roles ur JOIN users u ON u.id = ur.user_id"
	    " WHERE ur.role_id IN (SELECT r.id FROM roles r JOIN role_perms rp ON rp.role_id = r.id"
	    " AND rp.perm = $1 WHERE r.scope = 'all') AND u.status = 'active' AND u.id <> $4"
	    " AND $2 <> ''" /* names $2, which PostgreSQL must type: a path is never empty */
	    " ORDER BY 1 LIMIT 200");
/* The same by path ($2), for an org deeper than the statement above names. */
const struct sql SQL_NOTE_PERM_HOLDERS =
	SQL("SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id"
	    " JOIN roles r ON r.id = ur.role_id"
	    " JOIN role_perms rp ON rp.role_id = r.id AND rp.perm = $1"
	    " JOIN orgs o ON o.id = u.org_id WHERE u.status = 'active' AND u.id <> $4"
	    " AND (r.scope = 'all' OR (r.scope = 'subtree' AND $2 LIKE o.path || '%')"
	    " OR (r.scope = 'org' AND u.org_id = $3)) ORDER BY u.id LIMIT 200");
const struct sql SQL_NOTE_ENTERPRISE_USERS =
	SQL("SELECT u.id FROM users u WHERE u.enterprise_id = $1 AND u.status = 'active'"
	    " AND u.id <> $2 ORDER BY u.id LIMIT 50");
const struct sql SQL_NOTE_USER =
	SQL("SELECT u.username, u.display_name, u.mobile, u.status FROM users u WHERE u.id = $1");

/* ---- webhook ------------------------------------------------------------------------------ */

const struct sql SQL_HOOK_GET =
	SQL("SELECT url, secret, enabled, kinds, updated_at, updated_by FROM notify_webhook"
	    " WHERE id = 1");
const struct sql SQL_HOOK_PUT =
	SQL("INSERT INTO notify_webhook (id, url, secret, enabled, kinds, updated_at, updated_by)"
	    " VALUES (1, $1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET url = $1,"
	    " secret = $2, enabled = $3, kinds = $4, updated_at = $5, updated_by = $6");
const struct sql SQL_OUTBOX_INSERT =
	SQL("INSERT INTO notify_outbox (notification_id, user_id, kind, body, status, attempts,"
	    " next_at, created_at) VALUES ($1, $5, $2, $3, 'pending', 0, $4, $4) RETURNING id");
const struct sql SQL_OUTBOX_DUE =
	SQL("SELECT id, body, attempts FROM notify_outbox WHERE status = 'pending'"
	    " AND next_at <= $1 ORDER BY next_at, id LIMIT $2");
const struct sql SQL_OUTBOX_DONE =
	SQL("UPDATE notify_outbox SET status = 'delivered', attempts = attempts + 1,"
	    " last_status = $2, last_error = NULL, delivered_at = $3 WHERE id = $1");
const struct sql SQL_OUTBOX_RETRY =
	SQL("UPDATE notify_outbox SET status = $2, attempts = attempts + 1, last_status = $3,"
	    " last_error = $4, next_at = $5 WHERE id = $1");
const struct sql SQL_OUTBOX_LIST =
	SQL("SELECT x.id, x.notification_id, x.kind, x.status, x.attempts, x.next_at,"
	    " x.last_status, x.last_error, x.created_at, x.delivered_at, u.display_name"
	    " FROM notify_outbox x LEFT JOIN users u ON u.id = x.user_id"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR x.status = $1) ORDER BY x.id DESC LIMIT $2 OFFSET $3");
const struct sql SQL_OUTBOX_COUNT =
	SQL("SELECT COUNT(*) FROM notify_outbox x WHERE (CAST($1 AS TEXT) IS NULL OR x.status = $1)");
const struct sql SQL_OUTBOX_REQUEUE =
	SQL("UPDATE notify_outbox SET status = 'pending', attempts = 0, next_at = $2 WHERE id = $1"
	    " AND status <> 'delivered'");
const struct sql SQL_OUTBOX_STATUS_COUNTS =
	SQL("SELECT status, COUNT(*) FROM notify_outbox GROUP BY status");
