/* heap.c: see heap.h. */
#include "lib/heap.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

void heap_setup(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 256 * 1024); /* fixed: no longer raised by what is freed */
	mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
#endif
}

void heap_trim(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

bool heap_tidy(void)
{
#ifdef __GLIBC__
	struct mallinfo2 mi = mallinfo2();
	if (mi.fordblks > HEAP_FREE_FLOOR) {
		malloc_trim(0);
		return true;
	}
#endif
	return false;
}
