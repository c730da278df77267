/* test_uscc.c: USCC valid codes, every single corruption, messages, generation, samples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/uscc.h"

/*
 * Everything below that decides what a code should be is computed here again, from the standard's
 * definitions rather than from uscc.c's tables: the weights are 3^(i-1) mod 31, the organisation
 * code values are A=10 ... Z=35, and the authority/category pairs are typed out again.
 */
static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
#define RADIX 31

/* GB 32100-2015 appendix A, as "authority category" pairs. */
static const char *const ref_pairs[] = {
    "11", "12", "13", "19", "21", "29", "31", "32", "33", "34", "35", "39",
    "41", "49", "51", "52", "53", "59", "61", "62", "69", "71", "72", "79",
    "81", "89", "91", "92", "93", "A1", "A9", "N1", "N2", "N3", "N9", "Y1",
};
#define REF_PAIRS (sizeof(ref_pairs) / sizeof(ref_pairs[0]))

/*
 * Codes in the format of real registrations: the example printed in GB 32100-2015
 * (91350100M000100Y43) and codes published by large enterprises and one 事业单位 (12...),
 * with letters in the body and both check characters X in one of them.
 */
static const char *const known_valid[] = {
    "91350100M000100Y43", "914403001922038216", "91440300708461136T", "91330100716105852F",
    "91110108551385082Q", "91110000802100433B", "91440300192317458F", "91520000214434146R",
    "91110000710925243K", "9111000071093123XX", "12100000400000624D", "91310000607216596U",
    "911100007109310534",
};
#define KNOWN_VALID (sizeof(known_valid) / sizeof(known_valid[0]))

/* Division codes (GB/T 2260) used for generated codes. */
static const char *const regions[] = {
    "110101", "310115", "350102", "440305", "510104", "330106", "420106", "610113",
};
#define REGIONS (sizeof(regions) / sizeof(regions[0]))

