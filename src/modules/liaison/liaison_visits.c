/* liaison_visits.c: visits (走访): logging one with its problems filed as appeals in the same
 * transaction, the 无事不扰 checks (the monthly cap across all units, the enterprise's quiet
 * periods) that ask for a reason and show who else came, the enterprise's rating of a visit,
 * quiet periods, lists, and the visits part of the 360 page. */
#include <jansson.h>

#include "app/module.h"
#include "audit/audit.h"
#include "http/input.h"
#include "lib/date.h"
#include "modules/appeals/appeals.h"
#include "modules/liaison/liaison_internal.h"
#include "modules/liaison/liaison_sql.h"
#include "modules/notify/notify.h"

#define VISIT_MAX_PEOPLE   10
#define VISIT_MAX_PROBLEMS 10
#define VISIT_MAX_AGE_DAYS 366
#define QUIET_MAX_OPEN	   5
#define SECTION_RECENT	   10

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *li_visit_json(struct request *req, struct db_res *r)
{
	const char *mode = db_col_text(r, 4), *rating = db_col_text(r, 14);
	return json_pack("{s:I, s:{s:I, s:s, s:s?}, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:b, "
			 "s:{s:I, s:s, s:s},"
			 " s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o}",
			 "id", (json_int_t)db_col_int(r, 0), "enterprise", "id",
			 (json_int_t)db_col_int(r, 1), "name", db_col_text(r, 2), "region_code",
			 db_col_text(r, 18), "visit_on", db_col_text(r, 3), "mode", mode,
			 "mode_name", liaison_name_of(visit_mode_codes, visit_mode_names, mode),
			 "summary", db_col_text(r, 5), "others", jstr(db_col_text(r, 6)), "reason",
			 jstr(db_col_text(r, 7)), "over_cap", db_col_int(r, 8) != 0, "in_quiet",
			 db_col_int(r, 9) != 0, "created_by", "id", (json_int_t)db_col_int(r, 10),
			 "name", db_col_text(r, 11), "org", db_col_text(r, 12), "created_at",
			 json_time(req, db_col_int(r, 13)), "rating", jstr(rating), "rating_name",
			 rating ? json_string(liaison_name_of(visit_rating_codes,
							      visit_rating_names, rating))
				: json_null(),
			 "rating_comment", jstr(db_col_text(r, 15)), "rated_at",
			 db_col_null(r, 16) ? json_null() : json_time(req, db_col_int(r, 16)),
			 "problems", (json_int_t)db_col_int(r, 17), "people_names",
			 jstr(db_col_text(r, 20)), "updated_at", json_time(req, db_col_int(r, 19)));
}

static json_t *visit_row(struct request *req, struct db_res *r, void *ctx)
{
	(void)ctx;
	return li_visit_json(req, r);
}

/* ---- the 无事不扰 checks ------------------------------------------------------------------------
 */

/* What the month and the quiet periods say about a visit on day. */
struct visit_check {
	int cap, month_count;
	bool over_cap;
	json_t *month_visits; /* [{id, visit_on, mode, mode_name, by:{id, name}, org}] */
	json_t *quiet;	      /* the periods containing day */
	json_t *upcoming;     /* every period not over by day */
	json_t *warnings;     /* [{code, message}] */
};

static void check_release(struct visit_check *c)
{
	json_decref(c->month_visits);
	json_decref(c->quiet);
	json_decref(c->upcoming);
	json_decref(c->warnings);
	memset(c, 0, sizeof(*c));
}

/* "11月3日" from "2026-11-03" into out. */
static void short_day(const char *day, char *out, size_t n)
{
	struct date d;
	if (day && date_parse(day, strlen(day), &d) == ST_OK)
		snprintf(out, n, "%d月%d日", d.month, d.day);
	else
		snprintf(out, n, "%s", day ? day : "");
}

