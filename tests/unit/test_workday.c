/* test_workday.c: working days over the real data/holidays.csv, and the calendar file reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/workday.h"

#define HOLIDAYS_CSV "data/holidays.csv"

static struct date ymd(int y, int m, int d)
{
	return (struct date){ .year = y, .month = m, .day = d };
}

/* The calendar of data/holidays.csv, read once from the repository root (tests run there). */
static struct workday_csv real_csv;
static struct workday_calendar real;

static int load_real(void **state)
{
	(void)state;
	FILE *f = fopen(HOLIDAYS_CSV, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s; run the tests from the repository root\n",
			HOLIDAYS_CSV);
		return -1;
	}
	static char buf[WORKDAY_CSV_MAX_BYTES + 1];
	size_t len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	struct workday_csv_error err;
	if (workday_csv_parse(buf, len, &real_csv, &err) != ST_OK) {
		fprintf(stderr, "%s row %zu: %s\n", HOLIDAYS_CSV, err.row, err.message);
		return -1;
	}
	if (workday_calendar_init(&real, real_csv.rows, real_csv.count, &real_csv.years) != ST_OK)
		return -1;
	return 0;
}

static int free_real(void **state)
{
	(void)state;
	workday_csv_release(&real_csv);
	return 0;
}

static void expect_add(struct date from, int n, struct date want)
{
	struct date out = ymd(0, 0, 0);
	enum status st = workday_add(&real, from, n, &out);
	if (st != ST_OK || date_compare(out, want) != 0)
		fail_msg(
			"workday_add(%04d-%02d-%02d, %d) = %d, %04d-%02d-%02d; want %04d-%02d-%02d",
			from.year, from.month, from.day, n, (int)st, out.year, out.month, out.day,
			want.year, want.month, want.day);
}

/* Check the days from first on against pattern: W a working day, - a rest day. */
static void expect_days(struct date first, const char *pattern)
{
	struct date d = first;
	for (const char *p = pattern; *p; p++) {
		bool working;
		assert_int_equal(workday_is_working(&real, d, &working), ST_OK);
		if (working != (*p == 'W'))
			fail_msg("%04d-%02d-%02d should be %s", d.year, d.month, d.day,
				 *p == 'W' ? "a working day" : "a rest day");
		assert_int_equal(date_add_days(d, 1, &d), ST_OK);
	}
}

static void real_file_loads(void **state)
{
	(void)state;
	assert_int_equal(real.years.first, 2020);
	assert_true(real.years.last >= 2026);
	for (int y = real.years.first; y <= real.years.last; y++)
		assert_true(workday_years_has(&real.years, y));
	assert_false(workday_years_has(&real.years, 2019));
	assert_false(workday_years_has(&real.years, real.years.last + 1));
	for (size_t i = 1; i < real.count; i++)
		assert_true(date_compare(real.days[i - 1].date, real.days[i].date) < 0);

	const struct workday_special *s = workday_special_find(&real, ymd(2025, 10, 6));
	assert_non_null(s);
	assert_int_equal(s->kind, WORKDAY_HOLIDAY);
	assert_string_equal(s->name, "中秋节");
	s = workday_special_find(&real, ymd(2026, 2, 14));
	assert_non_null(s);
	assert_int_equal(s->kind, WORKDAY_WORKDAY);
	assert_string_equal(s->name, "春节");
	assert_null(workday_special_find(&real, ymd(2026, 3, 3)));
	assert_null(workday_special_find(&real, ymd(2030, 1, 1)));
}

