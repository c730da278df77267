/* test_notify_cases_rules.c: the webhook's pure parts (backoff, URLs, signatures, status lines)
 * and the case library's anonymisation (name variants, masks, numbers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>

#include "modules/cases/cases.h"
#include "modules/notify/notify.h"

static void backoff(void **state)
{
	(void)state;
	static const int64_t want[] = {60, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600};
	for (int a = 0; a < 10; a++)
		assert_int_equal(notify_backoff_s(a), want[a]);
	assert_int_equal(notify_backoff_s(1000), 3600);
	assert_int_equal(NOTIFY_MAX_ATTEMPTS, 8);
}

static void urls(void **state)
{
	(void)state;
	struct notify_url u;
	assert_true(notify_url_parse("http://gw.example:8080/sms/send?x=1", &u));
	assert_string_equal(u.host, "gw.example");
	assert_string_equal(u.port, "8080");
	assert_string_equal(u.path, "/sms/send?x=1");
	assert_true(notify_url_parse("http://10.1.2.3", &u));
	assert_string_equal(u.port, "80");
	assert_string_equal(u.path, "/");
	assert_true(notify_url_parse("http://gw?q=1", &u));
	assert_string_equal(u.path, "/?q=1");
	assert_true(notify_url_parse("http://[::1]:9000/hook", &u));
	assert_string_equal(u.host, "::1");
	assert_string_equal(u.port, "9000");
	static const char *const bad[] = {
		NULL, "", "https://gw/x", "ftp://gw/x", "http://", "http://:80/x", "http://gw:0/",
		"http://gw:65536/", "http://gw:80a/", "http://user:pw@gw/", "http://gw/x#frag",
		"http://gw/a b", "http://g_w/x", "http://[::1/x", "http://[]:80/", "http://[::1]x/",
		"http://gw/\x7f",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (notify_url_parse(bad[i], &u))
			fail_msg("accepted %s", bad[i] ? bad[i] : "(null)");
	char longhost[400];
	memset(longhost, 'a', sizeof(longhost));
	memcpy(longhost, "http://", 7);
	longhost[sizeof(longhost) - 1] = '\0';
	assert_false(notify_url_parse(longhost, &u));
}

static void signatures(void **state)
{
	(void)state;
	assert_true(sodium_init() >= 0);
	char sig[NOTIFY_SIG_SIZE];
	const char *body = "{\"a\":1}";
	notify_sign("secret", 1700000000, body, strlen(body), sig);
	/* HMAC-SHA256("secret", "1700000000.{\"a\":1}"), computed independently */
	unsigned char mac[32];
	const char *msg = "1700000000.{\"a\":1}";
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)"secret", 6);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&st, mac);
	char hex[65];
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	char want[NOTIFY_SIG_SIZE];
	snprintf(want, sizeof(want), "sha256=%s", hex);
	assert_string_equal(sig, want);
	char other[NOTIFY_SIG_SIZE];
	notify_sign("secret", 1700000001, body, strlen(body), other);
	assert_string_not_equal(sig, other);
}

