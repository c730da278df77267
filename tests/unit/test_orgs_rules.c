/* test_orgs_rules.c: which org kind may sit under which, org codes, materialized paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>

#include "modules/orgs/orgs.h"

static void kind_tables(void **state)
{
	(void)state;
	static const char *const codes[] = { "province", "city", "county", "department" };
	static const char *const names[] = { "省级", "市级", "县区级", "科室/单位" };
	assert_int_equal(ORG__KINDS, 4);
	for (int k = 0; k < ORG__KINDS; k++) {
		assert_string_equal(org_kind_codes[k], codes[k]);
		assert_string_equal(org_kind_names[k], names[k]);
	}
	assert_null(org_kind_codes[ORG__KINDS]);
	assert_null(org_kind_names[ORG__KINDS]);
	assert_int_equal(ORG_PROVINCE, 0);
	assert_int_equal(ORG_DEPARTMENT, 3);
}

/* Every parent (the root, each kind, values out of range) × every child kind. */
static void child_kinds(void **state)
{
	(void)state;
	/* rows: parent -1 (root), province, city, county, department;
	 * columns: child province, city, county, department */
	static const bool allowed[5][4] = {
		{ true, true, false, false },  /* at the root: a province or a city */
		{ false, true, false, true },  /* under a province: cities and its departments */
		{ false, false, true, true },  /* under a city: counties and its departments */
		{ false, false, false, true }, /* under a county: departments */
		{ false, false, false, true }, /* under a department: departments */
	};
	for (int parent = -1; parent < ORG__KINDS; parent++) {
		for (int child = 0; child < ORG__KINDS; child++) {
			bool want = allowed[parent + 1][child];
			if (orgs_child_allowed(parent, (enum org_kind)child) != want)
				fail_msg("%s under %s: allowed = %d, want %d",
					 org_kind_codes[child],
					 parent < 0 ? "the root" : org_kind_codes[parent], !want,
					 want);
		}
		/* A child kind out of range is never allowed. */
		assert_false(orgs_child_allowed(parent, ORG__KINDS));
		assert_false(orgs_child_allowed(parent, (enum org_kind) - 1));
		assert_false(orgs_child_allowed(parent, (enum org_kind)99));
	}
	/* Nothing sits under a parent kind out of range. */
	static const int bad_parents[] = { -2, ORG__KINDS, 5, 99, INT32_MIN, INT32_MAX };
	for (size_t i = 0; i < sizeof(bad_parents) / sizeof(bad_parents[0]); i++)
		for (int child = 0; child < ORG__KINDS; child++)
			assert_false(orgs_child_allowed(bad_parents[i], (enum org_kind)child));
	/* Every chain from the root down is made of allowed steps and ends in departments. */
	assert_true(orgs_child_allowed(-1, ORG_PROVINCE) &&
		    orgs_child_allowed(ORG_PROVINCE, ORG_CITY) &&
		    orgs_child_allowed(ORG_CITY, ORG_COUNTY) &&
		    orgs_child_allowed(ORG_COUNTY, ORG_DEPARTMENT) &&
		    orgs_child_allowed(ORG_DEPARTMENT, ORG_DEPARTMENT));
}

