/* local.h: one whole request handled in-process, with no socket and no libmicrohttpd: the same
 * dispatcher (route, authenticate, CSRF, permission, scope, handler, error body) that a request
 * over the network reaches. The fuzzers drive the router through it (fuzz/fuzz_api.c). */
#ifndef TIEJIAN_LOCAL_H
#define TIEJIAN_LOCAL_H

#include <stddef.h>

#include "app/app.h"
#include "lib/status.h"

/*
 * Ownership: http_local() copies everything it reads from struct local_request into the
 * request's arena, so the caller's buffers need only live for the call. The response is
 * malloc'd and belongs to the caller until local_response_release().
 */
struct local_request {
	const char *method; /* "GET", "POST", ... */
	/* Path and optional query string, percent-encoded: "/api/v1/orgs?q=%E9%BE%99". */
	const char *target;
	/* "Name: value" lines separated by \n (a \r before it is dropped); NULL for none. */
	const char *headers;
	const char *body; /* may hold any bytes; NULL for none */
	size_t body_len;
	const char *ip; /* for rate limits and the audit log; NULL: 127.0.0.1 */
};

struct local_response {
	int status; /* the HTTP status sent */
	char *body; /* NUL-terminated (for convenience; body_len counts the bytes) */
	size_t body_len;
	char *headers; /* "Name: value\n" lines: Content-Type and what the handler added */
};

/*
 * Handle one request against app (opened with app_open(), not serving): the path is
 * percent-decoded as libmicrohttpd does, query arguments also turn '+' into a blank, headers
 * come from the lines of in->headers (at most 32; names compared without case), cookies from
 * its Cookie header ("a=1; b=2"). Body limits are the route's, as on the network. A static
 * file's body is left out (status and headers only). ST_NOMEM if the request cannot be built;
 * otherwise ST_OK and the answer, whatever its status, in *out.
 */
enum status http_local(struct app *app, const struct local_request *in, struct local_response *out);
void local_response_release(struct local_response *out);

/* ---- for request.c ---- */

enum local_kind { LOCAL_HEADER, LOCAL_QUERY, LOCAL_COOKIE };
struct local_input;
/* The value of name among the request's headers (any case), query arguments or cookies. */
const char *local_lookup(const struct local_input *in, enum local_kind kind, const char *name);

#endif
