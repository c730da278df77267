/*
 * sqlite_log.c: the write-ahead log written in runs, not frame by frame.
 *
 * SQLite appends a commit to the log one frame at a time, each in two writes: the frame's
 * 24-byte header, then its page. A filing batch of 140 pages made 280 pwrite() calls, each
 * straddling the kernel's pages (a frame is 4,120 bytes): a third of the writer's time. This
 * VFS, over the default one, gathers a connection's writes to its log that follow one another
 * and hands them to the file in one call (sqlite_log.h says when).
 *
 * What is held must never reach the file after the connection gave up the log's write lock:
 * another connection or process may then write its own frames at the same place (after a
 * rolled-back transaction whose pages had spilled, say), and the held bytes would land on
 * them. Nor may a commit be published while any of its bytes are held: readers would find
 * pages missing. So the database file is wrapped as well, and the connection's log linked to
 * it (SQLite opens the log with a name that leads back to the database's own, the same
 * pointer: sqlite3_filename_database), and what is held is written
 *   - at the shared-memory barrier SQLite passes before it publishes a commit in the shared
 *     index (walIndexWriteHdr) and at every release of a shared-memory lock, the log's write
 *     lock among them; a failure there cannot be returned, so it is kept and returned by the
 *     next sync, sq_log_flush() or closing;
 *   - and, so that a failure fails the commit itself before anyone can see it, once the page
 *     of a commit frame is held (a frame header whose "database size after commit" is not
 *     zero: SQLite's file format, "WAL Frame Format").
 * A log whose database file is not found (another VFS opened it) is written through, unheld.
 * Other files (a rollback journal, temporary files) are the default VFS's own.
 */
#include "db/sqlite_log.h"

#include "db/db.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define LOG_RUN_BYTES SQ_LOG_RUN_BYTES
#define FRAME_HEADER  24
#define LOG_HEADER    32
#define MAX_DB_FILES  256

struct main_file;

/* Each is followed, in the same allocation, by the default VFS's file (real_of). */
struct log_file {
	sqlite3_file base;
	struct main_file
		*db; /* its database's file, the same connection's; NULL: written through */
	unsigned char *buf;
	sqlite3_int64 at; /* the file offset of buf[0] */
	int len;
	int failed;	  /* a write that failed where it could not be returned, until returned */
	bool commit_next; /* the next write is a commit frame's page */
};

struct main_file {
	sqlite3_file base;
	const char *name;     /* as SQLite passed it: what its log's name leads back to */
	struct log_file *log; /* while the log is open */
};

static sqlite3_vfs *base_vfs;
static sqlite3_vfs log_vfs;
static atomic_ullong runs_written, bytes_written; /* atomic: any connection adds */

/* The database files open (guarded by files_mu), for a log opening to find its own. */
static pthread_mutex_t files_mu = PTHREAD_MUTEX_INITIALIZER;
static struct main_file *files[MAX_DB_FILES];

/* What this VFS keeps before the default VFS's file, in the allocation SQLite makes. */
union wrap {
	struct log_file log;
	struct main_file db;
};

static sqlite3_file *real_of(sqlite3_file *p)
{
	return (sqlite3_file *)((char *)p + sizeof(union wrap));
}

static int flush(struct log_file *f)
{
	if (f->len == 0)
		return SQLITE_OK;
	sqlite3_file *real = real_of(&f->base);
	int rc = real->pMethods->xWrite(real, f->buf, f->len, f->at);
	atomic_fetch_add_explicit(&runs_written, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&bytes_written, (unsigned long long)f->len, memory_order_relaxed);
	f->len = 0;
	return rc;
}

/* Where SQLite cannot be told: kept for the next call that can tell it. */
static void flush_or_keep(struct log_file *f)
{
	int rc = flush(f);
	if (rc && !f->failed)
		f->failed = rc;
}

/* A failure kept, or what flushing now gives. */
static int flush_or_kept(struct log_file *f)
{
	int rc = flush(f);
	if (!rc && f->failed)
		rc = f->failed;
	f->failed = 0;
	return rc;
}

/* ---- the log ----------------------------------------------------------------------------- */

static struct log_file *lf(sqlite3_file *p)
{
	return (struct log_file *)p;
}

