/* test_auth_rules.c: the password policy and session expiry (pure rules of src/auth). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/auth.h"

#define MIN_LEN	    8
#define MIN_CLASSES 3

static void expect_policy(const char *pw, const char *user, int min_len, int min_classes, bool ok,
			  const char *why_part)
{
	const char *why = "unset";
	enum status st = auth_password_policy(pw, user, min_len, min_classes, &why);
	if ((st == ST_OK) != ok)
		fail_msg("password <%s> (user %s, %d chars, %d classes): status %d (%s)", pw,
			 user ? user : "(none)", min_len, min_classes, (int)st, why ? why : "");
	if (ok) {
		assert_int_equal(st, ST_OK);
		assert_null(why);
		return;
	}
	assert_int_equal(st, ST_INVALID);
	assert_non_null(why);
	if (why_part && !strstr(why, why_part))
		fail_msg("password <%s>: reason \"%s\" does not say \"%s\"", pw, why, why_part);
}

static void ok_pw(const char *pw)
{
	expect_policy(pw, "zhangsan", MIN_LEN, MIN_CLASSES, true, NULL);
}

static void bad_pw(const char *pw, const char *why_part)
{
	expect_policy(pw, "zhangsan", MIN_LEN, MIN_CLASSES, false, why_part);
}

/* Lengths 0..140 with three classes: under 8 characters refused, over 128 bytes refused. */
static void lengths(void **state)
{
	(void)state;
	char pw[200];
	for (size_t n = 0; n <= 140; n++) {
		for (size_t i = 0; i < n; i++)
			pw[i] = i == 0 ? 'K' : i == 1 ? '7' : 'q';
		pw[n] = '\0';
		if (n < 8)
			bad_pw(pw, "至少需要8个字符");
		else if (n > 128)
			bad_pw(pw, "128");
		else
			ok_pw(pw);
	}
	/* Characters, not bytes: seven characters in fifteen bytes are too short. */
	bad_pw("Ab1中文中文", "至少需要8个字符");
	ok_pw("Ab1中文中文中");
	ok_pw("工业和信息化局1A"); /* Chinese counts as a symbol: four classes */
	/* 42 Chinese characters and two more bytes: 128 bytes, fine; one more is too long. */
	char cn[200] = "A1";
	for (int i = 0; i < 42; i++)
		memcpy(cn + 2 + 3 * i, "铁", 4);
	ok_pw(cn);
	strncat(cn, "x", 2);
	bad_pw(cn, "128");
	/* Another minimum, another message. */
	expect_policy("Ab1xxxxxxx", NULL, 12, 3, false, "长度不足");
	expect_policy("Ab1xxxxxxxxx", NULL, 12, 3, true, NULL);
	expect_policy("Ab", NULL, 1, 2, true, NULL);
}

/* Every subset of the four classes against every minimum number of classes. */
static void classes(void **state)
{
	(void)state;
	static const char sample[4] = { 'Q', 'q', '5', '#' };
	for (unsigned set = 1; set < 16; set++) {
		char pw[16];
		size_t n = 0;
		int have = 0;
		for (int c = 0; c < 4; c++)
			if (set & (1u << c))
				have++;
		while (n < 12)
			for (int c = 0; c < 4 && n < 12; c++)
				if (set & (1u << c))
					pw[n++] = sample[c];
		pw[n] = '\0';
		for (int min = 1; min <= 4; min++)
			expect_policy(pw, NULL, MIN_LEN, min, have >= min,
				      have >= min ? NULL
				      : min == 3  ? "至少3类"
						  : "种类不足");
	}
}

/* Every printable ASCII character added to a password of two classes (lower, digit): only an
 * upper-case letter or a symbol makes the third; a space is no class. */
static void each_ascii_character(void **state)
{
	(void)state;
	for (int c = 0x20; c < 0x7f; c++) {
		char pw[16];
		snprintf(pw, sizeof(pw), "abcdef12%c", c);
		bool upper = c >= 'A' && c <= 'Z';
		bool lower = c >= 'a' && c <= 'z';
		bool digit = c >= '0' && c <= '9';
		bool symbol = c != ' ' && !upper && !lower && !digit;
		expect_policy(pw, NULL, MIN_LEN, MIN_CLASSES, upper || symbol, NULL);
	}
	/* Any non-ASCII character is a symbol. */
	ok_pw("abcdef12é");
	ok_pw("abcdef12中");
	ok_pw("abcdef12😀");
	/* Spaces and tabs count as characters but as no class. */
	bad_pw("abc def 12 ", "至少3类");
	ok_pw("Abc def 12 ");
}

