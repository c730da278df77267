/* textenc.h: text files from people: detect UTF-8 (with or without a BOM) or GB18030, as Excel
 * on a Chinese Windows saves CSV, and hand back UTF-8. */
#ifndef TIEJIAN_TEXTENC_H
#define TIEJIAN_TEXTENC_H

#include <stddef.h>

#include "lib/status.h"

enum text_encoding { TEXT_UTF8, TEXT_UTF8_BOM, TEXT_GB18030 };

/* "UTF-8", "UTF-8 (BOM)", "GB18030". */
const char *text_encoding_name(enum text_encoding e);

/*
 * Decide and convert: bytes that are valid UTF-8 (after an optional BOM, which is dropped) are
 * UTF-8; anything else is read as GB18030 (a superset of GBK and GB2312) through iconv. On
 * ST_OK *out is a malloc'd NUL-terminated UTF-8 copy (free() it) of *out_len bytes and *enc says
 * what the input was. ST_INVALID when the bytes are neither (or hold a NUL), ST_NOMEM.
 */
enum status text_to_utf8(const char *p, size_t len, char **out, size_t *out_len,
			 enum text_encoding *enc);

#endif
