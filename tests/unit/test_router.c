/* test_router.c: route tables compiled and matched: parameters, literals first, 405, HEAD. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/router.h"
#include "lib/log.h"

static enum status h_any(struct request *req)
{
	(void)req;
	return ST_OK;
}

static const struct route orgs[] = {
	{ "GET", "/api/v1/orgs", h_any, PERM_ORG_READ, 0 },
	{ "POST", "/api/v1/orgs", h_any, PERM_ORG_WRITE, 0 },
	{ "GET", "/api/v1/orgs/:id", h_any, PERM_ORG_READ, 0 },
	{ "PATCH", "/api/v1/orgs/:id", h_any, PERM_ORG_WRITE, 0 },
	{ "GET", "/api/v1/orgs/tree", h_any, PERM_ORG_READ, 0 },
	{ "GET", "/api/v1/orgs/:id/children", h_any, PERM_ORG_READ, 0 },
};
static const struct route misc[] = {
	{ "GET", "/", h_any, PERM_PUBLIC, 0 },
	{ "GET", "/healthz", h_any, PERM_PUBLIC, ROUTE_NO_LOG },
	{ "POST", "/api/v1/appeals/:id/:action", h_any, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/appeals/:id/timeline", h_any, PERM_LOGIN, 0 },
	{ "DELETE", "/api/v1/orgs/:id/children", h_any, PERM_ORG_WRITE, 0 },
	{ "PUT", "/a/:p1/b/:p2/c/:p3/d/:p4", h_any, PERM_LOGIN, 0 },
	{ "GET", "/1/2/3/4/5/6/7/8/9/10/11/12", h_any, PERM_LOGIN, 0 },
};

static struct router r;

static int setup(void **state)
{
	(void)state;
	log_set_level((enum log_level)(LOG_ERROR + 1)); /* the refusals below log; keep quiet */
	router_init(&r);
	if (router_add(&r, "orgs", orgs, sizeof(orgs) / sizeof(orgs[0])) != ST_OK ||
	    router_add(&r, "misc", misc, sizeof(misc) / sizeof(misc[0])) != ST_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	router_release(&r);
	return 0;
}

static void expect_route(const char *method, const char *path, const struct route *want)
{
	struct route_match m;
	router_match(&r, method, path, &m);
	if (!m.route)
		fail_msg("%s %s: no route (allow \"%s\")", method, path, m.allow);
	if (m.route->route != want)
		fail_msg("%s %s matched %s %s, want %s %s", method, path, m.route->route->method,
			 m.route->route->pattern, want->method, want->pattern);
	assert_ptr_equal(&r.routes[m.index], m.route);
}

/* No route; path_known and the Allow list as given (NULL: the path is unknown). */
static void expect_none(const char *method, const char *path, const char *allow)
{
	struct route_match m;
	router_match(&r, method, path, &m);
	if (m.route)
		fail_msg("%s %s matched %s %s", method, path, m.route->route->method,
			 m.route->route->pattern);
	assert_int_equal(m.nparams, 0);
	if (!allow) {
		if (m.path_known)
			fail_msg("%s %s: path known (allow \"%s\")", method, path, m.allow);
		assert_string_equal(m.allow, "");
		return;
	}
	if (!m.path_known || strcmp(m.allow, allow) != 0)
		fail_msg("%s %s: path_known %d allow \"%s\", want \"%s\"", method, path,
			 m.path_known, m.allow, allow);
}

static bool param_is(const struct route_match *m, int i, const char *name, const char *value)
{
	return i < m->nparams && span_eq(m->params[i].name, name) &&
	       span_eq(m->params[i].value, value);
}

