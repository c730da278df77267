/* fault.c: per-thread countdowns for fault injection (compiled to nothing without TIEJIAN_FAULT). */
#include "lib/fault.h"

#ifdef TIEJIAN_FAULT
static _Thread_local long alloc_countdown;
static _Thread_local long db_countdown;

void fault_arm(long alloc_nth, long db_nth)
{
	alloc_countdown = alloc_nth;
	db_countdown = db_nth;
}

bool fault_alloc(void)
{
	return alloc_countdown > 0 && --alloc_countdown == 0;
}

bool fault_db(void)
{
	return db_countdown > 0 && --db_countdown == 0;
}
#else
/* Keep the translation unit non-empty under -Wpedantic. */
typedef int fault_unused;
#endif
