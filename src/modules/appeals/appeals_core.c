/* appeals_core.c: what happens to an appeal, the same for the API, the clock job and the demo:
 * filing, every action of the state machine with its deadlines, timeline row, counters, audit
 * row and notifications, all inside the caller's transaction. */
#include <stdatomic.h>
#include <stdlib.h>

#include "app/app.h"
#include "audit/audit.h"
#include "auth/principal.h"
#include "http/jsonw.h"
#include "lib/fault.h"
#include "lib/log.h"
#include "modules/appeals/appeals_internal.h"
#include "modules/appeals/appeals_sql.h"
#include "modules/calendar/calendar.h"
#include "modules/notify/notify.h"

const char *const appeal_channel_codes[] = {"self", "visit", "hotline", "phone", "letter",
					    "other", NULL};
const char *const appeal_channel_names[] = {"企业自报", "走访发现", "12345热线", "来电",
					    "来信", "其他", NULL};
const char *const appeal_urgency_codes[] = {"normal", "urgent", NULL};
const char *const appeal_urgency_names[] = {"普通", "紧急", NULL};
const char *const appeal_contact_codes[] = {"phone", "sms", "visit", "online", NULL};
const char *const appeal_contact_names[] = {"电话", "短信", "上门", "线上留言", NULL};

#define SETTING(key, label, def, min, max, field, wide)                                            \
	{key, label, def, min, max, offsetof(struct appeal_settings, field), wide}
const struct appeal_setting_def appeal_setting_defs[] = {
	SETTING("yellow_days", "临期提醒（剩余工作日）", 1, 0, 10, yellow_days, false),
	SETTING("escalate_after_days", "逾期升级（逾期工作日）", 3, 1, 60, escalate_after_days,
		false),
	SETTING("rate_days", "企业评价期限（工作日）", 5, 1, 30, rate_days, false),
	SETTING("suspend_max_days", "挂起最长时间（工作日）", 10, 1, 60, suspend_max_days, false),
	SETTING("duplicate_days", "重复诉求提醒范围（天）", 30, 1, 365, duplicate_days, false),
	SETTING("supervision_days", "督办答复期限（工作日）", 2, 1, 30, supervision_days, false),
	SETTING("attachment_max_bytes", "单个附件大小上限（字节）", 10 << 20, 1024, 20 << 20,
		attachment_max_bytes, true),
	SETTING("attachment_max_count", "每件诉求附件数量上限", 10, 1, 50, attachment_max_count,
		false),
};
const size_t appeal_nsettings = sizeof(appeal_setting_defs) / sizeof(appeal_setting_defs[0]);

/* ---- context --------------------------------------------------------------------------------- */

enum status appeal_ctx_init(struct appeal_ctx *cx, struct app *app, struct db *db,
			    struct arena *arena, int64_t now)
{
	memset(cx, 0, sizeof(*cx));
	cx->app = app;
	cx->db = db;
	cx->arena = arena;
	cx->now = now;
	struct date d;
	if (date_ts_local_date(now, &d) || date_format(d, cx->today, sizeof(cx->today)))
		return ST_INTERNAL;
	cx->actor.display_name = "系统";
	cx->actor.username = "system";
	cx->actor.ip = "local";
	return appeals_settings_load(db, &cx->set);
}

enum status appeal_fail(struct appeal_ctx *cx, enum status st, const char *code,
			const char *message, const char *field)
{
	cx->err_code = code;
	cx->err_message = message;
	cx->err_field = field;
	return st;
}

static const char *dup(struct appeal_ctx *cx, const char *s)
{
	return s ? arena_strdup(cx->arena, s) : NULL;
}

/* ---- working days ---------------------------------------------------------------------------- */

const char *appeal_day(struct appeal_ctx *cx, int64_t ts)
{
	struct date d;
	char buf[DATE_TEXT_SIZE];
	if (date_ts_local_date(ts, &d) || date_format(d, buf, sizeof(buf)))
		return NULL;
	return arena_strdup(cx->arena, buf);
}

static bool parse_day(const char *s, struct date *out)
{
	return s && date_parse(s, strlen(s), out) == ST_OK;
}

/* Monday to Friday: the rule for days of a year whose calendar is not announced yet. */
static struct date weekdays_add(struct date d, int n)
{
	while (n > 0) {
		if (date_add_days(d, 1, &d))
			break;
		if (date_weekday(d) <= 5)
			n--;
	}
	return d;
}

static int weekdays_between(struct date a, struct date b)
{
	int n = 0;
	while (date_compare(a, b) < 0) {
		if (date_add_days(a, 1, &a))
			break;
		if (date_weekday(a) <= 5)
			n++;
	}
	return n;
}

enum status appeal_deadline(struct appeal_ctx *cx, const char *from, int n, const char **out,
			    bool *provisional)
{
	struct date f, d;
	if (!parse_day(from, &f))
		return ST_INTERNAL;
	int missing = 0;
	enum status st = calendar_deadline(cx->db, f, n, &d, &missing);
	if (st == ST_INVALID && missing > 0) {
		/* the loaded years as announced, then Monday to Friday */
		if (missing <= f.year) {
			d = weekdays_add(f, n);
		} else {
			struct date last = {missing - 1, 12, 31};
			int k = 0;
			if ((st = calendar_workdays_between(cx->db, f, last, &k)))
				return st;
			d = weekdays_add(last, n - k > 0 ? n - k : 0);
		}
		*provisional = true;
		st = ST_OK;
	}
	if (st)
		return st;
	char buf[DATE_TEXT_SIZE];
	if (date_format(d, buf, sizeof(buf)))
		return ST_INTERNAL;
	*out = arena_strdup(cx->arena, buf);
	return *out ? ST_OK : ST_NOMEM;
}

enum status appeal_workdays(struct appeal_ctx *cx, const char *a, const char *b, int *out,
			    bool *provisional)
{
	struct date x, y;
	*out = 0;
	if (!parse_day(a, &x) || !parse_day(b, &y))
		return ST_INTERNAL;
	if (date_compare(x, y) >= 0)
		return ST_OK;
	enum status st = calendar_workdays_between(cx->db, x, y, out);
	if (st != ST_INVALID)
		return st;
	/* the longest loaded stretch from x, then Monday to Friday */
	for (int year = y.year - 1; year >= x.year - 1; year--) {
		struct date end = {year, 12, 31};
		int k = 0;
		if (date_compare(end, x) <= 0) {
			end = x;
		} else if (calendar_workdays_between(cx->db, x, end, &k)) {
			continue;
		}
		*out = k + weekdays_between(end, y);
		*provisional = true;
		return ST_OK;
	}
	return ST_INVALID;
}

/* ---- loading --------------------------------------------------------------------------------- */

const char *appeal_col_dup(struct arena *ar, struct db_res *r, bool *ok, int i)
{
	const char *s = db_col_text(r, i);
	char *c = s ? arena_strdup(ar, s) : NULL;
	if (s && !c)
		*ok = false;
	return c;
}

static int64_t col_i(struct db_res *r, int i)
{
	return db_col_null(r, i) ? 0 : db_col_int(r, i);
}

