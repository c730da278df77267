/* auth.c: who is calling (session cookie or Bearer token), CSRF, passwords and tokens. */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/auth_sql.h"
#include "auth/principal.h"
#include "http/request.h"
#include "lib/heap.h"
#include "lib/log.h"

/* ---- passwords ----------------------------------------------------------------------------- */

static enum status gate_enter(struct app *app)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 3;
	while (sem_timedwait(&app->pwhash_gate, &ts) != 0) {
		if (errno == EINTR)
			continue;
		return ST_RATE_LIMITED;
	}
	/*
	 * A hash takes pwhash_memlimit (64 MB) of fresh memory for its duration. What the heaps
	 * hold free goes back to the system first, not only at the next second's trim, so the
	 * process's peak is what it uses plus the hash, not what it once used plus the hash.
	 */
	heap_trim();
	return ST_OK;
}

enum status auth_password_hash(struct app *app, const char *password, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return ST_INTERNAL;
	enum status st = gate_enter(app);
	if (st)
		return st;
	int rc = crypto_pwhash_str(out, password, strlen(password), app->cfg->pwhash_opslimit,
				   app->cfg->pwhash_memlimit);
	sem_post(&app->pwhash_gate);
	return rc == 0 ? ST_OK : ST_NOMEM;
}

enum status auth_password_verify(struct app *app, const char *hash, const char *password)
{
	enum status st = gate_enter(app);
	if (st)
		return st;
	int rc = crypto_pwhash_str_verify(hash, password, strlen(password));
	sem_post(&app->pwhash_gate);
	return rc == 0 ? ST_OK : ST_UNAUTHORIZED;
}

