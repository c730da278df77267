/* arena.c: region allocator with cleanup callbacks (see arena.h). */
#include <stdint.h>
#include <stdio.h>

#include "lib/arena.h"
#include "lib/fault.h"

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	max_align_t data[];
};

#define ALIGN_UP(n) (((n) + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1))

void arena_init(struct arena *a, size_t block_bytes, size_t limit_bytes)
{
	a->head = NULL;
	a->cleanups = NULL;
	a->block_bytes = block_bytes ? block_bytes : 8192;
	a->total_bytes = 0;
	a->limit_bytes = limit_bytes;
	a->nspare = 0;
}

static void run_cleanups(struct arena *a)
{
	while (a->cleanups) {
		struct arena_cleanup *c = a->cleanups;
		a->cleanups = c->next;
		c->fn(c->arg);
	}
	a->nspare = 0;
}

void arena_release(struct arena *a)
{
	run_cleanups(a);
	while (a->head) {
		struct arena_block *b = a->head;
		a->head = b->next;
		free(b);
	}
	a->total_bytes = 0;
}

void arena_reset(struct arena *a)
{
	run_cleanups(a);
	/* keep an ordinary block: a large one-off kept here would pin its memory for good */
	struct arena_block *keep = NULL;
	while (a->head) {
		struct arena_block *b = a->head;
		a->head = b->next;
		if (!keep && b->size == a->block_bytes)
			keep = b;
		else
			free(b);
	}
	if (keep) {
		keep->used = 0;
		keep->next = NULL;
		a->total_bytes = keep->size + sizeof(*keep);
	} else {
		a->total_bytes = 0;
	}
	a->head = keep;
}

void *arena_alloc(struct arena *a, size_t n)
{
	if (n > SIZE_MAX / 2)
		return NULL; /* would wrap around in ALIGN_UP or in the block size below */
	if (fault_alloc()) /* every call, not only a new block: each one must be checked */
		return NULL;
	n = ALIGN_UP(n ? n : 1);
	struct arena_block *b = a->head;
	if (b && b->size - b->used >= n) {
		void *p = (char *)b->data + b->used;
		b->used += n;
		return p;
	}
	size_t size = n > a->block_bytes / 2 ? n : a->block_bytes;
	if (a->limit_bytes && a->total_bytes + sizeof(*b) + size > a->limit_bytes)
		return NULL;
	struct arena_block *nb = malloc(sizeof(*nb) + size);
	if (!nb)
		return NULL;
	nb->size = size;
	a->total_bytes += sizeof(*nb) + size;
	if (b && size == n && b->size - b->used > 256) {
		/* a big one-off: keep filling the current block afterwards */
		nb->used = n;
		nb->next = b->next;
		b->next = nb;
		return nb->data;
	}
	nb->used = n;
	nb->next = b;
	a->head = nb;
	return nb->data;
}

void *arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);
	if (p)
		memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	char *p = arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

int arena_defer(struct arena *a, void (*fn)(void *), void *arg)
{
	struct arena_cleanup *c = arena_alloc(a, sizeof(*c));
	if (!c && a->nspare < ARENA_SPARE_CLEANUPS)
		c = &a->spare[a->nspare++];
	if (!c)
		return -1;
	c->fn = fn;
	c->arg = arg;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}
