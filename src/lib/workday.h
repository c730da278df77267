/* workday.h: the official working-day calendar (holidays, 调休) as pure functions over data. */
#ifndef TIEJIAN_WORKDAY_H
#define TIEJIAN_WORKDAY_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/date.h"
#include "lib/status.h"

/*
 * A calendar is a set of loaded years and a sorted array of special days. A day is a working day
 * if it is marked workday (调休上班, always a Saturday or Sunday), else not if it is marked
 * holiday (every day of an announced break, and the weekdays given off in lieu), else if it is
 * Monday..Friday. Nothing is guessed: any question about a day of a year that is not loaded is
 * answered ST_INVALID, because a year without its announced holidays would give wrong deadlines.
 *
 * Ownership: struct workday_calendar borrows its array of special days; whoever filled it (for
 * instance a struct workday_csv) keeps it alive and unchanged while the calendar is used. The
 * calendar itself is never written after workday_calendar_init, so any number of threads may read
 * it at once. workday_csv_parse returns rows the caller owns and frees with workday_csv_release.
 *
 * The file format (data/holidays.csv, and what an administrator uploads for a new year):
 *
 *	date,kind,name
 *	2026-02-14,workday,春节
 *	2026-02-15,holiday,春节
 *
 * UTF-8 with or without a byte-order mark, LF or CRLF line ends, the header line first, blank
 * lines (also lines of only spaces, tabs and commas, as spreadsheets write them) skipped, any row
 * order, no quoting. date is YYYY-MM-DD; kind is holiday or workday; name is the festival's
 * Chinese name (春节, 国庆节 ...).
 *
 * Import rule: a year is loaded only from a complete list of its special days, so an importer
 * replacing year Y accepts a file only if every date in it lies in Y (years.first == years.last
 * == Y) and then replaces all of Y's rows at once. Each row belongs to the year of its date,
 * whichever notice announced it: when a 元旦 break starts on 31 December, the State Council
 * announces that day with the next year's holidays, so year Y's file is re-imported once the
 * notice for Y+1 appears. data/holidays.csv, which spans several years, loads each of them whole.
 */

/* The years a calendar can hold. */
#define WORKDAY_YEAR_MIN 2000
#define WORKDAY_YEAR_MAX 2199

/* The largest n workday_add accepts. */
#define WORKDAY_ADD_MAX 1000

/* Bytes for a name with its NUL: up to 95 bytes of UTF-8, 31 Chinese characters. */
#define WORKDAY_NAME_SIZE 96

/* The largest file workday_csv_parse reads. */
#define WORKDAY_CSV_MAX_BYTES ((size_t)1 << 20)

enum workday_kind {
	WORKDAY_HOLIDAY = 1, /* "holiday": nobody works */
	WORKDAY_WORKDAY = 2, /* "workday": an adjusted working Saturday or Sunday (调休上班) */
};

struct workday_special {
	struct date date;
	enum workday_kind kind;
	char name[WORKDAY_NAME_SIZE]; /* UTF-8, NUL-terminated, not empty */
};

/* A set of years within WORKDAY_YEAR_MIN..WORKDAY_YEAR_MAX. */
struct workday_years {
	int first; /* smallest year in the set, 0 when it is empty */
	int last;  /* largest year in the set, 0 when it is empty */
	unsigned char has[WORKDAY_YEAR_MAX - WORKDAY_YEAR_MIN + 1]; /* has[y - WORKDAY_YEAR_MIN] */
};

/* Make ys the empty set. */
void workday_years_init(struct workday_years *ys);

/* Put year into ys. ST_INVALID if year is outside WORKDAY_YEAR_MIN..WORKDAY_YEAR_MAX. */
enum status workday_years_add(struct workday_years *ys, int year);

/* Whether year is in ys (false for any year outside the supported range). */
bool workday_years_has(const struct workday_years *ys, int year);

