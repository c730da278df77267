/* test_arena.c: the region allocator: alignment, blocks, the limit, reset, cleanups, printf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>

#include "lib/arena.h"

#define ALIGN _Alignof(max_align_t)

static bool aligned(const void *p)
{
	return (uintptr_t)p % ALIGN == 0;
}

/* One allocation, remembered with the byte it was filled with, to prove none overlap. */
struct mark {
	unsigned char *p;
	size_t n;
	unsigned char fill;
};

static void fill(struct mark *m, void *p, size_t n, unsigned char byte)
{
	m->p = p;
	m->n = n;
	m->fill = byte;
	memset(p, byte, n);
}

static void check_marks(const struct mark *m, size_t count)
{
	for (size_t i = 0; i < count; i++)
		for (size_t j = 0; j < m[i].n; j++)
			if (m[i].p[j] != m[i].fill)
				fail_msg("allocation %zu (%zu bytes) was overwritten at byte %zu",
					 i, m[i].n, j);
}

/* The size of a block header, learnt from the first block (the struct is private). */
static size_t header_bytes(size_t block_bytes)
{
	struct arena a;
	arena_init(&a, block_bytes, 0);
	assert_non_null(arena_alloc(&a, 1));
	size_t h = a.total_bytes - block_bytes;
	arena_release(&a);
	assert_true(h >= sizeof(size_t) && h < 256);
	return h;
}

static void init_allocates_nothing(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 0, 0);
	assert_null(a.head);
	assert_null(a.cleanups);
	assert_int_equal(a.block_bytes, 8192); /* 0 picks the default */
	assert_int_equal(a.total_bytes, 0);
	arena_release(&a);
	arena_reset(&a);
	assert_int_equal(a.total_bytes, 0);
	assert_null(a.head);
}