static enum status check_visit(struct request *req, struct db *db, int64_t enterprise_id,
			       const char *day, struct visit_check *c)
{
	struct liaison_settings set;
	enum status st = li_settings_load(db, &set);
	if (st)
		return st;
	memset(c, 0, sizeof(*c));
	c->cap = set.visit_cap;
	c->month_visits = json_array();
	c->quiet = json_array();
	c->upcoming = json_array();
	c->warnings = json_array();
	struct str who;
	str_init(&who, 4096);
	struct db_res *r = db_query(db, &SQL_VISIT_MONTH,
				    DB_ARGS(db_int(enterprise_id), db_int(liaison_month_of(day))));
	while (db_next(r)) {
		const char *mode = db_col_text(r, 2);
		char sd[32];
		short_day(db_col_text(r, 1), sd, sizeof(sd));
		str_appendf(&who, "%s%s %s（%s，%s）", c->month_count ? "；" : "", sd,
			    db_col_text(r, 4), db_col_text(r, 5),
			    liaison_name_of(visit_mode_codes, visit_mode_names, mode));
		c->month_count++;
		json_array_append_new(
			c->month_visits,
			json_pack("{s:I, s:s, s:s, s:s, s:{s:I, s:s}, s:s}", "id",
				  (json_int_t)db_col_int(r, 0), "visit_on", db_col_text(r, 1),
				  "mode", mode, "mode_name",
				  liaison_name_of(visit_mode_codes, visit_mode_names, mode), "by",
				  "id", (json_int_t)db_col_int(r, 3), "name", db_col_text(r, 4),
				  "org", db_col_text(r, 5)));
	}
	if ((st = db_done(r))) {
		str_release(&who);
		check_release(c);
		return st;
	}
	c->over_cap = liaison_over_cap(c->month_count, c->cap);
	if (c->over_cap)
		json_array_append_new(
			c->warnings,
			json_pack("{s:s, s:s}", "code", "cap_reached", "message",
				  arena_printf(&req->arena,
					       "这家企业本月已被走访%d次（每月不超过%"
					       "d次，各单位合计）：%s。"
					       "无事不扰，如确需走访，请填写理由",
					       c->month_count, c->cap, str_ok(&who) ? who.p : "")));
	str_release(&who);
	struct quiet_period periods[16];
	int np = 0;
	r = db_query(db, &SQL_QUIET_OF_ENTERPRISE, DB_ARGS(db_int(enterprise_id), db_text(day)));
	while (db_next(r)) {
		json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)db_col_int(r, 0),
				      "start_on", db_col_text(r, 1), "end_on", db_col_text(r, 2),
				      "reason", db_col_text(r, 3));
		json_array_append_new(c->upcoming, json_incref(o));
		if (np < 16) {
			periods[np].start_on = arena_strdup(&req->arena, db_col_text(r, 1));
			periods[np].end_on = arena_strdup(&req->arena, db_col_text(r, 2));
			if (liaison_quiet_hit(&periods[np], 1, day) == 0) {
				json_array_append(c->quiet, o);
				json_array_append_new(
					c->warnings,
					json_pack(
						"{s:s, s:s}", "code", "quiet_period", "message",
						arena_printf(&req->arena,
							     "企业已申报免打扰时段（%s至%s：%s），"
							     "如确需走访，请填写理由",
							     db_col_text(r, 1), db_col_text(r, 2),
							     db_col_text(r, 3))));
			}
			np++;
		}
		json_decref(o);
	}
	if ((st = db_done(r)))
		check_release(c);
	return st;
}

/* GET /api/v1/enterprises/:id/visit-check?date=: what logging a visit there on that day meets,
 * and what the form can fill in for it (the other liaisons, as companions). */
enum status visits_check(struct request *req)
{
	int64_t id;
	struct date d;
	bool has_date;
	struct db *db;
	struct li_enterprise e;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) ||
	    (st = q_date(req, "date", "走访日期", &d, &has_date)) || (st = req_db(req, &db)) ||
	    (st = li_enterprise_get(req, db, NULL, id, &e)))
		return st;
	char day[DATE_TEXT_SIZE];
	if (has_date)
		date_format(d, day, sizeof(day));
	else
		snprintf(day, sizeof(day), "%s", li_today(req));
	struct visit_check c;
	if ((st = check_visit(req, db, id, day, &c)))
		return st;
	json_t *companions = json_array();
	struct db_res *r = db_query(db, &SQL_LI_OF_ENTERPRISE, DB_ARGS(db_int(id), db_int(0)));
	while (db_next(r)) {
		if (db_col_int(r, 3) == req->user->user_id)
			continue;
		json_array_append_new(
			companions,
			json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)db_col_int(r, 3),
				  "name", db_col_text(r, 4), "org", db_col_text(r, 5), "kind_name",
				  liaison_name_of(liaison_kind_codes, liaison_kind_names,
						  db_col_text(r, 7))));
	}
	if ((st = db_done(r))) {
		json_decref(companions);
		check_release(&c);
		return st;
	}
	json_t *o = json_pack("{s:{s:I, s:s}, s:s, s:i, s:i, s:b, s:O, s:O, s:O, s:O, s:o,"
			      " s:b}",
			      "enterprise", "id", (json_int_t)e.id, "name", e.name, "date", day,
			      "cap", c.cap, "month_count", c.month_count, "over_cap", c.over_cap,
			      "month_visits", c.month_visits, "quiet_periods", c.quiet,
			      "upcoming_quiet", c.upcoming, "warnings", c.warnings, "companions",
			      companions, "needs_reason", json_array_size(c.warnings) > 0);
	check_release(&c);
	return reply_json(req, 200, o);
}

