/* liaison_jobs.c: the liaison job, claimed through the database so one server runs it: keeps
 * each assignment's `active` flag true to its dates (the liaison data scope reads it), and once a
 * week (from the configured weekday on) tells each person with overdue enterprises in their
 * inbox which ones nobody has visited in N days. */
#include <stdio.h>

#include "app/app.h"
#include "lib/date.h"
#include "lib/log.h"
#include "lib/str.h"
#include "modules/liaison/liaison_internal.h"
#include "modules/liaison/liaison_sql.h"
#include "modules/notify/notify.h"

#define REMIND_MAX 500

/* Tell one person, and remember the week: in one transaction. */
static enum status remind(struct db *db, int64_t now, int64_t user, int64_t count,
			  const char *cutoff, const char *week, int days)
{
	enum status st = db_begin(db);
	if (st)
		return st;
	struct str body;
	str_init(&body, 4096);
	int n = 0;
	struct db_res *r =
		db_query(db, &SQL_LI_JOB_OVERDUE_NAMES, DB_ARGS(db_int(user), db_text(cutoff)));
	while (db_next(r)) {
		const char *last = db_col_text(r, 1);
		str_appendf(&body, "%s%s（%s%s）", n++ ? "；" : "", db_col_text(r, 0),
			    last ? "最近走访：" : "从未走访", last ? last : "");
	}
	st = db_done(r);
	if (!st && count > n)
		str_appendf(&body, "等%lld家", (long long)count);
	char title[160];
	snprintf(title, sizeof(title), "您包联的%lld家企业已超过%d天未走访", (long long)count,
		 days);
	struct notify_msg m = { "visit_overdue", title, str_ok(&body) ? body.p : NULL, "liaison",
				0 };
	if (!st)
		st = notify_user(db, now, user, &m);
	if (!st)
		st = db_exec(db, &SQL_LI_JOB_REMINDED,
			     DB_ARGS(db_int(user), db_text(week), db_int(count), db_int(now)),
			     NULL);
	str_release(&body);
	if (!st)
		st = db_commit(db);
	else
		db_rollback(db);
	return st;
}

enum status liaison_job(struct app *app, struct db *db, int64_t now)
{
	(void)app;
	struct date d;
	char today[DATE_TEXT_SIZE];
	if (date_ts_local_date(now, &d) || date_format(d, today, sizeof(today)))
		return ST_INTERNAL;
	/* assignments that began or ended since the last run */
	enum status st =
		db_exec(db, &SQL_LI_JOB_ACTIVATE, DB_ARGS(db_text(today), db_int(now)), NULL);
	if (st)
		return st;
	struct liaison_settings set;
	char week[12], cutoff[LIAISON_DATE_SIZE];
	int weekday;
	if ((st = li_settings_load(db, &set)))
		return st;
	if (liaison_iso_week(today, week, &weekday) ||
	    liaison_days_before(today, set.overdue_days, cutoff))
		return ST_INTERNAL;
	if (weekday < set.reminder_weekday)
		return ST_OK;
	int64_t users[REMIND_MAX], counts[REMIND_MAX];
	int n = 0;
	struct db_res *r =
		db_query(db, &SQL_LI_JOB_OVERDUE_PEOPLE, DB_ARGS(db_text(cutoff), db_text(week)));
	while (db_next(r) && n < REMIND_MAX) {
		users[n] = db_col_int(r, 0);
		counts[n] = db_col_int(r, 1);
		n++;
	}
	if ((st = db_done(r)))
		return st;
	for (int i = 0; i < n; i++) {
		st = remind(db, now, users[i], counts[i], cutoff, week, set.overdue_days);
		if (st == ST_UNAVAILABLE)
			return st;
		if (st)
			log_warnx("liaison reminder for user %lld failed: %s", (long long)users[i],
				  status_code(st));
	}
	return ST_OK;
}
