/* system_sql.h: the statements of system_sql.c (private to the module). */
#ifndef TIEJIAN_SYSTEM_SQL_H
#define TIEJIAN_SYSTEM_SQL_H

#include "db/db.h"
#include "db/migrate.h"

extern const struct migration system_migrations[];
extern const struct sql SQL_SYSTEM_PING, SQL_JOB_ENSURE, SQL_JOB_CLAIM, SQL_JOB_FINISH,
	SQL_JOB_RUN_LOG;

#endif