/* ---- logging a visit ------------------------------------------------------------------------ */

struct problem_in {
	const char *title, *content, *urgency;
	int64_t category_id;
};

/* A problem's field in error messages: "problems[0].title". */
static enum status problem_fail(struct request *req, size_t i, enum status st)
{
	if (req->err_field)
		req->err_field = arena_printf(&req->arena, "problems[%zu].%s", i, req->err_field);
	return st;
}

static enum status read_problems(struct request *req, json_t *body, struct problem_in *out,
				 size_t *n)
{
	static const char *const fields[] = { "title", "content", "category_id", "urgency", NULL };
	static const char *const urgencies[] = { "normal", "urgent", NULL };
	*n = 0;
	json_t *list = json_object_get(body, "problems");
	if (!list || json_is_null(list))
		return ST_OK;
	if (!json_is_array(list))
		return req_fail(req, ST_INVALID, "wrong_type", "发现的问题应为列表", "problems");
	if (json_array_size(list) > VISIT_MAX_PROBLEMS)
		return req_failf(req, ST_INVALID, "too_many", "problems",
				 "一次走访最多登记%d个问题", VISIT_MAX_PROBLEMS);
	size_t i;
	json_t *p;
	json_array_foreach(list, i, p)
	{
		if (!json_is_object(p))
			return req_failf(req, ST_INVALID, "wrong_type", "problems",
					 "第%zu个问题格式不正确", i + 1);
		struct problem_in *x = &out[i];
		int urgency = 0;
		enum status st;
		if ((st = in_only(req, p, fields)) ||
		    (st = in_str(req, p, "title", "问题", IN_REQUIRED | IN_TRIM, 60, &x->title,
				 NULL)) ||
		    (st = in_str(req, p, "content", "问题详情", IN_TRIM, 5000, &x->content,
				 NULL)) ||
		    (st = in_int(req, p, "category_id", "问题分类", IN_REQUIRED, 1, INT64_MAX,
				 &x->category_id, NULL)) ||
		    (st = in_enum(req, p, "urgency", "紧急程度", 0, urgencies, &urgency, NULL)))
			return problem_fail(req, i, st);
		if (!x->content || !*x->content)
			x->content = x->title;
		x->urgency = urgencies[urgency];
		(*n)++;
	}
	return ST_OK;
}

/* The people who went besides the caller: active officials who may log visits. */
static enum status read_visitors(struct request *req, struct db *db, json_t *body, int64_t *ids,
				 size_t *n)
{
	*n = 0;
	json_t *list = json_object_get(body, "visitor_ids");
	if (!list || json_is_null(list))
		return ST_OK;
	if (!json_is_array(list))
		return req_fail(req, ST_INVALID, "wrong_type", "同行人员应为人员编号的列表",
				"visitor_ids");
	if (json_array_size(list) > VISIT_MAX_PEOPLE)
		return req_failf(req, ST_INVALID, "too_many", "visitor_ids", "同行人员最多%d人",
				 VISIT_MAX_PEOPLE);
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			return req_fail(req, ST_INVALID, "wrong_type", "同行人员应为人员编号",
					"visitor_ids");
		int64_t id = json_integer_value(v);
		bool dup = id == req->user->user_id;
		for (size_t k = 0; k < *n; k++)
			dup = dup || ids[k] == id;
		if (dup)
			continue;
		struct li_user u;
		enum status st = li_user_get(req, db, id, NULL, &u);
		if (st && st != ST_NOT_FOUND)
			return st;
		if (st || strcmp(u.status, "active") != 0 || u.enterprise_id ||
		    !li_user_has_perm(db, id, "visit.write"))
			return req_failf(req, ST_INVALID, "invalid_user", "visitor_ids",
					 "同行人员（编号%lld）不存在或不能登记走访", (long long)id);
		ids[(*n)++] = id;
	}
	return ST_OK;
}

