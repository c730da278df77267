/* enterprises_sql.c: every statement of the enterprise registry, and its migrations. */
#include "auth/scope.h"
#include "modules/enterprises/enterprises_sql.h"

/* ---- migrations ----------------------------------------------------------------------------- */

/* 2: the full record, reference tables, tags, contacts and history. */
#define MIGRATION_2                                                                                \
	"ALTER TABLE enterprises ADD COLUMN legal_rep TEXT;"                                       \
	"ALTER TABLE enterprises ADD COLUMN address TEXT;"                                         \
	"ALTER TABLE enterprises ADD COLUMN founded_on TEXT;"                                      \
	"ALTER TABLE enterprises ADD COLUMN capital_yuan BIGINT;"                                  \
	"ALTER TABLE enterprises ADD COLUMN employees BIGINT;"                                     \
	"ALTER TABLE enterprises ADD COLUMN uscc_override_reason TEXT;"                            \
	"ALTER TABLE enterprises ADD COLUMN version INTEGER NOT NULL DEFAULT 1;"                   \
	"ALTER TABLE enterprises ADD COLUMN name_initials TEXT;"                                   \
	"ALTER TABLE enterprises ADD COLUMN search_text TEXT;"                                     \
	"ALTER TABLE enterprises ADD COLUMN city_code TEXT;"                                       \
	"ALTER TABLE enterprises ADD COLUMN industry_section TEXT;"                                \
	"CREATE INDEX enterprises_city ON enterprises (city_code);"                                \
	"CREATE INDEX enterprises_industry ON enterprises (industry_code);"                        \
	"CREATE INDEX enterprises_section ON enterprises (industry_section);"                       \
	"CREATE INDEX enterprises_name_sort ON enterprises (name_initials, name);"                 \
	"CREATE INDEX enterprises_updated ON enterprises (updated_at);"                            \
	"CREATE INDEX enterprises_founded ON enterprises (founded_on);"                            \
	"CREATE INDEX enterprises_capital ON enterprises (capital_yuan);"                          \
	"CREATE INDEX enterprises_employees ON enterprises (employees);"                           \
	"CREATE TABLE regions ("                                                                   \
	" code TEXT PRIMARY KEY,"                                                                  \
	" name TEXT NOT NULL,"                                                                     \
	" level TEXT NOT NULL CHECK (level IN ('province','prefecture','county')),"                \
	" parent_code TEXT);"                                                                      \
	"CREATE INDEX regions_parent ON regions (parent_code);"                                    \
	"CREATE TABLE industries ("                                                                \
	" code TEXT PRIMARY KEY,"                                                                  \
	" name TEXT NOT NULL,"                                                                     \
	" level TEXT NOT NULL CHECK (level IN ('section','division')),"                            \
	" parent_code TEXT);"                                                                      \
	"CREATE TABLE enterprise_tags ("                                                           \
	" id @ID@,"                                                                                \
	" name TEXT NOT NULL UNIQUE,"                                                              \
	" sort INTEGER NOT NULL DEFAULT 0,"                                                        \
	" status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),"          \
	" created_at BIGINT NOT NULL,"                                                             \
	" updated_at BIGINT NOT NULL);"                                                            \
	"CREATE TABLE enterprise_tag_links ("                                                      \
	" enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),"                               \
	" tag_id BIGINT NOT NULL REFERENCES enterprise_tags(id),"                                  \
	" PRIMARY KEY (enterprise_id, tag_id));"                                                   \
	"CREATE INDEX enterprise_tag_links_tag ON enterprise_tag_links (tag_id, enterprise_id);"   \
	"CREATE TABLE enterprise_contacts ("                                                       \
	" id @ID@,"                                                                                \
	" enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),"                               \
	" name TEXT NOT NULL,"                                                                     \
	" role TEXT,"                                                                              \
	" mobile TEXT,"                                                                            \
	" sort INTEGER NOT NULL DEFAULT 0);"                                                       \
	"CREATE INDEX enterprise_contacts_ent ON enterprise_contacts (enterprise_id);"             \
	"CREATE TABLE enterprise_history ("                                                        \
	" id @ID@,"                                                                                \
	" enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),"                               \
	" version INTEGER NOT NULL,"                                                               \
	" action TEXT NOT NULL,"                                                                   \
	" field TEXT,"                                                                             \
	" old_value TEXT,"                                                                         \
	" new_value TEXT,"                                                                         \
	" reason TEXT,"                                                                            \
	" user_id BIGINT,"                                                                         \
	" username TEXT,"                                                                          \
	" request_id TEXT,"                                                                        \
	" changed_at BIGINT NOT NULL);"                                                            \
	"CREATE INDEX enterprise_history_ent ON enterprise_history (enterprise_id, id);"           \
	"INSERT INTO enterprise_tags (name, sort, status, created_at, updated_at) VALUES"          \
	" ('专精特新', 10, 'active', 0, 0),"                                                       \
	" ('专精特新\"小巨人\"', 20, 'active', 0, 0),"                                             \
	" ('高新技术企业', 30, 'active', 0, 0),"                                                   \
	" ('制造业单项冠军', 40, 'active', 0, 0),"                                                 \
	" ('瞪羚企业', 50, 'active', 0, 0),"                                                       \
	" ('科技型中小企业', 60, 'active', 0, 0),"                                                 \
	" ('创新型中小企业', 70, 'active', 0, 0),"                                                 \
	" ('绿色工厂', 80, 'active', 0, 0);"