/* Every size 0..600 alone, and in runs where each size follows every other alignment. */
static void every_allocation_is_aligned(void **state)
{
	(void)state;
	static struct mark marks[4000];
	size_t count = 0;
	struct arena a;
	arena_init(&a, 1024, 0);
	for (size_t n = 0; n <= 600; n++) {
		void *p = arena_alloc(&a, n);
		assert_non_null(p);
		assert_true(aligned(p));
		fill(&marks[count++], p, n, (unsigned char)(n * 7 + 1));
	}
	for (size_t k = 1; k <= 33; k++) {
		for (size_t n = 1; n <= 97; n += k) {
			void *p = arena_zalloc(&a, n);
			assert_non_null(p);
			assert_true(aligned(p));
			for (size_t i = 0; i < n; i++)
				assert_int_equal(((unsigned char *)p)[i], 0);
			assert_true(count < sizeof(marks) / sizeof(marks[0]));
			fill(&marks[count], p, n, (unsigned char)(count * 13));
			count++;
		}
	}
	/* Strings and printf results are aligned too (the next allocation depends on it). */
	for (size_t n = 0; n < 40; n++) {
		char *s = arena_strndup(&a, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF", n);
		assert_true(aligned(s));
		assert_int_equal(strlen(s), n);
		char *f = arena_printf(&a, "%zu", n);
		assert_true(aligned(f));
	}
	check_marks(marks, count);
	arena_release(&a);
	assert_int_equal(a.total_bytes, 0);
}

/* 100 000 small allocations and a few large ones, interleaved; all intact at the end. */
static void many_small_and_some_large(void **state)
{
	(void)state;
	enum { SMALL = 100000 };
	struct mark *marks = calloc(SMALL + 64, sizeof(*marks));
	assert_non_null(marks);
	size_t count = 0;
	struct arena a;
	arena_init(&a, 4096, 0);
	uint32_t rnd = 12345;
	for (int i = 0; i < SMALL; i++) {
		rnd = rnd * 1103515245u + 12345u;
		size_t n = 1 + (rnd >> 16) % 64;
		unsigned char *p = arena_alloc(&a, n);
		assert_non_null(p);
		assert_true(aligned(p));
		fill(&marks[count++], p, n, (unsigned char)(i % 251 + 1));
		if (i % 2000 == 0) {
			size_t big =
				3000 + (size_t)i * 3; /* above half a block: a block of its own */
			p = arena_alloc(&a, big);
			assert_non_null(p);
			assert_true(aligned(p));
			fill(&marks[count++], p, big, (unsigned char)(i % 241 + 2));
		}
	}
	check_marks(marks, count);
	assert_true(a.total_bytes > SMALL * 16);
	arena_release(&a);
	assert_int_equal(a.total_bytes, 0);
	assert_null(a.head);
	free(marks);
}

/* A large one-off gets its own block and the current block goes on filling afterwards. */
static void large_allocation_keeps_current_block(void **state)
{
	(void)state;
	size_t h = header_bytes(4096);
	struct arena a;
	arena_init(&a, 4096, 0);
	char *p1 = arena_alloc(&a, 16);
	assert_int_equal(a.total_bytes, 4096 + h);
	char *big = arena_alloc(&a, 100000);
	assert_non_null(big);
	assert_int_equal(a.total_bytes, 4096 + h + 100000 + h);
	char *p2 = arena_alloc(&a, 16);
	assert_ptr_equal(p2, p1 + 16);
	assert_int_equal(a.total_bytes, 4096 + h + 100000 + h);
	/* Exactly half a block still comes from ordinary blocks; one byte more does not. */
	arena_release(&a);
	arena_init(&a, 4096, 0);
	assert_non_null(arena_alloc(&a, 2048));
	assert_int_equal(a.total_bytes, 4096 + h);
	assert_non_null(arena_alloc(&a, 2048));
	assert_int_equal(a.total_bytes, 4096 + h);
	assert_non_null(arena_alloc(&a, 2048 + ALIGN));
	assert_int_equal(a.total_bytes, 4096 + h + 2048 + ALIGN + h);
	arena_release(&a);
}

/* Sizes near SIZE_MAX must fail, not wrap around into a small block. */
static void huge_sizes_fail(void **state)
{
	(void)state;
	static const size_t huge[] = { SIZE_MAX,       SIZE_MAX - 1,	 SIZE_MAX - 8,
				       SIZE_MAX - 15,  SIZE_MAX - 16,	 SIZE_MAX - 20,
				       SIZE_MAX - 100, SIZE_MAX / 2 + 1, SIZE_MAX - 4096 };
	for (int limited = 0; limited < 2; limited++) {
		struct arena a;
		arena_init(&a, 1024, limited ? 1u << 20 : 0);
		void *first = arena_alloc(&a, 8);
		assert_non_null(first);
		for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
			if (arena_alloc(&a, huge[i]) != NULL)
				fail_msg("arena_alloc(SIZE_MAX - %zu) succeeded (limit %d)",
					 SIZE_MAX - huge[i], limited);
			assert_null(arena_zalloc(&a, huge[i]));
		}
		/* The arena still works afterwards. */
		char *s = arena_strdup(&a, "after");
		assert_string_equal(s, "after");
		arena_release(&a);
	}
}

/* Past limit_bytes allocations fail, the bytes obtained never exceed the limit, and releasing
 * returns everything. */
static void limit_is_enforced(void **state)
{
	(void)state;
	static const size_t limits[][2] = {
		{ 1024, 8192 }, { 8192, 40000 }, { 4096, 65536 }, { 1000, 3000 }, { 256, 10000 }
	};
	for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]); l++) {
		for (size_t n = 1; n <= 700; n += 37) {
			struct arena a;
			arena_init(&a, limits[l][0], limits[l][1]);
			size_t got = 0;
			for (;;) {
				void *p = arena_alloc(&a, n);
				if (a.total_bytes > a.limit_bytes)
					fail_msg("block %zu limit %zu size %zu: %zu bytes obtained",
						 limits[l][0], limits[l][1], n, a.total_bytes);
				if (!p)
					break;
				memset(p, 0xa5, n);
				got += n;
				assert_true(got <= limits[l][1]);
			}
			/* Every later allocation fails too, however small, once blocks are full. */
			size_t before = a.total_bytes;
			while (arena_alloc(&a, 1))
				;
			assert_null(arena_alloc(&a, 1));
			assert_null(arena_strdup(&a, "x"));
			assert_null(arena_printf(&a, "%d", 42));
			assert_true(a.total_bytes >= before);
			assert_true(a.total_bytes <= a.limit_bytes);
			arena_release(&a);
			assert_int_equal(a.total_bytes, 0);
			/* Released, the arena serves again up to the same limit. */
			assert_non_null(arena_alloc(&a, 1));
			arena_release(&a);
		}
	}
	/* A single allocation larger than the limit fails at once. */
	struct arena a;
	arena_init(&a, 1024, 4096);
	assert_null(arena_alloc(&a, 5000));
	assert_int_equal(a.total_bytes, 0);
	assert_non_null(arena_alloc(&a, 100));
	arena_release(&a);
}

