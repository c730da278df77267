/* heap.h: how the server's heap gives memory back (glibc's malloc; elsewhere these do nothing). */
#ifndef TIEJIAN_HEAP_H
#define TIEJIAN_HEAP_H

#include <stdbool.h>

/*
 * For a long-running server, before its threads start: blocks of 256 KB and more are mapped
 * on their own and unmapped when freed. glibc's default raises that size to the largest block
 * freed so far (up to 32 MB), and with it the free space a heap keeps before giving memory
 * back; after one build of the registry's copy, every heap then keeps what it ever held.
 */
void heap_setup(void);

/* Give the free pages of every heap back to the system (before a password hash takes its
 * memory, auth.c). */
void heap_trim(void);

/*
 * The same, only when the heaps hold more than HEAP_FREE_FLOOR free: the server's main thread
 * once a second while requests are being answered (after a quiet second it trims all). What a
 * burst left behind (a build of the registry's copy, an export) goes back, while the steady
 * turnover of a busy server (the SQLite page caches, emptied whenever another connection
 * commits and filled again) stays: trimming that every second made each refill fault its pages
 * in again: 7 % of the CPU of a filing run, and 551–568 -> 626–651 filings a second. True
 * when it trimmed.
 */
#define HEAP_FREE_FLOOR (64u << 20)
bool heap_tidy(void);

#endif