bool appeal_from_row(struct arena *ar, struct db_res *r, struct appeal *a)
{
	bool ok = true;
	memset(a, 0, sizeof(*a));
	a->id = col_i(r, 0);
	a->enterprise_id = col_i(r, 1);
	a->home_org_id = col_i(r, 2);
	a->created_by = col_i(r, 3);
	a->category_id = col_i(r, 4);
	a->category_root = col_i(r, 5);
	a->lead_org_id = col_i(r, 6);
	a->suggested_org_id = col_i(r, 7);
	a->dispatcher_id = col_i(r, 8);
	a->escalated_to = col_i(r, 9);
	a->duplicate_of = col_i(r, 10);
	a->home_path = appeal_col_dup(ar, r, &ok, 11);
	a->region_code = appeal_col_dup(ar, r, &ok, 12);
	a->channel = appeal_col_dup(ar, r, &ok, 13);
	a->title = appeal_col_dup(ar, r, &ok, 14);
	a->content = appeal_col_dup(ar, r, &ok, 15);
	a->urgency = appeal_col_dup(ar, r, &ok, 16);
	a->contact_ok = col_i(r, 17) != 0;
	a->contact_via = appeal_col_dup(ar, r, &ok, 18);
	a->contact_name = appeal_col_dup(ar, r, &ok, 19);
	a->contact_phone = appeal_col_dup(ar, r, &ok, 20);
	int s = appeal_code_index(appeal_state_codes, db_col_text(r, 21));
	a->state = s >= 0 ? (enum appeal_state)s : AS_SUBMITTED;
	int o = appeal_code_index(appeal_outcome_codes, db_col_text(r, 22));
	a->outcome = o > 0 ? (enum appeal_outcome)o : AO_NONE;
	int g = appeal_code_index(appeal_rating_codes, db_col_text(r, 23));
	a->rating = g > 0 ? (enum appeal_rating)g : AR_NONE;
	a->reply = appeal_col_dup(ar, r, &ok, 24);
	a->plan = appeal_col_dup(ar, r, &ok, 25);
	a->follow_up_on = appeal_col_dup(ar, r, &ok, 26);
	a->rating_comment = appeal_col_dup(ar, r, &ok, 27);
	a->lead_path = appeal_col_dup(ar, r, &ok, 28);
	a->created_at = col_i(r, 29);
	a->accepted_at = col_i(r, 30);
	a->assigned_at = col_i(r, 31);
	a->started_at = col_i(r, 32);
	a->contacted_at = col_i(r, 33);
	a->interim_at = col_i(r, 34);
	a->first_replied_at = col_i(r, 35);
	a->replied_at = col_i(r, 36);
	a->closed_at = col_i(r, 37);
	a->updated_at = col_i(r, 38);
	a->escalated_at = col_i(r, 39);
	a->accept_span = (int)col_i(r, 40);
	a->contact_span = (int)col_i(r, 41);
	a->interim_span = (int)col_i(r, 42);
	a->close_span = (int)col_i(r, 43);
	a->rate_span = (int)col_i(r, 44);
	a->base_date = appeal_col_dup(ar, r, &ok, 45);
	a->paused_days = (int)col_i(r, 46);
	a->paused_total = (int)col_i(r, 47);
	a->accept_due = appeal_col_dup(ar, r, &ok, 48);
	a->contact_due = appeal_col_dup(ar, r, &ok, 49);
	a->interim_due = appeal_col_dup(ar, r, &ok, 50);
	a->close_due = appeal_col_dup(ar, r, &ok, 51);
	a->rate_due = appeal_col_dup(ar, r, &ok, 52);
	a->due_date = appeal_col_dup(ar, r, &ok, 53);
	a->suspended_on = appeal_col_dup(ar, r, &ok, 54);
	a->suspend_until = appeal_col_dup(ar, r, &ok, 55);
	a->suspend_reason = appeal_col_dup(ar, r, &ok, 56);
	a->provisional = col_i(r, 57) != 0;
	a->extended = col_i(r, 58) != 0;
	a->extension_pending = col_i(r, 59) != 0;
	a->extension_days = (int)col_i(r, 60);
	a->extension_reason = appeal_col_dup(ar, r, &ok, 61);
	a->reopen_count = (int)col_i(r, 62);
	a->return_count = (int)col_i(r, 63);
	a->escalated_level = (int)col_i(r, 64);
	a->supervision_open = (int)col_i(r, 65);
	a->close_workdays = (int)col_i(r, 66);
	a->late = col_i(r, 67) != 0;
	a->on_time = col_i(r, 68) != 0;
	a->due_soon_notified = appeal_col_dup(ar, r, &ok, 69);
	a->late_notified = appeal_col_dup(ar, r, &ok, 70);
	a->duplicate_reason = appeal_col_dup(ar, r, &ok, 71);
	a->month = (int)col_i(r, 72);
	a->enterprise_name = appeal_col_dup(ar, r, &ok, 73);
	a->uscc = appeal_col_dup(ar, r, &ok, 74);
	a->home_name = appeal_col_dup(ar, r, &ok, 75);
	a->lead_name = appeal_col_dup(ar, r, &ok, 76);
	a->suggested_name = appeal_col_dup(ar, r, &ok, 77);
	a->category_name = appeal_col_dup(ar, r, &ok, 78);
	a->category_root_name = appeal_col_dup(ar, r, &ok, 79);
	a->creator_name = appeal_col_dup(ar, r, &ok, 80);
	a->escalated_to_name = appeal_col_dup(ar, r, &ok, 81);
	a->escalated_due = appeal_col_dup(ar, r, &ok, 82);
	return ok;
}

enum status appeal_load_co(struct appeal_ctx *cx, struct appeal *a)
{
	a->nco = 0;
	bool ok = true;
	struct db_res *r = db_query(cx->db, &SQL_APPEAL_CO_LIST, DB_ARGS(db_int(a->id)));
	while (db_next(r) && a->nco < APPEAL_MAX_CO) {
		a->co_id[a->nco] = db_col_int(r, 0);
		a->co_path[a->nco] = appeal_col_dup(cx->arena, r, &ok, 1);
		a->co_name[a->nco] = appeal_col_dup(cx->arena, r, &ok, 2);
		a->nco++;
	}
	enum status st = db_done(r);
	return st ? st : ok ? ST_OK : ST_NOMEM;
}

enum status appeal_load(struct appeal_ctx *cx, int64_t id, struct appeal *out)
{
	bool found = false, ok = true;
	struct db_res *r = db_query(cx->db, &SQL_APPEAL_GET, DB_ARGS(db_int(id)));
	if (db_next(r)) {
		ok = appeal_from_row(cx->arena, r, out);
		found = true;
	}
	enum status st = db_done(r);
	if (st)
		return st;
	if (!ok)
		return ST_NOMEM;
	if (!found)
		return ST_NOT_FOUND;
	return appeal_load_co(cx, out);
}

void appeal_facts_of(const struct appeal *a, struct appeal_facts *f)
{
	f->state = a->state;
	f->reopen_count = a->reopen_count;
	f->extended = a->extended;
	f->extension_pending = a->extension_pending;
	f->supervision_open = a->supervision_open;
}

/* ---- capacities ------------------------------------------------------------------------------ */

static bool over_ties(const struct scope *s, const struct appeal *a, bool home, bool lead,
		      bool co)
{
	if (!s->kinds)
		return false;
	if (home && scope_allows(s, a->home_path, a->home_org_id, 0, 0))
		return true;
	if (lead && a->lead_org_id && scope_allows(s, a->lead_path, a->lead_org_id, 0, 0))
		return true;
	for (int i = 0; co && i < a->nco; i++)
		if (scope_allows(s, a->co_path[i], a->co_id[i], 0, 0))
			return true;
	return false;
}

unsigned appeal_caps_of(const struct principal *u, const struct appeal *a)
{
	unsigned caps = 0;
	struct scope s;
	if (permset_has(&u->perms, PERM_APPEAL_CREATE)) {
		if (u->enterprise_id > 0 && u->enterprise_id == a->enterprise_id)
			caps |= CAP_ENTERPRISE;
		if (a->created_by && a->created_by == u->user_id)
			caps |= CAP_FILER;
	}
	if (permset_has(&u->perms, PERM_APPEAL_DISPATCH)) {
		principal_scope(u, PERM_APPEAL_DISPATCH, &s);
		if (over_ties(&s, a, true, false, false))
			caps |= CAP_DISPATCHER;
	}
	if (permset_has(&u->perms, PERM_APPEAL_HANDLE)) {
		principal_scope(u, PERM_APPEAL_HANDLE, &s);
		if (over_ties(&s, a, false, true, false))
			caps |= CAP_LEAD;
		if (over_ties(&s, a, false, false, true))
			caps |= CAP_CO;
	}
	if (permset_has(&u->perms, PERM_APPEAL_SUPERVISE)) {
		principal_scope(u, PERM_APPEAL_SUPERVISE, &s);
		if (over_ties(&s, a, true, true, true))
			caps |= CAP_SUPERVISOR;
	}
	if (permset_has(&u->perms, PERM_APPEAL_APPROVE)) {
		principal_scope(u, PERM_APPEAL_APPROVE, &s);
		if (over_ties(&s, a, true, true, true) || a->escalated_to == u->user_id)
			caps |= CAP_LEADER;
	}
	return caps;
}