static void matches_literals_and_params(void **state)
{
	(void)state;
	expect_route("GET", "/", &misc[0]);
	expect_route("GET", "/healthz", &misc[1]);
	expect_route("GET", "/api/v1/orgs", &orgs[0]);
	expect_route("POST", "/api/v1/orgs", &orgs[1]);
	expect_route("GET", "/api/v1/orgs/7", &orgs[2]);
	expect_route("PATCH", "/api/v1/orgs/7", &orgs[3]);
	expect_route("GET", "/api/v1/orgs/7/children", &orgs[5]);
	expect_route("DELETE", "/api/v1/orgs/7/children", &misc[4]);
	expect_route("POST", "/api/v1/appeals/12/assign", &misc[2]);
	expect_route("GET", "/api/v1/appeals/12/timeline", &misc[3]);

	struct route_match m;
	router_match(&r, "GET", "/api/v1/orgs/42", &m);
	assert_int_equal(m.nparams, 1);
	assert_true(param_is(&m, 0, "id", "42"));
	assert_string_equal(m.route->module, "orgs");
	assert_int_equal(m.route->route->perm, PERM_ORG_READ);

	router_match(&r, "POST", "/api/v1/appeals/12/assign", &m);
	assert_int_equal(m.nparams, 2);
	assert_true(param_is(&m, 0, "id", "12"));
	assert_true(param_is(&m, 1, "action", "assign"));
	assert_string_equal(m.route->module, "misc");

	/* Parameter values are any non-empty segment, pointing into the path. */
	static const char path[] = "/a/x/b/中文/c/%20/d/:p4";
	router_match(&r, "PUT", path, &m);
	assert_non_null(m.route);
	assert_int_equal(m.nparams, 4);
	assert_true(param_is(&m, 0, "p1", "x"));
	assert_true(param_is(&m, 1, "p2", "中文"));
	assert_true(param_is(&m, 2, "p3", "%20"));
	assert_true(param_is(&m, 3, "p4", ":p4"));
	assert_true(m.params[0].value.p >= path && m.params[3].value.p < path + sizeof(path));

	/* Segments compare whole and by case. */
	expect_none("GET", "/api/v1/org", NULL);
	expect_none("GET", "/api/v1/orgsx", NULL);
	expect_none("GET", "/API/v1/orgs", NULL);
	expect_none("GET", "/api/v1", NULL);
	expect_none("GET", "/api/v1/orgs/7/children/8", NULL);
	expect_none("GET", "/healthz/x", NULL);
	expect_none("GET", "/nowhere", NULL);
	expect_none("get", "/healthz", "GET"); /* methods are case-sensitive */
}

