/* orgs_sql.c: every statement of the org tree, and its migrations. */
#include "auth/scope.h"
#include "modules/orgs/orgs_sql.h"

const struct migration orgs_migrations[] = {
	{1,
	 "CREATE TABLE orgs ("
	 " id @ID@,"
	 " parent_id BIGINT REFERENCES orgs(id),"
	 " code TEXT NOT NULL UNIQUE,"
	 " name TEXT NOT NULL,"
	 " kind TEXT NOT NULL CHECK (kind IN ('province','city','county','department')),"
	 " region_code TEXT,"
	 " path TEXT NOT NULL,"
	 " sort INTEGER NOT NULL DEFAULT 0,"
	 " status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),"
	 " created_at BIGINT NOT NULL,"
	 " updated_at BIGINT NOT NULL);"
	 "CREATE INDEX orgs_parent ON orgs (parent_id);"
	 "CREATE INDEX orgs_path ON orgs (path);",
	 NULL},
	{0, NULL, NULL},
};

#define ORG_COLUMNS                                                                                \
	"o.id, o.parent_id, o.code, o.name, o.kind, o.region_code, o.path, o.sort, o.status,"     \
	" o.created_at, o.updated_at"
#define ORG_SCOPE SCOPE_PRED("o.path", "o.id", "NULL", "NULL")
#define ORG_FILTER                                                                                 \
	" FROM orgs o WHERE " ORG_SCOPE                                                            \
	" AND (CAST($6 AS TEXT) IS NULL OR o.name LIKE '%' || $6 || '%' ESCAPE '\\' OR o.code LIKE $6 || '%' ESCAPE '\\')"          \
	" AND (CAST($7 AS BIGINT) IS NULL OR o.parent_id = $7)"                                    \
	" AND (CAST($8 AS TEXT) IS NULL OR o.kind = $8)"

const struct sql SQL_ORGS_LIST =
	SQL("SELECT " ORG_COLUMNS ORG_FILTER " ORDER BY o.path LIMIT $9 OFFSET $10");
const struct sql SQL_ORGS_COUNT = SQL("SELECT COUNT(*)" ORG_FILTER);
const struct sql SQL_ORGS_TREE =
	SQL("SELECT " ORG_COLUMNS " FROM orgs o WHERE " ORG_SCOPE " ORDER BY o.path");
const struct sql SQL_ORGS_GET =
	SQL("SELECT " ORG_COLUMNS " FROM orgs o WHERE " ORG_SCOPE " AND o.id = $6");
const struct sql SQL_ORGS_INSERT =
	SQL("INSERT INTO orgs (parent_id, code, name, kind, region_code, path, sort, status,"
	    " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, '/', $6, 'active', $7, $7)"
	    " RETURNING id");
const struct sql SQL_ORGS_SET_PATH = SQL("UPDATE orgs SET path = $2 WHERE id = $1");
const struct sql SQL_ORGS_UPDATE =
	SQL("UPDATE orgs SET code = $2, name = $3, region_code = $4, sort = $5, status = $6,"
	    " updated_at = $7 WHERE id = $1");
const struct sql SQL_ORGS_BY_CODE = SQL("SELECT id FROM orgs WHERE code = $1");
const struct sql SQL_ORGS_ANY = SQL("SELECT COUNT(*) FROM orgs");
