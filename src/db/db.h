/* db.h: the one database interface; sqlite.c (default) and postgres.c sit behind it. */
#ifndef TIEJIAN_DB_H
#define TIEJIAN_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/status.h"

/*
 * A statement is a named constant in a module's _sql.c. Parameters are written $1, $2 ... in
 * both dialects and are always bound, never spliced. Where PostgreSQL needs other text, the
 * second field holds it; NULL means the same text runs on both. An empty text ("") means the
 * statement has nothing to do on that database (maintaining SQLite's FTS5 table, say): there
 * db_query() runs nothing and gives no rows, and db_done() returns ST_OK.
 *
 * Ownership: a struct db is one connection, used by one thread at a time (a request takes one
 * from the pool and gives it back). A struct db_res belongs to its connection; it is valid from
 * db_query() until db_done(), and text returned by db_col_text() only until the next db_next().
 * Prepared statements are cached per connection, keyed by the address of the struct sql.
 *
 * PostgreSQL (postgres.c): parameters go as text, and the server infers their types from the
 * statement, so a parameter whose type the text does not fix needs a CAST ("CAST($6 AS TEXT)
 * IS NULL OR ..."); a result's rows are fetched whole when db_query() runs, so keep results
 * that could be large paged. tests/pg/sql_check.c runs every statement on both databases.
 */
struct sql {
	const char *sqlite;
	const char *pg;
};
#define SQL(text) {(text), NULL}
#define SQL2(sqlite_text, pg_text) {(sqlite_text), (pg_text)}

enum db_type { DB_T_NULL, DB_T_INT, DB_T_REAL, DB_T_TEXT, DB_T_BLOB };

struct db_val {
	enum db_type type;
	int64_t i;
	double d;
	const char *p;
	size_t len;
};

static inline struct db_val db_int(int64_t v)
{
	return (struct db_val){.type = DB_T_INT, .i = v};
}
static inline struct db_val db_real(double v)
{
	return (struct db_val){.type = DB_T_REAL, .d = v};
}
static inline struct db_val db_null(void)
{
	return (struct db_val){.type = DB_T_NULL};
}
/* NULL text binds SQL NULL. */
static inline struct db_val db_text(const char *z)
{
	if (!z)
		return db_null();
	size_t n = 0;
	while (z[n])
		n++;
	return (struct db_val){.type = DB_T_TEXT, .p = z, .len = n};
}
static inline struct db_val db_textn(const char *p, size_t n)
{
	return p ? (struct db_val){.type = DB_T_TEXT, .p = p, .len = n} : db_null();
}
static inline struct db_val db_blob(const void *p, size_t n)
{
	return (struct db_val){.type = DB_T_BLOB, .p = (const char *)p, .len = n};
}
/* 0 binds NULL: for optional foreign keys. */
static inline struct db_val db_id_or_null(int64_t id)
{
	return id > 0 ? db_int(id) : db_null();
}

/* db_query(db, &SQL_X, DB_ARGS(db_int(id), db_text(name))) */
#define DB_ARGS(...)                                                                               \
	(const struct db_val[]){__VA_ARGS__},                                                      \
		(sizeof((const struct db_val[]){__VA_ARGS__}) / sizeof(struct db_val))
#define DB_NOARGS NULL, 0

enum db_kind { DB_SQLITE, DB_POSTGRES };

struct db;
struct db_res;

/* Open a connection: a file path (SQLite) or a postgres:// URL. On failure *out is NULL and
 * err holds a reason. ST_UNAVAILABLE when the server cannot be reached, ST_DB otherwise. */
enum status db_open(const char *url, struct db **out, char *err, size_t errlen);
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);
/* Text of the last error on this connection, for logs (never shown to users). */
const char *db_errmsg(const struct db *db);
/* Statements run on this connection since it opened (for N+1 tests and metrics). */
unsigned long db_query_count(const struct db *db);
/* True when the connection is known to be broken (the pool then replaces it). */
bool db_broken(const struct db *db);

/* Run a statement. Never NULL: on error the result carries it and db_next() returns false. */
struct db_res *db_query(struct db *db, const struct sql *sql, const struct db_val *args,
			size_t nargs);