/* The visit id within scope s (NULL: the route's): its JSON with people and problems. */
static enum status visit_load(struct request *req, struct db *db, const struct scope *s, int64_t id,
			      json_t **out, int64_t *enterprise_id, int64_t *creator)
{
	struct db_val a[6];
	if (s)
		scope_filter_args(s, a);
	else
		scope_filter(req, a);
	a[5] = db_int(id);
	json_t *o = NULL;
	struct db_res *r = db_query(db, &SQL_VISIT_GET, a, 6);
	if (db_next(r)) {
		o = li_visit_json(req, r);
		if (enterprise_id)
			*enterprise_id = db_col_int(r, 1);
		if (creator)
			*creator = db_col_int(r, 10);
	}
	enum status st = db_done(r);
	if (!st && !o)
		st = req_fail(req, ST_NOT_FOUND, "not_found", "走访记录不存在或不在您的管辖范围内",
			      NULL);
	if (st) {
		json_decref(o);
		return st;
	}
	req_own_json(req, o);
	json_t *people = json_array();
	json_object_set_new(o, "people", people);
	r = db_query(db, &SQL_VISIT_PEOPLE, DB_ARGS(db_int(id)));
	while (db_next(r))
		json_array_append_new(
			people, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_col_int(r, 0),
					  "name", db_col_text(r, 1), "org", db_col_text(r, 2)));
	if ((st = db_done(r)))
		return st;
	int64_t ids[VISIT_MAX_PROBLEMS + 1];
	size_t n = 0;
	r = db_query(db, &SQL_VISIT_PROBLEMS, DB_ARGS(db_int(id)));
	while (db_next(r) && n < VISIT_MAX_PROBLEMS + 1)
		ids[n++] = db_col_int(r, 0);
	if ((st = db_done(r)))
		return st;
	json_t *appeals = appeals_refs_json(req, db, ids, n);
	if (!appeals)
		return ST_NOMEM;
	json_object_set_new(o, "appeals", appeals);
	*out = o;
	return ST_OK;
}

