/* test_str.c: the capped string buffer, CSV output quoting, spans, integer parsing, UTF-8, and
 * JSON values written straight into a buffer (read back by jansson). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/jsonw.h"
#include "lib/arena.h"
#include "lib/csv.h"
#include "lib/str.h"

/* ---- appends ----------------------------------------------------------------------------- */

static void empty_buffer_is_a_string(void **state)
{
	(void)state;
	struct str s;
	str_init(&s, 0);
	assert_non_null(s.p);
	assert_string_equal(s.p, "");
	assert_int_equal(s.len, 0);
	assert_true(str_ok(&s));
	str_append(&s, "", 0);
	assert_string_equal(s.p, "");
	assert_true(str_ok(&s));
	str_release(&s);
	assert_string_equal(s.p, "");
	str_clear(&s);
	assert_string_equal(s.p, "");
	str_release(&s);
}

static void appends_of_every_kind(void **state)
{
	(void)state;
	struct str s;
	str_init(&s, 0);
	str_puts(&s, "铁肩");
	str_putc(&s, '-');
	str_append(&s, "abcdef", 3);
	str_appendf(&s, "[%d|%s|%05.2f|%c]", -42, "x", 2.5, 'z');
	str_append(&s, "\0mid", 4); /* bytes, NUL included */
	assert_true(str_ok(&s));
	static const char want[] = "铁肩-abc[-42|x|02.50|z]\0mid";
	assert_int_equal(s.len, sizeof(want) - 1);
	assert_memory_equal(s.p, want, sizeof(want)); /* and NUL-terminated */

	/* Long growth, checked against a plain array. */
	str_clear(&s);
	assert_int_equal(s.len, 0);
	assert_string_equal(s.p, "");
	static char ref[200000];
	size_t n = 0;
	for (int i = 0; n < sizeof(ref) - 64; i++) {
		switch (i % 4) {
		case 0:
			str_putc(&s, (char)('a' + i % 26));
			ref[n++] = (char)('a' + i % 26);
			break;
		case 1:
			str_appendf(&s, "%d,", i);
			n += (size_t)snprintf(ref + n, sizeof(ref) - n, "%d,", i);
			break;
		case 2:
			str_puts(&s, "中文");
			memcpy(ref + n, "中文", 6);
			n += 6;
			break;
		default:
			str_append(&s, "0123456789", (size_t)i % 11);
			memcpy(ref + n, "0123456789", (size_t)i % 11);
			n += (size_t)i % 11;
			break;
		}
		assert_int_equal(s.len, n);
		assert_int_equal(s.p[s.len], '\0');
	}
	assert_true(str_ok(&s));
	assert_memory_equal(s.p, ref, n);
	assert_true(s.alloc > s.len);
	str_release(&s);
	assert_int_equal(s.len, 0);
}

/* The cap: exactly cap_bytes fit; the first append past it sets the error and leaves the text
 * as it was; every later append does nothing; str_clear starts over. */
static void cap_sets_sticky_error(void **state)
{
	(void)state;
	struct str s;
	str_init(&s, 10);
	str_puts(&s, "12345");
	str_appendf(&s, "%d", 67890);
	assert_true(str_ok(&s));
	assert_string_equal(s.p, "1234567890");
	str_append(&s, "", 0); /* nothing added: still fine */
	assert_true(str_ok(&s));
	str_putc(&s, 'x');
	assert_false(str_ok(&s));
	assert_string_equal(s.p, "1234567890");
	assert_int_equal(s.len, 10);

	str_clear(&s);
	assert_true(str_ok(&s));
	assert_string_equal(s.p, "");
	str_puts(&s, "abc");
	str_puts(&s, "defghijk"); /* 11: refused whole, not cut */
	assert_false(str_ok(&s));
	assert_string_equal(s.p, "abc");
	str_puts(&s, "d"); /* would fit, but the error is sticky */
	str_putc(&s, 'd');
	str_append(&s, "d", 1);
	str_appendf(&s, "%s", "d");
	str_append_csv_field(&s, "d");
	assert_false(str_ok(&s));
	assert_string_equal(s.p, "abc");
	assert_int_equal(s.len, 3);

	/* A formatted append past the cap is refused whole too. */
	str_clear(&s);
	str_appendf(&s, "%s", "12345678901");
	assert_false(str_ok(&s));
	assert_string_equal(s.p, "");
	assert_int_equal(s.len, 0);

	/* Every length around the cap. */
	for (size_t cap = 1; cap < 300; cap += 7) {
		for (size_t n = 0; n <= cap + 2; n++) {
			str_release(&s);
			str_init(&s, cap);
			for (size_t i = 0; i < n; i++)
				str_putc(&s, 'q');
			assert_int_equal(str_ok(&s), n <= cap);
			assert_int_equal(s.len, n <= cap ? n : cap);
			assert_int_equal(strlen(s.p), s.len);
		}
	}
	str_release(&s);
}

