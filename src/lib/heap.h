/* heap.h: how the server's heap gives memory back (glibc's malloc; elsewhere these do nothing). */
#ifndef TIEJIAN_HEAP_H
#define TIEJIAN_HEAP_H

/*
 * For a long-running server, before its threads start: blocks of 256 KB and more are mapped
 * on their own and unmapped when freed. glibc's default raises that size to the largest block
 * freed so far (up to 32 MB), and with it the free space a heap keeps before giving memory
 * back; after one build of the registry's copy, every heap then keeps what it ever held.
 */
void heap_setup(void);

/* Give the free pages of every heap back to the system (the server's main thread, once a
 * second). */
void heap_trim(void);

#endif
