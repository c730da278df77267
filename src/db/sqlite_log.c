/*
 * sqlite_log.c: the write-ahead log written in runs, not frame by frame.
 *
 * SQLite appends a commit to the log one frame at a time, each in two writes: the frame's
 * 24-byte header, then its page. A filing batch of 140 pages made 280 pwrite() calls, each
 * straddling the kernel's pages (a frame is 4,120 bytes): a third of the writer's time. This
 * VFS, over the default one, gathers a connection's writes to its log that follow one another
 * and hands them to the file in one call (sqlite_log.h says when). Other files (the database,
 * a rollback journal) are the default VFS's own, untouched.
 *
 * Other connections must find a commit's frames in the file as soon as SQLite publishes the
 * commit in the shared index, which it does without calling the file in between; so the run
 * is handed over once the page of a commit frame is in it (a frame header whose "database size
 * after commit" is not zero: SQLite's file format, "WAL Frame Format"). A write that fails
 * there fails the commit itself, before anyone can see it. What SQLite may write after that
 * frame in the same commit (checksums written again over frames it overwrote) is in the file
 * at the commit's sync, or, for a commit that does not sync (a deferred one), when the
 * connection's WAL hook calls sq_log_flush(), before the log is synced through another
 * descriptor (db_pool_sync).
 */
#include "db/sqlite_log.h"

#include "db/db.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Under 128 KB: the default VFS writes at most 0x1ffff bytes a call and takes a call that
 * wrote nothing, as the rest of a write 128 KB long would be, for a full disk. */
#define LOG_RUN_BYTES (120 * 1024)
#define FRAME_HEADER  24
#define LOG_HEADER    32

struct log_file {
	sqlite3_file base;
	sqlite3_file *real; /* right after this struct, in the same allocation */
	unsigned char *buf;
	sqlite3_int64 at; /* the file offset of buf[0] */
	int len;
	bool commit_next; /* the next write is a commit frame's page */
};

static sqlite3_vfs *base_vfs;
static sqlite3_vfs log_vfs;
static atomic_ullong runs_written, bytes_written;

static int flush(struct log_file *f)
{
	if (f->len == 0)
		return SQLITE_OK;
	int rc = f->real->pMethods->xWrite(f->real, f->buf, f->len, f->at);
	atomic_fetch_add_explicit(&runs_written, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&bytes_written, (unsigned long long)f->len, memory_order_relaxed);
	f->len = 0;
	return rc;
}

static struct log_file *lf(sqlite3_file *p)
{
	return (struct log_file *)p;
}

static int x_close(sqlite3_file *p)
{
	struct log_file *f = lf(p);
	int rc = flush(f);
	int rc2 = f->real->pMethods->xClose(f->real);
	sqlite3_free(f->buf);
	f->buf = NULL;
	return rc ? rc : rc2;
}

static int x_read(sqlite3_file *p, void *out, int n, sqlite3_int64 off)
{
	struct log_file *f = lf(p);
	int rc = flush(f);
	return rc ? rc : f->real->pMethods->xRead(f->real, out, n, off);
}

static int x_write(sqlite3_file *p, const void *data, int n, sqlite3_int64 off)
{
	struct log_file *f = lf(p);
	bool commit = f->commit_next;
	const unsigned char *d = data;
	f->commit_next = n == FRAME_HEADER && off >= LOG_HEADER && (d[4] | d[5] | d[6] | d[7]);
	if (f->len > 0 && (off != f->at + f->len || f->len + n > LOG_RUN_BYTES)) {
		int rc = flush(f);
		if (rc)
			return rc;
	}
	if (!f->buf) /* the first write: a connection that only reads never holds a buffer */
		f->buf = sqlite3_malloc(LOG_RUN_BYTES);
	int rc = SQLITE_OK;
	if (n > LOG_RUN_BYTES || !f->buf) {
		rc = f->real->pMethods->xWrite(f->real, data, n, off);
	} else {
		if (f->len == 0)
			f->at = off;
		memcpy(f->buf + f->len, data, (size_t)n);
		f->len += n;
	}
	if (!rc && commit)
		rc = flush(f);
	return rc;
}

#define FLUSH_THEN(call)                                                                           \
	struct log_file *f = lf(p);                                                                \
	int rc = flush(f);                                                                         \
	return rc ? rc : (call)

static int x_truncate(sqlite3_file *p, sqlite3_int64 size)
{
	FLUSH_THEN(f->real->pMethods->xTruncate(f->real, size));
}

static int x_sync(sqlite3_file *p, int flags)
{
	FLUSH_THEN(f->real->pMethods->xSync(f->real, flags));
}

static int x_file_size(sqlite3_file *p, sqlite3_int64 *size)
{
	FLUSH_THEN(f->real->pMethods->xFileSize(f->real, size));
}

static int x_lock(sqlite3_file *p, int level)
{
	FLUSH_THEN(f->real->pMethods->xLock(f->real, level));
}

static int x_unlock(sqlite3_file *p, int level)
{
	FLUSH_THEN(f->real->pMethods->xUnlock(f->real, level));
}

