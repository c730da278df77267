/* db_impl.h: what a database backend implements; included only by db.c and the backends. */
#ifndef TIEJIAN_DB_IMPL_H
#define TIEJIAN_DB_IMPL_H

#include <pthread.h>

#include "db/db.h"

struct db_driver {
	const char *name;
	enum db_kind kind;
	enum status (*open)(const char *url, struct db **out, char *err, size_t errlen);
	void (*close)(struct db *db);
	struct db_res *(*query)(struct db *db, const struct sql *sql, const struct db_val *args,
				size_t nargs);
	bool (*next)(struct db_res *r);
	enum status (*done)(struct db_res *r);
	int64_t (*changes)(struct db_res *r);
	int (*col_count)(struct db_res *r);
	bool (*col_null)(struct db_res *r, int col);
	int64_t (*col_int)(struct db_res *r, int col);
	double (*col_real)(struct db_res *r, int col);
	const char *(*col_text)(struct db_res *r, int col);
	size_t (*col_len)(struct db_res *r, int col);
	enum db_type (*col_type)(struct db_res *r, int col);
	enum status (*exec_script)(struct db *db, const char *text);
	enum status (*backup)(struct db *db, const char *out_path, char *msg, size_t msglen);
	/* whether the statement of a result writes */
	bool (*writes)(struct db_res *r);
	/* SQLite: whether commits wait for the disk (synchronous FULL or NORMAL), and the file
	 * they are logged to (its write-ahead log); NULL on PostgreSQL, whose commits always do */
	enum status (*set_synced)(struct db *db, bool synced);
	enum status (*log_file)(struct db *db, char *path, size_t n);
	int (*log_frames)(struct db *db);
	enum status (*checkpoint)(struct db *db, bool restart, int *copied);
};

/* Every backend's result starts with this. */
struct db_res {
	struct db *db;
	enum status st;
	bool wrote;  /* a write outside a transaction: a commit of its own at db_done() */
	bool gated;  /* and (SQLite) holding the write gate until then */
};

/* Every backend's connection starts with this. */
struct db {
	const struct db_driver *drv;
	int tx_depth;
	bool broken;
	/* SQLite connections of one pool take this before BEGIN IMMEDIATE, and around a write
	 * statement outside a transaction: writers of one process queue on it and wake when the
	 * lock is free, instead of SQLite's busy handler sleeping up to 100 ms between tries (under
	 * a steady stream of commits, seconds). NULL outside a pool. gate_held: this connection
	 * holds it. */
	pthread_mutex_t *write_gate;
	bool gate_held;
	bool sync_deferred; /* db_defer_sync(): its commits do not wait for the disk */
	bool reading;       /* db_read_begin(): a read transaction open (SQLite) */
	/* SQLite: the transaction (or write statement) under way changed a row of a table that
	 * copies in memory read (db_copies_read): its commit makes them stale */
	bool wrote_copied;
	unsigned long queries;
	struct db_res failed; /* returned by db_query() when a fault is injected */
	char errmsg[256];
};

/* Whether copies in memory read the table (db_copies_read). */
bool db_table_copied(const char *table);

/* Record an error text on the connection (for logs). */
void db_set_errmsg(struct db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_postgres_driver;

#endif