static bool ref_code_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static void codes(void **state)
{
	(void)state;
	/* Every byte alone, and in the middle of a good code. */
	for (int c = 1; c < 256; c++) {
		char one[2] = { (char)c, '\0' };
		char mid[8] = { 'a', 'b', (char)c, 'c', 'd', '\0' };
		bool want = ref_code_char((unsigned char)c);
		if (orgs_code_valid(one) != want || orgs_code_valid(mid) != want)
			fail_msg("byte 0x%02x in a code: want %d", c, want);
	}
	/* Lengths 0..40: 1..32 are fine. */
	char code[48];
	for (size_t n = 0; n <= 40; n++) {
		for (size_t i = 0; i < n; i++)
			code[i] = "Az09-_"[i % 6];
		code[n] = '\0';
		assert_int_equal(orgs_code_valid(code), n >= 1 && n <= 32);
	}
	/* Real codes of the demo city and typical mistakes. */
	static const char *const good[] = { "230200", "230202-01", "HLJ", "qqhr_gxj", "-", "_x" };
	static const char *const bad[] = { "",
					   " 230200",
					   "230200 ",
					   "2302 02",
					   "齐齐哈尔",
					   "a/b",
					   "a.b",
					   "a,b",
					   "a'b",
					   "a%b",
					   "a\tb",
					   "a\nb",
					   "230200\xef\xbc\x8d" /* a full-width minus */ };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(orgs_code_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (orgs_code_valid(bad[i]))
			fail_msg("code <%s> accepted", bad[i]);
}

static void expect_path(const char *parent, int64_t id, const char *want)
{
	char out[64];
	assert_int_equal(orgs_child_path(parent, id, out, sizeof(out)), ST_OK);
	assert_string_equal(out, want);
	/* Exactly enough room works; any byte less is ST_TOO_LARGE. */
	size_t need = strlen(want) + 1;
	char exact[64];
	assert_int_equal(orgs_child_path(parent, id, exact, need), ST_OK);
	assert_string_equal(exact, want);
	for (size_t len = 0; len < need; len++) {
		char small[64];
		memset(small, 'x', sizeof(small));
		assert_int_equal(orgs_child_path(parent, id, len ? small : NULL, len),
				 ST_TOO_LARGE);
	}
}

static void paths(void **state)
{
	(void)state;
	expect_path(NULL, 1, "/1/");
	expect_path("/", 7, "/7/"); /* the root's path is "/" */
	expect_path("/1/", 7, "/1/7/");
	expect_path("/1/7/", 42, "/1/7/42/");
	expect_path(NULL, INT64_MAX, "/9223372036854775807/");
	expect_path("/1/", 10, "/1/10/");

	/* A tree built step by step: every path starts with its parent's, ends with its own id,
	 * and holds one segment per level. */
	char path[8][64];
	int64_t ids[8] = { 1, 23, 456, 7890, 12, 3, 99999, 5 };
	for (int depth = 0; depth < 8; depth++) {
		assert_int_equal(orgs_child_path(depth ? path[depth - 1] : NULL, ids[depth],
						 path[depth], sizeof(path[depth])),
				 ST_OK);
		if (depth)
			assert_true(strncmp(path[depth], path[depth - 1],
					    strlen(path[depth - 1])) == 0);
		char tail[32];
		snprintf(tail, sizeof(tail), "/%" PRId64 "/", ids[depth]);
		size_t n = strlen(path[depth]);
		assert_string_equal(path[depth] + n - strlen(tail), tail);
		int slashes = 0;
		for (const char *p = path[depth]; *p; p++)
			slashes += *p == '/';
		assert_int_equal(slashes, depth + 2);
	}
	assert_string_equal(path[7], "/1/23/456/7890/12/3/99999/5/");
	/* and read back into its ids, every level */
	for (int depth = 0; depth < 8; depth++) {
		int64_t got[8];
		assert_int_equal(orgs_path_ids(path[depth], got, 8), depth + 1);
		for (int i = 0; i <= depth; i++)
			assert_true(got[i] == ids[i]);
		assert_int_equal(orgs_path_ids(path[depth], got, depth), -1); /* one too many */
	}
	int64_t got[4];
	assert_int_equal(orgs_path_ids("/9223372036854775807/", got, 4), 1);
	assert_true(got[0] == INT64_MAX);
	const char *bad[] = { NULL, "", "1/2/", "/1/x/", "/1//2/", "/1/2", "/0/", "/-1/",
			      "/9223372036854775808/", "/1/2/ " };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(orgs_path_ids(bad[i], got, 4), -1);
	assert_int_equal(orgs_path_ids("/", got, 4), 0); /* the root's own path: no ids */
	/* A sibling's path is never a prefix of another's (the trailing slash). */
	char a[32], b[32];
	assert_int_equal(orgs_child_path("/1/", 2, a, sizeof(a)), ST_OK);
	assert_int_equal(orgs_child_path("/1/", 20, b, sizeof(b)), ST_OK);
	assert_false(strncmp(b, a, strlen(a)) == 0);
	/* Deep trees overflow the caller's buffer cleanly. */
	char deep[64] = "/";
	int64_t id = 1000000000;
	enum status st = ST_OK;
	int levels = 0;
	while (st == ST_OK) {
		char next[64];
		st = orgs_child_path(deep, id++, next, sizeof(next));
		if (st == ST_OK) {
			memcpy(deep, next, sizeof(deep));
			levels++;
		}
	}
	assert_int_equal(st, ST_TOO_LARGE);
	assert_int_equal(levels, 5); /* 1 + 11 characters a level, in 63 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kind_tables),
		cmocka_unit_test(child_kinds),
		cmocka_unit_test(codes),
		cmocka_unit_test(paths),
	};
	return cmocka_run_group_tests_name("orgs_rules", tests, NULL, NULL);
}