static void steal_hands_over_bytes(void **state)
{
	(void)state;
	struct str s;
	str_init(&s, 100);
	size_t len = 99;
	char *p = str_steal(&s, &len); /* nothing appended yet: still a string to free() */
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);

	str_puts(&s, "hello ");
	str_appendf(&s, "%s", "world");
	p = str_steal(&s, &len);
	assert_string_equal(p, "hello world");
	assert_int_equal(len, 11);
	/* The str is empty and usable again, with the same cap. */
	assert_string_equal(s.p, "");
	assert_int_equal(s.len, 0);
	assert_true(str_ok(&s));
	str_puts(&s, "again");
	assert_string_equal(s.p, "again");
	assert_string_equal(p, "hello world"); /* the stolen bytes are the caller's */
	free(p);
	p = str_steal(&s, NULL);
	assert_string_equal(p, "again");
	free(p);

	/* A failed buffer gives NULL and releases its memory. */
	str_puts(&s, "0123456789");
	for (int i = 0; i < 10; i++)
		str_puts(&s, "0123456789");
	assert_false(str_ok(&s));
	len = 7;
	assert_null(str_steal(&s, &len));
	assert_string_equal(s.p, "");
	assert_int_equal(s.len, 0);
	assert_true(str_ok(&s));
	str_puts(&s, "ok");
	assert_string_equal(s.p, "ok");
	str_release(&s);
}

/* ---- CSV field quoting ------------------------------------------------------------------- */

static void csv_field_quoting(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "企业名称", "企业名称" },
		{ "a,b", "\"a,b\"" },
		{ ",", "\",\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "\"", "\"\"\"\"" },
		{ "line1\nline2", "\"line1\nline2\"" },
		{ "cr\r", "\"cr\r\"" },
		{ "crlf\r\n", "\"crlf\r\n\"" },
		{ "=1+1", "\"'=1+1\"" },
		{ "+8613800000000", "\"'+8613800000000\"" },
		{ "-5", "\"'-5\"" },
		{ "@SUM(A1:A9)", "\"'@SUM(A1:A9)\"" },
		{ "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
		{ "=a,b\nc", "\"'=a,b\nc\"" },
		{ "=", "\"'=\"" },
		{ "-", "\"'-\"" },
		{ "a=b", "a=b" },
		{ "a-b", "a-b" },
		{ "5-", "5-" },
		{ "x@y.cn", "x@y.cn" },
		{ "'quoted'", "'quoted'" },
		{ " =x", " =x" },
		{ "tab\there", "tab\there" },
	};
	struct str s;
	str_init(&s, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		str_clear(&s);
		str_append_csv_field(&s, cases[i].in);
		assert_true(str_ok(&s));
		if (strcmp(s.p, cases[i].out) != 0)
			fail_msg("csv field <%s>: got <%s>, want <%s>", cases[i].in, s.p,
				 cases[i].out);
	}
	str_clear(&s);
	str_append_csv_field(&s, NULL);
	assert_string_equal(s.p, "");
	str_release(&s);
}

/* What str_append_csv_field writes, csv.c reads back as the same text (a formula with its
 * apostrophe), whatever the bytes. */
