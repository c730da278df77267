/* auth_http.c: login, logout, the caller's own account (me, password, API tokens). */
#include <sodium.h>

#include "app/module.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/auth_sql.h"
#include "http/input.h"
#include "http/jsonw.h"
#include "http/request.h"
#include "lib/log.h"

static const char *cookie_header(struct request *req, const char *token, bool clear)
{
	bool tls = req->app->cfg->tls;
	const char *name = tls ? "__Host-tj_session" : "tj_session";
	return arena_printf(&req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name,
			    clear ? "" : token, tls ? "; Secure" : "", clear ? "; Max-Age=0" : "");
}

/* The user object of the API contract. */
/* {"user":{..},"csrf_token":..}: the answer of login and of /me, written straight into a buffer
 * (the trivial authenticated call is a hot path: a jansson tree cost half of it). */
static enum status reply_user(struct request *req, const struct principal *u)
{
	struct str s;
	str_init(&s, 64u << 10);
	str_puts(&s, "{\"user\":{");
	js_key(&s, "id", true), js_int(&s, u->user_id);
	js_key(&s, "username", false), js_str(&s, u->username);
	js_key(&s, "display_name", false), js_str(&s, u->display_name);
	js_key(&s, "org", false), str_putc(&s, '{');
	js_key(&s, "id", true), js_int(&s, u->org_id);
	js_key(&s, "code", false), js_str(&s, u->org_code);
	js_key(&s, "name", false), js_str(&s, u->org_name);
	js_key(&s, "kind", false), js_str(&s, u->org_kind);
	js_key(&s, "region_code", false), js_str(&s, u->org_region_code);
	str_putc(&s, '}');
	js_key(&s, "enterprise", false), js_ref(&s, u->enterprise_id, u->enterprise_name);
	js_key(&s, "roles", false), str_putc(&s, '[');
	for (int i = 0; i < u->nroles; i++) {
		str_puts(&s, i ? ",{" : "{");
		js_key(&s, "code", true), js_str(&s, u->roles[i].code);
		js_key(&s, "name", false), js_str(&s, u->roles[i].name);
		js_key(&s, "scope", false), js_str(&s, scope_code(u->roles[i].scope));
		str_putc(&s, '}');
	}
	str_putc(&s, ']');
	js_key(&s, "permissions", false), str_putc(&s, '[');
	bool first = true;
	for (int p = 0; p < PERM__COUNT; p++)
		if (perm_table[p].code && permset_has(&u->perms, (enum perm)p)) {
			if (!first)
				str_putc(&s, ',');
			js_str(&s, perm_table[p].code);
			first = false;
		}
	str_putc(&s, ']');
	js_key(&s, "must_change_password", false), js_bool(&s, u->must_change_password);
	js_key(&s, "last_login_at", false), js_time(&s, u->last_login_at);
	str_putc(&s, '}');
	js_key(&s, "csrf_token", false), js_str(&s, u->csrf_token);
	str_putc(&s, '}');
	return reply_str(req, &s);
}

static enum status retry_after(struct request *req, int64_t seconds)
{
	if (seconds < 1)
		seconds = 1;
	req_set_header(req, "Retry-After", arena_printf(&req->arena, "%lld", (long long)seconds));
	return ST_OK;
}

/* Record a failed login in its own transaction; locks the account at the limit. */
static enum status login_failed(struct request *req, struct db *db, const char *username,
				int64_t user_id, const char *org_path, const char *reason,
				bool *locked_now)
{
	const struct config *cfg = req->app->cfg;
	*locked_now = false;
	enum status st = db_begin(db);
	if (st)
		return st;
	/* A try on a locked account checks no password: audited, but not counted, or it would
	 * shorten the next round of tries once the lock ends. */
	if (user_id && strcmp(reason, "locked") != 0) {
		int64_t failures = 0;
		st = db_int1(db, &SQL_LOGIN_FAILED, DB_ARGS(db_int(user_id)), &failures);
		if (!st && failures >= cfg->lock_failures) {
			st = db_exec(db, &SQL_LOGIN_LOCK,
				     DB_ARGS(db_int(user_id), db_int(req->now + cfg->lock_s)), NULL);
			*locked_now = true;
		}
	}
	struct audit_actor who = {user_id, username, org_path, req->ip, req->id};
	if (!st)
		st = audit_append(db, &who, req->now, "session", 0, "login",
				  json_pack("{s:s, s:b}", "reason", reason, "locked", *locked_now),
				  false);
	if (st) {
		db_rollback(db);
		return st;
	}
	return db_commit(db);
}

