/* appeals_http.c: appeals over HTTP: the queue and "my work", one appeal with its timeline,
 * filing (with the duplicate guard), every action of the lifecycle; the route table. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/module.h"
#include "auth/principal.h"
#include "http/input.h"
#include "http/jsonw.h"
#include "lib/fault.h"
#include "lib/log.h"
#include "modules/appeals/appeals_internal.h"
#include "modules/appeals/appeals_sql.h"

#define COUNT_CAP 200       /* a filtered list counts exactly up to here, then says "more" */
#define SEARCH_COUNT_CAP 100 /* searches (each hit is checked on its text) up to here */
#define DUPLICATE_SIMILARITY 0.8

/* ---- shared ------------------------------------------------------------------------------- */

enum status appeals_req_ctx(struct request *req, struct db *db, struct appeal_ctx *cx)
{
	enum status st = appeal_ctx_init(cx, req->app, db, &req->arena, req->now);
	if (st)
		return st;
	struct principal *u = req->user;
	cx->actor = (struct appeal_actor){u->user_id, u->username, u->display_name, u->org_name,
					  u->org_path, req->ip, req->id};
	return ST_OK;
}

enum status appeals_req_fail(struct request *req, struct appeal_ctx *cx, enum status st)
{
	if (cx->allowed || st == ST_CONFLICT) {
		json_t *list = json_array();
		for (int a = 0; a < AA__COUNT; a++)
			if (cx->allowed & (1u << a))
				json_array_append_new(list, json_string(appeal_action_codes[a]));
		json_decref(req->err_extra);
		req->err_extra = json_pack("{s:o}", "allowed_actions", list);
	}
	if (cx->err_code || cx->err_message)
		return req_fail(req, st, cx->err_code, cx->err_message, cx->err_field);
	return st;
}

enum status appeals_load_visible(struct request *req, struct appeal_ctx *cx, int64_t id,
				 struct appeal *a)
{
	struct scope s;
	principal_scope(req->user, PERM_APPEAL_READ, &s);
	struct db_val args[6];
	scope_filter_args(&s, args);
	args[5] = db_int(id);
	bool found = false, copied = true;
	struct db_res *r = db_query(cx->db, &SQL_APPEAL_GET_SCOPED, args, 6);
	if (db_next(r)) {
		copied = appeal_from_row(cx->arena, r, a);
		found = true;
	}
	enum status st = db_done(r);
	if (st)
		return st;
	if (!copied)
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	if (!found)
		return req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
	return appeal_load_co(cx, a);
}

bool appeals_caller_sees(struct request *req, struct db *db, int64_t id)
{
	struct scope s;
	principal_scope(req->user, PERM_APPEAL_READ, &s);
	struct db_val args[6];
	scope_filter_args(&s, args);
	args[5] = db_int(id);
	bool found = false;
	struct db_res *r = db_query(db, &SQL_APPEAL_VISIBLE, args, 6);
	if (db_next(r))
		found = true;
	return db_done(r) == ST_OK && found;
}

