/* hex.h: lower-case hexadecimal text for byte strings (digests, tokens) and back. */
#ifndef TIEJIAN_HEX_H
#define TIEJIAN_HEX_H

#include <stddef.h>

#include "lib/status.h"

/*
 * Ownership: the caller owns every buffer; these functions keep no pointer and allocate nothing.
 * Sizes are in bytes. Encoding n bytes needs 2 * n + 1 bytes of output (the digits and a NUL).
 */

/*
 * Write the 2 * n lower-case hex digits of bytes[0..n) and a NUL into out[0..outsize).
 * bytes may be NULL when n is 0. ST_OK, or ST_TOO_LARGE when outsize < 2 * n + 1 (out then holds
 * "" if outsize > 0, so a caller that ignores the status never prints a half-written value).
 */
enum status hex_encode(const void *bytes, size_t n, char *out, size_t outsize);

/*
 * Decode the len hex digits at s (either case, no separators, no NUL needed) into out[0..outsize)
 * and store the byte count, len / 2, in *out_len. ST_OK; ST_INVALID when len is odd or a character
 * is not a hex digit; ST_TOO_LARGE when outsize < len / 2. On an error *out_len is 0 and out may
 * have been partly written.
 */
enum status hex_decode(const char *s, size_t len, void *out, size_t outsize, size_t *out_len);

#endif