static enum status login(struct request *req)
{
	const struct config *cfg = req->app->cfg;
	json_t *body;
	const char *username, *password;
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) ||
	    (st = in_str(req, body, "username", "用户名", IN_REQUIRED | IN_TRIM, 64, &username,
			 NULL)) ||
	    (st = in_str(req, body, "password", "密码", IN_REQUIRED, 128, &password, NULL)) ||
	    (st = req_db(req, &db)))
		return st;

	/* 1. the source address: a fixed window of attempts */
	int64_t attempts = 0, window_start = req->now;
	struct db_res *r = db_query(db, &SQL_THROTTLE_HIT,
				    DB_ARGS(db_text(req->ip), db_int(req->now),
					    db_int(req->now - cfg->login_rate_window_s)));
	if (db_next(r)) {
		attempts = db_col_int(r, 0);
		window_start = db_col_int(r, 1);
	}
	if ((st = db_done(r)))
		return st;
	if (attempts > cfg->login_rate_max) {
		log_warnx("rid=%s login rate limit for %s (%lld attempts)", req->id, req->ip,
			  (long long)attempts);
		retry_after(req, window_start + cfg->login_rate_window_s - req->now);
		return req_fail(req, ST_RATE_LIMITED, "rate_limited",
				"登录尝试过于频繁，请稍后再试", NULL);
	}

	/* 2. the account */
	int64_t user_id = 0, failed = 0, locked_until = 0;
	char *hash = NULL, *org_path = NULL;
	bool disabled = false;
	r = db_query(db, &SQL_LOGIN_USER, DB_ARGS(db_text(username)));
	if (db_next(r)) {
		user_id = db_col_int(r, 0);
		hash = arena_strdup(&req->arena, db_col_text(r, 1));
		disabled = strcmp(db_col_text(r, 2), "active") != 0;
		failed = db_col_int(r, 3);
		locked_until = db_col_int(r, 4);
		org_path = arena_strdup(&req->arena, db_col_text(r, 5));
	}
	if ((st = db_done(r)))
		return st;
	(void)failed;
	bool locked_now;
	if (user_id && locked_until > req->now) {
		if ((st = login_failed(req, db, username, user_id, org_path, "locked", &locked_now)))
			return st;
		retry_after(req, locked_until - req->now);
		return req_failf(req, ST_LOCKED, "account_locked", NULL,
				 "账号因连续密码错误已被锁定，请%lld分钟后再试",
				 (long long)((locked_until - req->now + 59) / 60));
	}

	/* 3. the password (outside any transaction: it is slow on purpose) */
	st = auth_password_verify(req->app, hash ? hash : req->app->dummy_hash, password);
	if (st == ST_RATE_LIMITED) {
		retry_after(req, 2);
		return req_fail(req, ST_RATE_LIMITED, "rate_limited",
				"登录人数较多，请稍后再试", NULL);
	}
	if (st || !user_id) {
		if ((st = login_failed(req, db, username, user_id, org_path,
				       user_id ? "wrong_password" : "unknown_user", &locked_now)))
			return st;
		if (locked_now) {
			retry_after(req, cfg->lock_s);
			return req_failf(req, ST_LOCKED, "account_locked", NULL,
					 "密码连续错误%d次，账号已被锁定%d分钟", cfg->lock_failures,
					 cfg->lock_s / 60);
		}
		return req_fail(req, ST_UNAUTHORIZED, "invalid_credentials", "用户名或密码错误",
				NULL);
	}
	if (disabled) {
		if ((st = login_failed(req, db, username, user_id, org_path, "disabled",
				       &locked_now)))
			return st;
		return req_fail(req, ST_FORBIDDEN, "account_disabled",
				"账号已停用，请联系系统管理员", NULL);
	}

	/* 4. a new session (a new token at every login) */
	char token[64], token_hash[65], csrf[64], csrf_hash[65];
	auth_token_new(NULL, token, sizeof(token), token_hash, sizeof(token_hash));
	auth_token_new(NULL, csrf, sizeof(csrf), csrf_hash, sizeof(csrf_hash));
	const char *old = req_cookie(req, cfg->tls ? "__Host-tj_session" : "tj_session");
	const char *ua = req_header(req, "User-Agent");
	char ua_short[200];
	snprintf(ua_short, sizeof(ua_short), "%s", ua ? ua : "");
	int64_t session_id = 0;
	if ((st = db_begin(db)))
		return st;
	if (old && *old && strlen(old) <= 128) {
		char old_hash[65];
		auth_token_hash(old, old_hash, sizeof(old_hash));
		st = db_exec(db, &SQL_SESSION_DELETE, DB_ARGS(db_text(old_hash)), NULL);
	}
	if (!st)
		st = db_exec(db, &SQL_LOGIN_OK, DB_ARGS(db_int(user_id), db_int(req->now)), NULL);
	if (!st)
		st = db_int1(db, &SQL_SESSION_INSERT,
			     DB_ARGS(db_text(token_hash), db_int(user_id), db_text(csrf),
				     db_int(req->now), db_text(req->ip), db_text(ua_short)),
			     &session_id);
	struct audit_actor who = {user_id, username, org_path, req->ip, req->id};
	if (!st)
		st = audit_append(db, &who, req->now, "session", session_id, "login", NULL, true);
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;

	/* Load the user the same way every later request will. */
	st = auth_load_session(req, db, token);
	if (st)
		return st;
	req_set_header(req, "Set-Cookie", cookie_header(req, token, false));
	return reply_user(req, req->user);
}