static int ref_value(char c)
{
	const char *p = c ? strchr(alphabet, c) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

/* 3^(i-1) mod 31 for 1-based position i. */
static unsigned ref_weight(unsigned i)
{
	unsigned w = 1;

	while (--i > 0)
		w = w * 3 % RADIX;
	return w;
}

static char ref_check_char(const char *s)
{
	unsigned sum = 0, i;

	for (i = 1; i <= 17; i++)
		sum += (unsigned)ref_value(s[i - 1]) * ref_weight(i);
	return alphabet[(RADIX - sum % RADIX) % RADIX];
}

static char ref_org_check_char(const char *body)
{
	static const char values[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	static const unsigned w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
	unsigned sum = 0, i, c;

	for (i = 0; i < 8; i++)
		sum += (unsigned)(strchr(values, body[i]) - values) * w[i];
	c = 11 - sum % 11;
	if (c == 10)
		return 'X';
	if (c == 11)
		return '0';
	return (char)('0' + c);
}

static bool ref_pair_valid(char a, char c)
{
	size_t i;

	for (i = 0; i < REF_PAIRS; i++)
		if (ref_pairs[i][0] == a && ref_pairs[i][1] == c)
			return true;
	return false;
}

static bool ref_authority_valid(char a)
{
	size_t i;

	for (i = 0; i < REF_PAIRS; i++)
		if (ref_pairs[i][0] == a)
			return true;
	return false;
}

struct verdict {
	enum uscc_problem_kind kind;
	unsigned position;
	char expected;
};

/* What uscc_check() must say about the single byte c at position pos, from the rules in uscc.h. */
static enum uscc_problem_kind ref_classify_char(unsigned char c, unsigned pos)
{
	if (c < 0x21 || c > 0x7E)
		return USCC_PROBLEM_CHARACTER;
	if (pos >= 3 && pos <= 8 && !(c >= '0' && c <= '9'))
		return USCC_PROBLEM_REGION;
	if (c >= 'a' && c <= 'z' && ref_value((char)(c - 32)) >= 0)
		return USCC_PROBLEM_LOWERCASE;
	if (ref_value((char)c) < 0)
		return USCC_PROBLEM_CHARACTER;
	return USCC_PROBLEM_NONE;
}

/* What uscc_check() must say about 18 single-byte characters. */
static struct verdict ref_classify(const char *s)
{
	struct verdict v = {USCC_PROBLEM_NONE, 0, 0};
	unsigned pos;

	for (pos = 1; pos <= 18; pos++) {
		v.kind = ref_classify_char((unsigned char)s[pos - 1], pos);
		if (v.kind != USCC_PROBLEM_NONE) {
			v.position = pos;
			return v;
		}
	}
	if (!ref_authority_valid(s[0])) {
		v.kind = USCC_PROBLEM_AUTHORITY;
		v.position = 1;
	} else if (!ref_pair_valid(s[0], s[1])) {
		v.kind = USCC_PROBLEM_CATEGORY;
		v.position = 2;
	} else if (s[16] != ref_org_check_char(s + 8)) {
		v.kind = USCC_PROBLEM_ORG_CHECK;
		v.position = 17;
		v.expected = ref_org_check_char(s + 8);
	} else if (s[17] != ref_check_char(s)) {
		v.kind = USCC_PROBLEM_CHECK;
		v.position = 18;
		v.expected = ref_check_char(s);
	} else {
		v.position = 0;
	}
	return v;
}

/* Whether s is well-formed UTF-8 (messages end up in JSON). */
static bool utf8_valid(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		size_t k, i;

		if (*u < 0x80)
			k = 1;
		else if (*u >= 0xC2 && *u <= 0xDF)
			k = 2;
		else if (*u >= 0xE0 && *u <= 0xEF)
			k = 3;
		else if (*u >= 0xF0 && *u <= 0xF4)
			k = 4;
		else
			return false;
		for (i = 1; i < k; i++)
			if ((u[i] & 0xC0) != 0x80)
				return false;
		u += k;
	}
	return true;
}

/* Check s and compare everything uscc_check() reports with the reference verdict. */
static void assert_verdict(const char *s, size_t len, struct verdict want)
{
	struct uscc_problem p;
	enum status st = uscc_check(s, len, &p);
	char at[32];

	if ((int)p.kind != (int)want.kind || p.position != want.position ||
	    p.expected != want.expected)
		print_error("code \"%.*s\": got %d at %u '%c', want %d at %u '%c' (%s)\n", (int)len,
			    s, p.kind, p.position, p.expected ? p.expected : '-', want.kind,
			    want.position, want.expected ? want.expected : '-', p.message);
	assert_int_equal(p.kind, want.kind);
	assert_int_equal(p.position, want.position);
	assert_int_equal(p.expected, want.expected);
	if (want.kind == USCC_PROBLEM_NONE) {
		assert_int_equal(st, ST_OK);
		assert_string_equal(p.message, "");
		return;
	}
	assert_int_equal(st, ST_INVALID);
	assert_true(utf8_valid(p.message));
	snprintf(at, sizeof(at), "第%u位", want.position);
	assert_non_null(strstr(p.message, at));
	if (want.expected) {
		char quoted[16];

		snprintf(quoted, sizeof(quoted), "应为“%c”", want.expected);
		assert_non_null(strstr(p.message, quoted));
	}
}

static void assert_problem(const char *s, enum uscc_problem_kind kind, unsigned position,
			   const char *message)
{
	struct uscc_problem p;

	assert_int_equal(uscc_check(s, strlen(s), &p), ST_INVALID);
	assert_int_equal(p.kind, kind);
	assert_int_equal(p.position, position);
	assert_string_equal(p.message, message);
}

/* ------------------------------------------------------------------ valid codes */

static void test_known_valid(void **state)
{
	struct verdict ok = {USCC_PROBLEM_NONE, 0, 0};
	size_t i;

	(void)state;
	for (i = 0; i < KNOWN_VALID; i++) {
		const char *c = known_valid[i];

		assert_verdict(c, 18, ok);
		assert_int_equal(uscc_check(c, 18, NULL), ST_OK);
		assert_int_equal(uscc_check_char(c), c[17]);
		assert_int_equal(uscc_org_check_char(c + 8), c[16]);
		/* And the reference agrees, so the list itself is right. */
		assert_int_equal(ref_check_char(c), c[17]);
		assert_int_equal(ref_org_check_char(c + 8), c[16]);
	}
}

/*
 * Why every single-character change is caught, whatever the position and the new character.
 * Write v(c) for a character's index in the alphabet (0..30) and w_i = 3^(i-1) mod 31. The check
 * character is the one with index (31 - S mod 31) mod 31, S = sum of w_i * v(c_i) over i = 1..17.
 *  - Changing c_i (i <= 17) from a to b changes S by w_i * (v(b) - v(a)). 31 is prime, w_i is not
 *    a multiple of 31 and 0 < |v(b) - v(a)| < 31, so the product is not a multiple of 31: S mod 31
 *    changes, the index (31 - S mod 31) mod 31 is a one-to-one function of S mod 31, so the
 *    required check character changes while c_18 stays the same: the code fails.
 *  - Changing c_18 to another character makes it differ from the unchanged required one.
 *  - Changing any character to one outside the alphabet fails the character rules first.
 * This test checks the arithmetic facts the argument stands on; the next one checks every case.
 */
static void test_check_char_math(void **state)
{
	char s[18];
	unsigned i, a, b, r;
	bool reached[RADIX] = {false};

	(void)state;
	assert_int_equal(strlen(alphabet), RADIX);
	for (i = 1; i <= 17; i++) {
		unsigned w = ref_weight(i);

		assert_int_not_equal(w % RADIX, 0);
		for (a = 0; a < RADIX; a++)
			for (b = 0; b < RADIX; b++)
				if (a != b)
					assert_int_not_equal((w * (a + RADIX - b)) % RADIX, 0);
	}
	/* The index map is one-to-one: 31 residues give 31 different characters. */
	for (r = 0; r < RADIX; r++) {
		unsigned idx = (RADIX - r) % RADIX;

		assert_false(reached[idx]);
		reached[idx] = true;
	}

	/* uscc_check_char() is that formula: one character varied at a time over a base code. */
	memcpy(s, "91350100M000100Y4", 17);
	s[17] = '\0';
	for (i = 0; i < 17; i++) {
		char keep = s[i];

		for (a = 0; a < RADIX; a++) {
			s[i] = alphabet[a];
			assert_int_equal(uscc_check_char(s), ref_check_char(s));
		}
		s[i] = keep;
	}
	assert_int_equal(uscc_check_char(s), '3');
	assert_int_equal(uscc_check_char(NULL), '\0');
	assert_int_equal(uscc_check_char("91350100m000100Y4"), '\0');
	assert_int_equal(uscc_check_char("91350100M000100Y"), '\0'); /* one short */
	assert_int_equal(uscc_check_char("91350100M0O0100Y4"), '\0');
}

static void test_org_check_char(void **state)
{
	static const char values[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char body[9] = "00000000";
	bool seen_x = false, seen_0 = false;
	unsigned i, n;

	(void)state;
	assert_int_equal(uscc_org_check_char("M000100Y"), '4');
	assert_int_equal(uscc_org_check_char("71093123"), 'X');
	assert_int_equal(uscc_org_check_char("19220382"), '1');
	/* GB 11714 values letters over the whole Latin alphabet, including I, O, S, V, Z. */
	for (n = 0; n < 5000; n++) {
		unsigned x = n * 2654435761u;

		for (i = 0; i < 8; i++, x = x * 1103515245u + 12345u)
			body[i] = values[(x >> 16) % 36];
		assert_int_equal(uscc_org_check_char(body), ref_org_check_char(body));
		seen_x |= ref_org_check_char(body) == 'X';
		seen_0 |= ref_org_check_char(body) == '0';
	}
	assert_true(seen_x);
	assert_true(seen_0);
	assert_int_equal(uscc_org_check_char("m000100Y"), '\0');
	assert_int_equal(uscc_org_check_char("M000100"), '\0');
	assert_int_equal(uscc_org_check_char("M000-100"), '\0');
	assert_int_equal(uscc_org_check_char(NULL), '\0');
}

/* ------------------------------------------------------------------ corruption */

/* Valid codes to corrupt: the known ones and generated ones of every type. */
static size_t corruption_bases(char (*out)[USCC_LEN + 1], size_t max)
{
	size_t n = 0, i;

	for (i = 0; i < KNOWN_VALID && n < max; i++, n++)
		memcpy(out[n], known_valid[i], USCC_LEN + 1);
	for (i = 0; i < REF_PAIRS && n < max; i++, n++) {
		const char *region = regions[i % REGIONS];

		assert_int_equal(uscc_generate_as(ref_pairs[i], 1000 + i, region, out[n]), ST_OK);
	}
	return n;
}

/*
 * Every code, every position, every other alphabet character: always refused, and refused for the
 * reason, at the position, with the expected character the reference gives.
 */
static void test_every_alphabet_corruption(void **state)
{
	char bases[KNOWN_VALID + REF_PAIRS][USCC_LEN + 1];
	size_t nbases = corruption_bases(bases, KNOWN_VALID + REF_PAIRS);
	size_t b, pos, a, tried = 0, by_kind[USCC_PROBLEM_CHECK + 1] = {0};

	(void)state;
	for (b = 0; b < nbases; b++) {
		for (pos = 0; pos < USCC_LEN; pos++) {
			for (a = 0; a < RADIX; a++) {
				char s[USCC_LEN + 1];
				struct verdict v;

				if (alphabet[a] == bases[b][pos])
					continue;
				memcpy(s, bases[b], sizeof(s));
				s[pos] = alphabet[a];
				v = ref_classify(s);
				assert_int_not_equal(v.kind, USCC_PROBLEM_NONE);
				assert_int_equal(uscc_check(s, USCC_LEN, NULL), ST_INVALID);
				assert_verdict(s, USCC_LEN, v);
				by_kind[v.kind]++;
				tried++;
			}
		}
	}
	assert_int_equal(tried, nbases * USCC_LEN * (RADIX - 1));
	/* Each kind a substitution inside the alphabet can cause did occur. */
	assert_true(by_kind[USCC_PROBLEM_REGION] > 0);
	assert_true(by_kind[USCC_PROBLEM_AUTHORITY] > 0);
	assert_true(by_kind[USCC_PROBLEM_CATEGORY] > 0);
	assert_true(by_kind[USCC_PROBLEM_ORG_CHECK] > 0);
	assert_true(by_kind[USCC_PROBLEM_CHECK] > 0);
}

/* Every other byte value, at every position, of the same codes. */
static void test_every_byte_corruption(void **state)
{
	char bases[KNOWN_VALID + REF_PAIRS][USCC_LEN + 1];
	size_t nbases = corruption_bases(bases, KNOWN_VALID + REF_PAIRS);
	size_t b, pos;
	unsigned c;

	(void)state;
	for (b = 0; b < nbases; b++) {
		for (pos = 0; pos < USCC_LEN; pos++) {
			for (c = 0; c < 256; c++) {
				char s[USCC_LEN + 1];

				if ((char)c == bases[b][pos])
					continue;
				memcpy(s, bases[b], sizeof(s));
				s[pos] = (char)c;
				assert_int_equal(uscc_check(s, USCC_LEN, NULL), ST_INVALID);
				assert_verdict(s, USCC_LEN, ref_classify(s));
			}
		}
	}
}

/* ------------------------------------------------------------------ messages */

static void test_messages_length(void **state)
{
	struct uscc_problem p;

	(void)state;
	assert_problem("9135010", USCC_PROBLEM_LENGTH, 0, "统一社会信用代码应为18位，实际7位");
	assert_problem("91350100M000100Y430", USCC_PROBLEM_LENGTH, 0,
		       "统一社会信用代码应为18位，实际19位");
	assert_problem("", USCC_PROBLEM_LENGTH, 0, "统一社会信用代码应为18位，实际0位");
	assert_int_equal(uscc_check(NULL, 0, &p), ST_INVALID);
	assert_string_equal(p.message, "统一社会信用代码应为18位，实际0位");
	/* Characters are counted, not bytes: 8 characters in 24 bytes. */
	assert_problem("统一社会信用代码", USCC_PROBLEM_LENGTH, 0,
		       "统一社会信用代码应为18位，实际8位");
	/* A surrounding space is a character too; uscc_normalize() trims it. */
	assert_problem(" 91350100M000100Y43", USCC_PROBLEM_LENGTH, 0,
		       "统一社会信用代码应为18位，实际19位");
}

static void test_messages_characters(void **state)
{
	(void)state;
	assert_problem("91350100m000100Y43", USCC_PROBLEM_LOWERCASE, 9,
		       "第9位“m”是小写字母，统一社会信用代码只使用大写字母");
	assert_problem("91350100M0O0100Y43", USCC_PROBLEM_CHARACTER, 11,
		       "第11位字符“O”不是有效字符（统一社会信用代码不使用字母I、O、Z、S、V）");
	/* Upper-casing would not help an 'o': the complaint is the letter, not its case. */
	assert_problem("91350100M0o0100Y43", USCC_PROBLEM_CHARACTER, 11,
		       "第11位字符“o”不是有效字符（统一社会信用代码不使用字母I、O、Z、S、V）");
	assert_problem("91350100M000-00Y43", USCC_PROBLEM_CHARACTER, 13,
		       "第13位字符“-”不是有效字符");
	assert_problem("91350100M000 00Y43", USCC_PROBLEM_CHARACTER, 13,
		       "第13位是空格，不是有效字符");
	assert_problem("91350100M000\t00Y43", USCC_PROBLEM_CHARACTER, 13,
		       "第13位是不可见的控制字符（U+0009），不是有效字符");
	/* \377 is the byte 0xFF; an octal escape ends after three digits, a hex one would not. */
	assert_problem("91350100M000\37700Y43", USCC_PROBLEM_CHARACTER, 13,
		       "第13位不是有效字符（无法识别的字节0xFF）");
	/* Multi-byte characters: positions count characters. */
	assert_problem("91350100Ｍ000100Y43", USCC_PROBLEM_CHARACTER, 9,
		       "第9位字符“Ｍ”不是有效字符（这是全角字符，请使用半角字母或数字）");
	assert_problem("91350100M000100Y4统", USCC_PROBLEM_CHARACTER, 18,
		       "第18位字符“统”不是有效字符");
	assert_problem("91350100M000100Y4\xe3\x80\x80", USCC_PROBLEM_CHARACTER, 18,
		       "第18位是全角空格，不是有效字符");
	/* A NUL inside the given length is a character like any other. */
	{
		struct uscc_problem p;

		assert_int_equal(uscc_check("91350100M000\00000Y43", 18, &p), ST_INVALID);
		assert_int_equal(p.kind, USCC_PROBLEM_CHARACTER);
		assert_int_equal(p.position, 13);
		assert_string_equal(p.message, "第13位是不可见的控制字符（U+0000），不是有效字符");
	}
	/* The first problem by position wins. */
	assert_problem("91350100m0O0100Y43", USCC_PROBLEM_LOWERCASE, 9,
		       "第9位“m”是小写字母，统一社会信用代码只使用大写字母");
}

static void test_messages_structure(void **state)
{
	(void)state;
	assert_problem("9135A100M000100Y43", USCC_PROBLEM_REGION, 5,
		       "第5位应为数字（第3至8位是登记管理机关行政区划码），实际为“A”");
	assert_problem("9135a100M000100Y43", USCC_PROBLEM_REGION, 5,
		       "第5位应为数字（第3至8位是登记管理机关行政区划码），实际为“a”");
	assert_problem("B1350100M000100Y43", USCC_PROBLEM_AUTHORITY, 1,
		       "第1位登记管理部门码“B”无效，应为1至9、A、N、Y之一");
	assert_problem("01350100M000100Y43", USCC_PROBLEM_AUTHORITY, 1,
		       "第1位登记管理部门码“0”无效，应为1至9、A、N、Y之一");
	assert_problem("94350100M000100Y43", USCC_PROBLEM_CATEGORY, 2,
		       "第2位机构类别代码“4”不适用于登记管理部门码“9”（工商），应为1、2、3之一");
	assert_problem("Y2350100M000100Y43", USCC_PROBLEM_CATEGORY, 2,
		       "第2位机构类别代码“2”不适用于登记管理部门码“Y”（其他），应为1之一");
	assert_problem("A3350100M000100Y43", USCC_PROBLEM_CATEGORY, 2,
		       "第2位机构类别代码“3”不适用于登记管理部门码“A”（中央军委改革和编制办公室），"
		       "应为1、9之一");
	assert_problem("91350100M000100Y53", USCC_PROBLEM_ORG_CHECK, 17,
		       "组织机构代码校验码错误：按第9至16位计算，"
		       "第17位应为“4”，请对照证照逐位核对");
	/* A changed body character is caught by the organisation code first. */
	assert_problem("91350100M000200Y43", USCC_PROBLEM_ORG_CHECK, 17,
		       "组织机构代码校验码错误：按第9至16位计算，"
		       "第17位应为“X”，请对照证照逐位核对");
	assert_problem("91350100M000100Y44", USCC_PROBLEM_CHECK, 18,
		       "第18位校验码错误，按前17位计算应为“3”，请对照证照逐位核对");
	/* Position 2 weighs 3: '1' to '2' moves the sum from 28 to 31, i.e. 0 mod 31: check '0'. */
	assert_problem("92350100M000100Y43", USCC_PROBLEM_CHECK, 18,
		       "第18位校验码错误，按前17位计算应为“0”，请对照证照逐位核对");
}

static void test_problem_fields(void **state)
{
	struct uscc_problem p;

	(void)state;
	memset(&p, 'z', sizeof(p));
	assert_int_equal(uscc_check("91350100M000100Y44", 18, &p), ST_INVALID);
	assert_int_equal(p.expected, '3');
	/* A later success clears what an earlier failure left. */
	assert_int_equal(uscc_check("91350100M000100Y43", 18, &p), ST_OK);
	assert_int_equal(p.kind, USCC_PROBLEM_NONE);
	assert_int_equal(p.position, 0);
	assert_int_equal(p.expected, '\0');
	assert_string_equal(p.message, "");
	/* Only the given length is read. */
	assert_int_equal(uscc_check("91350100M000100Y43 and more", 18, &p), ST_OK);
}

/* ------------------------------------------------------------------ types */

static void test_types(void **state)
{
	const struct uscc_type *t;
	size_t i, a, c, count = 0;

	(void)state;
	for (i = 0; (t = uscc_type_at(i)) != NULL; i++) {
		assert_true(ref_pair_valid(t->authority, t->category));
		assert_true(t->authority_name[0] != '\0');
		assert_true(t->category_name[0] != '\0');
		assert_ptr_equal(uscc_type_find(t->authority, t->category), t);
		count++;
	}
	assert_int_equal(count, REF_PAIRS);
	for (a = 0; a < 256; a++)
		for (c = 0; c < 256; c++)
			assert_int_equal(uscc_type_find((char)a, (char)c) != NULL,
					 ref_pair_valid((char)a, (char)c));
	t = uscc_type_find('9', '1');
	assert_string_equal(t->authority_name, "工商");
	assert_string_equal(t->category_name, "企业");
	assert_string_equal(uscc_type_find('9', '2')->category_name, "个体工商户");
	assert_string_equal(uscc_type_find('5', '1')->category_name, "社会团体");
	assert_string_equal(uscc_type_find('N', '2')->category_name, "村级集体经济组织");
	assert_null(uscc_type_at(REF_PAIRS));
}

/* ------------------------------------------------------------------ generate */

static int compare_codes(const void *a, const void *b)
{
	return memcmp(a, b, USCC_LEN);
}

static void test_generate_10000(void **state)
{
	enum { N = 10000 };
	char(*codes)[USCC_LEN + 1] = calloc(N, sizeof(*codes));
	char again[USCC_LEN + 1];
	struct verdict ok = {USCC_PROBLEM_NONE, 0, 0};
	size_t i;

	(void)state;
	assert_non_null(codes);
	for (i = 0; i < N; i++) {
		char *c = codes[i];

		assert_int_equal(uscc_generate(i, "350102", c), ST_OK);
		assert_int_equal(strlen(c), USCC_LEN);
		assert_verdict(c, USCC_LEN, ok);
		assert_memory_equal(c, "91350102", 8);
		if (i % 2 == 0) {
			size_t j;

			for (j = 8; j < 16; j++)
				assert_true(c[j] >= '0' && c[j] <= '9');
		} else {
			assert_memory_equal(c + 8, "MA", 2);
		}
		assert_int_equal(uscc_generate(i, "350102", again), ST_OK);
		assert_string_equal(again, c);
	}
	qsort(codes, N, sizeof(*codes), compare_codes);
	for (i = 1; i < N; i++)
		assert_int_not_equal(memcmp(codes[i - 1], codes[i], USCC_LEN), 0);
	free(codes);
}

static void test_generate_types(void **state)
{
	struct verdict ok = {USCC_PROBLEM_NONE, 0, 0};
	char c[USCC_LEN + 1];
	size_t i;
	uint64_t seed;

	(void)state;
	for (i = 0; i < REF_PAIRS; i++) {
		for (seed = 0; seed < 300; seed++) {
			const char *region = regions[seed % REGIONS];

			assert_int_equal(uscc_generate_as(ref_pairs[i], seed * 7919 + i, region, c),
					 ST_OK);
			assert_verdict(c, USCC_LEN, ok);
			assert_memory_equal(c, ref_pairs[i], 2);
			assert_memory_equal(c + 2, region, 6);
		}
	}
	/* Seeds beyond 32 bits work and repeat only modulo 10^8. */
	assert_int_equal(uscc_generate(UINT64_MAX, "110101", c), ST_OK);
	assert_verdict(c, USCC_LEN, ok);
	{
		char d[USCC_LEN + 1];

		assert_int_equal(uscc_generate(12345 + 100000000ull * 7, "110101", d), ST_OK);
		assert_int_equal(uscc_generate(12345, "110101", c), ST_OK);
		assert_string_equal(c, d);
	}
}

/* Fixed outputs: demo data must not change from one build to the next. */
static void test_generate_stable(void **state)
{
	char c[USCC_LEN + 1];

	(void)state;
	assert_int_equal(uscc_generate(0, "350102", c), ST_OK);
	assert_string_equal(c, "913501022653589729");
	assert_int_equal(uscc_generate(1, "350102", c), ST_OK);
	assert_string_equal(c, "91350102MA00FX9H5B");
	assert_int_equal(uscc_generate_as("N2", 42, "330106", c), ST_OK);
	assert_string_equal(c, "N2330106319794834W");
}

static void test_generate_refuses(void **state)
{
	static const char *const bad_types[] = {"94", "9", "911", "", "B1", "91 ", "a1", "n2"};
	static const char *const bad_regions[] = {"35010", "3501020", "35010A", "", "３50102"};
	char c[USCC_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		memcpy(c, "leftover value....", sizeof(c));
		assert_int_equal(uscc_generate_as(bad_types[i], 1, "350102", c), ST_INVALID);
		assert_string_equal(c, "");
	}
	for (i = 0; i < sizeof(bad_regions) / sizeof(bad_regions[0]); i++) {
		memcpy(c, "leftover value....", sizeof(c));
		assert_int_equal(uscc_generate(1, bad_regions[i], c), ST_INVALID);
		assert_string_equal(c, "");
	}
	assert_int_equal(uscc_generate_as(NULL, 1, "350102", c), ST_INVALID);
	assert_int_equal(uscc_generate(1, NULL, c), ST_INVALID);
	assert_string_equal(c, "");
}

/* ------------------------------------------------------------------ normalise and parse */

static void assert_normalizes(const char *in, const char *want)
{
	char out[128];
	size_t n = uscc_normalize(in, strlen(in), out, sizeof(out));

	assert_int_equal(n, strlen(want));
	assert_string_equal(out, want);
}

static void test_normalize(void **state)
{
	char small[5];

	(void)state;
	assert_normalizes("91350100M000100Y43", "91350100M000100Y43");
	assert_normalizes("  91350100m000100y43\t\r\n", "91350100M000100Y43");
	/* Ideographic space, no-break space and a BOM around; full-width forms inside. */
	assert_normalizes("\xe3\x80\x80\xef\xbb\xbf"
			  "９１３５０１００ｍ０００１００Ｙ４３\xc2\xa0\xe3\x80\x80",
			  "91350100M000100Y43");
	/* Blanks inside stay for uscc_check() to point at; other text is copied unchanged. */
	assert_normalizes(" 9135 0100 ", "9135 0100");
	assert_normalizes("统一 code", "统一 CODE");
	assert_normalizes("\xff"
			  "a",
			  "\xff"
			  "A");
	assert_normalizes("", "");
	assert_normalizes(" \t\xe3\x80\x80 ", "");
	/* Like snprintf: the full length comes back, the output is cut and terminated. */
	assert_int_equal(uscc_normalize(" 91350100m ", 11, small, sizeof(small)), 9);
	assert_string_equal(small, "9135");
	assert_int_equal(uscc_normalize("abc", 3, NULL, 0), 3);
	assert_int_equal(uscc_normalize(NULL, 0, small, sizeof(small)), 0);
	assert_string_equal(small, "");
}

static void test_parse(void **state)
{
	char out[USCC_LEN + 1];
	struct uscc_problem p;

	(void)state;
	assert_int_equal(uscc_parse(" 91350100m000100y43 ", 20, out, &p), ST_OK);
	assert_string_equal(out, "91350100M000100Y43");
	assert_int_equal(p.kind, USCC_PROBLEM_NONE);
	assert_int_equal(uscc_parse("９１３５０１００Ｍ０００１００Ｙ４３", 54, out, NULL), ST_OK);
	assert_string_equal(out, "91350100M000100Y43");

	memcpy(out, "leftover value....", sizeof(out));
	assert_int_equal(uscc_parse("91350100m000100y44", 18, out, &p), ST_INVALID);
	assert_string_equal(out, "");
	assert_int_equal(p.kind, USCC_PROBLEM_CHECK);
	assert_int_equal(p.expected, '3');

	/* Length is counted after trimming, in characters, however long the input. */
	{
		char longer[300];

		memset(longer, '9', sizeof(longer));
		assert_int_equal(uscc_parse(longer, sizeof(longer), out, &p), ST_INVALID);
		assert_int_equal(p.kind, USCC_PROBLEM_LENGTH);
		assert_string_equal(p.message, "统一社会信用代码应为18位，实际300位");
	}
	assert_int_equal(uscc_parse("  9135010 ", 10, out, &p), ST_INVALID);
	assert_string_equal(p.message, "统一社会信用代码应为18位，实际7位");
	/* 18 characters in 54 bytes: the right length, the wrong characters. */
	assert_int_equal(uscc_parse("统一社会信用代码统一社会信用代码统一", 54, out, &p),
			 ST_INVALID);
	assert_int_equal(p.kind, USCC_PROBLEM_CHARACTER);
	assert_int_equal(p.position, 1);
	assert_string_equal(p.message, "第1位字符“统”不是有效字符");
	assert_int_equal(uscc_parse("91350100M000 00Y43", 18, out, &p), ST_INVALID);
	assert_int_equal(p.position, 13);
	assert_int_equal(uscc_parse(NULL, 0, out, &p), ST_INVALID);
	assert_int_equal(p.kind, USCC_PROBLEM_LENGTH);
}

/* ------------------------------------------------------------------ samples for the stdnum
 * cross-check */

static const char *kind_name(enum uscc_problem_kind k)
{
	switch (k) {
	case USCC_PROBLEM_NONE:
		return "valid";
	case USCC_PROBLEM_LENGTH:
		return "length";
	case USCC_PROBLEM_CHARACTER:
		return "character";
	case USCC_PROBLEM_REGION:
		return "region";
	case USCC_PROBLEM_LOWERCASE:
		return "lowercase";
	case USCC_PROBLEM_AUTHORITY:
		return "authority";
	case USCC_PROBLEM_CATEGORY:
		return "category";
	case USCC_PROBLEM_ORG_CHECK:
		return "org_check";
	case USCC_PROBLEM_CHECK:
		return "check";
	}
	return "?";
}

static void write_sample(FILE *f, const char *origin, const char *code)
{
	struct uscc_problem p;

	uscc_check(code, strlen(code), &p);
	fprintf(f, "%s %s %s\n", origin, code, kind_name(p.kind));
}

/*
 * With USCC_SAMPLES_OUT set, write codes and this checker's verdicts there for
 * uscc-stdnum.test.mjs, one "origin code verdict" line each, instead of running the tests:
 *   known     the known-valid list
 *   generated 1,000 generated codes, every type, several regions
 *   corrupt   every single alphabet substitution of the first 20 generated codes
 *   rechecked 200 generated codes with an organisation code body character changed and the
 *             final check character recomputed: only the organisation code check can see it
 */
static int write_samples(const char *path)
{
	FILE *f = fopen(path, "w");
	char codes[1000][USCC_LEN + 1];
	size_t i, pos, a;

	if (f == NULL) {
		perror(path);
		return 1;
	}
	for (i = 0; i < KNOWN_VALID; i++)
		write_sample(f, "known", known_valid[i]);
	for (i = 0; i < 1000; i++) {
		if (uscc_generate_as(ref_pairs[i % REF_PAIRS], i * 104729u + 17,
				     regions[i % REGIONS], codes[i]) != ST_OK) {
			fclose(f);
			return 1;
		}
		write_sample(f, "generated", codes[i]);
	}
	for (i = 0; i < 20; i++) {
		for (pos = 0; pos < USCC_LEN; pos++) {
			for (a = 0; a < RADIX; a++) {
				char s[USCC_LEN + 1];

				if (alphabet[a] == codes[i][pos])
					continue;
				memcpy(s, codes[i], sizeof(s));
				s[pos] = alphabet[a];
				write_sample(f, "corrupt", s);
			}
		}
	}
	for (i = 0; i < 200; i++) {
		char s[USCC_LEN + 1];
		size_t at = 8 + i % 8;

		memcpy(s, codes[i], sizeof(s));
		/* A digit that changes the GB 11714 sum: never by a multiple of 11. */
		s[at] = s[at] == '1' ? '2' : '1';
		if (ref_org_check_char(s + 8) == s[16])
			s[at] = s[at] == '3' ? '4' : '3';
		s[17] = uscc_check_char(s);
		write_sample(f, "rechecked", s);
	}
	if (fclose(f) != 0) {
		perror(path);
		return 1;
	}
	fprintf(stderr, "test_uscc: wrote samples to %s; tests not run\n", path);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_valid),
	    cmocka_unit_test(test_check_char_math),
	    cmocka_unit_test(test_org_check_char),
	    cmocka_unit_test(test_every_alphabet_corruption),
	    cmocka_unit_test(test_every_byte_corruption),
	    cmocka_unit_test(test_messages_length),
	    cmocka_unit_test(test_messages_characters),
	    cmocka_unit_test(test_messages_structure),
	    cmocka_unit_test(test_problem_fields),
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_generate_10000),
	    cmocka_unit_test(test_generate_types),
	    cmocka_unit_test(test_generate_stable),
	    cmocka_unit_test(test_generate_refuses),
	    cmocka_unit_test(test_normalize),
	    cmocka_unit_test(test_parse),
	};
	const char *samples = getenv("USCC_SAMPLES_OUT");

	if (samples != NULL && samples[0] != '\0')
		return write_samples(samples);
	return cmocka_run_group_tests_name("uscc", tests, NULL, NULL);
}