/* ---- counters -------------------------------------------------------------------------------- */

void appeal_ties_of(const struct appeal *a, struct appeal_ties *t)
{
	memset(t, 0, sizeof(*t));
	t->enterprise_id = a->enterprise_id;
	t->month = a->month;
	t->region = a->region_code ? strtoll(a->region_code, NULL, 10) : 0;
	t->category = a->category_root;
	t->lead_org_id = a->lead_org_id;
	t->org_id[t->norgs] = a->home_org_id;
	t->org_path[t->norgs++] = a->home_path;
	if (a->lead_org_id) {
		t->org_id[t->norgs] = a->lead_org_id;
		t->org_path[t->norgs++] = a->lead_path;
	}
	for (int i = 0; i < a->nco && t->norgs < APPEAL_MAX_TIES; i++) {
		t->org_id[t->norgs] = a->co_id[i];
		t->org_path[t->norgs++] = a->co_path[i];
	}
}

void appeal_metrics_of(const struct appeal *a, int64_t v[AM__COUNT])
{
	struct appeal_stat_in in = {
		.state = a->state,
		.outcome = a->outcome,
		.rating = a->rating,
		.accepted = a->accepted_at != 0,
		.replied = a->first_replied_at != 0,
		.on_time = a->on_time,
		.escalated = a->escalated_level > 0,
		.late = a->late,
		.reopen_count = a->reopen_count,
		.return_count = a->return_count,
		.close_workdays = a->close_workdays,
	};
	appeal_metrics(&in, v);
}

/* The scope keys that differ between old (NULL: none) and new: deleted and inserted. */
static enum status keys_apply(struct appeal_ctx *cx, const struct appeal_ties *old_t,
			      const struct appeal_ties *new_t, int64_t appeal_id, bool open)
{
	enum { MAXK = 96 };
	int ok_[MAXK], nk_[MAXK];
	int64_t oi[MAXK], ni[MAXK];
	int no = old_t ? appeal_scope_keys(old_t, ok_, oi, MAXK) : 0;
	int nn = appeal_scope_keys(new_t, nk_, ni, MAXK);
	if (no < 0 || nn < 0)
		return ST_INTERNAL;
	enum status st = ST_OK;
	for (int i = 0; !st && i < no; i++) {
		bool kept = false;
		for (int j = 0; j < nn && !kept; j++)
			kept = nk_[j] == ok_[i] && ni[j] == oi[i];
		if (!kept)
			st = db_exec(cx->db, &SQL_KEY_DELETE,
				     DB_ARGS(db_int(ok_[i]), db_int(oi[i]), db_int(appeal_id)), NULL);
	}
	for (int j = 0; !st && j < nn; j++) {
		bool had = false;
		for (int i = 0; i < no && !had; i++)
			had = nk_[j] == ok_[i] && ni[j] == oi[i];
		if (!had)
			st = db_exec(cx->db, &SQL_KEY_INSERT,
				     DB_ARGS(db_int(nk_[j]), db_int(ni[j]), db_int(appeal_id),
					     db_int(open)),
				     NULL);
	}
	return st;
}

enum status appeal_keys_write(struct appeal_ctx *cx, const struct appeal *a)
{
	struct appeal_ties t;
	appeal_ties_of(a, &t);
	return keys_apply(cx, NULL, &t, a->id, !appeal_state_final(a->state));
}

static enum status stat_write(struct db *db, const struct appeal_stat_cell *cells, size_t n)
{
	enum status st = ST_OK;
	for (size_t i = 0; !st && i < n; i++) {
		const struct appeal_stat_cell *c = &cells[i];
		bool any = false;
		for (int m = 0; m < AM__COUNT; m++)
			any |= c->v[m] != 0;
		if (!any)
			continue; /* summed to nothing: no row a recount would not have */
		struct db_val args[5 + AM__COUNT] = {db_int(c->kind), db_int(c->scope_id),
						     db_int(c->dim), db_int(c->value),
						     db_int(c->month)};
		for (int m = 0; m < AM__COUNT; m++)
			args[5 + m] = db_int(c->v[m]);
		st = db_exec(db, &SQL_STAT_ADD, args, 5 + AM__COUNT, NULL);
	}
	return st;
}

struct appeal_batch *appeal_batch_new(void)
{
	struct appeal_batch *b = calloc(1, sizeof(*b));
	if (b)
		str_init(&b->terms, 0);
	return b;
}

void appeal_batch_free(struct appeal_batch *b)
{
	if (!b)
		return;
	free(b->acc.cells);
	str_release(&b->terms);
	free(b);
}

/*
 * The search terms of new appeals wait in a plain table (SQLite, migration 11) and enter the
 * FTS5 index TERMS_MOVE_AT at a time, in one statement inside the transaction that added the
 * last of them. FTS5 writes each statement's terms as a segment of their own, and a segment
 * costs about as much again as the terms in it: 113-140 us a filing at a batch's 5 filings,
 * 41-59 us at 256 (measured outside the server on this table's options). The count is this
 * process's own: a transaction rolled back after a move leaves a few hundred more waiting,
 * moved with the next ones or by the job of every minute (appeals_search_terms_job).
 */
#define TERMS_MOVE_AT 256
static atomic_int terms_waiting;

enum status appeals_terms_move(struct db *db)
{
	if (db_kind(db) != DB_SQLITE)
		return ST_OK;
	enum status st = db_exec(db, &SQL_FTS_WAITING_MOVE, DB_NOARGS, NULL);
	if (!st)
		st = db_exec(db, &SQL_FTS_WAITING_CLEAR, DB_NOARGS, NULL);
	if (!st)
		atomic_store(&terms_waiting, 0);
	return st;
}

static enum status terms_added(struct db *db, int n)
{
	if (db_kind(db) != DB_SQLITE || atomic_fetch_add(&terms_waiting, n) + n < TERMS_MOVE_AT)
		return ST_OK;
	return appeals_terms_move(db);
}

/* a's search terms: into the batch's list, or at once without a batch */
static enum status terms_write(struct appeal_ctx *cx, const struct appeal *a)
{
	struct appeal_batch *b = cx->batch;
	if (!b) {
		enum status st = db_exec(cx->db, &SQL_APPEAL_FTS_INSERT,
					 DB_ARGS(db_int(a->id), db_text(a->grams)), NULL);
		return st ? st : terms_added(cx->db, 1);
	}
	str_putc(&b->terms, b->nterms++ ? ',' : '[');
	str_putc(&b->terms, '[');
	js_int(&b->terms, a->id);
	str_putc(&b->terms, ',');
	js_str(&b->terms, a->grams);
	str_putc(&b->terms, ']');
	return str_ok(&b->terms) ? ST_OK : ST_NOMEM;
}

enum status appeal_batch_flush(struct db *db, struct appeal_batch *b)
{
	enum status st = stat_write(db, b->acc.cells, b->acc.n);
	b->acc.n = 0;
	if (!st && b->nterms) {
		str_putc(&b->terms, ']');
		st = str_ok(&b->terms) ? db_exec(db, &SQL_APPEAL_FTS_INSERT_MANY,
						  DB_ARGS(db_text(b->terms.p)), NULL)
				       : ST_NOMEM;
		if (!st)
			st = terms_added(db, b->nterms);
	}
	str_clear(&b->terms);
	b->nterms = 0;
	return st;
}