/* 2025 春节: off 01-28..02-04, working Sunday 01-26 and Saturday 02-08. */
static void spring_festival_2025(void **state)
{
	(void)state;
	/*                 Fri 01-24 .. Mon 02-10 */
	expect_days(ymd(2025, 1, 24), "W-WW--------WWWW-W");
	expect_add(ymd(2025, 1, 24), 1, ymd(2025, 1, 26));
	expect_add(ymd(2025, 1, 24), 2, ymd(2025, 1, 27));
	expect_add(ymd(2025, 1, 24), 3, ymd(2025, 2, 5));
	expect_add(ymd(2025, 1, 27), 1, ymd(2025, 2, 5));
	expect_add(ymd(2025, 1, 28), 1, ymd(2025, 2, 5));
	expect_add(ymd(2025, 2, 7), 1, ymd(2025, 2, 8));
	expect_add(ymd(2025, 2, 7), 2, ymd(2025, 2, 10));
	expect_add(ymd(2025, 1, 20), 10, ymd(2025, 2, 8));
}

/* 2025 国庆节、中秋节: off 10-01..10-08, working Sunday 09-28 and Saturday 10-11. */
static void national_day_2025(void **state)
{
	(void)state;
	/*                 Fri 09-26 .. Mon 10-13 */
	expect_days(ymd(2025, 9, 26), "W-WWW--------WWW-W");
	expect_add(ymd(2025, 9, 26), 1, ymd(2025, 9, 28));
	expect_add(ymd(2025, 9, 26), 3, ymd(2025, 9, 30));
	expect_add(ymd(2025, 9, 26), 4, ymd(2025, 10, 9));
	expect_add(ymd(2025, 9, 26), 6, ymd(2025, 10, 11));
	expect_add(ymd(2025, 9, 26), 7, ymd(2025, 10, 13));
	expect_add(ymd(2025, 9, 30), 1, ymd(2025, 10, 9));

	int n = -1;
	/* October 2025: 10-09, 10-10, 10-11 and three full weeks. */
	assert_int_equal(workday_count_between(&real, ymd(2025, 9, 30), ymd(2025, 10, 31), &n),
			 ST_OK);
	assert_int_equal(n, 18);
}

/* 2026 春节: off 02-15..02-23, working Saturdays 02-14 and 02-28. */
static void spring_festival_2026(void **state)
{
	(void)state;
	/*                 Fri 02-13 .. Mon 03-02 */
	expect_days(ymd(2026, 2, 13), "WW---------WWWWW-W");
	expect_days(ymd(2026, 2, 28), "W-W");
	expect_add(ymd(2026, 2, 13), 1, ymd(2026, 2, 14));
	expect_add(ymd(2026, 2, 13), 2, ymd(2026, 2, 24));
	expect_add(ymd(2026, 2, 14), 1, ymd(2026, 2, 24));
	expect_add(ymd(2026, 2, 27), 1, ymd(2026, 2, 28));
	expect_add(ymd(2026, 2, 27), 2, ymd(2026, 3, 2));
	expect_add(ymd(2026, 2, 12), 5, ymd(2026, 2, 26));
}

/* 2026 中秋节 09-25..09-27 and 国庆节 10-01..10-07, working Sunday 09-20 and Saturday 10-10. */
static void national_day_2026(void **state)
{
	(void)state;
	/*                 Fri 09-18 .. Mon 10-12 */
	expect_days(ymd(2026, 9, 18), "W-WWWWW---WWW-------WWW-W");
	expect_add(ymd(2026, 9, 18), 1, ymd(2026, 9, 20));
	expect_add(ymd(2026, 9, 18), 5, ymd(2026, 9, 24));
	expect_add(ymd(2026, 9, 18), 6, ymd(2026, 9, 28));
	expect_add(ymd(2026, 9, 30), 1, ymd(2026, 10, 8));
	expect_add(ymd(2026, 9, 30), 3, ymd(2026, 10, 10));
	expect_add(ymd(2026, 9, 30), 4, ymd(2026, 10, 12));
}

/*
 * Working days of whole years. 2025: 261 weekdays, 18 of them off, 5 working weekend days = 248.
 * 2026: 261 weekdays, 19 of them off, 6 working weekend days = 248.
 */
