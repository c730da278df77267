/* request.h: one HTTP request as handlers see it, and the helpers they answer with. */
#ifndef TIEJIAN_REQUEST_H
#define TIEJIAN_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "auth/principal.h"
#include "auth/scope.h"
#include "db/db.h"
#include "http/router.h"
#include "lib/arena.h"
#include "lib/str.h"

struct MHD_Connection;
struct local_input;

#define REQ_MAX_HEADERS 12

/*
 * Ownership: the request owns its arena; everything hanging off the request (strings, the
 * principal, parsed JSON registered with req_own_json) is freed once, after the response is
 * sent. The database connection is borrowed from the pool on first use and given back when
 * the handler returns. A handler answers with reply_json()/reply_empty()/reply_raw() and
 * returns ST_OK, or returns an error status after req_fail() described it.
 */
struct request {
	struct app *app;
	struct arena arena;
	struct MHD_Connection *conn;       /* NULL for an in-process request (http/local.h) */
	const struct local_input *local; /* its headers, query and cookies; NULL otherwise */
	const char *method;
	const char *path;
	char id[20];
	char ip[48];
	int64_t now;      /* app clock, fixed for the whole request */
	int64_t start_ns; /* monotonic */

	/* body */
	struct str body;
	bool body_too_large;

	/* routing */
	struct route_match match;
	const struct route *route;

	/* caller */
	struct principal *user; /* NULL when not logged in */
	struct scope scope;     /* for the route's permission */

	struct db *db; /* see req_db() */
	unsigned long db_queries;    /* statements run for this request (the access log's queries=) */
	unsigned long db_queries_at; /* the connection's count when the request took it */

	/* response */
	int http_status;
	const char *resp_type;
	char *resp_body; /* arena */
	size_t resp_len;
	bool static_file; /* answered from web/dist */
	int resp_fd;      /* static files: -1 unless set */
	uint64_t resp_fd_size;
	int nheaders;
	struct {
		const char *name, *value;
	} headers[REQ_MAX_HEADERS];

	/* error (only the dispatcher writes the error body) */
	enum status st;
	const char *err_code;
	const char *err_message;
	const char *err_field;
	json_t *err_extra; /* extra members of the error object, owned */

	/* the lanes (server.c) */
	struct request *lane_next;
	bool lane_done; /* answered there; its connection resumed to send it */
};

/* A new request's id (16 hex digits) into req->id: unique within this process, and unlikely
 * to meet another process's. */
void req_new_id(struct request *req);

/* ---- reading ---- */

/* A request header, or NULL. */
const char *req_header(struct request *req, const char *name);
/* A query-string argument, or NULL. */
const char *req_query(struct request *req, const char *name);
/* A cookie sent by the client, or NULL. */
const char *req_cookie(struct request *req, const char *name);
/* A path parameter (":id" in the pattern), as a span; empty if absent. */
struct span req_param(struct request *req, const char *name);
/* A path parameter as a positive id; ST_NOT_FOUND when it is not one (so /orgs/abc is 404). */
enum status req_param_id(struct request *req, const char *name, int64_t *out);
/* The body as a JSON object: 415 if not JSON, 413 if too large, 400 if malformed, duplicate
 * keys, too deep or not an object. The object is owned by the request. */
enum status req_json(struct request *req, json_t **out);

/* The request's database connection, taken from the pool on first use (503 if none). */
enum status req_db(struct request *req, struct db **out);
/* Give the connection back to the pool, counting the statements the request ran on it. */
void req_db_release(struct request *req);

/* The five scope arguments for the route's permission (see SCOPE_PRED). */
void scope_filter(struct request *req, struct db_val args[SCOPE_NARGS]);

/* ---- answering ---- */

/* Send body (which must live as long as the request: its arena, or deferred) as a download:
 * Content-Disposition attachment with an ASCII name and the UTF-8 one (RFC 6266, so a Chinese
 * name arrives intact), Cache-Control no-store. A NULL filename (its formatting ran out of
 * memory) is sent as a plain attachment. */
enum status reply_file(struct request *req, const char *type, const char *filename, char *body,
		       size_t len);
/* An .xlsx download: fill() writes the workbook's sheets (lib/xlsx.h, xlsx_write()). */
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
struct lxw_workbook;
enum status reply_xlsx(struct request *req, const char *filename,
		       enum status (*fill)(struct lxw_workbook *wb, void *ctx), void *ctx);
/* The Content-Disposition value reply_file() sends, for an answer sent another way. */
const char *req_attachment(struct request *req, const char *filename);

/* Send body (ownership taken, even on failure) with the given status. */
enum status reply_json(struct request *req, int http_status, json_t *body);
enum status reply_empty(struct request *req, int http_status);
/* Bytes that live in the arena (or static storage). */
enum status reply_raw(struct request *req, int http_status, const char *content_type,
		      char *body, size_t len);
/* Add a response header; both strings must outlive the request (arena or static). */
void req_set_header(struct request *req, const char *name, const char *value);

/* Describe an error and return st: req_fail(req, ST_INVALID, "validation_failed",
 * "名称不能为空", "name"). code/message NULL take the status' defaults. Strings must outlive
 * the request (literals, or arena copies). */
enum status req_fail(struct request *req, enum status st, const char *code, const char *message,
		     const char *field);
/* Like req_fail with a printf-formatted message (formatted into the arena). */
enum status req_failf(struct request *req, enum status st, const char *code, const char *field,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Keep a JSON value alive until the request ends. Returns v. */
json_t *req_own_json(struct request *req, json_t *v);

/* Timestamp formatting into the arena: "2026-11-26T02:03:04Z", or NULL for 0. */
const char *req_time(struct request *req, int64_t t);
/* json_string of req_time(), or json_null(). */
json_t *json_time(struct request *req, int64_t t);

#endif