/* POST /api/v1/visits */
enum status visits_create(struct request *req)
{
	static const char *const fields[] = { "enterprise_id", "visit_on",    "mode",
					      "summary",       "visitor_ids", "others",
					      "reason",	       "problems",    NULL };
	json_t *body;
	int64_t ent_id = 0;
	int mode = 0;
	const char *summary, *others, *reason;
	struct date vd;
	bool has_day = false;
	struct problem_in problems[VISIT_MAX_PROBLEMS];
	size_t nproblems = 0, nvisitors = 0;
	int64_t visitors[VISIT_MAX_PEOPLE];
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) || (st = in_only(req, body, fields)) ||
	    (st = in_int(req, body, "enterprise_id", "走访企业", IN_REQUIRED, 1, INT64_MAX, &ent_id,
			 NULL)) ||
	    (st = in_date(req, body, "visit_on", "走访日期", 0, &vd, &has_day)) ||
	    (st = in_enum(req, body, "mode", "走访方式", 0, visit_mode_codes, &mode, NULL)) ||
	    (st = in_str(req, body, "summary", "了解到的情况", IN_REQUIRED | IN_TRIM, 2000,
			 &summary, NULL)) ||
	    (st = in_str(req, body, "others", "其他同行人员", IN_TRIM, 200, &others, NULL)) ||
	    (st = in_str(req, body, "reason", "走访理由", IN_TRIM, 500, &reason, NULL)) ||
	    (st = read_problems(req, body, problems, &nproblems)) || (st = req_db(req, &db)) ||
	    (st = read_visitors(req, db, body, visitors, &nvisitors)))
		return st;
	const char *today = li_today(req);
	char day[DATE_TEXT_SIZE];
	if (has_day)
		date_format(vd, day, sizeof(day));
	else
		snprintf(day, sizeof(day), "%s", today);
	char oldest[LIAISON_DATE_SIZE];
	if (liaison_days_before(today, VISIT_MAX_AGE_DAYS, oldest))
		return ST_INTERNAL;
	if (strcmp(day, today) > 0)
		return req_fail(req, ST_INVALID, "invalid_date", "走访日期不能晚于今天",
				"visit_on");
	if (strcmp(day, oldest) < 0)
		return req_fail(req, ST_INVALID, "invalid_date", "只能补登一年以内的走访",
				"visit_on");
	if (nproblems && !permset_has(&req->user->perms, PERM_APPEAL_CREATE))
		return req_fail(req, ST_INVALID, "not_allowed",
				"您没有提交诉求的权限，不能登记发现的问题", "problems");
	struct li_enterprise e;
	st = li_enterprise_get(req, db, NULL, ent_id, &e);
	if (st == ST_NOT_FOUND)
		return req_fail(req, ST_INVALID, "invalid_enterprise",
				"企业不存在或不在您的服务范围内", "enterprise_id");
	if (st)
		return st;
	if (strcmp(e.status, "deregistered") == 0)
		return req_fail(req, ST_INVALID, "invalid_enterprise", "该企业已注销",
				"enterprise_id");

	/* 无事不扰: past the month's cap, or in a quiet period, a reason is needed. Checked inside
	 * the write transaction, so two visits logged at once cannot both pass under the cap. */
	if ((st = db_begin(db)))
		return st;
	struct visit_check c;
	if ((st = check_visit(req, db, ent_id, day, &c))) {
		db_rollback(db);
		return st;
	}
	bool over_cap = c.over_cap, in_quiet = json_array_size(c.quiet) > 0;
	if ((over_cap || in_quiet) && !(reason && utf8_len(reason, strlen(reason)) >= 2)) {
		db_rollback(db);
		json_decref(req->err_extra);
		req->err_extra = json_pack("{s:O, s:O, s:O, s:i, s:i}", "warnings", c.warnings,
					   "month_visits", c.month_visits, "quiet_periods", c.quiet,
					   "cap", c.cap, "month_count", c.month_count);
		const char *msg = json_string_value(
			json_object_get(json_array_get(c.warnings, 0), "message"));
		check_release(&c);
		return req_fail(req, ST_CONFLICT, over_cap ? "visit_cap_reached" : "quiet_period",
				msg ? arena_strdup(&req->arena, msg) : "请填写走访理由", "reason");
	}
	check_release(&c);
	if (!over_cap && !in_quiet)
		reason = reason && *reason ? reason : NULL;

	int64_t id = 0;
	st = db_int1(db, &SQL_VISIT_INSERT,
		     DB_ARGS(db_int(ent_id), db_text(day), db_int(liaison_month_of(day)),
			     db_text(visit_mode_codes[mode]), db_text(summary), db_text(others),
			     db_text(reason), db_int(over_cap), db_int(in_quiet),
			     db_int((int64_t)nproblems), db_int(req->user->user_id),
			     db_int(req->user->org_id), db_int(req->now)),
		     &id);
	if (!st)
		st = db_exec(db, &SQL_VISIT_PERSON_INSERT,
			     DB_ARGS(db_int(id), db_int(req->user->user_id)), NULL);
	for (size_t i = 0; !st && i < nvisitors; i++)
		st = db_exec(db, &SQL_VISIT_PERSON_INSERT, DB_ARGS(db_int(id), db_int(visitors[i])),
			     NULL);
	json_t *filed = json_array();
	for (size_t i = 0; !st && i < nproblems; i++) {
		struct appeal_filing f = { .enterprise_id = ent_id,
					   .category_id = problems[i].category_id,
					   .channel = "visit",
					   .title = problems[i].title,
					   .content = problems[i].content,
					   .urgency = problems[i].urgency,
					   .source_kind = "visit",
					   .source_id = id };
		int64_t aid = 0;
		char number[32];
		st = appeals_file_for(req, db, &f, &aid, number);
		if (st) {
			st = problem_fail(req, i, st);
			break;
		}
		json_array_append_new(
			filed, json_pack("{s:I, s:s}", "id", (json_int_t)aid, "number", number));
		st = db_exec(db, &SQL_VISIT_PROBLEM_INSERT,
			     DB_ARGS(db_int(id), db_int((int64_t)i + 1), db_int(aid)), NULL);
	}
	if (!st)
		st = audit_req(req, db, "visit", id, "create",
			       json_pack("{s:I, s:s, s:s, s:s, s:I, s:b, s:b, s:s?, s:O}",
					 "enterprise_id", (json_int_t)ent_id, "enterprise", e.name,
					 "visit_on", day, "mode", visit_mode_codes[mode], "people",
					 (json_int_t)(nvisitors + 1), "over_cap", over_cap,
					 "in_quiet", in_quiet, "reason", reason, "appeals", filed));
	json_decref(filed);
	if (!st)
		st = db_commit(db);
	if (st) {
		db_rollback(db);
		return st;
	}
	json_t *o;
	if ((st = visit_load(req, db, NULL, id, &o, NULL, NULL)))
		return st;
	return reply_json(req, 201, json_incref(o));
}

