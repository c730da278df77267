/* notify_sql.h: the statements of notify_sql.c (private to the module). */
#ifndef TIEJIAN_NOTIFY_SQL_H
#define TIEJIAN_NOTIFY_SQL_H

#include "db/db.h"
#include "db/migrate.h"

extern const struct migration notify_migrations[];
extern const struct sql SQL_NOTE_INSERT, SQL_NOTE_LIST, SQL_NOTE_COUNT, SQL_NOTE_UNREAD,
	SQL_NOTE_READ, SQL_NOTE_MINE, SQL_NOTE_READ_ALL, SQL_NOTE_PERM_HOLDERS,
	SQL_NOTE_ENTERPRISE_USERS, SQL_NOTE_USER, SQL_HOOK_GET, SQL_HOOK_PUT, SQL_OUTBOX_INSERT,
	SQL_OUTBOX_DUE, SQL_OUTBOX_DONE, SQL_OUTBOX_RETRY, SQL_OUTBOX_LIST, SQL_OUTBOX_COUNT,
	SQL_OUTBOX_REQUEUE, SQL_OUTBOX_STATUS_COUNTS;

#endif