static void whole_years(void **state)
{
	(void)state;
	int n = -1;
	assert_int_equal(workday_count_between(&real, ymd(2024, 12, 31), ymd(2025, 12, 31), &n),
			 ST_OK);
	assert_int_equal(n, 248);
	assert_int_equal(workday_count_between(&real, ymd(2025, 12, 31), ymd(2026, 12, 31), &n),
			 ST_OK);
	assert_int_equal(n, 248);

	const struct workday_special *rows;
	size_t count = 0;
	assert_int_equal(workday_year_list(&real, 2025, &rows, &count), ST_OK);
	assert_int_equal(count, 33);
	assert_int_equal(date_compare(rows[0].date, ymd(2025, 1, 1)), 0);
	assert_int_equal(date_compare(rows[count - 1].date, ymd(2025, 10, 11)), 0);
	assert_int_equal(workday_year_list(&real, 2019, &rows, &count), ST_NOT_FOUND);
	/* 2022-12-31 opens the 2023 New Year break; it belongs to 2022 all the same. */
	assert_int_equal(workday_year_list(&real, 2022, &rows, &count), ST_OK);
	assert_int_equal(date_compare(rows[count - 1].date, ymd(2022, 12, 31)), 0);
	assert_string_equal(rows[count - 1].name, "元旦");
	assert_int_equal(workday_year_list(&real, 2023, &rows, &count), ST_OK);
	assert_int_equal(date_compare(rows[0].date, ymd(2023, 1, 1)), 0);
}

/* n = 0 gives from; add and count agree for every day of the data and n up to 40. */
static void add_and_count_agree(void **state)
{
	(void)state;
	struct date out;

	assert_int_equal(workday_add(&real, ymd(2025, 10, 1), 0, &out), ST_OK);
	assert_int_equal(date_compare(out, ymd(2025, 10, 1)), 0);
	/* n = 0 looks at no day, so even an unloaded year gives from back. */
	assert_int_equal(workday_add(&real, ymd(2035, 6, 1), 0, &out), ST_OK);
	assert_int_equal(date_compare(out, ymd(2035, 6, 1)), 0);

	for (struct date from = ymd(2020, 1, 1); date_compare(from, ymd(2026, 11, 1)) < 0;) {
		struct date prev = from;
		for (int n = 0; n <= 40; n++) {
			int count = -1;
			bool working;
			assert_int_equal(workday_add(&real, from, n, &out), ST_OK);
			assert_int_equal(workday_count_between(&real, from, out, &count), ST_OK);
			assert_int_equal(count, n);
			if (n > 0) {
				assert_true(date_compare(out, prev) > 0);
				assert_int_equal(workday_is_working(&real, out, &working), ST_OK);
				assert_true(working);
				/* No working day between the previous result and this one. */
				assert_int_equal(workday_count_between(&real, prev, out, &count),
						 ST_OK);
				assert_int_equal(count, 1);
			}
			prev = out;
		}
		assert_int_equal(date_add_days(from, 1, &from), ST_OK);
	}
}

