/* sqlite.c: the embedded SQLite backend of db.h (WAL, synchronous=FULL, statement cache). */
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "db/db_impl.h"
#include "db/sqlite_log.h"
#include "lib/log.h"

/* How long a statement waits for another connection's lock (busy_timeout), and a checkpoint
 * that starts the log again for its readers (sq_checkpoint). */
#define SQ_BUSY_MS 10000
#define SQ_RESTART_MS 200

struct sq_stmt {
	struct db_res res; /* first: the public result */
	const struct sql *key;
	sqlite3_stmt *stmt;
	int nparams;
	int *argmap; /* argmap[i-1]: which argument ($k, 1-based) bind index i takes */
	bool in_use;
	bool cached;
	int64_t changes;
	struct sq_stmt *next;
};

struct sq_db {
	struct db base; /* first */
	sqlite3 *h;
	struct sq_stmt **buckets;
	size_t nbuckets;
	size_t count;
	int trace_fd; /* TIEJIAN_SQL_TRACE: the statement log, or -1 */
	int log_frames; /* sync deferred: the log's frames after this connection's last commit */
};

static enum status map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return ST_OK;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_CHECK || rc == SQLITE_CONSTRAINT_NOTNULL)
			return ST_INVALID;
		return ST_CONFLICT; /* unique, primary key, foreign key, append-only trigger */
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		return ST_UNAVAILABLE;
	case SQLITE_FULL:
		return ST_STORAGE_FULL;
	case SQLITE_IOERR:
		return ST_UNAVAILABLE;
	case SQLITE_NOMEM:
		return ST_NOMEM;
	default:
		return ST_DB;
	}
}

static enum status fail(struct sq_db *d, int rc, const char *what)
{
	db_set_errmsg(&d->base, "%s: %s (%d)", what, sqlite3_errmsg(d->h), rc);
	return map_rc(rc);
}

static size_t bucket_of(const struct sq_db *d, const struct sql *key)
{
	uintptr_t k = (uintptr_t)key;
	k ^= k >> 17;
	k *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(k >> 20) & (d->nbuckets - 1);
}

static void stmt_free(struct sq_stmt *s)
{
	sqlite3_finalize(s->stmt);
	free(s->argmap);
	free(s);
}

static void cache_insert(struct sq_db *d, struct sq_stmt *s)
{
	if (d->count >= d->nbuckets * 2) {
		size_t n = d->nbuckets * 2;
		struct sq_stmt **nb = calloc(n, sizeof(*nb));
		if (nb) {
			struct sq_stmt **old = d->buckets;
			size_t oldn = d->nbuckets;
			d->buckets = nb;
			d->nbuckets = n;
			for (size_t i = 0; i < oldn; i++) {
				while (old[i]) {
					struct sq_stmt *e = old[i];
					old[i] = e->next;
					size_t b = bucket_of(d, e->key);
					e->next = d->buckets[b];
					d->buckets[b] = e;
				}
			}
			free(old);
		}
	}
	size_t b = bucket_of(d, s->key);
	s->next = d->buckets[b];
	d->buckets[b] = s;
	d->count++;
	s->cached = true;
}

static struct sq_stmt *prepare(struct sq_db *d, const struct sql *sql, enum status *st)
{
	struct sq_stmt *s = calloc(1, sizeof(*s));
	if (!s) {
		*st = ST_NOMEM;
		return NULL;
	}
	const char *tail = NULL;
	int rc = sqlite3_prepare_v3(d->h, sql->sqlite, -1, SQLITE_PREPARE_PERSISTENT, &s->stmt,
				    &tail);
	if (rc != SQLITE_OK) {
		*st = fail(d, rc, "prepare");
		db_set_errmsg(&d->base, "prepare: %s in: %.120s", sqlite3_errmsg(d->h), sql->sqlite);
		free(s);
		return NULL;
	}
	s->key = sql;
	s->nparams = sqlite3_bind_parameter_count(s->stmt);
	if (s->nparams) {
		s->argmap = calloc((size_t)s->nparams, sizeof(int));
		if (!s->argmap) {
			stmt_free(s);
			*st = ST_NOMEM;
			return NULL;
		}
		for (int i = 1; i <= s->nparams; i++) {
			const char *name = sqlite3_bind_parameter_name(s->stmt, i);
			long k = 0;
			if (name && name[0] == '$')
				k = strtol(name + 1, NULL, 10);
			if (k <= 0) {
				db_set_errmsg(&d->base, "parameter %d is not of the form $N in: %.120s",
					      i, sql->sqlite);
				stmt_free(s);
				*st = ST_INTERNAL;
				return NULL;
			}
			s->argmap[i - 1] = (int)k;
		}
	}
	s->res.db = &d->base;
	return s;
}