/* The enterprise's own view: only what is said to it. */
static bool enterprise_view(const struct request *req, unsigned caps)
{
	return req->user->enterprise_id > 0 &&
	       !(caps & (CAP_DISPATCHER | CAP_LEAD | CAP_CO | CAP_SUPERVISOR | CAP_LEADER));
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *ref(int64_t id, const char *name)
{
	return id ? json_pack("{s:I, s:s?}", "id", (json_int_t)id, "name", name) : json_null();
}

static const char *name_of(const char *const *codes, const char *const *names, const char *code)
{
	int i = appeal_code_index(codes, code);
	return i >= 0 ? names[i] : code;
}

static enum appeal_colour colour_of(enum appeal_state s, const char *due, const char *today,
				    const char *yellow_until)
{
	if (s == AS_SUSPENDED)
		return AC_PAUSED;
	if (s == AS_REPLIED || appeal_state_final(s))
		return AC_NONE;
	return appeal_colour(due, today, yellow_until, false);
}

static json_t *allowed_json(uint32_t set)
{
	json_t *list = json_array();
	for (int a = 0; a < AA__COUNT; a++)
		if (set & (1u << a))
			json_array_append_new(list, json_string(appeal_action_codes[a]));
	return list;
}

json_t *appeal_json(struct request *req, struct appeal_ctx *cx, const struct appeal *a,
		    bool ent_view, const char *yellow_until)
{
	char number[32];
	appeal_number(a->created_at, a->id, number, sizeof(number));
	json_t *co = json_array();
	for (int i = 0; i < a->nco; i++)
		json_array_append_new(co, ref(a->co_id[i], a->co_name[i]));
	enum appeal_colour colour = colour_of(a->state, a->due_date, cx->today, yellow_until);
	json_t *o = json_pack(
		"{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)a->id, "number",
		number, "title", a->title, "content", a->content, "channel", a->channel,
		"channel_name", name_of(appeal_channel_codes, appeal_channel_names, a->channel),
		"urgency", a->urgency, "urgency_name",
		name_of(appeal_urgency_codes, appeal_urgency_names, a->urgency), "state",
		appeal_state_codes[a->state]);
	if (!o) {
		json_decref(co);
		return NULL;
	}
	json_object_set_new(o, "state_name", json_string(appeal_state_names[a->state]));
	json_object_set_new(
		o, "category",
		json_pack("{s:I, s:s, s:{s:I, s:s}}", "id", (json_int_t)a->category_id, "name",
			  a->category_name, "root", "id", (json_int_t)a->category_root, "name",
			  a->category_root_name));
	json_object_set_new(o, "enterprise",
			    json_pack("{s:I, s:s, s:s?, s:s}", "id", (json_int_t)a->enterprise_id,
				      "name", a->enterprise_name, "uscc", a->uscc, "region_code",
				      a->region_code));
	json_object_set_new(o, "home_org", ref(a->home_org_id, a->home_name));
	json_object_set_new(o, "contact",
			    json_pack("{s:b, s:o, s:o, s:o}", "allowed", a->contact_ok, "via",
				      jstr(a->contact_via), "name", jstr(a->contact_name), "phone",
				      jstr(a->contact_phone)));
	json_object_set_new(o, "lead_unit", ref(a->lead_org_id, a->lead_name));
	json_object_set_new(o, "co_units", co);
	json_object_set_new(o, "suggested_unit", ent_view ? json_null()
							  : ref(a->suggested_org_id,
								a->suggested_name));
	/* the answer reaches the enterprise only once it is given (not while under review) */
	bool answer_visible = !ent_view || a->state != AS_PENDING_APPROVAL;
	json_object_set_new(o, "outcome",
			    a->outcome && answer_visible ? json_string(appeal_outcome_codes[a->outcome])
							 : json_null());
	json_object_set_new(o, "outcome_name",
			    a->outcome && answer_visible ? json_string(appeal_outcome_names[a->outcome])
							 : json_null());
	json_object_set_new(o, "reply", answer_visible ? jstr(a->reply) : json_null());
	json_object_set_new(o, "plan", answer_visible ? jstr(a->plan) : json_null());
	json_object_set_new(o, "follow_up_on", answer_visible ? jstr(a->follow_up_on) : json_null());
	json_object_set_new(o, "rating",
			    a->rating ? json_string(appeal_rating_codes[a->rating]) : json_null());
	json_object_set_new(o, "rating_name",
			    a->rating ? json_string(appeal_rating_names[a->rating]) : json_null());
	json_object_set_new(o, "rating_comment", jstr(a->rating_comment));
	json_object_set_new(
		o, "deadlines",
		json_pack("{s:o, s:o, s:o, s:o, s:o, s:b, s:i}", "accept", jstr(a->accept_due),
			  "contact", jstr(a->contact_due), "interim", jstr(a->interim_due), "close",
			  jstr(a->close_due), "rate", jstr(a->rate_due), "provisional",
			  a->provisional, "close_workdays", a->close_span));
	json_object_set_new(o, "due_date", jstr(a->due_date));
	json_object_set_new(o, "colour", json_string(appeal_colour_codes[colour]));
	json_object_set_new(o, "suspension",
			    a->state == AS_SUSPENDED
				    ? json_pack("{s:o, s:o, s:o}", "since", jstr(a->suspended_on),
						"until", jstr(a->suspend_until), "reason",
						jstr(a->suspend_reason))
				    : json_null());
	json_object_set_new(o, "paused_workdays", json_integer(a->paused_total));
	json_object_set_new(o, "extension",
			    json_pack("{s:b, s:b, s:i, s:o}", "granted", a->extended, "pending",
				      a->extension_pending, "days", a->extension_days, "reason",
				      ent_view ? json_null() : jstr(a->extension_reason)));
	json_object_set_new(o, "reopen_count", json_integer(a->reopen_count));
	json_object_set_new(o, "late", json_boolean(a->late));
	json_object_set_new(o, "on_time", a->outcome && answer_visible ? json_boolean(a->on_time)
								       : json_null());
	json_object_set_new(o, "handling_workdays",
			    a->outcome && answer_visible ? json_integer(a->close_workdays)
							 : json_null());
	if (!ent_view) {
		json_object_set_new(o, "return_count", json_integer(a->return_count));
		json_object_set_new(o, "supervision_open", json_integer(a->supervision_open));
		json_object_set_new(
			o, "escalation",
			a->escalated_level
				? json_pack("{s:i, s:o, s:o}", "level", a->escalated_level, "to",
					    ref(a->escalated_to, a->escalated_to_name), "at",
					    json_time(req, a->escalated_at))
				: json_null());
		json_object_set_new(o, "duplicate_of",
				    a->duplicate_of ? json_integer(a->duplicate_of) : json_null());
		json_object_set_new(o, "duplicate_reason", jstr(a->duplicate_reason));
	}
	json_object_set_new(o, "created_by", ref(a->created_by, a->creator_name));
	static const char *const times[] = {"created_at", "accepted_at", "assigned_at",
					    "started_at", "contacted_at", "interim_at",
					    "replied_at", "closed_at", "updated_at"};
	int64_t tv[] = {a->created_at, a->accepted_at, a->assigned_at, a->started_at,
			a->contacted_at, a->interim_at, a->replied_at, a->closed_at, a->updated_at};
	for (size_t i = 0; i < sizeof(tv) / sizeof(tv[0]); i++)
		json_object_set_new(o, times[i], json_time(req, tv[i]));
	struct appeal_facts f;
	appeal_facts_of(a, &f);
	json_object_set_new(o, "allowed_actions", allowed_json(appeal_allowed(&f, cx->caps)));
	return o;
}

/* ---- list rows, written straight into one buffer (the queue is the hot path: building and
 * dumping a JSON tree per row cost four fifths of a page) ---------------------------------- */

/* A row of LIST_COLUMNS as a JSON object without its closing brace (the caller may add
 * members). *colour_out (optional) receives its colour, *due_out its due date. */
static void list_row(struct str *s, struct db_res *r, const char *today, const char *yellow_until,
		     bool ent_view, enum appeal_colour *colour_out)
{
	char number[32];
	int64_t id = db_col_int(r, 0), created = db_col_int(r, 12);
	appeal_number(created, id, number, sizeof(number));
	const char *state = db_col_text(r, 2), *due = db_col_text(r, 11);
	int st = appeal_code_index(appeal_state_codes, state);
	const char *channel = db_col_text(r, 8), *urgency = db_col_text(r, 7);
	enum appeal_colour colour =
		colour_of(st >= 0 ? (enum appeal_state)st : AS_SUBMITTED, due, today, yellow_until);
	if (colour_out)
		*colour_out = colour;
	const char *outcome = db_col_text(r, 21);
	bool pending = st == AS_PENDING_APPROVAL;
	str_putc(s, '{');
	js_key(s, "id", true);
	js_int(s, id);
	js_key(s, "number", false), js_str(s, number);
	js_key(s, "title", false), js_str(s, db_col_text(r, 1));
	js_key(s, "state", false), js_str(s, state);
	js_key(s, "state_name", false), js_str(s, st >= 0 ? appeal_state_names[st] : state);
	js_key(s, "enterprise", false), js_ref(s, db_col_int(r, 3), db_col_text(r, 4));
	js_key(s, "category", false), js_ref(s, db_col_int(r, 5), db_col_text(r, 6));
	js_key(s, "urgency", false), js_str(s, urgency);
	js_key(s, "urgency_name", false);
	js_str(s, name_of(appeal_urgency_codes, appeal_urgency_names, urgency));
	js_key(s, "channel", false), js_str(s, channel);
	js_key(s, "channel_name", false);
	js_str(s, name_of(appeal_channel_codes, appeal_channel_names, channel));
	js_key(s, "lead_unit", false);
	js_ref(s, db_col_null(r, 9) ? 0 : db_col_int(r, 9), db_col_text(r, 10));
	js_key(s, "due_date", false), js_str(s, due);
	js_key(s, "colour", false), js_str(s, appeal_colour_codes[colour]);
	js_key(s, "created_at", false), js_time(s, created);
	js_key(s, "updated_at", false), js_time(s, db_col_int(r, 13));
	js_key(s, "late", false), str_puts(s, db_col_int(r, 14) ? "true" : "false");
	js_key(s, "reopen_count", false), js_int(s, db_col_int(r, 16));
	js_key(s, "outcome", false), js_str(s, outcome && !(ent_view && pending) ? outcome : NULL);
	js_key(s, "rating", false), js_str(s, db_col_text(r, 22));
	js_key(s, "region_code", false), js_str(s, db_col_text(r, 23));
	js_key(s, "rate_due", false), js_str(s, db_col_text(r, 18));
	if (!ent_view) {
		js_key(s, "escalated", false), str_puts(s, db_col_int(r, 15) > 0 ? "true" : "false");
		js_key(s, "return_count", false), js_int(s, db_col_int(r, 17));
		js_key(s, "supervision_open", false), js_int(s, db_col_int(r, 19));
		js_key(s, "extension_pending", false);
		str_puts(s, db_col_int(r, 20) ? "true" : "false");
	}
}


/* The last date that is still "due soon": today plus the configured working days. */
static enum status yellow_until(struct appeal_ctx *cx, const char **out)
{
	bool prov = false;
	return appeal_deadline(cx, cx->today, cx->set.yellow_days, out, &prov);
}

/* ---- the queue ------------------------------------------------------------------------------- */

static enum status q_month_ts(struct request *req, const char *name, const char *label,
			      int64_t *out, bool end)
{
	struct date d;
	bool present;
	*out = 0;
	enum status st = q_date(req, name, label, &d, &present);
	if (st || !present)
		return st;
	if (end && date_add_days(d, 1, &d))
		return req_fail(req, ST_INVALID, "invalid_date", "日期超出范围", name);
	if (date_local_midnight_ts(d, out))
		return req_fail(req, ST_INVALID, "invalid_date", "日期超出范围", name);
	return ST_OK;
}

/* The deadlines [lo, hi) of a colour: red before today, yellow from today to the last yellow
 * day, green after it. */
static enum status colour_range(struct appeal_ctx *cx, const char *colour, const char *yellow,
				char lo[DATE_TEXT_SIZE], char hi[DATE_TEXT_SIZE])
{
	struct date d;
	char after_yellow[DATE_TEXT_SIZE];
	if (date_parse(yellow, strlen(yellow), &d) || date_add_days(d, 1, &d) ||
	    date_format(d, after_yellow, DATE_TEXT_SIZE))
		return ST_INTERNAL;
	if (strcmp(colour, "red") == 0) {
		snprintf(hi, DATE_TEXT_SIZE, "%s", cx->today);
	} else if (strcmp(colour, "yellow") == 0) {
		snprintf(lo, DATE_TEXT_SIZE, "%s", cx->today);
		snprintf(hi, DATE_TEXT_SIZE, "%s", after_yellow);
	} else {
		snprintf(lo, DATE_TEXT_SIZE, "%s", after_yellow);
	}
	return ST_OK;
}

static enum status check_states(struct request *req, const char *list, bool *single)
{
	*single = false;
	if (!list)
		return ST_OK;
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", list);
	int n = 0;
	for (char *p = buf; p && *p;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (appeal_code_index(appeal_state_codes, p) < 0)
			return req_failf(req, ST_INVALID, "invalid_choice", "state",
					 "没有这种诉求状态：%s", p);
		n++;
		p = comma ? comma + 1 : NULL;
	}
	*single = n == 1;
	return ST_OK;
}

enum status appeals_list(struct request *req)
{
	static const char *const sorts[] = {"new", "old", "due", NULL};
	static const char *const colours[] = {"red", "yellow", "green", NULL};
	const char *state, *urgency, *channel, *region, *colour, *q, *sort;
	int64_t category, lead, enterprise, escalated, late, from_ts, to_ts;
	struct paging pg;
	struct db *db;
	enum status st;
	if ((st = q_str(req, "state", "状态", 200, &state)) ||
	    (st = q_int(req, "category_id", "分类", 1, INT64_MAX, 0, &category)) ||
	    (st = q_str(req, "urgency", "紧急程度", 16, &urgency)) ||
	    (st = q_str(req, "channel", "渠道", 16, &channel)) ||
	    (st = q_int(req, "lead_org_id", "主办单位", 1, INT64_MAX, 0, &lead)) ||
	    (st = q_int(req, "enterprise_id", "企业", 1, INT64_MAX, 0, &enterprise)) ||
	    (st = q_str(req, "region_code", "行政区划", 6, &region)) ||
	    (st = q_str(req, "colour", "时限状态", 8, &colour)) ||
	    (st = q_int(req, "escalated", "已升级", 0, 1, -1, &escalated)) ||
	    (st = q_int(req, "late", "曾逾期", 0, 1, -1, &late)) ||
	    (st = q_str(req, "q", "搜索词", 100, &q)) ||
	    (st = q_str(req, "sort", "排序", 8, &sort)) ||
	    (st = q_month_ts(req, "from", "开始日期", &from_ts, false)) ||
	    (st = q_month_ts(req, "to", "结束日期", &to_ts, true)) || (st = q_paging(req, &pg)))
		return st;
	bool single;
	if ((st = check_states(req, state, &single)))
		return st;
	int sort_i = sort ? appeal_code_index(sorts, sort) : 0;
	if (sort_i < 0)
		return req_fail(req, ST_INVALID, "invalid_choice", "排序应为 new、old 或 due", "sort");
	if (colour && appeal_code_index(colours, colour) < 0)
		return req_fail(req, ST_INVALID, "invalid_choice",
				"时限状态应为 red、yellow 或 green", "colour");
	if (urgency && appeal_code_index(appeal_urgency_codes, urgency) < 0)
		return req_fail(req, ST_INVALID, "invalid_choice", "紧急程度应为 normal 或 urgent",
				"urgency");
	if (channel && appeal_code_index(appeal_channel_codes, channel) < 0)
		return req_fail(req, ST_INVALID, "invalid_choice",
				"渠道应为 self、visit、hotline、phone、letter 或 other", "channel");
	struct appeal_query query = {0};
	int64_t number_id = 0;
	if (q) {
		number_id = appeal_number_id(q);
		if (!number_id && appeal_query_parse(q, &query))
			return req_fail(req, ST_INVALID, "invalid_query",
					"搜索词最多3个，每个不超过50个字", "q");
	}
	if ((st = req_db(req, &db)))
		return st;
	struct appeal_ctx cx;
	const char *yellow;
	if ((st = appeal_ctx_init(&cx, req->app, db, &req->arena, req->now)) ||
	    (st = yellow_until(&cx, &yellow)))
		return st;

	struct db_val a[30];
	scope_filter(req, a);
	a[5] = db_text(state);
	a[6] = db_id_or_null(category);
	a[7] = db_text(urgency);
	a[8] = db_text(channel);
	a[9] = db_id_or_null(lead);
	a[10] = db_id_or_null(enterprise);
	a[11] = db_text(region);
	a[12] = db_text(colour);
	a[13] = db_text(cx.today);
	a[14] = db_text(yellow);
	a[15] = from_ts ? db_int(from_ts) : db_null();
	a[16] = to_ts ? db_int(to_ts) : db_null();
	a[17] = escalated >= 0 ? db_int(escalated) : db_null();
	a[18] = late >= 0 ? db_int(late) : db_null();
	a[19] = db_id_or_null(number_id);
	bool search = query.nterms > 0;
	a[20] = search ? db_text(db_kind(db) == DB_POSTGRES ? query.grams : query.match) : db_null();
	for (int i = 0; i < 3; i++)
		a[21 + i] = search && i < query.nterms ? db_text(query.term[i]) : db_null();
	a[25] = db_int(0);
	/* The access path: one narrow scope key reads its own appeals (an enterprise's always, as
	 * they are few; a county's or a unit's unless sorted by deadline, where the deadline
	 * index serves better); a search starts from the index; a single state from its own. */
	int key_kind = -1;
	int64_t key_id = 0;
	bool keyed = appeals_scope_key(&req->scope, &key_kind, &key_id) && key_kind != SK_ALL;
	bool by_key = keyed && (key_kind == SK_ENTERPRISE || (!search && sort_i != 2));
	a[26] = db_int(key_kind);
	a[27] = db_int(key_id);
	/* a colour is a range of deadlines: read in deadline order from its index (an enterprise's
	 * few appeals come from its key all the same) */
	char lo[DATE_TEXT_SIZE] = "", hi[DATE_TEXT_SIZE] = "~";
	bool by_colour = colour && !search && !(by_key && key_kind == SK_ENTERPRISE);
	if (by_colour && (st = colour_range(&cx, colour, yellow, lo, hi)))
		return st;
	a[28] = db_text(lo);
	a[29] = db_text(hi);
	const struct sql *list, *count;
	if (by_colour) {
		list = &SQL_LIST_COLOUR;
		count = &SQL_COUNT_COLOUR;
	} else if (by_key) {
		list = sort_i == 0 ? &SQL_KLIST_NEW : sort_i == 1 ? &SQL_KLIST_OLD : &SQL_KLIST_DUE;
		count = &SQL_KCOUNT;
	} else if (search) {
		list = &SQL_LIST_SEARCH;
		count = &SQL_COUNT_SEARCH;
	} else if (single) {
		list = sort_i == 0 ? &SQL_LIST_STATE_NEW : sort_i == 1 ? &SQL_LIST_STATE_OLD
								       : &SQL_LIST_STATE_DUE;
		count = &SQL_COUNT_STATE;
	} else {
		list = sort_i == 0 ? &SQL_LIST_NEW : sort_i == 1 ? &SQL_LIST_OLD : &SQL_LIST_DUE;
		count = &SQL_COUNT;
	}
	int64_t cap = search ? SEARCH_COUNT_CAP : COUNT_CAP;
	a[24] = db_int(cap + 1);
	/* The whole queue of a scope key is counted by its counters, exactly; a filtered one
	 * counts up to the cap. */
	int64_t total = -1;
	int all_kind;
	int64_t all_id;
	bool unfiltered = !state && !category && !urgency && !channel && !lead && !enterprise &&
			  !region && !colour && escalated < 0 && late < 0 && !q && !from_ts && !to_ts;
	if (unfiltered && appeals_scope_key(&req->scope, &all_kind, &all_id)) {
		struct db_res *r = db_query(db, &SQL_STAT_TOTAL,
					    DB_ARGS(db_int(all_kind), db_int(all_id), db_int(SD_REGION),
						    db_int(0), db_int(999999)));
		if (db_next(r))
			total = db_col_null(r, 3) ? 0 : db_col_int(r, 3);
		if ((st = db_done(r)))
			return st;
		cap = INT64_MAX;
	}
	/* A search's first page reads on to the cap and counts what it read, instead of a second
	 * statement finding the same hits again (each is looked up in the index and checked on its
	 * text); other lists count on narrow rows, which costs less than reading them whole. */
	bool count_page = total < 0 && search && pg.offset == 0 && pg.size <= cap;
	if (total < 0 && !count_page && (st = db_int1(db, count, a, 30, &total)))
		return st;
	a[24] = db_int(count_page ? cap + 1 : pg.size);
	a[25] = db_int(pg.offset);
	bool ent_view = req->user->enterprise_id > 0;
	struct str out;
	str_init(&out, 8u << 20);
	str_puts(&out, "{\"items\":[");
	struct db_res *r = db_query(db, list, a, 30);
	int64_t n = 0;
	for (; db_next(r); n++) {
		if (n >= pg.size)
			continue; /* past the page: counted only */
		if (n)
			str_putc(&out, ',');
		list_row(&out, r, cx.today, yellow, ent_view, NULL);
		str_putc(&out, '}');
	}
	if ((st = db_done(r))) {
		str_release(&out);
		return st;
	}
	if (count_page)
		total = n;
	bool exact = total <= cap;
	js_page(&out, exact ? total : cap, pg.page, pg.size);
	str_puts(&out, exact ? ",\"total_exact\":true}" : ",\"total_exact\":false}");
	return reply_str(req, &out);
}

/* ---- my work ------------------------------------------------------------------------------ */

static const struct {
	const struct sql *sql, *keyed; /* keyed: for one narrow scope key (NULL: none) */
	enum perm perm;
	const char *reason;
} work_parts[] = {
	{&SQL_WORK_DISPATCH, &SQL_KWORK_DISPATCH, PERM_APPEAL_DISPATCH, "dispatch"},
	{&SQL_WORK_LEAD, &SQL_KWORK_LEAD, PERM_APPEAL_HANDLE, "handle"},
	{&SQL_WORK_CO, &SQL_KWORK_CO, PERM_APPEAL_HANDLE, "co_handle"},
	{&SQL_WORK_SUPERVISE, &SQL_KWORK_SUPERVISE, PERM_APPEAL_SUPERVISE, "review"},
	{&SQL_WORK_APPROVE, &SQL_KWORK_APPROVE, PERM_APPEAL_APPROVE, "approve"},
	{&SQL_WORK_ENTERPRISE, NULL, PERM_APPEAL_CREATE, "enterprise"},
};

/* One row of the work list: its place in the order, and its JSON (without the reasons). */
struct work_row {
	int64_t id;
	char due[DATE_TEXT_SIZE]; /* the due date, else the rating deadline; "" none */
	enum appeal_colour colour;
	unsigned reasons; /* bit i: work_parts[i] */
	char *json;
};

static int by_due(const void *x, const void *y)
{
	const struct work_row *a = x, *b = y;
	int c = !*a->due ? (*b->due ? 1 : 0) : !*b->due ? -1 : strcmp(a->due, b->due);
	if (c)
		return c;
	return a->id < b->id ? -1 : a->id > b->id;
}

enum status appeals_work(struct request *req)
{
	struct db *db;
	enum status st;
	if ((st = req_db(req, &db)))
		return st;
	struct appeal_ctx cx;
	const char *yellow;
	if ((st = appeal_ctx_init(&cx, req->app, db, &req->arena, req->now)) ||
	    (st = yellow_until(&cx, &yellow)))
		return st;
	bool ent_view = req->user->enterprise_id > 0;
	size_t n = 0, alloc = 0;
	struct work_row *rows = NULL;
	struct str one;
	str_init(&one, 1u << 20);
	for (size_t i = 0; !st && i < sizeof(work_parts) / sizeof(work_parts[0]); i++) {
		if (!permset_has(&req->user->perms, work_parts[i].perm))
			continue;
		if (work_parts[i].sql == &SQL_WORK_ENTERPRISE && req->user->enterprise_id <= 0)
			continue;
		struct scope s;
		principal_scope(req->user, work_parts[i].perm, &s);
		struct db_val a[9];
		scope_filter_args(&s, a);
		a[5] = db_int(req->user->user_id);
		a[6] = db_int(200);
		/* a county's or a unit's work: its open appeals, from their keys */
		int kind = -1;
		int64_t key = 0;
		bool keyed = work_parts[i].keyed && appeals_scope_key(&s, &kind, &key) &&
			     kind != SK_ALL;
		a[7] = db_int(kind);
		a[8] = db_int(key);
		struct db_res *r =
			db_query(db, keyed ? work_parts[i].keyed : work_parts[i].sql, a, 9);
		while (db_next(r)) {
			int64_t id = db_col_int(r, 0);
			size_t k;
			for (k = 0; k < n && rows[k].id != id; k++)
				;
			if (k == n) {
				if (n == alloc) {
					size_t na = alloc ? alloc * 2 : 64;
					struct work_row *nr = arena_alloc(&req->arena, na * sizeof(*nr));
					if (!nr) {
						st = ST_NOMEM;
						break;
					}
					if (n)
						memcpy(nr, rows, n * sizeof(*nr));
					rows = nr;
					alloc = na;
				}
				struct work_row *w = &rows[n++];
				memset(w, 0, sizeof(*w));
				w->id = id;
				const char *due = db_col_text(r, 11);
				if (!due)
					due = db_col_text(r, 18);
				snprintf(w->due, sizeof(w->due), "%s", due ? due : "");
				str_clear(&one);
				list_row(&one, r, cx.today, yellow, ent_view, &w->colour);
				w->json = str_ok(&one) ? arena_strdup(&req->arena, one.p) : NULL;
				if (!w->json) {
					st = ST_NOMEM;
					break;
				}
			}
			rows[k].reasons |= 1u << i;
		}
		enum status dst = db_done(r);
		if (!st)
			st = dst;
	}
	str_release(&one);
	if (st)
		return st;
	if (n)
		qsort(rows, n, sizeof(*rows), by_due);
	int counts[AC_PAUSED + 1] = {0};
	struct str out;
	str_init(&out, 16u << 20);
	str_puts(&out, "{\"items\":[");
	for (size_t i = 0; i < n; i++) {
		counts[rows[i].colour]++;
		if (i >= 100)
			continue;
		if (i)
			str_putc(&out, ',');
		str_puts(&out, rows[i].json);
		str_puts(&out, ",\"reasons\":[");
		bool first = true;
		for (size_t k = 0; k < sizeof(work_parts) / sizeof(work_parts[0]); k++)
			if (rows[i].reasons & (1u << k)) {
				if (!first)
					str_putc(&out, ',');
				js_str(&out, work_parts[k].reason);
				first = false;
			}
		str_puts(&out, "]}");
	}
	str_puts(&out, "],\"counts\":{");
	for (int c = AC_NONE; c <= AC_PAUSED; c++) {
		js_key(&out, appeal_colour_codes[c], c == AC_NONE);
		js_int(&out, counts[c]);
	}
	js_key(&out, "total", false);
	js_int(&out, (int64_t)n);
	str_puts(&out, "},\"total\":");
	js_int(&out, (int64_t)n);
	str_putc(&out, '}');
	return reply_str(req, &out);
}

/* ---- one appeal ---------------------------------------------------------------------------- */

/* A row of the timeline; detail is taken. */
static json_t *event_json(struct request *req, int64_t id, int64_t at, const char *action,
			  const char *actor, const char *actor_org, const char *from, const char *to,
			  bool public_row, const char *message, json_t *detail)
{
	int ai = appeal_code_index(appeal_action_codes, action),
	    ti = appeal_code_index(appeal_state_codes, to);
	return json_pack("{s:I, s:o, s:s, s:s, s:{s:s, s:s?}, s:o, s:o, s:o, s:b, s:o, s:o}", "id",
			 (json_int_t)id, "at", json_time(req, at), "action", action, "action_name",
			 ai >= 0 ? appeal_action_names[ai]
			 : strcmp(action, "file") == 0 ? "提交诉求"
						       : action,
			 "actor", "name", actor, "org", actor_org, "from_state", jstr(from),
			 "to_state", jstr(to), "to_state_name",
			 ti >= 0 ? json_string(appeal_state_names[ti]) : json_null(), "public",
			 public_row, "message", jstr(message), "detail", detail ? detail : json_null());
}

/* What the detail page computes from the calendar: the end of the yellow stretch and the
 * working days left on the current deadline (negative: late; *has false when none runs). */
struct appeal_clock {
	const char *yellow;
	bool has;
	int left;
};

static enum status clock_of(struct appeal_ctx *cx, const struct appeal *a, struct appeal_clock *c)
{
	memset(c, 0, sizeof(*c));
	enum status st = yellow_until(cx, &c->yellow);
	if (st || !a->due_date || appeal_state_final(a->state) || a->state == AS_REPLIED)
		return st;
	bool prov = false;
	if (strcmp(a->due_date, cx->today) >= 0)
		st = appeal_workdays(cx, cx->today, a->due_date, &c->left, &prov);
	else if (!(st = appeal_workdays(cx, a->due_date, cx->today, &c->left, &prov)))
		c->left = -c->left;
	c->has = st == ST_OK;
	return st;
}

/* The detail page's appeal, without the lists that come from other tables. */
static enum status detail_head(struct request *req, struct appeal_ctx *cx, const struct appeal *a,
			       bool ent, const struct appeal_clock *c, json_t **out)
{
	*out = NULL;
	json_t *o = appeal_json(req, cx, a, ent, c->yellow);
	if (!o)
		return ST_NOMEM;
	req_own_json(req, o);
	json_object_set_new(o, "workdays_left", c->has ? json_integer(c->left) : json_null());
	*out = o;
	return ST_OK;
}

static enum status detail_json(struct request *req, struct appeal_ctx *cx, const struct appeal *a,
			       json_t **out)
{
	*out = NULL;
	bool ent = enterprise_view(req, cx->caps);
	json_t *o;
	struct appeal_clock c;
	enum status st = clock_of(cx, a, &c);
	if (st || (st = detail_head(req, cx, a, ent, &c, &o)))
		return st;
	json_object_set_new(o, "source", appeal_source_json(cx->db, a->id));
	json_t *timeline = json_array();
	json_object_set_new(o, "timeline", timeline);
	struct db_res *r = db_query(cx->db, &SQL_EVENT_LIST, DB_ARGS(db_int(a->id), db_int(ent)));
	while (db_next(r)) {
		const char *detail = db_col_text(r, 10);
		fault_hold(true); /* see req_json: jansson's lexer and a failed allocation */
		json_t *d = detail ? json_loads(detail, 0, NULL) : NULL;
		fault_hold(false);
		json_array_append_new(timeline,
				      event_json(req, db_col_int(r, 0), db_col_int(r, 1),
						 db_col_text(r, 5), db_col_text(r, 3),
						 db_col_text(r, 4), db_col_text(r, 6),
						 db_col_text(r, 7), db_col_int(r, 8) != 0,
						 db_col_text(r, 9), d));
	}
	if ((st = db_done(r)))
		return st;
	json_t *files = json_array();
	json_object_set_new(o, "attachments", files);
	r = db_query(cx->db, &SQL_FILE_LIST, DB_ARGS(db_int(a->id), db_int(ent)));
	while (db_next(r)) {
		int k = appeal_code_index((const char *const[]){"unknown", "jpeg", "png", "gif",
								 "webp", "bmp", "pdf", "docx",
								 "xlsx", "pptx", "ole", NULL},
					  db_col_text(r, 2));
		json_array_append_new(
			files,
			json_pack("{s:I, s:s, s:s, s:s, s:I, s:b, s:s, s:o, s:s}", "id",
				  (json_int_t)db_col_int(r, 0), "name", db_col_text(r, 1), "kind",
				  db_col_text(r, 2), "mime",
				  appeal_file_mime(k > 0 ? (enum appeal_file_kind)k : AF_UNKNOWN),
				  "size_bytes", (json_int_t)db_col_int(r, 3), "internal",
				  db_col_int(r, 4) != 0, "uploaded_by", db_col_text(r, 5),
				  "uploaded_at", json_time(req, db_col_int(r, 6)), "url",
				  arena_printf(&req->arena, "/api/v1/appeals/%lld/attachments/%lld",
					       (long long)a->id, (long long)db_col_int(r, 0))));
	}
	if ((st = db_done(r)))
		return st;
	if (!ent) {
		json_t *sups = json_array();
		json_object_set_new(o, "supervisions", sups);
		r = db_query(cx->db, &SQL_SUP_LIST, DB_ARGS(db_int(a->id)));
		while (db_next(r))
			json_array_append_new(
				sups,
				json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b}", "id",
					  (json_int_t)db_col_int(r, 0), "by", db_col_text(r, 2),
					  "note", db_col_text(r, 3), "due_date", db_col_text(r, 4),
					  "created_at", json_time(req, db_col_int(r, 5)),
					  "answered_at",
					  db_col_null(r, 6) ? json_null()
							    : json_time(req, db_col_int(r, 6)),
					  "answered_by", jstr(db_col_text(r, 7)), "answer",
					  jstr(db_col_text(r, 8)), "late",
					  db_col_null(r, 6) &&
						  strcmp(db_col_text(r, 4), cx->today) < 0));
		if ((st = db_done(r)))
			return st;
	}
	*out = json_incref(o);
	return ST_OK;
}