/* Reset keeps one ordinary block (never a large one-off) and reuses it. */
static void reset_keeps_one_block(void **state)
{
	(void)state;
	size_t h = header_bytes(2048);
	struct arena a;
	arena_init(&a, 2048, 0);
	for (int i = 0; i < 1000; i++)
		assert_non_null(arena_alloc(&a, 48));
	assert_non_null(arena_alloc(&a, 50000)); /* a large one-off in the middle */
	for (int i = 0; i < 1000; i++)
		assert_non_null(arena_alloc(&a, 48));
	assert_true(a.total_bytes > 10 * 2048);
	arena_reset(&a);
	assert_non_null(a.head);
	assert_int_equal(a.total_bytes, 2048 + h);
	/* The kept block serves without asking malloc again. */
	char *p = arena_alloc(&a, 100);
	assert_non_null(p);
	assert_int_equal(a.total_bytes, 2048 + h);
	memset(p, 1, 100);
	arena_reset(&a);
	assert_int_equal(a.total_bytes, 2048 + h);
	arena_reset(&a);
	assert_int_equal(a.total_bytes, 2048 + h);

	/* A large allocation right after the first small one: reset still keeps the small block. */
	arena_release(&a);
	arena_init(&a, 2048, 0);
	assert_non_null(arena_alloc(&a, 16));
	assert_non_null(arena_alloc(&a, 1 << 20));
	assert_int_equal(a.total_bytes, 2048 + h + (1 << 20) + h);
	arena_reset(&a);
	assert_int_equal(a.total_bytes, 2048 + h);
	assert_non_null(arena_alloc(&a, 16));
	assert_int_equal(a.total_bytes, 2048 + h);
	arena_release(&a);
	assert_int_equal(a.total_bytes, 0);
	assert_null(a.head);

	/* Reset of a limited arena: the limit counts the kept block. */
	arena_init(&a, 1024, 4096);
	while (arena_alloc(&a, 100))
		;
	arena_reset(&a);
	assert_int_equal(a.total_bytes, 1024 + header_bytes(1024));
	int n = 0;
	while (arena_alloc(&a, 100))
		n++;
	assert_true(n > 10);
	assert_true(a.total_bytes <= 4096);
	arena_release(&a);
}

static char calls[64];
static size_t ncalls;

static void record(void *arg)
{
	assert_true(ncalls < sizeof(calls) - 1);
	calls[ncalls++] = *(const char *)arg;
	calls[ncalls] = '\0';
}

static struct arena *nested_arena;

static void defer_from_cleanup(void *arg)
{
	record(arg);
	static const char z = 'z';
	assert_int_equal(arena_defer(nested_arena, record, (void *)(uintptr_t)&z), 0);
}