static struct db_res *sq_query(struct db *db, const struct sql *sql, const struct db_val *args,
			       size_t nargs)
{
	struct sq_db *d = (struct sq_db *)db;
	struct sq_stmt *s = NULL;
	enum status st = ST_OK;
	for (s = d->buckets[bucket_of(d, sql)]; s; s = s->next)
		if (s->key == sql)
			break;
	if (s && s->in_use)
		s = NULL; /* the same statement nested in itself: use a fresh one */
	else if (!s && (s = prepare(d, sql, &st)) != NULL)
		cache_insert(d, s);
	if (!s && st == ST_OK)
		s = prepare(d, sql, &st); /* uncached, finalized by done() */
	if (!s) {
		db->failed.db = db;
		db->failed.st = st;
		return &db->failed;
	}
	s->in_use = true;
	s->changes = 0;
	s->res.st = ST_OK;
	for (int i = 1; i <= s->nparams; i++) {
		int k = s->argmap[i - 1];
		if ((size_t)k > nargs) {
			db_set_errmsg(db, "statement wants $%d but got %zu arguments: %.120s", k,
				      nargs, sql->sqlite);
			s->res.st = ST_INTERNAL;
			return &s->res;
		}
		const struct db_val *v = &args[k - 1];
		int rc;
		switch (v->type) {
		case DB_T_INT:
			rc = sqlite3_bind_int64(s->stmt, i, v->i);
			break;
		case DB_T_REAL:
			rc = sqlite3_bind_double(s->stmt, i, v->d);
			break;
		case DB_T_TEXT:
			rc = sqlite3_bind_text64(s->stmt, i, v->p, v->len, SQLITE_STATIC,
						 SQLITE_UTF8);
			break;
		case DB_T_BLOB:
			rc = sqlite3_bind_blob64(s->stmt, i, v->p, v->len, SQLITE_STATIC);
			break;
		default:
			rc = sqlite3_bind_null(s->stmt, i);
			break;
		}
		if (rc != SQLITE_OK) {
			s->res.st = fail(d, rc, "bind");
			return &s->res;
		}
	}
	return &s->res;
}

static bool sq_next(struct db_res *r)
{
	struct sq_stmt *s = (struct sq_stmt *)r;
	struct sq_db *d = (struct sq_db *)r->db;
	int rc = sqlite3_step(s->stmt);
	if (rc == SQLITE_ROW)
		return true;
	if (rc == SQLITE_DONE) {
		s->changes = sqlite3_changes64(d->h);
		return false;
	}
	r->st = fail(d, rc, "step");
	if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
		r->db->broken = true;
	return false;
}

static bool sq_writes(struct db_res *r)
{
	return !sqlite3_stmt_readonly(((struct sq_stmt *)r)->stmt);
}

static enum status sq_done(struct db_res *r)
{
	struct sq_stmt *s = (struct sq_stmt *)r;
	enum status st = r->st;
	if (!s->cached) {
		stmt_free(s);
		return st;
	}
	sqlite3_reset(s->stmt);
	sqlite3_clear_bindings(s->stmt);
	s->in_use = false;
	return st;
}

static int64_t sq_changes(struct db_res *r)
{
	return ((struct sq_stmt *)r)->changes;
}

static int sq_col_count(struct db_res *r)
{
	return sqlite3_column_count(((struct sq_stmt *)r)->stmt);
}

