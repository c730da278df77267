/* uscc.c: checking, normalising and generating unified social credit codes (GB 32100-2015). */
#include "lib/uscc.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The 31 characters of a code; a character's index is its value in the final check. */
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
#define USCC_RADIX 31

/* GB 11714-1997 weights for the 8 body characters of an organisation code. */
static const unsigned char org_weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};

/* GB 32100-2015 appendix A. */
static const struct uscc_type uscc_types[] = {
    {'1', '1', "机构编制", "机关"},
    {'1', '2', "机构编制", "事业单位"},
    {'1', '3', "机构编制", "中央编办直接管理机构编制的群众团体"},
    {'1', '9', "机构编制", "其他"},
    {'2', '1', "外交", "外国常驻新闻机构"},
    {'2', '9', "外交", "其他"},
    {'3', '1', "司法行政", "律师执业机构"},
    {'3', '2', "司法行政", "公证处"},
    {'3', '3', "司法行政", "基层法律服务所"},
    {'3', '4', "司法行政", "司法鉴定机构"},
    {'3', '5', "司法行政", "仲裁委员会"},
    {'3', '9', "司法行政", "其他"},
    {'4', '1', "文化", "外国在华文化中心"},
    {'4', '9', "文化", "其他"},
    {'5', '1', "民政", "社会团体"},
    {'5', '2', "民政", "民办非企业单位"},
    {'5', '3', "民政", "基金会"},
    {'5', '9', "民政", "其他"},
    {'6', '1', "旅游", "外国旅游部门常驻代表机构"},
    {'6', '2', "旅游", "港澳台地区旅游部门常驻内地（大陆）代表机构"},
    {'6', '9', "旅游", "其他"},
    {'7', '1', "宗教", "宗教活动场所"},
    {'7', '2', "宗教", "宗教院校"},
    {'7', '9', "宗教", "其他"},
    {'8', '1', "工会", "基层工会"},
    {'8', '9', "工会", "其他"},
    {'9', '1', "工商", "企业"},
    {'9', '2', "工商", "个体工商户"},
    {'9', '3', "工商", "农民专业合作社"},
    {'A', '1', "中央军委改革和编制办公室", "军队事业单位"},
    {'A', '9', "中央军委改革和编制办公室", "其他"},
    {'N', '1', "农业", "组级集体经济组织"},
    {'N', '2', "农业", "村级集体经济组织"},
    {'N', '3', "农业", "乡镇级集体经济组织"},
    {'N', '9', "农业", "其他"},
    {'Y', '1', "其他", "其他"},
};
#define USCC_TYPES_COUNT (sizeof(uscc_types) / sizeof(uscc_types[0]))

/* ------------------------------------------------------------------ character values */

/* The index of c in the alphabet, or -1. */
static int uscc_value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(uscc_alphabet, c);
	return p ? (int)(p - uscc_alphabet) : -1;
}

/* The GB 11714 value of an organisation code character (0-9, A=10 ... Z=35), or -1. */
static int org_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return -1;
}

char uscc_check_char(const char *first17)
{
	/* Position i weighs 3^(i-1) mod 31: 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28. */
	unsigned sum = 0, weight = 1;
	size_t i;

	if (first17 == NULL)
		return '\0';
	for (i = 0; i < USCC_LEN - 1; i++, weight = weight * 3 % USCC_RADIX) {
		int v = uscc_value(first17[i]);

		if (v < 0)
			return '\0';
		sum += (unsigned)v * weight;
	}
	return uscc_alphabet[(USCC_RADIX - sum % USCC_RADIX) % USCC_RADIX];
}

char uscc_org_check_char(const char *body8)
{
	unsigned sum = 0;
	unsigned c;
	size_t i;

	if (body8 == NULL)
		return '\0';
	for (i = 0; i < 8; i++) {
		int v = org_value(body8[i]);

		if (v < 0)
			return '\0';
		sum += (unsigned)v * org_weights[i];
	}
	c = 11 - sum % 11;
	if (c == 10)
		return 'X';
	if (c == 11)
		return '0';
	return (char)('0' + c);
}

/* ------------------------------------------------------------------ types */

const struct uscc_type *uscc_type_at(size_t i)
{
	return i < USCC_TYPES_COUNT ? &uscc_types[i] : NULL;
}

