/* server.c: libmicrohttpd glue and the dispatcher: route, authenticate, authorize, handle, answer. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "http/accept.h"
#include "http/metrics.h"
#include "http/request.h"
#include "http/server.h"
#include "http/static.h"
#include "lib/fault.h"
#include "lib/log.h"

static const char CSP[] = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
			  "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
			  "object-src 'none'; base-uri 'self'; form-action 'self'; "
			  "frame-ancestors 'none'";
/* A JSON answer is never a page: nothing in it loads or runs, so its policy refuses everything
 * (OWASP's REST Security Cheat Sheet), and the headers that only a page reads (the opener's
 * isolation, the camera and microphone) stay off it. */
static const char CSP_JSON[] = "default-src 'none'; frame-ancestors 'none'";

/* Request headers over this answer 431 with the error body; libmicrohttpd itself refuses (with
 * its own page) what does not fit its 32 KB per connection. */
#define HEADERS_MAX_BYTES ((size_t)16 << 10)

/* A body over its limit by less than this is read and dropped before the 413 goes out. */
#define DRAIN_EXTRA_BYTES ((uint64_t)1 << 20)

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool method_mutates(const char *m)
{
	return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

static void peer_address(struct request *req)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(req->ip, sizeof(req->ip), "unknown");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
			  req->ip, sizeof(req->ip));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  req->ip, sizeof(req->ip));
	/* Behind our own nginx on loopback, the client is in X-Real-IP. */
	if (req->app->cfg->trust_proxy &&
	    (strcmp(req->ip, "127.0.0.1") == 0 || strcmp(req->ip, "::1") == 0)) {
		const char *real = req_header(req, "X-Real-IP");
		if (real && strlen(real) < sizeof(req->ip) && strspn(real, "0123456789abcdefABCDEF.:") == strlen(real))
			snprintf(req->ip, sizeof(req->ip), "%s", real);
	}
}

