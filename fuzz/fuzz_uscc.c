/* fuzz_uscc.c: the unified social credit code (GB 32100) checks: what a person typed or pasted
 * through uscc_parse (normalising full-width forms and blanks) and uscc_check on the raw bytes.
 * Checked: an accepted code is 18 characters of the alphabet with the right check characters,
 * normalising never lengthens, and a refusal always says where and why. */
#include <string.h>

#include "fuzz.h"
#include "lib/uscc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char norm[256];
	if (size < sizeof(norm)) {
		size_t n = uscc_normalize(s, size, norm, sizeof(norm));
		FUZZ_CHECK(n <= size, "normalised text is longer");
		FUZZ_CHECK(memchr(s, '\0', size) || strlen(norm) == n, "length and text disagree");
	}
	char code[USCC_LEN + 1];
	struct uscc_problem p;
	memset(&p, 0, sizeof(p));
	enum status st = uscc_parse(s, size, code, &p);
	if (st == ST_OK) {
		FUZZ_CHECK(strlen(code) == USCC_LEN, "accepted code of length %zu", strlen(code));
		FUZZ_CHECK(uscc_check(code, USCC_LEN, NULL) == ST_OK, "parse and check disagree");
		FUZZ_CHECK(uscc_check_char(code) == code[17], "wrong check character accepted");
		FUZZ_CHECK(uscc_type_find(code[0], code[1]) != NULL, "unknown type accepted");
	} else {
		FUZZ_CHECK(st == ST_INVALID, "status %d", st);
		FUZZ_CHECK(code[0] == '\0', "output left after a refusal");
	}
	st = uscc_check(size ? s : NULL, size, &p);
	FUZZ_CHECK(st == ST_OK || st == ST_INVALID, "status %d", st);
	if (st == ST_INVALID)
		FUZZ_CHECK(p.message[0], "a refusal without a message");
	if (size >= 17)
		(void)uscc_check_char(s); /* reads at most 17 bytes */
	return 0;
}