enum status appeal_counters_apply(struct appeal_ctx *cx, const struct appeal_ties *old_t,
				  const int64_t *old_v, const struct appeal *a)
{
	struct appeal_ties t;
	int64_t v[AM__COUNT];
	appeal_ties_of(a, &t);
	appeal_metrics_of(a, v);
	struct appeal_stat_cell *cells =
		arena_alloc(cx->arena, APPEAL_MAX_CELLS * sizeof(struct appeal_stat_cell));
	if (!cells)
		return ST_NOMEM;
	size_t n = appeal_stat_diff(old_t, old_v, &t, v, cells, APPEAL_MAX_CELLS);
	if (n == (size_t)-1) {
		log_error("appeal %lld: cannot count it (malformed org path)", (long long)a->id);
		return ST_INTERNAL;
	}
	enum status st = ST_OK;
	if (cx->batch) {
		if (!appeal_stat_sum(&cx->batch->acc, cells, n))
			return ST_NOMEM;
	} else {
		st = stat_write(cx->db, cells, n);
	}
	/* the scope keys change with the ties only (filing, assigning, returning) */
	bool ties_changed = !old_t || old_t->norgs != t.norgs;
	for (int i = 0; old_t && !ties_changed && i < t.norgs; i++)
		ties_changed = old_t->org_id[i] != t.org_id[i];
	if (!st && ties_changed)
		st = keys_apply(cx, old_t, &t, a->id, v[AM_OPEN] != 0);
	/* the keys say whether their appeal is open ("my work" reads open ones only) */
	if (!st && old_v && old_v[AM_OPEN] != v[AM_OPEN])
		st = db_exec(cx->db, &SQL_KEY_SET_OPEN, DB_ARGS(db_int(a->id), db_int(v[AM_OPEN])),
			     NULL);
	return st;
}

/* ---- writing ----------------------------------------------------------------------------------- */

const char *appeal_actor_name(const struct appeal_ctx *cx)
{
	return cx->actor.display_name ? cx->actor.display_name : "系统";
}

enum status appeal_event(struct appeal_ctx *cx, const struct appeal *a, const char *action,
			 enum appeal_state from, enum appeal_state to, bool public_row,
			 const char *message, json_t *detail, int64_t *event_id)
{
	fault_hold(true); /* jansson's writer and a failed allocation: see fault.h */
	char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	fault_hold(false);
	json_decref(detail);
	int64_t id;
	enum status st = db_int1(
		cx->db, &SQL_EVENT_INSERT,
		DB_ARGS(db_int(a->id), db_int(cx->now), db_id_or_null(cx->actor.user_id),
			db_text(appeal_actor_name(cx)),
			db_text(cx->actor.org_name), db_text(action),
			db_text(from < AS__COUNT ? appeal_state_codes[from] : NULL),
			db_text(to < AS__COUNT ? appeal_state_codes[to] : NULL), db_int(public_row),
			db_text(message), db_text(text)),
		&id);
	free(text);
	if (!st && event_id)
		*event_id = id;
	return st;
}

static struct db_val ts_or_null(int64_t t)
{
	return t ? db_int(t) : db_null();
}

enum status appeal_save(struct appeal_ctx *cx, const struct appeal *a)
{
	struct db_val v[] = {
		db_int(a->id),
		db_text(appeal_state_codes[a->state]),
		db_text(a->outcome ? appeal_outcome_codes[a->outcome] : NULL),
		db_text(a->rating ? appeal_rating_codes[a->rating] : NULL),
		db_text(a->reply),
		db_text(a->plan),
		db_text(a->follow_up_on),
		db_text(a->rating_comment),
		db_id_or_null(a->lead_org_id),
		db_text(a->lead_org_id ? a->lead_path : NULL),
		db_id_or_null(a->dispatcher_id),
		ts_or_null(a->accepted_at),
		ts_or_null(a->assigned_at),
		ts_or_null(a->started_at),
		ts_or_null(a->contacted_at),
		ts_or_null(a->interim_at),
		ts_or_null(a->first_replied_at),
		ts_or_null(a->replied_at),
		ts_or_null(a->closed_at),
		db_int(a->updated_at),
		ts_or_null(a->escalated_at),
		db_int(a->accept_span),
		db_int(a->contact_span),
		db_int(a->interim_span),
		db_int(a->close_span),
		db_int(a->rate_span),
		db_text(a->base_date),
		db_int(a->paused_days),
		db_int(a->paused_total),
		db_text(a->accept_due),
		db_text(a->contact_due),
		db_text(a->interim_due),
		db_text(a->close_due),
		db_text(a->rate_due),
		db_text(a->due_date),
		db_text(a->suspended_on),
		db_text(a->suspend_until),
		db_text(a->suspend_reason),
		db_int(a->provisional),
		db_int(a->extended),
		db_int(a->extension_pending),
		db_int(a->extension_days),
		db_text(a->extension_reason),
		db_int(a->reopen_count),
		db_int(a->return_count),
		db_int(a->escalated_level),
		db_int(a->supervision_open),
		db_int(a->close_workdays),
		db_int(a->late),
		db_int(a->on_time),
		db_text(a->due_soon_notified),
		db_text(a->late_notified),
		db_id_or_null(a->escalated_to),
		db_int(!appeal_state_final(a->state)),
		db_text(a->escalated_due),
	};
	return db_exec(cx->db, &SQL_APPEAL_SAVE, v, sizeof(v) / sizeof(v[0]), NULL);
}

static enum status save_co(struct appeal_ctx *cx, const struct appeal *a)
{
	enum status st = db_exec(cx->db, &SQL_APPEAL_CO_DELETE, DB_ARGS(db_int(a->id)), NULL);
	for (int i = 0; !st && i < a->nco; i++)
		st = db_exec(cx->db, &SQL_APPEAL_CO_INSERT,
			     DB_ARGS(db_int(a->id), db_int(a->co_id[i]), db_text(a->co_path[i])),
			     NULL);
	return st;
}

enum status appeal_audit(struct appeal_ctx *cx, const struct appeal *a, const char *action,
			  json_t *summary)
{
	struct audit_actor who = {cx->actor.user_id, cx->actor.username, cx->actor.org_path,
				  cx->actor.ip ? cx->actor.ip : "local", cx->actor.request_id};
	return audit_append(cx->db, &who, cx->now, "appeal", a->id, action, summary, true);
}

/* ---- notifications --------------------------------------------------------------------------- */

static enum status tell(struct appeal_ctx *cx, const struct appeal *a, const char *kind,
			const char *body, int whom, int64_t user_id, const char *perm,
			const char *path, int64_t org_id)
{
	if (cx->quiet)
		return ST_OK;
	char number[32];
	appeal_number(a->created_at, a->id, number, sizeof(number));
	const char *title = arena_printf(cx->arena, "%s %s", number, a->title);
	struct notify_msg m = {kind, title ? title : a->title, body, "appeal", a->id};
	switch (whom) {
	case 0:
		return user_id == cx->actor.user_id ? ST_OK : notify_user(cx->db, cx->now, user_id, &m);
	case 1:
		return notify_enterprise(cx->db, cx->now, a->enterprise_id, cx->actor.user_id, &m);
	default:
		break;
	}
	/* a desk's permission is one message however many hold it, in a batch or not */
	return notify_perm_over(cx->db, cx->now, perm, path, org_id, cx->actor.user_id, &m);
}
#define TELL_USER(cx, a, kind, body, uid) tell(cx, a, kind, body, 0, uid, NULL, NULL, 0)
#define TELL_ENTERPRISE(cx, a, kind, body) tell(cx, a, kind, body, 1, 0, NULL, NULL, 0)
#define TELL_PERM(cx, a, kind, body, perm, path, org)                                              \
	tell(cx, a, kind, body, 2, 0, perm, path, org)

/* The lead unit's handlers, or (before assignment) the dispatchers over the home org. */
enum status appeal_tell_holder(struct appeal_ctx *cx, const struct appeal *a, const char *kind,
			       const char *body)
{
	if (a->lead_org_id)
		return TELL_PERM(cx, a, kind, body, "appeal.handle", a->lead_path, a->lead_org_id);
	return TELL_PERM(cx, a, kind, body, "appeal.dispatch", a->home_path, a->home_org_id);
}

/* ---- the responsible leader --------------------------------------------------------------- */

typedef enum status (*appeal_leader_fn)(struct appeal_ctx *cx, const struct appeal *a,
					int64_t *user_id);