/* The answer to a filing from what it wrote, not read back after its commit (a commit empties
 * every other connection's page cache, so the read-back of the appeal, its timeline and its
 * lists cost about a sixth of a filing's CPU). A new appeal has no source, co-units,
 * attachments or supervisions, and its timeline is the row of its filing; the rest is what the
 * filing set and looked up, and its clock (c) what the calendar said before it queued. The
 * same as GET answers to a caller who may read it (tests/api/appeals.test.mjs compares). */
static enum status filed_json(struct request *req, struct appeal_ctx *cx, const struct appeal *a,
			      const struct appeal_clock *c, json_t **out)
{
	*out = NULL;
	bool ent = enterprise_view(req, cx->caps);
	json_t *o, *timeline = json_array();
	enum status st = detail_head(req, cx, a, ent, c, &o);
	if (st) {
		json_decref(timeline);
		return st;
	}
	json_object_set_new(o, "source", json_null());
	json_object_set_new(o, "timeline", timeline);
	json_array_append_new(timeline,
			      event_json(req, a->filed_event, a->created_at, "file",
					 appeal_actor_name(cx), cx->actor.org_name, NULL,
					 appeal_state_codes[AS_SUBMITTED], true, NULL,
					 appeal_file_detail(a)));
	json_object_set_new(o, "attachments", json_array());
	if (!ent)
		json_object_set_new(o, "supervisions", json_array());
	*out = json_incref(o);
	return ST_OK;
}