/* SQLite triggers are per row, which costs an import of 50,000 rows a few tenths of a second. */
#define REG_BUMP(name, event, table)                                                               \
	MIGRATION_VERSION_BUMP("enterprise_registry_version", name, event, table)

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
	{2, MIGRATION_2, NULL},
	/* 3: substring search. SQLite: an FTS5 trigram index over the compact search column,
	 * external content (the text lives once, in enterprises.search_text), kept in step by the
	 * module's writes (triggers cannot touch a virtual table under trusted_schema=OFF);
	 * detail=none keeps it small because every term is checked again with instr().
	 * PostgreSQL: pg_trgm's GIN index, which LIKE '%…%' uses. */
	{3,
	 "CREATE VIRTUAL TABLE enterprises_fts USING fts5(search_text, content='enterprises',"
	 " content_rowid='id', tokenize='trigram', detail=none);"
	 "INSERT INTO enterprises_fts (enterprises_fts) VALUES ('rebuild');",
	 "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
	 "CREATE INDEX enterprises_search_trgm ON enterprises USING gin (search_text gin_trgm_ops);"},
	/* 4: a narrow index holding every filter column and the sort keys other than the name, so
	 * a count, or a filtered page sorted by capital, reads it instead of the whole table; the
	 * name index carries the org, so a county's first page checks the scope without reading
	 * the rows it passes over. */
	{4,
	 "DROP INDEX enterprises_name_sort;"
	 "CREATE INDEX enterprises_name_sort ON enterprises (name_initials, name, org_id);"
	 "CREATE INDEX enterprises_filter ON enterprises (org_id, region_code, city_code,"
	 " industry_code, industry_section, scale, ownership, above_scale, status, capital_yuan,"
	 " employees, founded_on, updated_at);",
	 NULL},
	/* 5: the search text moves to a narrow table of its own, so a scan for a 1- or 2-character
	 * term reads a few MB instead of every whole row; the trigram index follows it. */
	{5,
	 "CREATE TABLE enterprise_search (id INTEGER PRIMARY KEY REFERENCES enterprises(id),"
	 " text TEXT NOT NULL);"
	 "INSERT INTO enterprise_search (id, text) SELECT id, search_text FROM enterprises"
	 " WHERE search_text IS NOT NULL;"
	 "DROP TABLE enterprises_fts;"
	 "CREATE VIRTUAL TABLE enterprises_fts USING fts5(text, content='enterprise_search',"
	 " content_rowid='id', tokenize='trigram', detail=none);"
	 "INSERT INTO enterprises_fts (enterprises_fts) VALUES ('rebuild');"
	 "ALTER TABLE enterprises DROP COLUMN search_text;",
	 "CREATE TABLE enterprise_search (id BIGINT PRIMARY KEY REFERENCES enterprises(id),"
	 " text TEXT NOT NULL);"
	 "INSERT INTO enterprise_search (id, text) SELECT id, search_text FROM enterprises"
	 " WHERE search_text IS NOT NULL;"
	 "CREATE INDEX enterprise_search_trgm ON enterprise_search USING gin (text gin_trgm_ops);"
	 "ALTER TABLE enterprises DROP COLUMN search_text;"},
	/* 6: a version of everything the list filters, sorts and searches on, so a server's
	 * in-process copy (enterprises_index.c, SQLite) knows when it is stale, whichever server
	 * or tool wrote. The token tells one database from another. Triggers on plain tables
	 * run under trusted_schema=OFF. PostgreSQL keeps the list in SQL: the table only. */
	{6,
	 MIGRATION_VERSION_TABLE("enterprise_registry_version")
	 REG_BUMP("enterprises_v_ins", "INSERT", "enterprises")
	 REG_BUMP("enterprises_v_upd", "UPDATE", "enterprises")
	 REG_BUMP("enterprises_v_del", "DELETE", "enterprises")
	 REG_BUMP("enterprise_tag_links_v_ins", "INSERT", "enterprise_tag_links")
	 REG_BUMP("enterprise_tag_links_v_upd", "UPDATE", "enterprise_tag_links")
	 REG_BUMP("enterprise_tag_links_v_del", "DELETE", "enterprise_tag_links")
	 REG_BUMP("enterprise_search_v_ins", "INSERT", "enterprise_search")
	 REG_BUMP("enterprise_search_v_upd", "UPDATE", "enterprise_search")
	 REG_BUMP("enterprise_search_v_del", "DELETE", "enterprise_search"),
	 MIGRATION_VERSION_TABLE_PG("enterprise_registry_version")},
	{0, NULL, NULL},
};