/* A literal segment beats a parameter, whatever the order of the table. */
static void literal_beats_parameter(void **state)
{
	(void)state;
	expect_route("GET", "/api/v1/orgs/tree", &orgs[4]);
	struct route_match m;
	router_match(&r, "GET", "/api/v1/orgs/tree", &m);
	assert_int_equal(m.nparams, 0);
	/* Another method on the literal path falls to the parameter route. */
	router_match(&r, "PATCH", "/api/v1/orgs/tree", &m);
	assert_ptr_equal(m.route->route, &orgs[3]);
	assert_true(param_is(&m, 0, "id", "tree"));
	/* "tree" deeper is a parameter value. */
	router_match(&r, "GET", "/api/v1/orgs/tree/children", &m);
	assert_ptr_equal(m.route->route, &orgs[5]);
	assert_true(param_is(&m, 0, "id", "tree"));
	/* The timeline literal beats the :action parameter, but only for its own method. */
	router_match(&r, "POST", "/api/v1/appeals/3/timeline", &m);
	assert_ptr_equal(m.route->route, &misc[2]);
	assert_true(param_is(&m, 1, "action", "timeline"));

	/* Every order of three routes that all match /x/lit/y: the most literal one wins. */
	static const struct route three[] = {
		{ "GET", "/x/:a/:b", h_any, PERM_PUBLIC, 0 },
		{ "GET", "/x/lit/:b", h_any, PERM_PUBLIC, 0 },
		{ "GET", "/x/lit/y", h_any, PERM_PUBLIC, 0 },
	};
	static const int orders[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
					  { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
	for (int o = 0; o < 6; o++) {
		struct router rr;
		router_init(&rr);
		for (int i = 0; i < 3; i++)
			assert_int_equal(router_add(&rr, "t", &three[orders[o][i]], 1), ST_OK);
		router_match(&rr, "GET", "/x/lit/y", &m);
		assert_ptr_equal(m.route->route, &three[2]);
		assert_int_equal(m.nparams, 0);
		router_match(&rr, "GET", "/x/lit/z", &m);
		assert_ptr_equal(m.route->route, &three[1]);
		assert_true(param_is(&m, 0, "b", "z"));
		router_match(&rr, "GET", "/x/other/y", &m);
		assert_ptr_equal(m.route->route, &three[0]);
		assert_true(param_is(&m, 0, "a", "other") && param_is(&m, 1, "b", "y"));
		router_release(&rr);
	}
}

/* A known path with another method: no route, path_known, and the methods it has. */
static void method_not_allowed(void **state)
{
	(void)state;
	expect_none("DELETE", "/api/v1/orgs", "GET, POST");
	expect_none("PUT", "/api/v1/orgs", "GET, POST");
	expect_none("DELETE", "/api/v1/orgs/7", "GET, PATCH");
	expect_none("POST", "/api/v1/orgs/7/children", "GET, DELETE");
	expect_none("POST", "/healthz", "GET");
	expect_none("OPTIONS", "/", "GET");
	expect_none("GET", "/api/v1/appeals/1/assign", "POST");
	/* /orgs/tree is GET only, but PATCH /orgs/:id also answers there. */
	expect_none("DELETE", "/api/v1/orgs/tree", "GET, PATCH");
	/* Methods in the order of the tables. */
	expect_none("DELETE", "/api/v1/appeals/1/timeline", "POST, GET");

	/* Many methods on one path: the list is never cut mid-name and stays a string. */
	static const struct route many[] = {
		{ "GET", "/m", h_any, PERM_PUBLIC, 0 },
		{ "POST", "/m", h_any, PERM_PUBLIC, 0 },
		{ "PUT", "/m", h_any, PERM_PUBLIC, 0 },
		{ "PATCH", "/m", h_any, PERM_PUBLIC, 0 },
		{ "DELETE", "/m", h_any, PERM_PUBLIC, 0 },
		{ "OPTIONS", "/m", h_any, PERM_PUBLIC, 0 },
		{ "PROPFIND", "/m", h_any, PERM_PUBLIC, 0 },
		{ "PROPPATCH", "/m", h_any, PERM_PUBLIC, 0 },
		{ "MKCOL", "/m", h_any, PERM_PUBLIC, 0 },
		{ "LOCK", "/m", h_any, PERM_PUBLIC, 0 },
		{ "UNLOCK", "/m", h_any, PERM_PUBLIC, 0 },
	};
	struct router rr;
	router_init(&rr);
	assert_int_equal(router_add(&rr, "m", many, sizeof(many) / sizeof(many[0])), ST_OK);
	struct route_match m;
	router_match(&rr, "TRACE", "/m", &m);
	assert_null(m.route);
	assert_true(m.path_known);
	assert_true(strlen(m.allow) < sizeof(m.allow));
	assert_true(strncmp(m.allow, "GET, POST, PUT, PATCH, DELETE, OPTIONS", 38) == 0);
	size_t len = strlen(m.allow);
	assert_true(len > 2 && m.allow[len - 1] != ' ' && m.allow[len - 1] != ',');
	router_release(&rr);
}

/* HEAD runs the GET route; a path with no GET has no HEAD either. */
static void head_matches_get(void **state)
{
	(void)state;
	expect_route("HEAD", "/healthz", &misc[1]);
	expect_route("HEAD", "/api/v1/orgs", &orgs[0]);
	expect_route("HEAD", "/api/v1/orgs/tree", &orgs[4]);
	expect_route("HEAD", "/api/v1/orgs/9", &orgs[2]);
	struct route_match m;
	router_match(&r, "HEAD", "/api/v1/orgs/9", &m);
	assert_true(param_is(&m, 0, "id", "9"));
	expect_none("HEAD", "/api/v1/appeals/1/assign", "POST");
	expect_none("HEAD", "/nowhere", NULL);
	/* GET is not HEAD's fallback in the other direction. */
	static const struct route head_only[] = { { "HEAD", "/h", h_any, PERM_PUBLIC, 0 } };
	struct router rr;
	router_init(&rr);
	assert_int_equal(router_add(&rr, "h", head_only, 1), ST_OK);
	router_match(&rr, "GET", "/h", &m);
	assert_null(m.route);
	assert_string_equal(m.allow, "HEAD");
	router_release(&rr);
}

/* Trailing slashes, empty segments, relative paths and too many segments match nothing. */
static void malformed_paths(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"api/v1/orgs",
		"/api/v1/orgs/",
		"/api/v1/orgs//",
		"//api/v1/orgs",
		"/api//v1/orgs",
		"/api/v1//orgs/7",
		"/healthz/",
		"//",
		"/api/v1/orgs/7/",
		"/api/v1/orgs/7/children/",
		"/1/2/3/4/5/6/7/8/9/10/11/12/",
		"/1/2/3/4/5/6/7/8/9/10/11/12/13",
		"/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_none("GET", bad[i], NULL);
		expect_none("POST", bad[i], NULL);
	}
	/* Twelve segments is the most, and matches. */
	expect_route("GET", "/1/2/3/4/5/6/7/8/9/10/11/12", &misc[6]);
	expect_none("POST", "/1/2/3/4/5/6/7/8/9/10/11/12", "GET");
}

static enum status add_one(const char *method, const char *pattern)
{
	static struct route row; /* the router keeps a pointer; one at a time is enough here */
	row = (struct route){ method, pattern, h_any, PERM_PUBLIC, 0 };
	struct router rr;
	router_init(&rr);
	enum status st = router_add(&rr, "t", &row, 1);
	router_release(&rr);
	return st;
}

static void malformed_patterns_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"x",
		"x/y",
		"/x/",
		"//x",
		"/x//y",
		"/x/:a/",
		"/1/2/3/4/5/6/7/8/9/10/11/12/13",
		"/:a/:b/:c/:d/:e", /* more parameters than ROUTE_MAX_PARAMS */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (add_one("GET", bad[i]) != ST_INVALID)
			fail_msg("pattern <%s> was accepted", bad[i]);
	assert_int_equal(add_one("GET", "/"), ST_OK);
	assert_int_equal(add_one("GET", "/:a/:b/:c/:d"), ST_OK);
	assert_int_equal(add_one("GET", "/1/2/3/4/5/6/7/8/9/10/11/12"), ST_OK);
}