enum status appeals_get(struct request *req)
{
	int64_t id;
	struct db *db;
	struct appeal_ctx cx;
	struct appeal a;
	json_t *o;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = appeals_req_ctx(req, db, &cx)) || (st = appeals_load_visible(req, &cx, id, &a)))
		return st;
	cx.caps = appeal_caps_of(req->user, &a);
	if ((st = detail_json(req, &cx, &a, &o)))
		return st;
	return reply_json(req, 200, o);
}

/* ---- filing ------------------------------------------------------------------------------- */

static bool phone_ok(const char *s)
{
	size_t digits = 0;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p != '-' && *p != '+' && *p != ' ')
			return false;
	}
	return digits >= 7 && digits <= 15;
}

/* The duplicate guard: appeals of the same enterprise within the window whose title or content
 * is nearly the same.
 *
 * A filing compares itself with every recent appeal of its enterprise, and reading each one's
 * title and content cost a filing of the bench's flood 13 of the pages it read from the file
 * (the request's connection has read nothing since the last commit: each commit of another
 * connection empties its cache), about an eighth of a filing's time. So the appeals filed are
 * kept here in a few words each (appeal_sig): the guard reads the ids from the index alone,
 * and the rows only when an id is not kept or its words cannot rule it out. An appeal's title
 * and content never change and its id is never used again, so what is kept stays true; it is
 * kept from rows read on a committed snapshot and from filings once their batch is on disk,
 * never from a batch still being written (rolled back, its ids would go to other filings). */
#define SIG_SLOTS 65536 /* the last ids, by id: 96 bytes each, touched only when used */

static struct {
	pthread_mutex_t mu;
	struct appeal_sig *slot; /* calloc'd at first use; NULL if that failed */
	bool tried;
} sigs = {PTHREAD_MUTEX_INITIALIZER, NULL, false};

static bool sig_get(int64_t id, struct appeal_sig *out)
{
	bool found = false;
	pthread_mutex_lock(&sigs.mu);
	if (sigs.slot && sigs.slot[(uint64_t)id % SIG_SLOTS].id == id) {
		*out = sigs.slot[(uint64_t)id % SIG_SLOTS];
		found = true;
	}
	pthread_mutex_unlock(&sigs.mu);
	return found;
}

/* Forget them all (the app closes: another may open another database). */
static void sigs_forget(void)
{
	pthread_mutex_lock(&sigs.mu);
	free(sigs.slot);
	sigs.slot = NULL;
	sigs.tried = false;
	pthread_mutex_unlock(&sigs.mu);
}

static void sig_put(const struct appeal_sig *s)
{
	if (s->id <= 0)
		return;
	pthread_mutex_lock(&sigs.mu);
	if (!sigs.tried) {
		sigs.tried = true;
		sigs.slot = calloc(SIG_SLOTS, sizeof(*sigs.slot));
	}
	if (sigs.slot)
		sigs.slot[(uint64_t)s->id % SIG_SLOTS] = *s;
	pthread_mutex_unlock(&sigs.mu);
}

/* A filing's side of the comparison, made once: its bigrams and its words. */
struct dup_probe {
	uint64_t *title, *content;
	size_t nt, nc;
	struct appeal_sig sig;
};

static enum status probe_init(struct dup_probe *p, const struct appeal *a)
{
	memset(p, 0, sizeof(*p));
	p->title = appeal_bigrams(a->title, &p->nt);
	p->content = appeal_bigrams(a->content, &p->nc);
	if (!p->title || !p->content)
		return ST_NOMEM;
	appeal_sig_make(p->title, p->nt, p->content, p->nc, &p->sig);
	return ST_OK;
}