void auth_password_generate(char *out, size_t outlen)
{
	/* One of each class, then random characters without look-alikes: about 70 bits. */
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
	static const char upper[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
	static const char lower[] = "abcdefghijkmnpqrstuvwxyz";
	static const char symbols[] = "@#%+=";
	if (outlen < 17) {
		out[0] = '\0';
		return;
	}
	out[0] = upper[randombytes_uniform(sizeof(upper) - 1)];
	out[1] = lower[randombytes_uniform(sizeof(lower) - 1)];
	out[2] = (char)('2' + randombytes_uniform(8));
	out[3] = symbols[randombytes_uniform(sizeof(symbols) - 1)];
	for (size_t i = 4; i < 16; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[16] = '\0';
}

/* What the copies below (a session or token with its user, org and enterprise; a user's roles
 * and liaison enterprises) are read from: a commit that changes none of these leaves them.
 * auth_init checks these and the modules' (struct module's copied) for rowids. */
static const char *const copied_tables[] = {
	"sessions", "api_tokens", "users", "orgs", "enterprises", "user_roles", "roles",
	"role_perms", "liaisons", NULL,
};

enum status auth_init(struct app *app)
{
	db_copies_read(copied_tables);
	struct db *db;
	enum status st = db_pool_get(app->pool, 10000, &db);
	if (st)
		return st;
	if ((st = db_copies_check(db)))
		log_error("%s", db_errmsg(db));
	db_pool_put(app->pool, db);
	if (st)
		return st;
	if (crypto_pwhash_str(app->dummy_hash, "tiejian-dummy", 13, app->cfg->pwhash_opslimit,
			      app->cfg->pwhash_memlimit) != 0)
		return ST_NOMEM;
	return ST_OK;
}

static void role_cache_clear(void);

static void session_cache_clear(void);

void auth_release(void)
{
	role_cache_clear();
	session_cache_clear();
}

/* ---- tokens -------------------------------------------------------------------------------- */

void auth_token_hash(const char *secret, char *hash, size_t hashlen)
{
	unsigned char d[32];
	crypto_generichash(d, sizeof(d), (const unsigned char *)secret, strlen(secret), NULL, 0);
	sodium_bin2hex(hash, hashlen, d, sizeof(d));
}

void auth_token_new(const char *prefix, char *secret, size_t secretlen, char *hash, size_t hashlen)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	size_t p = prefix ? strlen(prefix) : 0;
	if (p)
		memcpy(secret, prefix, p);
	sodium_bin2base64(secret + p, secretlen - p, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	auth_token_hash(secret, hash, hashlen);
}

/* ---- the principal ------------------------------------------------------------------------- */

/* Column c's text into the request's arena; *lost set when there was one but no memory for it. */
static const char *dup_col(struct request *req, struct db_res *r, int c, bool *lost)
{
	const char *v = db_col_text(r, c);
	const char *copy = arena_strdup(&req->arena, v);
	if (v && !copy)
		*lost = true;
	return copy;
}

/* Columns 0..13 of SQL_SESSION_LOOKUP / SQL_TOKEN_LOOKUP. */
static struct principal *principal_from_row(struct request *req, struct db_res *r, bool *disabled)
{
	struct principal *u = arena_zalloc(&req->arena, sizeof(*u));
	bool lost = false;
	if (!u)
		return NULL;
	u->user_id = db_col_int(r, 0);
	u->username = dup_col(req, r, 1, &lost);
	u->display_name = dup_col(req, r, 2, &lost);
	u->org_id = db_col_int(r, 3);
	u->enterprise_id = db_col_null(r, 4) ? 0 : db_col_int(r, 4);
	u->must_change_password = db_col_int(r, 5) != 0;
	*disabled = strcmp(db_col_text(r, 6), "active") != 0;
	u->last_login_at = db_col_null(r, 7) ? 0 : db_col_int(r, 7);
	u->org_code = dup_col(req, r, 8, &lost);
	u->org_name = dup_col(req, r, 9, &lost);
	u->org_kind = dup_col(req, r, 10, &lost);
	u->org_path = dup_col(req, r, 11, &lost);
	u->enterprise_name = dup_col(req, r, 12, &lost);
	u->org_region_code = dup_col(req, r, 13, &lost);
	/* a session's row is kept (below): one missing a text for want of memory would be served on */
	if (lost || !u->username || !u->org_path)
		return NULL;
	return u;
}

/* A role with the liaison scope sees the enterprises the user is a liaison of today: their
 * ids, for scope_allows() (SQL reads the same rows through SCOPE_PRED). */
static enum status load_liaisons(struct request *req, struct db *db, struct principal *u)
{
	bool any = false;
	for (int i = 0; i < u->nroles; i++)
		any = any || u->roles[i].scope == SCOPE_LIAISON;
	if (!any)
		return ST_OK;
	size_t alloc = 0, n = 0;
	int64_t *ids = NULL;
	bool nomem = false;
	struct db_res *r = db_query(db, &SQL_PRINCIPAL_LIAISONS, DB_ARGS(db_int(u->user_id)));
	while (!nomem && db_next(r)) {
		if (n == alloc) {
			size_t k = alloc ? alloc * 2 : 64;
			int64_t *x = arena_alloc(&req->arena, k * sizeof(*x));
			if (!x) {
				nomem = true;
				continue;
			}
			if (n)
				memcpy(x, ids, n * sizeof(*x));
			ids = x;
			alloc = k;
		}
		ids[n++] = db_col_int(r, 0);
	}
	enum status st = db_done(r);
	if (st || nomem)
		return st ? st : req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	u->liaison_ids = ids;
	u->nliaison = n;
	return ST_OK;
}

static enum status load_roles_db(struct request *req, struct db *db, struct principal *u)
{
	struct db_res *r = db_query(db, &SQL_PRINCIPAL_ROLES, DB_ARGS(db_int(u->user_id)));
	bool lost = false;
	while (db_next(r)) {
		const char *code = db_col_text(r, 0);
		struct principal_role *role = u->nroles ? &u->roles[u->nroles - 1] : NULL;
		if (!role || strcmp(role->code, code) != 0) {
			if (u->nroles == PRINCIPAL_MAX_ROLES)
				continue;
			role = &u->roles[u->nroles++];
			memset(role, 0, sizeof(*role));
			role->code = dup_col(req, r, 0, &lost);
			role->name = dup_col(req, r, 1, &lost);
			int k = scope_from_code(db_col_text(r, 2));
			role->scope = k > 0 ? (enum scope_kind)k : SCOPE_SELF;
			if (lost) {
				db_done(r);
				return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
			}
		}
		const char *perm = db_col_text(r, 3);
		int p = perm ? perm_from_code(perm) : -1;
		if (p > 0) {
			permset_add(&role->perms, (enum perm)p);
			permset_add(&u->perms, (enum perm)p);
		}
	}
	enum status st = db_done(r);
	return st ? st : load_liaisons(req, db, u);
}

/* ---- the roles of a user, cached -------------------------------------------------------------
 *
 * Every authenticated request needs the caller's roles, permissions and liaison enterprises:
 * reading them took two thirds of a trivial request. The session itself (logout, expiry, a
 * disabled account) is read from the database every time; what is kept here is only what the
 * roles query returns, per user, and it is used while
 *   - no write transaction has committed in this process since it was read (so a change made
 *     through this server shows at once), and
 *   - it is younger than DB_COPY_MAX_AGE_MS (a change made through another server sharing the
 *     database shows within that time).
 * A slot is one user's copy, under its own lock; a request copies it out into its arena. */

#define ROLE_CACHE_SLOTS 256

struct role_copy {
	int64_t user_id; /* 0: empty */
	struct db_copy_stamp stamp;
	struct principal sample; /* nroles, roles, perms, nliaison; strings and ids in blob */
	char *blob;		 /* malloc'd: the liaison ids, then role codes and names */
	size_t blob_len;
};

static struct role_copy role_cache[ROLE_CACHE_SLOTS];
/* the locks of both copies below (the roles here, the sessions further on): slot i takes i % 16 */
static pthread_mutex_t cache_locks[16] = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER,
};

static size_t role_slot(int64_t user_id)
{
	return (size_t)((uint64_t)user_id * 0x9E3779B97F4A7C15u >> 56) % ROLE_CACHE_SLOTS;
}

/* Copy the slot's roles into u (strings and ids into the request's arena). false: not there
 * or no longer current. */
static bool role_cache_get(struct request *req, struct principal *u)
{
	size_t i = role_slot(u->user_id);
	pthread_mutex_t *lock = &cache_locks[i % 16];
	struct role_copy *c = &role_cache[i];
	bool hit = false;
	pthread_mutex_lock(lock);
	if (c->user_id == u->user_id && db_copy_current(c->stamp)) {
		char *blob = arena_alloc(&req->arena, c->blob_len ? c->blob_len : 1);
		if (blob) {
			memcpy(blob, c->blob, c->blob_len);
			u->nroles = c->sample.nroles;
			u->perms = c->sample.perms;
			for (int k = 0; k < u->nroles; k++) {
				u->roles[k] = c->sample.roles[k];
				u->roles[k].code = blob + (c->sample.roles[k].code - c->blob);
				u->roles[k].name = blob + (c->sample.roles[k].name - c->blob);
			}
			u->nliaison = c->sample.nliaison;
			/* the ids are at the start of the blob (see role_cache_put) */
			u->liaison_ids = u->nliaison ? (const int64_t *)(void *)blob : NULL;
			hit = true;
		}
	}
	pthread_mutex_unlock(lock);
	return hit;
}

/* Keep what the database answered (read after `stamp`). A copy that cannot be made is simply
 * not kept. */
static void role_cache_put(const struct principal *u, struct db_copy_stamp stamp)
{
	size_t len = u->nliaison * sizeof(int64_t); /* ids first: they want 8-byte alignment */
	for (int k = 0; k < u->nroles; k++)
		len += strlen(u->roles[k].code) + strlen(u->roles[k].name) + 2;
	char *blob = malloc(len ? len : 1);
	if (!blob)
		return;
	struct principal sample = { 0 };
	sample.nroles = u->nroles;
	sample.perms = u->perms;
	sample.nliaison = u->nliaison;
	size_t at = 0;
	if (u->nliaison) {
		memcpy(blob, u->liaison_ids, u->nliaison * sizeof(int64_t));
		sample.liaison_ids = (const int64_t *)(void *)blob;
		at = u->nliaison * sizeof(int64_t);
	}
	for (int k = 0; k < u->nroles; k++) {
		sample.roles[k] = u->roles[k];
		size_t n = strlen(u->roles[k].code) + 1;
		memcpy(blob + at, u->roles[k].code, n);
		sample.roles[k].code = blob + at;
		at += n;
		n = strlen(u->roles[k].name) + 1;
		memcpy(blob + at, u->roles[k].name, n);
		sample.roles[k].name = blob + at;
		at += n;
	}
	size_t i = role_slot(u->user_id);
	pthread_mutex_t *lock = &cache_locks[i % 16];
	struct role_copy *c = &role_cache[i];
	pthread_mutex_lock(lock);
	char *old = c->blob;
	*c = (struct role_copy){ u->user_id, stamp, sample, blob, len };
	pthread_mutex_unlock(lock);
	free(old);
}

static void role_cache_clear(void)
{
	for (size_t i = 0; i < ROLE_CACHE_SLOTS; i++) {
		pthread_mutex_lock(&cache_locks[i % 16]);
		free(role_cache[i].blob);
		role_cache[i] = (struct role_copy){ 0 };
		pthread_mutex_unlock(&cache_locks[i % 16]);
	}
}

/* ---- the session or token row, cached -----------------------------------------------------
 *
 * The session's own row (with its user and org) was the other half of a trivial request: a
 * statement, and a read transaction with its file locks. It is kept per token under the same
 * rules as the roles above: used while nothing that changed what it reads has committed in this
 * process since it was read (a logout, a password change, a disabled account or a renamed org
 * shows at once) and for at most DB_COPY_MAX_AGE_MS (a session ended by another process
 * sharing the database, such as `tiejian user`, ends within that time). The idle and absolute
 * clocks are checked at every request against the times read. An API token's row is kept the
 * same way, in the same slots (a revoked token, a disabled account show at once; its expiry is
 * checked at every request). */

#define SESSION_CACHE_SLOTS 1024
#define NO_STRING	    UINT32_MAX

/* The principal's strings a session row fills, in the blob's order. */
static const size_t session_strings[] = {
	offsetof(struct principal, username),	     offsetof(struct principal, display_name),
	offsetof(struct principal, org_code),	     offsetof(struct principal, org_name),
	offsetof(struct principal, org_kind),	     offsetof(struct principal, org_path),
	offsetof(struct principal, org_region_code), offsetof(struct principal, enterprise_name),
	offsetof(struct principal, csrf_token),
};
#define NSESSION_STRINGS (sizeof(session_strings) / sizeof(session_strings[0]))

static const char **string_field(struct principal *u, size_t k)
{
	return (const char **)(void *)((char *)u + session_strings[k]);
}

/* The times a copy keeps: a session's start and last activity (seen); a token's last use
 * (seen), expiry and revocation (0: none). */
struct row_times {
	int64_t created, seen, expires, revoked;
};

enum copy_kind { COPY_SESSION = 1, COPY_TOKEN };

struct session_copy {
	char hash[65]; /* "": empty */
	enum copy_kind kind;
	struct db_copy_stamp stamp;
	struct principal sample; /* the numbers and flags of the row; no roles */
	bool disabled;
	struct row_times t;
	uint32_t off[NSESSION_STRINGS]; /* into blob, or NO_STRING for NULL */
	char *blob;			/* malloc'd */
	size_t blob_len;
};

static struct session_copy session_cache[SESSION_CACHE_SLOTS];

static size_t session_slot(const char *hash)
{
	uint64_t h = 0;
	memcpy(&h, hash, sizeof(h)); /* hex of a keyed hash: already uniform */
	return (size_t)(h * 0x9E3779B97F4A7C15u >> 54) % SESSION_CACHE_SLOTS;
}

/* The row of the session or token whose secret hashes to hash, into the request's arena.
 * NULL: not there or no longer current. */
static struct principal *session_cache_get(struct request *req, enum copy_kind kind,
					   const char *hash, bool *disabled, struct row_times *t)
{
	size_t i = session_slot(hash);
	struct session_copy *c = &session_cache[i];
	struct principal *u = NULL;
	pthread_mutex_lock(&cache_locks[i % 16]);
	if (c->kind == kind && strcmp(c->hash, hash) == 0 &&
	    db_copy_current(c->stamp)) {
		u = arena_alloc(&req->arena, sizeof(*u));
		char *blob = arena_alloc(&req->arena, c->blob_len);
		if (u && blob) {
			*u = c->sample;
			memcpy(blob, c->blob, c->blob_len);
			for (size_t k = 0; k < NSESSION_STRINGS; k++)
				*string_field(u, k) = c->off[k] == NO_STRING ? NULL : blob + c->off[k];
			*disabled = c->disabled;
			*t = c->t;
		} else {
			u = NULL;
		}
	}
	pthread_mutex_unlock(&cache_locks[i % 16]);
	return u;
}

/* Keep the row as read after stamp; one that cannot be copied is simply not kept. */
static void session_cache_put(enum copy_kind kind, const char *hash, struct principal *u,
			      bool disabled, const struct row_times *t, struct db_copy_stamp stamp)
{
	struct session_copy c = { .kind = kind, .stamp = stamp, .disabled = disabled, .t = *t };
	snprintf(c.hash, sizeof(c.hash), "%s", hash);
	c.sample.user_id = u->user_id;
	c.sample.org_id = u->org_id;
	c.sample.enterprise_id = u->enterprise_id;
	c.sample.must_change_password = u->must_change_password;
	c.sample.last_login_at = u->last_login_at;
	c.sample.session_id = u->session_id;
	c.sample.token_id = u->token_id;
	for (size_t k = 0; k < NSESSION_STRINGS; k++) {
		const char *v = *string_field(u, k);
		c.off[k] = v ? (uint32_t)c.blob_len : NO_STRING;
		c.blob_len += v ? strlen(v) + 1 : 0;
	}
	if (!(c.blob = malloc(c.blob_len ? c.blob_len : 1)))
		return;
	for (size_t k = 0; k < NSESSION_STRINGS; k++) {
		const char *v = *string_field(u, k);
		if (v)
			memcpy(c.blob + c.off[k], v, strlen(v) + 1);
	}
	size_t i = session_slot(hash);
	pthread_mutex_lock(&cache_locks[i % 16]);
	char *old = session_cache[i].blob;
	session_cache[i] = c;
	pthread_mutex_unlock(&cache_locks[i % 16]);
	free(old);
}

static void session_cache_clear(void)
{
	for (size_t i = 0; i < SESSION_CACHE_SLOTS; i++) {
		pthread_mutex_lock(&cache_locks[i % 16]);
		free(session_cache[i].blob);
		session_cache[i] = (struct session_copy){ 0 };
		pthread_mutex_unlock(&cache_locks[i % 16]);
	}
}

static enum status load_roles(struct request *req, struct db *db, struct principal *u)
{
	if (role_cache_get(req, u))
		return ST_OK;
	struct db_copy_stamp stamp = db_copy_stamp();
	enum status st = load_roles_db(req, db, u);
	if (!st)
		role_cache_put(u, stamp);
	return st;
}

static const char *cookie_name(const struct app *app)
{
	return app->cfg->tls ? "__Host-tj_session" : "tj_session";
}

static enum status expired(struct request *req, const char *message)
{
	return req_fail(req, ST_UNAUTHORIZED, "session_expired", message, NULL);
}

/* The idle clock's write is not the request's business: on a full disk (or a busy database)
 * the request goes on, and the clock moves at the next one. Reads keep working on a full disk. */
static bool touch_can_wait(struct request *req, struct db *db, enum status st)
{
	if (st != ST_STORAGE_FULL && st != ST_UNAVAILABLE)
		return false;
	log_warnx("rid=%s last-seen time not saved: %s", req->id, db_errmsg(db));
	return true;
}

/*
 * Move a session's or token's clock (sql: $1 its id, $2 now). On SQLite, while another write
 * of this process is under way it is left to a later request, which moves it as well, unless it
 * is already five minutes behind: then it waits its turn at the write gate (db.h).
 */
static enum status touch(struct db *db, const struct sql *sql, int64_t id, int64_t now,
			 int64_t behind)
{
	struct db_val args[2] = {db_int(id), db_int(now)};
	if (db_kind(db) != DB_SQLITE || behind >= 300)
		return db_exec(db, sql, args, 2, NULL);
	bool began = false;
	enum status st = db_begin_if_free(db, &began);
	if (st || !began)
		return st;
	if ((st = db_exec(db, sql, args, 2, NULL))) {
		db_rollback(db);
		return st;
	}
	return db_commit(db);
}

enum status auth_load_session(struct request *req, struct db *db, const char *token)
{
	char hash[65];
	auth_token_hash(token, hash, sizeof(hash));
	bool disabled = false;
	struct row_times t = { 0 };
	enum status st;
	struct principal *u = session_cache_get(req, COPY_SESSION, hash, &disabled, &t);
	bool lost = false;
	if (!u) {
		struct db_copy_stamp stamp = db_copy_stamp();
		struct db_res *r = db_query(db, &SQL_SESSION_LOOKUP, DB_ARGS(db_text(hash)));
		if (db_next(r)) {
			u = principal_from_row(req, r, &disabled);
			if (u) {
				u->session_id = db_col_int(r, 14);
				u->csrf_token = dup_col(req, r, 15, &lost);
				t.created = db_col_int(r, 16);
				t.seen = db_col_int(r, 17);
			}
			lost = lost || !u; /* the row is there, not all of it copied */
		}
		if ((st = db_done(r)))
			return st;
		if (lost)
			return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
		if (!u)
			return expired(req, "登录已失效，请重新登录");
		session_cache_put(COPY_SESSION, hash, u, disabled, &t, stamp);
	}
	const struct config *cfg = req->app->cfg;
	enum session_state s = auth_session_state(t.created, t.seen, req->now, cfg->session_idle_s,
						  cfg->session_absolute_s);
	if (s != SESSION_LIVE || disabled) {
		db_exec(db, &SQL_SESSION_DELETE_ID, DB_ARGS(db_int(u->session_id)), NULL);
		if (disabled)
			return req_fail(req, ST_UNAUTHORIZED, "account_disabled",
					"账号已停用，请联系系统管理员", NULL);
		return expired(req, s == SESSION_IDLE_EXPIRED
					    ? "由于长时间未操作，登录已超时，请重新登录"
					    : "登录时间已超过上限，请重新登录");
	}
	/* Keep the idle clock moving, but write at most once a minute per session. */
	if (req->now - t.seen >= 60) {
		st = touch(db, &SQL_SESSION_TOUCH, u->session_id, req->now, req->now - t.seen);
		if (st && !touch_can_wait(req, db, st))
			return st;
	}
	req->user = u;
	return load_roles(req, db, u);
}

static enum status by_token(struct request *req, struct db *db, const char *token)
{
	char hash[65];
	auth_token_hash(token, hash, sizeof(hash));
	bool disabled = false;
	struct row_times t = { 0 };
	enum status st;
	struct principal *u = session_cache_get(req, COPY_TOKEN, hash, &disabled, &t);
	if (!u) {
		struct db_copy_stamp stamp = db_copy_stamp();
		struct db_res *r = db_query(db, &SQL_TOKEN_LOOKUP, DB_ARGS(db_text(hash)));
		if (db_next(r) && (u = principal_from_row(req, r, &disabled))) {
			u->token_id = db_col_int(r, 14);
			t.expires = db_col_null(r, 15) ? 0 : db_col_int(r, 15);
			t.revoked = db_col_null(r, 16) ? 0 : db_col_int(r, 16);
			t.seen = db_col_null(r, 17) ? 0 : db_col_int(r, 17);
		}
		if ((st = db_done(r)))
			return st;
		if (u)
			session_cache_put(COPY_TOKEN, hash, u, disabled, &t, stamp);
	}
	if (!u || t.revoked || disabled)
		return req_fail(req, ST_UNAUTHORIZED, "invalid_token", "访问令牌无效或已被吊销",
				NULL);
	if (t.expires && req->now >= t.expires)
		return req_fail(req, ST_UNAUTHORIZED, "token_expired", "访问令牌已过期", NULL);
	if (req->now - t.seen >= 60) {
		st = touch(db, &SQL_TOKEN_TOUCH, u->token_id, req->now, req->now - t.seen);
		if (st && !touch_can_wait(req, db, st))
			return st;
	}
	/* A token is for machines: no password-change gate applies to it. */
	u->must_change_password = false;
	req->user = u;
	return load_roles(req, db, u);
}

enum status auth_authenticate(struct request *req, bool *via_cookie)
{
	*via_cookie = false;
	struct db *db;
	const char *authz = req_header(req, "Authorization");
	if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
		const char *token = authz + 7;
		if (strlen(token) < 20 || strlen(token) > 128)
			return req_fail(req, ST_UNAUTHORIZED, "invalid_token",
					"访问令牌无效或已被吊销", NULL);
		enum status st = req_db(req, &db);
		return st ? st : by_token(req, db, token);
	}
	const char *cookie = req_cookie(req, cookie_name(req->app));
	if (!cookie || !*cookie)
		return req_fail(req, ST_UNAUTHORIZED, NULL, NULL, NULL);
	if (strlen(cookie) > 128)
		return expired(req, "登录已失效，请重新登录");
	*via_cookie = true;
	enum status st = req_db(req, &db);
	return st ? st : auth_load_session(req, db, cookie);
}

