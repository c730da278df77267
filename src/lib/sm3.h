/* sm3.h: SM3 hashing (GB/T 32905-2016) and the field framing of the audit hash chain. */
#ifndef TIEJIAN_SM3_H
#define TIEJIAN_SM3_H

#include <stddef.h>
#include <stdint.h>

#include "lib/status.h"

/*
 * Ownership: the caller owns every buffer passed in or out; nothing here keeps a pointer to caller
 * memory after returning. An incremental context is made by sm3_new() and released by sm3_free().
 *
 * Threads: any function may be called from any thread. The SM3 implementation is fetched from
 * OpenSSL's default provider once per process and shared read-only; one context must not be used
 * by two threads at the same time.
 *
 * Framing, for hash chains such as the audit log (each row's hash = SM3(previous hash || row)):
 *
 *   - Feed the previous row's 32-byte digest raw with sm3_update(): it always has the same length.
 *   - Feed every field of the row, in one fixed order, with sm3_update_field(), which writes a
 *     4-byte big-endian length and then the bytes. Never join fields with a separator: ("ab", "c")
 *     and ("a", "bc") both join to "abc", and a value that contains the separator can move it.
 *     With length prefixes the bytes fed for a row decode back to exactly one sequence of fields,
 *     so two different rows never hash the same input.
 *   - Feed an absent value (SQL NULL) with sm3_update_field_null(), which writes the length
 *     0xFFFFFFFF with no bytes, so NULL and the empty string stay different.
 *   - Numbers and timestamps go in as the exact text the row stores (decimal, UTC ISO 8601), so
 *     SQLite and PostgreSQL produce the same bytes.
 */

#define SM3_DIGEST_BYTES    32		/* an SM3 digest */
#define SM3_HEX_BYTES	    65		/* a digest as 64 hex digits and a NUL (see lib/hex.h) */
#define SM3_FIELD_MAX_BYTES 0xFFFFFFFEu /* the longest field sm3_update_field() can frame */

/*
 * out = SM3(data[0..len)). data may be NULL when len is 0.
 * ST_OK, or ST_INTERNAL when OpenSSL cannot provide or run SM3 (out is then zeroed).
 */
enum status sm3_digest(const void *data, size_t len, unsigned char out[SM3_DIGEST_BYTES]);

/* An incremental SM3 computation; opaque. */
struct sm3;

/*
 * Make a context ready for a first message and store it in *out; the caller frees it with
 * sm3_free(). ST_OK, ST_NOMEM, or ST_INTERNAL when OpenSSL cannot provide SM3 (*out is then NULL).
 */
enum status sm3_new(struct sm3 **out);

/* Release a context; NULL is allowed. */
void sm3_free(struct sm3 *h);

/*
 * Append data[0..len) to the message (data may be NULL when len is 0). Errors are sticky: after a
 * failure further updates do nothing and sm3_final() reports the status, so a caller hashing many
 * fields checks once, at the end.
 */
void sm3_update(struct sm3 *h, const void *data, size_t len);

/*
 * Append one framed field: len as 4 bytes big-endian, then data[0..len). A field longer than
 * SM3_FIELD_MAX_BYTES makes the sticky status ST_TOO_LARGE.
 */
void sm3_update_field(struct sm3 *h, const void *data, size_t len);

/* Append one absent (NULL) field: the length 0xFFFFFFFF and no bytes. */
void sm3_update_field_null(struct sm3 *h);

/*
 * End the message and write its digest to out. Returns the sticky status: ST_OK, ST_TOO_LARGE (a
 * field was too long) or ST_INTERNAL (OpenSSL failed); on an error out is zeroed. In every case
 * the context then starts a new, empty message, so one context can hash many rows.
 */
enum status sm3_final(struct sm3 *h, unsigned char out[SM3_DIGEST_BYTES]);

#endif