static int log_close(sqlite3_file *p)
{
	struct log_file *f = lf(p);
	int rc = flush_or_kept(f);
	pthread_mutex_lock(&files_mu);
	if (f->db)
		f->db->log = NULL;
	pthread_mutex_unlock(&files_mu);
	sqlite3_file *real = real_of(p);
	int rc2 = real->pMethods->xClose(real);
	sqlite3_free(f->buf);
	f->buf = NULL;
	return rc ? rc : rc2;
}

static int log_read(sqlite3_file *p, void *out, int n, sqlite3_int64 off)
{
	int rc = flush(lf(p));
	return rc ? rc : real_of(p)->pMethods->xRead(real_of(p), out, n, off);
}

static int log_write(sqlite3_file *p, const void *data, int n, sqlite3_int64 off)
{
	struct log_file *f = lf(p);
	sqlite3_file *real = real_of(p);
	bool commit = f->commit_next;
	const unsigned char *d = data;
	f->commit_next = n == FRAME_HEADER && off >= LOG_HEADER && (d[4] | d[5] | d[6] | d[7]);
	if (f->len > 0 && (off != f->at + f->len || f->len + n > LOG_RUN_BYTES)) {
		int rc = flush(f);
		if (rc)
			return rc;
	}
	if (!f->buf && f->db) /* the first write: a connection that only reads holds no buffer */
		f->buf = sqlite3_malloc(LOG_RUN_BYTES);
	if (!f->buf || !f->db || n > LOG_RUN_BYTES)
		return real->pMethods->xWrite(real, data, n, off);
	if (f->len == 0)
		f->at = off;
	memcpy(f->buf + f->len, data, (size_t)n);
	f->len += n;
	return commit ? flush(f) : SQLITE_OK;
}

static int log_truncate(sqlite3_file *p, sqlite3_int64 size)
{
	int rc = flush(lf(p));
	return rc ? rc : real_of(p)->pMethods->xTruncate(real_of(p), size);
}

static int log_sync(sqlite3_file *p, int flags)
{
	int rc = flush_or_kept(lf(p));
	return rc ? rc : real_of(p)->pMethods->xSync(real_of(p), flags);
}

static int log_file_size(sqlite3_file *p, sqlite3_int64 *size)
{
	int rc = flush(lf(p));
	return rc ? rc : real_of(p)->pMethods->xFileSize(real_of(p), size);
}

static int log_file_control(sqlite3_file *p, int op, void *arg)
{
	int rc = flush(lf(p));
	return rc ? rc : real_of(p)->pMethods->xFileControl(real_of(p), op, arg);
}

/* SQLite never locks a log, maps it or fetches from it: those go to the database file. */
static int log_lock(sqlite3_file *p, int level)
{
	return real_of(p)->pMethods->xLock(real_of(p), level);
}

static int log_unlock(sqlite3_file *p, int level)
{
	return real_of(p)->pMethods->xUnlock(real_of(p), level);
}

static int log_check_reserved(sqlite3_file *p, int *out)
{
	return real_of(p)->pMethods->xCheckReservedLock(real_of(p), out);
}

static int log_sector_size(sqlite3_file *p)
{
	return real_of(p)->pMethods->xSectorSize(real_of(p));
}

static int log_device_characteristics(sqlite3_file *p)
{
	return real_of(p)->pMethods->xDeviceCharacteristics(real_of(p));
}

static const sqlite3_io_methods log_methods = {
	.iVersion = 1,
	.xClose = log_close,
	.xRead = log_read,
	.xWrite = log_write,
	.xTruncate = log_truncate,
	.xSync = log_sync,
	.xFileSize = log_file_size,
	.xLock = log_lock,
	.xUnlock = log_unlock,
	.xCheckReservedLock = log_check_reserved,
	.xFileControl = log_file_control,
	.xSectorSize = log_sector_size,
	.xDeviceCharacteristics = log_device_characteristics,
};

/* ---- the database file: the default's, but for its log's link ------------------------------ */

static struct main_file *mainf(sqlite3_file *p)
{
	return (struct main_file *)p;
}

static int main_close(sqlite3_file *p)
{
	if (mainf(p)->log) /* SQLite closes the log first; were it still open */
		flush_or_keep(mainf(p)->log);
	pthread_mutex_lock(&files_mu);
	for (int i = 0; i < MAX_DB_FILES; i++)
		if (files[i] == mainf(p))
			files[i] = NULL;
	if (mainf(p)->log)
		mainf(p)->log->db = NULL;
	pthread_mutex_unlock(&files_mu);
	return real_of(p)->pMethods->xClose(real_of(p));
}

