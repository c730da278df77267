/* router.c: compile route patterns into segments and match a request path against them. */
#include "http/router.h"
#include "lib/log.h"

void router_init(struct router *r)
{
	r->routes = NULL;
	r->n = r->alloc = 0;
}

void router_release(struct router *r)
{
	free(r->routes);
	router_init(r);
}

/* Split "/a/b/c" into segments; false if there are too many or one is empty. */
static bool split(const char *path, struct span *seg, int *nseg)
{
	int n = 0;
	const char *p = path;
	if (*p != '/')
		return false;
	p++;
	if (!*p) {
		*nseg = 0;
		return true;
	}
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 0 || n == ROUTE_MAX_SEGMENTS)
			return false;
		seg[n++] = (struct span){p, len};
		if (!slash)
			break;
		p = slash + 1;
	}
	*nseg = n;
	return true;
}

static bool same_shape(const struct compiled_route *a, const struct compiled_route *b)
{
	if (a->nseg != b->nseg)
		return false;
	for (int i = 0; i < a->nseg; i++) {
		bool pa = a->seg[i].p[0] == ':', pb = b->seg[i].p[0] == ':';
		if (pa != pb)
			return false;
		if (!pa && (a->seg[i].len != b->seg[i].len ||
			    memcmp(a->seg[i].p, b->seg[i].p, a->seg[i].len) != 0))
			return false;
	}
	return true;
}

enum status router_add(struct router *r, const char *module, const struct route *routes,
		       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r->n == r->alloc) {
			size_t na = r->alloc ? r->alloc * 2 : 64;
			struct compiled_route *nr = realloc(r->routes, na * sizeof(*nr));
			if (!nr)
				return ST_NOMEM;
			r->routes = nr;
			r->alloc = na;
		}
		struct compiled_route *c = &r->routes[r->n];
		c->route = &routes[i];
		c->module = module;
		int params = 0;
		if (!split(routes[i].pattern, c->seg, &c->nseg)) {
			log_error("route %s %s: malformed pattern", routes[i].method,
				  routes[i].pattern);
			return ST_INVALID;
		}
		for (int s = 0; s < c->nseg; s++)
			if (c->seg[s].p[0] == ':')
				params++;
		if (params > ROUTE_MAX_PARAMS) {
			log_error("route %s: too many parameters", routes[i].pattern);
			return ST_INVALID;
		}
		for (size_t j = 0; j < r->n; j++) {
			if (strcmp(r->routes[j].route->method, routes[i].method) == 0 &&
			    same_shape(&r->routes[j], c)) {
				log_error("route %s %s duplicates %s", routes[i].method,
					  routes[i].pattern, r->routes[j].route->pattern);
				return ST_INVALID;
			}
		}
		r->n++;
	}
	return ST_OK;
}

/* Literal segments win over parameters: /orgs/tree before /orgs/:id. The last segments are
 * compared first: every route shares "/api/v1", so a path's end tells the routes apart. */
static int match_one(const struct compiled_route *c, const struct span *seg, int nseg)
{
	if (c->nseg != nseg)
		return -1;
	int literal = 0;
	for (int i = nseg - 1; i >= 0; i--) {
		if (c->seg[i].p[0] == ':')
			continue;
		if (c->seg[i].len != seg[i].len || memcmp(c->seg[i].p, seg[i].p, seg[i].len) != 0)
			return -1;
		literal++;
	}
	return literal;
}

/* Whether the comma-separated list has exactly this method (not just a substring of one). */
static bool allow_has(const char *list, const char *method)
{
	size_t n = strlen(method);
	for (const char *p = list; (p = strstr(p, method)) != NULL; p += n) {
		bool starts = p == list || p[-1] == ' ';
		bool ends = p[n] == '\0' || p[n] == ',';
		if (starts && ends)
			return true;
	}
	return false;
}

void router_match(const struct router *r, const char *method, const char *path,
		  struct route_match *out)
{
	struct span seg[ROUTE_MAX_SEGMENTS];
	int nseg;
	out->route = NULL;
	out->index = 0;
	out->path_known = false;
	out->allow[0] = '\0';
	out->nparams = 0;
	if (!split(path, seg, &nseg))
		return;
	int best = -1;
	size_t allow_len = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct compiled_route *c = &r->routes[i];
		int score = match_one(c, seg, nseg);
		if (score < 0)
			continue;
		if (strcmp(c->route->method, method) != 0 &&
		    !(strcmp(method, "HEAD") == 0 && strcmp(c->route->method, "GET") == 0)) {
			out->path_known = true;
			size_t ml = strlen(c->route->method);
			if (!allow_has(out->allow, c->route->method) &&
			    allow_len + ml + 3 < sizeof(out->allow)) {
				if (allow_len) {
					memcpy(out->allow + allow_len, ", ", 2);
					allow_len += 2;
				}
				memcpy(out->allow + allow_len, c->route->method, ml + 1);
				allow_len += ml;
			}
			continue;
		}
		if (score > best) {
			best = score;
			out->route = c;
			out->index = i;
		}
	}
	if (!out->route)
		return;
	const struct compiled_route *c = out->route;
	for (int i = 0; i < nseg; i++) {
		if (c->seg[i].p[0] != ':')
			continue;
		out->params[out->nparams].name = (struct span){c->seg[i].p + 1, c->seg[i].len - 1};
		out->params[out->nparams].value = seg[i];
		out->nparams++;
	}
}
