/* jsonw.c: JSON values written straight into a str (see jsonw.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/jsonw.h"
#include "http/request.h"
#include "lib/date.h"

/* Whether any of a word's eight bytes is below 0x20, '"' or '\\': the bit tricks that find a
 * zero byte (x - 0x01.. & ~x & 0x80..), exact as a yes or no. A byte of 0x80 or more (UTF-8
 * beyond ASCII) never counts: ~x clears its top bit. */
static inline bool word_escapes(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101u, tops = 0x8080808080808080u;
	uint64_t quote = x ^ (ones * '"'), bslash = x ^ (ones * '\\');
	return (((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) | ((bslash - ones) & ~bslash)) &
	       tops;
}

/* n bytes of UTF-8 as a JSON string, escaped as jansson escapes: ", \, the five controls with a
 * short form, the others (NUL among them) as \u00XX. */
static void js_strn(struct str *s, const char *v, size_t n)
{
	str_putc(s, '"');
	const char *run = v, *end = v + n;
	const char *p = v;
	for (;;) {
		/* eight bytes at a time while none of them needs escaping (most text: titles,
		 * names, codes), then byte by byte from the word that has one */
		uint64_t w;
		while (end - p >= 8 && (memcpy(&w, p, 8), !word_escapes(w)))
			p += 8;
		if (p >= end)
			break;
		unsigned char c = (unsigned char)*p++;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		str_append(s, run, (size_t)(p - 1 - run));
		char two = c == '"' ? '"' : c == '\\' ? '\\' : c == '\b' ? 'b' : c == '\f' ? 'f'
			 : c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : 0;
		if (two) {
			str_putc(s, '\\');
			str_putc(s, two);
		} else {
			str_appendf(s, "\\u%04X", c);
		}
		run = p;
	}
	str_append(s, run, (size_t)(end - run));
	str_putc(s, '"');
}

void js_str(struct str *s, const char *v)
{
	if (!v)
		str_puts(s, "null");
	else
		js_strn(s, v, strlen(v));
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
	/* ,"key": in one append (keys are ours: short, nothing to escape) */
	char buf[64];
	size_t n = strlen(key), k = 0;
	if (n > sizeof(buf) - 4) {
		str_puts(s, first ? "\"" : ",\"");
		str_puts(s, key);
		str_puts(s, "\":");
		return;
	}
	if (!first)
		buf[k++] = ',';
	buf[k++] = '"';
	memcpy(buf + k, key, n);
	k += n;
	buf[k++] = '"';
	buf[k++] = ':';
	str_append(s, buf, k);
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

/* v at nesting depth: past JS_MAX_DEPTH the writing fails (a tree of ours is never so deep) */
#define JS_MAX_DEPTH 64
static void js_json_at(struct str *s, json_t *v, int depth)
{
	if (depth > JS_MAX_DEPTH) {
		s->failed = true;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *m;
		bool first = true;
		str_putc(s, '{');
		json_object_foreach (v, key, m) {
			if (!first)
				str_putc(s, ',');
			first = false;
			js_strn(s, key, strlen(key));
			str_putc(s, ':');
			js_json_at(s, m, depth + 1);
		}
		str_putc(s, '}');
		break;
	}
	case JSON_ARRAY:
		str_putc(s, '[');
		for (size_t i = 0, n = json_array_size(v); i < n; i++) {
			if (i)
				str_putc(s, ',');
			js_json_at(s, json_array_get(v, i), depth + 1);
		}
		str_putc(s, ']');
		break;
	case JSON_STRING:
		js_strn(s, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		js_int(s, json_integer_value(v));
		break;
	case JSON_REAL:
		js_real(s, json_real_value(v));
		break;
	case JSON_TRUE:
		str_puts(s, "true");
		break;
	case JSON_FALSE:
		str_puts(s, "false");
		break;
	case JSON_NULL:
		str_puts(s, "null");
		break;
	}
}

void js_json(struct str *s, json_t *v)
{
	if (!v)
		str_puts(s, "null");
	else
		js_json_at(s, v, 0);
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