/* Cleanups run once each, newest first, on release and on reset. */
static void cleanups_run_once_in_reverse(void **state)
{
	(void)state;
	static const char letters[] = "abcdefghij";
	struct arena a;
	arena_init(&a, 256, 0);
	ncalls = 0;
	calls[0] = '\0';
	for (int i = 0; i < 10; i++) {
		assert_int_equal(arena_defer(&a, record, (void *)(uintptr_t)&letters[i]), 0);
		for (int k = 0; k < 5; k++) /* spread the records over several blocks */
			assert_non_null(arena_alloc(&a, 40));
	}
	assert_int_equal(ncalls, 0);
	arena_release(&a);
	assert_string_equal(calls, "jihgfedcba");
	arena_release(&a);
	assert_string_equal(calls, "jihgfedcba");
	assert_null(a.cleanups);

	/* Reset runs them too, once. */
	ncalls = 0;
	assert_int_equal(arena_defer(&a, record, (void *)(uintptr_t)&letters[0]), 0);
	assert_int_equal(arena_defer(&a, record, (void *)(uintptr_t)&letters[1]), 0);
	arena_reset(&a);
	assert_string_equal(calls, "ba");
	arena_reset(&a);
	arena_release(&a);
	assert_string_equal(calls, "ba");

	/* A cleanup that defers another one: the new one still runs, once. */
	ncalls = 0;
	nested_arena = &a;
	assert_int_equal(arena_defer(&a, record, (void *)(uintptr_t)&letters[0]), 0);
	assert_int_equal(arena_defer(&a, defer_from_cleanup, (void *)(uintptr_t)&letters[1]), 0);
	arena_release(&a);
	assert_string_equal(calls, "bza");
	arena_release(&a);
	assert_string_equal(calls, "bza");
	assert_int_equal(a.total_bytes, 0);
}

/* A defer that cannot get memory says so and its function never runs. */
/* Past the limit, a few spare entries still take registrations (so an error path can hand over
 * what it owns); after them, arena_defer fails and the function is not run. */
static void defer_past_limit_fails(void **state)
{
	(void)state;
	static const char x = 'x';
	struct arena a;
	arena_init(&a, 512, 1024);
	while (arena_alloc(&a, 16))
		;
	ncalls = 0;
	calls[0] = '\0';
	for (int i = 0; i < ARENA_SPARE_CLEANUPS; i++)
		assert_int_equal(arena_defer(&a, record, (void *)(uintptr_t)&x), 0);
	assert_int_equal(arena_defer(&a, record, (void *)(uintptr_t)&x), -1);
	arena_release(&a);
	assert_int_equal(ncalls, ARENA_SPARE_CLEANUPS);
	/* the spares are free again after a release */
	while (arena_alloc(&a, 16))
		;
	assert_int_equal(arena_defer(&a, record, (void *)(uintptr_t)&x), 0);
	arena_release(&a);
}

static void strings_and_printf(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 128, 0);
	assert_null(arena_strdup(&a, NULL));
	assert_string_equal(arena_strdup(&a, ""), "");
	assert_string_equal(arena_strdup(&a, "铁肩"), "铁肩");
	assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
	char *z = arena_strndup(&a, "ab\0cd", 5); /* a copy of n bytes, NUL-terminated */
	assert_memory_equal(z, "ab\0cd", 6);
	assert_string_equal(arena_strndup(&a, NULL, 0), "");

	assert_string_equal(arena_printf(&a, "%s-%d-%05.1f", "x", -7, 3.14159), "x--7-003.1");
	assert_string_equal(arena_printf(&a, "%s", ""), "");
	assert_string_equal(arena_printf(&a, "%" PRId64 "/", INT64_MIN), "-9223372036854775808/");

	/* Longer than a block: a block of its own, and the text is whole. */
	char want[5001];
	memset(want, 'q', 5000);
	want[5000] = '\0';
	char *p = arena_printf(&a, "%s%c", want + 1, 'q');
	assert_string_equal(p, want);
	for (int i = 0; i < 300; i++) {
		char *s = arena_printf(&a, "row %d of %s", i, "三百");
		char expect[64];
		snprintf(expect, sizeof(expect), "row %d of 三百", i);
		assert_string_equal(s, expect);
	}
	arena_release(&a);

	/* Past the limit printf gives NULL rather than a cut string. */
	arena_init(&a, 128, 256);
	assert_null(arena_printf(&a, "%s", want));
	char *small = arena_printf(&a, "%d", 12345);
	assert_string_equal(small, "12345");
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_allocates_nothing),
		cmocka_unit_test(every_allocation_is_aligned),
		cmocka_unit_test(many_small_and_some_large),
		cmocka_unit_test(large_allocation_keeps_current_block),
		cmocka_unit_test(huge_sizes_fail),
		cmocka_unit_test(limit_is_enforced),
		cmocka_unit_test(reset_keeps_one_block),
		cmocka_unit_test(cleanups_run_once_in_reverse),
		cmocka_unit_test(defer_past_limit_fails),
		cmocka_unit_test(strings_and_printf),
	};
	return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