const struct uscc_type *uscc_type_find(char authority, char category)
{
	size_t i;

	for (i = 0; i < USCC_TYPES_COUNT; i++)
		if (uscc_types[i].authority == authority && uscc_types[i].category == category)
			return &uscc_types[i];
	return NULL;
}

/* The first pair with this authority code, or NULL if there is no such authority. */
static const struct uscc_type *uscc_authority_find(char authority)
{
	size_t i;

	for (i = 0; i < USCC_TYPES_COUNT; i++)
		if (uscc_types[i].authority == authority)
			return &uscc_types[i];
	return NULL;
}

/* ------------------------------------------------------------------ UTF-8 */

/*
 * The length of the well-formed UTF-8 sequence at s[0..n) (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), storing its code point in *cp; 0 if there is none.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t k, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		k = 2;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		k = 3;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		k = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if ((k == 3 && c < 0x800) || (k == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return k;
}

/* The code point stored for an ill-formed byte; no real one reaches it. */
#define UTF8_BAD UINT32_C(0xFFFFFFFF)

/* One character of some text: a well-formed UTF-8 sequence, or one ill-formed byte. */
struct character {
	const char *bytes;
	size_t len;  /* in bytes, 1-4 */
	uint32_t cp; /* the code point, or UTF8_BAD */
};

/* The character at the start of s[0..n), n > 0. */
static struct character character_at(const char *s, size_t n)
{
	struct character ch = {.bytes = s};

	ch.len = utf8_seq((const unsigned char *)s, n, &ch.cp);
	if (ch.len == 0) {
		ch.len = 1;
		ch.cp = UTF8_BAD;
	}
	return ch;
}

/* ------------------------------------------------------------------ problems */

static void problem_clear(struct uscc_problem *p)
{
	p->kind = USCC_PROBLEM_NONE;
	p->position = 0;
	p->expected = '\0';
	p->message[0] = '\0';
}

static enum status problem_length(struct uscc_problem *p, size_t chars)
{
	p->kind = USCC_PROBLEM_LENGTH;
	snprintf(p->message, sizeof(p->message), "统一社会信用代码应为18位，实际%zu位", chars);
	return ST_INVALID;
}

static bool is_printable_ascii(uint32_t cp)
{
	return cp >= 0x21 && cp <= 0x7E;
}

/* Describe a character that may not stand at position pos; never called for a valid one. */
static enum status problem_character(struct uscc_problem *p, unsigned pos,
				     const struct character *ch)
{
	char *m = p->message;
	size_t size = sizeof(p->message);
	uint32_t cp = ch->cp;
	char c = ch->bytes[0];

	p->position = pos;
	if (is_printable_ascii(cp) && pos >= 3 && pos <= 8) {
		p->kind = USCC_PROBLEM_REGION;
		snprintf(m, size, "第%u位应为数字（第3至8位是登记管理机关行政区划码），实际为“%c”",
			 pos, c);
		return ST_INVALID;
	}
	if (c >= 'a' && c <= 'z' && uscc_value((char)(c - 'a' + 'A')) >= 0) {
		p->kind = USCC_PROBLEM_LOWERCASE;
		snprintf(m, size, "第%u位“%c”是小写字母，统一社会信用代码只使用大写字母", pos, c);
		return ST_INVALID;
	}
	p->kind = USCC_PROBLEM_CHARACTER;
	if (cp == UTF8_BAD)
		snprintf(m, size, "第%u位不是有效字符（无法识别的字节0x%02X）", pos,
			 (unsigned)(unsigned char)c);
	else if (cp == ' ')
		snprintf(m, size, "第%u位是空格，不是有效字符", pos);
	else if (cp == 0x3000)
		snprintf(m, size, "第%u位是全角空格，不是有效字符", pos);
	else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
		snprintf(m, size, "第%u位是不可见的控制字符（U+%04" PRIX32 "），不是有效字符", pos,
			 cp);
	else if (is_printable_ascii(cp) && strchr("IOZSVioszv", c) != NULL)
		snprintf(m, size,
			 "第%u位字符“%c”不是有效字符"
			 "（统一社会信用代码不使用字母I、O、Z、S、V）",
			 pos, c);
	else if (cp >= 0xFF01 && cp <= 0xFF5E)
		snprintf(m, size,
			 "第%u位字符“%.*s”不是有效字符"
			 "（这是全角字符，请使用半角字母或数字）",
			 pos, (int)ch->len, ch->bytes);
	else
		snprintf(m, size, "第%u位字符“%.*s”不是有效字符", pos, (int)ch->len, ch->bytes);
	return ST_INVALID;
}

