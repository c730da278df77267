/* calendar.h: the official working-day calendar stored in the database: deadlines for every
 * module, the public calendar API, and imports of newly announced years. */
#ifndef TIEJIAN_CALENDAR_H
#define TIEJIAN_CALENDAR_H

#include <stdint.h>

#include "db/db.h"
#include "lib/date.h"

struct module;
struct audit_actor;

/* The date n working days after from (counted from the day after from). ST_INVALID when a
 * year it needs is not loaded; then *missing_year (optional) names the first such year. */
enum status calendar_deadline(struct db *db, struct date from, int n, struct date *out,
			      int *missing_year);

/* Working days in (a, b]: for lateness. ST_INVALID when a year is not loaded. */
enum status calendar_workdays_between(struct db *db, struct date a, struct date b, int *out);

/* Forget the calendar this process keeps in memory (see calendar.c). */
void calendar_release(void);

/* Import a CSV (date,kind,name) inside one transaction of its own: each year in it replaces
 * that year. only_year > 0: every row must be of that year. Audited as who. On failure err
 * holds a Chinese reason (with the row number). */
enum status calendar_import_csv(struct db *db, const struct audit_actor *who, int64_t now,
				const char *text, size_t len, int only_year, int *years_out,
				int *days_out, char *err, size_t errlen);

extern const struct module calendar_module;

#endif
