/* appeals_jobs.c: the clock job: recomputes provisional deadlines once a year's calendar is
 * loaded, closes appeals the enterprise did not rate in time (未评价), resumes suspensions that
 * reached their limit, warns of deadlines due soon, marks late appeals, escalates those late by
 * N working days to the responsible leader, and reminds of unanswered supervision notes. It
 * runs under the app's clock (the injected one in tests), claimed through the database so one
 * server runs it; each appeal changes in its own transaction. */
#include <stdlib.h>

#include "app/app.h"
#include "lib/log.h"
#include "modules/appeals/appeals_internal.h"
#include "modules/appeals/appeals_sql.h"
#include "modules/notify/notify.h"

/* The ids a statement lists (at most 500 per run; the rest wait for the next run). */
static enum status ids_of(struct appeal_ctx *cx, const struct sql *q, const char *arg1,
			  const char *arg2, int64_t *ids, int *n)
{
	*n = 0;
	struct db_res *r = db_query(cx->db, q, DB_ARGS(db_text(arg1), db_text(arg2)));
	while (db_next(r) && *n < 500)
		ids[(*n)++] = db_col_int(r, 0);
	return db_done(r);
}

typedef enum status (*step_fn)(struct appeal_ctx *cx, struct appeal *a, void *arg);

/* Run fn on each appeal in its own transaction; one that fails is logged and skipped. */
static enum status each(struct appeal_ctx *cx, const int64_t *ids, int n, step_fn fn, void *arg,
			const char *what)
{
	for (int i = 0; i < n; i++) {
		enum status st = db_begin(cx->db);
		if (st)
			return st;
		struct appeal a;
		st = appeal_load(cx, ids[i], &a);
		if (!st)
			st = fn(cx, &a, arg);
		if (!st)
			st = db_commit(cx->db);
		else
			db_rollback(cx->db);
		if (st == ST_UNAVAILABLE)
			return st;
		if (st)
			log_warnx("appeals clock: %s of appeal %lld failed: %s (%s)", what,
				  (long long)ids[i], status_code(st), cx->err_message ? cx->err_message : "");
		cx->err_code = cx->err_message = cx->err_field = NULL;
		arena_reset(cx->arena);
	}
	return ST_OK;
}

/* An action the clock takes, with its input. */
struct clock_act {
	enum appeal_action action;
	struct appeal_input in;
};

static enum status act(struct appeal_ctx *cx, struct appeal *a, void *arg)
{
	const struct clock_act *c = arg;
	return appeal_act(cx, a, c->action, &c->in);
}

static enum status recompute(struct appeal_ctx *cx, struct appeal *a, void *arg)
{
	(void)arg;
	enum status st = appeal_recompute_dues(cx, a);
	if (!st)
		st = appeal_save(cx, a);
	return st;
}

static enum status due_soon(struct appeal_ctx *cx, struct appeal *a, void *arg)
{
	(void)arg;
	a->due_soon_notified = a->due_date;
	enum status st = appeal_save(cx, a);
	if (!st)
		st = appeal_tell_holder(cx, a, "due_soon",
					arena_printf(cx->arena, "办理期限：%s", a->due_date));
	return st;
}

static enum status late(struct appeal_ctx *cx, struct appeal *a, void *arg)
{
	(void)arg;
	struct appeal_ties t;
	int64_t v[AM__COUNT];
	appeal_ties_of(a, &t);
	appeal_metrics_of(a, v);
	a->late = true;
	a->late_notified = a->due_date;
	const char *msg = arena_printf(cx->arena, "已超过办理期限（%s）", a->due_date);
	enum status st;
	if ((st = appeal_save(cx, a)) || (st = appeal_counters_apply(cx, &t, v, a)) ||
	    (st = appeal_event(cx, a, "late", a->state, a->state, false, msg,
			       json_pack("{s:s}", "due_date", a->due_date), NULL)) ||
	    (st = appeal_audit(cx, a, "late", json_pack("{s:s}", "due_date", a->due_date))))
		return st;
	return appeal_tell_holder(cx, a, "late", msg);
}