static enum MHD_Result add_header_bytes(void *cls, enum MHD_ValueKind kind, const char *key,
				       const char *value)
{
	(void)kind;
	*(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

static bool headers_too_large(struct MHD_Connection *conn)
{
	size_t n = 0;
	MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header_bytes, &n);
	return n > HEADERS_MAX_BYTES;
}

/* A pool thread serves its requests one after another, so the request it freed last, with its
 * arena's first block, is kept for its next one: no calloc of the request and no malloc and
 * free of a 16 KB block a request (the allocator was an eighth of GET /me's CPU). One a
 * thread; a thread's exit frees it, server_stop() the stopping thread's. */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static bool spare_ok;

static void spare_free(void *p)
{
	struct request *req = p;
	arena_release(&req->arena);
	free(req);
}

static void spare_key_make(void)
{
	spare_ok = pthread_key_create(&spare_key, spare_free) == 0;
}

static struct request *request_new(struct app *app, struct MHD_Connection *conn, const char *url,
				   const char *method)
{
	pthread_once(&spare_once, spare_key_make);
	struct request *req = spare_ok ? pthread_getspecific(spare_key) : NULL;
	if (req) {
		pthread_setspecific(spare_key, NULL);
		struct arena kept = req->arena; /* reset when it was kept: its first block, empty */
		memset(req, 0, sizeof(*req));
		req->arena = kept;
	} else {
		req = calloc(1, sizeof(*req));
		if (!req)
			return NULL;
		arena_init(&req->arena, 16384, 64u << 20);
	}
	req->app = app;
	req->conn = conn;
	req->method = method;
	req->path = url;
	req->resp_fd = -1;
	req->now = app_now(app);
	req->start_ns = mono_ns();
	req_new_id(req);
	str_init(&req->body, 0);
	peer_address(req);
	return req;
}

static void request_free(struct request *req)
{
	req_db_release(req);
	if (req->resp_fd >= 0)
		close(req->resp_fd);
	json_decref(req->err_extra);
	str_release(&req->body);
	if (spare_ok && !pthread_getspecific(spare_key) && pthread_setspecific(spare_key, req) == 0) {
		arena_reset(&req->arena);
		return;
	}
	spare_free(req);
}

/* ---- the dispatcher ---------------------------------------------------------------------- */

static enum status check_origin(struct request *req)
{
	/* A browser always sends Origin on a cross-site POST; refuse one that is not us. */
	const char *origin = req_header(req, "Origin");
	if (!origin)
		return ST_OK;
	const char *host = req_header(req, "Host");
	const char *p = strstr(origin, "://");
	if (!host || !p || strcmp(p + 3, host) != 0)
		return req_fail(req, ST_FORBIDDEN, "origin_mismatch",
				"请求来源与本站不一致，已拒绝", NULL);
	return ST_OK;
}

static enum status run_route(struct request *req)
{
	const struct route *rt = req->route;
	enum status st;
	if (req->body_too_large)
		return req_failf(req, ST_TOO_LARGE, "too_large", NULL, "提交的内容超过%zu KB上限",
				 (rt->flags & ROUTE_RAW_BODY ? req->app->cfg->upload_max_bytes
							     : req->app->cfg->body_max_bytes) /
					 1024);
	if (rt->perm != PERM_PUBLIC) {
		bool via_cookie = false;
		st = auth_authenticate(req, &via_cookie);
		if (st)
			return st;
		if (method_mutates(req->method)) {
			st = check_origin(req);
			if (st)
				return st;
			if (via_cookie) {
				st = auth_check_csrf(req);
				if (st)
					return st;
			}
		}
		if (req->user->must_change_password && !(rt->flags & ROUTE_PWCHANGE_OK))
			return req_fail(req, ST_FORBIDDEN, "password_change_required",
					"首次登录或密码已被重置，请先修改密码", NULL);
		enum perm granted = rt->perm;
		enum perm also = ROUTE_OR_PERM(rt->flags);
		if (granted != PERM_LOGIN && !permset_has(&req->user->perms, granted) && also &&
		    permset_has(&req->user->perms, also))
			granted = also;
		if (granted != PERM_LOGIN && !permset_has(&req->user->perms, granted))
			return req_fail(req, ST_FORBIDDEN, "permission_denied",
					"您没有执行此操作的权限", NULL);
		principal_scope(req->user, granted, &req->scope);
	} else if (method_mutates(req->method)) {
		st = check_origin(req);
		if (st)
			return st;
	}
	return rt->handler(req);
}

static void error_body(struct request *req)
{
	enum status st = req->st;
	req->http_status = status_http(st);
	json_t *err = json_pack("{s:s, s:s}", "code", req->err_code ? req->err_code : status_code(st),
				"message",
				req->err_message ? req->err_message : status_message(st));
	if (err && req->err_field)
		json_object_set_new(err, "field", json_string(req->err_field));
	if (err && req->err_extra)
		json_object_update(err, req->err_extra);
	json_t *body = err ? json_pack("{s:o}", "error", err) : NULL;
	fault_hold(true); /* jansson's writer and a failed allocation: see fault.h */
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	fault_hold(false);
	json_decref(body);
	if (text) {
		req->resp_body = arena_strdup(&req->arena, text);
		req->resp_len = req->resp_body ? strlen(text) : 0;
		free(text);
	}
	if (!req->resp_body) {
		/* the error could not be described: say so, with the status that goes with it */
		static char fallback[] = "{\"error\":{\"code\":\"out_of_memory\",\"message\":"
					 "\"服务器内存不足，请稍后再试\"}}";
		req->http_status = status_http(ST_NOMEM);
		req->resp_body = fallback;
		req->resp_len = sizeof(fallback) - 1;
	}
	req->resp_type = "application/json; charset=utf-8";
}

#ifdef TIEJIAN_FAULT
/* make VARIANT=fault only: "X-Tiejian-Fault: alloc=N" (or "db=N") fails the Nth allocation (or
 * database call) made while this request is dispatched; the answer's X-Tiejian-Fault says
 * whether it fired, so a test knows when N has passed the last one (tests/reliability/fault). */
static void fault_begin(struct request *req)
{
	const char *h = req_header(req, "X-Tiejian-Fault");
	int64_t n;
	if (h && strncmp(h, "alloc=", 6) == 0 && str_to_i64(h + 6, 1, INT32_MAX, &n))
		fault_arm((long)n, 0);
	else if (h && strncmp(h, "db=", 3) == 0 && str_to_i64(h + 3, 1, INT32_MAX, &n))
		fault_arm(0, (long)n);
}

static void fault_end(struct request *req)
{
	bool armed = req_header(req, "X-Tiejian-Fault") != NULL;
	bool fired = fault_fired();
	fault_arm(0, 0);
	if (armed)
		req_set_header(req, "X-Tiejian-Fault", fired ? "fired" : "not-fired");
}
#endif

void server_dispatch(struct request *req)
{
	enum status st = ST_OK;
#ifdef TIEJIAN_FAULT
	fault_begin(req);
#endif
	if (!req->match.route) {
		bool api = strncmp(req->path, "/api/", 5) == 0 || strcmp(req->path, "/api") == 0;
		if (!api && (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0))
			st = static_serve(req);
		else if (req->match.path_known) {
			req_set_header(req, "Allow", arena_strdup(&req->arena, req->match.allow));
			st = req_fail(req, ST_METHOD, NULL, NULL, NULL);
		} else {
			st = req_fail(req, ST_NOT_FOUND, "no_such_endpoint", "没有这个接口", NULL);
		}
	} else {
		req->route = req->match.route->route;
		st = run_route(req);
	}
	if (req->db) {
		if (db_in_tx(req->db)) {
			log_error("rid=%s handler %s left a transaction open", req->id, req->path);
			db_rollback(req->db);
		}
		req_db_release(req);
	}
	if (st) {
		req->st = st;
		if (status_http(st) >= 500)
			log_error("rid=%s %s %s failed: %s", req->id, req->method, req->path,
				  status_code(st));
		error_body(req);
	}
#ifdef TIEJIAN_FAULT
	fault_end(req);
#endif
}

static void add_security_headers(struct request *req, struct MHD_Response *r)
{
	bool json = req->resp_type && strncmp(req->resp_type, "application/json", 16) == 0;
	MHD_add_response_header(r, "Content-Security-Policy", json ? CSP_JSON : CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	if (!json) {
		MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
		MHD_add_response_header(r, "Permissions-Policy",
					"camera=(), microphone=(), geolocation=()");
	}
	if (req->app->cfg->tls)
		MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
	MHD_add_response_header(r, "X-Request-Id", req->id);
}

static enum MHD_Result send_response(struct request *req)
{
	struct MHD_Response *r;
	if (req->resp_fd >= 0) {
		r = MHD_create_response_from_fd64(req->resp_fd_size, req->resp_fd);
		if (r)
			req->resp_fd = -1; /* MHD closes it */
	} else {
		static char empty[1];
		r = MHD_create_response_from_buffer(req->resp_len,
						    req->resp_body ? req->resp_body : empty,
						    MHD_RESPMEM_PERSISTENT);
	}
	if (!r)
		return MHD_NO;
	add_security_headers(req, r);
	if (req->resp_type)
		MHD_add_response_header(r, "Content-Type", req->resp_type);
	bool has_cache = false;
	for (int i = 0; i < req->nheaders; i++) {
		MHD_add_response_header(r, req->headers[i].name, req->headers[i].value);
		if (strcmp(req->headers[i].name, "Cache-Control") == 0)
			has_cache = true;
	}
	if (!has_cache)
		MHD_add_response_header(r, "Cache-Control", "no-store");
	if (req->body_too_large)
		MHD_add_response_header(r, "Connection", "close");
	enum MHD_Result ret = MHD_queue_response(req->conn, (unsigned)req->http_status, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- the lanes --------------------------------------------------------------------------------
 *
 * libmicrohttpd's pool threads (--threads, one per core by default) each serve many
 * connections, so a request that waits holds up every other connection of its thread. A request
 * that may wait therefore does not run there: its connection is suspended, the request queued
 * for a lane's own threads, and the connection resumed with the answer.
 *
 * - The slow lane: routes that hash a password (ROUTE_SLOW: Argon2id, 64 MB and tens of
 *   milliseconds on purpose). Twenty clients logging in once held up the console's other
 *   requests for a second. It has two threads more than twice the hashes that may run at once
 *   (--pwhash-concurrency, which the gate in auth.c still enforces): the rest of a login (its
 *   rate check, its session, its audit row) waits for the database, and meanwhile another login
 *   hashes. A full queue is answered 429 with Retry-After.
 * - The write lane: every request that is not a GET or HEAD, and the GETs that run long
 *   (ROUTE_LONG: exports). A write waits for the process's write gate and a filing for the
 *   commit its batch shares (appeals_http.c), and filings batch by how many wait together:
 *   SERVER_WRITE_THREADS of them may. With the writes on threads of their own, the pool's
 *   threads stay as many as the cores and serve the reads without switching between sixteen
 *   threads for sixteen connections (GET /me: about 60k -> 88k a second at 4 against 16
 *   threads). A full queue is answered 503 with Retry-After.
 */
#define LANE_QUEUE_MAX	 512
#define LANE_THREADS_MAX 32

struct lane {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct request *head, **tail;
	int n;
	bool stop;
	pthread_t threads[LANE_THREADS_MAX];
	unsigned nthreads;
	long run; /* requests answered there, for /metrics */
};

static struct lane slow = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, &slow.head,
			   0, false, {0}, 0, 0};
static struct lane writes = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL,
			     &writes.head, 0, false, {0}, 0, 0};

static void lane_stats(struct lane *l, long *waiting, long *run)
{
	pthread_mutex_lock(&l->mu);
	*waiting = l->n;
	*run = l->run;
	pthread_mutex_unlock(&l->mu);
}

void server_slow_stats(long *waiting, long *run)
{
	lane_stats(&slow, waiting, run);
}

void server_write_stats(long *waiting, long *run)
{
	lane_stats(&writes, waiting, run);
}

static void *lane_loop(void *arg)
{
	struct lane *l = arg;
	for (;;) {
		pthread_mutex_lock(&l->mu);
		while (!l->head && !l->stop)
			pthread_cond_wait(&l->cv, &l->mu);
		struct request *req = l->head;
		if (!req) {
			pthread_mutex_unlock(&l->mu);
			return NULL;
		}
		if (!(l->head = req->lane_next))
			l->tail = &l->head;
		l->n--;
		l->run++;
		bool stopping = l->stop;
		pthread_mutex_unlock(&l->mu);
		if (stopping) {
			req->st = req_fail(req, ST_UNAVAILABLE, "shutting_down",
					   "服务正在停止，请稍后重试", NULL);
			error_body(req);
		} else {
			server_dispatch(req);
		}
		if (!req->http_status)
			req->http_status = 500;
		req->lane_done = true;
		MHD_resume_connection(req->conn); /* its pool thread sends the answer */
	}
}

/* Queue req on lane l (its connection suspended); false when it is full. */
static bool lane_queue(struct lane *l, struct request *req)
{
	pthread_mutex_lock(&l->mu);
	bool ok = !l->stop && l->nthreads && l->n < LANE_QUEUE_MAX;
	if (ok) {
		MHD_suspend_connection(req->conn);
		req->lane_next = NULL;
		*l->tail = req;
		l->tail = &req->lane_next;
		l->n++;
		pthread_cond_signal(&l->cv);
	}
	pthread_mutex_unlock(&l->mu);
	return ok;
}

static enum status lane_start(struct lane *l, unsigned n)
{
	l->stop = false;
	l->nthreads = 0;
	if (n > LANE_THREADS_MAX)
		n = LANE_THREADS_MAX;
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&l->threads[i], NULL, lane_loop, l) != 0)
			return ST_UNAVAILABLE;
		l->nthreads++;
	}
	return ST_OK;
}

