/* sqlite_log.h: SQLite's write-ahead log written in runs (sqlite_log.c). */
#ifndef TIEJIAN_DB_SQLITE_LOG_H
#define TIEJIAN_DB_SQLITE_LOG_H

#include <sqlite3.h>

/* The most a run holds. Under 128 KB: the default VFS writes at most 0x1ffff bytes a call and
 * takes a call that wrote nothing, as the rest of a write 128 KB long would be, for a full
 * disk. */
#define SQ_LOG_RUN_BYTES (120 * 1024)

/*
 * Makes the log-gathering VFS SQLite's default, over the default it finds; once, before the
 * first connection opens. A connection's writes to its log that follow one another are held
 * (up to 120 KB) and written in one call:
 *   - once the page of a commit frame is held (a failure fails the commit);
 *   - before SQLite publishes a commit, and before it lets go of any shared-memory lock (the
 *     log's write lock among them): nothing is held once another writer may write the log;
 *   - before anything else is done with the log (a read, a sync, its size, a truncation, a
 *     file control, its closing), or a write elsewhere in it;
 *   - when the next write would outgrow what is held.
 * An SQLite result code.
 */
int sq_log_vfs_register(void);

/* Writes out what h's log still holds, or returns a failure to write it that could not be
 * returned where it happened (at the publishing of a commit). SQLite's code. */
int sq_log_flush(sqlite3 *h);

#endif