static void refuses_unloaded_years_and_bad_input(void **state)
{
	(void)state;
	struct date out = ymd(1, 2, 3);
	int count = 7;
	bool working;

	/* Last loaded day works; a day into an unloaded year does not. */
	int last = real.years.last;
	assert_int_equal(workday_add(&real, ymd(last, 12, 30), 400, &out), ST_INVALID);
	assert_int_equal(workday_add(&real, ymd(last, 12, 1), 40, &out), ST_INVALID);
	assert_int_equal(workday_add(&real, ymd(last + 1, 3, 2), 1, &out), ST_INVALID);
	assert_int_equal(out.year, 1);
	assert_int_equal(workday_is_working(&real, ymd(last + 1, 1, 4), &working), ST_INVALID);
	assert_int_equal(workday_is_working(&real, ymd(2019, 12, 31), &working), ST_INVALID);
	assert_int_equal(
		workday_count_between(&real, ymd(last, 12, 1), ymd(last + 1, 1, 5), &count),
		ST_INVALID);
	assert_int_equal(workday_count_between(&real, ymd(2019, 12, 1), ymd(2020, 1, 5), &count),
			 ST_INVALID);
	assert_int_equal(count, 7);

	/* From the last day of an unloaded year, only the next days are looked at. */
	assert_int_equal(workday_add(&real, ymd(2019, 12, 31), 1, &out), ST_OK);
	assert_int_equal(date_compare(out, ymd(2020, 1, 2)), 0);
	assert_int_equal(workday_count_between(&real, ymd(2019, 12, 31), ymd(2020, 1, 2), &count),
			 ST_OK);
	assert_int_equal(count, 1);

	/* n out of range, invalid dates. */
	assert_int_equal(workday_add(&real, ymd(2025, 1, 2), -1, &out), ST_INVALID);
	assert_int_equal(workday_add(&real, ymd(2020, 1, 1), WORKDAY_ADD_MAX + 1, &out),
			 ST_INVALID);
	assert_int_equal(workday_add(&real, ymd(2020, 1, 1), INT32_MIN, &out), ST_INVALID);
	assert_int_equal(workday_add(&real, ymd(2020, 1, 1), WORKDAY_ADD_MAX, &out), ST_OK);
	assert_int_equal(out.year, 2024);
	assert_int_equal(workday_add(&real, ymd(2025, 2, 29), 1, &out), ST_INVALID);
	assert_int_equal(workday_is_working(&real, ymd(2025, 13, 1), &working), ST_INVALID);
	assert_int_equal(workday_count_between(&real, ymd(2025, 1, 0), ymd(2025, 2, 1), &count),
			 ST_INVALID);

	/* Empty and backward intervals count nothing. */
	assert_int_equal(workday_count_between(&real, ymd(2025, 3, 3), ymd(2025, 3, 3), &count),
			 ST_OK);
	assert_int_equal(count, 0);
	assert_int_equal(workday_count_between(&real, ymd(2025, 3, 10), ymd(2025, 3, 3), &count),
			 ST_OK);
	assert_int_equal(count, 0);
}

/* A calendar with a hole: 2024 and 2026 loaded, 2025 not. */
static void gap_year_is_refused(void **state)
{
	(void)state;
	struct workday_years ys;
	struct workday_calendar cal;
	struct date out;

	workday_years_init(&ys);
	assert_int_equal(workday_years_add(&ys, 2026), ST_OK);
	assert_int_equal(workday_years_add(&ys, 2024), ST_OK);
	assert_int_equal(workday_years_add(&ys, 1999), ST_INVALID);
	assert_int_equal(workday_years_add(&ys, 2200), ST_INVALID);
	assert_int_equal(ys.first, 2024);
	assert_int_equal(ys.last, 2026);
	assert_int_equal(workday_calendar_init(&cal, NULL, 0, &ys), ST_OK);
	assert_int_equal(workday_add(&cal, ymd(2024, 12, 30), 1, &out), ST_OK);
	assert_int_equal(date_compare(out, ymd(2024, 12, 31)), 0);
	assert_int_equal(workday_add(&cal, ymd(2024, 12, 30), 2, &out), ST_INVALID);
	assert_int_equal(workday_add(&cal, ymd(2025, 12, 31), 1, &out), ST_OK);
	assert_int_equal(date_compare(out, ymd(2026, 1, 1)), 0); /* no holidays loaded here */
}