/* ---- reading ------------------------------------------------------------------------------- */

#define ENT_TAGS_SQ                                                                                \
	"(SELECT group_concat(t.id || ':' || t.name, '|') FROM enterprise_tag_links l"            \
	" JOIN enterprise_tags t ON t.id = l.tag_id WHERE l.enterprise_id = e.id)"
#define ENT_TAGS_PG                                                                                \
	"(SELECT string_agg(t.id || ':' || t.name, '|') FROM enterprise_tag_links l"              \
	" JOIN enterprise_tags t ON t.id = l.tag_id WHERE l.enterprise_id = e.id)"
#define ENT_COLUMNS_BASE                                                                           \
	"e.id, e.uscc, e.name, e.region_code, e.org_id, o.name, e.industry_code, e.ownership,"    \
	" e.scale, e.above_scale, e.status, e.created_at, e.updated_at, e.legal_rep, e.address,"  \
	" e.founded_on, e.capital_yuan, e.employees, e.version, e.uscc_override_reason,"          \
	" e.name_initials, rg.name, e.city_code, ind.name, e.industry_section, "
#define ENT_COLUMNS_SQ ENT_COLUMNS_BASE ENT_TAGS_SQ
#define ENT_COLUMNS_PG ENT_COLUMNS_BASE ENT_TAGS_PG
#define ENT_FROM                                                                                   \
	" FROM enterprises e JOIN orgs o ON o.id = e.org_id"                                       \
	" LEFT JOIN regions rg ON rg.code = e.region_code"                                         \
	" LEFT JOIN industries ind ON ind.code = e.industry_code WHERE "
#define ENT_COUNT_FROM " FROM enterprises e JOIN orgs o ON o.id = e.org_id WHERE "
#define ENT_SCOPE SCOPE_PRED("o.path", "e.org_id", "NULL", "e.id")

/*
 * The list filter. $6 region (a county, or a city meaning its counties), $7 industry (section
 * letter or division), $8 scale, $9 ownership, $10 above_scale 0/1, $11 status, $12-$14 tag ids
 * (all must be present), $15 the index term (FTS5 MATCH phrase on SQLite, LIKE pattern on
 * PostgreSQL; NULL in the plain statements), $16-$18 every term checked as a substring of the
 * search column. $19 LIMIT, $20 OFFSET.
 */
