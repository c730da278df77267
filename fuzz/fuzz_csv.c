/* fuzz_csv.c: the RFC 4180 reader (lib/csv.c) over any bytes, with the field limit of the
 * enterprise import and a small one. Checked: fields are NUL-terminated within the limit, the
 * field count within CSV_MAX_FIELDS, line numbers only grow, and the reader always ends. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib/csv.h"

static void read_all(const char *data, size_t size, size_t max_field)
{
	struct csv c;
	csv_init(&c, data, size, max_field);
	enum status st;
	long last_line = 0, rows = 0;
	while ((st = csv_next(&c)) == ST_OK) {
		FUZZ_CHECK(c.nfields >= 1 && c.nfields <= CSV_MAX_FIELDS, "%d fields", c.nfields);
		for (int i = 0; i < c.nfields; i++)
			FUZZ_CHECK(strlen(c.field[i]) <= max_field, "field %d over the limit", i);
		FUZZ_CHECK(c.row_line >= last_line, "line numbers went back");
		last_line = c.row_line;
		FUZZ_CHECK(++rows <= (long)size + 1, "more rows than bytes");
	}
	FUZZ_CHECK(st == ST_NOT_FOUND || st == ST_INVALID || st == ST_TOO_LARGE || st == ST_NOMEM,
		   "status %d", st);
	if (st == ST_INVALID || st == ST_TOO_LARGE)
		FUZZ_CHECK(c.error && *c.error, "an error without a reason");
	csv_release(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_all((const char *)data, size, 32767);
	read_all((const char *)data, size, 8);
	return 0;
}
