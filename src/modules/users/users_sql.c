/* users_sql.c: every statement of user and role administration (tables are auth's). */
#include "auth/scope.h"
#include "modules/users/users_sql.h"

#define USER_COLUMNS                                                                               \
	"u.id, u.username, u.display_name, u.org_id, o.name, u.enterprise_id, e.name, u.mobile,"  \
	" u.status, u.locked_until, u.must_change_password, u.created_at, u.last_login_at"
#define USER_FROM                                                                                  \
	" FROM users u JOIN orgs o ON o.id = u.org_id"                                             \
	" LEFT JOIN enterprises e ON e.id = u.enterprise_id WHERE "
#define USER_SCOPE SCOPE_PRED("o.path", "u.org_id", "u.id", "u.enterprise_id")
#define USER_FILTER                                                                                \
	USER_FROM USER_SCOPE                                                                       \
	" AND (CAST($6 AS TEXT) IS NULL OR u.username LIKE '%' || $6 || '%' ESCAPE '\\'"           \
	"      OR u.display_name LIKE '%' || $6 || '%' ESCAPE '\\')"                               \
	" AND (CAST($7 AS TEXT) IS NULL OR o.path LIKE $7 || '%')"                                 \
	" AND (CAST($8 AS TEXT) IS NULL OR u.status = $8)"                                         \
	" AND (CAST($9 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM user_roles ur"                    \
	"      JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.code = $9))"

const struct sql SQL_USERS_LIST =
	SQL("SELECT " USER_COLUMNS USER_FILTER " ORDER BY u.id LIMIT $10 OFFSET $11");
const struct sql SQL_USERS_COUNT = SQL("SELECT COUNT(*)" USER_FILTER);
const struct sql SQL_USERS_GET = SQL("SELECT " USER_COLUMNS USER_FROM USER_SCOPE " AND u.id = $6");
/* The roles of a page of users in one query (no N+1): $1..$n are not used; a range of ids. */
const struct sql SQL_USERS_ROLES_OF =
	SQL("SELECT ur.user_id, r.code, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	    " WHERE ur.user_id >= $1 AND ur.user_id <= $2 ORDER BY ur.user_id, r.id");
const struct sql SQL_USERS_INSERT =
	SQL("INSERT INTO users (username, display_name, org_id, enterprise_id, mobile,"
	    " password_hash, must_change_password, status, created_at, updated_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, 1, 'active', $7, $7) RETURNING id");
const struct sql SQL_USERS_UPDATE =
	SQL("UPDATE users SET display_name = $2, org_id = $3, mobile = $4, status = $5,"
	    " updated_at = $6 WHERE id = $1");
const struct sql SQL_USERS_RESET_PASSWORD =
	SQL("UPDATE users SET password_hash = $2, must_change_password = 1, failed_logins = 0,"
	    " locked_until = 0, updated_at = $3 WHERE id = $1");
const struct sql SQL_USERS_UNLOCK =
	SQL("UPDATE users SET failed_logins = 0, locked_until = 0, updated_at = $2 WHERE id = $1");
const struct sql SQL_USERS_KILL_SESSIONS = SQL("DELETE FROM sessions WHERE user_id = $1");
const struct sql SQL_USERS_CLEAR_ROLES = SQL("DELETE FROM user_roles WHERE user_id = $1");
const struct sql SQL_USERS_ADD_ROLE =
	SQL("INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)");
/* An org the caller may place users in: the same scope predicate over orgs. */
const struct sql SQL_USERS_ORG_VISIBLE =
	SQL("SELECT o.id FROM orgs o WHERE " SCOPE_PRED("o.path", "o.id", "NULL", "NULL")
	    " AND o.id = $6");
/* Whether a user holds one of the three administrators' roles. */
const struct sql SQL_USERS_IS_ADMIN =
	SQL("SELECT COUNT(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	    " WHERE ur.user_id = $1 AND r.admin_kind IS NOT NULL");
const struct sql SQL_USERS_ENTERPRISE_EXISTS = SQL("SELECT id FROM enterprises WHERE id = $1");

const struct sql SQL_ROLES_LIST =
	SQL("SELECT id, code, name, scope, admin_kind, builtin FROM roles ORDER BY id");
const struct sql SQL_ROLES_PERMS = SQL("SELECT role_id, perm FROM role_perms ORDER BY role_id");
const struct sql SQL_ROLES_GET_BY_CODE =
	SQL("SELECT id, code, name, scope, admin_kind, builtin FROM roles WHERE code = $1");
const struct sql SQL_ROLES_GET =
	SQL("SELECT id, code, name, scope, admin_kind, builtin FROM roles WHERE id = $1");
const struct sql SQL_ROLES_INSERT =
	SQL("INSERT INTO roles (code, name, scope, admin_kind, builtin, created_at)"
	    " VALUES ($1, $2, $3, $4, 0, $5) RETURNING id");
const struct sql SQL_ROLES_UPDATE =
	SQL("UPDATE roles SET name = $2, scope = $3, admin_kind = $4 WHERE id = $1");
const struct sql SQL_ROLES_CLEAR_PERMS = SQL("DELETE FROM role_perms WHERE role_id = $1");
const struct sql SQL_ROLES_ADD_PERM = SQL("INSERT INTO role_perms (role_id, perm) VALUES ($1, $2)");
const struct sql SQL_USERS_ANY_DEMO = SQL("SELECT COUNT(*) FROM users");
/* tiejian demo --users N: the generated users so far, the orgs and enterprises to spread them
 * over, and the documented password kept (no forced change: demo accounts only). */
const struct sql SQL_USERS_DEMO_GENERATED =
	SQL("SELECT COUNT(*) FROM users WHERE username LIKE 'user%'");
const struct sql SQL_USERS_DEMO_ORGS = SQL("SELECT id, kind FROM orgs ORDER BY id");
const struct sql SQL_USERS_DEMO_ENTERPRISES =
	SQL("SELECT id, org_id FROM enterprises ORDER BY id LIMIT $1");
const struct sql SQL_USERS_DEMO_NO_CHANGE = SQL("UPDATE users SET must_change_password = 0");