static void csv_fields_read_back(void **state)
{
	(void)state;
	static const char *const fields[] = {
		"plain", "",   "a,b", "\"",	   "say \"hi\"", "x\ny", "x\r\ny", "=1+1",
		"-5",	 "+1", "@x",  "中文,逗号", "\"\"\"",	 ",,,",	 "\n",	   "a\"b",
	};
	enum { N = sizeof(fields) / sizeof(fields[0]) };
	struct str s;
	str_init(&s, 0);
	for (size_t i = 0; i < N; i++) {
		for (size_t j = 0; j < N; j++) {
			str_clear(&s);
			str_append_csv_field(&s, fields[i]);
			str_putc(&s, ',');
			str_append_csv_field(&s, fields[j]);
			str_puts(&s, "\r\nend\n");
			assert_true(str_ok(&s));
			struct csv c;
			csv_init(&c, s.p, s.len, 0);
			assert_int_equal(csv_next(&c), ST_OK);
			assert_int_equal(c.nfields, 2);
			for (int f = 0; f < 2; f++) {
				const char *in = fields[f ? j : i];
				char want[64];
				bool formula = strchr("=+-@", in[0]) && in[0];
				snprintf(want, sizeof(want), "%s%s", formula ? "'" : "", in);
				if (strcmp(c.field[f], want) != 0)
					fail_msg("<%s> read back as <%s>", in, c.field[f]);
			}
			assert_int_equal(csv_next(&c), ST_OK);
			assert_int_equal(c.nfields, 1);
			assert_string_equal(c.field[0], "end");
			assert_int_equal(csv_next(&c), ST_NOT_FOUND);
			csv_release(&c);
		}
	}
	str_release(&s);
}

/* ---- spans ------------------------------------------------------------------------------- */

static void span_helpers(void **state)
{
	(void)state;
	static const char text[] = "orgs/tree?x=1";
	struct span whole = { text, sizeof(text) - 1 };
	struct span orgs = { text, 4 }; /* not NUL-terminated where it ends */
	struct span empty = { text, 0 };

	assert_true(span_eq(orgs, "orgs"));
	assert_false(span_eq(orgs, "org"));
	assert_false(span_eq(orgs, "orgs/"));
	assert_false(span_eq(orgs, "ORGS"));
	assert_true(span_eq(empty, ""));
	assert_false(span_eq(empty, "o"));
	assert_true(span_eq(whole, "orgs/tree?x=1"));
	assert_true(span_eq(SPAN_LIT("abc"), "abc"));
	assert_int_equal(SPAN_LIT("abc").len, 3);
	assert_int_equal(SPAN_LIT("").len, 0);

	assert_true(span_starts_with(whole, "orgs/"));
	assert_true(span_starts_with(whole, ""));
	assert_true(span_starts_with(orgs, "orgs"));
	assert_false(span_starts_with(orgs, "orgs/")); /* longer than the span */
	assert_false(span_starts_with(whole, "tree"));
	assert_true(span_starts_with(empty, ""));
	assert_false(span_starts_with(empty, "o"));
}

/* ---- integers ---------------------------------------------------------------------------- */

static void expect_i64(const char *z, int64_t min, int64_t max, bool ok, int64_t want)
{
	int64_t out = 0x5a5a5a5a;
	bool got = str_to_i64(z, min, max, &out);
	if (got != ok)
		fail_msg("str_to_i64(\"%s\") = %d, want %d", z ? z : "(null)", got, ok);
	if (ok && out != want)
		fail_msg("str_to_i64(\"%s\") gave %lld, want %lld", z, (long long)out,
			 (long long)want);
	if (!ok)
		assert_int_equal(out, 0x5a5a5a5a); /* untouched on failure */

	/* The same text as a span inside a longer buffer gives the same answer. */
	if (z) {
		char buf[64];
		int n = snprintf(buf, sizeof(buf), "%s999", z);
		assert_true(n > 0 && (size_t)n < sizeof(buf));
		out = 0x5a5a5a5a;
		got = span_to_i64((struct span){ buf, strlen(z) }, min, max, &out);
		if (got != ok)
			fail_msg("span_to_i64(\"%s\") = %d, want %d", z, got, ok);
		if (ok)
			assert_int_equal(out, want);
		else
			assert_int_equal(out, 0x5a5a5a5a);
	}
}

