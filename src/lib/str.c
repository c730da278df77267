/* str.c: capped string buffer with a sticky error, spans, integer parsing, UTF-8 checks. */
#include <errno.h>
#include <limits.h>

#include "lib/arena.h"
#include "lib/fault.h"
#include "lib/str.h"

static char str_empty[1];

void str_init(struct str *s, size_t cap_bytes)
{
	s->p = str_empty;
	s->len = 0;
	s->alloc = 0;
	s->cap_bytes = cap_bytes;
	s->failed = false;
}

void str_release(struct str *s)
{
	if (s->alloc)
		free(s->p);
	str_init(s, s->cap_bytes);
}

void str_clear(struct str *s)
{
	s->len = 0;
	if (s->alloc)
		s->p[0] = '\0';
	s->failed = false;
}

char *str_steal(struct str *s, size_t *len_out)
{
	if (s->failed) {
		str_release(s);
		return NULL;
	}
	char *p = s->alloc ? s->p : strdup("");
	if (len_out)
		*len_out = s->len;
	s->p = str_empty;
	s->len = s->alloc = 0;
	return p;
}

static bool grow(struct str *s, size_t extra)
{
	if (s->failed)
		return false;
	if (extra > SIZE_MAX / 2 - s->len || (s->cap_bytes && s->len + extra > s->cap_bytes)) {
		s->failed = true;
		return false;
	}
	size_t need = s->len + extra + 1;
	if (need <= s->alloc)
		return true;
	size_t n = s->alloc ? s->alloc : 64;
	while (n < need)
		n *= 2;
	char *p = fault_alloc() ? NULL : realloc(s->alloc ? s->p : NULL, n);
	if (!p) {
		s->failed = true;
		return false;
	}
	if (!s->alloc)
		p[0] = '\0';
	s->p = p;
	s->alloc = n;
	return true;
}

void str_append(struct str *s, const char *p, size_t n)
{
	if (!grow(s, n))
		return;
	memcpy(s->p + s->len, p, n);
	s->len += n;
	s->p[s->len] = '\0';
}

void str_puts(struct str *s, const char *z)
{
	str_append(s, z, strlen(z));
}

void str_putc(struct str *s, char c)
{
	/* the common case, room already there: no call, no copy (JSON answers put a byte at a
	 * time between their runs) */
	if (!s->failed && s->len + 2 <= s->alloc && (!s->cap_bytes || s->len + 1 <= s->cap_bytes)) {
		s->p[s->len++] = c;
		s->p[s->len] = '\0';
		return;
	}
	str_append(s, &c, 1);
}

void str_vappendf(struct str *s, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		s->failed = true;
		return;
	}
	if (!grow(s, (size_t)n))
		return;
	vsnprintf(s->p + s->len, (size_t)n + 1, fmt, ap);
	s->len += (size_t)n;
}

void str_appendf(struct str *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	str_vappendf(s, fmt, ap);
	va_end(ap);
}

void str_append_csv_field(struct str *s, const char *z)
{
	if (!z)
		return;
	/* OWASP's list: a cell that starts like a formula, or with a tab or carriage return */
	bool formula = z[0] == '=' || z[0] == '+' || z[0] == '-' || z[0] == '@' || z[0] == '\t' ||
		       z[0] == '\r';
	bool quote = formula || strpbrk(z, ",\"\r\n") != NULL;
	if (!quote) {
		str_puts(s, z);
		return;
	}
	str_putc(s, '"');
	if (formula)
		str_putc(s, '\'');
	for (const char *c = z; *c; c++) {
		if (*c == '"')
			str_putc(s, '"');
		str_putc(s, *c);
	}
	str_putc(s, '"');
}

bool span_eq(struct span a, const char *z)
{
	size_t n = strlen(z);
	return a.len == n && memcmp(a.p, z, n) == 0;
}

bool span_starts_with(struct span a, const char *z)
{
	size_t n = strlen(z);
	return a.len >= n && memcmp(a.p, z, n) == 0;
}

bool span_to_i64(struct span a, int64_t min, int64_t max, int64_t *out)
{
	char buf[24];
	/* a NUL inside would end the copy early and let "1\0junk" pass as 1 */
	if (a.len == 0 || a.len >= sizeof(buf) || memchr(a.p, '\0', a.len))
		return false;
	memcpy(buf, a.p, a.len);
	buf[a.len] = '\0';
	return str_to_i64(buf, min, max, out);
}

bool str_to_i64(const char *z, int64_t min, int64_t max, int64_t *out)
{
	if (!z || !*z)
		return false;
	/* digits only, with an optional leading minus: no spaces, no plus, no hex */
	const char *c = z;
	if (*c == '-')
		c++;
	if (!*c)
		return false;
	for (; *c; c++)
		if (*c < '0' || *c > '9')
			return false;
	errno = 0;
	char *end;
	long long v = strtoll(z, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool utf8_valid(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p, *e = s + n;
	while (s < e) {
		unsigned c = *s;
		if (c < 0x80) {
			s++;
			continue;
		}
		size_t k;
		unsigned cp;
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if ((size_t)(e - s) <= k)
			return false;
		for (size_t i = 1; i <= k; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += k + 1;
	}
	return true;
}

size_t utf8_len(const char *p, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)p[i] & 0xc0) != 0x80)
			count++;
	return count;
}

char *like_escape(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	char *out = arena_alloc(a, 2 * strlen(s) + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *p = s; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o = '\0';
	return out;
}