/* ---- reading ------------------------------------------------------------------------------------
 */

enum status visits_get(struct request *req)
{
	int64_t id, ent;
	struct db *db;
	json_t *o;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = visit_load(req, db, NULL, id, &o, &ent, NULL)))
		return st;
	json_object_set_new(o, "can_rate",
			    json_boolean(req->user->enterprise_id == ent &&
					 permset_has(&req->user->perms, PERM_VISIT_FEEDBACK)));
	return reply_json(req, 200, json_incref(o));
}

enum status visits_list(struct request *req)
{
	struct paging pg;
	int64_t ent, user, mine, with_problems;
	struct date from, to;
	bool has_from, has_to;
	const char *mode, *rating, *region;
	struct db *db;
	enum status st;
	if ((st = q_paging(req, &pg)) ||
	    (st = q_int(req, "enterprise_id", "企业", 0, INT64_MAX, 0, &ent)) ||
	    (st = q_int(req, "user_id", "走访人员", 0, INT64_MAX, 0, &user)) ||
	    (st = q_int(req, "mine", "只看我参加的", 0, 1, 0, &mine)) ||
	    (st = q_int(req, "with_problems", "只看发现问题的", 0, 1, 0, &with_problems)) ||
	    (st = q_date(req, "from", "开始日期", &from, &has_from)) ||
	    (st = q_date(req, "to", "结束日期", &to, &has_to)) ||
	    (st = q_str(req, "mode", "走访方式", 16, &mode)) ||
	    (st = q_str(req, "rating", "企业评价", 16, &rating)) ||
	    (st = q_str(req, "region_code", "地区", 6, &region)) || (st = req_db(req, &db)))
		return st;
	if (mode && liaison_choice(visit_mode_codes, visit_mode_names, mode) < 0)
		return req_fail(req, ST_INVALID, "invalid_choice",
				"走访方式应为onsite（实地）、phone（电话）或video（视频）", "mode");
	if (mode)
		mode = visit_mode_codes[liaison_choice(visit_mode_codes, visit_mode_names, mode)];
	if (rating && strcmp(rating, "none") != 0 &&
	    liaison_choice(visit_rating_codes, visit_rating_names, rating) < 0)
		return req_fail(req, ST_INVALID, "invalid_choice",
				"企业评价应为helpful（有帮助）、neutral（一般）、disturbing（打扰）"
				"或none（未评价）",
				"rating");
	if (rating && strcmp(rating, "none") != 0)
		rating = visit_rating_codes[liaison_choice(visit_rating_codes, visit_rating_names,
							   rating)];
	char f[DATE_TEXT_SIZE], t[DATE_TEXT_SIZE];
	if (has_from)
		date_format(from, f, sizeof(f));
	if (has_to)
		date_format(to, t, sizeof(t));
	struct db_val a[15];
	scope_filter(req, a);
	a[5] = ent ? db_int(ent) : db_null();
	a[6] = mine ? db_int(req->user->user_id) : user ? db_int(user) : db_null();
	a[7] = has_from ? db_text(f) : db_null();
	a[8] = has_to ? db_text(t) : db_null();
	a[9] = db_text(mode);
	a[10] = db_text(rating);
	a[11] = db_text(region);
	a[12] = with_problems ? db_int(1) : db_null();
	return reply_list(req, db, &SQL_VISIT_COUNT, &SQL_VISIT_LIST, a, 15, 15, &pg, visit_row,
			  NULL);
}

/* ---- the enterprise's rating ------------------------------------------------------------------
 */

