/* fuzz_xlsx.c: the bounded .xlsx reader (libzip + expat) over any bytes, with small limits so a
 * bomb is refused quickly. Checked: cells come within the column limit and row numbers grow; a
 * refusal says why, in Chinese. The seeds are real workbooks (an export, the import template, a
 * zip bomb with a lying header). */
#include <string.h>

#include "fuzz.h"
#include "lib/xlsx.h"

struct seen {
	long last_row;
	long rows;
};

static int on_row(void *ctx, long row, const char *const *cells, int ncols)
{
	struct seen *s = ctx;
	FUZZ_CHECK(row > s->last_row, "row %ld after %ld", row, s->last_row);
	FUZZ_CHECK(ncols >= 1 && ncols <= 64, "%d columns", ncols);
	for (int i = 0; i < ncols; i++)
		if (cells[i])
			FUZZ_CHECK(strlen(cells[i]) <= 4096, "cell over the limit");
	s->last_row = row;
	s->rows++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlsx_limits lim = {
		.max_file_bytes = 1 << 20,
		.max_entries = 64,
		.max_entry_bytes = 1 << 20,
		.max_rows = 2000,
		.max_cols = 64,
		.max_cell_bytes = 4096,
		.max_shared_strings = 10000,
	};
	struct seen s = { 0, 0 };
	char err[300] = "";
	enum status st = xlsx_read(data, size, &lim, on_row, &s, err, sizeof(err));
	FUZZ_CHECK(st == ST_OK || st == ST_INVALID || st == ST_TOO_LARGE || st == ST_NOMEM,
		   "status %d", st);
	if (st == ST_INVALID || st == ST_TOO_LARGE)
		FUZZ_CHECK(err[0], "a refusal without a reason");
	return 0;
}
