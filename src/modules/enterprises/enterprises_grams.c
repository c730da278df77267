/* enterprises_grams.c: a list of rows for each pair of adjacent characters (a gram) in the
 * registry copy's search texts, so a search compares the texts of the rows that hold the term's
 * rarest pair instead of every text. */
#include <stdlib.h>
#include <string.h>

#include "lib/str.h"
#include "modules/enterprises/enterprises_grams.h"

/*
 * A character is a UTF-8 sequence (1 to 4 bytes); a gram is two adjacent ones, or one
 * character beyond ASCII on its own (a search for 鹤), kept as its bytes in one 64-bit key
 * (never 0: the texts hold no NUL; one character and a pair never share their bytes, since
 * UTF-8 reads one way only). A row is listed once per gram it
 * holds, the rows in ascending order as varint gaps from the one before (the first as itself).
 * A gram held by more than an eighth of the rows (有限, 公司 in every name) gets no list:
 * reading it would narrow little, and those lists would be most of the memory. Every gram is in
 * the table, with or without its list, so a gram that no row holds says at once that no row
 * matches.
 *
 * Why it is exact: in well-formed UTF-8 a byte that starts a character never continues one, so
 * a term that is UTF-8 and found in a UTF-8 text starts at a character of that text, and its
 * grams are grams of that text. A copy with any text that is not UTF-8 has no lists.
 */

#define UNLISTED UINT32_MAX

struct gram {
	uint64_t key;
	uint32_t df;  /* rows holding it */
	uint32_t off; /* its list in blob, or UNLISTED */
	uint32_t end; /* building: its size, then where its next row goes; built: its end */
	uint32_t last; /* while building: the last row listed, plus 1 */
};

struct grams {
	struct gram *slots; /* open addressing on key; key 0 = empty */
	uint32_t nslots, used;
	uint8_t *blob;
	size_t blob_len;
};

/* The length of the character that starts with byte c, in text utf8_valid() accepted. */
static size_t char_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* UTF-8 without NUL: what the lists can be built on and a term looked up by. */
static bool text_ok(const char *p, size_t n)
{
	return utf8_valid(p, n) && !memchr(p, 0, n);
}

static uint64_t gram_key(const unsigned char *p, size_t len)
{
	uint64_t k = 0;
	memcpy(&k, p, len); /* len <= 8 */
	return k;
}

static uint32_t slot_of(uint64_t key, uint32_t nslots)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (nslots - 1);
}

static struct gram *gram_find(const struct grams *g, uint64_t key)
{
	for (uint32_t i = slot_of(key, g->nslots);; i = (i + 1) & (g->nslots - 1))
		if (g->slots[i].key == key || !g->slots[i].key)
			return g->slots[i].key ? &g->slots[i] : NULL;
}

/* The gram's entry, added when new; NULL when out of memory. */
static struct gram *gram_put(struct grams *g, uint64_t key)
{
	if (2 * (g->used + 1) > g->nslots) {
		uint32_t ns = g->nslots * 2;
		struct gram *s = calloc(ns, sizeof(*s));
		if (!s)
			return NULL;
		for (uint32_t k = 0; k < g->nslots; k++) {
			if (!g->slots[k].key)
				continue;
			uint32_t i = slot_of(g->slots[k].key, ns);
			while (s[i].key)
				i = (i + 1) & (ns - 1);
			s[i] = g->slots[k];
		}
		free(g->slots);
		g->slots = s;
		g->nslots = ns;
	}
	uint32_t i = slot_of(key, g->nslots);
	for (; g->slots[i].key; i = (i + 1) & (g->nslots - 1))
		if (g->slots[i].key == key)
			return &g->slots[i];
	g->used++;
	g->slots[i].key = key;
	return &g->slots[i];
}

static uint32_t varint_len(uint32_t v)
{
	uint32_t n = 1;
	for (; v >= 0x80; v >>= 7)
		n++;
	return n;
}