static void probe_free(struct dup_probe *p)
{
	free(p->title);
	free(p->content);
}

/* Whether the words kept of the appeal with this id rule it out (*kept: whether there are any). */
static bool dup_ruled_out(const struct dup_probe *p, int64_t id, bool *kept)
{
	struct appeal_sig s;
	*kept = sig_get(id, &s);
	return *kept &&
	       appeal_sig_bound(&s, p->title, p->nt, p->content, p->nc) < DUPLICATE_SIMILARITY;
}

/* One appeal read: how alike it is to p (0 when its kept words rule it out); its words kept
 * (if keep) when they were not. */
static enum status dup_compare(const struct dup_probe *p, int64_t id, const char *t,
			       const char *c, bool keep, double *sim)
{
	bool kept;
	*sim = 0.0;
	if (dup_ruled_out(p, id, &kept))
		return ST_OK;
	size_t nbt, nbc;
	uint64_t *bt = appeal_bigrams(t, &nbt), *bc = appeal_bigrams(c, &nbc);
	enum status st = bt && bc ? ST_OK : ST_NOMEM;
	if (!st) {
		if (keep && !kept) {
			struct appeal_sig s;
			appeal_sig_make(bt, nbt, bc, nbc, &s);
			s.id = id;
			sig_put(&s);
		}
		double by_title = appeal_dice(p->title, p->nt, bt, nbt);
		double by_content = appeal_dice(p->content, p->nc, bc, nbc);
		*sim = by_title > by_content ? by_title : by_content;
	}
	free(bt);
	free(bc);
	return st;
}

/* Add to *out the enterprise's appeals of the last days, with ids in (lo, hi], whose title or
 * content is near-identical to the probe's; *best_id the nearest so far (*best its
 * similarity). keep: the reads are of committed appeals (the words of those read are kept). */
static enum status find_duplicates(struct request *req, struct appeal_ctx *cx,
				   const struct appeal *a, const struct dup_probe *p, int64_t lo,
				   int64_t hi, bool keep, json_t *out, int64_t *best_id,
				   double *best)
{
	int64_t since = cx->now - (int64_t)cx->set.duplicate_days * 86400;
	struct db_val args[] = {db_int(a->enterprise_id), db_int(since), db_int(lo), db_int(hi)};
	/* the ids from the index; the rows (one statement) only when one of them is unsure */
	bool unsure = false;
	struct db_res *r = db_query(cx->db, &SQL_APPEAL_RECENT_IDS, args, 4);
	bool kept;
	while (!unsure && db_next(r))
		unsure = !dup_ruled_out(p, db_col_int(r, 0), &kept);
	enum status st = db_done(r);
	if (st || !unsure)
		return st;
	r = db_query(cx->db, &SQL_APPEAL_RECENT, args, 4);
	while (!st && db_next(r)) {
		int64_t id = db_col_int(r, 0);
		double sim;
		st = dup_compare(p, id, db_col_text(r, 1), db_col_text(r, 2), keep, &sim);
		if (st || sim < DUPLICATE_SIMILARITY)
			continue;
		char number[32];
		appeal_number(db_col_int(r, 4), id, number, sizeof(number));
		int s = appeal_code_index(appeal_state_codes, db_col_text(r, 3));
		json_array_append_new(
			out, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:i}", "id", (json_int_t)id,
				       "number", number, "title", db_col_text(r, 1), "state",
				       db_col_text(r, 3), "state_name",
				       s >= 0 ? appeal_state_names[s] : "", "created_at",
				       json_time(req, db_col_int(r, 4)), "similarity",
				       (int)(sim * 100)));
		if (sim > *best) {
			*best = sim;
			*best_id = id;
		}
	}
	enum status done = db_done(r);
	return st ? st : done;
}

/* ---- filing: one commit for the filings waiting together ----------------------------------- */

/*
 * Filings queue in the process; the first that finds no batch being written writes every
 * waiting one in one transaction, commits once, and wakes them. Each still answers after the
 * commit that made it durable, with its audit row, search terms, scope keys and counters in
 * that same transaction: what the batch shares is the commit, its sync, the pages they all
 * touch, the counters (summed, each written once) and the lookup of whom to tell. A batch is
 * first written whole; if any of its filings fails (a duplicate without a reason, say), that
 * transaction is rolled back and the batch written again with each filing in its own
 * savepoint, so a refused one leaves the others. (A savepoint costs more than its statement:
 * it makes the search index write out what it holds, and the counters are written per
 * filing.) One filing alone is a batch of one.
 */
#define BATCH_MAX 64

struct filing {
	struct request *req;
	struct appeal_ctx *cx;
	struct appeal *a;
	struct dup_probe *probe;
	const char *dup_reason;
	int64_t seen_id; /* duplicates up to this appeal id were looked for before queueing */
	json_t *dups;    /* the near-identical appeals found */
	int64_t best_id;
	double best;
	enum status st;
	bool done;
	pthread_cond_t cv; /* its request waits on it (filing_submit) */
	struct filing *next;
};

static struct {
	pthread_mutex_t mu;
	struct filing *head, **tail; /* queued, not yet in a batch */
	bool writing;
	bool checkpointing;	   /* a filing's request is copying the log (log_checkpoint) */
	struct filing *ckpt_waits; /* that request, waiting to take the writer's place */
	int ckpt_from;		   /* the log's length when the last copy began (log_checkpoint) */
} filings = {PTHREAD_MUTEX_INITIALIZER, NULL, &filings.head, false, false, NULL, 0};

/* For GET /metrics: batches written whole and written again with savepoints, the filings that
 * shared their commit with another, and the log's checkpoints made beside the batches. */
static atomic_long batches_whole, batches_again, filings_shared, log_checkpoints;

static void appeals_metrics(struct str *out)
{
	str_appendf(out,
		    "# HELP tiejian_appeal_filing_batches_total Batches of filings committed together,"
		    " by how they were written.\n"
		    "# TYPE tiejian_appeal_filing_batches_total counter\n"
		    "tiejian_appeal_filing_batches_total{written=\"whole\"} %ld\n"
		    "tiejian_appeal_filing_batches_total{written=\"savepoints\"} %ld\n"
		    "# HELP tiejian_appeal_filings_shared_total Filings that shared their commit with"
		    " another.\n"
		    "# TYPE tiejian_appeal_filings_shared_total counter\n"
		    "tiejian_appeal_filings_shared_total %ld\n"
		    "# HELP tiejian_appeal_log_checkpoints_total Checkpoints of the database's log"
		    " made beside the batches of filings (SQLite).\n"
		    "# TYPE tiejian_appeal_log_checkpoints_total counter\n"
		    "tiejian_appeal_log_checkpoints_total %ld\n",
		    atomic_load(&batches_whole), atomic_load(&batches_again),
		    atomic_load(&filings_shared), atomic_load(&log_checkpoints));
}

static const struct sql SQL_FILING_SAVEPOINT = SQL("SAVEPOINT filing");
static const struct sql SQL_FILING_RELEASE = SQL("RELEASE SAVEPOINT filing");
static const struct sql SQL_FILING_UNDO = SQL("ROLLBACK TO SAVEPOINT filing");

/* One filing of a batch, on the batch's connection (with the batch's shared state, or none). */
static enum status filing_write(struct db *db, struct filing *f, struct appeal_batch *b)
{
	struct db *own = f->cx->db;
	f->cx->db = db;
	f->cx->batch = b;
	/* filed since the look before queueing (this batch's earlier ones among them) */
	enum status st = find_duplicates(f->req, f->cx, f->a, f->probe, f->seen_id, INT64_MAX,
					 false, f->dups, &f->best_id, &f->best);
	if (!st && json_array_size(f->dups) && !(f->dup_reason && *f->dup_reason))
		st = ST_CONFLICT;
	if (!st && f->best_id) {
		f->a->duplicate_of = f->best_id;
		f->a->duplicate_reason = f->dup_reason;
	}
	if (!st)
		st = appeal_file_write(f->cx, f->a);
	f->cx->db = own;
	f->cx->batch = NULL;
	return st;
}

/* The same in its own savepoint. */
static enum status filing_write_alone(struct db *db, struct filing *f)
{
	enum status st = db_exec(db, &SQL_FILING_SAVEPOINT, DB_NOARGS, NULL);
	if (st)
		return st;
	st = filing_write(db, f, NULL);
	if (st && db_exec(db, &SQL_FILING_UNDO, DB_NOARGS, NULL))
		return st; /* the transaction is lost: the commit fails */
	enum status rel = db_exec(db, &SQL_FILING_RELEASE, DB_NOARGS, NULL);
	return st ? st : rel;
}

/* A filing as it was before a first attempt that was rolled back. */
static void filing_reset(struct filing *f)
{
	json_array_clear(f->dups);
	f->best_id = 0;
	f->best = 0;
	f->a->id = 0;
	f->a->duplicate_of = 0;
	f->a->duplicate_reason = NULL;
	f->cx->err_code = f->cx->err_message = f->cx->err_field = NULL;
}

/* The whole batch in one transaction without savepoints: false when any filing failed (the
 * transaction is rolled back; with one filing, its status is final). */
static bool filing_batch_whole(struct db *db, struct filing *batch, struct filing *self)
{
	struct appeal_batch *b = appeal_batch_new();
	enum status st = b ? db_begin(db) : ST_NOMEM;
	for (struct filing *f = batch; f && !st; f = f->next) {
		/* another request's database calls do not count towards this thread's faults */
		fault_hold(f != self);
		st = f->st = filing_write(db, f, b);
		fault_hold(false);
	}
	if (!st) { /* the counters, summed over the batch */
		fault_hold(batch != self);
		st = appeal_batch_flush(db, b);
		fault_hold(false);
	}
	if (!st)
		st = db_commit(db);
	appeal_batch_free(b);
	if (!st) {
		atomic_fetch_add(&batches_whole, 1);
		return true;
	}
	db_rollback(db);
	if (!batch->next) { /* one filing: its refusal, or what failed after it, is its answer */
		if (!batch->st)
			batch->st = st;
		return true;
	}
	for (struct filing *f = batch; f; f = f->next)
		filing_reset(f);
	return false;
}

