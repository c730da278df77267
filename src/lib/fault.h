/* fault.h: fault injection for tests; fails the Nth allocation or database call when built with
 * -DTIEJIAN_FAULT (make VARIANT=fault). In every other build these are constant false. */
#ifndef TIEJIAN_FAULT_H
#define TIEJIAN_FAULT_H

#include <stdbool.h>

#ifdef TIEJIAN_FAULT
/* True when this allocation should fail (the countdown set by fault_arm() reached zero). */
bool fault_alloc(void);
/* True when this database call should fail. */
bool fault_db(void);
/* Arm: fail the nth allocation (alloc_nth > 0) or the nth db call (db_nth > 0) from now on,
 * counted in the calling thread only. 0 disarms. */
void fault_arm(long alloc_nth, long db_nth);
/* Whether an armed countdown reached zero since the last fault_arm() in this thread. */
bool fault_fired(void);
/* Route jansson's allocations through fault_alloc() (json_set_alloc_funcs); call before any
 * thread uses jansson. */
void fault_install(void);
/* Hold (true) or resume (false) the countdowns in this thread: around a library call that cannot
 * survive a failed allocation, so the test looks at our code. jansson 2.14 has two: its lexer
 * reads on past its buffer after a failed allocation (upstream issue #362), and json_dumps()
 * ignores a failed write of an object key and returns malformed text. */
void fault_hold(bool hold);
#else
static inline void fault_hold(bool hold)
{
	(void)hold;
}
static inline bool fault_alloc(void)
{
	return false;
}
static inline bool fault_db(void)
{
	return false;
}
#endif

#endif