static void integers(void **state)
{
	(void)state;
	const int64_t lo = INT64_MIN, hi = INT64_MAX;
	expect_i64("0", lo, hi, true, 0);
	expect_i64("-0", lo, hi, true, 0);
	expect_i64("7", lo, hi, true, 7);
	expect_i64("007", lo, hi, true, 7);
	expect_i64("-123", lo, hi, true, -123);
	expect_i64("9223372036854775807", lo, hi, true, INT64_MAX);
	expect_i64("-9223372036854775808", lo, hi, true, INT64_MIN);
	expect_i64("9223372036854775806", lo, hi, true, INT64_MAX - 1);
	expect_i64("-9223372036854775807", lo, hi, true, INT64_MIN + 1);
	/* overflow */
	expect_i64("9223372036854775808", lo, hi, false, 0);
	expect_i64("-9223372036854775809", lo, hi, false, 0);
	expect_i64("18446744073709551616", lo, hi, false, 0);
	expect_i64("99999999999999999999", lo, hi, false, 0);
	expect_i64("-99999999999999999999", lo, hi, false, 0);
	/* junk, spaces, signs */
	static const char *const junk[] = {
		"",    " 1", "1 ",   "\t1", "1\n",   "+1",  "+0", "--1", "-",	"1-",
		"1a",  "a1", "0x10", "1e3", "1.0",   "1,0", ".5", "１",	 "1_0", "-+1",
		"+-1", " ",  "- 1",  "١",   "1\xe4", "0b1", "∞",  "NaN", "inf", "1 2",
	};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		expect_i64(junk[i], lo, hi, false, 0);
	expect_i64(NULL, lo, hi, false, 0);
	/* the range [min, max], both ends included */
	expect_i64("0", 0, 9, true, 0);
	expect_i64("9", 0, 9, true, 9);
	expect_i64("10", 0, 9, false, 0);
	expect_i64("-1", 0, 9, false, 0);
	expect_i64("1", 1, 1, true, 1);
	expect_i64("2", 1, 1, false, 0);
	expect_i64("0", 1, 1, false, 0);
	expect_i64("-5", -5, -1, true, -5);
	expect_i64("-6", -5, -1, false, 0);
	expect_i64("0", -5, -1, false, 0);
	expect_i64("9223372036854775807", 0, INT64_MAX - 1, false, 0);
	expect_i64("-9223372036854775808", INT64_MIN + 1, 0, false, 0);
	/* every value -1000..1000 against a range -300..700 */
	for (int v = -1000; v <= 1000; v++) {
		char buf[16];
		snprintf(buf, sizeof(buf), "%d", v);
		expect_i64(buf, -300, 700, v >= -300 && v <= 700, v);
	}
}

static void span_integers(void **state)
{
	(void)state;
	int64_t out = -1;
	assert_false(span_to_i64((struct span){ "", 0 }, 0, 100, &out));
	assert_false(span_to_i64((struct span){ "12", 0 }, 0, 100, &out));
	assert_true(span_to_i64((struct span){ "12345", 2 }, 0, 100, &out));
	assert_int_equal(out, 12);
	/* a NUL inside the span is not the end of the number */
	out = -1;
	assert_false(span_to_i64((struct span){ "1\0002", 3 }, 0, 1000, &out));
	assert_false(span_to_i64((struct span){ "\0", 1 }, 0, 1000, &out));
	assert_false(span_to_i64((struct span){ "7\0", 2 }, 0, 1000, &out));
	assert_int_equal(out, -1);
	/* more digits than any int64 has: refused, not cut */
	assert_false(span_to_i64(SPAN_LIT("000000000000000000000000001"), 0, 10, &out));
	assert_false(span_to_i64(SPAN_LIT("12345678901234567890123"), INT64_MIN, INT64_MAX, &out));
	assert_true(span_to_i64(SPAN_LIT("-9223372036854775808"), INT64_MIN, INT64_MAX, &out));
	assert_true(out == INT64_MIN);
}

/* ---- UTF-8 ------------------------------------------------------------------------------- */

/* Well-formed byte sequences, as Table 3-7 of the Unicode standard lists them: an independent
 * statement of the rule utf8_valid() implements. Returns the length of the sequence at s, or 0. */
