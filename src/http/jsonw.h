/* jsonw.h: JSON written straight into a str, for the hot answers (the appeal queue, /me), where
 * building a jansson tree and dumping it cost more than the query. The caller writes the
 * punctuation of objects and arrays; these write one value each, escaped. Text from the
 * database and from validated input is UTF-8 already; the writer escapes ", \ and controls. */
#ifndef TIEJIAN_JSONW_H
#define TIEJIAN_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "lib/status.h"
#include "lib/str.h"

struct request;

/* A string, or null when v is NULL (escaped as jansson escapes). */
void js_str(struct str *s, const char *v);
void js_int(struct str *s, int64_t v);
void js_bool(struct str *s, bool v);
/* A real as jansson writes one: 17 significant digits, ".0" when whole, "1e21" and "1e-5"
 * for exponents; null for NaN and infinities. */
void js_real(struct str *s, double v);
/* A jansson value, written as json_dumps(v, JSON_COMPACT) writes it, byte for byte, in under
 * half its instructions (a filing's answer: 190k -> 74k): no loop check (a tree of ours has
 * none) and no callback per piece. */
void js_json(struct str *s, json_t *v);
/* "key": with the comma before it unless it is the first member */
void js_key(struct str *s, const char *key, bool first);
/* A time as RFC 3339 UTC text, or null when t is 0. */
void js_time(struct str *s, int64_t t);
/* ],"total":..,"page":..,"page_size":.. : the end of a list's items and its paging, as
 * list_envelope() has them (the caller closes the object, after any members of its own). */
void js_page(struct str *s, int64_t total, int64_t page, int64_t size);
/* {"id":..,"name":..}, or null when id is 0. */
void js_ref(struct str *s, int64_t id, const char *name);

/* Reply 200 with the buffer as application/json (its bytes handed to the request); 500 if the
 * buffer ran out of memory or past its cap. */
enum status reply_str(struct request *req, struct str *s);

#endif
