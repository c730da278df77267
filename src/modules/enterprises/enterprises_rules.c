/* enterprises_rules.c: the registry's vocabularies, field table and value rules; pure. */
#include <stddef.h>
#include <stdio.h>
#include <strings.h>

#include "lib/date.h"
#include "lib/pinyin.h"
#include "lib/str.h"
#include "modules/enterprises/enterprises.h"

const char *const enterprise_ownership_codes[] = {"state", "collective", "private", "foreign",
						  "hmt",   "mixed",      NULL};
const char *const enterprise_ownership_names[] = {"国有", "集体", "民营", "外资", "港澳台",
						  "混合所有制", NULL};
const char *const enterprise_scale_codes[] = {"large", "medium", "small", "micro", NULL};
const char *const enterprise_scale_names[] = {"大型", "中型", "小型", "微型", NULL};
const char *const enterprise_status_codes[] = {"operating", "suspended", "deregistered", NULL};
const char *const enterprise_status_names[] = {"在营", "停产", "注销", NULL};

/* What an enterprise user may change on its own record: where it is and how to reach it, and
 * how many people it employs. Registration facts (name, code, legal representative, capital,
 * founding date, status) come from market regulation; classification (region, industry,
 * ownership, size, 规上, tags) is the bureau's. */
const struct ent_field_def ent_fields[EF__COUNT] = {
	[EF_USCC] = {"uscc", "统一社会信用代码", false},
	[EF_NAME] = {"name", "企业名称", false},
	[EF_LEGAL_REP] = {"legal_rep", "法定代表人", false},
	[EF_REGION] = {"region_code", "所在地区", false},
	[EF_INDUSTRY] = {"industry_code", "所属行业", false},
	[EF_OWNERSHIP] = {"ownership", "经济类型", false},
	[EF_SCALE] = {"scale", "企业规模", false},
	[EF_ABOVE_SCALE] = {"above_scale", "是否规上企业", false},
	[EF_STATUS] = {"status", "经营状态", false},
	[EF_FOUNDED] = {"founded_on", "成立日期", false},
	[EF_CAPITAL] = {"registered_capital", "注册资本（万元）", false},
	[EF_EMPLOYEES] = {"employees", "从业人数", true},
	[EF_ADDRESS] = {"address", "注册地址", true},
	[EF_TAGS] = {"tags", "企业标签", false},
	[EF_CONTACTS] = {"contacts", "联系人", true},
};

int ent_field_by_key(const char *key)
{
	for (int i = 0; i < EF__COUNT; i++)
		if (strcmp(ent_fields[i].key, key) == 0)
			return i;
	return -1;
}

const struct ent_column_def ent_columns[EC__COUNT] = {
	[EC_USCC] = {"统一社会信用代码", "uscc", "必填，18位", true, 22},
	[EC_NAME] = {"企业名称", "name", "必填", true, 36},
	[EC_LEGAL_REP] = {"法定代表人", "legal_rep", "", false, 12},
	[EC_REGION] = {"所在地区代码", "region_code", "必填，6位县级行政区划代码，如230202", true, 14},
	[EC_INDUSTRY] = {"行业代码", "industry_code", "国民经济行业分类大类代码（2位，如34）或门类字母", false, 10},
	[EC_OWNERSHIP] = {"经济类型", "ownership", "国有、集体、民营、外资、港澳台、混合所有制", false, 12},
	[EC_SCALE] = {"企业规模", "scale", "大型、中型、小型、微型", false, 10},
	[EC_ABOVE_SCALE] = {"是否规上", "above_scale", "是或否", false, 10},
	[EC_STATUS] = {"经营状态", "status", "在营、停产、注销；不填为在营", false, 10},
	[EC_FOUNDED] = {"成立日期", "founded_on", "如2015-06-01", false, 12},
	[EC_CAPITAL] = {"注册资本（万元）", "registered_capital", "数字，单位万元", false, 16},
	[EC_EMPLOYEES] = {"从业人数", "employees", "整数", false, 10},
	[EC_ADDRESS] = {"注册地址", "address", "", false, 40},
	[EC_TAGS] = {"企业标签", "tags", "多个用、分隔，如：专精特新、高新技术企业", false, 28},
	[EC_CONTACT_NAME] = {"联系人", "contact_name", "", false, 10},
	[EC_CONTACT_ROLE] = {"联系人职务", "contact_role", "", false, 12},
	[EC_CONTACT_MOBILE] = {"联系人手机", "contact_mobile", "11位手机号码", false, 14},
};

