/* cases_rules.c: anonymising a case's text: the enterprise's names, people's names and numbers
 * that identify it. Pure. */
#include "modules/cases/cases.h"

static const char *const company_forms[] = {"股份有限公司", "有限责任公司", "有限公司",
					    "集团公司", "公司", "厂", NULL};

static bool ends_with(const char *s, size_t n, const char *suffix, size_t *cut)
{
	size_t k = strlen(suffix);
	if (n <= k || memcmp(s + n - k, suffix, k) != 0)
		return false;
	*cut = n - k;
	return true;
}

/* Bytes of the first n characters of s (UTF-8). */
static size_t first_chars(const char *s, size_t bytes, int n)
{
	size_t i = 0;
	while (i < bytes && n > 0) {
		unsigned char c = (unsigned char)s[i];
		i += c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
		n--;
	}
	return i > bytes ? bytes : i;
}

static void add(char out[][256], int n, int *k, const char *s, size_t len)
{
	if (*k >= n || len < 6 || len >= 256) /* two Chinese characters at least */
		return;
	for (int i = 0; i < *k; i++)
		if (strlen(out[i]) == len && memcmp(out[i], s, len) == 0)
			return;
	memcpy(out[*k], s, len);
	out[*k][len] = '\0';
	(*k)++;
}

int cases_name_variants(const char *name, char out[][256], int n)
{
	int k = 0;
	if (!name)
		return 0;
	size_t len = strlen(name);
	add(out, n, &k, name, len);
	size_t core = len;
	for (int i = 0; company_forms[i]; i++)
		if (ends_with(name, len, company_forms[i], &core))
			break;
	add(out, n, &k, name, core);
	/* the place in front: up to the first 市, 区 or 县 within the first six characters */
	size_t limit = first_chars(name, core, 6);
	static const char *const places[] = {"市", "区", "县", NULL};
	size_t start = 0;
	for (int i = 0; places[i]; i++) {
		const char *p = strstr(name, places[i]);
		if (p && (size_t)(p - name) + 3 <= limit && (size_t)(p - name) + 3 > start)
			start = (size_t)(p - name) + 3;
	}
	if (start && start < core)
		add(out, n, &k, name + start, core - start);
	/* longest first, so a longer name is replaced before the shorter one inside it */
	for (int i = 0; i < k; i++)
		for (int j = i + 1; j < k; j++)
			if (strlen(out[j]) > strlen(out[i])) {
				char t[256];
				memcpy(t, out[i], sizeof(t));
				memcpy(out[i], out[j], sizeof(t));
				memcpy(out[j], t, sizeof(t));
			}
	return k;
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool upper_or_digit(char c)
{
	return digit(c) || (c >= 'A' && c <= 'Z');
}

void cases_anonymise(const char *text, const struct cases_mask *masks, int n, struct str *out)
{
	const char *p = text ? text : "";
	while (*p) {
		bool done = false;
		for (int i = 0; i < n && !done; i++) {
			const char *nd = masks[i].needle;
			size_t k = nd ? strlen(nd) : 0;
			if (k && strncmp(p, nd, k) == 0) {
				str_puts(out, masks[i].replacement);
				p += k;
				done = true;
			}
		}
		if (done)
			continue;
		bool boundary = p == text || !digit(p[-1]);
		/* a mobile number: 1[3-9] and nine more digits, not inside a longer number */
		if (boundary && p[0] == '1' && p[1] >= '3' && p[1] <= '9') {
			int d = 2;
			while (d < 11 && digit(p[d]))
				d++;
			if (d == 11 && !digit(p[11])) {
				str_puts(out, "1**********");
				p += 11;
				continue;
			}
		}
		/* a credit code: 18 upper-case letters and digits starting with a digit or letter */
		if ((p == text || !upper_or_digit(p[-1])) && upper_or_digit(p[0])) {
			int d = 0;
			bool has_digit = false;
			while (d < 18 && upper_or_digit(p[d]))
				has_digit |= digit(p[d]), d++;
			if (d == 18 && has_digit && !upper_or_digit(p[18])) {
				str_puts(out, "******************");
				p += 18;
				continue;
			}
		}
		str_putc(out, *p++);
	}
}
