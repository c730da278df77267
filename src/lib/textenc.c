/* textenc.c: UTF-8 or GB18030 detection and conversion (iconv). */
#include <errno.h>
#include <iconv.h>

#include "lib/str.h"
#include "lib/textenc.h"

const char *text_encoding_name(enum text_encoding e)
{
	switch (e) {
	case TEXT_UTF8_BOM:
		return "UTF-8 (BOM)";
	case TEXT_GB18030:
		return "GB18030";
	default:
		return "UTF-8";
	}
}

static enum status copy_out(const char *p, size_t len, char **out, size_t *out_len)
{
	char *c = malloc(len + 1);
	if (!c)
		return ST_NOMEM;
	memcpy(c, p, len);
	c[len] = '\0';
	*out = c;
	*out_len = len;
	return ST_OK;
}

enum status text_to_utf8(const char *p, size_t len, char **out, size_t *out_len,
			 enum text_encoding *enc)
{
	*out = NULL;
	*out_len = 0;
	if (len && memchr(p, '\0', len))
		return ST_INVALID;
	if (len >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
	    (unsigned char)p[2] == 0xBF) {
		*enc = TEXT_UTF8_BOM;
		if (!utf8_valid(p + 3, len - 3))
			return ST_INVALID;
		return copy_out(p + 3, len - 3, out, out_len);
	}
	if (utf8_valid(p, len)) {
		*enc = TEXT_UTF8;
		return copy_out(p, len, out, out_len);
	}
	*enc = TEXT_GB18030;
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1)
		return ST_INTERNAL;
	/* A GB18030 character is 1, 2 or 4 bytes and becomes at most 4 bytes of UTF-8. */
	size_t cap = len * 2 + 16;
	char *buf = malloc(cap + 1);
	if (!buf) {
		iconv_close(cd);
		return ST_NOMEM;
	}
	char *in = (char *)(uintptr_t)p, *o = buf;
	size_t inleft = len, outleft = cap;
	size_t r = iconv(cd, &in, &inleft, &o, &outleft);
	int err = errno;
	if (r != (size_t)-1)
		r = iconv(cd, NULL, NULL, &o, &outleft);
	iconv_close(cd);
	if (r == (size_t)-1 || inleft) {
		free(buf);
		return err == E2BIG ? ST_INTERNAL : ST_INVALID;
	}
	size_t n = (size_t)(o - buf);
	buf[n] = '\0';
	if (!utf8_valid(buf, n)) {
		free(buf);
		return ST_INVALID;
	}
	*out = buf;
	*out_len = n;
	return ST_OK;
}
