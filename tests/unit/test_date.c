/* test_date.c: civil dates, day numbers, strict date and timestamp text, the bureau's day. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/date.h"

static struct date ymd(int y, int m, int d)
{
	return (struct date){ .year = y, .month = m, .day = d };
}

/* Days in a month, written independently of lib/date.c (a leap year is any year with Feb 29). */
static int ref_month_days(int y, int m)
{
	bool leap = y % 400 == 0 || (y % 100 != 0 && y % 4 == 0);

	switch (m) {
	case 2:
		return leap ? 29 : 28;
	case 4:
	case 6:
	case 9:
	case 11:
		return 30;
	default:
		return m >= 1 && m <= 12 ? 31 : 0;
	}
}

static void leap_years(void **state)
{
	(void)state;
	assert_true(date_is_leap_year(2000));
	assert_true(date_is_leap_year(2024));
	assert_true(date_is_leap_year(2400));
	assert_false(date_is_leap_year(1900));
	assert_false(date_is_leap_year(2100));
	assert_false(date_is_leap_year(2025));
	assert_int_equal(date_month_days(2024, 2), 29);
	assert_int_equal(date_month_days(2100, 2), 28);
	assert_int_equal(date_month_days(2026, 4), 30);
	assert_int_equal(date_month_days(2026, 12), 31);
	assert_int_equal(date_month_days(2026, 0), 0);
	assert_int_equal(date_month_days(2026, 13), 0);
}

static void known_day_numbers(void **state)
{
	(void)state;
	assert_int_equal(date_to_days(ymd(1970, 1, 1)), 0);
	assert_int_equal(date_to_days(ymd(1970, 1, 2)), 1);
	assert_int_equal(date_to_days(ymd(1969, 12, 31)), -1);
	assert_int_equal(date_to_days(ymd(1900, 1, 1)), -25567);
	assert_int_equal(date_to_days(ymd(2000, 3, 1)), 11017);
	assert_int_equal(date_to_days(ymd(1600, 2, 29)), -135081);
	assert_int_equal(date_to_days(ymd(2026, 11, 26)), 20783);
	assert_int_equal(date_to_days(ymd(1, 1, 1)), -719162);
	assert_int_equal(date_to_days(ymd(9999, 12, 31)), 2932896);

	assert_int_equal(date_weekday(ymd(1970, 1, 1)), 4);
	assert_int_equal(date_weekday(ymd(1900, 1, 1)), 1);
	assert_int_equal(date_weekday(ymd(2026, 11, 26)), 4);
	assert_int_equal(date_weekday(ymd(2400, 12, 31)), 7);
	assert_int_equal(date_weekday(ymd(1600, 2, 29)), 2);
	assert_int_equal(date_weekday(ymd(1, 1, 1)), 1);
	assert_int_equal(date_weekday(ymd(9999, 12, 31)), 5);
	assert_int_equal(date_weekday(ymd(2025, 1, 26)), 7);
	assert_int_equal(date_weekday(ymd(2025, 2, 8)), 6);
}

/* Every day of 1900..2400: day number, weekday, date_from_days, text both ways, add_days. */
static void every_day_1900_to_2400(void **state)
{
	(void)state;
	struct date d = ymd(1900, 1, 1);
	int64_t n = -25567;
	int weekday = 1; /* 1900-01-01 was a Monday */
	long checked = 0;

	while (d.year <= 2400) {
		assert_true(date_is_valid(d));
		assert_int_equal(date_to_days(d), n);
		assert_int_equal(date_weekday(d), weekday);

		struct date back;
		assert_int_equal(date_from_days(n, &back), ST_OK);
		assert_int_equal(date_compare(back, d), 0);

		char want[48], got[DATE_TEXT_SIZE];
		snprintf(want, sizeof(want), "%04d-%02d-%02d", d.year, d.month, d.day);
		assert_int_equal(date_format(d, got, sizeof(got)), ST_OK);
		assert_string_equal(got, want);
		struct date parsed;
		assert_int_equal(date_parse(got, strlen(got), &parsed), ST_OK);
		assert_int_equal(date_compare(parsed, d), 0);

		struct date next;
		assert_int_equal(date_add_days(d, 1, &next), ST_OK);
		assert_int_equal(date_compare(d, next), -1);
		assert_int_equal(date_compare(next, d), 1);
		assert_int_equal(date_days_between(d, next), 1);

		/* Step by hand, independently of the library. */
		if (d.day < ref_month_days(d.year, d.month)) {
			d.day++;
		} else if (d.month < 12) {
			d.month++;
			d.day = 1;
		} else {
			d.year++;
			d.month = d.day = 1;
		}
		assert_int_equal(date_compare(next, d), 0);
		n++;
		weekday = weekday % 7 + 1;
		checked++;
	}
	assert_int_equal(n, date_to_days(ymd(2401, 1, 1)));
	assert_int_equal(checked, 182987); /* 501 years: 501 * 365 + 122 leap days */
}