/* Advance to the next row; false at the end or on error. */
bool db_next(struct db_res *r);
/* Finish the statement: ST_OK, or the first error (ST_CONFLICT for a unique or foreign key
 * violation, ST_UNAVAILABLE when busy or disconnected, ST_STORAGE_FULL, ST_DB otherwise). */
enum status db_done(struct db_res *r);
/* Rows changed by the statement, valid after db_next() returned false (for writes). */
int64_t db_changes(struct db_res *r);

int db_col_count(struct db_res *r);
bool db_col_null(struct db_res *r, int col);
int64_t db_col_int(struct db_res *r, int col);
double db_col_real(struct db_res *r, int col);
/* NULL for SQL NULL. Valid until the next db_next()/db_done(). */
const char *db_col_text(struct db_res *r, int col);
size_t db_col_len(struct db_res *r, int col);
/* The type of the value in this row (SQLite: the value's storage class; PostgreSQL: the
 * column's type): for code that copies rows it does not know, such as migrate-data. */
enum db_type db_col_type(struct db_res *r, int col);

/* A statement that returns no rows (or whose rows are ignored); *changes optional. */
enum status db_exec(struct db *db, const struct sql *sql, const struct db_val *args, size_t nargs,
		    int64_t *changes);
/* The first column of the first row as an integer: ST_NOT_FOUND when there is no row.
 * Used for INSERT ... RETURNING id and for counts. */
enum status db_int1(struct db *db, const struct sql *sql, const struct db_val *args, size_t nargs,
		    int64_t *out);

/* Transactions: writes always run inside one. db_begin() takes the write lock at once, so
 * write transactions run one at a time and what one reads stays true until it commits:
 * BEGIN IMMEDIATE on SQLite; on PostgreSQL, READ COMMITTED plus a transaction-scoped advisory
 * lock (the same for every server on the database), waiting at most 10 s like SQLite's
 * busy_timeout (then ST_UNAVAILABLE). READ COMMITTED, not REPEATABLE READ: a statement sees
 * what committed before it started, so a read after a lock (the audit chain's head) is
 * current. A statement outside a transaction is atomic on its own; on SQLite one that writes
 * (a job claim, a session touch) waits for the process's writers at the same gate as
 * db_begin() until db_done(), not in SQLite's busy handler beside them (which sleeps up to
 * 100 ms between tries and, under a steady stream of commits, can wait for seconds).
 * db_rollback() is safe to call on every error path. */
enum status db_begin(struct db *db);
/* db_begin(), unless (SQLite) another connection of this process is writing: then *began is
 * false and nothing is done. For a write that can as well wait for a later request. */
enum status db_begin_if_free(struct db *db, bool *began);
enum status db_commit(struct db *db);
void db_rollback(struct db *db);
bool db_in_tx(const struct db *db);
/* Several reads on one snapshot, until db_read_end(); nothing written in between. SQLite: a
 * deferred BEGIN, so that whether another connection has committed since (which empties this
 * connection's page cache) is asked once for them all, not at every statement. PostgreSQL:
 * nothing (each statement sees what committed before it). A connection given back to the
 * pool ends it. */
enum status db_read_begin(struct db *db);
void db_read_end(struct db *db);
/*
 * Group commit in two halves, for the one writer that commits batches of requests (appeals'
 * filings). After db_defer_sync(db, true), db's commits do not wait for the disk (SQLite:
 * synchronous=NORMAL on this connection): what they wrote is visible at once, and durable
 * when a db_pool_sync() that began after the commit returns ST_OK. So the next batch is
 * written while this one's log goes to disk. Nothing so committed may be answered as saved
 * before that. Only between transactions. PostgreSQL: commits stay synchronous, both do
 * nothing. A connection given back to the pool waits for the disk again.
 */
enum status db_defer_sync(struct db *db, bool on);
bool db_sync_deferred(const struct db *db);
/* Such a connection's commits leave checkpoints (SQLite copying its log into the database
 * file, and the log starting again) to the caller too: db_log_frames() is the log's length
 * after db's last commit (0 when not deferred), and db_checkpoint() copies what it can, on
 * any connection, beside a transaction being written on another. With restart, it also holds
 * off other writers and waits a moment for readers to leave the log, so that the next write
 * starts it again even while another process reads and writes the file (db itself with no
 * statement or transaction open: it would wait for itself). copied (may be NULL): how many of
 * the log's frames are in the database file after it (0 on PostgreSQL); passes one after
 * another tell from it how much each copied. */
