/* db.c: the backend-independent half of db.h: dispatch, helpers, transactions, the pool. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db_impl.h"
#include "lib/fault.h"
#include "lib/log.h"
#include "lib/str.h"

bool db_url_is_postgres(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

void db_set_errmsg(struct db *db, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(db->errmsg, sizeof(db->errmsg), fmt, ap);
	va_end(ap);
}

enum status db_open(const char *url, struct db **out, char *err, size_t errlen)
{
	*out = NULL;
	const struct db_driver *drv =
		db_url_is_postgres(url) ? &db_postgres_driver : &db_sqlite_driver;
	return drv->open(url, out, err, errlen);
}

void db_close(struct db *db)
{
	if (db)
		db->drv->close(db);
}

enum db_kind db_kind(const struct db *db)
{
	return db->drv->kind;
}

const char *db_errmsg(const struct db *db)
{
	return db->errmsg;
}

unsigned long db_query_count(const struct db *db)
{
	return db->queries;
}

bool db_broken(const struct db *db)
{
	return db->broken;
}

/* bumped at every commit of this process that changed a table copies read (on PostgreSQL, at
 * every commit): what db_copy_current() compares */
static _Atomic uint64_t commit_generation;

#define COPIED_TABLES_MAX 32
static const char *copied_tables[COPIED_TABLES_MAX];
static size_t ncopied_tables;
static const char *copied_left_out; /* one that found no room: db_copies_check() refuses */

void db_copies_read(const char *const *tables)
{
	for (; *tables; tables++) {
		if (db_table_copied(*tables))
			continue;
		if (ncopied_tables < COPIED_TABLES_MAX)
			copied_tables[ncopied_tables++] = *tables;
		else
			copied_left_out = *tables;
	}
}

bool db_table_copied(const char *table)
{
	for (size_t i = 0; i < ncopied_tables; i++)
		if (strcmp(copied_tables[i], table) == 0)
			return true;
	return false;
}

static const struct sql SQL_TABLE_WITHOUT_ROWID =
	SQL("SELECT count(*) FROM pragma_table_list WHERE schema = 'main' AND name = $1 AND wr = 1");

enum status db_copies_check(struct db *db)
{
	if (copied_left_out) {
		db_set_errmsg(db, "%s is kept in memory but more tables are than %d: raise "
				  "COPIED_TABLES_MAX", copied_left_out, COPIED_TABLES_MAX);
		return ST_INTERNAL;
	}
	if (db->drv->kind != DB_SQLITE)
		return ST_OK;
	for (size_t i = 0; i < ncopied_tables; i++) {
		int64_t wr = 0;
		enum status st = db_int1(db, &SQL_TABLE_WITHOUT_ROWID,
					 DB_ARGS(db_text(copied_tables[i])), &wr);
		if (st)
			return st;
		if (wr) {
			db_set_errmsg(db, "%s is kept in memory but has no rowids: its changes go unseen",
				      copied_tables[i]);
			return ST_INTERNAL;
		}
	}
	return ST_OK;
}

/* After a commit of db (or its write statement outside a transaction): copies read before it
 * are stale if it changed what they read. */
static void copies_after_commit(struct db *db)
{
	if (db->drv->kind != DB_SQLITE || db->wrote_copied)
		atomic_fetch_add(&commit_generation, 1);
	db->wrote_copied = false;
}

static void gate_release(struct db *db)
{
	if (db->gate_held) {
		db->gate_held = false;
		pthread_mutex_unlock(db->write_gate);
	}
}

/* Take the process's write gate for db: waiting as long as SQLite's busy_timeout would (10 s),
 * or not at all. False when not taken (the message set when it waited in vain). */
static bool gate_take(struct db *db, bool wait)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	if (!wait && pthread_mutex_trylock(db->write_gate) != 0)
		return false;
	if (wait && pthread_mutex_timedlock(db->write_gate, &until) != 0) {
		db_set_errmsg(db, "the write lock stayed taken for 10 s");
		return false;
	}
	db->gate_held = true;
	return true;
}

