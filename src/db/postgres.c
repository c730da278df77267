/* postgres.c: the PostgreSQL backend of db.h, through libpq (prepared statements cached per
 * connection, text parameters, results materialized, errors mapped by SQLSTATE). */
#include <libpq-fe.h>
#include <poll.h>
#include <spawn.h>
#include <stdint.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db/db_impl.h"
#include "lib/log.h"
#include "lib/str.h"

extern char **environ;

/*
 * Semantics kept equal to sqlite.c:
 *  - a statement is prepared once per connection (PQprepare, name "tjN") the first time its
 *    struct sql is used, then run with PQexecPrepared;
 *  - parameters are sent as text (integers as decimal, reals with 17 digits), blobs as binary;
 *    a parameter number the text never mentions is declared TEXT, so "$1 and $3 but not $2"
 *    prepares as it does on SQLite, and extra arguments are ignored as SQLite ignores them;
 *  - rows arrive one at a time (single-row mode), so a walk over a large table holds one row
 *    in memory; when another statement needs the connection while a result is still open (as
 *    SQLite allows), the rest of the open result is read ahead into memory first;
 *  - unique and foreign key violations are ST_CONFLICT, check and not-null ST_INVALID, a lost
 *    server ST_UNAVAILABLE (and the connection is marked broken), disk full ST_STORAGE_FULL.
 */

#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

/* Times a statement outside a transaction is tried again after a deadlock or a
 * serialization failure (inside one, the caller's transaction is already lost). */
#define PG_RETRIES 3

struct pg_stmt {
	const struct sql *key;
	char name[16];
	int nparams; /* the highest $N in the text */
	bool writes; /* INSERT, UPDATE or DELETE (see text_writes) */
	struct pg_stmt *next;
};

struct pg_res {
	struct db_res res; /* first: the public result */
	PGresult *pr;	   /* the current row: a one-row result of single-row mode */
	int row;	   /* 0 while on a row, -1 before the first and after the last */
	PGresult *first;   /* the first row, read by db_query(), until db_next() takes it */
	PGresult **kept;   /* rows read ahead because another statement needed the connection */
	size_t nkept, kept_at, kept_cap;
	bool streaming; /* rows still to come from the server */
	int64_t changes;
	bool writes; /* its statement's */
	unsigned char **bytea; /* decoded bytea columns of the current row, per column */
	size_t *bytea_len;
	int ncols_alloc;
	struct pg_res *next_free;
};

struct pg_db {
	struct db base; /* first */
	PGconn *conn;
	struct pg_stmt **buckets;
	size_t nbuckets;
	size_t count;
	unsigned next_name;
	struct pg_res *free_res;  /* finished results, kept for reuse */
	struct pg_res *streaming; /* the result whose rows are still arriving, if any */
	char *scratch;		 /* parameter text of the statement being sent */
	size_t scratch_len;
};

/* ---- errors ------------------------------------------------------------------------------ */

static bool sqlstate_is(const char *state, const char *want)
{
	return state && strncmp(state, want, strlen(want)) == 0;
}

/* The status for an SQLSTATE; *lost is set when the connection cannot be used any more. */
static enum status map_sqlstate(const char *state, bool *lost)
{
	*lost = false;
	if (!state)
		return ST_DB;
	if (strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0)
		return ST_INVALID; /* check, not null */
	if (sqlstate_is(state, "23"))
		return ST_CONFLICT; /* unique 23505, foreign key 23503, exclusion */
	if (strcmp(state, "P0001") == 0)
		return ST_CONFLICT; /* RAISE in a trigger: the append-only audit log */
	if (sqlstate_is(state, "22"))
		return ST_INVALID; /* data exception: a value the column type cannot hold */
	if (strcmp(state, "53100") == 0)
		return ST_STORAGE_FULL;
	if (sqlstate_is(state, "53"))
		return ST_UNAVAILABLE; /* out of memory, too many connections */
	if (sqlstate_is(state, "08") || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0) {
		*lost = true; /* connection failure, administrator or crash shutdown */
		return ST_UNAVAILABLE;
	}
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
		return ST_UNAVAILABLE; /* serialization, deadlock, lock timeout, statement timeout */
	return ST_DB;
}

