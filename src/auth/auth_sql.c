/* auth_sql.c: every statement of authentication, and the tables of users, roles, sessions,
 * tokens and login throttling (with the built-in roles). */
#include "auth/auth_sql.h"

const struct migration auth_migrations[] = {
	{1,
	 "CREATE TABLE roles ("
	 " id @ID@,"
	 " code TEXT NOT NULL UNIQUE,"
	 " name TEXT NOT NULL,"
	 " scope TEXT NOT NULL CHECK (scope IN ('all','subtree','org','self','enterprise')),"
	 " admin_kind TEXT CHECK (admin_kind IN ('system','security','audit')),"
	 " builtin INTEGER NOT NULL DEFAULT 0,"
	 " created_at BIGINT NOT NULL);"
	 "CREATE TABLE role_perms ("
	 " role_id BIGINT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,"
	 " perm TEXT NOT NULL,"
	 " PRIMARY KEY (role_id, perm));"
	 "CREATE TABLE users ("
	 " id @ID@,"
	 " username TEXT NOT NULL UNIQUE,"
	 " display_name TEXT NOT NULL,"
	 " org_id BIGINT NOT NULL REFERENCES orgs(id),"
	 " enterprise_id BIGINT REFERENCES enterprises(id),"
	 " mobile TEXT,"
	 " password_hash TEXT NOT NULL,"
	 " must_change_password INTEGER NOT NULL DEFAULT 1,"
	 " status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),"
	 " failed_logins INTEGER NOT NULL DEFAULT 0,"
	 " locked_until BIGINT NOT NULL DEFAULT 0,"
	 " last_login_at BIGINT,"
	 " password_changed_at BIGINT,"
	 " created_at BIGINT NOT NULL,"
	 " updated_at BIGINT NOT NULL);"
	 "CREATE INDEX users_org ON users (org_id);"
	 "CREATE INDEX users_enterprise ON users (enterprise_id);"
	 "CREATE TABLE user_roles ("
	 " user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	 " role_id BIGINT NOT NULL REFERENCES roles(id),"
	 " PRIMARY KEY (user_id, role_id));"
	 "CREATE INDEX user_roles_role ON user_roles (role_id);"
	 "CREATE TABLE sessions ("
	 " id @ID@,"
	 " token_hash TEXT NOT NULL UNIQUE,"
	 " user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	 " csrf_token TEXT NOT NULL,"
	 " created_at BIGINT NOT NULL,"
	 " last_seen_at BIGINT NOT NULL,"
	 " ip TEXT,"
	 " user_agent TEXT);"
	 "CREATE INDEX sessions_user ON sessions (user_id);"
	 "CREATE INDEX sessions_seen ON sessions (last_seen_at);"
	 "CREATE TABLE api_tokens ("
	 " id @ID@,"
	 " user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	 " name TEXT NOT NULL,"
	 " token_hash TEXT NOT NULL UNIQUE,"
	 " created_at BIGINT NOT NULL,"
	 " expires_at BIGINT,"
	 " last_used_at BIGINT,"
	 " revoked_at BIGINT);"
	 "CREATE INDEX api_tokens_user ON api_tokens (user_id);"
	 "CREATE TABLE login_throttle ("
	 " ip TEXT PRIMARY KEY,"
	 " window_start BIGINT NOT NULL,"
	 " attempts INTEGER NOT NULL);"
	 /* the built-in roles: the three separated administrators, then the business roles */
	 "INSERT INTO roles (code, name, scope, admin_kind, builtin, created_at) VALUES"
	 " ('sysadmin', '系统管理员', 'subtree', 'system', 1, 0),"
	 " ('secadmin', '安全管理员', 'subtree', 'security', 1, 0),"
	 " ('auditadmin', '审计管理员', 'subtree', 'audit', 1, 0),"
	 " ('leader', '领导', 'subtree', NULL, 1, 0),"
	 " ('supervisor', '督查人员', 'subtree', NULL, 1, 0),"
	 " ('handler', '承办人', 'org', NULL, 1, 0),"
	 " ('cadre', '包联干部', 'subtree', NULL, 1, 0),"
	 " ('statistician', '统计员', 'subtree', NULL, 1, 0),"
	 " ('enterprise', '企业用户', 'enterprise', NULL, 1, 0);"
	 "INSERT INTO role_perms (role_id, perm) SELECT r.id, p.perm FROM roles r JOIN ("
	 " SELECT 'sysadmin' AS role, 'org.read' AS perm"
	 " UNION ALL SELECT 'sysadmin', 'org.write'"
	 " UNION ALL SELECT 'sysadmin', 'user.read'"
	 " UNION ALL SELECT 'sysadmin', 'user.write'"
	 " UNION ALL SELECT 'sysadmin', 'calendar.write'"
	 " UNION ALL SELECT 'secadmin', 'org.read'"
	 " UNION ALL SELECT 'secadmin', 'user.read'"
	 " UNION ALL SELECT 'secadmin', 'role.read'"
	 " UNION ALL SELECT 'secadmin', 'role.write'"
	 " UNION ALL SELECT 'auditadmin', 'audit.read'"
	 " UNION ALL SELECT 'leader', 'org.read'"
	 " UNION ALL SELECT 'leader', 'user.read'"
	 " UNION ALL SELECT 'leader', 'enterprise.read'"
	 " UNION ALL SELECT 'supervisor', 'org.read'"
	 " UNION ALL SELECT 'supervisor', 'enterprise.read'"
	 " UNION ALL SELECT 'handler', 'enterprise.read'"
	 " UNION ALL SELECT 'cadre', 'enterprise.read'"
	 " UNION ALL SELECT 'statistician', 'enterprise.read'"
	 " UNION ALL SELECT 'enterprise', 'enterprise.read'"
	 " UNION ALL SELECT 'enterprise', 'enterprise.write'"
	 ") p ON p.role = r.code;",
	 NULL},
	/* 2: the enterprise registry's permissions. Creating and importing enterprises are apart
	 * from editing them; exporting the register is its own right; enterprise.admin keeps the
	 * tag list and may accept a credit code that fails its check (with a recorded reason). */
	{2,
	 "INSERT INTO role_perms (role_id, perm) SELECT r.id, p.perm FROM roles r JOIN ("
	 " SELECT 'leader' AS role, 'enterprise.export' AS perm"
	 " UNION ALL SELECT 'handler', 'enterprise.write'"
	 " UNION ALL SELECT 'handler', 'enterprise.create'"
	 " UNION ALL SELECT 'handler', 'enterprise.import'"
	 " UNION ALL SELECT 'handler', 'enterprise.export'"
	 " UNION ALL SELECT 'cadre', 'enterprise.write'"
	 " UNION ALL SELECT 'cadre', 'enterprise.export'"
	 " UNION ALL SELECT 'statistician', 'enterprise.write'"
	 " UNION ALL SELECT 'statistician', 'enterprise.create'"
	 " UNION ALL SELECT 'statistician', 'enterprise.import'"
	 " UNION ALL SELECT 'statistician', 'enterprise.export'"
	 " UNION ALL SELECT 'statistician', 'enterprise.admin'"
	 ") p ON p.role = r.code WHERE r.builtin = 1"
	 " AND NOT EXISTS (SELECT 1 FROM role_perms x WHERE x.role_id = r.id AND x.perm = p.perm);",
	 NULL},
	/* 3: the liaison scope (本人包联企业) joins the scopes a role may have. SQLite cannot change
	 * a CHECK in place, so the three role tables are rebuilt (the renames carry the foreign
	 * keys of the new tables over to the new names); PostgreSQL replaces the constraint. */
	{3,
	 "CREATE TABLE roles_v3 ("
	 " id @ID@,"
	 " code TEXT NOT NULL UNIQUE,"
	 " name TEXT NOT NULL,"
	 " scope TEXT NOT NULL CHECK (scope IN ('all','subtree','org','self','enterprise','liaison')),"
	 " admin_kind TEXT CHECK (admin_kind IN ('system','security','audit')),"
	 " builtin INTEGER NOT NULL DEFAULT 0,"
	 " created_at BIGINT NOT NULL);"
	 "INSERT INTO roles_v3 (id, code, name, scope, admin_kind, builtin, created_at)"
	 " SELECT id, code, name, scope, admin_kind, builtin, created_at FROM roles;"
	 "CREATE TABLE role_perms_v3 ("
	 " role_id BIGINT NOT NULL REFERENCES roles_v3(id) ON DELETE CASCADE,"
	 " perm TEXT NOT NULL,"
	 " PRIMARY KEY (role_id, perm));"
	 "INSERT INTO role_perms_v3 (role_id, perm) SELECT role_id, perm FROM role_perms;"
	 "CREATE TABLE user_roles_v3 ("
	 " user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	 " role_id BIGINT NOT NULL REFERENCES roles_v3(id),"
	 " PRIMARY KEY (user_id, role_id));"
	 "INSERT INTO user_roles_v3 (user_id, role_id) SELECT user_id, role_id FROM user_roles;"
	 "DROP TABLE user_roles;"
	 "DROP TABLE role_perms;"
	 "DROP TABLE roles;"
	 "ALTER TABLE roles_v3 RENAME TO roles;"
	 "ALTER TABLE role_perms_v3 RENAME TO role_perms;"
	 "ALTER TABLE user_roles_v3 RENAME TO user_roles;"
	 "CREATE INDEX user_roles_role ON user_roles (role_id);",
	 "ALTER TABLE roles DROP CONSTRAINT roles_scope_check;"
	 "ALTER TABLE roles ADD CONSTRAINT roles_scope_check"
	 " CHECK (scope IN ('all','subtree','org','self','enterprise','liaison'));"},
	{0, NULL, NULL},
};