int db_log_frames(struct db *db);
enum status db_checkpoint(struct db *db, bool restart, int *copied);
/* How many write transactions this process has committed that changed a table a copy reads
 * (below): a cache of what the database says (the roles of a user, say) is current while this
 * has not moved since it was filled. */
uint64_t db_commit_generation(void);
/* The tables the copies below read (users, roles, sessions, ...), named once at start before
 * any connection writes: on SQLite a commit moves the generation only when it changed a row of
 * one of them (seen row by row as SQLite writes it, triggers' rows included), so a flood of
 * filings leaves the callers' sessions and roles in memory. They must be tables with rowids
 * (SQLite reports no row of a WITHOUT ROWID table). On PostgreSQL every commit moves it. */
void db_copies_read(const char *const *tables);
/* ST_INTERNAL (the table named in db's error text) when one of them is a WITHOUT ROWID table of
 * SQLite, whose changes would go unseen, or found no room in the list; ST_OK otherwise. */
enum status db_copies_check(struct db *db);

/* A copy of database rows kept in memory (a user's roles, a session, the appeals' settings and
 * time limits): stamp it before reading the rows; it may be used again while db_copy_current()
 * says so, that is while no write transaction (or write statement outside one) that changed a
 * table it reads has committed in this process since the stamp (a change made through this
 * server shows at once) and for at most DB_COPY_MAX_AGE_MS (a change made through another
 * server sharing the database shows within that time: the 2 seconds docs/operations.md
 * promises for every copy). */
#define DB_COPY_MAX_AGE_MS 2000
struct db_copy_stamp {
	uint64_t generation;
	int64_t mono_ms;
};
struct db_copy_stamp db_copy_stamp(void);
bool db_copy_current(struct db_copy_stamp s);

/* The other rule for such a copy: a one-row table of a token (which database) and a version
 * that triggers move at every change to what the copy reads (db/migrate.h makes them). A copy
 * read at a version is current while the table still says the same. */
struct db_version {
	char token[40];
	int64_t version; /* -1: no such row */
};
/* sql answers the row's token and version. */
enum status db_version_read(struct db *db, const struct sql *sql, struct db_version *out);
bool db_version_same(const struct db_version *a, const struct db_version *b);

/* Run a script of several statements (migrations). The text may use the tokens @ID@ (an
 * auto-assigned 64-bit primary key) and @BLOB@ (binary), expanded per dialect. */
enum status db_exec_script(struct db *db, const char *sqlite_text, const char *pg_text);

/* Copy the database to out_path (SQLite online backup + integrity check on the copy;
 * PostgreSQL: pg_dump). msg receives a line for the operator. */
enum status db_backup(struct db *db, const char *out_path, char *msg, size_t msglen);

/* A small pool of connections to one database, shared by the worker threads. Guarded by its
 * own mutex. Connections open lazily up to max_conns. */
struct db_pool;
enum status db_pool_new(const char *url, unsigned max_conns, struct db_pool **out, char *err,
			size_t errlen);
void db_pool_free(struct db_pool *p);
/* Take a connection, waiting up to wait_ms; ST_UNAVAILABLE on timeout or open failure. */
enum status db_pool_get(struct db_pool *p, unsigned wait_ms, struct db **out);
/* Give it back; a broken connection, or one left inside a transaction, is closed. */
void db_pool_put(struct db_pool *p, struct db *db);
/* Open connections (for /metrics), and connections in use. */
void db_pool_stats(struct db_pool *p, unsigned *open, unsigned *in_use);
const char *db_pool_url(const struct db_pool *p);
/* Every commit of the pool's database so far is on disk (see db_defer_sync). */
enum status db_pool_sync(struct db_pool *p);

/* SQLite: the writes to its write-ahead logs since the process started (each a run of frames,
 * db/sqlite_log.c) and their bytes; zero on PostgreSQL. */
void db_log_runs(unsigned long long *runs, unsigned long long *bytes);

/* True when url names PostgreSQL. */
bool db_url_is_postgres(const char *url);

#endif
