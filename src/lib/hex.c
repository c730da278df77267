/* hex.c: lower-case hexadecimal encoding and strict decoding. */
#include "lib/hex.h"

static const char hex_digits[] = "0123456789abcdef";

enum status hex_encode(const void *bytes, size_t n, char *out, size_t outsize)
{
	const unsigned char *p = bytes;
	size_t i;

	/* Written as a division so that 2 * n + 1 cannot overflow. */
	if (outsize == 0 || n > (outsize - 1) / 2) {
		if (outsize > 0)
			out[0] = '\0';
		return ST_TOO_LARGE;
	}
	for (i = 0; i < n; i++) {
		out[2 * i] = hex_digits[p[i] >> 4];
		out[2 * i + 1] = hex_digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
	return ST_OK;
}

/* The value of one hex digit, or -1. */
static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum status hex_decode(const char *s, size_t len, void *out, size_t outsize, size_t *out_len)
{
	unsigned char *p = out;
	size_t i;

	*out_len = 0;
	if (len % 2 != 0)
		return ST_INVALID;
	if (len / 2 > outsize)
		return ST_TOO_LARGE;
	for (i = 0; i < len / 2; i++) {
		int hi = hex_value(s[2 * i]);
		int lo = hex_value(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return ST_INVALID;
		p[i] = (unsigned char)(hi << 4 | lo);
	}
	*out_len = len / 2;
	return ST_OK;
}