/* ---- sessions and tokens ---- */

#define PRINCIPAL_COLUMNS                                                                          \
	"u.id, u.username, u.display_name, u.org_id, u.enterprise_id, u.must_change_password,"     \
	" u.status, u.last_login_at, o.code, o.name, o.kind, o.path, e.name, o.region_code"
#define PRINCIPAL_JOINS                                                                            \
	" JOIN users u ON u.id = x.user_id JOIN orgs o ON o.id = u.org_id"                        \
	" LEFT JOIN enterprises e ON e.id = u.enterprise_id"

/* columns 0..13 the principal, then 14.. the session */
const struct sql SQL_SESSION_LOOKUP =
	SQL("SELECT " PRINCIPAL_COLUMNS ", x.id, x.csrf_token, x.created_at, x.last_seen_at"
	    " FROM sessions x" PRINCIPAL_JOINS " WHERE x.token_hash = $1");
const struct sql SQL_SESSION_TOUCH = SQL("UPDATE sessions SET last_seen_at = $2 WHERE id = $1");
const struct sql SQL_SESSION_DELETE = SQL("DELETE FROM sessions WHERE token_hash = $1");
const struct sql SQL_SESSION_DELETE_ID = SQL("DELETE FROM sessions WHERE id = $1");
const struct sql SQL_SESSION_INSERT =
	SQL("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, ip,"
	    " user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6) RETURNING id");
