/* fuzz_router.c: the path of a request against the real route tables of every module
 * (router_match), its parameters as ids (span_to_i64, as req_param_id reads them), numbers in
 * query strings (str_to_i64), the UTF-8 check every body and query goes through (utf8_valid,
 * against a second validator written from the Unicode standard's table 3-7), and LIKE escaping.
 * Input: a method, a blank, then the path. */
#include <stdlib.h>
#include <string.h>

#include "app/module.h"
#include "fuzz.h"
#include "lib/arena.h"
#include "lib/str.h"

static struct router router;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	router_init(&router);
	for (size_t i = 0; i < app_nmodules; i++)
		if (router_add(&router, app_modules[i]->name, app_modules[i]->routes,
			       app_modules[i]->nroutes) != ST_OK)
			abort();
	return 0;
}

/* Unicode 15, table 3-7: the well-formed UTF-8 byte sequences. */
static bool utf8_reference(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char b = s[i];
		unsigned char lo = 0x80, hi = 0xbf;
		size_t len;
		if (b <= 0x7f)
			len = 1;
		else if (b >= 0xc2 && b <= 0xdf)
			len = 2;
		else if (b == 0xe0)
			len = 3, lo = 0xa0;
		else if ((b >= 0xe1 && b <= 0xec) || b == 0xee || b == 0xef)
			len = 3;
		else if (b == 0xed)
			len = 3, hi = 0x9f;
		else if (b == 0xf0)
			len = 4, lo = 0x90;
		else if (b >= 0xf1 && b <= 0xf3)
			len = 4;
		else if (b == 0xf4)
			len = 4, hi = 0x8f;
		else
			return false;
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			unsigned char lim_lo = k == 1 ? lo : 0x80, lim_hi = k == 1 ? hi : 0xbf;
			if (s[i + k] < lim_lo || s[i + k] > lim_hi)
				return false;
		}
		i += len;
	}
	return true;
}

/* A decimal reading of the span by other means: digits only (leading zeros allowed), no overflow,
 * and, as span_to_i64 promises, no more than 23 characters in all (more than any int64 needs:
 * refused rather than read). */
static bool i64_reference(struct span v, int64_t *out)
{
	if (v.len == 0 || v.len > 23)
		return false;
	int64_t x = 0;
	for (size_t i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return false;
		if (x > (INT64_MAX - (v.p[i] - '0')) / 10)
			return false;
		x = x * 10 + (v.p[i] - '0');
	}
	*out = x;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192)
		return -1;
	char *text = fuzz_strndup(data, size);
	FUZZ_CHECK(utf8_valid((const char *)data, size) == utf8_reference(data, size),
		   "utf8_valid disagrees with the standard's table");
	char *sp = strchr(text, ' ');
	const char *method = text, *path = sp ? sp + 1 : "/";
	if (sp)
		*sp = '\0';
	struct route_match m;
	router_match(&router, method, path, &m);
	FUZZ_CHECK(strlen(m.allow) < sizeof(m.allow), "Allow overflow");
	if (m.route) {
		const char *rm = m.route->route->method;
		FUZZ_CHECK(strcmp(rm, method) == 0 ||
				   (strcmp(method, "HEAD") == 0 && strcmp(rm, "GET") == 0),
			   "%s matched a %s route", method, rm);
		FUZZ_CHECK(m.nparams >= 0 && m.nparams <= ROUTE_MAX_PARAMS, "%d params", m.nparams);
		for (int i = 0; i < m.nparams; i++) {
			struct span v = m.params[i].value;
			FUZZ_CHECK(v.p >= path && v.p + v.len <= path + strlen(path),
				   "parameter outside the path");
			FUZZ_CHECK(v.len > 0 && !memchr(v.p, '/', v.len), "parameter with a slash");
			int64_t a = 0, b = 0;
			bool ok = span_to_i64(v, 1, INT64_MAX, &a);
			bool ref = i64_reference(v, &b) && b >= 1;
			FUZZ_CHECK(ok == ref && (!ok || a == b), "span_to_i64 disagrees on %.*s",
				   (int)v.len, v.p);
		}
		FUZZ_CHECK(m.index < router.n && &router.routes[m.index] == m.route,
			   "index does not name the route");
	}
	int64_t n;
	if (str_to_i64(path, -1000, 1000, &n))
		FUZZ_CHECK(n >= -1000 && n <= 1000, "out of bounds");
	struct arena a;
	arena_init(&a, 4096, 1 << 20);
	char *esc = like_escape(&a, path);
	if (esc)
		FUZZ_CHECK(strlen(esc) >= strlen(path), "escaping lost characters");
	arena_release(&a);
	free(text);
	return 0;
}