#define ENT_FILTER                                                                                 \
	ENT_SCOPE                                                                                  \
	" AND (CAST($6 AS TEXT) IS NULL OR e.region_code = $6 OR e.city_code = $6)"               \
	" AND (CAST($7 AS TEXT) IS NULL OR e.industry_code = $7 OR e.industry_section = $7)"      \
	" AND (CAST($8 AS TEXT) IS NULL OR e.scale = $8)"                                          \
	" AND (CAST($9 AS TEXT) IS NULL OR e.ownership = $9)"                                      \
	" AND (CAST($10 AS INTEGER) IS NULL OR e.above_scale = $10)"                               \
	" AND (CAST($11 AS TEXT) IS NULL OR e.status = $11)"                                       \
	" AND (CAST($12 AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM enterprise_tag_links l1"       \
	"      WHERE l1.enterprise_id = e.id AND l1.tag_id = $12))"                                \
	" AND (CAST($13 AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM enterprise_tag_links l2"       \
	"      WHERE l2.enterprise_id = e.id AND l2.tag_id = $13))"                                \
	" AND (CAST($14 AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM enterprise_tag_links l3"       \
	"      WHERE l3.enterprise_id = e.id AND l3.tag_id = $14))"
/* Mode 0, no search: the text columns are not named, so SQLite counts over the narrow
 * covering index enterprises_filter instead of reading every row. */
#define NO_TEXT                                                                                    \
	" AND CAST($15 AS TEXT) IS NULL AND CAST($16 AS TEXT) IS NULL"                             \
	" AND CAST($17 AS TEXT) IS NULL AND CAST($18 AS TEXT) IS NULL"
/* Modes 1 and 2: every term is a substring of the compact search row (1- and 2-character terms
 * are answered by this scan alone; docs/performance.md says why not a bigram table). With a
 * term of 3+ characters the trigram index picks the candidates first. */
#define TERMS(INSTR)                                                                               \
	"(CAST($16 AS TEXT) IS NULL OR " INSTR "(s.text, $16) > 0)"                               \
	" AND (CAST($17 AS TEXT) IS NULL OR " INSTR "(s.text, $17) > 0)"                          \
	" AND (CAST($18 AS TEXT) IS NULL OR " INSTR "(s.text, $18) > 0)"
#define SHORT_SQ                                                                                   \
	" AND CAST($15 AS TEXT) IS NULL AND e.id IN (SELECT s.id FROM enterprise_search s WHERE "  \
	TERMS("instr") ")"
#define SHORT_PG                                                                                   \
	" AND CAST($15 AS TEXT) IS NULL AND e.id IN (SELECT s.id FROM enterprise_search s WHERE "  \
	TERMS("strpos") ")"
#define FTS_SQ                                                                                     \
	" AND e.id IN (SELECT s.id FROM enterprises_fts JOIN enterprise_search s"                  \
	" ON s.id = enterprises_fts.rowid WHERE enterprises_fts MATCH $15 AND " TERMS("instr") ")"
#define FTS_PG                                                                                     \
	" AND e.id IN (SELECT s.id FROM enterprise_search s WHERE s.text LIKE CAST($15 AS TEXT)"   \
	" AND " TERMS("strpos") ")"
#define WHERE_SQ(mode) ENT_FILTER mode
#define WHERE_PG(mode) ENT_FILTER mode

/* PostgreSQL sorts text by its collation; "C" gives code-point order, like SQLite's BINARY.
 * Empty values sort last both ways ((x IS NULL) first), and the id breaks every tie, so a page
 * is the same on both databases. */
#define C " COLLATE \"C\""
/* The page's ids first (filter, sort, limit over the fewest columns), then the columns of those
 * rows only: otherwise SQLite would build every matching row's tags and names before sorting. */
#define ENT_JOINS                                                                                  \
	" JOIN enterprises e ON e.id = p.pid JOIN orgs o ON o.id = e.org_id"                       \
	" LEFT JOIN regions rg ON rg.code = e.region_code"                                         \
	" LEFT JOIN industries ind ON ind.code = e.industry_code"
/* With a search every match is read anyway, so the same pass counts them (COL_TOTAL); without
 * one the index walk stops at the page and the count reads the covering index instead. */