/* The same method and shape twice is refused, whether in one table or across two, and
 * whatever the parameters are called; another method or a literal is a different route. */
static void duplicates_refused(void **state)
{
	(void)state;
	static const struct route base[] = {
		{ "GET", "/api/v1/orgs/:id", h_any, PERM_ORG_READ, 0 },
		{ "GET", "/api/v1/orgs", h_any, PERM_ORG_READ, 0 },
	};
	static const struct route dup[][1] = {
		{ { "GET", "/api/v1/orgs/:id", h_any, PERM_ORG_READ, 0 } },
		{ { "GET", "/api/v1/orgs/:code", h_any, PERM_ORG_WRITE, 0 } },
		{ { "GET", "/api/v1/orgs", h_any, PERM_PUBLIC, 0 } },
	};
	static const struct route fine[][1] = {
		{ { "POST", "/api/v1/orgs/:id", h_any, PERM_ORG_WRITE, 0 } },
		{ { "GET", "/api/v1/orgs/tree", h_any, PERM_ORG_READ, 0 } },
		{ { "GET", "/api/v1/:x/:id", h_any, PERM_ORG_READ, 0 } },
		{ { "GET", "/api/v1/orgs/:id/x", h_any, PERM_ORG_READ, 0 } },
		{ { "HEAD", "/api/v1/orgs", h_any, PERM_ORG_READ, 0 } },
	};
	for (size_t i = 0; i < sizeof(dup) / sizeof(dup[0]); i++) {
		struct router rr;
		router_init(&rr);
		assert_int_equal(router_add(&rr, "a", base, 2), ST_OK);
		if (router_add(&rr, "b", dup[i], 1) != ST_INVALID)
			fail_msg("duplicate %s %s accepted", dup[i][0].method, dup[i][0].pattern);
		assert_int_equal(rr.n, 2);
		router_release(&rr);
		/* Within one table too. */
		struct route both[2] = { base[i < 2 ? 0 : 1], dup[i][0] };
		router_init(&rr);
		assert_int_equal(router_add(&rr, "a", both, 2), ST_INVALID);
		router_release(&rr);
	}
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		struct router rr;
		router_init(&rr);
		assert_int_equal(router_add(&rr, "a", base, 2), ST_OK);
		if (router_add(&rr, "b", fine[i], 1) != ST_OK)
			fail_msg("%s %s refused", fine[i][0].method, fine[i][0].pattern);
		assert_int_equal(rr.n, 3);
		router_release(&rr);
	}
}

/* Hundreds of routes: the table grows and every one is still found at its index. */
static void many_routes(void **state)
{
	(void)state;
	enum { N = 300 };
	static struct route table[N];
	static char patterns[N][32];
	for (int i = 0; i < N; i++) {
		snprintf(patterns[i], sizeof(patterns[i]), "/r%d/:id/x%d", i, i % 7);
		table[i] =
			(struct route){ i % 2 ? "POST" : "GET", patterns[i], h_any, PERM_LOGIN, 0 };
	}
	struct router rr;
	router_init(&rr);
	assert_int_equal(router_add(&rr, "first", table, N / 2), ST_OK);
	assert_int_equal(router_add(&rr, "second", table + N / 2, N - N / 2), ST_OK);
	assert_int_equal(rr.n, N);
	for (int i = 0; i < N; i++) {
		char path[48];
		snprintf(path, sizeof(path), "/r%d/%d/x%d", i, i * 11, i % 7);
		struct route_match m;
		router_match(&rr, table[i].method, path, &m);
		assert_non_null(m.route);
		assert_ptr_equal(m.route->route, &table[i]);
		assert_int_equal(m.index, i);
		assert_string_equal(m.route->module, i < N / 2 ? "first" : "second");
		char id[16];
		snprintf(id, sizeof(id), "%d", i * 11);
		assert_true(param_is(&m, 0, "id", id));
		router_match(&rr, i % 2 ? "GET" : "POST", path, &m);
		assert_null(m.route);
		assert_string_equal(m.allow, table[i].method);
	}
	router_release(&rr);
	assert_int_equal(rr.n, 0);
	assert_null(rr.routes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_literals_and_params),
		cmocka_unit_test(literal_beats_parameter),
		cmocka_unit_test(method_not_allowed),
		cmocka_unit_test(head_matches_get),
		cmocka_unit_test(malformed_paths),
		cmocka_unit_test(malformed_patterns_refused),
		cmocka_unit_test(duplicates_refused),
		cmocka_unit_test(many_routes),
	};
	return cmocka_run_group_tests_name("router", tests, setup, teardown);
}
