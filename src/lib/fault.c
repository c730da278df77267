/* fault.c: per-thread countdowns for fault injection (compiled to nothing without TIEJIAN_FAULT).
 */
#include "lib/fault.h"

#ifdef TIEJIAN_FAULT
#include <jansson.h>
#include <stdlib.h>

static _Thread_local long alloc_countdown;
static _Thread_local long db_countdown;
static _Thread_local bool fired;
static _Thread_local bool held;

void fault_arm(long alloc_nth, long db_nth)
{
	alloc_countdown = alloc_nth;
	db_countdown = db_nth;
	fired = false;
	held = false;
}

void fault_hold(bool hold)
{
	held = hold;
}

bool fault_alloc(void)
{
	if (held)
		return false;
	if (alloc_countdown > 0 && --alloc_countdown == 0)
		return fired = true;
	return false;
}

bool fault_db(void)
{
	if (held)
		return false;
	if (db_countdown > 0 && --db_countdown == 0)
		return fired = true;
	return false;
}

bool fault_fired(void)
{
	return fired;
}

static void *json_malloc(size_t n)
{
	return fault_alloc() ? NULL : malloc(n);
}

void fault_install(void)
{
	json_set_alloc_funcs(json_malloc, free);
}
#else
/* Keep the translation unit non-empty under -Wpedantic. */
typedef int fault_unused;
#endif