static size_t ref_utf8_seq(const unsigned char *s, size_t n)
{
	static const struct {
		unsigned char lead_lo, lead_hi, b2_lo, b2_hi;
		size_t len;
	} rows[] = {
		{ 0x00, 0x7f, 0, 0, 1 },       { 0xc2, 0xdf, 0x80, 0xbf, 2 },
		{ 0xe0, 0xe0, 0xa0, 0xbf, 3 }, { 0xe1, 0xec, 0x80, 0xbf, 3 },
		{ 0xed, 0xed, 0x80, 0x9f, 3 }, { 0xee, 0xef, 0x80, 0xbf, 3 },
		{ 0xf0, 0xf0, 0x90, 0xbf, 4 }, { 0xf1, 0xf3, 0x80, 0xbf, 4 },
		{ 0xf4, 0xf4, 0x80, 0x8f, 4 },
	};
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		if (s[0] < rows[r].lead_lo || s[0] > rows[r].lead_hi)
			continue;
		size_t len = rows[r].len;
		if (n < len)
			return 0;
		if (len > 1 && (s[1] < rows[r].b2_lo || s[1] > rows[r].b2_hi))
			return 0;
		for (size_t i = 2; i < len; i++)
			if (s[i] < 0x80 || s[i] > 0xbf)
				return 0;
		return len;
	}
	return 0;
}

static bool ref_utf8_valid(const unsigned char *s, size_t n)
{
	while (n) {
		size_t k = ref_utf8_seq(s, n);
		if (!k)
			return false;
		s += k;
		n -= k;
	}
	return true;
}

static void check_utf8(const unsigned char *b, size_t n)
{
	bool want = ref_utf8_valid(b, n);
	if (utf8_valid((const char *)b, n) != want) {
		char hex[3 * 8 + 1] = "";
		for (size_t i = 0; i < n && i < 8; i++)
			snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", b[i]);
		fail_msg("utf8_valid(%s) = %d, want %d", hex, !want, want);
	}
}

/* Every string of one, two and three bytes, against the table. */
static void utf8_every_short_string(void **state)
{
	(void)state;
	unsigned char b[3];
	for (unsigned x = 0; x < 256; x++) {
		b[0] = (unsigned char)x;
		check_utf8(b, 1);
		for (unsigned y = 0; y < 256; y++) {
			b[1] = (unsigned char)y;
			check_utf8(b, 2);
			for (unsigned z = 0; z < 256; z++) {
				b[2] = (unsigned char)z;
				check_utf8(b, 3);
			}
		}
	}
	/* Every single byte 0x80..0xFF alone is refused; every ASCII byte alone is fine. */
	for (unsigned x = 0; x < 256; x++) {
		char c = (char)x;
		assert_int_equal(utf8_valid(&c, 1), x < 0x80);
	}
	assert_true(utf8_valid("", 0));
}

/* Four bytes: every first and second byte, the third and fourth at the edges of each range. */
static void utf8_four_byte_strings(void **state)
{
	(void)state;
	static const unsigned char edge[] = { 0x00, 0x41, 0x7f, 0x80, 0x81, 0x8f, 0x90,
					      0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xf4, 0xff };
	unsigned char b[4];
	for (unsigned x = 0; x < 256; x++)
		for (unsigned y = 0; y < 256; y++)
			for (size_t i = 0; i < sizeof(edge); i++)
				for (size_t j = 0; j < sizeof(edge); j++) {
					b[0] = (unsigned char)x;
					b[1] = (unsigned char)y;
					b[2] = edge[i];
					b[3] = edge[j];
					check_utf8(b, 4);
				}
}

/* Encode cp in exactly len bytes (overlong when a shorter form exists), independently. */
static size_t encode(uint32_t cp, size_t len, unsigned char *out)
{
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	if (len == 1) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	for (size_t i = len - 1; i > 0; i--) {
		out[i] = (unsigned char)(0x80 | (cp & 0x3f));
		cp >>= 6;
	}
	out[0] = (unsigned char)(lead[len] | cp);
	return len;
}

/* Every code point: its shortest form is valid unless a surrogate; every longer (overlong)
 * form is refused; every proper prefix is refused, alone and followed by ASCII. */