enum status visits_rate(struct request *req)
{
	static const char *const fields[] = { "rating", "comment", NULL };
	int64_t id, ent = 0, creator = 0;
	json_t *body, *o;
	int rating = -1;
	const char *comment;
	struct db *db;
	enum status st;
	/* out of scope is 404 before anything about the body is said */
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = visit_load(req, db, NULL, id, &o, &ent, &creator)) ||
	    (st = req_json(req, &body)) || (st = in_only(req, body, fields)) ||
	    (st = in_enum(req, body, "rating", "走访评价", IN_REQUIRED, visit_rating_codes, &rating,
			  NULL)) ||
	    (st = in_str(req, body, "comment", "评价说明", IN_TRIM, 500, &comment, NULL)))
		return st;
	if (req->user->enterprise_id != ent)
		return req_fail(req, ST_FORBIDDEN, "not_visited_enterprise",
				"只有被走访的企业可以评价这次走访", NULL);
	const char *name =
		liaison_name_of(visit_rating_codes, visit_rating_names, visit_rating_codes[rating]);
	if ((st = db_begin(db)))
		return st;
	st = db_exec(db, &SQL_VISIT_RATE,
		     DB_ARGS(db_int(id), db_text(visit_rating_codes[rating]), db_text(comment),
			     db_int(req->now), db_int(req->user->user_id)),
		     NULL);
	if (!st)
		st = audit_req(req, db, "visit", id, "rate",
			       json_pack("{s:s, s:s?}", "rating", visit_rating_codes[rating],
					 "comment", comment));
	if (!st && creator && creator != req->user->user_id) {
		struct notify_msg m = {
			"visit_rated",
			arena_printf(&req->arena, "%s评价了%s的走访：%s",
				     req->user->enterprise_name ? req->user->enterprise_name
								: "企业",
				     json_string_value(json_object_get(o, "visit_on")), name),
			comment, "visit", id
		};
		st = notify_user(db, req->now, creator, &m);
	}
	if (!st)
		st = db_commit(db);
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = visit_load(req, db, NULL, id, &o, NULL, NULL)))
		return st;
	json_object_set_new(o, "can_rate", json_true());
	return reply_json(req, 200, json_incref(o));
}

/* ---- quiet periods ----------------------------------------------------------------------------
 */

static json_t *quiet_items(struct request *req, struct db *db, int64_t ent, const char *today,
			   enum status *st)
{
	json_t *items = json_array();
	struct db_res *r =
		db_query(db, &SQL_QUIET_OF_ENTERPRISE, DB_ARGS(db_int(ent), db_text(today)));
	while (db_next(r)) {
		const char *start = db_col_text(r, 1), *end = db_col_text(r, 2);
		json_array_append_new(
			items, json_pack("{s:I, s:s, s:s, s:s, s:b, s:o, s:s?}", "id",
					 (json_int_t)db_col_int(r, 0), "start_on", start, "end_on",
					 end, "reason", db_col_text(r, 3), "now",
					 strcmp(start, today) <= 0 && strcmp(today, end) <= 0,
					 "created_at", json_time(req, db_col_int(r, 4)),
					 "created_by", db_col_text(r, 5)));
	}
	if ((*st = db_done(r))) {
		json_decref(items);
		return NULL;
	}
	return items;
}

enum status quiet_list(struct request *req)
{
	int64_t id;
	struct db *db;
	struct li_enterprise e;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = li_enterprise_get(req, db, NULL, id, &e)))
		return st;
	json_t *items = quiet_items(req, db, id, li_today(req), &st);
	if (!items)
		return st ? st : ST_NOMEM;
	return reply_json(req, 200, json_pack("{s:o}", "items", items));
}

enum status quiet_create(struct request *req)
{
	static const char *const fields[] = { "start_on", "end_on", "reason", NULL };
	json_t *body;
	struct date a, b;
	bool has_a, has_b;
	const char *reason;
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) || (st = in_only(req, body, fields)) ||
	    (st = in_date(req, body, "start_on", "开始日期", IN_REQUIRED, &a, &has_a)) ||
	    (st = in_date(req, body, "end_on", "结束日期", IN_REQUIRED, &b, &has_b)) ||
	    (st = in_str(req, body, "reason", "原因", IN_REQUIRED | IN_TRIM, 100, &reason, NULL)) ||
	    (st = req_db(req, &db)))
		return st;
	int64_t ent = req->user->enterprise_id;
	if (!ent)
		return req_fail(req, ST_FORBIDDEN, "enterprise_only", "免打扰时段由企业自行申报",
				NULL);
	char s1[DATE_TEXT_SIZE], s2[DATE_TEXT_SIZE];
	date_format(a, s1, sizeof(s1));
	date_format(b, s2, sizeof(s2));
	const char *today = li_today(req), *field = NULL;
	const char *why = liaison_quiet_check(s1, s2, today, &field);
	if (why)
		return req_fail(req, ST_INVALID, "invalid_period", why, field);
	json_t *open = quiet_items(req, db, ent, today, &st);
	if (!open)
		return st ? st : ST_NOMEM;
	size_t nopen = json_array_size(open);
	json_decref(open);
	if (nopen >= QUIET_MAX_OPEN)
		return req_failf(req, ST_CONFLICT, "too_many_periods", NULL,
				 "最多同时申报%d个免打扰时段，请先撤销不需要的时段",
				 QUIET_MAX_OPEN);
	if ((st = db_begin(db)))
		return st;
	int64_t id = 0;
	st = db_int1(db, &SQL_QUIET_INSERT,
		     DB_ARGS(db_int(ent), db_text(s1), db_text(s2), db_text(reason),
			     db_int(req->user->user_id), db_int(req->now)),
		     &id);
	if (!st)
		st = audit_req(req, db, "quiet_period", id, "create",
			       json_pack("{s:I, s:s, s:s, s:s}", "enterprise_id", (json_int_t)ent,
					 "start_on", s1, "end_on", s2, "reason", reason));
	if (!st)
		st = db_commit(db);
	if (st) {
		db_rollback(db);
		return st;
	}
	return reply_json(req, 201,
			  json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)id, "start_on",
				    s1, "end_on", s2, "reason", reason, "now",
				    strcmp(s1, today) <= 0 && strcmp(today, s2) <= 0));
}

