/* date.c: Gregorian date arithmetic, strict date and timestamp text, the bureau's calendar day. */
#include "lib/date.h"

#include <assert.h>

#define SECONDS_PER_DAY 86400

/* Day numbers of 0001-01-01 and 9999-12-31. */
#define DAYS_MIN (-719162LL)
#define DAYS_MAX 2932896LL

bool date_is_leap_year(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_month_days(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && date_is_leap_year(year))
		return 29;
	return days[month - 1];
}

bool date_is_valid(struct date d)
{
	if (d.year < DATE_YEAR_MIN || d.year > DATE_YEAR_MAX)
		return false;
	return d.day >= 1 && d.day <= date_month_days(d.year, d.month);
}

/*
 * Day number from civil date and back: the algorithms of Howard Hinnant's "chrono-Compatible
 * Low-Level Date Algorithms", counting in eras of 400 years (146097 days) that start on March 1,
 * so the leap day is the last day of a year and needs no special case.
 */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;				       /* 0..399 */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	       /* 0..146096 */
	return era * 146097 + doe - 719468;
}

static struct date civil_from_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;					     /* 0..146096 */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		     /* 0..365 */
	int64_t mp = (5 * doy + 2) / 153;				     /* 0..11, March = 0 */
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);
	return (struct date){ .year = (int)y, .month = (int)m, .day = (int)d };
}

int64_t date_to_days(struct date d)
{
	assert(date_is_valid(d));
	return days_from_civil(d.year, d.month, d.day);
}

enum status date_from_days(int64_t days, struct date *out)
{
	if (days < DAYS_MIN || days > DAYS_MAX)
		return ST_INVALID;
	*out = civil_from_days(days);
	return ST_OK;
}

int date_weekday(struct date d)
{
	int64_t days = date_to_days(d);
	/* 1970-01-01 was a Thursday (4). */
	int64_t w = (days % 7 + 7 + 3) % 7; /* 0 = Monday */
	return (int)w + 1;
}

enum status date_add_days(struct date d, int64_t n, struct date *out)
{
	if (!date_is_valid(d))
		return ST_INVALID;
	/* Bound n before adding, so the sum cannot overflow. */
	if (n < DAYS_MIN - DAYS_MAX || n > DAYS_MAX - DAYS_MIN)
		return ST_INVALID;
	return date_from_days(date_to_days(d) + n, out);
}

int date_compare(struct date a, struct date b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	if (a.day != b.day)
		return a.day < b.day ? -1 : 1;
	return 0;
}

int64_t date_days_between(struct date a, struct date b)
{
	return date_to_days(b) - date_to_days(a);
}

/* ---- text ---- */

/* Write v (0 <= v < 10^width) as width decimal digits. */
static void put_digits(char *p, size_t width, int v)
{
	for (size_t i = width; i > 0; i--) {
		p[i - 1] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Read width ASCII digits at p into *out; false if any byte is not a digit. */
static bool get_digits(const char *p, int width, int *out)
{
	int v = 0;

	for (int i = 0; i < width; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

/* "YYYY-MM-DD" at p (at least 10 readable bytes) into a valid date. */
static bool parse_ymd(const char *p, struct date *out)
{
	struct date d;

	if (p[4] != '-' || p[7] != '-')
		return false;
	if (!get_digits(p, 4, &d.year) || !get_digits(p + 5, 2, &d.month) ||
	    !get_digits(p + 8, 2, &d.day))
		return false;
	if (!date_is_valid(d))
		return false;
	*out = d;
	return true;
}

static void put_ymd(char *p, struct date d)
{
	put_digits(p, 4, d.year);
	p[4] = '-';
	put_digits(p + 5, 2, d.month);
	p[7] = '-';
	put_digits(p + 8, 2, d.day);
}

enum status date_parse(const char *text, size_t len, struct date *out)
{
	if (!text || len != 10)
		return ST_INVALID;
	return parse_ymd(text, out) ? ST_OK : ST_INVALID;
}

enum status date_format(struct date d, char *buf, size_t size)
{
	if (!date_is_valid(d))
		return ST_INVALID;
	if (!buf || size < DATE_TEXT_SIZE)
		return ST_INTERNAL;
	put_ymd(buf, d);
	buf[10] = '\0';
	return ST_OK;
}

/* ---- timestamps ---- */

/* Floor division of ts into day number and second of the day (0..86399). */
static void split_ts(int64_t ts, int64_t *days, int *secs)
{
	int64_t q = ts / SECONDS_PER_DAY;
	int64_t r = ts % SECONDS_PER_DAY;

	if (r < 0) {
		r += SECONDS_PER_DAY;
		q--;
	}
	*days = q;
	*secs = (int)r;
}

enum status date_ts_format(int64_t ts, char *buf, size_t size)
{
	int64_t days;
	int secs;

	if (ts < DATE_TS_MIN || ts > DATE_TS_MAX)
		return ST_INVALID;
	if (!buf || size < DATE_TS_TEXT_SIZE)
		return ST_INTERNAL;
	split_ts(ts, &days, &secs);
	put_ymd(buf, civil_from_days(days));
	buf[10] = 'T';
	put_digits(buf + 11, 2, secs / 3600);
	buf[13] = ':';
	put_digits(buf + 14, 2, secs / 60 % 60);
	buf[16] = ':';
	put_digits(buf + 17, 2, secs % 60);
	buf[19] = 'Z';
	buf[20] = '\0';
	return ST_OK;
}

enum status date_ts_parse(const char *text, size_t len, int64_t *out)
{
	struct date d;
	int hh, mm, ss, offset_s;

	if (!text || (len != 20 && len != 25))
		return ST_INVALID;
	if (!parse_ymd(text, &d) || text[10] != 'T' || text[13] != ':' || text[16] != ':')
		return ST_INVALID;
	if (!get_digits(text + 11, 2, &hh) || !get_digits(text + 14, 2, &mm) ||
	    !get_digits(text + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 59)
		return ST_INVALID;
	if (len == 20) {
		if (text[19] != 'Z')
			return ST_INVALID;
		offset_s = 0;
	} else {
		int oh, om;
		if ((text[19] != '+' && text[19] != '-') || text[22] != ':')
			return ST_INVALID;
		if (!get_digits(text + 20, 2, &oh) || !get_digits(text + 23, 2, &om) || oh > 23 ||
		    om > 59)
			return ST_INVALID;
		offset_s = oh * 3600 + om * 60;
		if (text[19] == '-') {
			if (offset_s == 0)
				return ST_INVALID;
			offset_s = -offset_s;
		}
	}
	int secs = hh * 3600 + mm * 60 + ss;
	int64_t ts = date_to_days(d) * SECONDS_PER_DAY + secs - offset_s;
	if (ts < DATE_TS_MIN || ts > DATE_TS_MAX)
		return ST_INVALID;
	*out = ts;
	return ST_OK;
}

enum status date_ts_local_date(int64_t ts, struct date *out)
{
	int64_t days;
	int secs;

	if (ts < DATE_TS_MIN - DATE_BUREAU_UTC_OFFSET_S || ts > DATE_TS_MAX)
		return ST_INVALID;
	split_ts(ts + DATE_BUREAU_UTC_OFFSET_S, &days, &secs);
	return date_from_days(days, out);
}

enum status date_local_midnight_ts(struct date d, int64_t *out)
{
	if (!date_is_valid(d))
		return ST_INVALID;
	*out = date_to_days(d) * SECONDS_PER_DAY - DATE_BUREAU_UTC_OFFSET_S;
	return ST_OK;
}