static void status_lines(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		int code;
	} cases[] = {
		{"HTTP/1.1 200 OK\r\n", 200}, {"HTTP/1.0 503 Busy\r\n", 503}, {"HTTP/1.1 204\r\n", 204},
		{"HTTP/1.1 200", 200},        {"HTTP/2 200 OK\r\n", -1},      {"HTTP/1.1 20 OK", -1},
		{"HTTP/1.1 2000 OK", -1},     {"HTTP/1.1 099 X\r\n", -1},     {"hello", -1},
		{"", -1},                     {"HTTP/1.1 600 X\r\n", -1},     {"HTTP/1.1 2x0 OK", -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (notify_http_status(cases[i].line, strlen(cases[i].line)) != cases[i].code)
			fail_msg("%s: want %d", cases[i].line, cases[i].code);
	assert_non_null(notify_kind_codes[0]);
	for (int i = 0; notify_kind_codes[i]; i++)
		assert_non_null(notify_kind_names[i]);
}

/* A desk's keys: 0 and the org's path; a holder's view: the key of the widest scope that
 * grants each desk's permission. */
static void desks(void **state)
{
	(void)state;
	char k[64];
	assert_true(notify_desk_keys("/1/2/10/", k, sizeof(k)));
	assert_string_equal(k, "[0,1,2,10]");
	assert_true(notify_desk_keys("/7/", k, sizeof(k)));
	assert_string_equal(k, "[0,7]");
	assert_false(notify_desk_keys("/1/x/", k, sizeof(k)));
	assert_false(notify_desk_keys("/1/-2/", k, sizeof(k)));
	assert_false(notify_desk_keys("/1/22/", k, 8)); /* "[0,1,22]" and its end: 9 bytes */
	assert_true(notify_desk_keys("/1/22/", k, 9));
	assert_true(notify_is_desk("appeal.dispatch"));
	assert_false(notify_is_desk("appeal.read"));
	assert_false(notify_is_desk(NULL));

	struct principal u = { .user_id = 5, .org_id = 10, .org_path = "/1/2/10/", .nroles = 2 };
	u.roles[0].scope = SCOPE_ORG;
	permset_add(&u.roles[0].perms, PERM_APPEAL_HANDLE);
	permset_add(&u.roles[0].perms, PERM_APPEAL_DISPATCH);
	u.roles[1].scope = SCOPE_SUBTREE;
	permset_add(&u.roles[1].perms, PERM_APPEAL_DISPATCH);
	struct notify_desk_arm a[NOTIFY_DESKS];
	notify_desk_arms(&u, a);
	for (int i = 0; i < NOTIFY_DESKS; i++) {
		enum perm p = notify_desk_perms[i];
		if (p == PERM_APPEAL_DISPATCH) { /* the subtree, wider than the org */
			assert_string_equal(a[i].perm, "appeal.dispatch");
			assert_true(a[i].key == 10 && a[i].target == 0);
		} else if (p == PERM_APPEAL_HANDLE) { /* the org alone */
			assert_string_equal(a[i].perm, "appeal.handle");
			assert_true(a[i].key == 10 && a[i].target == 10);
		} else {
			assert_null(a[i].perm);
		}
	}
	u.roles[1].scope = SCOPE_ALL;
	notify_desk_arms(&u, a);
	for (int i = 0; i < NOTIFY_DESKS; i++)
		if (notify_desk_perms[i] == PERM_APPEAL_DISPATCH)
			assert_true(a[i].key == 0 && a[i].target == 0);
	u.org_id = 0; /* an org's scope and no org: nothing but the scope of every org */
	u.roles[0].scope = SCOPE_SUBTREE;
	notify_desk_arms(&u, a);
	for (int i = 0; i < NOTIFY_DESKS; i++)
		if (notify_desk_perms[i] == PERM_APPEAL_HANDLE)
			assert_null(a[i].perm);
}

static void name_variants(void **state)
{
	(void)state;
	char v[4][256];
	int n = cases_name_variants("齐齐哈尔市龙沙示范机械制造有限公司", v, 4);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "齐齐哈尔市龙沙示范机械制造有限公司");
	assert_string_equal(v[1], "齐齐哈尔市龙沙示范机械制造");
	assert_string_equal(v[2], "龙沙示范机械制造");
	n = cases_name_variants("富拉尔基重型装备制造股份有限公司", v, 4);
	assert_int_equal(n, 2);
	assert_string_equal(v[1], "富拉尔基重型装备制造");
	n = cases_name_variants("建华区北疆食品加工有限公司", v, 4);
	assert_int_equal(n, 3);
	assert_string_equal(v[2], "北疆食品加工");
	assert_int_equal(cases_name_variants(NULL, v, 4), 0);
	assert_int_equal(cases_name_variants("厂", v, 4), 0); /* one character hides nothing */
	assert_int_equal(cases_name_variants("齐齐哈尔市龙沙示范机械制造有限公司", v, 1), 1);
}

static void anonymise(void **state)
{
	(void)state;
	struct cases_mask m[] = {
		{"龙沙示范机械制造有限公司", "某企业"},
		{"龙沙示范", "某企业"},
		{"钱经理", "某某"},
		{"", "x"},
		{NULL, "x"},
	};
	struct str s;
	str_init(&s, 0);
	cases_anonymise("龙沙示范机械制造有限公司与龙沙示范的钱经理，电话13904521234，"
			"代码91230202MA1B2C3D4X；订单号123456789012345678901不是代码，"
			"座机0452-2468135，编号A13904521234B",
			m, 5, &s);
	assert_string_equal(s.p, "某企业与某企业的某某，电话1**********，代码******************；"
				 "订单号123456789012345678901不是代码，座机0452-2468135，编号A1**********B");
	str_clear(&s);
	cases_anonymise(NULL, m, 5, &s);
	assert_string_equal(s.p, "");
	/* a longer digit run is not a mobile number */
	cases_anonymise("139045212345", NULL, 0, &s);
	assert_string_equal(s.p, "139045212345");
	str_clear(&s);
	/* letters only are not a credit code */
	cases_anonymise("ABCDEFGHIJKLMNOPQR", NULL, 0, &s);
	assert_string_equal(s.p, "ABCDEFGHIJKLMNOPQR");
	str_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backoff),	 cmocka_unit_test(urls),
		cmocka_unit_test(signatures),	 cmocka_unit_test(status_lines),
		cmocka_unit_test(name_variants), cmocka_unit_test(anonymise),
		cmocka_unit_test(desks),
	};
	return cmocka_run_group_tests_name("notify_cases_rules", tests, NULL, NULL);
}
