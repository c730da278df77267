/* str.h: the one growable string buffer (capped, always NUL-terminated, sticky error), and span. */
#ifndef TIEJIAN_STR_H
#define TIEJIAN_STR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Ownership: a str owns its heap memory until str_release(), or until str_steal() hands the
 * bytes to the caller (who then free()s them). Appends never fail loudly: the first failure
 * (out of memory, or past cap_bytes) sets `failed`, later appends do nothing, and the caller
 * checks str_ok() once at the end. `p` is always a valid NUL-terminated string ("" at worst).
 */
struct str {
	char *p;
	size_t len;
	size_t alloc;
	size_t cap_bytes; /* 0 = unlimited */
	bool failed;
};

/* A slice of someone else's bytes, not NUL-terminated. */
struct span {
	const char *p;
	size_t len;
};

#define SPAN_LIT(s) ((struct span){(s), sizeof(s) - 1})

void str_init(struct str *s, size_t cap_bytes);
void str_release(struct str *s);
/* Empty the buffer, keeping its memory and clearing the error. */
void str_clear(struct str *s);
/* Hand the bytes to the caller (free() them); the str is empty afterwards. NULL if failed. */
char *str_steal(struct str *s, size_t *len_out);

void str_append(struct str *s, const char *p, size_t n);
void str_puts(struct str *s, const char *z);
void str_putc(struct str *s, char c);
void str_appendf(struct str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void str_vappendf(struct str *s, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Append with CSV quoting (RFC 4180); a leading = + - @ tab or CR gets a ' so Excel treats it as text. */
void str_append_csv_field(struct str *s, const char *z);

static inline bool str_ok(const struct str *s)
{
	return !s->failed;
}

/* s with %, _ and \ escaped by a backslash, for LIKE ... ESCAPE '\', in the arena (NULL
 * when s is NULL or memory runs out). */
struct arena;
char *like_escape(struct arena *a, const char *s);

/* span helpers */
bool span_eq(struct span a, const char *z);
bool span_starts_with(struct span a, const char *z);
/* Parse the whole span as a decimal int64 in [min, max]; false if anything is off (more than 23
 * characters, leading zeros included, is off). */
bool span_to_i64(struct span a, int64_t min, int64_t max, int64_t *out);
/* Parse a NUL-terminated decimal int64 in [min, max]; false on junk or overflow. */
bool str_to_i64(const char *z, int64_t min, int64_t max, int64_t *out);

/* True if p[0..n) is valid UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). */
bool utf8_valid(const char *p, size_t n);
/* Number of code points in valid UTF-8. */
size_t utf8_len(const char *p, size_t n);

#endif
