/* pinyin.h: the initials of the pinyin of Chinese text (拼音首字母), for search by initials. */
#ifndef TIEJIAN_PINYIN_H
#define TIEJIAN_PINYIN_H

#include <stddef.h>
#include <stdint.h>

/*
 * The table is data/pinyin-initials.csv (made by scripts/extract-pinyin.mjs from pinyin-pro),
 * compiled into the binary and indexed once, on first use, by a thread-safe pthread_once. It
 * covers 〇 and U+4E00..U+9FFF; each character has one to three initials, the most common
 * reading first (长 "cz"). Nothing here allocates after that; the caller owns every buffer.
 */

/* The initials of one code point, most common first ("" when it has none). Static storage. */
const char *pinyin_of(uint32_t cp);

/* The initials of the UTF-8 text p[0..len): for each CJK character its initial, ASCII letters
 * lower-cased and digits kept, everything else skipped ("齐齐哈尔ABC-2号" → "qqheabc2h").
 * variant 0 takes each character's most common reading; variant 1 its second reading where it
 * has one (so 重型 gives "zx" and "cx"). Writes at most outsize - 1 bytes and a NUL and returns
 * the full length, like snprintf. Invalid UTF-8 bytes are skipped. */
size_t pinyin_initials(const char *p, size_t len, int variant, char *out, size_t outsize);

/* True when the text has a character with more than one initial (variant 1 may differ). */
int pinyin_has_variants(const char *p, size_t len);

#endif