static bool sq_col_null(struct db_res *r, int col)
{
	return sqlite3_column_type(((struct sq_stmt *)r)->stmt, col) == SQLITE_NULL;
}

static int64_t sq_col_int(struct db_res *r, int col)
{
	return sqlite3_column_int64(((struct sq_stmt *)r)->stmt, col);
}

static double sq_col_real(struct db_res *r, int col)
{
	return sqlite3_column_double(((struct sq_stmt *)r)->stmt, col);
}

static const char *sq_col_text(struct db_res *r, int col)
{
	return (const char *)sqlite3_column_text(((struct sq_stmt *)r)->stmt, col);
}

static size_t sq_col_len(struct db_res *r, int col)
{
	return (size_t)sqlite3_column_bytes(((struct sq_stmt *)r)->stmt, col);
}

static enum db_type sq_col_type(struct db_res *r, int col)
{
	switch (sqlite3_column_type(((struct sq_stmt *)r)->stmt, col)) {
	case SQLITE_INTEGER:
		return DB_T_INT;
	case SQLITE_FLOAT:
		return DB_T_REAL;
	case SQLITE_BLOB:
		return DB_T_BLOB;
	case SQLITE_TEXT:
		return DB_T_TEXT;
	default:
		return DB_T_NULL;
	}
}

static enum status sq_exec_script(struct db *db, const char *text)
{
	struct sq_db *d = (struct sq_db *)db;
	char *err = NULL;
	int rc = sqlite3_exec(d->h, text, NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		db_set_errmsg(db, "%s", err ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		return map_rc(rc);
	}
	return ST_OK;
}

/* SQLite's word of each row a statement changes: note a change to a table copies read. */
static void sq_row_changed(void *ctx, int op, const char *dbname, const char *table,
			   sqlite3_int64 rowid)
{
	(void)op, (void)dbname, (void)rowid;
	struct db *db = ctx;
	if (!db->wrote_copied && db_table_copied(table))
		db->wrote_copied = true;
}

static enum status pragma(struct sq_db *d, const char *text)
{
	return sq_exec_script(&d->base, text);
}

/* Once per process, before the first connection: no memory statistics, whose upkeep takes a
 * process-wide mutex around every allocation SQLite makes (tiejian never reads them); the log
 * written in runs (sqlite_log.c; without it, should it fail, SQLite writes frame by frame). */
static pthread_once_t sq_once = PTHREAD_ONCE_INIT;
static void sq_global(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sq_log_vfs_register() != SQLITE_OK)
		log_warnx("SQLite's log is written frame by frame: no default VFS to build on");
}

/* The statement log (bench/run.sh reads it to replay a request's statements in bench/ceiling):
 * with TIEJIAN_SQL_TRACE=FILE in the environment, every statement a connection runs is appended
 * to FILE as one line: its text, a tab, and the same text with the bound values in place
 * (sqlite3_expanded_sql), line breaks turned into spaces. Each line goes out in one write() on
 * an O_APPEND descriptor, so the lines of concurrent connections do not mix. For measuring
 * only: values go to the file as they are, passwords' hashes and tokens included. */
static int sq_trace(unsigned type, void *ctx, void *p, void *x)
{
	struct sq_db *d = ctx;
	const char *text = x;
	if (type != SQLITE_TRACE_STMT || (text && text[0] == '-' && text[1] == '-'))
		return 0; /* a trigger's statement: part of the one that fired it */
	const char *sql = sqlite3_sql(p);
	char *expanded = sqlite3_expanded_sql(p);
	if (!sql || !expanded) {
		sqlite3_free(expanded);
		return 0;
	}
	size_t n1 = strlen(sql), n2 = strlen(expanded);
	char *line = malloc(n1 + n2 + 2);
	if (line) {
		memcpy(line, sql, n1);
		line[n1] = '\t';
		memcpy(line + n1 + 1, expanded, n2);
		for (size_t i = 0; i < n1 + n2 + 1; i++)
			if (line[i] == '\n' || line[i] == '\r' || (line[i] == '\t' && i != n1))
				line[i] = ' ';
		line[n1 + n2 + 1] = '\n';
		ssize_t w = write(d->trace_fd, line, n1 + n2 + 2);
		(void)w; /* a lost line only shortens the log */
		free(line);
	}
	sqlite3_free(expanded);
	return 0;
}