static int x_check_reserved(sqlite3_file *p, int *out)
{
	return lf(p)->real->pMethods->xCheckReservedLock(lf(p)->real, out);
}

static int x_file_control(sqlite3_file *p, int op, void *arg)
{
	FLUSH_THEN(f->real->pMethods->xFileControl(f->real, op, arg));
}

static int x_sector_size(sqlite3_file *p)
{
	return lf(p)->real->pMethods->xSectorSize(lf(p)->real);
}

static int x_device_characteristics(sqlite3_file *p)
{
	return lf(p)->real->pMethods->xDeviceCharacteristics(lf(p)->real);
}

static int x_shm_map(sqlite3_file *p, int page, int size, int extend, void volatile **out)
{
	return lf(p)->real->pMethods->xShmMap(lf(p)->real, page, size, extend, out);
}

static int x_shm_lock(sqlite3_file *p, int offset, int n, int flags)
{
	return lf(p)->real->pMethods->xShmLock(lf(p)->real, offset, n, flags);
}

static void x_shm_barrier(sqlite3_file *p)
{
	lf(p)->real->pMethods->xShmBarrier(lf(p)->real);
}

static int x_shm_unmap(sqlite3_file *p, int del)
{
	return lf(p)->real->pMethods->xShmUnmap(lf(p)->real, del);
}

static int x_fetch(sqlite3_file *p, sqlite3_int64 off, int n, void **out)
{
	FLUSH_THEN(f->real->pMethods->xFetch(f->real, off, n, out));
}

static int x_unfetch(sqlite3_file *p, sqlite3_int64 off, void *page)
{
	return lf(p)->real->pMethods->xUnfetch(lf(p)->real, off, page);
}

static const sqlite3_io_methods log_methods = {
	.iVersion = 3,
	.xClose = x_close,
	.xRead = x_read,
	.xWrite = x_write,
	.xTruncate = x_truncate,
	.xSync = x_sync,
	.xFileSize = x_file_size,
	.xLock = x_lock,
	.xUnlock = x_unlock,
	.xCheckReservedLock = x_check_reserved,
	.xFileControl = x_file_control,
	.xSectorSize = x_sector_size,
	.xDeviceCharacteristics = x_device_characteristics,
	.xShmMap = x_shm_map,
	.xShmLock = x_shm_lock,
	.xShmBarrier = x_shm_barrier,
	.xShmUnmap = x_shm_unmap,
	.xFetch = x_fetch,
	.xUnfetch = x_unfetch,
};

/* A log gets this VFS's methods and its buffer; any other file is the default VFS's own (the
 * allocation is this VFS's size, larger than the default's). */
static int x_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *p, int flags, int *out)
{
	(void)vfs;
	struct log_file *f = lf(p);
	sqlite3_file *real = (sqlite3_file *)(f + 1);
	if (!(flags & SQLITE_OPEN_WAL))
		return base_vfs->xOpen(base_vfs, name, p, flags, out);
	memset(f, 0, sizeof(*f));
	f->real = real;
	int rc = base_vfs->xOpen(base_vfs, name, real, flags, out);
	if (rc) {
		f->base.pMethods = NULL;
		return rc;
	}
	if (real->pMethods->iVersion < 3) {
		/* a default VFS too old to forward to: the log as it is, without runs */
		real->pMethods->xClose(real);
		return base_vfs->xOpen(base_vfs, name, p, flags, out);
	}
	f->base.pMethods = &log_methods;
	return SQLITE_OK;
}

#define FORWARD(name, ...) return base_vfs->name(base_vfs, __VA_ARGS__)
static int x_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
	(void)v;
	FORWARD(xDelete, name, sync_dir);
}
static int x_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	FORWARD(xAccess, name, flags, out);
}
static int x_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	FORWARD(xFullPathname, name, n, out);
}
static void *x_dl_open(sqlite3_vfs *v, const char *name)
{
	(void)v;
	FORWARD(xDlOpen, name);
}
static void x_dl_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	base_vfs->xDlError(base_vfs, n, out);
}
static void (*x_dl_sym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	FORWARD(xDlSym, h, sym);
}
static void x_dl_close(sqlite3_vfs *v, void *h)
{
	(void)v;
	base_vfs->xDlClose(base_vfs, h);
}
static int x_randomness(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	FORWARD(xRandomness, n, out);
}
static int x_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	FORWARD(xSleep, us);
}
static int x_current_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	FORWARD(xCurrentTime, out);
}
static int x_get_last_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	FORWARD(xGetLastError, n, out);
}
static int x_current_time_int64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	FORWARD(xCurrentTimeInt64, out);
}

int sq_log_flush(sqlite3 *h)
{
	sqlite3_file *p = NULL;
	if (sqlite3_file_control(h, "main", SQLITE_FCNTL_JOURNAL_POINTER, &p) != SQLITE_OK || !p ||
	    p->pMethods != &log_methods)
		return SQLITE_OK;
	return flush(lf(p));
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
	base_vfs = sqlite3_vfs_find(NULL);
	if (!base_vfs || base_vfs->iVersion < 2)
		return SQLITE_ERROR;
	log_vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(struct log_file) + base_vfs->szOsFile,
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