/* The leader of the lead unit (or, before assignment, of the home org): the nearest user at or
 * above it who may approve appeals. */
static enum status unit_leader(struct appeal_ctx *cx, const struct appeal *a, int64_t *user_id)
{
	const char *path = a->lead_org_id ? a->lead_path : a->home_path;
	return db_int1(cx->db, &SQL_LEADER_FOR_PATH, DB_ARGS(db_text(path)), user_id);
}

/*
 * Asked in order; the first that answers names the leader. The chain leader (链长) of the
 * enterprise's industry chain comes first once the chains module exists: it adds a function
 * here answering ST_NOT_FOUND for an enterprise on no chain or a chain without a leader.
 */
static const appeal_leader_fn leader_lookups[] = {
	unit_leader,
};

static enum status responsible_leader(struct appeal_ctx *cx, const struct appeal *a,
				      int64_t *user_id)
{
	*user_id = 0;
	for (size_t i = 0; i < sizeof(leader_lookups) / sizeof(leader_lookups[0]); i++) {
		enum status st = leader_lookups[i](cx, a, user_id);
		if (st != ST_NOT_FOUND)
			return st;
	}
	return ST_OK; /* nobody: the escalation is recorded without an addressee */
}

/* ---- deadlines ------------------------------------------------------------------------------- */

void appeal_set_due_date(struct appeal *a)
{
	switch (a->state) {
	case AS_SUBMITTED:
		a->due_date = a->accept_due;
		break;
	case AS_REPLIED:
	case AS_CLOSED:
	case AS_REJECTED:
	case AS_WITHDRAWN:
	case AS__COUNT:
		a->due_date = NULL;
		break;
	default:
		a->due_date = a->close_due;
	}
}

enum status appeal_recompute_dues(struct appeal_ctx *cx, struct appeal *a)
{
	bool prov = false;
	enum status st;
	const char *created = appeal_day(cx, a->created_at);
	if ((st = appeal_deadline(cx, created, a->accept_span, &a->accept_due, &prov)))
		return st;
	if (a->base_date) {
		if ((st = appeal_deadline(cx, a->base_date, a->contact_span + a->paused_days,
					  &a->contact_due, &prov)) ||
		    (st = appeal_deadline(cx, a->base_date, a->interim_span + a->paused_days,
					  &a->interim_due, &prov)) ||
		    (st = appeal_deadline(cx, a->base_date, a->close_span + a->paused_days,
					  &a->close_due, &prov)))
			return st;
	}
	if (a->state == AS_REPLIED && a->replied_at && a->rate_span > 0 &&
	    (st = appeal_deadline(cx, appeal_day(cx, a->replied_at), a->rate_span, &a->rate_due,
				  &prov)))
		return st;
	a->provisional = prov;
	appeal_set_due_date(a);
	return ST_OK;
}

/* The clock runs again after a suspension: the paused working days move every deadline. */
static enum status resume_clock(struct appeal_ctx *cx, struct appeal *a, int *paused)
{
	bool prov = false;
	*paused = 0;
	enum status st;
	if (a->suspended_on &&
	    (st = appeal_workdays(cx, a->suspended_on, cx->today, paused, &prov)))
		return st;
	a->paused_days += *paused;
	a->paused_total += *paused;
	a->suspended_on = a->suspend_until = a->suspend_reason = NULL;
	a->state = AS_IN_PROGRESS; /* for the recomputation; the caller sets it anyway */
	return appeal_recompute_dues(cx, a);
}

/* A new round: the close clock starts again today with the category's limits. */
static enum status reopen(struct appeal_ctx *cx, struct appeal *a)
{
	int spans[5];
	enum status st = appeals_deadline_rule(cx->db, a->category_id, a->category_root, a->urgency,
					       spans);
	if (st)
		return st;
	a->reopen_count++;
	a->base_date = dup(cx, cx->today);
	a->paused_days = 0;
	a->interim_span = spans[2];
	a->close_span = spans[3];
	a->closed_at = 0;
	a->rate_due = NULL;
	a->state = AS_REOPENED;
	return appeal_recompute_dues(cx, a);
}

/* ---- filing ---------------------------------------------------------------------------------- */

enum status appeal_file_prepare(struct appeal_ctx *cx, struct appeal *a)
{
	int spans[5];
	enum status st = appeals_deadline_rule(cx->db, a->category_id, a->category_root, a->urgency,
					       spans);
	if (st)
		return st;
	a->accept_span = spans[0];
	a->contact_span = spans[1];
	a->interim_span = spans[2];
	a->close_span = spans[3];
	a->created_at = a->updated_at = cx->now;
	a->state = AS_SUBMITTED;
	struct date d;
	if (date_ts_local_date(cx->now, &d))
		return ST_INTERNAL;
	a->month = d.year * 100 + d.month;
	bool prov = false;
	if ((st = appeal_deadline(cx, cx->today, a->accept_span, &a->accept_due, &prov)))
		return st;
	a->provisional = prov;
	a->due_date = a->accept_due;
	/* the routing rules suggest the lead unit; without one, the home org itself */
	struct db_res *r = db_query(cx->db, &SQL_ROUTE_MATCH,
				    DB_ARGS(db_int(a->category_id), db_int(a->category_root),
					    db_text(a->region_code)));
	bool copied = true;
	if (db_next(r)) {
		a->suggested_org_id = db_col_int(r, 0);
		a->suggested_name = appeal_col_dup(cx->arena, r, &copied, 2);
	}
	if ((st = db_done(r)))
		return st;
	if (!copied)
		return ST_NOMEM;
	if (!a->suggested_org_id) {
		a->suggested_org_id = a->home_org_id;
		a->suggested_name = a->home_name;
	}
	struct str grams;
	str_init(&grams, 1u << 20);
	appeal_grams(a->title, &grams);
	str_putc(&grams, ' ');
	appeal_grams(a->content, &grams);
	a->grams = str_ok(&grams) ? arena_strdup(cx->arena, grams.p) : NULL;
	str_release(&grams);
	return a->grams ? ST_OK : ST_NOMEM;
}

json_t *appeal_file_detail(const struct appeal *a)
{
	return json_pack("{s:s, s:s, s:o}", "channel", a->channel, "urgency", a->urgency,
			 "duplicate_of",
			 a->duplicate_of ? json_integer(a->duplicate_of) : json_null());
}

enum status appeal_file(struct appeal_ctx *cx, struct appeal *a)
{
	enum status st = appeal_file_prepare(cx, a);
	return st ? st : appeal_file_write(cx, a);
}

enum status appeal_file_write(struct appeal_ctx *cx, struct appeal *a)
{
	enum status st;
	st = db_int1(cx->db, &SQL_APPEAL_INSERT,
		     DB_ARGS(db_int(a->enterprise_id), db_int(a->home_org_id), db_text(a->home_path),
			     db_text(a->region_code), db_id_or_null(a->created_by),
			     db_text(a->channel), db_text(a->title), db_text(a->content),
			     db_int(a->category_id), db_int(a->category_root), db_text(a->urgency),
			     db_int(a->contact_ok), db_text(a->contact_via),
			     db_text(a->contact_name), db_text(a->contact_phone),
			     db_id_or_null(a->suggested_org_id), db_int(cx->now),
			     db_int(a->accept_span), db_int(a->contact_span),
			     db_int(a->interim_span), db_int(a->close_span), db_text(a->accept_due),
			     db_int(a->provisional), db_id_or_null(a->duplicate_of),
			     db_text(a->duplicate_reason), db_int(a->month)),
		     &a->id);
	if (st)
		return st;
	st = terms_write(cx, a);
	if (!st)
		st = appeal_counters_apply(cx, NULL, NULL, a);
	if (!st)
		st = appeal_event(cx, a, "file", AS__COUNT, AS_SUBMITTED, true, NULL,
				  appeal_file_detail(a), &a->filed_event);
	if (!st)
		st = appeal_audit(cx, a, "create",
			   json_pack("{s:s, s:I, s:s, s:I, s:s, s:o}", "title", a->title,
				     "enterprise_id", (json_int_t)a->enterprise_id, "channel",
				     a->channel, "category_id", (json_int_t)a->category_id,
				     "urgency", a->urgency, "duplicate_of",
				     a->duplicate_of ? json_integer(a->duplicate_of) : json_null()));
	if (!st)
		st = TELL_PERM(cx, a, "filed", a->enterprise_name, "appeal.dispatch", a->home_path,
			       a->home_org_id);
	return st;
}