/* ------------------------------------------------------------------ check */

enum status uscc_check(const char *s, size_t len, struct uscc_problem *out)
{
	struct uscc_problem scratch = {.kind = USCC_PROBLEM_NONE};
	struct uscc_problem *p = out ? out : &scratch;
	const struct uscc_type *authority;
	struct character ch;
	size_t i, chars = 0;
	unsigned pos;
	char want;

	problem_clear(p);
	if (s == NULL)
		len = 0;
	for (i = 0; i < len; i += ch.len, chars++)
		ch = character_at(s + i, len - i);
	if (chars != USCC_LEN)
		return problem_length(p, chars);

	/* Character by character; after this pass the code is 18 ASCII bytes. */
	for (i = 0, pos = 1; i < len; i += ch.len, pos++) {
		ch = character_at(s + i, len - i);
		if (ch.len == 1 && uscc_value(s[i]) >= 0 &&
		    (pos < 3 || pos > 8 || (s[i] >= '0' && s[i] <= '9')))
			continue;
		return problem_character(p, pos, &ch);
	}

	authority = uscc_authority_find(s[0]);
	if (authority == NULL) {
		p->kind = USCC_PROBLEM_AUTHORITY;
		p->position = 1;
		snprintf(p->message, sizeof(p->message),
			 "第1位登记管理部门码“%c”无效，应为1至9、A、N、Y之一", s[0]);
		return ST_INVALID;
	}

	if (uscc_type_find(s[0], s[1]) == NULL) {
		char valid[USCC_TYPES_COUNT * 4 + 1] = "";
		size_t n = 0;

		for (i = 0; i < USCC_TYPES_COUNT; i++) {
			if (uscc_types[i].authority != s[0])
				continue;
			n += (size_t)snprintf(valid + n, sizeof(valid) - n, "%s%c", n ? "、" : "",
					      uscc_types[i].category);
		}
		p->kind = USCC_PROBLEM_CATEGORY;
		p->position = 2;
		snprintf(p->message, sizeof(p->message),
			 "第2位机构类别代码“%c”不适用于登记管理部门码“%c”（%s），应为%s之一", s[1],
			 s[0], authority->authority_name, valid);
		return ST_INVALID;
	}

	want = uscc_org_check_char(s + 8);
	if (s[16] != want) {
		p->kind = USCC_PROBLEM_ORG_CHECK;
		p->position = 17;
		p->expected = want;
		snprintf(p->message, sizeof(p->message),
			 "组织机构代码校验码错误：按第9至16位计算，"
			 "第17位应为“%c”，请对照证照逐位核对",
			 want);
		return ST_INVALID;
	}

	want = uscc_check_char(s);
	if (s[17] != want) {
		p->kind = USCC_PROBLEM_CHECK;
		p->position = 18;
		p->expected = want;
		snprintf(p->message, sizeof(p->message),
			 "第18位校验码错误，按前17位计算应为“%c”，请对照证照逐位核对", want);
		return ST_INVALID;
	}
	return ST_OK;
}

/* ------------------------------------------------------------------ normalise */

/* The length of a blank that trimming removes at the start of s[0..n), or 0. */
static size_t blank_at(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t k = utf8_seq(s, n, &cp);

	if (k == 0)
		return 0;
	if (cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || cp == 0x3000 || cp == 0xFEFF)
		return k;
	return 0;
}

/* The length of a blank that trimming removes at the end of s[0..n), or 0. */
static size_t blank_before(const unsigned char *s, size_t n)
{
	size_t k;

	/* A blank is at most 3 bytes long: try each start that could end exactly at n. */
	for (k = 1; k <= 3 && k <= n; k++)
		if (blank_at(s + n - k, k) == k)
			return k;
	return 0;
}