/* Every month 0..13 and day 0..32 in leap, common and century years: valid or refused. */
static void every_month_day_combination(void **state)
{
	(void)state;
	static const int years[] = { 1900, 2000, 2024, 2025, 2026, 2100, 1, 9999 };
	int refused = 0;

	for (size_t i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
		for (int m = 0; m <= 13; m++) {
			for (int dd = 0; dd <= 32; dd++) {
				struct date d = ymd(years[i], m, dd);
				bool want = dd >= 1 && dd <= ref_month_days(years[i], m);
				char text[48];
				snprintf(text, sizeof(text), "%04d-%02d-%02d", years[i], m, dd);
				struct date out = ymd(-7, -7, -7);
				enum status st = date_parse(text, strlen(text), &out);

				assert_int_equal(date_is_valid(d), want);
				assert_int_equal(st, want ? ST_OK : ST_INVALID);
				if (want) {
					assert_int_equal(date_compare(out, d), 0);
				} else {
					/* Untouched on failure. */
					assert_int_equal(out.year, -7);
					char buf[DATE_TEXT_SIZE] = "unchanged";
					assert_int_equal(date_format(d, buf, sizeof(buf)),
							 ST_INVALID);
					assert_string_equal(buf, "unchanged");
					refused++;
				}
			}
		}
	}
	/* Per year 14 * 33 = 462 combinations, of which 365 or 366 are days. */
	assert_int_equal(refused, 6 * (462 - 365) + 2 * (462 - 366));
}

static void parse_refuses_malformed_text(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"2026-2-03",
		"2026-02-3",
		"2026/02/03",
		"20260203",
		" 2026-02-03",
		"2026-02-03 ",
		"+026-02-03",
		"-026-02-03",
		"2026-0a-03",
		"2026-02-0x",
		"0000-01-01",
		"2026-02-30",
		"2025-02-29",
		"2026-13-01",
		"2026-00-10",
		"2026-01-00",
		"2026-04-31",
		"2026_02_03",
		"2026-02-03T00",
		"02-03-2026",
		"2026-+2-03",
		"2026- 2-03",
		"1900-02-29",
		"２０２６-02-03",
	};
	struct date out;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (date_parse(bad[i], strlen(bad[i]), &out) != ST_INVALID)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	/* Length is what counts: trailing bytes, a short span, an embedded NUL, NULL. */
	assert_int_equal(date_parse("2026-02-03", 9, &out), ST_INVALID);
	assert_int_equal(date_parse("2026-02-031", 11, &out), ST_INVALID);
	assert_int_equal(date_parse("2026-02\0-03", 10, &out), ST_INVALID);
	assert_int_equal(date_parse(NULL, 10, &out), ST_INVALID);
	/* A span inside a longer string is fine. */
	assert_int_equal(date_parse("2024-02-29,holiday", 10, &out), ST_OK);
	assert_int_equal(date_compare(out, ymd(2024, 2, 29)), 0);
	assert_int_equal(date_parse("0001-01-01", 10, &out), ST_OK);
	assert_int_equal(date_parse("9999-12-31", 10, &out), ST_OK);
}

