/* router.h: routes are data ({method, pattern, handler, permission, flags}) matched by segments. */
#ifndef TIEJIAN_ROUTER_H
#define TIEJIAN_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/perm.h"
#include "lib/status.h"
#include "lib/str.h"

struct request;
typedef enum status (*handler_fn)(struct request *req);

enum route_flags {
	ROUTE_PWCHANGE_OK = 1, /* allowed while the user must change the password */
	ROUTE_RAW_BODY = 2,    /* the body is not JSON (CSV, a file): the handler reads it */
	ROUTE_NO_LOG = 4,      /* no access-log line (health checks, metrics scrapes) */
	ROUTE_SLOW = 8,        /* hashes a password: runs on the slow lane (server.c), not on the
				* pool thread that holds the connection */
	ROUTE_LONG = 16,       /* a GET that may run for seconds (an export): runs on the write
				* lane (server.c), as writes do */
};

/* A second permission that also opens a route, in its flags: ROUTE_OR(PERM_APPEAL_ADMIN) on a
 * list that both those who act and those who configure read. The request's scope is that of the
 * permission the caller has (the route's own first). */
#define ROUTE_OR(perm) ((unsigned)(perm) << 8)
#define ROUTE_OR_PERM(flags) ((enum perm)((flags) >> 8))

/* One row of a module's route table. pattern: "/api/v1/orgs/:id/children". */
struct route {
	const char *method;
	const char *pattern;
	handler_fn handler;
	enum perm perm;
	unsigned flags; /* enum route_flags, and ROUTE_OR() */
};

#define ROUTE_MAX_SEGMENTS 12
#define ROUTE_MAX_PARAMS 4

struct route_param {
	struct span name; /* without the colon */
	struct span value;
};

struct compiled_route {
	const struct route *route;
	const char *module;
	int nseg;
	struct span seg[ROUTE_MAX_SEGMENTS]; /* ":id" segments keep their colon */
};

/* Ownership: the router keeps pointers to the route tables (static data) and owns the array. */
struct router {
	struct compiled_route *routes;
	size_t n;
	size_t alloc;
};

void router_init(struct router *r);
void router_release(struct router *r);
/* Add a module's table. ST_INVALID (and a log line) for a malformed pattern or a duplicate. */
enum status router_add(struct router *r, const char *module, const struct route *routes,
		       size_t n);

struct route_match {
	const struct compiled_route *route; /* NULL: no route for this method and path */
	size_t index;                       /* of route, for metrics */
	bool path_known;                    /* some route has this path with another method */
	char allow[64];                     /* the methods it has, for 405's Allow header */
	int nparams;
	struct route_param params[ROUTE_MAX_PARAMS];
};

/* Match method and path ("/api/v1/orgs/7", no query string). */
void router_match(const struct router *r, const char *method, const char *path,
		  struct route_match *out);

#endif