static const char *skip_blank(const char *s)
{
	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		else if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
			 (unsigned char)s[2] == 0xBF)
			s += 3; /* BOM */
		else if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 &&
			 (unsigned char)s[2] == 0x80)
			s += 3; /* U+3000 */
		else
			return s;
	}
}

/* Compare s (blanks around it ignored) with want. */
static bool eq_trimmed(const char *s, const char *want)
{
	s = skip_blank(s);
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n == strlen(want) && strncmp(s, want, n) == 0;
}

int ent_column_by_header(const char *header)
{
	for (int i = 0; i < EC__COUNT; i++)
		if (eq_trimmed(header, ent_columns[i].header) || eq_trimmed(header, ent_columns[i].key))
			return i;
	/* the header without its "（万元）" note, and a few names people use */
	if (eq_trimmed(header, "注册资本"))
		return EC_CAPITAL;
	if (eq_trimmed(header, "行政区划代码"))
		return EC_REGION;
	if (eq_trimmed(header, "信用代码"))
		return EC_USCC;
	return -1;
}

int ent_choice(const char *const *codes, const char *const *names, const char *s)
{
	for (int i = 0; codes[i]; i++)
		if (eq_trimmed(s, codes[i]) || eq_trimmed(s, names[i]))
			return i;
	/* 大/中/小/微 without 型, 民营企业 etc. are common in files people fill in */
	for (int i = 0; names[i]; i++) {
		size_t n = strlen(names[i]);
		const char *t = skip_blank(s);
		if (n > 3 && strcmp(names[i] + n - 3, "型") == 0 && strncmp(t, names[i], n - 3) == 0 &&
		    t[n - 3] == '\0')
			return i;
	}
	return -1;
}

bool ent_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"是", "true", "1", "y", "yes", "规上", NULL};
	static const char *const no[] = {"否", "false", "0", "n", "no", "规下", NULL};
	s = skip_blank(s);
	char t[16];
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	if (n >= sizeof(t))
		return false;
	for (size_t i = 0; i < n; i++)
		t[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	t[n] = '\0';
	for (int i = 0; yes[i]; i++)
		if (strcmp(t, yes[i]) == 0) {
			*out = true;
			return true;
		}
	for (int i = 0; no[i]; i++)
		if (strcmp(t, no[i]) == 0) {
			*out = false;
			return true;
		}
	return false;
}

bool ent_parse_capital(const char *s, int64_t *yuan_out)
{
	s = skip_blank(s);
	int64_t whole = 0, frac = 0;
	int digits = 0, fdigits = 0;
	const char *p = s;
	while (*p >= '0' && *p <= '9') {
		if (++digits > 12)
			return false;
		whole = whole * 10 + (*p - '0');
		p++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (++fdigits > 4)
				return false;
			frac = frac * 10 + (*p - '0');
			p++;
		}
	}
	while (*p == ' ')
		p++;
	if (*p || (!digits && !fdigits))
		return false;
	for (int i = fdigits; i < 4; i++)
		frac *= 10;
	*yuan_out = whole * 10000 + frac;
	return true;
}

void ent_format_capital(int64_t yuan, char *out, size_t outsize)
{
	int64_t whole = yuan / 10000, frac = yuan % 10000;
	if (!frac) {
		snprintf(out, outsize, "%lld", (long long)whole);
		return;
	}
	char f[8];
	snprintf(f, sizeof(f), "%04lld", (long long)frac);
	size_t n = strlen(f);
	while (n && f[n - 1] == '0')
		f[--n] = '\0';
	snprintf(out, outsize, "%lld.%s", (long long)whole, f);
}

bool ent_parse_employees(const char *s, int64_t *out)
{
	s = skip_blank(s);
	char t[24];
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	if (!n || n >= sizeof(t))
		return false;
	memcpy(t, s, n);
	t[n] = '\0';
	return str_to_i64(t, 0, 10000000, out);
}

/* Read 1..max digits at *p. */
static bool digits(const char **p, int max, int *out)
{
	int v = 0, n = 0;
	while (**p >= '0' && **p <= '9' && n < max) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*out = v;
	return n > 0 && !(**p >= '0' && **p <= '9');
}

static bool sep(const char **p, const char *const *seps)
{
	for (int i = 0; seps[i]; i++) {
		size_t n = strlen(seps[i]);
		if (strncmp(*p, seps[i], n) == 0) {
			*p += n;
			return true;
		}
	}
	return false;
}