/*
 * Normalise s[0..len) into out[0..outsize) as uscc_normalize() documents; also count the
 * characters of the result (an ill-formed byte counts as one).
 */
static size_t normalize_into(const char *s, size_t len, char *out, size_t outsize, size_t *chars)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start = 0, end = len, n = 0, i, j, k;
	struct character ch;

	*chars = 0;
	if (s == NULL)
		end = 0;
	while (start < end && (k = blank_at(u + start, end - start)) > 0)
		start += k;
	while (end > start && (k = blank_before(u + start, end - start)) > 0)
		end -= k;

	for (i = start; i < end; i += ch.len, ++*chars) {
		ch = character_at(s + i, end - i);
		if (ch.cp >= 0xFF01 && ch.cp <= 0xFF5E) {
			char c = (char)(ch.cp - 0xFEE0); /* the full-width forms mirror 0x21-0x7E */

			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			if (n + 1 < outsize)
				out[n] = c;
			n++;
			continue;
		}
		for (j = 0; j < ch.len; j++, n++) {
			char c = s[i + j];

			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			if (n + 1 < outsize)
				out[n] = c;
		}
	}
	if (outsize > 0)
		out[n < outsize ? n : outsize - 1] = '\0';
	return n;
}

size_t uscc_normalize(const char *s, size_t len, char *out, size_t outsize)
{
	size_t chars;

	return normalize_into(s, len, out, outsize, &chars);
}

enum status uscc_parse(const char *s, size_t len, char out[USCC_LEN + 1],
		       struct uscc_problem *problem)
{
	/* 18 characters of at most 4 bytes each: enough for any text of the right length. */
	char buf[USCC_LEN * 4 + 1];
	struct uscc_problem scratch = {.kind = USCC_PROBLEM_NONE};
	struct uscc_problem *p = problem ? problem : &scratch;
	size_t n, chars;
	enum status st;

	out[0] = '\0';
	n = normalize_into(s, len, buf, sizeof(buf), &chars);
	if (chars != USCC_LEN) {
		problem_clear(p);
		return problem_length(p, chars);
	}
	st = uscc_check(buf, n, p);
	if (st != ST_OK)
		return st;
	memcpy(out, buf, USCC_LEN);
	out[USCC_LEN] = '\0';
	return ST_OK;
}

/* ------------------------------------------------------------------ generate */

#define GEN_BODIES 100000000u /* 10^8: every seed class below this gives its own body */

enum status uscc_generate_as(const char *type2, uint64_t seed, const char *region6,
			     char out[USCC_LEN + 1])
{
	uint64_t x;
	size_t i;

	out[0] = '\0';
	if (type2 == NULL || type2[0] == '\0' || type2[1] == '\0' || type2[2] != '\0' ||
	    uscc_type_find(type2[0], type2[1]) == NULL)
		return ST_INVALID;
	if (region6 == NULL)
		return ST_INVALID;
	for (i = 0; i < 6; i++)
		if (region6[i] < '0' || region6[i] > '9')
			return ST_INVALID;
	if (region6[6] != '\0')
		return ST_INVALID;

	/*
	 * A bijection of [0, 10^8): the multiplier is prime to 10^8, so neighbouring seeds give
	 * unrelated-looking bodies while distinct seed classes never share one.
	 */
	x = ((seed % GEN_BODIES) * 73939133u + 26535897u) % GEN_BODIES;

	out[0] = type2[0];
	out[1] = type2[1];
	memcpy(out + 2, region6, 6);
	if (seed % 2 == 0) {
		for (i = 15; i >= 8; i--, x /= 10)
			out[i] = (char)('0' + x % 10);
	} else {
		/* "MA" and six alphabet characters: 31^6 > 10^8, so x fits. */
		out[8] = 'M';
		out[9] = 'A';
		for (i = 15; i >= 10; i--, x /= USCC_RADIX)
			out[i] = uscc_alphabet[x % USCC_RADIX];
	}
	out[16] = uscc_org_check_char(out + 8);
	out[17] = uscc_check_char(out);
	out[18] = '\0';
	return ST_OK;
}

enum status uscc_generate(uint64_t seed, const char *region6, char out[USCC_LEN + 1])
{
	return uscc_generate_as("91", seed, region6, out);
}
