/* request.c: reading a request (headers, query, params, JSON body) and writing its answer. */
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <strings.h>
#include <time.h>

#include "http/local.h"
#include "http/jsonw.h"
#include "http/request.h"
#include "lib/xlsx.h"
#include "lib/fault.h"
#include "lib/log.h"

static _Atomic uint64_t next_id;
static pthread_once_t next_id_once = PTHREAD_ONCE_INIT;

static void next_id_seed(void)
{
	uint64_t seed;
	randombytes_buf(&seed, sizeof(seed));
	atomic_store(&next_id, seed);
}

/*
 * A counter from a random start, mixed by a bijection (so the ids of consecutive requests do
 * not look consecutive, and no two are equal before 2^64 requests). Eight random bytes at every
 * request were a system call each, 3 % of the CPU of a trivial request.
 */
void req_new_id(struct request *req)
{
	static const char hex[] = "0123456789abcdef";
	pthread_once(&next_id_once, next_id_seed);
	uint64_t z = atomic_fetch_add(&next_id, 1);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	z ^= z >> 31;
	for (int i = 15; i >= 0; i--, z >>= 4)
		req->id[i] = hex[z & 15];
	req->id[16] = '\0';
}

const char *req_header(struct request *req, const char *name)
{
	if (req->local)
		return local_lookup(req->local, LOCAL_HEADER, name);
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *req_query(struct request *req, const char *name)
{
	if (req->local)
		return local_lookup(req->local, LOCAL_QUERY, name);
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_cookie(struct request *req, const char *name)
{
	if (req->local)
		return local_lookup(req->local, LOCAL_COOKIE, name);
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

struct span req_param(struct request *req, const char *name)
{
	for (int i = 0; i < req->match.nparams; i++)
		if (span_eq(req->match.params[i].name, name))
			return req->match.params[i].value;
	return (struct span){"", 0};
}

enum status req_param_id(struct request *req, const char *name, int64_t *out)
{
	if (!span_to_i64(req_param(req, name), 1, INT64_MAX, out))
		return req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
	return ST_OK;
}

/* Deepest nesting of objects and arrays, strings skipped. */
static int json_depth(const char *p, size_t n)
{
	int depth = 0, max = 0;
	bool in_str = false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				max = depth;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return max;
}

/* The first string longer than max bytes anywhere in v (keys included), or NULL. */
static const char *overlong_key(json_t *v, size_t max, int level)
{
	if (json_is_string(v))
		return json_string_length(v) > max ? "" : NULL;
	if (level > 64)
		return NULL;
	if (json_is_object(v)) {
		const char *k;
		json_t *e;
		json_object_foreach(v, k, e)
		{
			if (strlen(k) > max)
				return k;
			const char *r = overlong_key(e, max, level + 1);
			if (r)
				return *r ? r : k;
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			const char *r = overlong_key(e, max, level + 1);
			if (r)
				return r;
		}
	}
	return NULL;
}

json_t *req_own_json(struct request *req, json_t *v)
{
	if (v && arena_defer(&req->arena, (void (*)(void *))json_decref, v) != 0) {
		/* cannot register: leak rather than free early; never expected */
		log_error("rid=%s cannot register a JSON value for release", req->id);
	}
	return v;
}

enum status req_json(struct request *req, json_t **out)
{
	*out = NULL;
	if (req->body_too_large)
		return req_fail(req, ST_TOO_LARGE, NULL, NULL, NULL);
	const char *ct = req_header(req, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' '))
		return req_fail(req, ST_MEDIA_TYPE, NULL, NULL, NULL);
	if (req->body.len == 0)
		return req_fail(req, ST_BAD_REQUEST, "empty_body", "请求内容不能为空", NULL);
	if (memchr(req->body.p, '\0', req->body.len))
		return req_fail(req, ST_BAD_REQUEST, "malformed_json",
				"请求内容含有空字符（NUL），不是有效的JSON", NULL);
	if (!utf8_valid(req->body.p, req->body.len))
		return req_fail(req, ST_BAD_REQUEST, "invalid_utf8",
				"请求内容不是有效的UTF-8编码", NULL);
	if (json_depth(req->body.p, req->body.len) > req->app->cfg->json_max_depth)
		return req_failf(req, ST_BAD_REQUEST, "too_deep", NULL, "JSON嵌套层数超过%d层",
				 req->app->cfg->json_max_depth);
	json_error_t err;
	/* jansson 2.14's lexer goes on after a failed allocation and may write past its buffer
	 * (upstream issue #362): fault injection leaves the parser alone. */
	fault_hold(true);
	json_t *v = json_loadb(req->body.p, req->body.len, JSON_REJECT_DUPLICATES, &err);
	fault_hold(false);
	if (!v) {
		if (strstr(err.text, "duplicate object key"))
			return req_fail(req, ST_BAD_REQUEST, "duplicate_key",
					"JSON中有重复的字段名", NULL);
		return req_failf(req, ST_BAD_REQUEST, "malformed_json", NULL,
				 "请求内容不是有效的JSON（第%d行第%d列）", err.line, err.column);
	}
	req_own_json(req, v);
	if (!json_is_object(v))
		return req_fail(req, ST_BAD_REQUEST, "malformed_json", "请求内容应为JSON对象",
				NULL);
	const char *key = overlong_key(v, req->app->cfg->json_max_string, 0);
	if (key)
		return req_failf(req, ST_INVALID, "too_long", *key ? key : NULL,
				 "内容过长（单个字段不能超过%zu字节）",
				 req->app->cfg->json_max_string);
	*out = v;
	return ST_OK;
}

enum status req_db(struct request *req, struct db **out)
{
	if (!req->db) {
		enum status st = db_pool_get(req->app->pool, 5000, &req->db);
		if (st) {
			req->db = NULL;
			return req_fail(req, ST_UNAVAILABLE, "database_unavailable",
					"数据库暂时不可用，请稍后再试", NULL);
		}
		req->db_queries_at = db_query_count(req->db);
	}
	*out = req->db;
	return ST_OK;
}

void req_db_release(struct request *req)
{
	if (!req->db)
		return;
	req->db_queries += db_query_count(req->db) - req->db_queries_at;
	db_pool_put(req->app->pool, req->db);
	req->db = NULL;
}

void scope_filter(struct request *req, struct db_val args[SCOPE_NARGS])
{
	scope_filter_args(&req->scope, args);
}

const char *req_attachment(struct request *req, const char *filename)
{
	if (!filename)
		return "attachment";
	struct str enc, ascii;
	str_init(&enc, 1024);
	str_init(&ascii, 256);
	for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
		bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			     (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_';
		if (plain)
			str_putc(&enc, (char)*p);
		else
			str_appendf(&enc, "%%%02X", *p);
		str_putc(&ascii, *p < 0x80 && *p != '"' && *p != '\\' ? (char)*p : '_');
	}
	const char *out = str_ok(&enc) && str_ok(&ascii)
				  ? arena_printf(&req->arena,
						 "attachment; filename=\"%s\"; filename*=UTF-8''%s",
						 ascii.p, enc.p)
				  : "attachment";
	str_release(&enc);
	str_release(&ascii);
	return out ? out : "attachment";
}

enum status reply_file(struct request *req, const char *type, const char *filename, char *body,
		       size_t len)
{
	req_set_header(req, "Content-Disposition", req_attachment(req, filename));
	req_set_header(req, "Cache-Control", "no-store");
	return reply_raw(req, 200, type, body, len);
}

enum status reply_xlsx(struct request *req, const char *filename, xlsx_fill_fn fill, void *ctx)
{
	char *body;
	size_t len;
	enum status st = xlsx_write(fill, ctx, &body, &len);
	if (st)
		return st == ST_NOMEM ? req_fail(req, ST_NOMEM, NULL, NULL, NULL) : st;
	if (arena_defer(&req->arena, free, body) != 0) {
		free(body);
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	}
	return reply_file(req, XLSX_TYPE, filename, body, len);
}

enum status reply_raw(struct request *req, int http_status, const char *content_type, char *body,
		      size_t len)
{
	req->http_status = http_status;
	req->resp_type = content_type;
	req->resp_body = body;
	req->resp_len = len;
	return ST_OK;
}

enum status reply_json(struct request *req, int http_status, json_t *body)
{
	if (!body)
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	struct str text;
	str_init(&text, 0);
	js_json(&text, body);
	json_decref(body);
	size_t len;
	char *copy = str_steal(&text, &len);
	if (!copy || arena_defer(&req->arena, free, copy)) {
		free(copy);
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	}
	return reply_raw(req, http_status, "application/json; charset=utf-8", copy, len);
}

enum status reply_empty(struct request *req, int http_status)
{
	return reply_raw(req, http_status, NULL, NULL, 0);
}

void req_set_header(struct request *req, const char *name, const char *value)
{
	if (!value || req->nheaders == REQ_MAX_HEADERS)
		return;
	req->headers[req->nheaders].name = name;
	req->headers[req->nheaders].value = value;
	req->nheaders++;
}

enum status req_fail(struct request *req, enum status st, const char *code, const char *message,
		     const char *field)
{
	req->st = st;
	req->err_code = code;
	req->err_message = message;
	req->err_field = field;
	return st;
}

enum status req_failf(struct request *req, enum status st, const char *code, const char *field,
		      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = arena_vprintf(&req->arena, fmt, ap);
	va_end(ap);
	return req_fail(req, st, code, msg, field);
}

const char *req_time(struct request *req, int64_t t)
{
	if (!t)
		return NULL;
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return NULL;
	return arena_printf(&req->arena, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

json_t *json_time(struct request *req, int64_t t)
{
	const char *s = req_time(req, t);
	return s ? json_string(s) : json_null();
}