static enum status logout(struct request *req)
{
	struct db *db;
	enum status st = req_db(req, &db);
	if (st)
		return st;
	if (req->user->session_id) {
		if ((st = db_begin(db)))
			return st;
		st = db_exec(db, &SQL_SESSION_DELETE_ID, DB_ARGS(db_int(req->user->session_id)),
			     NULL);
		if (!st)
			st = audit_req(req, db, "session", req->user->session_id, "logout", NULL);
		if (st) {
			db_rollback(db);
			return st;
		}
		if ((st = db_commit(db)))
			return st;
	}
	req_set_header(req, "Set-Cookie", cookie_header(req, "", true));
	return reply_empty(req, 204);
}

static enum status me(struct request *req)
{
	return reply_user(req, req->user);
}

static enum status change_password(struct request *req)
{
	const struct config *cfg = req->app->cfg;
	json_t *body;
	const char *old_pw, *new_pw, *why;
	struct db *db;
	enum status st;
	static const char *const fields[] = {"old_password", "new_password", NULL};
	if (req->user->token_id)
		return req_fail(req, ST_FORBIDDEN, "token_not_allowed",
				"访问令牌不能修改密码，请登录后操作", NULL);
	if ((st = req_json(req, &body)) || (st = in_only(req, body, fields)) ||
	    (st = in_str(req, body, "old_password", "原密码", IN_REQUIRED, 128, &old_pw, NULL)) ||
	    (st = in_str(req, body, "new_password", "新密码", IN_REQUIRED, 128, &new_pw, NULL)) ||
	    (st = req_db(req, &db)))
		return st;
	if (auth_password_policy(new_pw, req->user->username, cfg->password_min_len,
				 cfg->password_min_classes, &why))
		return req_fail(req, ST_INVALID, "weak_password", why, "new_password");
	if (strcmp(old_pw, new_pw) == 0)
		return req_fail(req, ST_INVALID, "same_password", "新密码不能与原密码相同",
				"new_password");
	char *hash = NULL;
	struct db_res *r = db_query(db, &SQL_USER_PASSWORD, DB_ARGS(db_int(req->user->user_id)));
	if (db_next(r))
		hash = arena_strdup(&req->arena, db_col_text(r, 0));
	if ((st = db_done(r)))
		return st;
	if (!hash)
		return req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
	st = auth_password_verify(req->app, hash, old_pw);
	if (st == ST_RATE_LIMITED) {
		retry_after(req, 2);
		return req_fail(req, ST_RATE_LIMITED, NULL, NULL, NULL);
	}
	if (st)
		return req_fail(req, ST_INVALID, "wrong_password", "原密码不正确", "old_password");
	char new_hash[crypto_pwhash_STRBYTES];
	if ((st = auth_password_hash(req->app, new_pw, new_hash, sizeof(new_hash))))
		return req_fail(req, st, NULL, NULL, NULL);
	if ((st = db_begin(db)))
		return st;
	st = db_exec(db, &SQL_USER_SET_PASSWORD,
		     DB_ARGS(db_int(req->user->user_id), db_text(new_hash), db_int(req->now)), NULL);
	if (!st) /* every other session of this user ends */
		st = db_exec(db, &SQL_SESSION_DELETE_USER_EXCEPT,
			     DB_ARGS(db_int(req->user->user_id), db_int(req->user->session_id)),
			     NULL);
	if (!st)
		st = audit_req(req, db, "user", req->user->user_id, "change_password", NULL);
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	return reply_empty(req, 204);
}

static json_t *token_json(struct request *req, struct db_res *r)
{
	return json_pack("{s:I, s:s, s:o, s:o, s:o}", "id", (json_int_t)db_col_int(r, 0), "name",
			 db_col_text(r, 1), "created_at", json_time(req, db_col_int(r, 2)),
			 "expires_at", json_time(req, db_col_null(r, 3) ? 0 : db_col_int(r, 3)),
			 "last_used_at", json_time(req, db_col_null(r, 4) ? 0 : db_col_int(r, 4)));
}

