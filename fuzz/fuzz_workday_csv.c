/* fuzz_workday_csv.c: the holiday calendar file (PUT /api/v1/calendar/:year, tiejian calendar
 * import) through workday_csv_parse. Checked: on success rows are ascending, real dates of the
 * allowed years, each year recorded; on failure the output is empty and the error is described. */
#include <string.h>

#include "fuzz.h"
#include "lib/workday.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct workday_csv out;
	struct workday_csv_error err;
	memset(&err, 0, sizeof(err));
	enum status st = workday_csv_parse((const char *)data, size, &out, &err);
	if (st == ST_OK) {
		FUZZ_CHECK(out.count > 0, "an empty file accepted");
		for (size_t i = 0; i < out.count; i++) {
			FUZZ_CHECK(date_is_valid(out.rows[i].date), "row %zu not a real date", i);
			FUZZ_CHECK(workday_years_has(&out.years, out.rows[i].date.year),
				   "year of row %zu not recorded", i);
			if (i)
				FUZZ_CHECK(date_compare(out.rows[i - 1].date, out.rows[i].date) < 0,
					   "rows not ascending at %zu", i);
		}
	} else {
		FUZZ_CHECK(st == ST_INVALID || st == ST_TOO_LARGE || st == ST_NOMEM, "status %d",
			   st);
		FUZZ_CHECK(out.count == 0 && out.rows == NULL, "rows left after a failure");
		FUZZ_CHECK(st == ST_NOMEM || err.message[0], "a refusal without a message");
	}
	workday_csv_release(&out);
	return 0;
}
