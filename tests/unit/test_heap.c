/* test_heap.c: what the heaps give back, read from the process's own resident size. Under a
 * sanitizer malloc is the sanitizer's, and these are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/heap.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif

#ifndef SANITIZED
/* Resident kB of this process (/proc/self/status). */
static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

/* n blocks of 128 KB (under the 256 KB that are mapped alone), each written, then all but the
 * last freed, so the free space sits below a block in use and free() cannot give it back. */
static void *churn(size_t n)
{
	void **blocks = calloc(n, sizeof(*blocks));
	assert_non_null(blocks);
	for (size_t i = 0; i < n; i++) {
		blocks[i] = malloc(128 << 10);
		assert_non_null(blocks[i]);
		memset(blocks[i], (int)i, 128 << 10);
	}
	void *last = blocks[n - 1];
	for (size_t i = 0; i + 1 < n; i++)
		free(blocks[i]);
	free(blocks);
	return last;
}
#endif

static void tidy_keeps_a_little_and_gives_back_a_lot(void **state)
{
	(void)state;
#ifdef SANITIZED
	skip();
#else
	heap_setup();
	heap_trim();
	/* 8 MB free: under the floor, kept for the next requests */
	void *small = churn(64);
	long before = rss_kb();
	assert_false(heap_tidy());
	assert_true(rss_kb() > before - 4096);
	/* 96 MB free: over it, given back */
	void *big = churn(768);
	before = rss_kb();
	assert_true(heap_tidy());
	assert_true(rss_kb() < before - 64 * 1024);
	/* and a full trim gives back the little too */
	free(big);
	free(small);
	void *again = churn(64);
	before = rss_kb();
	heap_trim();
	assert_true(rss_kb() < before - 4096);
	free(again);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tidy_keeps_a_little_and_gives_back_a_lot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
