/* orgs_sql.h: the statements of orgs_sql.c (private to the module). */
#ifndef TIEJIAN_ORGS_SQL_H
#define TIEJIAN_ORGS_SQL_H

#include "db/db.h"
#include "db/migrate.h"

extern const struct migration orgs_migrations[];
extern const struct sql SQL_ORGS_LIST, SQL_ORGS_COUNT, SQL_ORGS_TREE, SQL_ORGS_GET,
	SQL_ORGS_INSERT, SQL_ORGS_SET_PATH, SQL_ORGS_UPDATE, SQL_ORGS_BY_CODE, SQL_ORGS_ANY;

#endif