/* ---- actions --------------------------------------------------------------------------------- */

static const char *verdict_code(enum appeal_verdict v)
{
	return v == AV_WRONG_STATE ? "wrong_state" : v == AV_NOT_YOURS ? "not_your_role"
									: "not_allowed_now";
}

static enum status refuse(struct appeal_ctx *cx, const struct appeal *a, enum appeal_action act,
			  enum appeal_verdict v)
{
	struct appeal_facts f;
	appeal_facts_of(a, &f);
	cx->allowed = appeal_allowed(&f, cx->caps);
	const char *msg;
	if (v == AV_WRONG_STATE)
		msg = arena_printf(cx->arena, "诉求当前为“%s”，不能%s",
				   appeal_state_names[a->state], appeal_action_names[act]);
	else if (v == AV_NOT_YOURS)
		msg = arena_printf(cx->arena, "您不是这件诉求的相关办理人，不能%s",
				   appeal_action_names[act]);
	else if (act == AA_REQUEST_EXTENSION)
		msg = a->extended ? "这件诉求已延期过一次，不能再次申请延期"
				  : "这件诉求已有延期申请在等待审批";
	else if (act == AA_APPROVE_EXTENSION || act == AA_DENY_EXTENSION)
		msg = "这件诉求没有待审批的延期申请";
	else if (act == AA_ANSWER_SUPERVISION)
		msg = "这件诉求没有待答复的督办";
	else
		msg = arena_printf(cx->arena, "现在不能%s", appeal_action_names[act]);
	return appeal_fail(cx, ST_CONFLICT, verdict_code(v), msg ? msg : "当前不能执行该操作",
			   NULL);
}

static enum status need_text(struct appeal_ctx *cx, const char *s, const char *field,
			     const char *message)
{
	if (s && *s)
		return ST_OK;
	return appeal_fail(cx, ST_INVALID, "required", message, field);
}

/* An org to hand the appeal to: it exists and is in use. */
static enum status unit_of(struct appeal_ctx *cx, int64_t id, const char *field,
			   const char **path, const char **name)
{
	bool ok = false, copied = true;
	struct db_res *r = db_query(cx->db, &SQL_ORG_FOR_UNIT, DB_ARGS(db_int(id)));
	if (db_next(r) && strcmp(db_col_text(r, 3), "active") == 0) {
		*path = appeal_col_dup(cx->arena, r, &copied, 1);
		*name = appeal_col_dup(cx->arena, r, &copied, 2);
		ok = true;
	}
	enum status st = db_done(r);
	if (st)
		return st;
	if (!copied)
		return ST_NOMEM;
	if (!ok)
		return appeal_fail(cx, ST_INVALID, "invalid_unit", "承办单位不存在或已停用", field);
	return ST_OK;
}