#define LIST_SQL(mode_sq, mode_pg, total, ord_sq, ord_sq_outer, ord_pg)                            \
	SQL2("SELECT " ENT_COLUMNS_SQ ", p.total FROM (SELECT e.id AS pid, " total                 \
	     " AS total" ENT_COUNT_FROM WHERE_SQ(mode_sq) " ORDER BY " ord_sq                      \
	     " LIMIT $19 OFFSET $20) p" ENT_JOINS " ORDER BY " ord_sq_outer,                       \
	     "SELECT " ENT_COLUMNS_PG ", p.total FROM (SELECT e.id AS pid, " total                 \
	     " AS total" ENT_COUNT_FROM WHERE_PG(mode_pg) " ORDER BY " ord_pg                      \
	     " LIMIT $19 OFFSET $20) p" ENT_JOINS " ORDER BY " ord_pg)
#define NO_TOTAL "CAST(NULL AS BIGINT)"
#define TOTAL "COUNT(*) OVER ()"
/* With a search, SQLite reads the matches and sorts them ("+" keeps it off the sort index,
 * whose walk would visit rows in random order until the page fills); without one, walking the
 * index finds the first page at once. */
#define LIST_MODES(ord_sq, ord_sq_scan, ord_pg)                                                    \
	{LIST_SQL(NO_TEXT, NO_TEXT, NO_TOTAL, ord_sq, ord_sq, ord_pg),                             \
	 LIST_SQL(SHORT_SQ, SHORT_PG, TOTAL, ord_sq_scan, ord_sq, ord_pg),                         \
	 LIST_SQL(FTS_SQ, FTS_PG, TOTAL, ord_sq_scan, ord_sq, ord_pg)}
#define NULLS_LAST(col, coll, dir)                                                                 \
	"(" col " IS NULL), " col coll dir ", e.id" dir
/* By name without a search: walk enterprises_name_sort. Other orders: sort the matches read
 * from the covering index enterprises_filter. */
#define SORT(sq, pg) LIST_MODES(sq, "+" sq, pg)
#define SORT_SCAN(sq, pg) LIST_MODES("+" sq, "+" sq, pg)

const struct sql SQL_ENT_LIST[ENT_SORT__COUNT][ENT_MODES] = {
	[ENT_SORT_NAME] = SORT("e.name_initials, e.name, e.id",
			       "e.name_initials" C ", e.name" C ", e.id"),
	[ENT_SORT_NAME_DESC] = SORT("e.name_initials DESC, e.name DESC, e.id DESC",
				    "e.name_initials" C " DESC, e.name" C " DESC, e.id DESC"),
	[ENT_SORT_FOUNDED] = SORT_SCAN(NULLS_LAST("e.founded_on", "", ""),
				  NULLS_LAST("e.founded_on", C, "")),
	[ENT_SORT_FOUNDED_DESC] = SORT_SCAN(NULLS_LAST("e.founded_on", "", " DESC"),
				       NULLS_LAST("e.founded_on", C, " DESC")),
	[ENT_SORT_CAPITAL] = SORT_SCAN(NULLS_LAST("e.capital_yuan", "", ""),
				  NULLS_LAST("e.capital_yuan", "", "")),
	[ENT_SORT_CAPITAL_DESC] = SORT_SCAN(NULLS_LAST("e.capital_yuan", "", " DESC"),
				       NULLS_LAST("e.capital_yuan", "", " DESC")),
	[ENT_SORT_EMPLOYEES] = SORT_SCAN(NULLS_LAST("e.employees", "", ""),
				    NULLS_LAST("e.employees", "", "")),
	[ENT_SORT_EMPLOYEES_DESC] = SORT_SCAN(NULLS_LAST("e.employees", "", " DESC"),
					 NULLS_LAST("e.employees", "", " DESC")),
	[ENT_SORT_UPDATED] = SORT_SCAN("e.updated_at, e.id", "e.updated_at, e.id"),
	[ENT_SORT_UPDATED_DESC] = SORT_SCAN("e.updated_at DESC, e.id DESC",
				       "e.updated_at DESC, e.id DESC"),
};
const struct sql SQL_ENT_COUNT[ENT_MODES] = {
	SQL2("SELECT COUNT(*)" ENT_COUNT_FROM WHERE_SQ(NO_TEXT),
	     "SELECT COUNT(*)" ENT_COUNT_FROM WHERE_PG(NO_TEXT)),
	SQL2("SELECT COUNT(*)" ENT_COUNT_FROM WHERE_SQ(SHORT_SQ),
	     "SELECT COUNT(*)" ENT_COUNT_FROM WHERE_PG(SHORT_PG)),
	SQL2("SELECT COUNT(*)" ENT_COUNT_FROM WHERE_SQ(FTS_SQ),
	     "SELECT COUNT(*)" ENT_COUNT_FROM WHERE_PG(FTS_PG)),
};

