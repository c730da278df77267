/* calendar_sql.h: the statements of calendar_sql.c (private to the module). */
#ifndef TIEJIAN_CALENDAR_SQL_H
#define TIEJIAN_CALENDAR_SQL_H

#include "db/db.h"
#include "db/migrate.h"

extern const struct migration calendar_migrations[];
extern const struct sql SQL_CAL_YEARS, SQL_CAL_DAYS_RANGE, SQL_CAL_YEAR_HAS,
	SQL_CAL_DELETE_YEAR, SQL_CAL_INSERT_DAY, SQL_CAL_UPSERT_YEAR, SQL_CAL_VERSION,
	SQL_CAL_VERSION_BUMP;

#endif