struct db_res *db_query(struct db *db, const struct sql *sql, const struct db_val *args,
			size_t nargs)
{
	db->queries++;
	if (fault_db()) {
		db_set_errmsg(db, "injected fault");
		db->failed.db = db;
		db->failed.st = ST_DB;
		return &db->failed;
	}
	const char *text = db->drv->kind == DB_POSTGRES && sql->pg ? sql->pg : sql->sqlite;
	if (!text[0]) { /* nothing to do on this database */
		db->failed.db = db;
		db->failed.st = ST_OK;
		return &db->failed;
	}
	struct db_res *r = db->drv->query(db, sql, args, nargs);
	r->wrote = r->gated = false;
	/* (with the gate held and no transaction yet, this is begin()'s own BEGIN IMMEDIATE) */
	if (r->st != ST_OK || r == &db->failed || db->tx_depth || db->gate_held ||
	    !db->drv->writes(r))
		return r;
	if (db->reading) { /* it would commit only with the snapshot (db.h) */
		db_set_errmsg(db, "a write inside db_read_begin()");
		r->st = ST_INTERNAL;
		return r;
	}
	r->wrote = true;
	if (db->write_gate) {
		if (!gate_take(db, true)) {
			r->st = ST_UNAVAILABLE;
			return r;
		}
		r->gated = true;
	}
	return r;
}

bool db_next(struct db_res *r)
{
	return r->st == ST_OK && r != &r->db->failed && r->db->drv->next(r);
}

enum status db_done(struct db_res *r)
{
	if (r == &r->db->failed)
		return r->st;
	struct db *db = r->db;
	bool wrote = r->wrote, gated = r->gated; /* r may be freed by done() */
	enum status st = db->drv->done(r);
	if (wrote) /* a write outside a transaction is a commit of its own */
		copies_after_commit(db);
	if (gated)
		gate_release(db);
	return st;
}

int64_t db_changes(struct db_res *r)
{
	if (r == &r->db->failed)
		return 0;
	return r->db->drv->changes(r);
}

int db_col_count(struct db_res *r)
{
	return r->db->drv->col_count(r);
}

bool db_col_null(struct db_res *r, int col)
{
	return r->db->drv->col_null(r, col);
}

int64_t db_col_int(struct db_res *r, int col)
{
	return r->db->drv->col_int(r, col);
}

double db_col_real(struct db_res *r, int col)
{
	return r->db->drv->col_real(r, col);
}

const char *db_col_text(struct db_res *r, int col)
{
	return r->db->drv->col_text(r, col);
}

size_t db_col_len(struct db_res *r, int col)
{
	return r->db->drv->col_len(r, col);
}

enum db_type db_col_type(struct db_res *r, int col)
{
	return r->db->drv->col_type(r, col);
}

enum status db_exec(struct db *db, const struct sql *sql, const struct db_val *args, size_t nargs,
		    int64_t *changes)
{
	struct db_res *r = db_query(db, sql, args, nargs);
	while (db_next(r))
		;
	if (changes)
		*changes = db_changes(r);
	return db_done(r);
}

enum status db_int1(struct db *db, const struct sql *sql, const struct db_val *args, size_t nargs,
		    int64_t *out)
{
	struct db_res *r = db_query(db, sql, args, nargs);
	bool row = db_next(r);
	if (row)
		*out = db_col_int(r, 0);
	while (row && db_next(r))
		;
	enum status st = db_done(r);
	if (st)
		return st;
	return row ? ST_OK : ST_NOT_FOUND;
}

enum status db_version_read(struct db *db, const struct sql *sql, struct db_version *out)
{
	out->token[0] = '\0';
	out->version = -1;
	struct db_res *r = db_query(db, sql, DB_NOARGS);
	if (db_next(r)) {
		const char *t = db_col_text(r, 0);
		snprintf(out->token, sizeof(out->token), "%s", t ? t : "");
		out->version = db_col_int(r, 1);
	}
	return db_done(r);
}

bool db_version_same(const struct db_version *a, const struct db_version *b)
{
	return a->version >= 0 && a->version == b->version && strcmp(a->token, b->token) == 0;
}

static const struct sql SQL_BEGIN = SQL2("BEGIN IMMEDIATE", "BEGIN ISOLATION LEVEL READ COMMITTED");
/* PostgreSQL only: what BEGIN IMMEDIATE and busy_timeout do on SQLite (see db.h). */
static const struct sql SQL_WRITE_LOCK =
	SQL("SELECT set_config('lock_timeout', '10s', true), pg_advisory_xact_lock(7310000)");
static const struct sql SQL_COMMIT = SQL("COMMIT");
static const struct sql SQL_ROLLBACK = SQL("ROLLBACK");