/* The in-process index (enterprises_index.c). Its version first; then every row (in the
 * table's order, which needs no sort) with what the list filters and sorts on and its search
 * text; the tags; the orgs of a subtree and a liaison's enterprises (SCOPE_PRED's own terms);
 * last, a page's rows by id ($6: "12,5,7"), in that order and checked against the scope once
 * more. */
const struct sql SQL_ENT_INDEX_VERSION =
	SQL("SELECT token, version FROM enterprise_registry_version WHERE id = 1");
const struct sql SQL_ENT_INDEX_ROWS =
	SQL("SELECT e.id, e.org_id, e.region_code, e.city_code, e.industry_code,"
	    " e.industry_section, e.scale, e.ownership, e.above_scale, e.status, e.founded_on,"
	    " e.capital_yuan, e.employees, e.updated_at, e.name_initials, e.name, s.text"
	    " FROM enterprises e LEFT JOIN enterprise_search s ON s.id = e.id ORDER BY e.id");
const struct sql SQL_ENT_INDEX_TAGS =
	SQL("SELECT enterprise_id, tag_id FROM enterprise_tag_links");
const struct sql SQL_ENT_INDEX_SUBTREE =
	SQL("SELECT id FROM orgs WHERE path LIKE CAST($1 AS TEXT) || '%'");
const struct sql SQL_ENT_INDEX_LIAISON =
	SQL("SELECT scope_l.enterprise_id FROM liaisons scope_l"
	    " WHERE scope_l.user_id = CAST($1 AS BIGINT) AND scope_l.active = 1");
const struct sql SQL_ENT_PAGE =
	SQL2("SELECT " ENT_COLUMNS_SQ " FROM json_each('[' || CAST($6 AS TEXT) || ']') j"
	     " JOIN enterprises e ON e.id = j.value JOIN orgs o ON o.id = e.org_id"
	     " LEFT JOIN regions rg ON rg.code = e.region_code"
	     " LEFT JOIN industries ind ON ind.code = e.industry_code WHERE " ENT_SCOPE
	     " ORDER BY j.key",
	     "SELECT " ENT_COLUMNS_PG " FROM json_array_elements_text(CAST('[' || CAST($6 AS TEXT)"
	     " || ']' AS json)) WITH ORDINALITY j(value, key)"
	     " JOIN enterprises e ON e.id = CAST(j.value AS BIGINT) JOIN orgs o ON o.id = e.org_id"
	     " LEFT JOIN regions rg ON rg.code = e.region_code"
	     " LEFT JOIN industries ind ON ind.code = e.industry_code WHERE " ENT_SCOPE
	     " ORDER BY j.key");

const struct sql SQL_ENT_GET =
	SQL2("SELECT " ENT_COLUMNS_SQ ENT_FROM ENT_SCOPE " AND e.id = $6",
	     "SELECT " ENT_COLUMNS_PG ENT_FROM ENT_SCOPE " AND e.id = $6");
const struct sql SQL_ENT_CONTACTS =
	SQL("SELECT id, name, role, mobile FROM enterprise_contacts WHERE enterprise_id = $1"
	    " ORDER BY sort, id");
const struct sql SQL_ENT_BY_USCC = SQL("SELECT id FROM enterprises WHERE uscc = $1");
/* For the import's update path: the record with this code, if the caller may see it. */
const struct sql SQL_ENT_BY_USCC_FULL =
	SQL2("SELECT " ENT_COLUMNS_SQ ENT_FROM ENT_SCOPE " AND e.uscc = $6",
	     "SELECT " ENT_COLUMNS_PG ENT_FROM ENT_SCOPE " AND e.uscc = $6");
const struct sql SQL_ENT_ANY = SQL("SELECT COUNT(*) FROM enterprises");

