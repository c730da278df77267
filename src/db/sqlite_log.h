/* sqlite_log.h: SQLite's write-ahead log written in runs (sqlite_log.c). */
#ifndef TIEJIAN_DB_SQLITE_LOG_H
#define TIEJIAN_DB_SQLITE_LOG_H

#include <sqlite3.h>

/*
 * Makes the log-gathering VFS SQLite's default, over the default it finds; once, before the
 * first connection opens. A connection's writes to its log that follow one another are held
 * (up to 120 KB) and written in one call:
 *   - once the page of a commit frame is held, before SQLite publishes the commit;
 *   - before anything else is done with the log (a read, a sync, its size, a truncation, a
 *     lock, a file control, its closing), or a write elsewhere in it;
 *   - when the next write would outgrow what is held.
 * An SQLite result code.
 */
int sq_log_vfs_register(void);

/* Writes out what h's log still holds (after a commit that did not sync). SQLite's code. */
int sq_log_flush(sqlite3 *h);

#endif
