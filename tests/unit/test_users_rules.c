/* test_users_rules.c: usernames, mobile numbers, and the separation of the three
 * administrators (三员分立) over every combination of permissions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/status.h"
#include "modules/users/users.h"

/* ---- usernames --------------------------------------------------------------------------- */

static bool ref_username_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == '@';
}

static void usernames(void **state)
{
	(void)state;
	/* Every byte in the middle of a good name. */
	for (int c = 1; c < 256; c++) {
		char name[8] = { 'a', 'b', (char)c, 'c', 'd', '\0' };
		if (users_username_valid(name) != ref_username_char((unsigned char)c))
			fail_msg("byte 0x%02x in a username: want %d", c,
				 ref_username_char((unsigned char)c));
	}
	/* Lengths 0..40: 3..32 are fine. */
	char name[48];
	for (size_t n = 0; n <= 40; n++) {
		for (size_t i = 0; i < n; i++)
			name[i] = "zZ9._-@"[i % 7];
		name[n] = '\0';
		if (users_username_valid(name) != (n >= 3 && n <= 32))
			fail_msg("a username of %zu characters: want %d", n, n >= 3 && n <= 32);
	}
	static const char *const good[] = { "sysadmin", "zhang.san", "wang_wu-2",
					    "li@qqhr",	"ABC",	     "x.y" };
	static const char *const bad[] = {
		"",    "ab",  "zhang san", "张三",    "zhang\tsan", "a/b",
		"a+b", "a'b", "a;b",	   "admin\n", "ｚｈａｎｇ" /* full-width letters */
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(users_username_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (users_username_valid(bad[i]))
			fail_msg("username <%s> accepted", bad[i]);
}

/* ---- mobile numbers ---------------------------------------------------------------------- */

static void mobile_numbers(void **state)
{
	(void)state;
	/* Every first and second digit. */
	for (char first = '0'; first <= '9'; first++) {
		for (char second = '0'; second <= '9'; second++) {
			char m[12] = { first, second, '8', '0', '0', '0',
				       '0',   '0',    '0', '0', '0', '\0' };
			bool want = first == '1' && second >= '3';
			if (users_mobile_valid(m) != want)
				fail_msg("mobile %s: want %d", m, want);
		}
	}
	/* Every length 0..14. */
	char m[16];
	for (size_t n = 0; n <= 14; n++) {
		for (size_t i = 0; i < n; i++)
			m[i] = i == 0 ? '1' : i == 1 ? '3' : (char)('0' + i % 10);
		m[n] = '\0';
		assert_int_equal(users_mobile_valid(m), n == 11);
	}
	/* A non-digit at every position. */
	static const char junk[] = { ' ', '-', 'a', '+', '.', '/', ':', '\t' };
	for (int pos = 0; pos < 11; pos++) {
		for (size_t j = 0; j < sizeof(junk); j++) {
			char bad[12];
			memcpy(bad, "13800138000", 12);
			bad[pos] = junk[j];
			if (users_mobile_valid(bad))
				fail_msg("mobile <%s> accepted", bad);
		}
	}
	assert_true(users_mobile_valid("13800138000"));
	assert_true(users_mobile_valid("19912345678"));
	assert_false(users_mobile_valid("+8613800138000"));
	assert_false(users_mobile_valid("138 0013 8000"));
	assert_false(users_mobile_valid("１３８００１３８０００")); /* full-width digits */
	assert_false(users_mobile_valid("12800138000"));
	assert_false(users_mobile_valid("04512345678")); /* a landline */
}

/* ---- 三员分立 ------------------------------------------------------------------------------ */

/* Written out here, apart from users_rules.c: the system administrator's permissions (1), the
 * security administrator's (2), the audit administrator's (3), the ones every administrator
 * may hold (-1); any other grantable permission is business data (0). */
static int ref_kind(enum perm p)
{
	switch (p) {
	case PERM_ORG_WRITE:
	case PERM_USER_WRITE:
	case PERM_CALENDAR_WRITE:
	case PERM_NOTIFY_ADMIN:
		return 1;
	case PERM_ROLE_READ:
	case PERM_ROLE_WRITE:
		return 2;
	case PERM_AUDIT_READ:
		return 3;
	case PERM_ORG_READ:
	case PERM_USER_READ:
		return -1;
	default:
		return 0;
	}
}

static void admin_kind_of_each_permission(void **state)
{
	(void)state;
	int per_kind[4] = { 0, 0, 0, 0 };
	for (int p = PERM_LOGIN + 1; p < PERM__COUNT; p++) {
		int got = users_perm_admin_kind((enum perm)p);
		if (got != ref_kind((enum perm)p))
			fail_msg("permission %s: kind %d, want %d", perm_table[p].code, got,
				 ref_kind((enum perm)p));
		if (got >= 0)
			per_kind[got]++;
	}
	assert_int_equal(per_kind[1], 4);
	assert_int_equal(per_kind[2], 2);
	assert_int_equal(per_kind[3], 1);
	assert_true(per_kind[0] >= 2); /* enterprise.read, enterprise.write, and more to come */
	assert_int_equal(users_perm_admin_kind(PERM_PUBLIC), 0);
	assert_int_equal(users_perm_admin_kind(PERM_LOGIN), 0);
}

/* Every set of grantable permissions: never two kinds of administrator, never an
 * administrator's permissions with business ones; the shared ones go with anything. The rule
 * sees only the kind of each permission, so the sets are every subset of the administrators'
 * and shared permissions, each with no business permission, with each one of them alone, or
 * with all of them: every case the rule can tell apart, however many permissions modules add. */
static void every_combination_of_permissions(void **state)
{
	(void)state;
	enum { FIRST = PERM_LOGIN + 1, GRANTABLE = PERM__COUNT - FIRST };
	int admin_perms[GRANTABLE], business[GRANTABLE], nadmin = 0, nbusiness = 0;
	for (int p = FIRST; p < PERM__COUNT; p++) {
		if (ref_kind((enum perm)p) == 0)
			business[nbusiness++] = p;
		else
			admin_perms[nadmin++] = p;
	}
	_Static_assert(GRANTABLE <= 64, "a permset is one word in this test");
	assert_true(nadmin <= 20);
	long refused = 0, accepted = 0, cases = 0;
	for (uint32_t set = 0; set < (1u << nadmin); set++)
		for (int b = -2; b < nbusiness; b++) { /* -2 none, -1 all, else business[b] alone */
		struct permset s;
		memset(&s, 0, sizeof(s));
		bool kinds[4] = { false, false, false, false };
		for (int i = 0; i < nadmin; i++) {
			if (!(set & (1u << i)))
				continue;
			permset_add(&s, (enum perm)admin_perms[i]);
			int k = ref_kind((enum perm)admin_perms[i]);
			if (k >= 0)
				kinds[k] = true;
		}
		for (int i = 0; i < nbusiness; i++)
			if (b == -1 || b == i) {
				permset_add(&s, (enum perm)business[i]);
				kinds[0] = true;
			}
		cases++;
		int admins = kinds[1] + kinds[2] + kinds[3];
		bool want = admins == 0 || (admins == 1 && !kinds[0]);
		const char *why = "unset";
		enum status st = users_perms_compatible(&s, &why);
		if ((st == ST_OK) != want) {
			char list[2048] = "";
			size_t n = 0;
			for (int p = FIRST; p < PERM__COUNT && n < sizeof(list) - 64; p++)
				if (permset_has(&s, (enum perm)p))
					n += (size_t)snprintf(list + n, sizeof(list) - n, " %s",
							      perm_table[p].code);
			fail_msg("{%s }: status %d, want %s", list, (int)st,
				 want ? "ok" : "refused");
		}
		if (want) {
			assert_null(why);
			accepted++;
			continue;
		}
		assert_int_equal(st, ST_INVALID);
		assert_non_null(why);
		assert_non_null(strstr(why, "三员分立"));
		/* Two administrators and an administrator with business data say different things.
		 */
		if (admins > 1)
			assert_non_null(strstr(why, "分别授予不同的人"));
		else
			assert_non_null(strstr(why, "业务数据"));
		refused++;
		}
	assert_int_equal(accepted + refused, cases);
	assert_int_equal(cases, (1L << nadmin) * (nbusiness + 2));
	assert_true(accepted > 0 && refused > 0);

	/* PERM_PUBLIC and PERM_LOGIN bits are never grants and change nothing. */
	struct permset s;
	memset(&s, 0, sizeof(s));
	permset_add(&s, PERM_PUBLIC);
	permset_add(&s, PERM_LOGIN);
	permset_add(&s, PERM_AUDIT_READ);
	const char *why;
	assert_int_equal(users_perms_compatible(&s, &why), ST_OK);
	permset_add(&s, PERM_ROLE_READ);
	assert_int_equal(users_perms_compatible(&s, &why), ST_INVALID);
}

/* The three administrators as the demo grants them, and the usual mistakes. */
static void the_three_administrators(void **state)
{
	(void)state;
	static const struct {
		enum perm perms[6];
		bool ok;
	} cases[] = {
		{ { PERM_ORG_READ, PERM_ORG_WRITE, PERM_USER_READ, PERM_USER_WRITE,
		    PERM_CALENDAR_WRITE },
		  true }, /* 系统管理员 */
		{ { PERM_ROLE_READ, PERM_ROLE_WRITE, PERM_USER_READ, PERM_ORG_READ },
		  true },						      /* 安全 */
		{ { PERM_AUDIT_READ, PERM_ORG_READ, PERM_USER_READ }, true }, /* 审计 */
		{ { PERM_ENTERPRISE_READ, PERM_ENTERPRISE_WRITE, PERM_ORG_READ }, true }, /* 业务 */
		{ { PERM_USER_WRITE, PERM_ROLE_WRITE }, false },
		{ { PERM_ROLE_WRITE, PERM_AUDIT_READ }, false },
		{ { PERM_CALENDAR_WRITE, PERM_AUDIT_READ }, false },
		{ { PERM_AUDIT_READ, PERM_ENTERPRISE_READ }, false },
		{ { PERM_ORG_WRITE, PERM_ENTERPRISE_WRITE }, false },
		{ { PERM_ROLE_READ, PERM_ENTERPRISE_READ }, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct permset s;
		memset(&s, 0, sizeof(s));
		for (int k = 0; k < 6 && cases[i].perms[k]; k++)
			permset_add(&s, cases[i].perms[k]);
		const char *why;
		if ((users_perms_compatible(&s, &why) == ST_OK) != cases[i].ok)
			fail_msg("case %zu: want %s", i, cases[i].ok ? "ok" : "refused");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(usernames),
		cmocka_unit_test(mobile_numbers),
		cmocka_unit_test(admin_kind_of_each_permission),
		cmocka_unit_test(every_combination_of_permissions),
		cmocka_unit_test(the_three_administrators),
	};
	return cmocka_run_group_tests_name("users_rules", tests, NULL, NULL);
}