/* Before a commit is published, and before any lock on the shared index is let go. */
static void main_shm_barrier(sqlite3_file *p)
{
	if (mainf(p)->log)
		flush_or_keep(mainf(p)->log);
	real_of(p)->pMethods->xShmBarrier(real_of(p));
}

static int main_shm_lock(sqlite3_file *p, int offset, int n, int flags)
{
	if ((flags & SQLITE_SHM_UNLOCK) && mainf(p)->log)
		flush_or_keep(mainf(p)->log);
	return real_of(p)->pMethods->xShmLock(real_of(p), offset, n, flags);
}

#define REAL(p) real_of(p)->pMethods
static int main_read(sqlite3_file *p, void *out, int n, sqlite3_int64 off)
{
	return REAL(p)->xRead(real_of(p), out, n, off);
}
static int main_write(sqlite3_file *p, const void *data, int n, sqlite3_int64 off)
{
	return REAL(p)->xWrite(real_of(p), data, n, off);
}
static int main_truncate(sqlite3_file *p, sqlite3_int64 size)
{
	return REAL(p)->xTruncate(real_of(p), size);
}
static int main_sync(sqlite3_file *p, int flags)
{
	return REAL(p)->xSync(real_of(p), flags);
}
static int main_file_size(sqlite3_file *p, sqlite3_int64 *size)
{
	return REAL(p)->xFileSize(real_of(p), size);
}
static int main_lock(sqlite3_file *p, int level)
{
	return REAL(p)->xLock(real_of(p), level);
}
static int main_unlock(sqlite3_file *p, int level)
{
	return REAL(p)->xUnlock(real_of(p), level);
}
static int main_check_reserved(sqlite3_file *p, int *out)
{
	return REAL(p)->xCheckReservedLock(real_of(p), out);
}
static int main_file_control(sqlite3_file *p, int op, void *arg)
{
	return REAL(p)->xFileControl(real_of(p), op, arg);
}
static int main_sector_size(sqlite3_file *p)
{
	return REAL(p)->xSectorSize(real_of(p));
}
static int main_device_characteristics(sqlite3_file *p)
{
	return REAL(p)->xDeviceCharacteristics(real_of(p));
}
static int main_shm_map(sqlite3_file *p, int page, int size, int extend, void volatile **out)
{
	return REAL(p)->xShmMap(real_of(p), page, size, extend, out);
}
static int main_shm_unmap(sqlite3_file *p, int del)
{
	return REAL(p)->xShmUnmap(real_of(p), del);
}
static int main_fetch(sqlite3_file *p, sqlite3_int64 off, int n, void **out)
{
	return REAL(p)->xFetch(real_of(p), off, n, out);
}
static int main_unfetch(sqlite3_file *p, sqlite3_int64 off, void *page)
{
	return REAL(p)->xUnfetch(real_of(p), off, page);
}
#undef REAL

static const sqlite3_io_methods main_methods = {
	.iVersion = 3,
	.xClose = main_close,
	.xRead = main_read,
	.xWrite = main_write,
	.xTruncate = main_truncate,
	.xSync = main_sync,
	.xFileSize = main_file_size,
	.xLock = main_lock,
	.xUnlock = main_unlock,
	.xCheckReservedLock = main_check_reserved,
	.xFileControl = main_file_control,
	.xSectorSize = main_sector_size,
	.xDeviceCharacteristics = main_device_characteristics,
	.xShmMap = main_shm_map,
	.xShmLock = main_shm_lock,
	.xShmBarrier = main_shm_barrier,
	.xShmUnmap = main_shm_unmap,
	.xFetch = main_fetch,
	.xUnfetch = main_unfetch,
};

/* ---- opening ------------------------------------------------------------------------------- */

/* A main database file (methods of version 3 under it, or it is the default's own, and its log
 * is written through), or a log linked to its database's file; anything else the default's. */