static void calendar_init_checks_days(void **state)
{
	(void)state;
	struct workday_years ys;
	struct workday_calendar cal;
	struct workday_special days[2] = {
		{ .date = { 2026, 10, 1 }, .kind = WORKDAY_HOLIDAY, .name = "国庆节" },
		{ .date = { 2026, 10, 10 }, .kind = WORKDAY_WORKDAY, .name = "国庆节" },
	};

	workday_years_init(&ys);
	/* 2026 not loaded */
	assert_int_equal(workday_calendar_init(&cal, days, 2, &ys), ST_INVALID);
	assert_int_equal(workday_years_add(&ys, 2026), ST_OK);
	assert_int_equal(workday_calendar_init(&cal, days, 2, &ys), ST_OK);
	assert_int_equal(cal.count, 2);

	days[1].date = ymd(2026, 10, 1); /* twice the same date */
	days[1].kind = WORKDAY_HOLIDAY;
	assert_int_equal(workday_calendar_init(&cal, days, 2, &ys), ST_INVALID);
	assert_int_equal(cal.count, 0);
	days[1].date = ymd(2026, 9, 20); /* out of order (a Sunday, so only the order is wrong) */
	days[1].kind = WORKDAY_WORKDAY;
	assert_int_equal(workday_calendar_init(&cal, days, 2, &ys), ST_INVALID);
	days[1].date = ymd(2026, 10, 9); /* a Friday marked workday */
	assert_int_equal(workday_calendar_init(&cal, days, 2, &ys), ST_INVALID);
	days[1].date = ymd(2026, 10, 10);
	days[1].kind = (enum workday_kind)0;
	assert_int_equal(workday_calendar_init(&cal, days, 2, &ys), ST_INVALID);
	days[1].kind = WORKDAY_WORKDAY;
	memset(days[1].name, 'x', sizeof(days[1].name)); /* no NUL */
	assert_int_equal(workday_calendar_init(&cal, days, 2, &ys), ST_INVALID);
	assert_int_equal(workday_calendar_init(&cal, NULL, 2, &ys), ST_INVALID);
}

/* ---- the file reader ---- */

static void csv_accepts_bom_crlf_blank_lines_any_order(void **state)
{
	(void)state;
	static const char text[] = "\xef\xbb\xbf"
				   "\r\n"
				   "date,kind,name\r\n"
				   "2026-10-10,workday,国庆节\r\n"
				   "\r\n"
				   "2026-10-01,holiday,国庆节\r\n"
				   ",,\r\n"
				   " \t \r\n"
				   "2025-01-01,holiday,元旦";
	struct workday_csv csv;
	struct workday_csv_error err;

	assert_int_equal(workday_csv_parse(text, sizeof(text) - 1, &csv, &err), ST_OK);
	assert_int_equal(csv.count, 3);
	assert_int_equal(date_compare(csv.rows[0].date, ymd(2025, 1, 1)), 0);
	assert_string_equal(csv.rows[0].name, "元旦");
	assert_int_equal(date_compare(csv.rows[1].date, ymd(2026, 10, 1)), 0);
	assert_int_equal(csv.rows[1].kind, WORKDAY_HOLIDAY);
	assert_int_equal(date_compare(csv.rows[2].date, ymd(2026, 10, 10)), 0);
	assert_int_equal(csv.rows[2].kind, WORKDAY_WORKDAY);
	assert_string_equal(csv.rows[2].name, "国庆节");
	assert_int_equal(csv.years.first, 2025);
	assert_int_equal(csv.years.last, 2026);
	assert_true(workday_years_has(&csv.years, 2025));
	assert_false(workday_years_has(&csv.years, 2024));
	workday_csv_release(&csv);
	assert_null(csv.rows);
	assert_int_equal(csv.count, 0);
	workday_csv_release(&csv); /* twice is harmless */
	workday_csv_release(NULL);
}

struct bad_case {
	const char *text;
	enum status st;
	size_t row;
	const char *field; /* NULL: no field */
	const char *message_part;
};

#define H "date,kind,name\n"