static void format_needs_room(void **state)
{
	(void)state;
	char buf[DATE_TEXT_SIZE];

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(date_format(ymd(2026, 1, 1), buf, DATE_TEXT_SIZE - 1), ST_INTERNAL);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(date_format(ymd(2026, 1, 1), buf, sizeof(buf)), ST_OK);
	assert_string_equal(buf, "2026-01-01");
	assert_int_equal(date_format(ymd(10000, 1, 1), buf, sizeof(buf)), ST_INVALID);
	assert_int_equal(date_format(ymd(0, 1, 1), buf, sizeof(buf)), ST_INVALID);
	assert_int_equal(date_format(ymd(7, 3, 9), buf, sizeof(buf)), ST_OK);
	assert_string_equal(buf, "0007-03-09");
}

static void add_days_and_range(void **state)
{
	(void)state;
	struct date out;

	assert_int_equal(date_add_days(ymd(2024, 2, 28), 1, &out), ST_OK);
	assert_int_equal(date_compare(out, ymd(2024, 2, 29)), 0);
	assert_int_equal(date_add_days(ymd(2025, 2, 28), 1, &out), ST_OK);
	assert_int_equal(date_compare(out, ymd(2025, 3, 1)), 0);
	assert_int_equal(date_add_days(ymd(2026, 1, 1), -1, &out), ST_OK);
	assert_int_equal(date_compare(out, ymd(2025, 12, 31)), 0);
	assert_int_equal(date_add_days(ymd(2026, 3, 1), 0, &out), ST_OK);
	assert_int_equal(date_compare(out, ymd(2026, 3, 1)), 0);
	assert_int_equal(date_add_days(ymd(2000, 1, 1), 146097, &out), ST_OK); /* 400 years */
	assert_int_equal(date_compare(out, ymd(2400, 1, 1)), 0);
	assert_int_equal(date_days_between(ymd(2026, 12, 31), ymd(2026, 1, 1)), -364);

	out = ymd(-7, -7, -7);
	assert_int_equal(date_add_days(ymd(9999, 12, 31), 1, &out), ST_INVALID);
	assert_int_equal(date_add_days(ymd(1, 1, 1), -1, &out), ST_INVALID);
	assert_int_equal(date_add_days(ymd(2026, 1, 1), INT64_MAX, &out), ST_INVALID);
	assert_int_equal(date_add_days(ymd(2026, 1, 1), INT64_MIN, &out), ST_INVALID);
	assert_int_equal(date_add_days(ymd(2026, 2, 30), 1, &out), ST_INVALID);
	assert_int_equal(out.year, -7);
	assert_int_equal(date_add_days(ymd(1, 1, 1), 2932896 + 719162, &out), ST_OK);
	assert_int_equal(date_compare(out, ymd(9999, 12, 31)), 0);

	assert_int_equal(date_from_days(-719163, &out), ST_INVALID);
	assert_int_equal(date_from_days(2932897, &out), ST_INVALID);
	assert_int_equal(date_from_days(INT64_MIN, &out), ST_INVALID);
	assert_int_equal(date_from_days(INT64_MAX, &out), ST_INVALID);
}

static void compare_orders_fields(void **state)
{
	(void)state;
	assert_true(date_compare(ymd(2025, 12, 31), ymd(2026, 1, 1)) < 0);
	assert_true(date_compare(ymd(2026, 2, 1), ymd(2026, 1, 31)) > 0);
	assert_true(date_compare(ymd(2026, 1, 2), ymd(2026, 1, 1)) > 0);
	assert_int_equal(date_compare(ymd(2026, 1, 1), ymd(2026, 1, 1)), 0);
}

static void timestamp_format(void **state)
{
	(void)state;
	char buf[DATE_TS_TEXT_SIZE];

	assert_int_equal(date_ts_format(0, buf, sizeof(buf)), ST_OK);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(date_ts_format(1795658584, buf, sizeof(buf)), ST_OK);
	assert_string_equal(buf, "2026-11-26T02:03:04Z");
	assert_int_equal(date_ts_format(-1, buf, sizeof(buf)), ST_OK);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	assert_int_equal(date_ts_format(-2208988800, buf, sizeof(buf)), ST_OK);
	assert_string_equal(buf, "1900-01-01T00:00:00Z");
	assert_int_equal(date_ts_format(951782400, buf, sizeof(buf)), ST_OK);
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
	assert_int_equal(date_ts_format(DATE_TS_MIN, buf, sizeof(buf)), ST_OK);
	assert_string_equal(buf, "0001-01-01T00:00:00Z");
	assert_int_equal(date_ts_format(DATE_TS_MAX, buf, sizeof(buf)), ST_OK);
	assert_string_equal(buf, "9999-12-31T23:59:59Z");

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(date_ts_format(DATE_TS_MAX + 1, buf, sizeof(buf)), ST_INVALID);
	assert_int_equal(date_ts_format(DATE_TS_MIN - 1, buf, sizeof(buf)), ST_INVALID);
	assert_int_equal(date_ts_format(INT64_MIN, buf, sizeof(buf)), ST_INVALID);
	assert_int_equal(date_ts_format(0, buf, DATE_TS_TEXT_SIZE - 1), ST_INTERNAL);
	assert_int_equal(buf[0], 'x');
}