static int x_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *p, int flags, int *out)
{
	(void)vfs;
	bool is_db = flags & SQLITE_OPEN_MAIN_DB, is_log = flags & SQLITE_OPEN_WAL;
	if (!name || !(is_db || is_log))
		return base_vfs->xOpen(base_vfs, name, p, flags, out);
	sqlite3_file *real = real_of(p);
	memset(p, 0, sizeof(union wrap));
	int rc = base_vfs->xOpen(base_vfs, name, real, flags, out);
	if (rc) {
		if (real->pMethods)
			real->pMethods->xClose(real);
		return rc;
	}
	if (is_db && real->pMethods->iVersion < 3) {
		real->pMethods->xClose(real);
		return base_vfs->xOpen(base_vfs, name, p, flags, out);
	}
	pthread_mutex_lock(&files_mu);
	if (is_db) {
		int i = 0;
		while (i < MAX_DB_FILES && files[i])
			i++;
		if (i < MAX_DB_FILES) {
			mainf(p)->name = name;
			files[i] = mainf(p);
		}
		p->pMethods = &main_methods;
	} else {
		const char *db_name = sqlite3_filename_database(name);
		for (int i = 0; i < MAX_DB_FILES && !lf(p)->db; i++)
			if (files[i] && files[i]->name == db_name && !files[i]->log)
				lf(p)->db = files[i];
		if (lf(p)->db)
			lf(p)->db->log = lf(p);
		p->pMethods = &log_methods;
	}
	pthread_mutex_unlock(&files_mu);
	return SQLITE_OK;
}

#define FORWARD(name, ...)                                                                         \
	(void)v;                                                                                   \
	return base_vfs->name(base_vfs, __VA_ARGS__)
static int x_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
	FORWARD(xDelete, name, sync_dir);
}
static int x_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	FORWARD(xAccess, name, flags, out);
}
static int x_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
	FORWARD(xFullPathname, name, n, out);
}
static void *x_dl_open(sqlite3_vfs *v, const char *name)
{
	FORWARD(xDlOpen, name);
}
static void x_dl_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	base_vfs->xDlError(base_vfs, n, out);
}
static void (*x_dl_sym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	FORWARD(xDlSym, h, sym);
}
static void x_dl_close(sqlite3_vfs *v, void *h)
{
	(void)v;
	base_vfs->xDlClose(base_vfs, h);
}
static int x_randomness(sqlite3_vfs *v, int n, char *out)
{
	FORWARD(xRandomness, n, out);
}
static int x_sleep(sqlite3_vfs *v, int us)
{
	FORWARD(xSleep, us);
}
static int x_current_time(sqlite3_vfs *v, double *out)
{
	FORWARD(xCurrentTime, out);
}
static int x_get_last_error(sqlite3_vfs *v, int n, char *out)
{
	FORWARD(xGetLastError, n, out);
}
static int x_current_time_int64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	FORWARD(xCurrentTimeInt64, out);
}

int sq_log_flush(sqlite3 *h)
{
	sqlite3_file *p = NULL;
	if (sqlite3_file_control(h, "main", SQLITE_FCNTL_JOURNAL_POINTER, &p) != SQLITE_OK || !p ||
	    p->pMethods != &log_methods)
		return SQLITE_OK;
	return flush_or_kept(lf(p));
}

void db_log_runs(unsigned long long *runs, unsigned long long *bytes)
{
	*runs = atomic_load_explicit(&runs_written, memory_order_relaxed);
	*bytes = atomic_load_explicit(&bytes_written, memory_order_relaxed);
}

int sq_log_vfs_register(void)
{
	if (base_vfs)
		return SQLITE_OK; /* once: over itself, it would call itself */
	sqlite3_vfs *base = sqlite3_vfs_find(NULL);
	if (!base || base->iVersion < 2)
		return SQLITE_ERROR;
	base_vfs = base;
	log_vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(union wrap) + base_vfs->szOsFile,
		.mxPathname = base_vfs->mxPathname,
		.zName = "tiejian-log",
		.xOpen = x_open,
		.xDelete = x_delete,
		.xAccess = x_access,
		.xFullPathname = x_full_pathname,
		.xDlOpen = x_dl_open,
		.xDlError = x_dl_error,
		.xDlSym = x_dl_sym,
		.xDlClose = x_dl_close,
		.xRandomness = x_randomness,
		.xSleep = x_sleep,
		.xCurrentTime = x_current_time,
		.xGetLastError = x_get_last_error,
		.xCurrentTimeInt64 = x_current_time_int64,
	};
	return sqlite3_vfs_register(&log_vfs, 1);
}
