/* cases_sql.h: the statements of cases_sql.c (private to the module). */
#ifndef TIEJIAN_CASES_SQL_H
#define TIEJIAN_CASES_SQL_H

#include "db/db.h"
#include "db/migrate.h"

extern const struct migration cases_migrations[];
extern const struct sql SQL_CASE_GET, SQL_CASE_BY_APPEAL, SQL_CASE_INSERT, SQL_CASE_UPDATE,
	SQL_CASE_INDEX_DELETE, SQL_CASE_INDEX, SQL_CASE_LIST, SQL_CASE_COUNT;

#endif