bool ent_parse_date(const char *s, char out[11])
{
	static const char *const ymd[] = {"-", "/", ".", "年", NULL};
	static const char *const md[] = {"-", "/", ".", "月", NULL};
	const char *p = skip_blank(s);
	int y, m, d;
	if (!digits(&p, 4, &y) || !sep(&p, ymd) || !digits(&p, 2, &m) || !sep(&p, md) ||
	    !digits(&p, 2, &d))
		return false;
	if (strncmp(p, "日", 3) == 0)
		p += 3;
	while (*p == ' ')
		p++;
	if (*p)
		return false;
	struct date dt = {y, m, d};
	if (y < 1900 || y > 2100 || !date_is_valid(dt))
		return false;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return true;
}

bool ent_mobile_normalize(const char *s, char out[12])
{
	char t[32];
	size_t n = 0;
	s = skip_blank(s);
	for (; *s; s++) {
		if (*s == ' ' || *s == '-')
			continue;
		if (n + 1 >= sizeof(t))
			return false;
		t[n++] = *s;
	}
	t[n] = '\0';
	const char *p = t;
	if (strncmp(p, "+86", 3) == 0)
		p += 3;
	else if (n == 13 && strncmp(p, "86", 2) == 0)
		p += 2;
	if (strlen(p) != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9')
		return false;
	for (int i = 0; i < 11; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	memcpy(out, p, 11);
	out[11] = '\0';
	return true;
}

bool ent_region_code_valid(const char *s)
{
	if (strlen(s) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return !(s[4] == '0' && s[5] == '0');
}

bool ent_industry_code_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 1)
		return s[0] >= 'A' && s[0] <= 'T';
	return n == 2 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9';
}

bool ent_tag_name_valid(const char *s)
{
	size_t n = strlen(s);
	if (!n || !utf8_valid(s, n) || utf8_len(s, n) > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '|' || c == ':' || c == ',' || c == ';')
			return false;
	}
	return strstr(s, "、") == NULL && strstr(s, "，") == NULL && strstr(s, "；") == NULL &&
	       s[0] != ' ' && s[n - 1] != ' ';
}

int ent_split_tags(char *s, char **names, int max)
{
	static const char *const seps[] = {"、", "，", "；", ",", ";", "|", NULL};
	int n = 0;
	char *p = s;
	while (*p) {
		char *start = p, *end = NULL;
		size_t seplen = 0;
		for (char *q = p; *q && !end; q++)
			for (int i = 0; seps[i]; i++) {
				size_t k = strlen(seps[i]);
				if (strncmp(q, seps[i], k) == 0) {
					end = q;
					seplen = k;
					break;
				}
			}
		if (end) {
			*end = '\0';
			p = end + seplen;
		} else {
			p = start + strlen(start);
		}
		start = (char *)(uintptr_t)skip_blank(start);
		size_t len = strlen(start);
		while (len && (start[len - 1] == ' ' || start[len - 1] == '\t'))
			start[--len] = '\0';
		if (len && n < max)
			names[n++] = start;
	}
	return n;
}

bool ent_uscc_overridable(const struct uscc_problem *p)
{
	switch (p->kind) {
	case USCC_PROBLEM_AUTHORITY:
	case USCC_PROBLEM_CATEGORY:
	case USCC_PROBLEM_ORG_CHECK:
	case USCC_PROBLEM_CHECK:
		return true;
	default:
		return false;
	}
}

size_t ent_fold(const char *s, char *out, size_t outsize)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;
#define PUT(c)                                                                                     \
	do {                                                                                       \
		if (n + 1 < outsize)                                                               \
			out[n] = (char)(c);                                                        \
		n++;                                                                               \
	} while (0)
	while (*p) {
		if (*p >= 'A' && *p <= 'Z') {
			PUT(*p - 'A' + 'a');
			p++;
		} else if (p[0] == 0xEF && (p[1] == 0xBC || p[1] == 0xBD) && p[2]) {
			/* U+FF01..U+FF5E full-width ASCII: EF BC 81..BF, EF BD 80..9E */
			unsigned cp = 0xFF00u + ((p[1] & 0x03u) << 6) + (p[2] & 0x3Fu);
			if (cp >= 0xFF01 && cp <= 0xFF5E) {
				unsigned c = cp - 0xFF01 + 0x21;
				if (c >= 'A' && c <= 'Z')
					c += 'a' - 'A';
				PUT(c);
			} else {
				PUT(p[0]);
				PUT(p[1]);
				PUT(p[2]);
			}
			p += 3;
		} else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
			PUT(' ');
			p += 3;
		} else {
			PUT(*p);
			p++;
		}
	}
