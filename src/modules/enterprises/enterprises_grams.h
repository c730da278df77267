/* enterprises_grams.h: which rows of the registry's copy can hold a search term, from a list of
 * rows for each pair of adjacent characters and each character beyond ASCII in their texts
 * (private to the module). */
#ifndef TIEJIAN_ENTERPRISES_GRAMS_H
#define TIEJIAN_ENTERPRISES_GRAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct grams;

/*
 * The lists for n texts: text + off[i] up to off[i + 1] - 1 is row i's (each ends in a NUL). NULL
 * when out of memory or when a text is not UTF-8 (then every search looks at every row, as before
 * the lists).
 */
struct grams *grams_build(const char *text, const uint32_t *off, uint32_t n);
void grams_free(struct grams *g);
size_t grams_bytes(const struct grams *g); /* the memory the lists take */

/* The rows of one list, ascending. */
struct gram_iter {
	const uint8_t *p, *end;
	uint32_t row;
	bool started;
};

/*
 * The rows that can hold term[0..m): every row whose text holds it is among them (the caller
 * compares each one's text). False when the lists cannot narrow the search (g NULL, a term of
 * one ASCII character, a term that is not UTF-8, or one whose grams are all too common to be
 * listed): then every row is a candidate.
 */
bool grams_rows(const struct grams *g, const char *term, size_t m, struct gram_iter *it);
bool gram_next(struct gram_iter *it, uint32_t *row);

#endif