/* Write a batch; each filing's status in its st. */
static void filing_batch(struct db *db, struct filing *batch, struct filing *self)
{
	long n = 0;
	for (struct filing *f = batch; f; f = f->next)
		n++;
	if (n > 1)
		atomic_fetch_add(&filings_shared, n);
	if (filing_batch_whole(db, batch, self))
		return;
	atomic_fetch_add(&batches_again, 1);
	enum status st = db_begin(db);
	for (struct filing *f = batch; f; f = f->next) {
		if (st) {
			f->st = st;
			continue;
		}
		fault_hold(f != self);
		f->st = filing_write_alone(db, f);
		fault_hold(false);
	}
	if (!st && (st = db_commit(db)))
		for (struct filing *f = batch; f; f = f->next)
			if (!f->st)
				f->st = st;
}

/*
 * The connection batches are written on, kept from one batch to the next (used only by the
 * writer of the moment, under filings.writing). SQLite empties a connection's page cache when
 * another connection has committed since its last read; written each time on the connection
 * of whichever request became the writer, every batch read again from the file every page its
 * inserts touch. A connection that commits keeps its cache. Given back when it breaks, and
 * when the app closes (appeals_release).
 */
static struct {
	struct db_pool *pool;
	struct db *db;
} writer;

static struct db *writer_take(struct db_pool *pool, struct db *fallback)
{
	if (!writer.db && db_pool_get(pool, 0, &writer.db) == ST_OK) {
		writer.pool = pool;
		if (db_defer_sync(writer.db, true)) {
			db_pool_put(pool, writer.db);
			writer.db = NULL;
		}
	}
	return writer.db ? writer.db : fallback;
}

static void writer_check(void)
{
	if (writer.db && (db_broken(writer.db) || db_in_tx(writer.db))) {
		db_pool_put(writer.pool, writer.db); /* closes it */
		writer.db = NULL;
	}
}

static void appeals_release(void)
{
	appeals_kept_forget();
	sigs_forget();
	if (writer.db)
		db_pool_put(writer.pool, writer.db);
	writer.db = NULL;
	writer.pool = NULL;
}

/* Wake the filing first in the queue, to write the next batch (under filings.mu); or the
 * checkpoint waiting for the writer's place. */
static void wake_next_writer(void)
{
	if (filings.ckpt_waits)
		pthread_cond_signal(&filings.ckpt_waits->cv);
	else if (filings.head)
		pthread_cond_signal(&filings.head->cv);
}

/*
 * The log's checkpoint, off the writer's path (under filings.mu, f's batch answered): the
 * writer connection's commits leave it to us (db_defer_sync). SQLite's own, at the commit
 * that passes 1,000 frames, copied them and synced the database file in the writer's time:
 * 10-16 ms each seventh batch. Here, on f's own connection, the bulk is copied while the next
 * batch is written; then the frames that batch added are copied in the writer's place, so the
 * log ends fully copied and the next batch starts it again from its beginning (copied only
 * beside a writer, it would never end so, and grow). Every 4,000 frames: a page written by
 * many batches is copied once (measured against 1,000: 882 -> 1,021 filings a second, p99
 * 41 -> 48 ms; 10,000 gave no more and a p99 of 65 ms).
 *
 * The copy beside is made again while a pass finds much to copy (the frames the batches added
 * during the pass before, and that pass's sync of the database file), so that the part in the
 * writer's place is short: in one pass, the writer's place was held 95-99 % of a flood, a fifth
 * of it by these copies (about 32 ms each, six times a second); with up to four passes beside,
 * 5-12 ms each.
 */
#define LOG_CHECKPOINT_PASSES 4
#define LOG_CHECKPOINT_AGAIN  256 /* frames: a pass that copied more is followed by another */
#define LOG_CHECKPOINT_FRAMES 4000

/*
 * Whether the log, frames long after the last commit, is due a copy (under filings.mu).
 * Counted from where the last copy began: the log starts again only at a write that finds it
 * wholly copied and no reader inside it, so beside another server (or a tool) using the same
 * file it may stay longer than LOG_CHECKPOINT_FRAMES after a copy; counted from its beginning,
 * every batch would copy it again, each time with a sync of the database file. A log twice
 * LOG_CHECKPOINT_FRAMES long did not start again after the last copy: the caller copies it
 * with a restart (db_checkpoint), which waits a moment for the other process's readers. Two
 * servers flooding a copy of the bench's data for 60 s: a passive copy at every batch past
 * 4,000 frames, 1,400 copies a server and a log of 108 MB; counted from the last copy, 300 and
 * 84 MB with the restart (325 MB in 30 s without it); 714-793 against 697-761 filings a second.
 */
static bool log_due(int frames)
{
	if (frames < filings.ckpt_from)
		filings.ckpt_from = 0; /* it started again */
	if (frames - filings.ckpt_from < LOG_CHECKPOINT_FRAMES)
		return false;
	filings.ckpt_from = frames;
	return true;
}

static void log_checkpoint(struct filing *f, bool restart)
{
	struct db *db = f->cx->db;
	filings.checkpointing = true;
	pthread_mutex_unlock(&filings.mu);
	int done = 0, before = 0;
	enum status st = db_checkpoint(db, false, &before);
	for (int pass = 1; !st && pass < LOG_CHECKPOINT_PASSES; pass++) {
		if ((st = db_checkpoint(db, false, &done)) || done - before < LOG_CHECKPOINT_AGAIN)
			break;
		before = done;
	}
	pthread_mutex_lock(&filings.mu);
	filings.ckpt_waits = f;
	while (filings.writing)
		pthread_cond_wait(&f->cv, &filings.mu);
	filings.ckpt_waits = NULL;
	filings.writing = true;
	pthread_mutex_unlock(&filings.mu);
	if (!st)
		st = db_checkpoint(db, restart, NULL);
	if (st)
		log_warnx("checkpoint of the database's log failed: %s", db_errmsg(db));
	else
		atomic_fetch_add(&log_checkpoints, 1);
	pthread_mutex_lock(&filings.mu);
	filings.writing = false;
	filings.checkpointing = false;
	wake_next_writer();
}

/* Mark a batch written and wake its requests (under filings.mu); self is already awake. */
static void batch_done(struct filing *batch, const struct filing *self)
{
	for (struct filing *b = batch, *next; b; b = next) {
		next = b->next; /* b belongs to its waiting request from here on */
		b->done = true;
		if (b != self)
			pthread_cond_signal(&b->cv);
	}
}

/*
 * Queue f and return once its batch is written and on disk (by this thread or another).
 * wait_us: how long a writer lets more filings join before it takes the queue
 * (--commit-wait-us). Each request waits on its own condition, woken when its batch is done
 * or, first in the queue, when it may write the next: waking every waiting request at every
 * commit had them queue on the mutex only to sleep again. On the kept writer connection
 * (SQLite) the commit does not wait for the disk: the next batch is written while this one's
 * log is synced (db_defer_sync), and the batch is answered after the sync.
 */
static void filing_submit(struct db_pool *pool, struct db *db, struct filing *f, int wait_us)
{
	pthread_cond_init(&f->cv, NULL);
	pthread_mutex_lock(&filings.mu);
	*filings.tail = f;
	filings.tail = &f->next;
	while (!f->done) {
		if (filings.writing || filings.head != f || filings.ckpt_waits) {
			pthread_cond_wait(&f->cv, &filings.mu);
			continue;
		}
		filings.writing = true;
		if (wait_us > 0) { /* the writer's place taken, others queue behind it meanwhile */
			pthread_mutex_unlock(&filings.mu);
			struct timespec ts = {wait_us / 1000000, (long)(wait_us % 1000000) * 1000};
			while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
				;
			pthread_mutex_lock(&filings.mu);
		}
		/* write what waits, up to BATCH_MAX, the rest for the next writer */
		struct filing *batch = filings.head, *last = batch;
		for (int n = 1; n < BATCH_MAX && last->next; n++)
			last = last->next;
		filings.head = last->next;
		if (!filings.head)
			filings.tail = &filings.head;
		last->next = NULL;
		pthread_mutex_unlock(&filings.mu);
		struct db *w = writer_take(pool, db);
		bool deferred = db_sync_deferred(w);
		filing_batch(w, batch, f);
		int frames = db_log_frames(w);
		writer_check();
		if (deferred) {
			pthread_mutex_lock(&filings.mu);
			filings.writing = false;
			wake_next_writer();
			pthread_mutex_unlock(&filings.mu);
			bool wrote = false;
			for (struct filing *b = batch; b; b = b->next)
				wrote |= b->st == ST_OK;
			enum status st = wrote ? db_pool_sync(pool) : ST_OK;
			for (struct filing *b = batch; b && st; b = b->next)
				if (!b->st)
					b->st = st;
		}
		for (struct filing *b = batch; b; b = b->next) { /* on disk: their words kept */
			if (!b->st) {
				b->probe->sig.id = b->a->id;
				sig_put(&b->probe->sig);
			}
		}
		pthread_mutex_lock(&filings.mu);
		batch_done(batch, f);
		if (!deferred) {
			filings.writing = false;
			wake_next_writer();
		} else if (!filings.checkpointing && log_due(frames)) {
			log_checkpoint(f, frames >= 2 * LOG_CHECKPOINT_FRAMES);
		}
	}
	pthread_mutex_unlock(&filings.mu);
	pthread_cond_destroy(&f->cv);
}

