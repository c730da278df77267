/* cases_sql.c: the case library's table, its search index and statements. */
#include "modules/cases/cases_sql.h"

const struct migration cases_migrations[] = {
	{1,
	 "CREATE TABLE cases ("
	 " id @ID@,"
	 " appeal_id BIGINT NOT NULL UNIQUE REFERENCES appeals(id),"
	 " title TEXT NOT NULL,"
	 " problem TEXT NOT NULL,"
	 " solution TEXT NOT NULL,"
	 " category_id BIGINT REFERENCES appeal_categories(id),"
	 " region_code TEXT,"
	 " enterprise_id BIGINT REFERENCES enterprises(id),"
	 " enterprise_name TEXT NOT NULL,"
	 " lead_unit TEXT,"
	 " anonymised INTEGER NOT NULL DEFAULT 0,"
	 " status TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published','withdrawn')),"
	 " created_by BIGINT,"
	 " created_by_name TEXT,"
	 " created_at BIGINT NOT NULL,"
	 " updated_at BIGINT NOT NULL);"
	 "CREATE INDEX cases_category ON cases (category_id);"
	 "CREATE INDEX cases_status ON cases (status, id);"
	 /* SQLite: the bigram tokens in an FTS5 table of their own (cases are edited, so rows are
	 * deleted and written again); PostgreSQL: a GIN-indexed array. */
	 "CREATE VIRTUAL TABLE cases_fts USING fts5(grams, tokenize='ascii', detail=none);",
	 "CREATE TABLE cases ("
	 " id @ID@,"
	 " appeal_id BIGINT NOT NULL UNIQUE REFERENCES appeals(id),"
	 " title TEXT NOT NULL,"
	 " problem TEXT NOT NULL,"
	 " solution TEXT NOT NULL,"
	 " category_id BIGINT REFERENCES appeal_categories(id),"
	 " region_code TEXT,"
	 " enterprise_id BIGINT REFERENCES enterprises(id),"
	 " enterprise_name TEXT NOT NULL,"
	 " lead_unit TEXT,"
	 " anonymised INTEGER NOT NULL DEFAULT 0,"
	 " status TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published','withdrawn')),"
	 " created_by BIGINT,"
	 " created_by_name TEXT,"
	 " created_at BIGINT NOT NULL,"
	 " updated_at BIGINT NOT NULL,"
	 " grams TEXT[]);"
	 "CREATE INDEX cases_category ON cases (category_id);"
	 "CREATE INDEX cases_status ON cases (status, id);"
	 "CREATE INDEX cases_grams ON cases USING gin (grams);"},
	{0, NULL, NULL},
};

#define CASE_COLUMNS                                                                               \
	"k.id, k.appeal_id, k.title, k.problem, k.solution, k.category_id, c.name, k.region_code," \
	" k.enterprise_id, k.enterprise_name, k.lead_unit, k.anonymised, k.status, k.created_by_name," \
	" k.created_at, k.updated_at, a.created_at"
#define CASE_FROM                                                                                  \
	" FROM cases k JOIN appeals a ON a.id = k.appeal_id"                                       \
	" LEFT JOIN appeal_categories c ON c.id = k.category_id"

const struct sql SQL_CASE_GET = SQL("SELECT " CASE_COLUMNS CASE_FROM " WHERE k.id = $1");
const struct sql SQL_CASE_BY_APPEAL = SQL("SELECT id FROM cases WHERE appeal_id = $1");
const struct sql SQL_CASE_INSERT =
	SQL("INSERT INTO cases (appeal_id, title, problem, solution, category_id, region_code,"
	    " enterprise_id, enterprise_name, lead_unit, anonymised, status, created_by,"
	    " created_by_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
	    " $10, 'published', $11, $12, $13, $13) RETURNING id");
const struct sql SQL_CASE_UPDATE =
	SQL("UPDATE cases SET title = $2, problem = $3, solution = $4, enterprise_id = $5,"
	    " enterprise_name = $6, anonymised = $7, status = $8, updated_at = $9 WHERE id = $1");
const struct sql SQL_CASE_INDEX_DELETE =
	SQL2("DELETE FROM cases_fts WHERE rowid = $1", "");
const struct sql SQL_CASE_INDEX =
	SQL2("INSERT INTO cases_fts (rowid, grams) VALUES ($1, $2)",
	     "UPDATE cases SET grams = string_to_array(CAST($2 AS TEXT), ' ') WHERE id = $1");

/* $1 status (NULL: published), $2 category (or its top level), $3 the index expression (NULL:
 * no search), $4..$6 the terms each hit contains, $7 limit, $8 offset. */
#define CASE_WHERE                                                                                 \
	" k.status = COALESCE(CAST($1 AS TEXT), 'published')"                                      \
	" AND (CAST($2 AS BIGINT) IS NULL OR k.category_id = $2 OR c.parent_id = $2)"
#define CASE_TERMS(fn)                                                                             \
	" AND (CAST($4 AS TEXT) IS NULL OR " fn "(lower(k.title || ' ' || k.problem || ' ' ||"     \
	" k.solution || ' ' || k.enterprise_name), $4) > 0)"                                      \
	" AND (CAST($5 AS TEXT) IS NULL OR " fn "(lower(k.title || ' ' || k.problem || ' ' ||"     \
	" k.solution || ' ' || k.enterprise_name), $5) > 0)"                                      \
	" AND (CAST($6 AS TEXT) IS NULL OR " fn "(lower(k.title || ' ' || k.problem || ' ' ||"     \
	" k.solution || ' ' || k.enterprise_name), $6) > 0)"
#define CASE_INDEX_SQ                                                                              \
	" AND (CAST($3 AS TEXT) IS NULL OR k.id IN (SELECT rowid FROM cases_fts WHERE cases_fts"   \
	" MATCH $3))"
#define CASE_INDEX_PG " AND (CAST($3 AS TEXT) IS NULL OR k.grams @> string_to_array($3, ' '))"

const struct sql SQL_CASE_LIST =
	SQL2("SELECT " CASE_COLUMNS CASE_FROM " WHERE" CASE_WHERE CASE_INDEX_SQ CASE_TERMS("instr")
	     " ORDER BY k.id DESC LIMIT $7 OFFSET $8",
	     "SELECT " CASE_COLUMNS CASE_FROM " WHERE" CASE_WHERE CASE_INDEX_PG CASE_TERMS("strpos")
	     " ORDER BY k.id DESC LIMIT $7 OFFSET $8");
const struct sql SQL_CASE_COUNT =
	SQL2("SELECT COUNT(*)" CASE_FROM " WHERE" CASE_WHERE CASE_INDEX_SQ CASE_TERMS("instr"),
	     "SELECT COUNT(*)" CASE_FROM " WHERE" CASE_WHERE CASE_INDEX_PG CASE_TERMS("strpos"));