/* The bureau responsible for a region: its county bureau, else its city's, else the
 * province's ($1 county, $2 its prefecture, $3 its province). */
const struct sql SQL_ENT_ORG_FOR_REGION =
	SQL("SELECT o.id FROM orgs o WHERE o.region_code IN ($1, $2, $3)"
	    " AND o.kind IN ('county', 'city', 'province') AND o.status = 'active'"
	    " ORDER BY CASE o.region_code WHEN $1 THEN 0 WHEN $2 THEN 1 ELSE 2 END, o.id LIMIT 1");

/* ---- writing ------------------------------------------------------------------------------- */

/* $1 uscc .. see enterprises_http.c's bind_record() for the order. */
const struct sql SQL_ENT_INSERT =
	SQL("INSERT INTO enterprises (uscc, name, region_code, org_id, industry_code, ownership,"
	    " scale, above_scale, status, legal_rep, address, founded_on, capital_yuan, employees,"
	    " uscc_override_reason, name_initials, city_code, industry_section,"
	    " version, created_at, updated_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
	    " $18, 1, $19, $19) RETURNING id");
/* The same values, $21 the id and $22 the version the caller edited: no row changes when
 * someone else saved first. */
const struct sql SQL_ENT_UPDATE =
	SQL("UPDATE enterprises SET uscc = $1, name = $2, region_code = $3, org_id = $4,"
	    " industry_code = $5, ownership = $6, scale = $7, above_scale = $8, status = $9,"
	    " legal_rep = $10, address = $11, founded_on = $12, capital_yuan = $13,"
	    " employees = $14, uscc_override_reason = $15, name_initials = $16,"
	    " city_code = $17, industry_section = $18, updated_at = $19,"
	    " version = version + 1 WHERE id = $20 AND version = $21");
const struct sql SQL_ENT_VERSION = SQL("SELECT version FROM enterprises WHERE id = $1");

/* The compact search row of an enterprise (both databases). */
const struct sql SQL_ENT_SEARCH_PUT =
	SQL("INSERT INTO enterprise_search (id, text) VALUES ($1, $2)"
	    " ON CONFLICT (id) DO UPDATE SET text = excluded.text");
/* External-content FTS5 (SQLite only): remove the indexed text before a change, add it after.
 * Nothing to do on PostgreSQL (""), whose GIN index follows the table by itself. */
const struct sql SQL_ENT_FTS_DELETE =
	SQL2("INSERT INTO enterprises_fts (enterprises_fts, rowid, text)"
	     " SELECT 'delete', id, text FROM enterprise_search WHERE id = $1",
	     "");
const struct sql SQL_ENT_FTS_INSERT =
	SQL2("INSERT INTO enterprises_fts (rowid, text)"
	     " SELECT id, text FROM enterprise_search WHERE id = $1",
	     "");

const struct sql SQL_ENT_TAGS_CLEAR = SQL("DELETE FROM enterprise_tag_links WHERE enterprise_id = $1");
const struct sql SQL_ENT_TAG_ADD =
	SQL("INSERT INTO enterprise_tag_links (enterprise_id, tag_id) VALUES ($1, $2)");
const struct sql SQL_ENT_CONTACTS_CLEAR =
	SQL("DELETE FROM enterprise_contacts WHERE enterprise_id = $1");
const struct sql SQL_ENT_CONTACT_ADD =
	SQL("INSERT INTO enterprise_contacts (enterprise_id, name, role, mobile, sort)"
	    " VALUES ($1, $2, $3, $4, $5)");