static enum status tokens_list(struct request *req)
{
	struct db *db;
	enum status st = req_db(req, &db);
	if (st)
		return st;
	json_t *items = json_array();
	struct db_res *r = db_query(db, &SQL_TOKEN_LIST, DB_ARGS(db_int(req->user->user_id)));
	while (db_next(r))
		json_array_append_new(items, token_json(req, r));
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	struct paging pg = {1, (int64_t)json_array_size(items), 0};
	return reply_json(req, 200, list_envelope(items, (int64_t)json_array_size(items), &pg));
}

static enum status tokens_create(struct request *req)
{
	json_t *body;
	const char *name;
	int64_t days = 365;
	struct db *db;
	enum status st;
	static const char *const fields[] = {"name", "expires_days", NULL};
	if (req->user->token_id)
		return req_fail(req, ST_FORBIDDEN, "token_not_allowed",
				"访问令牌不能再创建令牌，请登录后操作", NULL);
	if ((st = req_json(req, &body)) || (st = in_only(req, body, fields)) ||
	    (st = in_str(req, body, "name", "令牌名称", IN_REQUIRED | IN_TRIM, 50, &name, NULL)) ||
	    (st = in_int(req, body, "expires_days", "有效天数", 0, 1, 3650, &days, NULL)) ||
	    (st = req_db(req, &db)))
		return st;
	char secret[80], hash[65];
	auth_token_new("tj_", secret, sizeof(secret), hash, sizeof(hash));
	int64_t expires = req->now + days * 86400, id = 0;
	if ((st = db_begin(db)))
		return st;
	st = db_int1(db, &SQL_TOKEN_INSERT,
		     DB_ARGS(db_int(req->user->user_id), db_text(name), db_text(hash),
			     db_int(req->now), db_int(expires)),
		     &id);
	if (!st)
		st = audit_req(req, db, "api_token", id, "create",
			       json_pack("{s:s, s:I}", "name", name, "expires_days", (json_int_t)days));
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	json_t *tok = json_pack("{s:I, s:s, s:o, s:o, s:n}", "id", (json_int_t)id, "name", name,
				"created_at", json_time(req, req->now), "expires_at",
				json_time(req, expires), "last_used_at");
	return reply_json(req, 201, json_pack("{s:o, s:s}", "token", tok, "secret", secret));
}

static enum status tokens_revoke(struct request *req)
{
	int64_t id, changed = 0;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) || (st = db_begin(db)))
		return st;
	st = db_exec(db, &SQL_TOKEN_REVOKE,
		     DB_ARGS(db_int(id), db_int(req->user->user_id), db_int(req->now)), &changed);
	if (!st && changed == 0)
		st = req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
	if (!st)
		st = audit_req(req, db, "api_token", id, "revoke", NULL);
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	return reply_empty(req, 204);
}

/* Expired sessions and old throttle windows go away; nothing depends on their rows. */
static enum status purge_job(struct app *app, struct db *db, int64_t now)
{
	const struct config *cfg = app->cfg;
	enum status st = db_exec(db, &SQL_SESSION_PURGE,
				 DB_ARGS(db_int(now - cfg->session_idle_s),
					 db_int(now - cfg->session_absolute_s)),
				 NULL);
	if (!st)
		st = db_exec(db, &SQL_THROTTLE_PURGE,
			     DB_ARGS(db_int(now - cfg->login_rate_window_s)), NULL);
	return st;
}

static const struct route auth_routes[] = {
	{"POST", "/api/v1/auth/login", login, PERM_PUBLIC, ROUTE_SLOW},
	{"POST", "/api/v1/auth/logout", logout, PERM_LOGIN, ROUTE_PWCHANGE_OK},
	{"GET", "/api/v1/me", me, PERM_LOGIN, ROUTE_PWCHANGE_OK},
	{"POST", "/api/v1/me/password", change_password, PERM_LOGIN, ROUTE_PWCHANGE_OK | ROUTE_SLOW},
	{"GET", "/api/v1/me/tokens", tokens_list, PERM_LOGIN, 0},
	{"POST", "/api/v1/me/tokens", tokens_create, PERM_LOGIN, 0},
	{"DELETE", "/api/v1/me/tokens/:id", tokens_revoke, PERM_LOGIN, 0},
};

static const struct job auth_jobs[] = {
	{"auth.purge", 600, purge_job},
};

const struct module auth_module = {
	.name = "auth",
	.routes = auth_routes,
	.nroutes = COUNT_OF(auth_routes),
	.migrations = auth_migrations,
	.jobs = auth_jobs,
	.njobs = COUNT_OF(auth_jobs),
};