enum status auth_check_csrf(struct request *req)
{
	const char *sent = req_header(req, "X-CSRF-Token");
	const char *want = req->user ? req->user->csrf_token : NULL;
	if (!sent || !want || strlen(sent) != strlen(want) ||
	    sodium_memcmp(sent, want, strlen(want)) != 0)
		return req_fail(req, ST_FORBIDDEN, "csrf_failed",
				"安全校验失败（缺少或错误的CSRF令牌），请刷新页面后重试", NULL);
	return ST_OK;
}

/* ---- users from the command line ----------------------------------------------------------- */

enum status auth_user_create(struct app *app, struct db *db, const char *username,
			     const char *display_name, const char *org_code, const char *uscc,
			     const char *const *roles, const char *password, bool must_change,
			     int64_t *id_out, char *err, size_t errlen)
{
	char hash[crypto_pwhash_STRBYTES];
	enum status st = auth_password_hash(app, password, hash, sizeof(hash));
	if (st) {
		snprintf(err, errlen, "cannot hash the password");
		return st;
	}
	int64_t now = app_now(app), org_id = 0, ent_id = 0, id = 0;
	st = db_begin(db);
	if (st) {
		snprintf(err, errlen, "database: %s", db_errmsg(db));
		return st;
	}
	st = db_int1(db, &SQL_ORG_BY_CODE, DB_ARGS(db_text(org_code)), &org_id);
	if (st) {
		snprintf(err, errlen, st == ST_NOT_FOUND ? "no org with code %s" : "database: %s",
			 st == ST_NOT_FOUND ? org_code : db_errmsg(db));
		goto out;
	}
	if (uscc) {
		st = db_int1(db, &SQL_ENTERPRISE_BY_USCC, DB_ARGS(db_text(uscc)), &ent_id);
		if (st) {
			snprintf(err, errlen,
				 st == ST_NOT_FOUND ? "no enterprise with credit code %s"
						    : "database: %s",
				 st == ST_NOT_FOUND ? uscc : db_errmsg(db));
			goto out;
		}
	}
	st = db_int1(db, &SQL_USER_INSERT,
		     DB_ARGS(db_text(username), db_text(display_name), db_int(org_id),
			     db_id_or_null(ent_id), db_text(hash), db_int(must_change ? 1 : 0),
			     db_int(now)),
		     &id);
	if (st) {
		snprintf(err, errlen, st == ST_CONFLICT ? "user %s already exists" : "database: %s",
			 st == ST_CONFLICT ? username : db_errmsg(db));
		goto out;
	}
	json_t *role_list = json_array();
	for (size_t i = 0; roles && roles[i]; i++) {
		int64_t role_id;
		st = db_int1(db, &SQL_ROLE_BY_CODE, DB_ARGS(db_text(roles[i])), &role_id);
		if (st) {
			snprintf(err, errlen, st == ST_NOT_FOUND ? "no role %s" : "database: %s",
				 st == ST_NOT_FOUND ? roles[i] : db_errmsg(db));
			json_decref(role_list);
			goto out;
		}
		st = db_exec(db, &SQL_USER_ROLE_INSERT, DB_ARGS(db_int(id), db_int(role_id)), NULL);
		if (st) {
			snprintf(err, errlen, "database: %s", db_errmsg(db));
			json_decref(role_list);
			goto out;
		}
		json_array_append_new(role_list, json_string(roles[i]));
	}
	struct audit_actor who = { 0, "cli", NULL, "local", NULL };
	st = audit_append(db, &who, now, "user", id, "create",
			  json_pack("{s:s, s:s, s:o, s:b}", "username", username, "org", org_code,
				    "roles", role_list, "must_change_password", must_change),
			  true);
	if (st)
		snprintf(err, errlen, "audit: %s", db_errmsg(db));
out:
	if (st) {
		db_rollback(db);
		return st;
	}
	st = db_commit(db);
	if (st)
		snprintf(err, errlen, "commit: %s", db_errmsg(db));
	else if (id_out)
		*id_out = id;
	return st;
}