/* After a password change every other session of the user ends. */
const struct sql SQL_SESSION_DELETE_USER_EXCEPT =
	SQL("DELETE FROM sessions WHERE user_id = $1 AND id <> $2");
const struct sql SQL_SESSION_PURGE =
	SQL("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2");

/* columns 0..13 the principal, then 14.. the token */
const struct sql SQL_TOKEN_LOOKUP =
	SQL("SELECT " PRINCIPAL_COLUMNS ", x.id, x.expires_at, x.revoked_at, x.last_used_at"
	    " FROM api_tokens x" PRINCIPAL_JOINS " WHERE x.token_hash = $1");
const struct sql SQL_TOKEN_TOUCH = SQL("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1");
const struct sql SQL_TOKEN_INSERT =
	SQL("INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at)"
	    " VALUES ($1, $2, $3, $4, $5) RETURNING id");
const struct sql SQL_TOKEN_LIST =
	SQL("SELECT id, name, created_at, expires_at, last_used_at FROM api_tokens"
	    " WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC");
const struct sql SQL_TOKEN_REVOKE =
	SQL("UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2"
	    " AND revoked_at IS NULL");

const struct sql SQL_PRINCIPAL_ROLES =
	SQL("SELECT r.code, r.name, r.scope, rp.perm FROM user_roles ur"
	    " JOIN roles r ON r.id = ur.role_id LEFT JOIN role_perms rp ON rp.role_id = r.id"
	    " WHERE ur.user_id = $1 ORDER BY ur.role_id, rp.perm");