/* The latest due date that is late by at least n working days today: walk back from today. */
static enum status escalation_line(struct appeal_ctx *cx, int n, const char **out)
{
	struct date d;
	if (date_parse(cx->today, strlen(cx->today), &d))
		return ST_INTERNAL;
	for (int back = 1; back <= n * 7 + 40; back++) {
		struct date x;
		char buf[DATE_TEXT_SIZE];
		if (date_add_days(d, -back, &x) || date_format(x, buf, sizeof(buf)))
			return ST_INTERNAL;
		bool prov = false;
		int w = 0;
		enum status st = appeal_workdays(cx, buf, cx->today, &w, &prov);
		if (st)
			return st;
		if (w >= n) {
			*out = arena_strdup(cx->arena, buf);
			return *out ? ST_OK : ST_NOMEM;
		}
	}
	*out = NULL;
	return ST_OK;
}

static enum status supervision_reminders(struct appeal_ctx *cx)
{
	struct {
		int64_t id, appeal, by;
	} rows[500];
	int n = 0;
	struct db_res *r = db_query(cx->db, &SQL_JOB_SUP_LATE, DB_ARGS(db_text(cx->today)));
	while (db_next(r) && n < 500) {
		rows[n].id = db_col_int(r, 0);
		rows[n].appeal = db_col_int(r, 1);
		rows[n].by = db_col_null(r, 2) ? 0 : db_col_int(r, 2);
		n++;
	}
	enum status st = db_done(r);
	for (int i = 0; !st && i < n; i++) {
		if ((st = db_begin(cx->db)))
			break;
		struct appeal a;
		st = appeal_load(cx, rows[i].appeal, &a);
		if (!st)
			st = db_exec(cx->db, &SQL_JOB_SUP_MARK, DB_ARGS(db_int(rows[i].id)), NULL);
		if (!st)
			st = appeal_tell_holder(cx, &a, "supervised", "督办已超过答复期限，请尽快答复");
		if (!st && rows[i].by) {
			struct notify_msg m = {"supervised", a.title, "督办未按期答复", "appeal", a.id};
			st = notify_user(cx->db, cx->now, rows[i].by, &m);
		}
		if (!st)
			st = db_commit(cx->db);
		else
			db_rollback(cx->db);
		arena_reset(cx->arena);
	}
	return st;
}

enum status appeals_clock_job(struct app *app, struct db *db, int64_t now)
{
	struct arena ar;
	arena_init(&ar, 65536, 64u << 20);
	struct appeal_ctx cx;
	enum status st = appeal_ctx_init(&cx, app, db, &ar, now);
	if (st) {
		arena_release(&ar);
		return st;
	}
	cx.caps = CAP_SYSTEM;
	int64_t *ids = malloc(500 * sizeof(*ids));
	if (!ids) {
		arena_release(&ar);
		return ST_NOMEM;
	}
	int n = 0;
	char today[DATE_TEXT_SIZE];
	memcpy(today, cx.today, sizeof(today));
	bool prov = false;
	const char *yellow = NULL, *line = NULL;
	char yellow_buf[DATE_TEXT_SIZE] = "", line_buf[DATE_TEXT_SIZE] = "";
	/* the two dates outlive the arena resets of each() */
	if (!(st = appeal_deadline(&cx, today, cx.set.yellow_days, &yellow, &prov)))
		snprintf(yellow_buf, sizeof(yellow_buf), "%s", yellow);
	if (!st && !(st = escalation_line(&cx, cx.set.escalate_after_days, &line)) && line)
		snprintf(line_buf, sizeof(line_buf), "%s", line);
	arena_reset(&ar);