static void timestamp_parse(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int64_t ts;
	} good[] = {
		{ "2026-11-26T02:03:04Z", 1795658584 },
		{ "2026-11-26T10:03:04+08:00", 1795658584 },
		{ "2026-11-25T21:03:04-05:00", 1795658584 },
		{ "2026-11-26T07:33:04+05:30", 1795658584 },
		{ "2026-11-26T02:03:04+00:00", 1795658584 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "2000-02-29T23:59:59Z", 951868799 },
		{ "0001-01-01T00:00:00Z", DATE_TS_MIN },
		{ "9999-12-31T23:59:59Z", DATE_TS_MAX },
		{ "0001-01-01T00:00:00-00:01", DATE_TS_MIN + 60 },
	};
	static const char *const bad[] = {
		"2026-11-26T02:03:04",	      /* no zone */
		"2026-11-26t02:03:04Z",	      /* lower-case t */
		"2026-11-26T02:03:04z",	      /* lower-case z */
		"2026-11-26 02:03:04Z",	      /* space for T */
		"2026-11-26T02:03:04.5Z",     /* fraction */
		"2026-11-26T02:03:04.000Z",   /* fraction */
		"2026-11-26T02:03:60Z",	      /* leap second */
		"2026-11-26T24:00:00Z",	      /* hour 24 */
		"2026-11-26T02:60:00Z",	      /* minute 60 */
		"2026-11-26T2:03:04Z",	      /* one-digit hour */
		"2026-11-26T02:03:04+0800",   /* offset without colon */
		"2026-11-26T02:03:04+08",     /* offset without minutes */
		"2026-11-26T02:03:04+24:00",  /* offset hour */
		"2026-11-26T02:03:04+08:60",  /* offset minute */
		"2026-11-26T02:03:04-00:00",  /* unknown offset */
		"2026-11-26T02:03:04Z ",      /* trailing byte */
		"2026-11-26T02:03:04+08:00Z", /* trailing byte */
		"2026-02-30T02:03:04Z",	      /* no such day */
		"2026-11-26T02-03-04Z",	      /* wrong separators */
		"2026-11-26T02:03:04 08:00",  /* no sign */
		"0001-01-01T00:00:00+00:01",  /* before 0001-01-01T00:00:00Z */
		"9999-12-31T23:59:59-00:01",  /* after 9999-12-31T23:59:59Z */
		"",
	};
	int64_t ts;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ts = 42;
		if (date_ts_parse(good[i].text, strlen(good[i].text), &ts) != ST_OK)
			fail_msg("refused \"%s\"", good[i].text);
		assert_int_equal(ts, good[i].ts);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ts = 42;
		if (date_ts_parse(bad[i], strlen(bad[i]), &ts) != ST_INVALID)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(ts, 42);
	}
	assert_int_equal(date_ts_parse("2026-11-26T02:03:04Zjunk", 20, &ts), ST_OK);
	assert_int_equal(ts, 1795658584);
	assert_int_equal(date_ts_parse(NULL, 20, &ts), ST_INVALID);
}