/* The liaison scope: the enterprises the user is a liaison of today (the liaison module's
 * table, as SCOPE_PRED reads it). */
const struct sql SQL_PRINCIPAL_LIAISONS =
	SQL("SELECT DISTINCT enterprise_id FROM liaisons WHERE user_id = $1 AND active = 1"
	    " ORDER BY enterprise_id");

/* ---- login ---- */

/* Count an attempt from an address: a new window when the old one ended ($3 = now - window). */
const struct sql SQL_THROTTLE_HIT =
	SQL("INSERT INTO login_throttle (ip, window_start, attempts) VALUES ($1, $2, 1)"
	    " ON CONFLICT (ip) DO UPDATE SET"
	    " attempts = CASE WHEN login_throttle.window_start <= $3 THEN 1"
	    "                 ELSE login_throttle.attempts + 1 END,"
	    " window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2"
	    "                     ELSE login_throttle.window_start END"
	    " RETURNING attempts, window_start");
const struct sql SQL_THROTTLE_PURGE = SQL("DELETE FROM login_throttle WHERE window_start < $1");

const struct sql SQL_LOGIN_USER =
	SQL("SELECT u.id, u.password_hash, u.status, u.failed_logins, u.locked_until, o.path"
	    " FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.username = $1");
const struct sql SQL_LOGIN_FAILED =
	SQL("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1"
	    " RETURNING failed_logins");
const struct sql SQL_LOGIN_LOCK =
	SQL("UPDATE users SET failed_logins = 0, locked_until = $2 WHERE id = $1");
const struct sql SQL_LOGIN_OK =
	SQL("UPDATE users SET failed_logins = 0, locked_until = 0, last_login_at = $2"
	    " WHERE id = $1");

const struct sql SQL_USER_PASSWORD = SQL("SELECT password_hash FROM users WHERE id = $1");
const struct sql SQL_USER_SET_PASSWORD =
	SQL("UPDATE users SET password_hash = $2, must_change_password = 0,"
	    " password_changed_at = $3, updated_at = $3 WHERE id = $1");

/* ---- creating users and setting passwords from the command line ---- */

const struct sql SQL_USER_CLI_PASSWORD =
	SQL("UPDATE users SET password_hash = $2, must_change_password = $3, failed_logins = 0,"
	    " locked_until = 0, password_changed_at = $4, updated_at = $4 WHERE username = $1"
	    " RETURNING id");
const struct sql SQL_USER_CLI_KILL_SESSIONS = SQL("DELETE FROM sessions WHERE user_id = $1");

const struct sql SQL_ORG_BY_CODE = SQL("SELECT id FROM orgs WHERE code = $1");
const struct sql SQL_ENTERPRISE_BY_USCC = SQL("SELECT id FROM enterprises WHERE uscc = $1");
const struct sql SQL_ROLE_BY_CODE = SQL("SELECT id FROM roles WHERE code = $1");
const struct sql SQL_USER_INSERT =
	SQL("INSERT INTO users (username, display_name, org_id, enterprise_id, password_hash,"
	    " must_change_password, created_at, updated_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id");
const struct sql SQL_USER_ROLE_INSERT =
	SQL("INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)");