	struct clock_act ca;
	memset(&ca, 0, sizeof(ca));
	if (!st && !(st = ids_of(&cx, &SQL_JOB_PROVISIONAL, NULL, NULL, ids, &n)))
		st = each(&cx, ids, n, recompute, NULL, "recomputing deadlines");
	if (!st && !(st = ids_of(&cx, &SQL_JOB_RATE_EXPIRED, today, NULL, ids, &n))) {
		ca.action = AA_CLOSE;
		st = each(&cx, ids, n, act, &ca, "closing unrated");
	}
	if (!st && !(st = ids_of(&cx, &SQL_JOB_SUSPEND_EXPIRED, today, NULL, ids, &n))) {
		ca.action = AA_RESUME;
		st = each(&cx, ids, n, act, &ca, "resuming");
	}
	if (!st && *yellow_buf && !(st = ids_of(&cx, &SQL_JOB_DUE_SOON, today, yellow_buf, ids, &n)))
		st = each(&cx, ids, n, due_soon, NULL, "due-soon notice");
	if (!st && !(st = ids_of(&cx, &SQL_JOB_LATE, today, NULL, ids, &n)))
		st = each(&cx, ids, n, late, NULL, "marking late");
	if (!st && *line_buf && !(st = ids_of(&cx, &SQL_JOB_ESCALATE, line_buf, NULL, ids, &n))) {
		char msg[160];
		snprintf(msg, sizeof(msg), "逾期超过%d个工作日，自动升级", cx.set.escalate_after_days);
		ca.action = AA_ESCALATE;
		ca.in.message = msg;
		st = each(&cx, ids, n, act, &ca, "escalating");
	}
	if (!st)
		st = supervision_reminders(&cx);
	free(ids);
	arena_release(&ar);
	return st;
}

/* The waiting search terms into the index (appeals_terms_move), in a transaction of their own
 * unless db is in one already. */
static enum status terms_move_now(struct db *db)
{
	if (db_in_tx(db))
		return appeals_terms_move(db);
	enum status st = db_begin(db);
	if (st)
		return st;
	if ((st = appeals_terms_move(db))) {
		db_rollback(db);
		return st;
	}
	return db_commit(db);
}

/*
 * The search index (FTS5 on SQLite) gains a segment at every move of the waiting terms
 * (appeals_core.c), and merges them as they pile up, but keeps several: a search then reads
 * each term's postings from each of them. Merged into one, a search over 1,000,000 appeals
 * reads them once (the 4-character search of make bench: 2,984 -> 4,622 a second). The terms
 * still waiting go in first. Each step writes about 500 pages in its own short transaction, so
 * filings go on in between.
 */
enum status appeals_search_upkeep(struct db *db, int max_steps, int *steps)
{
	*steps = 0;
	if (db_kind(db) != DB_SQLITE)
		return ST_OK;
	bool own_tx = !db_in_tx(db);
	enum status st = terms_move_now(db);
	while (!st && *steps < max_steps) {
		int64_t before = 0, after = 0;
		if (own_tx && (st = db_begin(db)))
			break;
		if (!(st = db_int1(db, &SQL_TOTAL_CHANGES, DB_NOARGS, &before)) &&
		    !(st = db_exec(db, &SQL_FTS_MERGE, DB_NOARGS, NULL)))
			st = db_int1(db, &SQL_TOTAL_CHANGES, DB_NOARGS, &after);
		if (own_tx && st)
			db_rollback(db);
		else if (own_tx)
			st = db_commit(db);
		if (st || after - before < 2)
			break; /* one segment already */
		(*steps)++;
	}
	return st;
}

/* The search terms that wait for the index (appeals_terms_move) while filings are few: a search
 * reads each of them on its text, so they wait a minute at most. */
enum status appeals_search_terms_job(struct app *app, struct db *db, int64_t now)
{
	(void)app;
	(void)now;
	if (db_kind(db) != DB_SQLITE)
		return ST_OK;
	int64_t any = 0; /* none: no write transaction a minute for nothing */
	enum status st = db_int1(db, &SQL_FTS_WAITING_ANY, DB_NOARGS, &any);
	return st || !any ? st : terms_move_now(db);
}

enum status appeals_search_upkeep_job(struct app *app, struct db *db, int64_t now)
{
	(void)app;
	(void)now;
	int steps = 0;
	/* at most about 1,000,000 pages of writing a day; 18,000 for 1,000,000 appeals */
	enum status st = appeals_search_upkeep(db, 2000, &steps);
	if (steps)
		log_info("appeals: search index merged in %d steps", steps);
	return st;
}
