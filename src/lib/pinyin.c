/* pinyin.c: look up pinyin initials in the embedded table data/pinyin-initials.csv. */
#include <pthread.h>

#include "lib/embed.h"
#include "lib/pinyin.h"

#define CJK_FIRST 0x4E00u
#define CJK_LAST 0x9FFFu
#define MAX_INITIALS 3

static char table[CJK_LAST - CJK_FIRST + 1][MAX_INITIALS + 1];
static char ling[MAX_INITIALS + 1]; /* 〇 U+3007 */
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Decode one UTF-8 character at p (n bytes left); 0 and *used = 1 for an invalid byte. */
static uint32_t utf8_next(const unsigned char *p, size_t n, size_t *used)
{
	*used = 1;
	if (p[0] < 0x80)
		return p[0];
	int extra = (p[0] & 0xE0) == 0xC0 ? 1 : (p[0] & 0xF0) == 0xE0 ? 2 : (p[0] & 0xF8) == 0xF0 ? 3 : -1;
	if (extra < 0 || (size_t)extra >= n)
		return 0;
	uint32_t cp = p[0] & (0x3F >> extra);
	for (int i = 1; i <= extra; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	*used = (size_t)extra + 1;
	return cp;
}

static void load(void)
{
	const struct embedded_file *f = embed_find("data/pinyin-initials.csv");
	if (!f)
		return;
	const unsigned char *p = (const unsigned char *)f->data, *end = p + f->len;
	/* skip the header line */
	while (p < end && *p != '\n')
		p++;
	while (p < end) {
		p++; /* the newline */
		if (p >= end)
			break;
		size_t used;
		uint32_t cp = utf8_next(p, (size_t)(end - p), &used);
		p += used;
		if (p >= end || *p != ',')
			break;
		p++;
		char *slot = cp == 0x3007 ? ling
			     : cp >= CJK_FIRST && cp <= CJK_LAST ? table[cp - CJK_FIRST]
								  : NULL;
		int k = 0;
		while (p < end && *p != '\n') {
			if (slot && k < MAX_INITIALS && *p >= 'a' && *p <= 'z')
				slot[k++] = (char)*p;
			p++;
		}
	}
}

const char *pinyin_of(uint32_t cp)
{
	pthread_once(&once, load);
	if (cp == 0x3007)
		return ling;
	if (cp >= CJK_FIRST && cp <= CJK_LAST)
		return table[cp - CJK_FIRST];
	return "";
}

size_t pinyin_initials(const char *text, size_t len, int variant, char *out, size_t outsize)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0, n = 0;
	while (i < len) {
		size_t used;
		uint32_t cp = utf8_next(p + i, len - i, &used);
		i += used;
		char c = 0;
		if (cp >= 'A' && cp <= 'Z')
			c = (char)(cp - 'A' + 'a');
		else if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
			c = (char)cp;
		else if (cp >= 0xFF10 && cp <= 0xFF19) /* full-width digits */
			c = (char)(cp - 0xFF10 + '0');
		else if (cp >= 0xFF21 && cp <= 0xFF3A)
			c = (char)(cp - 0xFF21 + 'a');
		else if (cp >= 0xFF41 && cp <= 0xFF5A)
			c = (char)(cp - 0xFF41 + 'a');
		else if (cp > 0x2FFF) {
			const char *ini = pinyin_of(cp);
			c = variant && ini[0] && ini[1] ? ini[1] : ini[0];
		}
		if (!c)
			continue;
		if (n + 1 < outsize)
			out[n] = c;
		n++;
	}
	if (outsize)
		out[n < outsize ? n : outsize - 1] = '\0';
	return n;
}

int pinyin_has_variants(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0;
	while (i < len) {
		size_t used;
		uint32_t cp = utf8_next(p + i, len - i, &used);
		i += used;
		if (cp > 0x2FFF) {
			const char *ini = pinyin_of(cp);
			if (ini[0] && ini[1])
				return 1;
		}
	}
	return 0;
}