const struct sql SQL_ENT_HISTORY_ADD =
	SQL("INSERT INTO enterprise_history (enterprise_id, version, action, field, old_value,"
	    " new_value, reason, user_id, username, request_id, changed_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
#define HISTORY_FROM                                                                               \
	" FROM enterprise_history h JOIN enterprises e ON e.id = h.enterprise_id"                  \
	" JOIN orgs o ON o.id = e.org_id LEFT JOIN users u ON u.id = h.user_id"                     \
	" WHERE " ENT_SCOPE " AND h.enterprise_id = $6"
const struct sql SQL_ENT_HISTORY_LIST =
	SQL("SELECT h.id, h.version, h.action, h.field, h.old_value, h.new_value, h.reason,"
	    " h.user_id, h.username, h.changed_at, h.request_id, u.display_name" HISTORY_FROM
	    " ORDER BY h.id DESC LIMIT $7 OFFSET $8");
const struct sql SQL_ENT_HISTORY_COUNT = SQL("SELECT COUNT(*)" HISTORY_FROM);

/* Rows written before migration 2, or loaded by older code: their derived columns. */
const struct sql SQL_ENT_NEED_DERIVED =
	SQL("SELECT id, name, uscc, legal_rep, address, region_code, industry_code FROM enterprises"
	    " e WHERE name_initials IS NULL OR NOT EXISTS (SELECT 1 FROM enterprise_search s"
	    " WHERE s.id = e.id) ORDER BY id LIMIT 1000");
const struct sql SQL_ENT_SET_DERIVED =
	SQL("UPDATE enterprises SET name_initials = $2, city_code = $3, industry_section = $4"
	    " WHERE id = $1");

/* ---- tags ------------------------------------------------------------------------------------ */

/* Tags are shared by all; how many enterprises carry one is counted within the caller's scope,
 * so the count never leaks what the list would not show. */
#define TAG_SCOPED_COUNT                                                                           \
	" (SELECT COUNT(*) FROM enterprise_tag_links l JOIN enterprises e ON e.id = l.enterprise_id" \
	" JOIN orgs o ON o.id = e.org_id WHERE l.tag_id = t.id AND " ENT_SCOPE ")"
const struct sql SQL_TAGS_LIST =
	SQL("SELECT t.id, t.name, t.sort, t.status, t.created_at, t.updated_at," TAG_SCOPED_COUNT
	    " FROM enterprise_tags t ORDER BY t.sort, t.id");
const struct sql SQL_TAG_GET =
	SQL("SELECT t.id, t.name, t.sort, t.status, t.created_at, t.updated_at," TAG_SCOPED_COUNT
	    " FROM enterprise_tags t WHERE t.id = $6");
const struct sql SQL_TAG_INSERT =
	SQL("INSERT INTO enterprise_tags (name, sort, status, created_at, updated_at)"
	    " VALUES ($1, $2, 'active', $3, $3) RETURNING id");
const struct sql SQL_TAG_UPDATE =
	SQL("UPDATE enterprise_tags SET name = $2, sort = $3, status = $4, updated_at = $5"
	    " WHERE id = $1");
const struct sql SQL_TAG_BRIEF = SQL("SELECT id, name, status FROM enterprise_tags ORDER BY id");

/* ---- reference data ------------------------------------------------------------------------ */

const struct sql SQL_REGION_GET =
	SQL("SELECT code, name, level, parent_code FROM regions WHERE code = $1");
const struct sql SQL_REGION_SEED =
	SQL("INSERT INTO regions (code, name, level, parent_code) VALUES ($1, $2, $3, $4)"
	    " ON CONFLICT (code) DO NOTHING");
const struct sql SQL_REGION_UPSERT =
	SQL("INSERT INTO regions (code, name, level, parent_code) VALUES ($1, $2, $3, $4)"
	    " ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level,"
	    " parent_code = excluded.parent_code");
const struct sql SQL_REGIONS_LIST =
	SQL("SELECT code, name, level, parent_code FROM regions"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR parent_code = $1)"
	    " AND (CAST($2 AS TEXT) IS NULL OR level = $2) ORDER BY code");
const struct sql SQL_REGIONS_ALL = SQL("SELECT code, name, level, parent_code FROM regions");
const struct sql SQL_INDUSTRY_GET =
	SQL("SELECT code, name, level, parent_code FROM industries WHERE code = $1");
const struct sql SQL_INDUSTRY_SEED =
	SQL("INSERT INTO industries (code, name, level, parent_code) VALUES ($1, $2, $3, $4)"
	    " ON CONFLICT (code) DO NOTHING");
const struct sql SQL_INDUSTRIES_LIST =
	SQL("SELECT code, name, level, parent_code FROM industries ORDER BY"
	    " CASE WHEN level = 'section' THEN code ELSE parent_code END, level DESC, code");
const struct sql SQL_ENT_ORG_PATH = SQL("SELECT path FROM orgs WHERE id = $1");
