/* fuzz_textenc.c: deciding UTF-8 or GB18030 for an uploaded text file and converting it.
 * Checked: the result is valid UTF-8 of the length reported, with no NUL inside; valid UTF-8
 * input (after a BOM) comes back byte for byte. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib/str.h"
#include "lib/textenc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL;
	size_t len = 0;
	enum text_encoding enc;
	enum status st = text_to_utf8((const char *)data, size, &out, &len, &enc);
	if (st == ST_OK) {
		FUZZ_CHECK(out && out[len] == '\0', "not NUL-terminated");
		FUZZ_CHECK(strlen(out) == len, "a NUL inside the result");
		FUZZ_CHECK(utf8_valid(out, len), "the result is not valid UTF-8");
		FUZZ_CHECK(text_encoding_name(enc) != NULL, "no name for the encoding");
		size_t skip = enc == TEXT_UTF8_BOM ? 3 : 0;
		if (enc != TEXT_GB18030)
			FUZZ_CHECK(len == size - skip && memcmp(out, data + skip, len) == 0,
				   "UTF-8 input changed");
	} else {
		FUZZ_CHECK(st == ST_INVALID || st == ST_NOMEM || st == ST_TOO_LARGE, "status %d",
			   st);
	}
	free(out);
	return 0;
}