enum status appeals_create(struct request *req)
{
	static const char *const fields[] = {
		"enterprise_id", "channel", "title", "content", "category_id", "urgency",
		"contact_ok", "contact_via", "contact_name", "contact_phone", "duplicate_reason",
		NULL};
	json_t *body;
	const char *title, *content, *contact_name, *contact_phone, *dup_reason;
	int64_t enterprise_id = 0, category_id = 0;
	int channel = -1, urgency = 0, via = -1;
	bool contact_ok = true;
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) || (st = in_only(req, body, fields)) ||
	    (st = in_int(req, body, "enterprise_id", "企业", 0, 1, INT64_MAX, &enterprise_id,
			 NULL)) ||
	    (st = in_enum(req, body, "channel", "诉求渠道", 0, appeal_channel_codes, &channel,
			  NULL)) ||
	    (st = in_str(req, body, "title", "诉求标题", IN_REQUIRED | IN_TRIM, 60, &title, NULL)) ||
	    (st = in_str(req, body, "content", "诉求内容", IN_REQUIRED | IN_TRIM, 5000, &content,
			 NULL)) ||
	    (st = in_int(req, body, "category_id", "诉求分类", IN_REQUIRED, 1, INT64_MAX,
			 &category_id, NULL)) ||
	    (st = in_enum(req, body, "urgency", "紧急程度", 0, appeal_urgency_codes, &urgency,
			  NULL)) ||
	    (st = in_bool(req, body, "contact_ok", "是否同意联系", 0, &contact_ok, NULL)) ||
	    (st = in_enum(req, body, "contact_via", "联系方式", 0, appeal_contact_codes, &via,
			  NULL)) ||
	    (st = in_str(req, body, "contact_name", "联系人", IN_TRIM, 30, &contact_name, NULL)) ||
	    (st = in_str(req, body, "contact_phone", "联系电话", IN_TRIM, 20, &contact_phone,
			 NULL)) ||
	    (st = in_str(req, body, "duplicate_reason", "重复提交的理由", IN_TRIM, 500,
			 &dup_reason, NULL)))
		return st;
	if (contact_phone && *contact_phone && !phone_ok(contact_phone))
		return req_fail(req, ST_INVALID, "invalid_phone", "联系电话格式不正确", "contact_phone");
	if (contact_ok && via < 0)
		via = 0;
	struct principal *u = req->user;
	bool as_enterprise = u->enterprise_id > 0;
	if (as_enterprise) {
		/* an enterprise files for itself, and its channel is its own report */
		if (enterprise_id && enterprise_id != u->enterprise_id)
			return req_fail(req, ST_INVALID, "not_own_enterprise",
					"企业用户只能为本企业提交诉求", "enterprise_id");
		if (channel > 0)
			return req_fail(req, ST_INVALID, "invalid_choice",
					"企业自行提交的诉求，渠道为“企业自报”", "channel");
		enterprise_id = u->enterprise_id;
		channel = 0;
	} else {
		if (!enterprise_id)
			return req_fail(req, ST_INVALID, "required", "请选择诉求企业", "enterprise_id");
		if (channel < 0)
			return req_fail(req, ST_INVALID, "required", "请选择诉求渠道", "channel");
	}
	/* what the filing reads before it queues, on one snapshot (db_read_begin) */
	if ((st = req_db(req, &db)) || (st = db_read_begin(db)))
		return st;
	struct appeal_ctx cx;
	if ((st = appeals_req_ctx(req, db, &cx)))
		return st;
	struct appeal a;
	memset(&a, 0, sizeof(a));
	/* the enterprise, within the caller's scope */
	bool found = false, copied = true;
	const char *ent_status = NULL;
	struct db_res *r = db_query(db, &SQL_ENT_FOR_APPEAL, DB_ARGS(db_int(enterprise_id)));
	if (db_next(r)) {
		a.enterprise_id = db_col_int(r, 0);
		a.home_org_id = db_col_int(r, 1);
		a.home_path = arena_strdup(&req->arena, db_col_text(r, 2));
		a.region_code = arena_strdup(&req->arena, db_col_text(r, 3));
		a.enterprise_name = arena_strdup(&req->arena, db_col_text(r, 4));
		ent_status = arena_strdup(&req->arena, db_col_text(r, 5));
		a.uscc = appeal_col_dup(&req->arena, r, &copied, 6);
		a.home_name = appeal_col_dup(&req->arena, r, &copied, 7);
		found = true;
	}
	if ((st = db_done(r)))
		return st;
	if (found && (!a.home_path || !a.region_code || !a.enterprise_name || !ent_status ||
		      !copied))
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	if (!found || !(as_enterprise ||
			scope_allows(&req->scope, a.home_path, a.home_org_id, 0, a.enterprise_id)))
		return req_fail(req, ST_INVALID, "invalid_enterprise",
				"企业不存在或不在您的服务范围内", "enterprise_id");
	if (ent_status && strcmp(ent_status, "deregistered") == 0)
		return req_fail(req, ST_INVALID, "invalid_enterprise", "该企业已注销，不能提交诉求",
				"enterprise_id");
	/* the category: in use, its top level in use */
	found = false;
	bool active = false;
	r = db_query(db, &SQL_CAT_FOR_FILING, DB_ARGS(db_int(category_id)));
	if (db_next(r)) {
		found = true;
		a.category_id = db_col_int(r, 0);
		a.category_root = db_col_int(r, 1);
		active = strcmp(db_col_text(r, 2), "active") == 0 &&
			 strcmp(db_col_text(r, 3), "active") == 0;
		a.category_name = arena_strdup(&req->arena, db_col_text(r, 4));
		a.category_root_name = appeal_col_dup(&req->arena, r, &copied, 5);
	}
	if ((st = db_done(r)))
		return st;
	if (found && (!a.category_name || !copied))
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	if (!found || !active)
		return req_fail(req, ST_INVALID, "invalid_category", "诉求分类不存在或已停用",
				"category_id");
	a.created_by = u->user_id;
	a.creator_name = u->display_name;
	a.channel = appeal_channel_codes[channel];
	a.title = title;
	a.content = content;
	a.urgency = appeal_urgency_codes[urgency];
	a.contact_ok = contact_ok;
	a.contact_via = contact_ok && via >= 0 ? appeal_contact_codes[via] : NULL;
	a.contact_name = contact_name;
	a.contact_phone = contact_phone;

	/* what needs no lock is done before queueing: the deadlines, routing, search terms, and
	 * the duplicate guard over what was filed until now */
	if ((st = appeal_file_prepare(&cx, &a)))
		return appeals_req_fail(req, &cx, st);
	struct dup_probe probe;
	struct filing f = {
		.req = req, .cx = &cx, .a = &a, .probe = &probe, .dup_reason = dup_reason};
	if ((st = probe_init(&probe, &a)) ||
	    (st = db_int1(db, &SQL_APPEAL_LAST_ID, DB_NOARGS, &f.seen_id))) {
		probe_free(&probe);
		return st;
	}
	f.dups = json_array();
	req_own_json(req, f.dups);
	/* and the answer's clock: after the commit the calendar would be read again */
	struct appeal_clock clock;
	if ((st = find_duplicates(req, &cx, &a, &probe, 0, f.seen_id, true, f.dups, &f.best_id,
				  &f.best)) ||
	    (st = clock_of(&cx, &a, &clock))) {
		probe_free(&probe);
		return st;
	}
	db_read_end(db);
	if (!json_array_size(f.dups) || (dup_reason && *dup_reason)) {
		filing_submit(req->app->pool, db, &f, req->app->cfg->commit_wait_us);
		st = f.st;
	} else {
		st = ST_CONFLICT;
	}
	probe_free(&probe);
	if (st == ST_CONFLICT && json_array_size(f.dups) && !(dup_reason && *dup_reason)) {
		json_decref(req->err_extra);
		req->err_extra = json_pack("{s:O}", "duplicates", f.dups);
		return req_fail(req, ST_CONFLICT, "possible_duplicate",
				"本企业近期已提交过内容相近的诉求。如确需再次提交，请填写理由",
				"duplicate_reason");
	}
	if (st)
		return appeals_req_fail(req, &cx, st);
	/* the filer gets back what it filed, whatever its reading scope shows it later (read back
	 * through that scope, a filer who may not read the appeal was answered 404 for an appeal
	 * that was saved, and could only file it again) */
	json_t *o;
	cx.caps = appeal_caps_of(u, &a);
	if ((st = filed_json(req, &cx, &a, &clock, &o)))
		return st;
	return reply_json(req, 201, o);
}

/* ---- actions ------------------------------------------------------------------------------ */

/* The member of the body each action's text comes from. */
static const struct {
	const char *key, *label;
} action_text[AA__COUNT] = {
	[AA_ACCEPT] = {"note", "受理意见"},
	[AA_REJECT] = {"reason", "不予受理理由"},
	[AA_ASSIGN] = {"note", "交办意见"},
	[AA_RETURN] = {"reason", "回退理由"},
	[AA_START] = {"note", "说明"},
	[AA_CONTACT] = {"note", "联系情况"},
	[AA_INTERIM_REPLY] = {"message", "阶段性答复"},
	[AA_REPLY] = {"message", "答复内容"},
	[AA_CO_OPINION] = {"message", "协办意见"},
	[AA_SUSPEND] = {"reason", "挂起原因"},
	[AA_RESUME] = {"note", "说明"},
	[AA_SUPPLEMENT] = {"message", "补充内容"},
	[AA_WITHDRAW] = {"reason", "撤回原因"},
	[AA_REQUEST_EXTENSION] = {"reason", "延期理由"},
	[AA_APPROVE_EXTENSION] = {"note", "审批意见"},
	[AA_DENY_EXTENSION] = {"reason", "不批准理由"},
	[AA_APPROVE_CLOSE] = {"note", "审核意见"},
	[AA_DENY_CLOSE] = {"reason", "退回理由"},
	[AA_EVALUATE] = {"comment", "评价意见"},
	[AA_CLOSE] = {"note", "说明"},
	[AA_REOPEN] = {"reason", "重办理由"},
	[AA_SUPERVISE] = {"note", "督办意见"},
	[AA_ANSWER_SUPERVISION] = {"answer", "督办答复"},
	[AA_ESCALATE] = {"note", "升级原因"},
};

/* The action a route names: the last segment of its pattern. */
static int route_action(const struct request *req)
{
	const char *slash = strrchr(req->route->pattern, '/');
	return slash ? appeal_code_index(appeal_action_codes, slash + 1) : -1;
}