static void utf8_every_code_point(void **state)
{
	(void)state;
	unsigned char b[8];
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		size_t shortest = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
		size_t n = encode(cp, shortest, b);
		if (utf8_valid((const char *)b, n) == surrogate)
			fail_msg("U+%04X in %zu bytes: valid = %d", cp, n, surrogate);
		assert_int_equal(utf8_len((const char *)b, n), 1);
		for (size_t k = 1; k < n; k++) {
			if (utf8_valid((const char *)b, k))
				fail_msg("U+%04X cut to %zu of %zu bytes is valid", cp, k, n);
			unsigned char t[8];
			memcpy(t, b, k);
			t[k] = 'a';
			assert_false(utf8_valid((const char *)t, k + 1));
		}
		for (size_t len = shortest + 1; len <= 4; len++) {
			n = encode(cp, len, b);
			if (utf8_valid((const char *)b, n))
				fail_msg("overlong U+%04X in %zu bytes is valid", cp, len);
		}
	}
	/* Above U+10FFFF, in the four-byte form. */
	for (uint32_t cp = 0x110000; cp <= 0x1fffff; cp += 0x101)
		assert_false(utf8_valid((const char *)b, encode(cp, 4, b)));
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));
	assert_true(utf8_valid("\xf4\x8f\xbf\xbf", 4));
	/* Five- and six-byte forms of old. */
	assert_false(utf8_valid("\xf8\x88\x80\x80\x80", 5));
	assert_false(utf8_valid("\xfc\x84\x80\x80\x80\x80", 6));
}

static void utf8_in_text(void **state)
{
	(void)state;
	static const char ok[] = "齐齐哈尔市工业和信息化局 ABC 123 😀 é";
	assert_true(utf8_valid(ok, sizeof(ok) - 1));
	assert_int_equal(utf8_len(ok, sizeof(ok) - 1), 24);
	assert_int_equal(utf8_len("中文abc", strlen("中文abc")), 5);
	assert_int_equal(utf8_len("", 0), 0);
	/* A bad byte anywhere spoils the whole text. */
	char buf[sizeof(ok)];
	for (size_t i = 0; i < sizeof(ok) - 1; i++) {
		memcpy(buf, ok, sizeof(ok));
		buf[i] = (char)0xff;
		assert_false(utf8_valid(buf, sizeof(ok) - 1));
	}
	/* The length given is what counts: a sequence cut by it is refused. */
	assert_false(utf8_valid("中", 2));
	assert_true(utf8_valid("中", 3));
	/* GB18030 bytes of 中文 are not UTF-8. */
	assert_false(utf8_valid("\xd6\xd0\xce\xc4", 4));
	/* CESU-8 (a surrogate pair) is refused. */
	assert_false(utf8_valid("\xed\xa0\xbd\xed\xb8\x80", 6));
	/* NUL is a valid character inside a counted string. */
	assert_true(utf8_valid("a\0b", 3));
}

/* ---- LIKE escaping ----------------------------------------------------------------------- */

static void like_escaping(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 256, 0);
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "abc", "abc" },
		{ "100%", "100\\%" },
		{ "a_b", "a\\_b" },
		{ "c:\\dir", "c:\\\\dir" },
		{ "%_\\", "\\%\\_\\\\" },
		{ "%%", "\\%\\%" },
		{ "工信_局%", "工信\\_局\\%" },
		{ "[a]*?", "[a]*?" },
		{ "'", "'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *e = like_escape(&a, cases[i].in);
		assert_non_null(e);
		if (strcmp(e, cases[i].out) != 0)
			fail_msg("like_escape(<%s>) = <%s>, want <%s>", cases[i].in, e,
				 cases[i].out);
	}
	assert_null(like_escape(&a, NULL));
	/* Worst case: every byte escaped. */
	char all[1001];
	memset(all, '%', 1000);
	all[1000] = '\0';
	char *e = like_escape(&a, all);
	assert_int_equal(strlen(e), 2000);
	for (size_t i = 0; i < 2000; i += 2)
		assert_true(e[i] == '\\' && e[i + 1] == '%');
	arena_release(&a);
	/* Out of memory: NULL. */
	arena_init(&a, 256, 512);
	assert_null(like_escape(&a, all));
	arena_release(&a);
}

