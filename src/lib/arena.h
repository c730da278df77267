/* arena.h: region allocator; one per request, freed once, with cleanup callbacks. */
#ifndef TIEJIAN_ARENA_H
#define TIEJIAN_ARENA_H

#include <stddef.h>
#include <stdarg.h>

/*
 * Ownership: everything allocated from an arena lives until arena_free() (or arena_reset()),
 * which releases it all at once and then runs the cleanup callbacks in reverse order of
 * registration. Nothing allocated from an arena is ever freed on its own.
 * An arena is used by one thread at a time.
 */
struct arena_block;

struct arena_cleanup {
	struct arena_cleanup *next;
	void (*fn)(void *);
	void *arg;
};

/* Registrations that still succeed when the arena cannot allocate (see arena_defer). */
#define ARENA_SPARE_CLEANUPS 4

struct arena {
	struct arena_block *head;
	struct arena_cleanup *cleanups;
	size_t block_bytes; /* size of the next ordinary block */
	size_t total_bytes; /* bytes obtained from malloc, for metrics */
	size_t limit_bytes; /* 0 = no limit; total_bytes never exceeds it: allocations fail */
	struct arena_cleanup spare[ARENA_SPARE_CLEANUPS];
	int nspare; /* spare entries in use */
};

/* Prepare an arena whose first block is allocated on first use. No allocation here. */
void arena_init(struct arena *a, size_t block_bytes, size_t limit_bytes);
/* Free every block and run every cleanup; the arena can be used again afterwards. */
void arena_release(struct arena *a);
/* Like arena_release() but keeps one ordinary block (never a large one-off) for reuse. */
void arena_reset(struct arena *a);

/* Aligned memory, or NULL when out of memory or past the limit. */
void *arena_alloc(struct arena *a, size_t n);
/* Zeroed memory, or NULL. */
void *arena_zalloc(struct arena *a, size_t n);
/* A NUL-terminated copy of s[0..n), or NULL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* A NUL-terminated copy of s, or NULL (s may be NULL: returns NULL). */
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena; NULL on failure. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Run fn(arg) when the arena is released. Returns 0, or -1 when out of memory (fn not run).
 * When memory runs out, a few spare entries inside the arena still take a registration, so the
 * owner of what failed to be built can hand it over and return its error without a leak. */
int arena_defer(struct arena *a, void (*fn)(void *), void *arg);

#endif