struct workday_calendar {
	struct workday_years years;	    /* the loaded years */
	const struct workday_special *days; /* borrowed; ascending by date, no date twice */
	size_t count;
};

/*
 * Make cal a calendar of the loaded years *years (copied) and the special days days[0..count)
 * (borrowed, see the ownership rule above). ST_INVALID, leaving cal empty, unless every day is a
 * valid date of a loaded year, the days ascend strictly, each kind is a known one, each workday
 * is a Saturday or Sunday and each name is NUL-terminated.
 */
enum status workday_calendar_init(struct workday_calendar *cal, const struct workday_special *days,
				  size_t count, const struct workday_years *years);

/* *out = whether d is a working day. ST_INVALID if d is not valid or its year is not loaded. */
enum status workday_is_working(const struct workday_calendar *cal, struct date d, bool *out);

/*
 * *out = the n-th working day after from, counting from the day after from: n = 1 from a
 * Thursday before an ordinary weekend gives the Friday, and from a Friday the Monday. n = 0 gives
 * from itself, looking at no day. ST_INVALID if from is not valid, n is outside
 * 0..WORKDAY_ADD_MAX, or any day from the day after from up to the result lies in a year that is
 * not loaded (so a deadline that would fall in an unloaded year is refused, never guessed).
 */
enum status workday_add(const struct workday_calendar *cal, struct date from, int n,
			struct date *out);

/*
 * *out = the number of working days d with a < d <= b (so workday_add(a, k) gives b with count
 * k when b is a working day); 0 when b <= a. Lateness of a job due on a and done on b is
 * workday_count_between(a, b). ST_INVALID if a or b is not valid or, when a < b, any day of
 * (a, b] lies in a year that is not loaded.
 */
enum status workday_count_between(const struct workday_calendar *cal, struct date a, struct date b,
				  int *out);

/* The special day on d, or NULL if d is an ordinary day (or not in the calendar at all). */
const struct workday_special *workday_special_find(const struct workday_calendar *cal,
						   struct date d);

/*
 * The special days of year: *out points into the calendar's array at the first of them and
 * *count is how many there are (0 is possible). ST_NOT_FOUND if year is not loaded.
 */
enum status workday_year_list(const struct workday_calendar *cal, int year,
			      const struct workday_special **out, size_t *count);

/* What workday_csv_parse returns: rows ascending by date, and the years of their dates. */
struct workday_csv {
	struct workday_special *rows; /* malloc'd, owned by the caller: workday_csv_release */
	size_t count;
	struct workday_years years; /* every year that has at least one row */
};

/* The first error in a file, for a person. */
struct workday_csv_error {
	/* Line number as an editor shows it (the header is 1); 0 when about the whole file. */
	size_t row;
	/* "date", "kind", "name", or NULL when the error is not about one field. */
	const char *field;
	/* For a person, in Chinese, NUL-terminated: "日期格式错误，应为 YYYY-MM-DD ...". */
	char message[200];
};

/*
 * Parse and validate a calendar file text[0..len) (format above) into *out. Every row is checked:
 * the date (format, existence, year within WORKDAY_YEAR_MIN..WORKDAY_YEAR_MAX, no date twice),
 * the kind (holiday or workday; a workday must be a Saturday or Sunday) and the name (not empty,
 * valid UTF-8, at most WORKDAY_NAME_SIZE - 1 bytes, no quotes or control characters). A file
 * without any row is refused. On failure *err (if err is not NULL) describes the first error in
 * file order and *out is left empty (rows NULL, count 0), so releasing it is harmless.
 * Returns ST_OK, ST_INVALID (a bad file), ST_TOO_LARGE (over WORKDAY_CSV_MAX_BYTES) or ST_NOMEM.
 */
enum status workday_csv_parse(const char *text, size_t len, struct workday_csv *out,
			      struct workday_csv_error *err);

/* Free the rows of csv and leave it empty. csv may be NULL or already empty. */
void workday_csv_release(struct workday_csv *csv);

#endif