/* Format and parse agree over the whole range, at a stride that lands on many times of day. */
static void timestamp_round_trip(void **state)
{
	(void)state;
	char buf[DATE_TS_TEXT_SIZE];
	long n = 0;

	for (int64_t ts = DATE_TS_MIN; ts <= DATE_TS_MAX; ts += 7000003) {
		int64_t back;
		assert_int_equal(date_ts_format(ts, buf, sizeof(buf)), ST_OK);
		assert_int_equal(date_ts_parse(buf, strlen(buf), &back), ST_OK);
		assert_int_equal(back, ts);
		n++;
	}
	assert_true(n > 40000);
	for (int64_t ts = -100000; ts <= 100000; ts += 7) {
		int64_t back;
		assert_int_equal(date_ts_format(ts, buf, sizeof(buf)), ST_OK);
		assert_int_equal(date_ts_parse(buf, strlen(buf), &back), ST_OK);
		assert_int_equal(back, ts);
	}
}

static void bureau_calendar_day(void **state)
{
	(void)state;
	struct date d;
	int64_t ts;

	/* 2026-11-26 00:00 in Beijing is 2026-11-25T16:00:00Z. */
	assert_int_equal(date_ts_local_date(1795622400 - 1, &d), ST_OK);
	assert_int_equal(date_compare(d, ymd(2026, 11, 25)), 0);
	assert_int_equal(date_ts_local_date(1795622400, &d), ST_OK);
	assert_int_equal(date_compare(d, ymd(2026, 11, 26)), 0);
	assert_int_equal(date_ts_local_date(1795658584, &d), ST_OK);
	assert_int_equal(date_compare(d, ymd(2026, 11, 26)), 0);
	assert_int_equal(date_ts_local_date(1795622400 + 86400 - 1, &d), ST_OK);
	assert_int_equal(date_compare(d, ymd(2026, 11, 26)), 0);
	assert_int_equal(date_ts_local_date(1795622400 + 86400, &d), ST_OK);
	assert_int_equal(date_compare(d, ymd(2026, 11, 27)), 0);
	/* Before the epoch: 1969-12-31T16:00:00Z is already 1970-01-01 in Beijing. */
	assert_int_equal(date_ts_local_date(-8 * 3600, &d), ST_OK);
	assert_int_equal(date_compare(d, ymd(1970, 1, 1)), 0);
	assert_int_equal(date_ts_local_date(-8 * 3600 - 1, &d), ST_OK);
	assert_int_equal(date_compare(d, ymd(1969, 12, 31)), 0);
	/* The last seconds of 9999 in UTC are already year 10000 in Beijing. */
	assert_int_equal(date_ts_local_date(DATE_TS_MAX, &d), ST_INVALID);
	assert_int_equal(date_ts_local_date(INT64_MAX, &d), ST_INVALID);
	assert_int_equal(date_ts_local_date(INT64_MIN, &d), ST_INVALID);

	assert_int_equal(date_local_midnight_ts(ymd(2026, 11, 26), &ts), ST_OK);
	assert_int_equal(ts, 1795622400);
	assert_int_equal(date_local_midnight_ts(ymd(2026, 2, 29), &ts), ST_INVALID);

	/* Every day of 2020..2030: midnight and the second before it land on the right days. */
	for (struct date day = ymd(2020, 1, 1); day.year <= 2030;) {
		struct date got, next;
		assert_int_equal(date_local_midnight_ts(day, &ts), ST_OK);
		assert_int_equal(date_ts_local_date(ts, &got), ST_OK);
		assert_int_equal(date_compare(got, day), 0);
		assert_int_equal(date_ts_local_date(ts + 86399, &got), ST_OK);
		assert_int_equal(date_compare(got, day), 0);
		assert_int_equal(date_add_days(day, 1, &next), ST_OK);
		assert_int_equal(date_ts_local_date(ts + 86400, &got), ST_OK);
		assert_int_equal(date_compare(got, next), 0);
		day = next;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(leap_years),
		cmocka_unit_test(known_day_numbers),
		cmocka_unit_test(every_day_1900_to_2400),
		cmocka_unit_test(every_month_day_combination),
		cmocka_unit_test(parse_refuses_malformed_text),
		cmocka_unit_test(format_needs_room),
		cmocka_unit_test(add_days_and_range),
		cmocka_unit_test(compare_orders_fields),
		cmocka_unit_test(timestamp_format),
		cmocka_unit_test(timestamp_parse),
		cmocka_unit_test(timestamp_round_trip),
		cmocka_unit_test(bureau_calendar_day),
	};
	return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