enum status quiet_cancel(struct request *req)
{
	int64_t id;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)))
		return st;
	int64_t ent = 0;
	bool cancelled = false;
	struct db_res *r = db_query(db, &SQL_QUIET_GET, DB_ARGS(db_int(id)));
	if (db_next(r)) {
		ent = db_col_int(r, 1);
		cancelled = !db_col_null(r, 5);
	}
	if ((st = db_done(r)))
		return st;
	if (!ent || ent != req->user->enterprise_id || cancelled)
		return req_fail(req, ST_NOT_FOUND, "not_found", "免打扰时段不存在", NULL);
	if ((st = db_begin(db)))
		return st;
	st = db_exec(db, &SQL_QUIET_CANCEL,
		     DB_ARGS(db_int(id), db_int(req->now), db_int(req->user->user_id)), NULL);
	if (!st)
		st = audit_req(req, db, "quiet_period", id, "cancel", NULL);
	if (!st)
		st = db_commit(db);
	if (st) {
		db_rollback(db);
		return st;
	}
	return reply_empty(req, 204);
}

/* ---- the 360 section
 * ------------------------------------------------------------------------------ */

enum status visits_section(struct request *req, struct db *db, int64_t enterprise_id, json_t **out)
{
	*out = NULL;
	struct scope s;
	principal_scope(req->user, PERM_VISIT_READ, &s);
	struct db_val a[7];
	scope_filter_args(&s, a);
	a[5] = db_int(enterprise_id);
	const char *today = li_today(req);
	char jan1[DATE_TEXT_SIZE];
	snprintf(jan1, sizeof(jan1), "%.4s-01-01", today);
	a[6] = db_text(jan1);
	json_t *counts = NULL;
	struct db_res *r = db_query(db, &SQL_VISIT_TOTALS, a, 7);
	if (db_next(r))
		counts = json_pack(
			"{s:I, s:o, s:I, s:{s:I, s:I, s:I}, s:I}", "total",
			(json_int_t)db_col_int(r, 0), "last_visit_on", jstr(db_col_text(r, 1)),
			"this_year", (json_int_t)db_col_int(r, 2), "ratings", "helpful",
			(json_int_t)db_col_int(r, 3), "neutral", (json_int_t)db_col_int(r, 4),
			"disturbing", (json_int_t)db_col_int(r, 5), "problems",
			(json_int_t)db_col_int(r, 6));
	enum status st = db_done(r);
	if (st) {
		json_decref(counts);
		return st;
	}
	a[6] = db_int(SECTION_RECENT);
	json_t *items = json_array();
	r = db_query(db, &SQL_VISIT_RECENT, a, 7);
	while (db_next(r))
		json_array_append_new(items, li_visit_json(req, r));
	if ((st = db_done(r))) {
		json_decref(items);
		json_decref(counts);
		return st;
	}
	json_t *quiet = quiet_items(req, db, enterprise_id, today, &st);
	if (!quiet) {
		json_decref(items);
		json_decref(counts);
		return st ? st : ST_NOMEM;
	}
	*out = json_pack("{s:s, s:s, s:o, s:o, s:o}", "key", "visits", "title", "走访记录",
			 "counts", counts ? counts : json_object(), "items", items, "quiet_periods",
			 quiet);
	return *out ? ST_OK : ST_NOMEM;
}
