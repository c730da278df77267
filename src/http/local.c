/* local.c: a whole request in-process (see local.h): parse the target, headers and cookies into
 * the request's arena, then run the one dispatcher. */
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "http/local.h"
#include "http/request.h"
#include "http/server.h"

#define LOCAL_MAX_ITEMS 32

struct local_kv {
	const char *name, *value;
};

struct local_input {
	struct local_kv headers[LOCAL_MAX_ITEMS];
	struct local_kv query[LOCAL_MAX_ITEMS];
	struct local_kv cookies[LOCAL_MAX_ITEMS];
	int nheaders, nquery, ncookies;
};

const char *local_lookup(const struct local_input *in, enum local_kind kind, const char *name)
{
	const struct local_kv *kv = kind == LOCAL_HEADER  ? in->headers
				    : kind == LOCAL_QUERY ? in->query
							  : in->cookies;
	int n = kind == LOCAL_HEADER  ? in->nheaders
		: kind == LOCAL_QUERY ? in->nquery
				      : in->ncookies;
	for (int i = 0; i < n; i++)
		if (kind == LOCAL_HEADER ? strcasecmp(kv[i].name, name) == 0
					 : strcmp(kv[i].name, name) == 0)
			return kv[i].value;
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s in place (and '+' to a blank when plus); a malformed escape stays as it is. */
static void unescape(char *s, bool plus)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		int hi, lo;
		if (*r == '%' && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0) {
			*w++ = (char)(hi * 16 + lo);
			r += 2;
		} else {
			*w++ = plus && *r == '+' ? ' ' : *r;
		}
	}
	*w = '\0';
}

static void parse_query(struct local_input *li, char *q)
{
	while (q && *q && li->nquery < LOCAL_MAX_ITEMS) {
		char *amp = strchr(q, '&');
		if (amp)
			*amp = '\0';
		if (*q) {
			char *eq = strchr(q, '=');
			if (eq)
				*eq = '\0';
			unescape(q, true);
			if (eq)
				unescape(eq + 1, true);
			li->query[li->nquery++] = (struct local_kv){ q, eq ? eq + 1 : NULL };
		}
		q = amp ? amp + 1 : NULL;
	}
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static void parse_headers(struct local_input *li, char *h)
{
	while (h && *h && li->nheaders < LOCAL_MAX_ITEMS) {
		char *nl = strchr(h, '\n');
		if (nl)
			*nl = '\0';
		char *colon = strchr(h, ':');
		if (colon && colon != h) {
			*colon = '\0';
			li->headers[li->nheaders++] = (struct local_kv){ trim(h), trim(colon + 1) };
		}
		h = nl ? nl + 1 : NULL;
	}
}

/* "a=1; b=\"2\"": as libmicrohttpd reads a Cookie header (quotes around a value dropped). */
static void parse_cookies(struct local_input *li, char *c)
{
	while (c && *c && li->ncookies < LOCAL_MAX_ITEMS) {
		char *semi = strchr(c, ';');
		if (semi)
			*semi = '\0';
		char *eq = strchr(c, '=');
		if (eq) {
			*eq = '\0';
			char *v = trim(eq + 1);
			size_t n = strlen(v);
			if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
				v[n - 1] = '\0';
				v++;
			}
			li->cookies[li->ncookies++] = (struct local_kv){ trim(c), v };
		}
		c = semi ? semi + 1 : NULL;
	}
}

static char *dup_or_empty(struct arena *a, const char *s)
{
	return arena_strdup(a, s ? s : "");
}

/* The answer's headers as "Name: value\n" lines. */
static char *response_headers(const struct request *req)
{
	struct str h;
	str_init(&h, 0);
	if (req->resp_type)
		str_appendf(&h, "Content-Type: %s\n", req->resp_type);
	for (int i = 0; i < req->nheaders; i++)
		str_appendf(&h, "%s: %s\n", req->headers[i].name, req->headers[i].value);
	return str_steal(&h, NULL);
}

enum status http_local(struct app *app, const struct local_request *in, struct local_response *out)
{
	memset(out, 0, sizeof(*out));
	struct request *req = calloc(1, sizeof(*req));
	struct local_input *li = calloc(1, sizeof(*li));
	if (!req || !li) {
		free(req);
		free(li);
		return ST_NOMEM;
	}
	req->app = app;
	req->local = li;
	arena_init(&req->arena, 16384, 64u << 20);
	req->resp_fd = -1;
	req->now = app_now(app);
	req_new_id(req);
	snprintf(req->ip, sizeof(req->ip), "%s", in->ip ? in->ip : "127.0.0.1");
	str_init(&req->body, 0);

	enum status st = ST_NOMEM;
	char *method = dup_or_empty(&req->arena, in->method);
	char *path = dup_or_empty(&req->arena, in->target);
	char *headers = dup_or_empty(&req->arena, in->headers);
	if (!method || !path || !headers)
		goto out;
	char *q = strchr(path, '?');
	if (q)
		*q++ = '\0';
	unescape(path, false);
	parse_query(li, q);
	parse_headers(li, headers);
	const char *cookie = local_lookup(li, LOCAL_HEADER, "Cookie");
	char *cookies = cookie ? arena_strdup(&req->arena, cookie) : NULL;
	parse_cookies(li, cookies);
	req->method = method;
	req->path = path;

	router_match(&app->router, method, path, &req->match);
	size_t limit = req->match.route && (req->match.route->route->flags & ROUTE_RAW_BODY)
			       ? app->cfg->upload_max_bytes
			       : app->cfg->body_max_bytes;
	req->body.cap_bytes = limit;
	if (in->body && in->body_len) {
		str_append(&req->body, in->body, in->body_len);
		if (!str_ok(&req->body)) {
			req->body_too_large = true;
			str_release(&req->body);
		}
	}
	server_dispatch(req);
	out->status = req->http_status ? req->http_status : 500;
	if (req->resp_fd < 0 && req->resp_body) {
		out->body = malloc(req->resp_len + 1);
		if (!out->body)
			goto out;
		memcpy(out->body, req->resp_body, req->resp_len);
		out->body[req->resp_len] = '\0';
		out->body_len = req->resp_len;
	}
	out->headers = response_headers(req);
	st = out->headers ? ST_OK : ST_NOMEM;
out:
	req_db_release(req);
	if (req->resp_fd >= 0)
		close(req->resp_fd);
	json_decref(req->err_extra);
	str_release(&req->body);
	arena_release(&req->arena);
	free(req);
	free(li);
	if (st)
		local_response_release(out);
	return st;
}

void local_response_release(struct local_response *out)
{
	free(out->body);
	free(out->headers);
	memset(out, 0, sizeof(*out));
}