/* Answer what still waits (503) and end the threads. */
static void lane_stop(struct lane *l)
{
	pthread_mutex_lock(&l->mu);
	l->stop = true;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	for (unsigned i = 0; i < l->nthreads; i++)
		pthread_join(l->threads[i], NULL);
	l->nthreads = 0;
}

/* The lane req runs on, or NULL for the pool thread that read it. */
static struct lane *lane_for(const struct request *req)
{
	if (!req->match.route)
		return NULL;
	unsigned flags = req->match.route->route->flags;
	if (flags & ROUTE_SLOW)
		return &slow;
	if ((flags & ROUTE_LONG) ||
	    (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0))
		return &writes;
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct app *app = cls;
	struct request *req = *con_cls;
	if (!req) {
		req = request_new(app, conn, url, method);
		if (!req)
			return MHD_NO;
		*con_cls = req;
		atomic_fetch_add(&app->inflight, 1);
		if (headers_too_large(conn)) {
			req->body_too_large = true; /* nothing of it is kept; the connection closes */
			req->st = req_fail(req, ST_HEADERS_TOO_LARGE, NULL, NULL, NULL);
			error_body(req);
			return send_response(req);
		}
		router_match(&app->router, method, url, &req->match);
		size_t limit = req->match.route && (req->match.route->route->flags & ROUTE_RAW_BODY)
				       ? app->cfg->upload_max_bytes
				       : app->cfg->body_max_bytes;
		req->body.cap_bytes = limit;
		const char *cl = req_header(req, "Content-Length");
		int64_t n;
		if (cl && str_to_i64(cl, 0, INT64_MAX, &n) && (uint64_t)n > limit) {
			req->body_too_large = true;
			/* Somewhat too large: read and drop the rest, so the client (which is still
			 * sending) gets a clean 413 instead of a reset. Far too large: refuse before
			 * reading: no 100 Continue, and the connection closes. */
			if ((uint64_t)n > limit + DRAIN_EXTRA_BYTES) {
				server_dispatch(req);
				return send_response(req);
			}
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!req->body_too_large) {
			str_append(&req->body, upload, *upload_size);
			if (!str_ok(&req->body)) {
				req->body_too_large = true;
				str_release(&req->body);
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (req->lane_done)
		return send_response(req); /* answered on a lane */
	if (req->http_status)
		return MHD_YES; /* already answered (413 before the body) */
	struct lane *lane = lane_for(req);
	if (lane) {
		if (lane_queue(lane, req))
			return MHD_YES; /* suspended until the lane has answered */
		req_set_header(req, "Retry-After", "2");
		if (lane == &slow)
			req->st = req_fail(req, ST_RATE_LIMITED, "rate_limited",
					   "登录和设置密码的请求较多，请稍后再试", NULL);
		else
			req->st = req_fail(req, ST_UNAVAILABLE, "busy",
					   "服务器正忙（待处理的保存和导出请求较多），请稍后再试", NULL);
		error_body(req);
		return send_response(req);
	}
	server_dispatch(req);
	if (!req->http_status)
		req->http_status = 500;
	return send_response(req);
}

static void log_access_line(struct request *req, int status, int64_t dur_ns)
{
	char line[1024];
	char path[256];
	size_t j = 0;
	for (const char *p = req->path; *p && j < sizeof(path) - 4; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			snprintf(path + j, 4, "%%%02X", c);
			j += 3;
		} else {
			path[j++] = (char)c;
		}
	}
	path[j] = '\0';
	char ts[64];
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct tm tm;
	gmtime_r(&now.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 now.tv_nsec / 1000000);
	int n = snprintf(line, sizeof(line),
			 "ts=%s level=access rid=%s ip=%s method=%s path=\"%s\" route=\"%s\" "
			 "status=%d dur_ms=%.2f user=%lld bytes=%zu queries=%lu\n",
			 ts, req->id, req->ip, req->method, path,
			 req->route ? req->route->pattern : "-", status, (double)dur_ns / 1e6,
			 req->user ? (long long)req->user->user_id : 0LL, req->resp_len,
			 req->db_queries);
	if (n > 0)
		log_access(line, (unsigned long)((size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1));
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	struct app *app = cls;
	struct request *req = *con_cls;
	if (!req)
		return;
	*con_cls = NULL;
	int status = req->http_status ? req->http_status : 499;
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !req->http_status)
		status = 499;
	int64_t dur = mono_ns() - req->start_ns;
	size_t route_index = req->route         ? req->match.index
			     : req->static_file ? METRICS_ROUTE_STATIC
						: METRICS_ROUTE_NONE;
	metrics_observe(app->metrics, route_index, status, dur);
	if (app->cfg->access_log && !(req->route && (req->route->flags & ROUTE_NO_LOG)))
		log_access_line(req, status, dur);
	request_free(req);
	atomic_fetch_sub(&app->inflight, 1);
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	log_warnx("http: %s", buf);
}

static bool parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
			 bool *v6)
{
	char host[64];
	const char *colon;
	memset(ss, 0, sizeof(*ss));
	if (listen[0] == '[') {
		const char *end = strchr(listen, ']');
		if (!end || end[1] != ':' || (size_t)(end - listen - 1) >= sizeof(host))
			return false;
		memcpy(host, listen + 1, (size_t)(end - listen - 1));
		host[end - listen - 1] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || (size_t)(colon - listen) >= sizeof(host))
			return false;
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
	}
	int64_t port;
	if (!str_to_i64(colon + 1, 0, 65535, &port))
		return false;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		*v6 = false;
		return true;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		*v6 = true;
		return true;
	}
	return false;
}