/* Row r holds the gram key: counted (first pass) or listed (second). */
static bool gram_add(struct grams *g, uint64_t key, uint32_t r, bool list)
{
	struct gram *e = list ? gram_find(g, key) : gram_put(g, key);
	if (!e)
		return false;
	if (e->last == r + 1)
		return true; /* listed for this row already */
	uint32_t gap = e->last ? r - (e->last - 1) : r;
	if (!list) {
		e->df++;
		e->end += varint_len(gap);
	} else if (e->off != UNLISTED) {
		for (; gap >= 0x80; gap >>= 7)
			g->blob[e->end++] = (uint8_t)(gap | 0x80);
		g->blob[e->end++] = (uint8_t)gap;
	}
	e->last = r + 1;
	return true;
}

/*
 * One pass over every gram of every row. The first (list false) counts each gram's rows and
 * the bytes of its list; the second (list true) writes the lists.
 */
static bool grams_pass(struct grams *g, const char *text, const uint32_t *off, uint32_t n,
		       bool list)
{
	for (uint32_t r = 0; r < n; r++) {
		const unsigned char *p = (const unsigned char *)text + off[r],
				    *end = (const unsigned char *)text + off[r + 1] - 1;
		while (p < end) {
			size_t a = char_len(p[0]);
			if (a > 1 && !gram_add(g, gram_key(p, a), r, list))
				return false;
			if (p + a < end && !gram_add(g, gram_key(p, a + char_len(p[a])), r, list))
				return false;
			p += a;
		}
	}
	return true;
}

struct grams *grams_build(const char *text, const uint32_t *off, uint32_t n)
{
	struct grams *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	for (uint32_t r = 0; r < n; r++)
		if (!text_ok(text + off[r], off[r + 1] - off[r] - 1))
			goto fail;
	g->nslots = 1024;
	if (!(g->slots = calloc(g->nslots, sizeof(*g->slots))) ||
	    !grams_pass(g, text, off, n, false))
		goto fail;
	uint32_t cut = n / 8 > 64 ? n / 8 : 64;
	size_t at = 0;
	for (uint32_t i = 0; i < g->nslots; i++) {
		struct gram *e = &g->slots[i];
		if (!e->key)
			continue;
		uint32_t size = e->end;
		e->off = e->df > cut || at + size >= UNLISTED ? UNLISTED : (uint32_t)at;
		e->end = e->off == UNLISTED ? 0 : e->off;
		e->last = 0;
		at += e->off == UNLISTED ? 0 : size;
	}
	g->blob_len = at;
	if (!(g->blob = malloc(at ? at : 1)) || !grams_pass(g, text, off, n, true))
		goto fail;
	return g;
fail:
	grams_free(g);
	return NULL;
}

void grams_free(struct grams *g)
{
	if (!g)
		return;
	free(g->slots);
	free(g->blob);
	free(g);
}

size_t grams_bytes(const struct grams *g)
{
	return g ? sizeof(*g) + g->nslots * sizeof(*g->slots) + g->blob_len : 0;
}

bool grams_rows(const struct grams *g, const char *term, size_t m, struct gram_iter *it)
{
	*it = (struct gram_iter){NULL, NULL, 0, false};
	if (!g || !m || !text_ok(term, m))
		return false;
	const unsigned char *p = (const unsigned char *)term, *end = p + m;
	const struct gram *best = NULL;
	bool absent = false;
	size_t a = char_len(p[0]);
	if (a == m) { /* one character: its own list, when beyond ASCII */
		const struct gram *e = a > 1 ? gram_find(g, gram_key(p, a)) : NULL;
		if (a == 1 || (e && e->off == UNLISTED))
			return false;
		best = e;
		absent = !e;
	}
	while (p + a < end) {
		size_t b = char_len(p[a]);
		const struct gram *e = gram_find(g, gram_key(p, a + b));
		if (!e)
			absent = true; /* no row holds this pair */
		else if (e->off != UNLISTED && (!best || e->df < best->df))
			best = e;
		p += a;
		a = b;
	}
	if (absent)
		return true; /* an empty list */
	if (!best)
		return false;
	it->p = g->blob + best->off;
	it->end = g->blob + best->end;
	return true;
}

bool gram_next(struct gram_iter *it, uint32_t *row)
{
	if (it->p >= it->end)
		return false;
	uint32_t gap = 0;
	for (int shift = 0; it->p < it->end; shift += 7) {
		uint8_t c = *it->p++;
		gap |= (uint32_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			break;
	}
	it->row = it->started ? it->row + gap : gap;
	it->started = true;
	*row = it->row;
	return true;
}