/* ---- the JSON writer (http/jsonw.h), read back by jansson -------------------------------- */

static void json_writer_reads_back(void **state)
{
	(void)state;
	char text[64];
	size_t n = 0;
	for (int c = 1; c < 0x20; c++)
		text[n++] = (char)c;
	memcpy(text + n, "\"\\/铁肩\x7f", 10);
	n += 10;
	text[n] = 0;
	struct str s;
	str_init(&s, 0);
	str_putc(&s, '{');
	js_key(&s, "t", true), js_str(&s, text);
	js_key(&s, "null", false), js_str(&s, NULL);
	js_key(&s, "min", false), js_int(&s, INT64_MIN);
	js_key(&s, "max", false), js_int(&s, INT64_MAX);
	js_key(&s, "zero", false), js_int(&s, 0);
	js_key(&s, "yes", false), js_bool(&s, true);
	js_key(&s, "when", false), js_time(&s, 1793059200);
	js_key(&s, "never", false), js_time(&s, 0);
	js_key(&s, "ref", false), js_ref(&s, 7, "齐齐哈尔");
	js_key(&s, "noref", false), js_ref(&s, 0, "x");
	static const double reals[] = {1234.5, 500, 0.1, -0.00001, 1e21, 123.45};
	for (int i = 0; i < 6; i++) {
		char k[8];
		snprintf(k, sizeof(k), "r%d", i);
		js_key(&s, k, false), js_real(&s, reals[i]);
	}
	js_key(&s, "nan", false), js_real(&s, NAN);
	static const char long_key[] =
		"a_key_longer_than_the_sixty_bytes_js_key_writes_in_one_piece_at_once";
	js_key(&s, long_key, false), js_int(&s, 60);
	str_putc(&s, '}');
	assert_true(str_ok(&s));
	json_error_t err;
	json_t *o = json_loads(s.p, JSON_REJECT_DUPLICATES, &err);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "t")), text);
	assert_true(json_is_null(json_object_get(o, "null")));
	assert_true(json_integer_value(json_object_get(o, "min")) == INT64_MIN);
	assert_true(json_integer_value(json_object_get(o, "max")) == INT64_MAX);
	assert_int_equal(json_integer_value(json_object_get(o, "zero")), 0);
	assert_int_equal(json_integer_value(json_object_get(o, long_key)), 60);
	assert_true(json_is_true(json_object_get(o, "yes")));
	assert_string_equal(json_string_value(json_object_get(o, "when")), "2026-10-27T00:00:00Z");
	assert_true(json_is_null(json_object_get(o, "never")));
	json_t *ref = json_object_get(o, "ref");
	assert_int_equal(json_integer_value(json_object_get(ref, "id")), 7);
	assert_string_equal(json_string_value(json_object_get(ref, "name")), "齐齐哈尔");
	assert_true(json_is_null(json_object_get(o, "noref")));
	/* a real reads back as the same double, and as a real (jansson's own writing of it) */
	for (int i = 0; i < 6; i++) {
		char k[8];
		snprintf(k, sizeof(k), "r%d", i);
		json_t *r = json_object_get(o, k);
		assert_true(json_is_real(r));
		assert_true(json_real_value(r) == reals[i]);
		json_t *mine = json_real(reals[i]);
		char *theirs = json_dumps(mine, JSON_ENCODE_ANY);
		assert_non_null(strstr(s.p, theirs));
		free(theirs);
		json_decref(mine);
	}
	assert_true(json_is_null(json_object_get(o, "nan")));
	json_decref(o);
	str_release(&s);
}