static enum status do_assign(struct appeal_ctx *cx, struct appeal *a,
			     const struct appeal_input *in, json_t **detail, const char **msg)
{
	int64_t lead = in->lead_org_id ? in->lead_org_id : a->suggested_org_id;
	if (!lead)
		lead = a->home_org_id;
	enum status st;
	const char *path, *name;
	if ((st = unit_of(cx, lead, "lead_org_id", &path, &name)))
		return st;
	a->lead_org_id = lead;
	a->lead_path = path;
	a->lead_name = name;
	a->nco = 0;
	json_t *co = json_array();
	struct str text;
	str_init(&text, 4096);
	str_appendf(&text, "已交办至：%s（主办）", name);
	for (int i = 0; i < in->nco; i++) {
		int64_t id = in->co_org_id[i];
		bool again = id == lead;
		for (int k = 0; k < a->nco; k++)
			again |= a->co_id[k] == id;
		if (again) {
			str_release(&text);
			json_decref(co);
			return appeal_fail(cx, ST_INVALID, "duplicate_unit",
					   "协办单位不能重复，也不能是主办单位", "co_org_ids");
		}
		const char *cp, *cn;
		if ((st = unit_of(cx, id, "co_org_ids", &cp, &cn))) {
			str_release(&text);
			json_decref(co);
			return st;
		}
		a->co_id[a->nco] = id;
		a->co_path[a->nco] = cp;
		a->co_name[a->nco++] = cn;
		json_array_append_new(co, json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", cn));
		str_appendf(&text, "、%s（协办）", cn);
	}
	a->assigned_at = cx->now;
	*msg = arena_strdup(cx->arena, text.p);
	str_release(&text);
	*detail = json_pack("{s:{s:I, s:s}, s:o, s:s?}", "lead", "id", (json_int_t)lead, "name",
			    name, "co", co, "note", in->message);
	return ST_OK;
}

static enum status do_escalate(struct appeal_ctx *cx, struct appeal *a, const char *note,
			       json_t **detail)
{
	int64_t leader = 0;
	enum status st = responsible_leader(cx, a, &leader);
	if (st)
		return st;
	a->escalated_level++;
	a->escalated_to = leader;
	a->escalated_at = cx->now;
	a->escalated_due = a->due_date;
	*detail = json_pack("{s:i, s:o, s:s?}", "level", a->escalated_level, "to",
			    leader ? json_integer(leader) : json_null(), "note", note);
	if (!leader)
		log_warnx("appeal %lld escalated, but no leader is responsible for it",
			  (long long)a->id);
	return TELL_USER(cx, a, "escalated", note, leader);
}

enum status appeal_act(struct appeal_ctx *cx, struct appeal *a, enum appeal_action act,
		       const struct appeal_input *in)
{
	struct appeal_facts f;
	appeal_facts_of(a, &f);
	int arg = act == AA_REPLY ? in->outcome : act == AA_EVALUATE ? in->rating : 0;
	enum appeal_state next;
	enum appeal_verdict v = appeal_next(&f, act, cx->caps, arg, &next);
	if (v == AV_NOT_NOW && (act == AA_REPLY || act == AA_EVALUATE))
		return appeal_fail(cx, ST_INVALID, "required",
				   act == AA_REPLY ? "请选择答复结果" : "请选择评价结果",
				   act == AA_REPLY ? "outcome" : "rating");
	if (v)
		return refuse(cx, a, act, v);

	/* the contribution to the counters before the change */
	struct appeal_ties old_t;
	int64_t old_v[AM__COUNT];
	appeal_ties_of(a, &old_t);
	appeal_metrics_of(a, old_v);
	/* the ties point into a's strings, which stay in the arena when a changes */
	enum appeal_state from = a->state;
	const char *msg = in->message;
	json_t *detail = NULL;
	bool co_changed = false, dues = false, public_row = appeal_action_public(act);
	enum status st = ST_OK;
	int paused = 0;

	switch (act) {
	case AA_ACCEPT:
		a->accepted_at = cx->now;
		a->dispatcher_id = cx->actor.user_id;
		a->base_date = dup(cx, cx->today);
		a->state = next;
		dues = true;
		if (!msg)
			msg = "诉求已受理";
		break;
	case AA_REJECT:
		if ((st = need_text(cx, msg, "reason", "不予受理须说明理由，理由将告知企业")))
			return st;
		a->dispatcher_id = cx->actor.user_id;
		break;
	case AA_ASSIGN:
		if ((st = do_assign(cx, a, in, &detail, &msg)))
			return st;
		co_changed = true;
		break;
	case AA_RETURN:
		if ((st = need_text(cx, msg, "reason", "回退须说明理由")))
			return st;
		detail = json_pack("{s:I, s:s?}", "unit_id", (json_int_t)a->lead_org_id,
				   "unit", a->lead_name);
		a->return_count++;
		a->lead_org_id = 0;
		a->lead_path = a->lead_name = NULL;
		a->nco = 0;
		co_changed = true;
		break;
	case AA_START:
		if (!a->started_at)
			a->started_at = cx->now;
		if (!msg)
			msg = "承办单位已签收，正在办理";
		break;
	case AA_CONTACT: {
		int via = appeal_code_index(appeal_contact_codes, in->via);
		if (via < 0)
			return appeal_fail(cx, ST_INVALID, "required", "请选择联系方式", "via");
		if (!a->contacted_at)
			a->contacted_at = cx->now;
		msg = arena_printf(cx->arena, "已通过%s联系企业%s%s", appeal_contact_names[via],
				   in->message ? "：" : "", in->message ? in->message : "");
		detail = json_pack("{s:s}", "via", appeal_contact_codes[via]);
		break;
	}
	case AA_INTERIM_REPLY:
		if ((st = need_text(cx, msg, "message", "请填写阶段性答复内容")))
			return st;
		if (!a->interim_at)
			a->interim_at = cx->now;
		break;
	case AA_REPLY: {
		if ((st = need_text(cx, msg, "message", "请填写答复内容")))
			return st;
		if (in->outcome == AO_NOT_YET &&
		    ((st = need_text(cx, in->plan, "plan", "暂不具备条件的，须写明后续工作计划")) ||
		     (st = need_text(cx, in->follow_up_on, "follow_up_on",
				     "暂不具备条件的，须写明计划办理日期"))))
			return st;
		a->outcome = (enum appeal_outcome)in->outcome;
		a->reply = msg;
		a->plan = in->outcome == AO_NOT_YET ? in->plan : NULL;
		a->follow_up_on = in->outcome == AO_NOT_YET ? in->follow_up_on : NULL;
		/* timeliness is the unit's: measured when it answers */
		a->on_time = a->close_due && strcmp(cx->today, a->close_due) <= 0;
		if (!a->on_time)
			a->late = true;
		bool prov = false;
		int days = 0;
		const char *accepted = appeal_day(cx, a->accepted_at);
		if ((st = appeal_workdays(cx, accepted, cx->today, &days, &prov)))
			return st;
		a->close_workdays = days > a->paused_total ? days - a->paused_total : 0;
		detail = json_pack("{s:s, s:s?, s:s?}", "outcome", appeal_outcome_codes[in->outcome],
				   "plan", a->plan, "follow_up_on", a->follow_up_on);
		if (next == AS_REPLIED) {
			a->replied_at = cx->now;
			if (!a->first_replied_at)
				a->first_replied_at = cx->now;
			a->rate_span = cx->set.rate_days;
			a->state = next;
			dues = true;
		} else {
			public_row = false; /* the supervisor reads it first */
		}
		break;
	}
	case AA_CO_OPINION:
		if ((st = need_text(cx, msg, "message", "请填写协办意见")))
			return st;
		break;
	case AA_SUSPEND: {
		if ((st = need_text(cx, msg, "reason", "挂起须说明原因（例如等待企业补充材料）")))
			return st;
		int days = in->days ? in->days : cx->set.suspend_max_days;
		if (days < 1 || days > cx->set.suspend_max_days)
			return appeal_fail(cx, ST_INVALID, "out_of_range",
					   arena_printf(cx->arena, "挂起时间应为1到%d个工作日",
							cx->set.suspend_max_days),
					   "days");
		bool prov = false;
		a->suspended_on = dup(cx, cx->today);
		if ((st = appeal_deadline(cx, cx->today, days, &a->suspend_until, &prov)))
			return st;
		a->suspend_reason = msg;
		detail = json_pack("{s:i, s:s}", "days", days, "until", a->suspend_until);
		break;
	}
	case AA_RESUME:
	case AA_SUPPLEMENT:
		if (act == AA_SUPPLEMENT &&
		    (st = need_text(cx, msg, "message", "请填写补充的内容")))
			return st;
		if (from == AS_SUSPENDED) {
			if ((st = resume_clock(cx, a, &paused)))
				return st;
			detail = json_pack("{s:i, s:s?}", "paused_workdays", paused, "close_due",
					   a->close_due);
			if (act == AA_RESUME && !msg)
				msg = cx->caps & CAP_SYSTEM ? "挂起期满，自动恢复办理" : "恢复办理";
		}
		break;
	case AA_WITHDRAW:
		break;
	case AA_REQUEST_EXTENSION:
		if ((st = need_text(cx, msg, "reason", "申请延期须说明理由")))
			return st;
		if (in->days != 15 && in->days != 30)
			return appeal_fail(cx, ST_INVALID, "invalid_choice",
					   "延期后的办结时限应为15或30个工作日", "days");
		if (in->days <= a->close_span)
			return appeal_fail(cx, ST_INVALID, "out_of_range",
					   "延期后的办结时限应长于现在的时限", "days");
		a->extension_pending = true;
		a->extension_days = in->days;
		a->extension_reason = msg;
		detail = json_pack("{s:i}", "days", in->days);
		break;
	case AA_APPROVE_EXTENSION:
		a->extension_pending = false;
		a->extended = true;
		a->close_span = a->extension_days;
		if ((st = appeal_recompute_dues(cx, a)))
			return st;
		msg = arena_printf(cx->arena, "同意延期：办结时限为%d个工作日，截止%s%s%s",
				   a->extension_days, a->close_due, in->message ? "。" : "",
				   in->message ? in->message : "");
		detail = json_pack("{s:i, s:s}", "days", a->extension_days, "close_due",
				   a->close_due);
		break;
	case AA_DENY_EXTENSION:
		if ((st = need_text(cx, msg, "reason", "不批准延期须说明理由")))
			return st;
		a->extension_pending = false;
		break;
	case AA_APPROVE_CLOSE:
		a->replied_at = cx->now;
		if (!a->first_replied_at)
			a->first_replied_at = cx->now;
		a->rate_span = cx->set.rate_days;
		a->state = next;
		dues = true;
		detail = json_pack("{s:s, s:s?, s:s?, s:s?}", "outcome",
				   appeal_outcome_codes[a->outcome], "plan", a->plan,
				   "follow_up_on", a->follow_up_on, "note", in->message);
		msg = a->reply; /* the answer reaches the enterprise now */
		break;
	case AA_DENY_CLOSE:
		if ((st = need_text(cx, msg, "reason", "退回须说明理由")))
			return st;
		a->outcome = AO_NONE;
		a->reply = a->plan = a->follow_up_on = NULL;
		a->on_time = false;
		a->close_workdays = 0;
		break;
	case AA_EVALUATE:
		if (in->rating == AR_UNSATISFIED &&
		    (st = need_text(cx, in->message, "comment", "不满意时请说明原因")))
			return st;
		a->rating = (enum appeal_rating)in->rating;
		a->rating_comment = in->message;
		detail = json_pack("{s:s, s:s}", "rating", appeal_rating_codes[in->rating],
				   "next", appeal_state_codes[next]);
		if (next == AS_REOPENED) {
			if ((st = reopen(cx, a)))
				goto drop_detail;
		} else {
			a->closed_at = cx->now;
		}
		break;
	case AA_CLOSE:
		a->rating = AR_UNRATED;
		a->closed_at = cx->now;
		if (!msg)
			msg = "企业逾期未评价，系统自动办结（未评价）";
		break;
	case AA_REOPEN:
		if ((st = need_text(cx, msg, "reason", "重办须说明理由")))
			return st;
		if ((st = reopen(cx, a)))
			return st;
		break;
	case AA_SUPERVISE: {
		if ((st = need_text(cx, msg, "note", "请填写督办意见")))
			return st;
		const char *due = in->due_date;
		bool prov = false;
		if (due && strcmp(due, cx->today) < 0)
			return appeal_fail(cx, ST_INVALID, "out_of_range", "督办期限不能早于今天",
					   "due_date");
		if (!due &&
		    (st = appeal_deadline(cx, cx->today, cx->set.supervision_days, &due, &prov)))
			return st;
		int64_t sid;
		if ((st = db_int1(cx->db, &SQL_SUP_INSERT,
				  DB_ARGS(db_int(a->id), db_id_or_null(cx->actor.user_id),
					  db_text(cx->actor.display_name), db_text(msg),
					  db_text(due), db_int(cx->now)),
				  &sid)))
			return st;
		a->supervision_open++;
		detail = json_pack("{s:I, s:s}", "supervision_id", (json_int_t)sid, "due_date", due);
		break;
	}
	case AA_ANSWER_SUPERVISION: {
		if ((st = need_text(cx, msg, "answer", "请填写督办答复")))
			return st;
		int64_t sid = 0, by = 0;
		struct db_res *r = db_query(cx->db, &SQL_SUP_OPEN,
					    DB_ARGS(db_int(a->id), db_id_or_null(in->supervision_id)));
		if (db_next(r)) {
			sid = db_col_int(r, 0);
			by = col_i(r, 1);
		}
		if ((st = db_done(r)))
			return st;
		if (!sid)
			return appeal_fail(cx, ST_NOT_FOUND, "not_found", "没有这条待答复的督办",
					   "supervision_id");
		if ((st = db_exec(cx->db, &SQL_SUP_ANSWER,
				  DB_ARGS(db_int(sid), db_int(cx->now),
					  db_text(cx->actor.display_name), db_text(msg)),
				  NULL)))
			return st;
		a->supervision_open--;
		detail = json_pack("{s:I}", "supervision_id", (json_int_t)sid);
		if ((st = TELL_USER(cx, a, "supervision_answered", msg, by)))
			return st;
		break;
	}
	case AA_ESCALATE:
		if (!(cx->caps & CAP_SYSTEM) &&
		    (st = need_text(cx, msg, "note", "请填写升级原因")))
			return st;
		if ((st = do_escalate(cx, a, msg, &detail)))
			goto drop_detail;
		break;
	case AA__COUNT:
		return ST_INTERNAL;
	}

	a->state = next;
	a->updated_at = cx->now;
	if (appeal_state_final(next) || next == AS_REPLIED) {
		a->suspended_on = a->suspend_until = a->suspend_reason = NULL;
		if (appeal_state_final(next))
			a->rate_due = NULL;
	}
	if (dues && (st = appeal_recompute_dues(cx, a)))
		goto drop_detail;
	appeal_set_due_date(a);
	if ((st = appeal_save(cx, a)) || (co_changed && (st = save_co(cx, a))) ||
	    (st = appeal_counters_apply(cx, &old_t, old_v, a)))
		goto drop_detail;
	/* appeal_event takes detail, whatever it returns */
	if ((st = appeal_event(cx, a, appeal_action_codes[act], from, next, public_row, msg,
			       detail, NULL)))
		return st;
	detail = NULL;
	json_t *summary = json_pack("{s:s, s:s}", "from", appeal_state_codes[from], "to",
				    appeal_state_codes[next]);
	if (msg && summary)
		json_object_set_new(summary, "message", json_string(msg));
	if ((st = appeal_audit(cx, a, appeal_action_codes[act], summary)))
		return st;

	/* who hears of it */
	switch (act) {
	case AA_REJECT:
		st = TELL_ENTERPRISE(cx, a, "rejected", msg);
		if (!st && a->created_by)
			st = TELL_USER(cx, a, "rejected", msg, a->created_by);
		break;
	case AA_ASSIGN:
		st = TELL_PERM(cx, a, "assigned", "主办", "appeal.handle", a->lead_path,
			       a->lead_org_id);
		for (int i = 0; !st && i < a->nco; i++)
			st = TELL_PERM(cx, a, "assigned", "协办", "appeal.handle", a->co_path[i],
				       a->co_id[i]);
		break;
	case AA_RETURN:
		st = TELL_PERM(cx, a, "returned", msg, "appeal.dispatch", a->home_path,
			       a->home_org_id);
		break;
	case AA_INTERIM_REPLY:
		st = TELL_ENTERPRISE(cx, a, "interim_reply", msg);
		break;
	case AA_REPLY:
		st = next == AS_REPLIED
			     ? TELL_ENTERPRISE(cx, a, "replied", msg)
			     : TELL_PERM(cx, a, "approval_needed", msg, "appeal.supervise",
					 a->lead_path, a->lead_org_id);
		break;
	case AA_APPROVE_CLOSE:
		st = TELL_ENTERPRISE(cx, a, "replied", msg);
		if (!st)
			st = appeal_tell_holder(cx, a, "approval_decided", "同意");
		break;
	case AA_DENY_CLOSE:
		st = appeal_tell_holder(cx, a, "approval_decided", msg);
		break;
	case AA_CO_OPINION:
		st = appeal_tell_holder(cx, a, "co_opinion", msg);
		break;
	case AA_SUSPEND:
		st = TELL_ENTERPRISE(cx, a, "suspended", msg);
		break;
	case AA_SUPPLEMENT:
		st = appeal_tell_holder(cx, a, "supplemented", msg);
		break;
	case AA_WITHDRAW:
		st = appeal_tell_holder(cx, a, "withdrawn", msg);
		break;
	case AA_REQUEST_EXTENSION: {
		int64_t leader = 0;
		st = responsible_leader(cx, a, &leader);
		if (!st)
			st = TELL_USER(cx, a, "extension_request", msg, leader);
		break;
	}
	case AA_APPROVE_EXTENSION:
	case AA_DENY_EXTENSION:
		st = appeal_tell_holder(cx, a, "extension_decided", msg);
		break;
	case AA_EVALUATE:
		st = appeal_tell_holder(cx, a, next == AS_REOPENED ? "reopened" : "rated",
				 appeal_rating_names[a->rating]);
		break;
	case AA_CLOSE:
		st = appeal_tell_holder(cx, a, "closed", msg);
		break;
	case AA_REOPEN:
		st = appeal_tell_holder(cx, a, "reopened", msg);
		break;
	case AA_SUPERVISE:
		st = appeal_tell_holder(cx, a, "supervised", msg);
		break;
	default:
		break;
	}
	return st;
drop_detail:
	json_decref(detail);
	return st;
}

/* ---- for the case library -------------------------------------------------------------------- */

static char *mdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

enum status appeals_solved_brief(struct db *db, int64_t id, struct appeal_brief *out)
{
	memset(out, 0, sizeof(*out));
	struct arena ar;
	arena_init(&ar, 8192, 4u << 20);
	struct appeal a;
	bool found = false;
	struct db_res *r = db_query(db, &SQL_APPEAL_GET, DB_ARGS(db_int(id)));
	bool copied = true;
	if (db_next(r)) {
		copied = appeal_from_row(&ar, r, &a);
		found = true;
	}
	enum status st = db_done(r);
	if (!st && !copied)
		st = ST_NOMEM;
	if (!st && !found)
		st = ST_NOT_FOUND;
	if (!st && (a.state != AS_CLOSED || a.outcome != AO_SOLVED))
		st = ST_CONFLICT;
	if (!st) {
		out->id = a.id;
		out->enterprise_id = a.enterprise_id;
		out->category_id = a.category_id;
		out->state = a.state;
		out->outcome = a.outcome;
		appeal_number(a.created_at, a.id, out->number, sizeof(out->number));
		out->title = mdup(a.title);
		out->content = mdup(a.content);
		out->reply = mdup(a.reply);
		out->enterprise_name = mdup(a.enterprise_name);
		out->uscc = mdup(a.uscc);
		out->region_code = mdup(a.region_code);
		out->category_name = mdup(a.category_name);
		out->lead_org_name = mdup(a.lead_name);
		out->contact_name = mdup(a.contact_name);
		out->contact_phone = mdup(a.contact_phone);
	}
	arena_release(&ar);
	return st;
}

void appeal_brief_release(struct appeal_brief *b)
{
	free(b->title);
	free(b->content);
	free(b->reply);
	free(b->enterprise_name);
	free(b->uscc);
	free(b->region_code);
	free(b->category_name);
	free(b->lead_org_name);
	free(b->contact_name);
	free(b->contact_phone);
	memset(b, 0, sizeof(*b));
}
