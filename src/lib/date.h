/* date.h: civil dates, day numbers and UTC timestamps; pure functions, no libc time zone. */
#ifndef TIEJIAN_DATE_H
#define TIEJIAN_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/status.h"

/*
 * A date is a day of the proleptic Gregorian calendar, year 1..9999, held as its three fields
 * (1-based month and day). A day number counts days since 1970-01-01 (negative before). A
 * timestamp is int64_t seconds since 1970-01-01T00:00:00Z, without leap seconds, like time_t.
 *
 * Nothing here allocates, keeps state, or calls the C library's time or time-zone functions, so
 * every function is thread-safe. Text goes out into a caller's buffer and comes in as a span
 * (pointer + length, no NUL needed); parsing is strict and never reads past the length.
 *
 * The bureau's time zone is Asia/Shanghai, a fixed UTC+08:00: China has kept no daylight saving
 * time since 1991, and no timestamp the platform handles is older than that.
 */

struct date {
	int year;  /* 1..9999 */
	int month; /* 1..12 */
	int day;   /* 1..28/29/30/31 */
};

#define DATE_YEAR_MIN 1
#define DATE_YEAR_MAX 9999

/* Bytes of "YYYY-MM-DD" with its NUL. */
#define DATE_TEXT_SIZE 11
/* Bytes of "YYYY-MM-DDTHH:MM:SSZ" with its NUL. */
#define DATE_TS_TEXT_SIZE 21

/* Timestamps of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range every function accepts. */
#define DATE_TS_MIN (-62135596800LL)
#define DATE_TS_MAX 253402300799LL

/* The bureau's offset from UTC (Asia/Shanghai, UTC+08:00, no daylight saving). */
#define DATE_BUREAU_UTC_OFFSET_S 28800

/* Whether year is a Gregorian leap year (divisible by 4, and by 400 if by 100). */
bool date_is_leap_year(int year);

/* The number of days in month (1..12) of year; 0 if month is out of range. */
int date_month_days(int year, int month);

/* Whether d names a real day of the years 1..9999 (so 2026-02-30 and 2026-13-01 are not). */
bool date_is_valid(struct date d);

/*
 * Parse exactly "YYYY-MM-DD" (ten bytes, ASCII digits, year 0001..9999) from text[0..len) into
 * *out. Anything else is ST_INVALID: other lengths, signs, spaces, trailing bytes, month 13,
 * day 0, 2026-02-30, 2025-02-29. *out is written only on ST_OK.
 */
enum status date_parse(const char *text, size_t len, struct date *out);

/*
 * Write d as "YYYY-MM-DD" and a NUL into buf[0..size). ST_INVALID if d is not a valid date,
 * ST_INTERNAL if size < DATE_TEXT_SIZE (a bug in the caller); buf is then left unchanged.
 */
enum status date_format(struct date d, char *buf, size_t size);

/* Days from 1970-01-01 to d (1970-01-02 is 1, 1969-12-31 is -1). d must be valid (asserted). */
int64_t date_to_days(struct date d);

/* The date of day number days into *out. ST_INVALID if it falls outside the years 1..9999. */
enum status date_from_days(int64_t days, struct date *out);

/* ISO 8601 weekday of d: 1 = Monday .. 6 = Saturday, 7 = Sunday. d must be valid (asserted). */
int date_weekday(struct date d);

/*
 * *out = d plus n days (n may be negative). ST_INVALID if d is not valid or the result falls
 * outside the years 1..9999; *out is written only on ST_OK.
 */
enum status date_add_days(struct date d, int64_t n, struct date *out);

/* Negative, 0 or positive as a is before, equal to or after b (field by field; any values). */
int date_compare(struct date a, struct date b);

/* date_to_days(b) - date_to_days(a): how many days from a to b. Both must be valid (asserted). */
int64_t date_days_between(struct date a, struct date b);

/*
 * Write ts as ISO 8601 UTC "YYYY-MM-DDTHH:MM:SSZ" and a NUL into buf[0..size).
 * ST_INVALID if ts is outside DATE_TS_MIN..DATE_TS_MAX, ST_INTERNAL if size < DATE_TS_TEXT_SIZE.
 */
enum status date_ts_format(int64_t ts, char *buf, size_t size);

/*
 * Parse an ISO 8601 / RFC 3339 timestamp from text[0..len) into *out (seconds since the epoch):
 * exactly "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DDTHH:MM:SS+HH:MM" / "...-HH:MM", with an upper-case
 * T and Z, hours 00..23, minutes and seconds 00..59, offset up to 23:59. Refused with ST_INVALID:
 * fractions of a second, leap second 60, a missing offset (local time of unknown zone), "-00:00"
 * (RFC 3339's "offset unknown"), trailing bytes, and results outside DATE_TS_MIN..DATE_TS_MAX.
 */
enum status date_ts_parse(const char *text, size_t len, int64_t *out);

/*
 * The calendar date in the bureau's time zone (UTC+08:00) on which timestamp ts falls, into *out:
 * 2026-11-25T16:00:00Z is 2026-11-26. ST_INVALID if the date falls outside the years 1..9999.
 */
enum status date_ts_local_date(int64_t ts, struct date *out);

/*
 * The timestamp of 00:00:00 in the bureau's time zone on day d (d at 00:00 +08:00), into *out;
 * the end of d is that plus 86400. ST_INVALID if d is not valid.
 */
enum status date_local_midnight_ts(struct date d, int64_t *out);

#endif