static const struct bad_case bad_cases[] = {
	{ "", ST_INVALID, 0, NULL, "表头" },
	{ "\n\r\n", ST_INVALID, 0, NULL, "表头" },
	{ "Date,Kind,Name\n2026-10-01,holiday,国庆节\n", ST_INVALID, 1, NULL, "表头" },
	{ "date,kind\n", ST_INVALID, 1, NULL, "表头" },
	{ "2026-10-01,holiday,国庆节\n", ST_INVALID, 1, NULL, "表头" },
	{ H, ST_INVALID, 0, NULL, "没有任何日期" },
	{ H "2026-10-01,holiday,国庆节\n2026-2-01,holiday,春节\n", ST_INVALID, 3, "date",
	  "日期格式错误" },
	{ H "2026/10/01,holiday,国庆节\n", ST_INVALID, 2, "date", "日期格式错误" },
	{ H " 2026-10-01,holiday,国庆节\n", ST_INVALID, 2, "date", "日期格式错误" },
	{ H "2026-02-30,holiday,春节\n", ST_INVALID, 2, "date", "日期不存在：2026-02-30" },
	{ H "2026-13-01,holiday,春节\n", ST_INVALID, 2, "date", "日期不存在" },
	{ H "1999-10-01,holiday,国庆节\n", ST_INVALID, 2, "date", "年份超出支持范围" },
	{ H "2026-10-01,Holiday,国庆节\n", ST_INVALID, 2, "kind", "类型必须是 holiday" },
	{ H "2026-10-01,,国庆节\n", ST_INVALID, 2, "kind", "类型必须是 holiday" },
	{ H "2026-10-01,holiday ,国庆节\n", ST_INVALID, 2, "kind", "类型必须是 holiday" },
	{ H "2026-10-09,workday,国庆节\n", ST_INVALID, 2, "kind", "不是周六或周日" },
	{ H "2026-10-01,holiday,\n", ST_INVALID, 2, "name", "名称不能为空" },
	{ H "2026-10-01,holiday,\xb4\xba\xbd\xda\n", ST_INVALID, 2, "name", "UTF-8" },
	{ H "2026-10-01,holiday,\xed\xa0\x80\n", ST_INVALID, 2, "name", "UTF-8" },
	{ H "2026-10-01,holiday,\xc0\xaf\n", ST_INVALID, 2, "name", "UTF-8" },
	{ H "2026-10-01,holiday,\xe0\x80\xaf\n", ST_INVALID, 2, "name", "UTF-8" },
	{ H "2026-10-01,holiday,\xf0\x80\x80\xaf\n", ST_INVALID, 2, "name", "UTF-8" },
	{ H "2026-10-01,holiday,\xf4\x90\x80\x80\n", ST_INVALID, 2, "name", "UTF-8" },
	{ H "2026-10-01,holiday,\xf5\x80\x80\x80\n", ST_INVALID, 2, "name", "UTF-8" },
	{ H "2026-10-01,holiday,\x80\n", ST_INVALID, 2, "name", "UTF-8" },
	{ H "2026-10-01,holiday,国庆\xe8\n", ST_INVALID, 2, "name", "UTF-8" },
	{ H "2026-10-01,holiday,\"国庆节\"\n", ST_INVALID, 2, "name", "引号" },
	{ H "2026-10-01,holiday,国庆\t节\n", ST_INVALID, 2, "name", "控制字符" },
	{ H "2026-10-01,holiday,国庆节\r\r\n", ST_INVALID, 2, "name", "控制字符" },
	{ H "2026-10-01,holiday,一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二\n",
	  ST_INVALID, 2, "name", "名称过长" },
	{ H "2026-10-01,holiday\n", ST_INVALID, 2, NULL, "3 列" },
	{ H "2026-10-01,holiday,国庆节,多余\n", ST_INVALID, 2, NULL, "3 列" },
	{ H "2026-10-01\n", ST_INVALID, 2, NULL, "3 列" },
	/* Duplicates: the second occurrence is the error, naming the first. */
	{ H "2026-10-01,holiday,国庆节\n2026-10-02,holiday,国庆节\n\n2026-10-01,holiday,国庆节\n",
	  ST_INVALID, 5, "date", "日期重复：2026-10-01 已在第 2 行出现" },
	/* The first error in file order wins: a duplicate on row 3 before a bad row 5 ... */
	{ H "2026-10-01,holiday,国庆节\n2026-10-01,holiday,国庆节\n2026-10-02,holiday,国庆节\n"
	    "2026-10-03,x,国庆节\n",
	  ST_INVALID, 3, "date", "日期重复" },
	/* ... and a bad row 2 before a duplicate on row 4. */
	{ H "2026-10-0x,holiday,国庆节\n2026-10-01,holiday,国庆节\n2026-10-01,holiday,国庆节\n",
	  ST_INVALID, 2, "date", "日期格式错误" },
	/* Of two duplicated dates, the one repeated first. */
	{ H "2026-10-02,holiday,国庆节\n2026-10-01,holiday,国庆节\n2026-10-01,holiday,国庆节\n"
	    "2026-10-02,holiday,国庆节\n",
	  ST_INVALID, 4, "date", "已在第 3 行出现" },
};