enum status server_start(struct app *app)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	bool v6;
	if (!parse_listen(app->cfg->listen, &ss, &sslen, &v6)) {
		log_error("cannot parse listen address '%s' (want HOST:PORT or [V6]:PORT)",
			  app->cfg->listen);
		return ST_INVALID;
	}
	unsigned threads = app->cfg->threads;
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 2;
	}
#ifdef TIEJIAN_FAULT
	fault_install();
#endif
	/* We listen and accept (accept.h); libmicrohttpd's pool threads serve what we hand them. */
	struct acceptor *acc;
	unsigned port;
	if (acceptor_open((struct sockaddr *)&ss, sslen, v6, &acc, &port)) {
		log_warn("cannot listen on %s", app->cfg->listen);
		return ST_UNAVAILABLE;
	}
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
			 MHD_USE_NO_LISTEN_SOCKET | MHD_ALLOW_SUSPEND_RESUME;
	/* The logger first: libmicrohttpd uses its own for anything said before it is set. */
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, app, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, app,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024, MHD_OPTION_CONNECTION_LIMIT,
		2000u, MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
	if (!d || lane_start(&slow, 2 * app->pwhash_slots + 2) ||
	    lane_start(&writes, SERVER_WRITE_THREADS) || acceptor_start(acc, d)) {
		log_warnx("cannot start the server's threads");
		lane_stop(&slow);
		lane_stop(&writes);
		acceptor_close(acc);
		if (d)
			MHD_stop_daemon(d);
		return ST_UNAVAILABLE;
	}
	app->mhd = d;
	app->acceptor = acc;
	char host[64];
	if (v6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
	printf(v6 ? "listening on http://[%s]:%u (%u threads)\n"
		  : "listening on http://%s:%u (%u threads)\n",
	       host, port, threads);
	fflush(stdout);
	return ST_OK;
}

void server_stop(struct app *app, unsigned grace_ms)
{
	if (!app->mhd)
		return;
	atomic_store(&app->stopping, true);
	acceptor_close(app->acceptor); /* new connections are refused from here on */
	app->acceptor = NULL;
	int64_t deadline = mono_ns() + (int64_t)grace_ms * 1000000LL;
	while (atomic_load(&app->inflight) > 0 && mono_ns() < deadline) {
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	long left = atomic_load(&app->inflight);
	if (left > 0)
		log_warnx("stopping with %ld requests still in flight", left);
	lane_stop(&slow); /* what still waits there is answered 503 and resumed */
	lane_stop(&writes);
	MHD_stop_daemon(app->mhd);
	app->mhd = NULL;
	struct request *spare = spare_ok ? pthread_getspecific(spare_key) : NULL;
	if (spare) {
		pthread_setspecific(spare_key, NULL);
		spare_free(spare);
	}
}