/* BEGIN after the write gate (SQLite in a pool): waiting for it, or (wait false) only when it
 * is free, else *began false and nothing done. */
static enum status begin(struct db *db, bool wait, bool *began)
{
	*began = false;
	if (db->tx_depth || db->reading) {
		db_set_errmsg(db, "nested transaction");
		return ST_INTERNAL;
	}
	if (db->write_gate && !gate_take(db, wait))
		return wait ? ST_UNAVAILABLE : ST_OK;
	db->wrote_copied = false;
	enum status st = db_exec(db, &SQL_BEGIN, DB_NOARGS, NULL);
	if (st) {
		gate_release(db);
		return st;
	}
	db->tx_depth = 1;
	if (db->drv->kind == DB_POSTGRES && (st = db_exec(db, &SQL_WRITE_LOCK, DB_NOARGS, NULL))) {
		db_rollback(db);
		return st;
	}
	*began = true;
	return ST_OK;
}

enum status db_begin(struct db *db)
{
	bool began;
	return begin(db, true, &began);
}

enum status db_begin_if_free(struct db *db, bool *began)
{
	return begin(db, false, began);
}

uint64_t db_commit_generation(void)
{
	return atomic_load(&commit_generation);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct db_copy_stamp db_copy_stamp(void)
{
	/* the generation first: a commit while the rows are read makes the copy stale at once */
	struct db_copy_stamp s = { atomic_load(&commit_generation), 0 };
	s.mono_ms = mono_ms();
	return s;
}

bool db_copy_current(struct db_copy_stamp s)
{
	return s.generation == atomic_load(&commit_generation) &&
	       mono_ms() - s.mono_ms < DB_COPY_MAX_AGE_MS;
}

enum status db_commit(struct db *db)
{
	if (!db->tx_depth)
		return ST_INTERNAL;
	enum status st = db_exec(db, &SQL_COMMIT, DB_NOARGS, NULL);
	if (st) {
		/* a failed COMMIT may have written part of it (PostgreSQL's connection dropped,
		 * say): caches start again either way */
		atomic_fetch_add(&commit_generation, 1);
		db_rollback(db);
		return st;
	}
	/* before the request that committed answers: its next request reads fresh */
	copies_after_commit(db);
	db->tx_depth = 0;
	gate_release(db);
	return ST_OK;
}

void db_rollback(struct db *db)
{
	if (!db->tx_depth)
		return;
	db->tx_depth = 0;
	db->wrote_copied = false;
	if (db_exec(db, &SQL_ROLLBACK, DB_NOARGS, NULL))
		db->broken = true; /* cannot be trusted any more: the pool will close it */
	gate_release(db);
}

enum status db_defer_sync(struct db *db, bool on)
{
	if (!db->drv->set_synced || db->sync_deferred == on)
		return ST_OK;
	if (db->tx_depth)
		return ST_INTERNAL; /* SQLite changes it only between transactions */
	enum status st = db->drv->set_synced(db, !on);
	if (!st)
		db->sync_deferred = on;
	return st;
}

bool db_sync_deferred(const struct db *db)
{
	return db->sync_deferred;
}

int db_log_frames(struct db *db)
{
	return db->sync_deferred && db->drv->log_frames ? db->drv->log_frames(db) : 0;
}

enum status db_checkpoint(struct db *db, bool restart, int *copied)
{
	if (copied)
		*copied = 0;
	if (!db->drv->checkpoint)
		return ST_OK;
	if (fault_db())
		return ST_DB;
	return db->drv->checkpoint(db, restart, copied);
}

bool db_in_tx(const struct db *db)
{
	return db->tx_depth > 0;
}

static const struct sql SQL_READ_BEGIN = SQL("BEGIN");

enum status db_read_begin(struct db *db)
{
	if (db->drv->kind != DB_SQLITE || db->tx_depth || db->reading)
		return ST_OK;
	enum status st = db_exec(db, &SQL_READ_BEGIN, DB_NOARGS, NULL);
	db->reading = st == ST_OK;
	return st;
}

void db_read_end(struct db *db)
{
	if (!db->reading)
		return;
	db->reading = false;
	if (db_exec(db, &SQL_COMMIT, DB_NOARGS, NULL))
		db->broken = true;
}

/* Expand @ID@ and @BLOB@ for the dialect; returns malloc'd text or NULL. */
static char *expand_tokens(const char *text, enum db_kind kind)
{
	static const struct {
		const char *token, *sqlite, *pg;
	} tokens[] = {
		{ "@ID@", "INTEGER PRIMARY KEY",
		  "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" },
		{ "@BLOB@", "BLOB", "BYTEA" },
	};
	struct str s;
	str_init(&s, 0);
	const char *p = text;
	while (*p) {
		const char *at = strchr(p, '@');
		if (!at) {
			str_puts(&s, p);
			break;
		}
		str_append(&s, p, (size_t)(at - p));
		size_t i;
		for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
			size_t n = strlen(tokens[i].token);
			if (strncmp(at, tokens[i].token, n) == 0) {
				str_puts(&s, kind == DB_SQLITE ? tokens[i].sqlite : tokens[i].pg);
				p = at + n;
				break;
			}
		}
		if (i == sizeof(tokens) / sizeof(tokens[0])) {
			str_putc(&s, '@');
			p = at + 1;
		}
	}
	return str_steal(&s, NULL);
}

