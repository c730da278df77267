/* fuzz_date.c: every date and time people send: YYYY-MM-DD (date_parse, query and JSON fields),
 * ISO 8601 timestamps (date_ts_parse), and the forms the enterprise import accepts (2015/6/1,
 * 2015.6.1, 2015年6月1日: ent_parse_date). Checked: what is accepted is a real day that formats
 * back to the same text; timestamps round-trip through date_ts_format. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib/date.h"
#include "modules/enterprises/enterprises.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct date d;
	char buf[DATE_TS_TEXT_SIZE];
	if (date_parse(s, size, &d) == ST_OK) {
		FUZZ_CHECK(date_is_valid(d), "accepted an impossible date");
		FUZZ_CHECK(date_format(d, buf, sizeof(buf)) == ST_OK, "cannot format");
		FUZZ_CHECK(size == 10 && memcmp(buf, s, 10) == 0, "does not round-trip");
		struct date back;
		FUZZ_CHECK(date_from_days(date_to_days(d), &back) == ST_OK &&
				   date_compare(back, d) == 0,
			   "day number does not round-trip");
	}
	int64_t ts;
	if (date_ts_parse(s, size, &ts) == ST_OK) {
		FUZZ_CHECK(ts >= DATE_TS_MIN && ts <= DATE_TS_MAX, "timestamp out of range");
		FUZZ_CHECK(date_ts_format(ts, buf, sizeof(buf)) == ST_OK, "cannot format");
		int64_t again;
		FUZZ_CHECK(date_ts_parse(buf, strlen(buf), &again) == ST_OK && again == ts,
			   "timestamp does not round-trip");
		struct date local;
		(void)date_ts_local_date(ts, &local);
	}
	char *z = fuzz_strndup(data, size);
	char out[11];
	if (ent_parse_date(z, out)) {
		FUZZ_CHECK(date_parse(out, strlen(out), &d) == ST_OK, "import date not a real day");
		FUZZ_CHECK(d.year >= 1900 && d.year <= 2100, "import date out of range");
	}
	free(z);
	return 0;
}
