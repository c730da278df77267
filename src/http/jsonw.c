/* jsonw.c: JSON values written straight into a str (see jsonw.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/jsonw.h"
#include "http/request.h"
#include "lib/date.h"

void js_str(struct str *s, const char *v)
{
	if (!v) {
		str_puts(s, "null");
		return;
	}
	str_putc(s, '"');
	const char *run = v;
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		str_append(s, run, (size_t)(p - run));
		if (c == '"' || c == '\\') {
			str_putc(s, '\\');
			str_putc(s, (char)c);
		} else {
			str_appendf(s, "\\u%04x", c);
		}
		run = p + 1;
	}
	str_puts(s, run);
	str_putc(s, '"');
}

void js_int(struct str *s, int64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	str_append(s, p, (size_t)(buf + sizeof(buf) - p));
}

void js_bool(struct str *s, bool v)
{
	str_puts(s, v ? "true" : "false");
}

void js_real(struct str *s, double v)
{
	char buf[40];
	int n = snprintf(buf, sizeof(buf), "%.17g", v);
	if (n <= 0 || (size_t)n >= sizeof(buf) || !isfinite(v)) {
		str_puts(s, "null");
		return;
	}
	char *e = strchr(buf, 'e');
	if (e) { /* 1e+21 -> 1e21, 1e-05 -> 1e-5 */
		char *d = e + 1, *from = e + 1;
		if (*from == '-')
			d++, from++;
		else if (*from == '+')
			from++;
		while (*from == '0' && from[1])
			from++;
		memmove(d, from, strlen(from) + 1);
		n = (int)strlen(buf);
	}
	str_append(s, buf, (size_t)n);
	if (!strpbrk(buf, ".e"))
		str_puts(s, ".0");
}

void js_key(struct str *s, const char *key, bool first)
{
	if (!first)
		str_putc(s, ',');
	str_putc(s, '"');
	str_puts(s, key);
	str_puts(s, "\":");
}

void js_time(struct str *s, int64_t t)
{
	char buf[DATE_TS_TEXT_SIZE];
	if (!t || date_ts_format(t, buf, sizeof(buf)))
		str_puts(s, "null");
	else
		js_str(s, buf);
}

void js_page(struct str *s, int64_t total, int64_t page, int64_t size)
{
	str_puts(s, "],\"total\":");
	js_int(s, total);
	str_puts(s, ",\"page\":");
	js_int(s, page);
	str_puts(s, ",\"page_size\":");
	js_int(s, size);
}

void js_ref(struct str *s, int64_t id, const char *name)
{
	if (!id) {
		str_puts(s, "null");
		return;
	}
	str_puts(s, "{\"id\":");
	js_int(s, id);
	str_puts(s, ",\"name\":");
	js_str(s, name);
	str_putc(s, '}');
}

enum status reply_str(struct request *req, struct str *s)
{
	size_t len;
	char *body = str_steal(s, &len);
	if (!body || arena_defer(&req->arena, free, body)) {
		free(body);
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	}
	return reply_raw(req, 200, "application/json; charset=utf-8", body, len);
}