static void csv_reports_first_error_with_row(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct workday_csv csv;
		struct workday_csv_error err;
		enum status st = workday_csv_parse(c->text, strlen(c->text), &csv, &err);

		if (st != c->st || err.row != c->row || !strstr(err.message, c->message_part) ||
		    (c->field == NULL) != (err.field == NULL) ||
		    (c->field && strcmp(c->field, err.field) != 0))
			fail_msg("case %zu: got status %d row %zu field %s message \"%s\"; want "
				 "status %d "
				 "row %zu field %s message with \"%s\"",
				 i, (int)st, err.row, err.field ? err.field : "(none)", err.message,
				 (int)c->st, c->row, c->field ? c->field : "(none)",
				 c->message_part);
		assert_null(csv.rows);
		assert_int_equal(csv.count, 0);
		assert_int_equal(csv.years.first, 0);
		workday_csv_release(&csv);
	}
}

static void csv_limits(void **state)
{
	(void)state;
	struct workday_csv csv;
	struct workday_csv_error err;
	static const char ok[] =
		H "2026-10-01,holiday,"
		  "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一\n";

	/* 31 Chinese characters (93 bytes) is the longest name. */
	assert_int_equal(workday_csv_parse(ok, sizeof(ok) - 1, &csv, NULL), ST_OK);
	assert_int_equal(strlen(csv.rows[0].name), 93);
	workday_csv_release(&csv);

	/* Over the size limit, refused before reading. */
	char *big = malloc(WORKDAY_CSV_MAX_BYTES + 1);
	assert_non_null(big);
	memset(big, '\n', WORKDAY_CSV_MAX_BYTES + 1);
	memcpy(big, H, strlen(H));
	assert_int_equal(workday_csv_parse(big, WORKDAY_CSV_MAX_BYTES + 1, &csv, &err),
			 ST_TOO_LARGE);
	assert_int_equal(err.row, 0);
	assert_non_null(strstr(err.message, "文件过大"));
	assert_null(csv.rows);
	/* At the limit, blank lines are just skipped. */
	assert_int_equal(workday_csv_parse(big, WORKDAY_CSV_MAX_BYTES, &csv, &err), ST_INVALID);
	assert_non_null(strstr(err.message, "没有任何日期"));
	free(big);

	/* A NUL byte inside is not the end of the text. */
	static const char nul[] = H "2026-10-01,holiday,国\0庆节\n";
	assert_int_equal(workday_csv_parse(nul, sizeof(nul) - 1, &csv, &err), ST_INVALID);
	assert_int_equal(err.row, 2);
	assert_string_equal(err.field, "name");
	assert_int_equal(workday_csv_parse(NULL, 0, &csv, &err), ST_INVALID);
	assert_int_equal(workday_csv_parse(NULL, 5, &csv, &err), ST_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_file_loads),
		cmocka_unit_test(spring_festival_2025),
		cmocka_unit_test(national_day_2025),
		cmocka_unit_test(spring_festival_2026),
		cmocka_unit_test(national_day_2026),
		cmocka_unit_test(whole_years),
		cmocka_unit_test(add_and_count_agree),
		cmocka_unit_test(refuses_unloaded_years_and_bad_input),
		cmocka_unit_test(gap_year_is_refused),
		cmocka_unit_test(calendar_init_checks_days),
		cmocka_unit_test(csv_accepts_bom_crlf_blank_lines_any_order),
		cmocka_unit_test(csv_reports_first_error_with_row),
		cmocka_unit_test(csv_limits),
	};
	return cmocka_run_group_tests_name("workday", tests, load_real, free_real);
}