/* The username may not appear in the password, in any case. */
static void username_inside(void **state)
{
	(void)state;
	static const char *const refused[] = {
		"zhangsan@2024A", "A1!zhangsan", "xxzhangsanxx1A", "Zhangsan@2024",
		"ZHANGSAN#2024",  "zhangSan-1x", "1!ZhAnGsAn",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		expect_policy(refused[i], "zhangsan", MIN_LEN, MIN_CLASSES, false, "用户名");
	/* Usernames of several kinds; also refused when the password is the username. */
	expect_policy("Admin.Wang2024", "admin.wang", MIN_LEN, MIN_CLASSES, false, "用户名");
	expect_policy("Ops_admin#1", "OPS_ADMIN#1", MIN_LEN, MIN_CLASSES, false, "用户名");
	expect_policy("Zhang-san1!", "zhang-san1!", MIN_LEN, MIN_CLASSES, false, "用户名");
	/* Near misses are fine. */
	expect_policy("zhangsa@2024A", "zhangsan", MIN_LEN, MIN_CLASSES, true, NULL);
	expect_policy("zhang san@2024A", "zhangsan", MIN_LEN, MIN_CLASSES, true, NULL);
	expect_policy("Zhangsan@2024", "zhangsan2", MIN_LEN, MIN_CLASSES, true, NULL);
	/* No username, or an empty one: no such check. */
	expect_policy("Zhangsan@2024", NULL, MIN_LEN, MIN_CLASSES, true, NULL);
	expect_policy("Zhangsan@2024", "", MIN_LEN, MIN_CLASSES, true, NULL);
}

static void invalid_utf8(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"Abcdef12\xff",		    /* a byte never in UTF-8 */
		"Abcdef12\xc3",		    /* cut short */
		"Abcdef12\xc0\xaf",	    /* overlong '/' */
		"Abcdef12\xed\xa0\x80",	    /* a surrogate */
		"Abcdef12\xf4\x90\x80\x80", /* above U+10FFFF */
		"Abc12345\xd6\xd0\xce\xc4", /* GB18030 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		bad_pw(bad[i], "无效字符");
}

/* ---- sessions ---------------------------------------------------------------------------- */

static void session_edges(void **state)
{
	(void)state;
	const int idle = 1800, absolute = 43200;
	const int64_t t0 = 1767225600;
	assert_int_equal(auth_session_state(t0, t0, t0, idle, absolute), SESSION_LIVE);
	assert_int_equal(auth_session_state(t0, t0, t0 + idle - 1, idle, absolute), SESSION_LIVE);
	assert_int_equal(auth_session_state(t0, t0, t0 + idle, idle, absolute),
			 SESSION_IDLE_EXPIRED);
	/* Kept busy, it lives to the absolute limit and not a second more. */
	assert_int_equal(
		auth_session_state(t0, t0 + absolute - 2, t0 + absolute - 1, idle, absolute),
		SESSION_LIVE);
	assert_int_equal(auth_session_state(t0, t0 + absolute, t0 + absolute, idle, absolute),
			 SESSION_ABSOLUTE_EXPIRED);
	/* Both past: the absolute limit is the one reported. */
	assert_int_equal(auth_session_state(t0, t0, t0 + absolute + idle, idle, absolute),
			 SESSION_ABSOLUTE_EXPIRED);
	/* A clock that went back a little is not an expiry. */
	assert_int_equal(auth_session_state(t0, t0, t0 - 5, idle, absolute), SESSION_LIVE);
}

/* Every created/last-seen/now on a small clock, against the rule written out. */
static void session_every_time(void **state)
{
	(void)state;
	for (int idle = 1; idle <= 6; idle++) {
		for (int absolute = idle; absolute <= 14; absolute += 3) {
			for (int64_t seen = 0; seen <= 16; seen++) {
				for (int64_t now = seen; now <= 22; now++) {
					enum session_state want =
						now >= absolute	     ? SESSION_ABSOLUTE_EXPIRED
						: now - seen >= idle ? SESSION_IDLE_EXPIRED
								     : SESSION_LIVE;
					enum session_state got =
						auth_session_state(0, seen, now, idle, absolute);
					if (got != want)
						fail_msg("idle %d absolute %d seen %lld now %lld: "
							 "%d, want %d",
							 idle, absolute, (long long)seen,
							 (long long)now, got, want);
				}
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lengths),
		cmocka_unit_test(classes),
		cmocka_unit_test(each_ascii_character),
		cmocka_unit_test(username_inside),
		cmocka_unit_test(invalid_utf8),
		cmocka_unit_test(session_edges),
		cmocka_unit_test(session_every_time),
	};
	return cmocka_run_group_tests_name("auth_rules", tests, NULL, NULL);
}