static enum status sq_open(const char *url, struct db **out, char *err, size_t errlen)
{
	pthread_once(&sq_once, sq_global);
	struct sq_db *d = calloc(1, sizeof(*d));
	if (!d)
		return ST_NOMEM;
	d->base.drv = &db_sqlite_driver;
	d->nbuckets = 64;
	d->buckets = calloc(d->nbuckets, sizeof(*d->buckets));
	if (!d->buckets) {
		free(d);
		return ST_NOMEM;
	}
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
		    SQLITE_OPEN_EXRESCODE;
	int rc = sqlite3_open_v2(url, &d->h, flags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", url,
			 d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
		sqlite3_close(d->h);
		free(d->buckets);
		free(d);
		return ST_UNAVAILABLE;
	}
	sqlite3_extended_result_codes(d->h, 1);
	/* Plans that do not look at bound values: otherwise a statement with LIMIT $n is prepared
	 * again at every new binding (half of an appeal queue page went to parsing it again), and a
	 * prepared statement's plan stays the one it was tested with. No statement here relies on
	 * a bound LIKE pattern for its index. */
	sqlite3_db_config(d->h, SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int *)NULL);
	sqlite3_update_hook(d->h, sq_row_changed, &d->base);
	d->trace_fd = -1;
	const char *trace = getenv("TIEJIAN_SQL_TRACE");
	if (trace && *trace) {
		d->trace_fd = open(trace, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (d->trace_fd >= 0)
			sqlite3_trace_v2(d->h, SQLITE_TRACE_STMT, sq_trace, d);
	}
	/* busy_timeout first: switching to WAL itself may wait for another connection */
	enum status st = map_rc(sqlite3_busy_timeout(d->h, SQ_BUSY_MS));
	if (!st)
		st = pragma(d, "PRAGMA journal_mode=WAL");
	if (!st)
		st = pragma(d, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
			       "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000; "
			       "PRAGMA trusted_schema=OFF");
	if (st) {
		snprintf(err, errlen, "cannot set up %s: %s", url, d->base.errmsg);
		sqlite3_close(d->h);
		if (d->trace_fd >= 0)
			close(d->trace_fd);
		free(d->buckets);
		free(d);
		return st;
	}
	*out = &d->base;
	return ST_OK;
}

static void sq_close(struct db *db)
{
	struct sq_db *d = (struct sq_db *)db;
	for (size_t i = 0; i < d->nbuckets; i++) {
		while (d->buckets[i]) {
			struct sq_stmt *s = d->buckets[i];
			d->buckets[i] = s->next;
			stmt_free(s);
		}
	}
	free(d->buckets);
	if (sqlite3_close(d->h) != SQLITE_OK)
		sqlite3_close_v2(d->h);
	if (d->trace_fd >= 0)
		close(d->trace_fd);
	free(d);
}