/* js_json writes what json_dumps(JSON_COMPACT) writes, byte for byte */
static void json_writer_equals_jansson(void **state)
{
	(void)state;
	char controls[40];
	size_t n = 0;
	for (int c = 0; c < 0x20; c++) /* NUL among them: a jansson string has a length */
		controls[n++] = (char)c;
	memcpy(controls + n, "\"\\/\x7f", 5);
	n += 5;
	json_t *nested = json_pack("{s:[i, f, {}, [], b, n], s:{s:{s:[{s:s}]}}}", "list",
				   (json_int_t)-3, 0.1, 1, "deep", "er", "est", "k", "铁肩");
	json_t *v = json_pack("{s:s%, s:s, s:I, s:I, s:f, s:f, s:f, s:b, s:n, s:o, s:[], s:{}}",
			      "controls", controls, n, "中文 and “quotes”", "text", "min",
			      (json_int_t)INT64_MIN, "max", (json_int_t)INT64_MAX, "r1", 1e21, "r2",
			      -0.00001, "r3", 500.0, "yes", 0, "nothing", "nested", nested, "empty",
			      "none");
	assert_non_null(v);
	json_t *cases[] = {v, json_string("alone"), json_integer(0), json_array(), json_null()};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct str s;
		str_init(&s, 0);
		js_json(&s, cases[i]);
		assert_true(str_ok(&s));
		char *theirs = json_dumps(cases[i], JSON_COMPACT | JSON_ENCODE_ANY);
		assert_non_null(theirs);
		assert_int_equal(s.len, strlen(theirs));
		assert_memory_equal(s.p, theirs, s.len);
		free(theirs);
		str_release(&s);
		json_decref(cases[i]);
	}
	/* deeper than any tree of ours: the writing fails rather than recursing on */
	json_t *deep = json_array();
	for (int i = 0; i < 100; i++) {
		json_t *outer = json_array();
		json_array_append_new(outer, deep);
		deep = outer;
	}
	struct str s;
	str_init(&s, 0);
	js_json(&s, deep);
	assert_false(str_ok(&s));
	str_release(&s);
	json_decref(deep);
}

/* Every ASCII byte at every place of a string long enough for the writer's eight-bytes-at-a-time
 * scan, among ASCII and among Chinese (bytes of 0x80 and more), and a second one after it:
 * written as jansson writes it. */
static void json_strings_every_byte_every_place(void **state)
{
	(void)state;
	static const char *const fillers[] = {"abcdefghijklmnopqrstuvwxyz0123456789",
					      "铁肩担道义齐齐哈尔市工业和信息化局"};
	for (size_t f = 0; f < 2; f++) {
		size_t step = f ? 3 : 1, flen = strlen(fillers[f]);
		for (size_t at = 0; at + 2 * step <= flen && at <= 30; at += step) {
			for (int c = 0; c < 0x80; c++) {
				char buf[128];
				size_t n = 0;
				memcpy(buf, fillers[f], at), n = at;
				buf[n++] = (char)c;
				memcpy(buf + n, fillers[f] + at, 2 * step), n += 2 * step;
				buf[n++] = c & 1 ? '"' : '\n';
				memcpy(buf + n, fillers[f], flen), n += flen;
				json_t *v = json_stringn(buf, n);
				assert_non_null(v);
				struct str s;
				str_init(&s, 0);
				js_json(&s, v);
				char *theirs = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
				assert_non_null(theirs);
				assert_true(str_ok(&s));
				assert_int_equal(s.len, strlen(theirs));
				assert_memory_equal(s.p, theirs, s.len);
				free(theirs);
				str_release(&s);
				json_decref(v);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_buffer_is_a_string),
		cmocka_unit_test(appends_of_every_kind),
		cmocka_unit_test(cap_sets_sticky_error),
		cmocka_unit_test(steal_hands_over_bytes),
		cmocka_unit_test(csv_field_quoting),
		cmocka_unit_test(csv_fields_read_back),
		cmocka_unit_test(span_helpers),
		cmocka_unit_test(integers),
		cmocka_unit_test(span_integers),
		cmocka_unit_test(utf8_every_short_string),
		cmocka_unit_test(utf8_four_byte_strings),
		cmocka_unit_test(utf8_every_code_point),
		cmocka_unit_test(utf8_in_text),
		cmocka_unit_test(like_escaping),
		cmocka_unit_test(json_writer_reads_back),
		cmocka_unit_test(json_writer_equals_jansson),
		cmocka_unit_test(json_strings_every_byte_every_place),
	};
	return cmocka_run_group_tests_name("str", tests, NULL, NULL);
}