static enum status read_input(struct request *req, json_t *body, enum appeal_action act,
			      struct appeal_input *in)
{
	static const char *const days_label = "天数";
	enum status st;
	memset(in, 0, sizeof(*in));
	/* only the members this action takes */
	const char *allowed[8] = {action_text[act].key};
	int n = 1;
	if ((st = in_str(req, body, action_text[act].key, action_text[act].label, IN_TRIM, 2000,
			 &in->message, NULL)))
		return st;
	if (in->message && !*in->message)
		in->message = NULL;
	switch (act) {
	case AA_ASSIGN: {
		json_t *co = json_object_get(body, "co_org_ids");
		allowed[n++] = "lead_org_id";
		allowed[n++] = "co_org_ids";
		if ((st = in_int(req, body, "lead_org_id", "主办单位", 0, 1, INT64_MAX,
				 &in->lead_org_id, NULL)))
			return st;
		if (co && !json_is_null(co)) {
			if (!json_is_array(co) || json_array_size(co) > APPEAL_MAX_CO)
				return req_failf(req, ST_INVALID, "wrong_type", "co_org_ids",
						 "协办单位应为单位编号的列表，最多%d个", APPEAL_MAX_CO);
			size_t i;
			json_t *v;
			json_array_foreach(co, i, v)
			{
				if (!json_is_integer(v) || json_integer_value(v) < 1)
					return req_fail(req, ST_INVALID, "wrong_type",
							"协办单位应为单位编号", "co_org_ids");
				in->co_org_id[in->nco++] = json_integer_value(v);
			}
		}
		break;
	}
	case AA_CONTACT: {
		int via = -1;
		allowed[n++] = "via";
		if ((st = in_enum(req, body, "via", "联系方式", IN_REQUIRED, appeal_contact_codes, &via,
				  NULL)))
			return st;
		in->via = appeal_contact_codes[via];
		break;
	}
	case AA_REPLY: {
		int outcome = -1;
		allowed[n++] = "outcome";
		allowed[n++] = "plan";
		allowed[n++] = "follow_up_on";
		static const char *const outcomes[] = {"solved", "explained", "not_yet", NULL};
		struct date d;
		bool has_date = false;
		if ((st = in_enum(req, body, "outcome", "答复结果", IN_REQUIRED, outcomes, &outcome,
				  NULL)) ||
		    (st = in_str(req, body, "plan", "后续工作计划", IN_TRIM, 2000, &in->plan, NULL)) ||
		    (st = in_date(req, body, "follow_up_on", "计划办理日期", 0, &d, &has_date)))
			return st;
		in->outcome = outcome + 1;
		if (has_date) {
			char buf[DATE_TEXT_SIZE];
			date_format(d, buf, sizeof(buf));
			in->follow_up_on = arena_strdup(&req->arena, buf);
		}
		break;
	}
	case AA_SUSPEND:
	case AA_REQUEST_EXTENSION: {
		int64_t days = 0;
		allowed[n++] = "days";
		if ((st = in_int(req, body, "days", days_label,
				 act == AA_REQUEST_EXTENSION ? IN_REQUIRED : 0, 1, 60, &days, NULL)))
			return st;
		in->days = (int)days;
		break;
	}
	case AA_EVALUATE: {
		int rating = -1;
		allowed[n++] = "rating";
		static const char *const ratings[] = {"satisfied", "basically_satisfied",
						      "unsatisfied", NULL};
		if ((st = in_enum(req, body, "rating", "评价", IN_REQUIRED, ratings, &rating, NULL)))
			return st;
		in->rating = rating + 1;
		break;
	}
	case AA_SUPERVISE: {
		struct date d;
		bool has = false;
		allowed[n++] = "due_date";
		if ((st = in_date(req, body, "due_date", "督办期限", 0, &d, &has)))
			return st;
		if (has) {
			char buf[DATE_TEXT_SIZE];
			date_format(d, buf, sizeof(buf));
			in->due_date = arena_strdup(&req->arena, buf);
		}
		break;
	}
	case AA_ANSWER_SUPERVISION:
		allowed[n++] = "supervision_id";
		if ((st = in_int(req, body, "supervision_id", "督办", 0, 1, INT64_MAX,
				 &in->supervision_id, NULL)))
			return st;
		break;
	default:
		break;
	}
	allowed[n] = NULL;
	return in_only(req, body, allowed);
}

enum status appeals_action(struct request *req)
{
	int act = route_action(req);
	int64_t id;
	json_t *body;
	struct db *db;
	enum status st;
	if (act < 0 || act == AA_CLOSE)
		return ST_INTERNAL;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)))
		return st;
	/* out of scope is 404 before anything about the body is said */
	if (!appeals_caller_sees(req, db, id))
		return req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
	/* an action without input may come without a body */
	if (req->body.len == 0) {
		body = req_own_json(req, json_object());
	} else if ((st = req_json(req, &body))) {
		return st;
	}
	struct appeal_input in;
	if ((st = read_input(req, body, (enum appeal_action)act, &in)))
		return st;
	struct appeal_ctx cx;
	struct appeal a;
	if ((st = appeals_req_ctx(req, db, &cx)) || (st = db_begin(db)))
		return st;
	st = appeals_load_visible(req, &cx, id, &a);
	if (!st) {
		cx.caps = appeal_caps_of(req->user, &a);
		st = appeal_act(&cx, &a, (enum appeal_action)act, &in);
		if (st)
			st = appeals_req_fail(req, &cx, st);
	}
	if (!st)
		st = db_commit(db);
	else
		db_rollback(db);
	if (st)
		return st;
	struct appeal saved;
	json_t *o;
	if ((st = appeals_load_visible(req, &cx, id, &saved))) {
		/* a unit that returned it may no longer see it */
		if (st == ST_NOT_FOUND) {
			req->st = ST_OK;
			req->err_code = req->err_message = req->err_field = NULL;
			return reply_json(req, 200, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)id,
							      "state", appeal_state_codes[a.state],
							      "visible", 0));
		}
		return st;
	}
	cx.caps = appeal_caps_of(req->user, &saved);
	if ((st = detail_json(req, &cx, &saved, &o)))
		return st;
	return reply_json(req, 200, o);
}

enum status appeals_units(struct request *req)
{
	struct db *db;
	enum status st = req_db(req, &db);
	if (st)
		return st;
	json_t *items = json_array();
	struct db_res *r = db_query(db, &SQL_UNITS, DB_NOARGS);
	while (db_next(r))
		json_array_append_new(
			items, json_pack("{s:I, s:o, s:s, s:s, s:s, s:s}", "id",
					 (json_int_t)db_col_int(r, 0), "parent_id",
					 db_col_null(r, 1) ? json_null() : json_integer(db_col_int(r, 1)),
					 "code", db_col_text(r, 2), "name", db_col_text(r, 3), "kind",
					 db_col_text(r, 4), "path", db_col_text(r, 5)));
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	return reply_json(req, 200, json_pack("{s:o}", "items", items));
}

/* ---- the module --------------------------------------------------------------------------- */

#define ACTION(name, perm) {"POST", "/api/v1/appeals/:id/" name, appeals_action, perm, 0}

static const struct route appeals_routes[] = {
	{"GET", "/api/v1/appeals", appeals_list, PERM_APPEAL_READ, 0},
	{"POST", "/api/v1/appeals", appeals_create, PERM_APPEAL_CREATE, 0},
	{"GET", "/api/v1/appeals/work", appeals_work, PERM_APPEAL_READ, 0},
	{"GET", "/api/v1/appeals/units", appeals_units, PERM_APPEAL_DISPATCH,
	 ROUTE_OR(PERM_APPEAL_ADMIN)},
	{"GET", "/api/v1/appeals/:id", appeals_get, PERM_APPEAL_READ, 0},
	ACTION("accept", PERM_APPEAL_DISPATCH),
	ACTION("reject", PERM_APPEAL_DISPATCH),
	ACTION("assign", PERM_APPEAL_DISPATCH),
	ACTION("return", PERM_APPEAL_HANDLE),
	ACTION("start", PERM_APPEAL_HANDLE),
	ACTION("contact", PERM_APPEAL_HANDLE),
	ACTION("interim_reply", PERM_APPEAL_HANDLE),
	ACTION("reply", PERM_APPEAL_HANDLE),
	ACTION("co_opinion", PERM_APPEAL_HANDLE),
	ACTION("suspend", PERM_APPEAL_HANDLE),
	ACTION("resume", PERM_APPEAL_HANDLE),
	ACTION("request_extension", PERM_APPEAL_HANDLE),
	ACTION("supplement", PERM_APPEAL_CREATE),
	ACTION("withdraw", PERM_APPEAL_CREATE),
	ACTION("evaluate", PERM_APPEAL_CREATE),
	ACTION("approve_extension", PERM_APPEAL_APPROVE),
	ACTION("deny_extension", PERM_APPEAL_APPROVE),
	ACTION("approve_close", PERM_APPEAL_SUPERVISE),
	ACTION("deny_close", PERM_APPEAL_SUPERVISE),
	ACTION("reopen", PERM_APPEAL_SUPERVISE),
	ACTION("supervise", PERM_APPEAL_SUPERVISE),
	ACTION("escalate", PERM_APPEAL_SUPERVISE),
	/* the lead unit or the dispatcher answers a supervision note */
	ACTION("answer_supervision", PERM_APPEAL_READ),
	{"POST", "/api/v1/appeals/:id/attachments", appeals_files_upload, PERM_APPEAL_READ,
	 ROUTE_RAW_BODY},
	{"GET", "/api/v1/appeals/:id/attachments/:file", appeals_files_get, PERM_APPEAL_READ, 0},
	{"GET", "/api/v1/appeal-categories", appeals_categories_list, PERM_LOGIN, 0},
	{"POST", "/api/v1/appeal-categories", appeals_categories_create, PERM_APPEAL_ADMIN, 0},
	{"PATCH", "/api/v1/appeal-categories/:id", appeals_categories_update, PERM_APPEAL_ADMIN, 0},
	{"GET", "/api/v1/appeal-routes", appeals_routes_list, PERM_APPEAL_DISPATCH,
	 ROUTE_OR(PERM_APPEAL_ADMIN)},
	{"POST", "/api/v1/appeal-routes", appeals_routes_create, PERM_APPEAL_ADMIN, 0},
	{"PATCH", "/api/v1/appeal-routes/:id", appeals_routes_update, PERM_APPEAL_ADMIN, 0},
	{"DELETE", "/api/v1/appeal-routes/:id", appeals_routes_delete, PERM_APPEAL_ADMIN, 0},
	{"GET", "/api/v1/appeal-deadlines", appeals_deadlines_list, PERM_APPEAL_READ, 0},
	{"PUT", "/api/v1/appeal-deadlines", appeals_deadlines_put, PERM_APPEAL_ADMIN, 0},
	{"GET", "/api/v1/appeal-settings", appeals_settings_get, PERM_APPEAL_READ, 0},
	{"PATCH", "/api/v1/appeal-settings", appeals_settings_patch, PERM_APPEAL_ADMIN, 0},
	{"GET", "/api/v1/stats/appeals", appeals_stats, PERM_APPEAL_STATS, 0},
	{"POST", "/api/v1/stats/appeals/rebuild", appeals_stats_rebuild, PERM_APPEAL_ADMIN, 0},
};

static const struct job appeals_jobs[] = {
	{"appeals_clock", 60, appeals_clock_job},
	{"appeals_search_terms", 60, appeals_search_terms_job},
	{"appeals_search_upkeep", 86400, appeals_search_upkeep_job},
};

const struct module appeals_module = {
	.name = "appeals",
	.routes = appeals_routes,
	.nroutes = COUNT_OF(appeals_routes),
	.migrations = appeals_migrations,
	.jobs = appeals_jobs,
	.njobs = COUNT_OF(appeals_jobs),
	.seed = appeals_seed,
	.demo = appeals_demo,
	.section = appeals_section,
	.release = appeals_release,
	.metrics = appeals_metrics,
	.copied = appeals_copied,
};