static enum status sq_backup(struct db *db, const char *out_path, char *msg, size_t msglen)
{
	struct sq_db *d = (struct sq_db *)db;
	if (access(out_path, F_OK) == 0) {
		snprintf(msg, msglen, "%s already exists; refusing to overwrite it", out_path);
		return ST_CONFLICT;
	}
	sqlite3 *dest = NULL;
	int rc = sqlite3_open_v2(out_path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(msg, msglen, "cannot create %s: %s", out_path, sqlite3_errstr(rc));
		sqlite3_close(dest);
		return ST_UNAVAILABLE;
	}
	sqlite3_backup *b = sqlite3_backup_init(dest, "main", d->h, "main");
	if (!b) {
		snprintf(msg, msglen, "backup failed: %s", sqlite3_errmsg(dest));
		sqlite3_close(dest);
		unlink(out_path);
		return ST_DB;
	}
	/* Copy in steps so writers are blocked only briefly; a write in between restarts it. */
	do {
		rc = sqlite3_backup_step(b, 1024);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			struct timespec ts = {0, 20 * 1000000L};
			nanosleep(&ts, NULL);
		}
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	int pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(msg, msglen, "backup failed: %s", sqlite3_errstr(rc));
		sqlite3_close(dest);
		unlink(out_path);
		return map_rc(rc);
	}
	sqlite3_stmt *st = NULL;
	char result[128] = "";
	if (sqlite3_prepare_v2(dest, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		snprintf(result, sizeof(result), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(dest);
	if (strcmp(result, "ok") != 0) {
		snprintf(msg, msglen, "backup copy failed its integrity check: %s", result);
		unlink(out_path);
		return ST_DB;
	}
	snprintf(msg, msglen, "backup written to %s (%d pages, integrity_check ok)", out_path,
		 pages);
	return ST_OK;
}

/* In place of the automatic checkpoint, which copies the log into the database file at the
 * committing connection's commit once the log is 1,000 frames long. */
static int sq_wal_frames(void *arg, sqlite3 *h, const char *name, int frames)
{
	(void)name;
	((struct sq_db *)arg)->log_frames = frames;
	return sq_log_flush(h); /* the commit did not sync: all of it in the file before the sync */
}

/* Deferred: a commit neither syncs the log (synchronous=NORMAL still syncs around a checkpoint
 * and a restart of the log) nor checkpoints it. */
static enum status sq_set_synced(struct db *db, bool synced)
{
	struct sq_db *d = (struct sq_db *)db;
	enum status st = pragma(d, synced ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
	if (!st && synced)
		st = map_rc(sqlite3_wal_autocheckpoint(d->h, 1000)); /* SQLite's default */
	if (!st && !synced) {
		d->log_frames = 0;
		sqlite3_wal_hook(d->h, sq_wal_frames, d);
	}
	return st;
}

static int sq_log_frames(struct db *db)
{
	return ((struct sq_db *)db)->log_frames;
}

/* PASSIVE: copies what no reader still needs from the log, waiting for no one; a writer may
 * go on meanwhile. Another checkpoint running (BUSY) is as good. RESTART: also holds off other
 * writers and waits, SQ_RESTART_MS at most, until no reader is inside the log, so the next
 * write starts it again; a reader still there then (BUSY) leaves it for a later try. */
static enum status sq_checkpoint(struct db *db, bool restart, int *copied)
{
	sqlite3 *h = ((struct sq_db *)db)->h;
	if (restart)
		sqlite3_busy_timeout(h, SQ_RESTART_MS);
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(
		h, NULL, restart ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	if (copied)
		*copied = done;
	if (restart)
		sqlite3_busy_timeout(h, SQ_BUSY_MS);
	return rc == SQLITE_BUSY ? ST_OK : map_rc(rc);
}

static enum status sq_log_file(struct db *db, char *path, size_t n)
{
	sqlite3 *h = ((struct sq_db *)db)->h;
	const char *wal = sqlite3_filename_wal(sqlite3_db_filename(h, "main"));
	if (!wal || !*wal || strlen(wal) >= n)
		return ST_INVALID; /* an in-memory database, or a path too long */
	memcpy(path, wal, strlen(wal) + 1);
	return ST_OK;
}

const struct db_driver db_sqlite_driver = {
	.name = "sqlite",
	.kind = DB_SQLITE,
	.open = sq_open,
	.close = sq_close,
	.query = sq_query,
	.next = sq_next,
	.done = sq_done,
	.changes = sq_changes,
	.col_count = sq_col_count,
	.col_null = sq_col_null,
	.col_int = sq_col_int,
	.col_real = sq_col_real,
	.col_text = sq_col_text,
	.col_len = sq_col_len,
	.col_type = sq_col_type,
	.exec_script = sq_exec_script,
	.backup = sq_backup,
	.writes = sq_writes,
	.set_synced = sq_set_synced,
	.log_file = sq_log_file,
	.log_frames = sq_log_frames,
	.checkpoint = sq_checkpoint,
};