enum status db_exec_script(struct db *db, const char *sqlite_text, const char *pg_text)
{
	const char *text = db->drv->kind == DB_POSTGRES && pg_text ? pg_text : sqlite_text;
	char *expanded = expand_tokens(text, db->drv->kind);
	if (!expanded)
		return ST_NOMEM;
	db->queries++;
	enum status st = db->drv->exec_script(db, expanded);
	free(expanded);
	return st;
}

enum status db_backup(struct db *db, const char *out_path, char *msg, size_t msglen)
{
	return db->drv->backup(db, out_path, msg, msglen);
}

/* ---- the pool ---------------------------------------------------------------------------- */

struct db_pool {
	char *url;
	char *log_file; /* SQLite: the write-ahead log db_pool_sync() syncs; NULL on PostgreSQL */
	pthread_mutex_t write_gate; /* SQLite: one writer of this process at a time (db_begin) */
	pthread_mutex_t mu;	    /* guards everything below */
	pthread_cond_t cv;
	struct db **idle;
	unsigned n_idle;
	unsigned n_open;
	unsigned max_conns;
	unsigned cache_kib; /* SQLite: each connection's page cache */
};

/*
 * SQLite: the page caches of the pool's connections share one budget, so the process's
 * memory does not grow with --threads. 80 MB is the five connections of two request threads
 * (the default on two cores) at 16 MB each; with sixteen threads each has 4 MB. Pages beyond
 * a connection's cache are read again from the system's file cache, not from the disk.
 */
#define SQLITE_CACHE_BUDGET_KIB (80u * 1000u)
#define SQLITE_CACHE_MIN_KIB 2000u
#define SQLITE_CACHE_MAX_KIB 16000u

/* A connection the pool hands out for the first time. */
static enum status pool_conn_setup(struct db_pool *p, struct db *db)
{
	if (db->drv->kind != DB_SQLITE)
		return ST_OK;
	db->write_gate = &p->write_gate;
	char pragma[64];
	snprintf(pragma, sizeof(pragma), "PRAGMA cache_size=-%u", p->cache_kib);
	return db->drv->exec_script(db, pragma);
}

