/* enterprises_sql.h: the statements of enterprises_sql.c (private to the module). */
#ifndef TIEJIAN_ENTERPRISES_SQL_H
#define TIEJIAN_ENTERPRISES_SQL_H

#include "db/db.h"
#include "db/migrate.h"

extern const struct migration enterprises_migrations[];
extern const struct sql SQL_ENT_LIST, SQL_ENT_COUNT, SQL_ENT_GET, SQL_ENT_INSERT, SQL_ENT_UPDATE,
	SQL_ENT_BY_USCC, SQL_ENT_ORG_FOR_REGION, SQL_ENT_ANY;

#endif