#undef PUT
	if (outsize)
		out[n < outsize ? n : outsize - 1] = '\0';
	return n;
}

void ent_name_initials(const char *name, char *out, size_t outsize)
{
	size_t len = strlen(name);
	size_t n = pinyin_initials(name, len, 0, out, outsize);
	if (n + 1 >= outsize || !pinyin_has_variants(name, len))
		return;
	char alt[256];
	pinyin_initials(name, len, 1, alt, sizeof(alt));
	if (strcmp(alt, out) != 0 && n + 1 + strlen(alt) + 1 <= outsize) {
		out[n] = ' ';
		memcpy(out + n + 1, alt, strlen(alt) + 1);
	}
}

size_t ent_search_text(const char *name, const char *uscc, const char *legal_rep,
		       const char *address, const char *initials, char *out, size_t outsize)
{
	const char *parts[5] = {name, uscc, legal_rep, address, initials};
	struct str s;
	str_init(&s, 0);
	for (int i = 0; i < 5; i++) {
		if (i)
			str_puts(&s, ENT_SEARCH_SEP);
		if (parts[i]) {
			size_t need = ent_fold(parts[i], NULL, 0);
			size_t at = s.len;
			str_append(&s, parts[i], need); /* reserve */
			if (str_ok(&s)) {
				ent_fold(parts[i], s.p + at, need + 1);
				s.len = at + need;
			}
		}
	}
	size_t n = s.len;
	bool ok = str_ok(&s);
	if (outsize) {
		size_t k = n < outsize ? n : outsize - 1;
		memcpy(out, s.p, k);
		out[k] = '\0';
	}
	str_release(&s);
	return ok ? n : 0;
}

enum status ent_query_parse(const char *q, struct ent_query *out)
{
	memset(out, 0, sizeof(*out));
	out->fts = -1;
	char folded[1024];
	if (ent_fold(q ? q : "", folded, sizeof(folded)) >= sizeof(folded))
		return ST_INVALID;
	char *p = folded;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		char *start = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		size_t n = (size_t)(p - start);
		if (out->nterms == ENT_QUERY_TERMS)
			return ST_INVALID;
		if (n >= ENT_TERM_BYTES)
			return ST_INVALID;
		memcpy(out->term[out->nterms], start, n);
		out->term[out->nterms][n] = '\0';
		out->chars[out->nterms] = (int)utf8_len(start, n);
		out->nterms++;
	}
	/* drop repeated terms; the longest term of 3+ characters drives the index */
	for (int i = 0; i < out->nterms; i++)
		if (out->chars[i] >= 3 && (out->fts < 0 || out->chars[i] > out->chars[out->fts]))
			out->fts = i;
	return ST_OK;
}

/* Bytes of the UTF-8 character at p. */
static size_t char_len(const char *p)
{
	unsigned char c = (unsigned char)*p;
	size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
	for (size_t i = 1; i < n; i++)
		if (!p[i])
			return i;
	return n;
}

bool ent_fts_query(const char *term, char *out, size_t outsize)
{
	size_t n = 0;
#define PUT(c)                                                                                     \
	do {                                                                                       \
		if (n + 1 >= outsize)                                                              \
			return false;                                                              \
		out[n++] = (c);                                                                    \
	} while (0)
	const char *p = term;
	bool first = true;
	while (*p) {
		/* the trigram starting at p, if three characters remain */
		const char *q = p;
		size_t k;
		for (k = 0; k < 3 && *q; k++)
			q += char_len(q);
		if (k < 3)
			break;
		if (!first) {
			for (const char *a = " AND "; *a; a++)
				PUT(*a);
		}
		first = false;
		PUT('"');
		for (const char *c = p; c < q; c++) {
			if (*c == '"')
				PUT('"');
			PUT(*c);
		}
		PUT('"');
		p += char_len(p);
	}
#undef PUT
	if (first)
		return false;
	out[n] = '\0';
	return true;
}

bool ent_formula_like(const char *s)
{
	if (!s)
		return false;
	while (*s == '\t' || *s == '\r')
		s++;
	return *s == '=' || *s == '+' || *s == '-' || *s == '@';
}
