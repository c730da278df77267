/* audit_sql.h: the statements of audit_sql.c (private to src/audit). */
#ifndef TIEJIAN_AUDIT_SQL_H
#define TIEJIAN_AUDIT_SQL_H

#include "auth/scope.h"
#include "db/db.h"
#include "db/migrate.h"

extern const struct migration audit_migrations[];
extern const struct sql SQL_AUDIT_LOCK, SQL_AUDIT_HEAD, SQL_AUDIT_INSERT, SQL_AUDIT_WALK,
	SQL_AUDIT_LIST, SQL_AUDIT_COUNT;

#endif