enum status auth_user_set_password(struct app *app, struct db *db, const char *username,
				   const char *password, bool must_change, char *err, size_t errlen)
{
	char hash[crypto_pwhash_STRBYTES];
	enum status st = auth_password_hash(app, password, hash, sizeof(hash));
	if (st) {
		snprintf(err, errlen, "cannot hash the password");
		return st;
	}
	int64_t now = app_now(app), id = 0;
	if ((st = db_begin(db))) {
		snprintf(err, errlen, "database: %s", db_errmsg(db));
		return st;
	}
	st = db_int1(
		db, &SQL_USER_CLI_PASSWORD,
		DB_ARGS(db_text(username), db_text(hash), db_int(must_change ? 1 : 0), db_int(now)),
		&id);
	if (st == ST_NOT_FOUND)
		snprintf(err, errlen, "no user %s", username);
	else if (st)
		snprintf(err, errlen, "database: %s", db_errmsg(db));
	if (!st)
		st = db_exec(db, &SQL_USER_CLI_KILL_SESSIONS, DB_ARGS(db_int(id)), NULL);
	struct audit_actor who = { 0, "cli", NULL, "local", NULL };
	if (!st)
		st = audit_append(db, &who, now, "user", id, "set_password",
				  json_pack("{s:s, s:b}", "username", username,
					    "must_change_password", must_change),
				  true);
	if (st) {
		if (!*err)
			snprintf(err, errlen, "database: %s", db_errmsg(db));
		db_rollback(db);
		return st;
	}
	st = db_commit(db);
	if (st)
		snprintf(err, errlen, "commit: %s", db_errmsg(db));
	return st;
}