/* Record the error of a result (or of the connection when pr is NULL) and map it. */
static enum status pg_fail(struct pg_db *d, const PGresult *pr, const char *what)
{
	const char *state = pr ? PQresultErrorField(pr, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = pr ? PQresultErrorMessage(pr) : PQerrorMessage(d->conn);
	db_set_errmsg(&d->base, "%s: %s%s%s", what, msg && *msg ? msg : "unknown error",
		      state ? " SQLSTATE " : "", state ? state : "");
	/* libpq ends its messages with a newline; keep log lines whole */
	for (char *p = d->base.errmsg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	bool lost;
	enum status st = map_sqlstate(state, &lost);
	if (lost || PQstatus(d->conn) == CONNECTION_BAD) {
		d->base.broken = true;
		st = ST_UNAVAILABLE;
	}
	return st;
}

static bool retryable(const PGresult *pr)
{
	const char *state = PQresultErrorField(pr, PG_DIAG_SQLSTATE);
	return state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0);
}

/* ---- the statement cache ----------------------------------------------------------------- */

static size_t bucket_of(const struct pg_db *d, const struct sql *key)
{
	uintptr_t k = (uintptr_t)key;
	k ^= k >> 17;
	k *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(k >> 20) & (d->nbuckets - 1);
}

static void cache_clear(struct pg_db *d)
{
	for (size_t i = 0; i < d->nbuckets; i++) {
		while (d->buckets[i]) {
			struct pg_stmt *s = d->buckets[i];
			d->buckets[i] = s->next;
			free(s);
		}
	}
	d->count = 0;
}

static void cache_insert(struct pg_db *d, struct pg_stmt *s)
{
	if (d->count >= d->nbuckets * 2) {
		size_t n = d->nbuckets * 2;
		struct pg_stmt **nb = calloc(n, sizeof(*nb));
		if (nb) {
			struct pg_stmt **old = d->buckets;
			size_t oldn = d->nbuckets;
			d->buckets = nb;
			d->nbuckets = n;
			for (size_t i = 0; i < oldn; i++) {
				while (old[i]) {
					struct pg_stmt *e = old[i];
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
}

static void cache_remove(struct pg_db *d, struct pg_stmt *s)
{
	for (struct pg_stmt **pp = &d->buckets[bucket_of(d, s->key)]; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			d->count--;
			free(s);
			return;
		}
	}
}

/*
 * Which of $1..$n the text mentions: used[k-1] is set for each $k; returns the highest k.
 * Quoted strings, quoted names, comments and dollar-quoted bodies are skipped.
 */
static int scan_params(const char *p, bool *used, int max_used)
{
	int highest = 0;
	while (*p) {
		if (*p == '\'' || *p == '"') {
			char q = *p++;
			while (*p && !(*p == q && p[1] != q))
				p += (*p == q) ? 2 : 1;
			if (*p)
				p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			char *end;
			long k = strtol(p + 1, &end, 10);
			p = end;
			if (k > highest)
				highest = (int)k;
			if (k >= 1 && k <= max_used)
				used[k - 1] = true;
		} else if (*p == '$') {
			/* $tag$ ... $tag$ */
			const char *end = strchr(p + 1, '$');
			if (!end)
				break;
			size_t taglen = (size_t)(end - p) + 1;
			const char *body = end + 1;
			const char *close = body;
			while ((close = strchr(close, '$')) && strncmp(close, p, taglen) != 0)
				close++;
			p = close ? close + taglen : body + strlen(body);
		} else {
			p++;
		}
	}
	return highest;
}

#define PG_MAX_PARAMS 65535

/* Whether a statement writes, by its first word: PostgreSQL has no sqlite3_stmt_readonly().
 * The project's statements that write begin with the verb (none writes from inside a WITH). */
static bool text_writes(const char *text)
{
	while (*text == ' ' || *text == '\n' || *text == '\t' || *text == '(')
		text++;
	return strncasecmp(text, "INSERT", 6) == 0 || strncasecmp(text, "UPDATE", 6) == 0 ||
	       strncasecmp(text, "DELETE", 6) == 0;
}

static struct pg_stmt *prepare(struct pg_db *d, const struct sql *sql, const char *text,
			       enum status *st)
{
	int n = scan_params(text, NULL, 0);
	if (n > PG_MAX_PARAMS) {
		db_set_errmsg(&d->base, "too many parameters ($%d) in: %.120s", n, text);
		*st = ST_INTERNAL;
		return NULL;
	}
	struct pg_stmt *s = calloc(1, sizeof(*s));
	bool *used = n ? calloc((size_t)n, sizeof(bool)) : NULL;
	Oid *types = n ? calloc((size_t)n, sizeof(Oid)) : NULL;
	if (!s || (n && (!used || !types))) {
		free(s);
		free(used);
		free(types);
		*st = ST_NOMEM;
		return NULL;
	}
	scan_params(text, used, n);
	for (int i = 0; i < n; i++)
		types[i] = used[i] ? 0 : OID_TEXT; /* 0: the server infers it from the text */
	free(used);
	s->key = sql;
	s->nparams = n;
	s->writes = text_writes(text);
	snprintf(s->name, sizeof(s->name), "tj%u", ++d->next_name);
	PGresult *pr = PQprepare(d->conn, s->name, text, n, types);
	free(types);
	if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
		*st = pg_fail(d, pr, "prepare");
		size_t len = strlen(d->base.errmsg);
		snprintf(d->base.errmsg + len, sizeof(d->base.errmsg) - len, " in: %.100s", text);
		PQclear(pr);
		free(s);
		return NULL;
	}
	PQclear(pr);
	return s;
}

/* ---- results ----------------------------------------------------------------------------- */

static void res_clear_row(struct pg_res *r)
{
	for (int i = 0; i < r->ncols_alloc; i++) {
		if (r->bytea[i]) {
			PQfreemem(r->bytea[i]);
			r->bytea[i] = NULL;
		}
	}
}

static struct pg_res *res_take(struct pg_db *d)
{
	struct pg_res *r = d->free_res;
	if (r)
		d->free_res = r->next_free;
	else if (!(r = calloc(1, sizeof(*r))))
		return NULL;
	r->res.db = &d->base;
	r->res.st = ST_OK;
	r->pr = r->first = NULL;
	r->row = -1;
	r->nkept = r->kept_at = 0;
	r->streaming = false;
	r->changes = 0;
	r->writes = false;
	r->next_free = NULL;
	return r;
}

static void res_free(struct pg_res *r)
{
	res_clear_row(r);
	free(r->kept);
	free(r->bytea);
	free(r->bytea_len);
	free(r);
}

/* Read what is left of the statement in flight, after its results (libpq wants that before
 * the next command). */
static void consume(struct pg_db *d)
{
	PGresult *pr;
	while ((pr = PQgetResult(d->conn)))
		PQclear(pr);
}

/* The next result of r's statement: a row (true, *row set), or its end (false: changes or
 * the error recorded on r, the connection free again). */
static bool stream_read(struct pg_db *d, struct pg_res *r, PGresult **row)
{
	*row = NULL;
	PGresult *pr = PQgetResult(d->conn);
	ExecStatusType es = PQresultStatus(pr);
	if (pr && es == PGRES_SINGLE_TUPLE) {
		*row = pr;
		return true;
	}
	if (pr && (es == PGRES_TUPLES_OK || es == PGRES_COMMAND_OK)) {
		const char *ct = PQcmdTuples(pr);
		r->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
	} else if (pr && !r->res.st) {
		r->res.st = pg_fail(d, pr, "execute");
	}
	PQclear(pr);
	if (pr)
		consume(d);
	r->streaming = false;
	if (d->streaming == r)
		d->streaming = NULL;
	return false;
}

/* Another statement needs the connection: read the rest of the open result into memory. */
static void stream_drain(struct pg_db *d)
{
	struct pg_res *r = d->streaming;
	PGresult *row;
	while (stream_read(d, r, &row)) {
		if (r->nkept == r->kept_cap) {
			size_t cap = r->kept_cap ? r->kept_cap * 2 : 64;
			PGresult **k = realloc(r->kept, cap * sizeof(*k));
			if (!k) {
				PQclear(row);
				if (!r->res.st)
					r->res.st = ST_NOMEM;
				continue; /* read on to the end all the same */
			}
			r->kept = k;
			r->kept_cap = cap;
		}
		r->kept[r->nkept++] = row;
	}
}

/* ---- connection health ------------------------------------------------------------------- */

/*
 * Before a statement outside a transaction: if the server closed an idle connection (a
 * restart, an administrator's pg_terminate_backend), reconnect now, before anything is sent,
 * so nothing can run twice. One poll() with no wait; nothing is read when all is well. An
 * idle session never hears from the server (tiejian does not LISTEN), so anything readable
 * is its last word (FATAL 57P01, then end of file): the connection is replaced.
 */
static enum status ensure_alive(struct pg_db *d)
{
	struct pollfd pfd = {.fd = PQsocket(d->conn), .events = POLLIN};
	bool dead = PQstatus(d->conn) == CONNECTION_BAD || pfd.fd < 0 || poll(&pfd, 1, 0) != 0;
	if (!dead)
		return ST_OK;
	log_warnx("database connection lost; reconnecting");
	cache_clear(d); /* prepared statements died with the old session */
	PQreset(d->conn);
	if (PQstatus(d->conn) != CONNECTION_OK) {
		d->base.broken = true;
		return pg_fail(d, NULL, "reconnect");
	}
	return ST_OK;
}

/* ---- running statements ------------------------------------------------------------------ */

static struct db_res *failed(struct db *db, enum status st)
{
	db->failed.db = db;
	db->failed.st = st;
	return &db->failed;
}

/* Lay out the text of the parameters in the scratch buffer; values[i] points into it. */
static enum status bind_params(struct pg_db *d, const struct db_val *args, int n,
			       const char **values, int *lengths, int *formats)
{
	size_t need = 0;
	for (int i = 0; i < n; i++) {
		if (args[i].type == DB_T_TEXT)
			need += args[i].len + 1;
		else if (args[i].type == DB_T_INT || args[i].type == DB_T_REAL)
			need += 32;
	}
	if (need > d->scratch_len) {
		char *p = realloc(d->scratch, need);
		if (!p)
			return ST_NOMEM;
		d->scratch = p;
		d->scratch_len = need;
	}
	char *w = d->scratch;
	for (int i = 0; i < n; i++) {
		const struct db_val *v = &args[i];
		formats[i] = 0;
		lengths[i] = 0;
		switch (v->type) {
		case DB_T_INT:
			values[i] = w;
			w += snprintf(w, 32, "%lld", (long long)v->i) + 1;
			break;
		case DB_T_REAL:
			values[i] = w;
			w += snprintf(w, 32, "%.17g", v->d) + 1;
			break;
		case DB_T_TEXT:
			if (memchr(v->p, '\0', v->len)) {
				db_set_errmsg(&d->base, "parameter $%d holds a NUL byte", i + 1);
				return ST_INVALID;
			}
			memcpy(w, v->p, v->len);
			w[v->len] = '\0';
			values[i] = w;
			w += v->len + 1;
			break;
		case DB_T_BLOB:
			if (v->len > INT32_MAX)
				return ST_TOO_LARGE;
			values[i] = v->len ? v->p : "";
			lengths[i] = (int)v->len;
			formats[i] = 1; /* binary: bytea as it is */
			break;
		default:
			values[i] = NULL;
			break;
		}
	}
	return ST_OK;
}

static struct db_res *pg_query(struct db *db, const struct sql *sql, const struct db_val *args,
			       size_t nargs)
{
	struct pg_db *d = (struct pg_db *)db;
	const char *text = sql->pg ? sql->pg : sql->sqlite;
	enum status st;
	if (d->streaming)
		stream_drain(d);
	if (!db->tx_depth && (st = ensure_alive(d)))
		return failed(db, st);
	if (db->broken) {
		db_set_errmsg(db, "connection is broken");
		return failed(db, ST_UNAVAILABLE);
	}
	struct pg_stmt *s;
	for (s = d->buckets[bucket_of(d, sql)]; s; s = s->next)
		if (s->key == sql)
			break;
	if (!s) {
		st = ST_OK;
		if (!(s = prepare(d, sql, text, &st)))
			return failed(db, st);
		cache_insert(d, s);
	}
	if ((size_t)s->nparams > nargs) {
		db_set_errmsg(db, "statement wants $%d but got %zu arguments: %.120s", s->nparams,
			      nargs, text);
		return failed(db, ST_INTERNAL);
	}
	struct pg_res *r = res_take(d);
	if (!r)
		return failed(db, ST_NOMEM);
	int n = s->nparams;
	const char *small_values[16];
	int small_lengths[16], small_formats[16];
	const char **values = small_values;
	int *lengths = small_lengths, *formats = small_formats;
	if (n > 16) {
		values = calloc((size_t)n, sizeof(*values));
		lengths = calloc((size_t)n, sizeof(*lengths));
		formats = calloc((size_t)n, sizeof(*formats));
		if (!values || !lengths || !formats) {
			r->res.st = ST_NOMEM;
			goto out;
		}
	}
	r->writes = s->writes;
	if ((r->res.st = bind_params(d, args, n, values, lengths, formats)))
		goto out;
	for (int attempt = 0;; attempt++) {
		if (!PQsendQueryPrepared(d->conn, s->name, n, values, lengths, formats, 0)) {
			r->res.st = pg_fail(d, NULL, "send");
			break;
		}
		PQsetSingleRowMode(d->conn);
		/* The first result decides: a row, the end (a write, no rows), or an error. */
		PGresult *pr = PQgetResult(d->conn);
		ExecStatusType es = PQresultStatus(pr);
		if (pr && es == PGRES_SINGLE_TUPLE) {
			r->first = pr;
			r->streaming = true;
			d->streaming = r;
			break;
		}
		if (pr && (es == PGRES_TUPLES_OK || es == PGRES_COMMAND_OK)) {
			const char *ct = PQcmdTuples(pr);
			r->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
			PQclear(pr);
			consume(d);
			break;
		}
		const char *state = pr ? PQresultErrorField(pr, PG_DIAG_SQLSTATE) : NULL;
		if (!db->tx_depth && attempt < PG_RETRIES && pr && retryable(pr)) {
			PQclear(pr);
			consume(d);
			struct timespec ts = {0, (10L << attempt) * 1000000L};
			nanosleep(&ts, NULL);
			continue;
		}
		r->res.st = pg_fail(d, pr, "execute");
		/* "cached plan must not change result type": the schema moved under a prepared
		 * statement (another server migrated). Prepare it afresh; run it again at once
		 * when no transaction was spoiled by the failure. */
		bool stale = state && strcmp(state, "0A000") == 0 && !db->broken;
		PQclear(pr);
		if (pr)
			consume(d);
		if (!stale)
			break;
		char dealloc[40];
		snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", s->name);
		if (!db->tx_depth)
			PQclear(PQexec(d->conn, dealloc));
		cache_remove(d, s);
		if (db->tx_depth || attempt)
			break;
		enum status pst = ST_OK;
		if (!(s = prepare(d, sql, text, &pst))) {
			r->res.st = pst;
			break;
		}
		cache_insert(d, s);
		r->res.st = ST_OK;
	}
out:
	if (values != small_values) {
		free(values);
		free(lengths);
		free(formats);
	}
	return &r->res;
}

static bool pg_next(struct db_res *res)
{
	struct pg_res *r = (struct pg_res *)res;
	struct pg_db *d = (struct pg_db *)res->db;
	res_clear_row(r);
	PQclear(r->pr);
	r->pr = NULL;
	r->row = -1;
	PGresult *row = NULL;
	if (r->first) {
		row = r->first;
		r->first = NULL;
	} else if (r->kept_at < r->nkept) {
		row = r->kept[r->kept_at++];
	} else if (r->streaming) {
		stream_read(d, r, &row);
	}
	if (!row)
		return false;
	r->pr = row;
	r->row = 0;
	return true;
}

static enum status pg_done(struct db_res *res)
{
	struct pg_res *r = (struct pg_res *)res;
	struct pg_db *d = (struct pg_db *)res->db;
	enum status st = res->st;
	PGresult *row;
	/* rows the caller did not want: read them off the connection */
	while (r->streaming && stream_read(d, r, &row))
		PQclear(row);
	res_clear_row(r);
	PQclear(r->pr);
	PQclear(r->first);
	while (r->kept_at < r->nkept)
		PQclear(r->kept[r->kept_at++]);
	r->pr = r->first = NULL;
	r->nkept = r->kept_at = 0;
	r->next_free = d->free_res;
	d->free_res = r;
	return st;
}

static bool pg_writes(struct db_res *res)
{
	return ((struct pg_res *)res)->writes;
}

static int64_t pg_changes(struct db_res *res)
{
	return ((struct pg_res *)res)->changes;
}

static bool valid_cell(struct pg_res *r, int col)
{
	return r->pr && r->row == 0 && col >= 0 && col < PQnfields(r->pr);
}

static int pg_col_count(struct db_res *res)
{
	struct pg_res *r = (struct pg_res *)res;
	const PGresult *pr = r->pr ? r->pr : r->first;
	return pr ? PQnfields(pr) : 0;
}

static bool pg_col_null(struct db_res *res, int col)
{
	struct pg_res *r = (struct pg_res *)res;
	return !valid_cell(r, col) || PQgetisnull(r->pr, r->row, col);
}

static int64_t pg_col_int(struct db_res *res, int col)
{
	struct pg_res *r = (struct pg_res *)res;
	if (pg_col_null(res, col))
		return 0;
	const char *v = PQgetvalue(r->pr, r->row, col);
	if (PQftype(r->pr, col) == OID_BOOL)
		return v[0] == 't';
	if (PQftype(r->pr, col) == OID_NUMERIC || PQftype(r->pr, col) == OID_FLOAT8 ||
	    PQftype(r->pr, col) == OID_FLOAT4)
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

static double pg_col_real(struct db_res *res, int col)
{
	struct pg_res *r = (struct pg_res *)res;
	if (pg_col_null(res, col))
		return 0;
	const char *v = PQgetvalue(r->pr, r->row, col);
	if (PQftype(r->pr, col) == OID_BOOL)
		return v[0] == 't';
	return strtod(v, NULL);
}

/* bytea arrives as "\x..." text: decode it once per row and column. */
static const unsigned char *bytea_of(struct pg_res *r, int col, size_t *len)
{
	if (r->ncols_alloc < PQnfields(r->pr)) {
		int n = PQnfields(r->pr);
		unsigned char **b = calloc((size_t)n, sizeof(*b));
		size_t *l = calloc((size_t)n, sizeof(*l));
		if (!b || !l) {
			free(b);
			free(l);
			return NULL;
		}
		res_clear_row(r);
		free(r->bytea);
		free(r->bytea_len);
		r->bytea = b;
		r->bytea_len = l;
		r->ncols_alloc = n;
	}
	if (!r->bytea[col])
		r->bytea[col] = PQunescapeBytea(
			(const unsigned char *)PQgetvalue(r->pr, r->row, col), &r->bytea_len[col]);
	*len = r->bytea[col] ? r->bytea_len[col] : 0;
	return r->bytea[col];
}

static const char *pg_col_text(struct db_res *res, int col)
{
	struct pg_res *r = (struct pg_res *)res;
	if (pg_col_null(res, col))
		return NULL;
	if (PQftype(r->pr, col) == OID_BYTEA) {
		size_t len;
		return (const char *)bytea_of(r, col, &len);
	}
	return PQgetvalue(r->pr, r->row, col);
}

static size_t pg_col_len(struct db_res *res, int col)
{
	struct pg_res *r = (struct pg_res *)res;
	if (pg_col_null(res, col))
		return 0;
	if (PQftype(r->pr, col) == OID_BYTEA) {
		size_t len = 0;
		bytea_of(r, col, &len);
		return len;
	}
	return (size_t)PQgetlength(r->pr, r->row, col);
}

static enum db_type pg_col_type(struct db_res *res, int col)
{
	struct pg_res *r = (struct pg_res *)res;
	if (pg_col_null(res, col))
		return DB_T_NULL;
	switch (PQftype(r->pr, col)) {
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_BOOL:
		return DB_T_INT;
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		return DB_T_REAL;
	case OID_BYTEA:
		return DB_T_BLOB;
	default:
		return DB_T_TEXT;
	}
}

static enum status pg_exec_script(struct db *db, const char *text)
{
	struct pg_db *d = (struct pg_db *)db;
	enum status st;
	if (d->streaming)
		stream_drain(d);
	if (!db->tx_depth && (st = ensure_alive(d)))
		return st;
	PGresult *pr = PQexec(d->conn, text);
	ExecStatusType es = PQresultStatus(pr);
	st = ST_OK;
	if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK && es != PGRES_EMPTY_QUERY)
		st = pg_fail(d, pr, "script");
	PQclear(pr);
	return st;
}

/* ---- connections ------------------------------------------------------------------------- */

/* Server notices ("extension already exists, skipping") are not for the operator's terminal. */
static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static enum status pg_open(const char *url, struct db **out, char *err, size_t errlen)
{
	struct pg_db *d = calloc(1, sizeof(*d));
	if (!d)
		return ST_NOMEM;
	d->base.drv = &db_postgres_driver;
	d->nbuckets = 64;
	d->buckets = calloc(d->nbuckets, sizeof(*d->buckets));
	if (!d->buckets) {
		free(d);
		return ST_NOMEM;
	}
	/* Defaults first: what the URL says overrides them. */
	const char *const keys[] = {"connect_timeout", "application_name", "client_encoding",
				    "dbname", NULL};
	const char *const vals[] = {"10", "tiejian", "UTF8", url, NULL};
	d->conn = PQconnectdbParams(keys, vals, 1);
	enum status st = ST_OK;
	if (!d->conn) {
		snprintf(err, errlen, "cannot connect to PostgreSQL: out of memory");
		st = ST_NOMEM;
	} else if (PQstatus(d->conn) != CONNECTION_OK) {
		snprintf(err, errlen, "cannot connect to PostgreSQL: %s", PQerrorMessage(d->conn));
		err[strcspn(err, "\n")] = '\0';
		st = ST_UNAVAILABLE;
	} else if (PQserverVersion(d->conn) < 130000) {
		snprintf(err, errlen, "PostgreSQL %d.%d is too old: tiejian needs 13 or later (15 is "
				      "what it is tested on)",
			 PQserverVersion(d->conn) / 10000, PQserverVersion(d->conn) % 10000);
		st = ST_DB;
	} else if (PQclientEncoding(d->conn) != 6 /* PG_UTF8 */) {
		snprintf(err, errlen, "the PostgreSQL connection is not UTF-8");
		st = ST_DB;
	}
	if (st) {
		PQfinish(d->conn);
		free(d->buckets);
		free(d);
		return st;
	}
	PQsetNoticeProcessor(d->conn, quiet_notice, NULL);
	*out = &d->base;
	return ST_OK;
}

static void pg_close(struct db *db)
{
	struct pg_db *d = (struct pg_db *)db;
	cache_clear(d);
	free(d->buckets);
	while (d->free_res) {
		struct pg_res *r = d->free_res;
		d->free_res = r->next_free;
		res_free(r);
	}
	free(d->scratch);
	PQfinish(d->conn);
	free(d);
}

/* ---- backup: pg_dump --------------------------------------------------------------------- */

/* Append keyword='value' to a connection string, quoted as libpq wants. */
static void conninfo_add(struct str *s, const char *key, const char *val)
{
	str_appendf(s, "%s%s='", s->len ? " " : "", key);
	for (const char *p = val; *p; p++) {
		if (*p == '\'' || *p == '\\')
			str_putc(s, '\\');
		str_putc(s, *p);
	}
	str_putc(s, '\'');
}

static enum status pg_backup(struct db *db, const char *out_path, char *msg, size_t msglen)
{
	struct pg_db *d = (struct pg_db *)db;
	if (access(out_path, F_OK) == 0) {
		snprintf(msg, msglen, "%s already exists; refusing to overwrite it", out_path);
		return ST_CONFLICT;
	}
	/* The connection's own settings, less the password: it goes to pg_dump in its
	 * environment, never on a command line that ps shows. */
	struct str ci;
	str_init(&ci, 8192);
	char *password = NULL;
	PQconninfoOption *opts = PQconninfo(d->conn);
	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (strcmp(o->keyword, "password") == 0)
			password = strdup(o->val);
		else if (strcmp(o->keyword, "application_name") != 0)
			conninfo_add(&ci, o->keyword, o->val);
	}
	PQconninfoFree(opts);
	char *conninfo = str_steal(&ci, NULL);
	char *dbarg = NULL, *fileopt = NULL;
	enum status st = ST_NOMEM;
	if (!conninfo)
		goto out;
	size_t n = strlen(conninfo) + 16;
	if (!(dbarg = malloc(n)))
		goto out;
	snprintf(dbarg, n, "--dbname=%s", conninfo);
	n = strlen(out_path) + 8;
	if (!(fileopt = malloc(n)))
		goto out;
	snprintf(fileopt, n, "--file=%s", out_path);

	/* The environment, with PGPASSWORD set (or removed) for the child. */
	size_t nenv = 0;
	while (environ[nenv])
		nenv++;
	char **env = calloc(nenv + 2, sizeof(*env));
	char *pwenv = NULL;
	if (!env)
		goto out;
	size_t k = 0;
	for (size_t i = 0; i < nenv; i++)
		if (strncmp(environ[i], "PGPASSWORD=", 11) != 0)
			env[k++] = environ[i];
	if (password) {
		size_t m = strlen(password) + 12;
		if (!(pwenv = malloc(m))) {
			free(env);
			goto out;
		}
		snprintf(pwenv, m, "PGPASSWORD=%s", password);
		env[k++] = pwenv;
	}
	env[k] = NULL;
	static char arg0[] = "pg_dump", fmt[] = "--format=custom", nopw[] = "--no-password";
	char *const argv[] = {arg0, fmt, nopw, fileopt, dbarg, NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, "pg_dump", NULL, NULL, argv, env);
	free(env);
	if (pwenv) {
		memset(pwenv, 0, strlen(pwenv));
		free(pwenv);
	}
	if (rc != 0) {
		snprintf(msg, msglen,
			 "cannot run pg_dump (%s): install the PostgreSQL client of the server's "
			 "major version",
			 strerror(rc));
		st = ST_UNAVAILABLE;
		goto out;
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(msg, msglen, "pg_dump failed (exit %d); see its message above",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		unlink(out_path);
		st = ST_DB;
		goto out;
	}
	snprintf(msg, msglen,
		 "backup written to %s by pg_dump (custom format, one consistent snapshot); "
		 "restore it with pg_restore --dbname=... %s",
		 out_path, out_path);
	st = ST_OK;
out:
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	free(conninfo);
	free(dbarg);
	free(fileopt);
	if (st == ST_NOMEM)
		snprintf(msg, msglen, "out of memory");
	return st;
}

const struct db_driver db_postgres_driver = {
	.name = "postgres",
	.kind = DB_POSTGRES,
	.open = pg_open,
	.close = pg_close,
	.query = pg_query,
	.next = pg_next,
	.done = pg_done,
	.changes = pg_changes,
	.col_count = pg_col_count,
	.col_null = pg_col_null,
	.col_int = pg_col_int,
	.col_real = pg_col_real,
	.col_text = pg_col_text,
	.col_len = pg_col_len,
	.col_type = pg_col_type,
	.exec_script = pg_exec_script,
	.backup = pg_backup,
	.writes = pg_writes,
};