enum status db_pool_new(const char *url, unsigned max_conns, struct db_pool **out, char *err,
			size_t errlen)
{
	struct db_pool *p = calloc(1, sizeof(*p));
	if (!p)
		return ST_NOMEM;
	p->url = strdup(url);
	p->max_conns = max_conns ? max_conns : 1;
	p->cache_kib = SQLITE_CACHE_BUDGET_KIB / p->max_conns;
	if (p->cache_kib < SQLITE_CACHE_MIN_KIB)
		p->cache_kib = SQLITE_CACHE_MIN_KIB;
	if (p->cache_kib > SQLITE_CACHE_MAX_KIB)
		p->cache_kib = SQLITE_CACHE_MAX_KIB;
	p->idle = calloc(p->max_conns, sizeof(*p->idle));
	if (!p->url || !p->idle) {
		free(p->url);
		free(p->idle);
		free(p);
		return ST_NOMEM;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_init(&p->write_gate, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* Open one connection now, so a wrong URL fails at start-up. */
	struct db *db;
	enum status st = db_open(url, &db, err, errlen);
	if (!st && (st = pool_conn_setup(p, db))) {
		snprintf(err, errlen, "cannot set up %s", url);
		db_close(db);
	}
	if (st) {
		db_pool_free(p);
		return st;
	}
	char log[4096];
	if (db->drv->log_file && db->drv->log_file(db, log, sizeof(log)) == ST_OK &&
	    !(p->log_file = strdup(log))) {
		db_close(db);
		db_pool_free(p);
		return ST_NOMEM;
	}
	p->idle[p->n_idle++] = db;
	p->n_open = 1;
	*out = p;
	return ST_OK;
}

/*
 * The second half of a deferred commit: fdatasync() of the write-ahead log, through a
 * descriptor of its own, so it runs while another thread writes the next transaction on the
 * connection that committed. It syncs the file, not one connection's writes: every frame
 * appended so far, the deferred commits among them, is on disk when it returns. A frame that
 * left the log for the database file went there in a checkpoint, which syncs the log before
 * and the database after (synchronous=NORMAL still does). No log (ENOENT): the last
 * connection closed it after a full checkpoint. An in-memory database has nothing to sync.
 * When the disk refuses (EIO), the commits are visible but may not survive a power cut: the
 * caller answers an error, and the log says why.
 */
enum status db_pool_sync(struct db_pool *p)
{
	if (!p->log_file)
		return ST_OK;
	int fd = open(p->log_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? ST_OK : ST_DB;
	int rc;
	while ((rc = fdatasync(fd)) != 0 && errno == EINTR)
		;
	int err = errno;
	close(fd);
	if (rc != 0) {
		log_warnx("syncing %s failed: %s", p->log_file, strerror(err));
		return ST_DB;
	}
	return ST_OK;
}

void db_pool_free(struct db_pool *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->n_idle; i++)
		db_close(p->idle[i]);
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->write_gate);
	pthread_cond_destroy(&p->cv);
	free(p->idle);
	free(p->url);
	free(p->log_file);
	free(p);
}

enum status db_pool_get(struct db_pool *p, unsigned wait_ms, struct db **out)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += wait_ms / 1000;
	deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->mu);
	for (;;) {
		if (p->n_idle) {
			*out = p->idle[--p->n_idle];
			pthread_mutex_unlock(&p->mu);
			return ST_OK;
		}
		if (p->n_open < p->max_conns) {
			p->n_open++;
			pthread_mutex_unlock(&p->mu);
			char err[256];
			enum status st = db_open(p->url, out, err, sizeof(err));
			if (!st && (st = pool_conn_setup(p, *out))) {
				snprintf(err, sizeof(err), "cannot set up the connection");
				db_close(*out);
				*out = NULL;
			}
			if (st) {
				log_warnx("database connection failed: %s", err);
				pthread_mutex_lock(&p->mu);
				p->n_open--;
				pthread_cond_signal(&p->cv);
				pthread_mutex_unlock(&p->mu);
				return ST_UNAVAILABLE;
			}
			return ST_OK;
		}
		if (pthread_cond_timedwait(&p->cv, &p->mu, &deadline) == ETIMEDOUT) {
			pthread_mutex_unlock(&p->mu);
			return ST_UNAVAILABLE;
		}
	}
}

void db_pool_put(struct db_pool *p, struct db *db)
{
	if (!db)
		return;
	if (db->tx_depth) {
		log_warnx("connection returned inside a transaction; rolling back");
		db_rollback(db);
	}
	db_read_end(db);
	if (db->sync_deferred && db_defer_sync(db, false))
		db->broken = true; /* the next user would not know its commits wait for nothing */
	if (db->broken) {
		/* The server went away (or the file is damaged): the idle connections are suspect
		 * too, so close them all and let the next requests open fresh ones. */
		db_close(db);
		pthread_mutex_lock(&p->mu);
		p->n_open--;
		while (p->n_idle) {
			db_close(p->idle[--p->n_idle]);
			p->n_open--;
		}
	} else {
		pthread_mutex_lock(&p->mu);
		p->idle[p->n_idle++] = db;
	}
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void db_pool_stats(struct db_pool *p, unsigned *open, unsigned *in_use)
{
	pthread_mutex_lock(&p->mu);
	*open = p->n_open;
	*in_use = p->n_open - p->n_idle;
	pthread_mutex_unlock(&p->mu);
}

const char *db_pool_url(const struct db_pool *p)
{
	return p->url;
}
