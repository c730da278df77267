/* enterprises_sql.c: every statement of the enterprise registry, and its migrations. */
#include "auth/scope.h"
#include "modules/enterprises/enterprises_sql.h"

const struct migration enterprises_migrations[] = {
	{1,
	 "CREATE TABLE enterprises ("
	 " id @ID@,"
	 " uscc TEXT NOT NULL UNIQUE,"
	 " name TEXT NOT NULL,"
	 " region_code TEXT NOT NULL,"
	 " org_id BIGINT NOT NULL REFERENCES orgs(id),"
	 " industry_code TEXT,"
	 " ownership TEXT,"
	 " scale TEXT,"
	 " above_scale INTEGER NOT NULL DEFAULT 0,"
	 " status TEXT NOT NULL DEFAULT 'operating',"
	 " created_at BIGINT NOT NULL,"
	 " updated_at BIGINT NOT NULL);"
	 "CREATE INDEX enterprises_org ON enterprises (org_id);"
	 "CREATE INDEX enterprises_region ON enterprises (region_code);",
	 NULL},
	/* Chinese substring search (issue 4) is an FTS5 trigram table on SQLite and pg_trgm GIN
	 * indexes on PostgreSQL; this prepares PostgreSQL's side. pg_trgm is a trusted extension
	 * (13+): the database owner may create it. Nothing to do on SQLite. */
	{2, "-- PostgreSQL only: pg_trgm", "CREATE EXTENSION IF NOT EXISTS pg_trgm;"},
	{0, NULL, NULL},
};

#define ENT_COLUMNS                                                                                \
	"e.id, e.uscc, e.name, e.region_code, e.org_id, o.name, e.industry_code, e.ownership,"    \
	" e.scale, e.above_scale, e.status, e.created_at, e.updated_at"
#define ENT_FROM " FROM enterprises e JOIN orgs o ON o.id = e.org_id WHERE "
#define ENT_SCOPE SCOPE_PRED("o.path", "e.org_id", "NULL", "e.id")
#define ENT_FILTER                                                                                 \
	ENT_FROM ENT_SCOPE                                                                         \
	" AND (CAST($6 AS TEXT) IS NULL OR e.name LIKE '%' || $6 || '%' ESCAPE '\\'"               \
	"      OR e.uscc LIKE $6 || '%' ESCAPE '\\')"                                              \
	" AND (CAST($7 AS TEXT) IS NULL OR e.region_code = $7)"

const struct sql SQL_ENT_LIST =
	SQL("SELECT " ENT_COLUMNS ENT_FILTER " ORDER BY e.id DESC LIMIT $8 OFFSET $9");
const struct sql SQL_ENT_COUNT = SQL("SELECT COUNT(*)" ENT_FILTER);
const struct sql SQL_ENT_GET = SQL("SELECT " ENT_COLUMNS ENT_FROM ENT_SCOPE " AND e.id = $6");
const struct sql SQL_ENT_INSERT =
	SQL("INSERT INTO enterprises (uscc, name, region_code, org_id, industry_code, ownership,"
	    " scale, above_scale, status, created_at, updated_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'operating', $9, $9) RETURNING id");
const struct sql SQL_ENT_UPDATE =
	SQL("UPDATE enterprises SET name = $2, industry_code = $3, ownership = $4, scale = $5,"
	    " above_scale = $6, status = $7, updated_at = $8 WHERE id = $1");
const struct sql SQL_ENT_BY_USCC = SQL("SELECT id FROM enterprises WHERE uscc = $1");
/* The bureau responsible for a region: its county bureau, else the city bureau. */
const struct sql SQL_ENT_ORG_FOR_REGION =
	SQL("SELECT o.id FROM orgs o WHERE o.region_code = $1 AND o.kind IN ('county', 'city')"
	    " ORDER BY CASE o.kind WHEN 'county' THEN 0 ELSE 1 END, o.id LIMIT 1");
const struct sql SQL_ENT_ANY = SQL("SELECT COUNT(*) FROM enterprises");
