/* liaison_http.c: liaison assignments (包联: list, assign, end, reassign, candidates), an
 * enterprise's liaisons, a person's own enterprises (我的包联企业), the 无事不扰 settings, the
 * 360 section, and the module's route table. */
#include <jansson.h>

#include "app/module.h"
#include "audit/audit.h"
#include "http/input.h"
#include "lib/date.h"
#include "modules/enterprises/enterprises.h"
#include "modules/liaison/liaison_internal.h"
#include "modules/liaison/liaison_sql.h"

/* ---- shared helpers ----------------------------------------------------------------------------
 */

const char *li_today(struct request *req)
{
	struct date d;
	char buf[DATE_TEXT_SIZE];
	if (date_ts_local_date(req->now, &d) || date_format(d, buf, sizeof(buf)))
		return "1970-01-01";
	const char *s = arena_strdup(&req->arena, buf);
	return s ? s : "1970-01-01";
}

static const char *dup(struct request *req, struct db_res *r, int c)
{
	return arena_strdup(&req->arena, db_col_text(r, c));
}

enum status li_enterprise_get(struct request *req, struct db *db, const struct scope *s, int64_t id,
			      struct li_enterprise *out)
{
	struct db_val a[6];
	if (s)
		scope_filter_args(s, a);
	else
		scope_filter(req, a);
	a[5] = db_int(id);
	bool found = false;
	struct db_res *r = db_query(db, &SQL_LI_ENTERPRISE, a, 6);
	if (db_next(r)) {
		out->id = db_col_int(r, 0);
		out->name = dup(req, r, 1);
		out->org_id = db_col_int(r, 2);
		out->org_path = dup(req, r, 3);
		out->region_code = dup(req, r, 4);
		out->status = dup(req, r, 5);
		out->above_scale = db_col_int(r, 6) != 0;
		found = true;
	}
	enum status st = db_done(r);
	if (st)
		return st;
	return found ? ST_OK
		     : req_fail(req, ST_NOT_FOUND, "not_found", "企业不存在或不在您的管辖范围内",
				NULL);
}

enum status li_user_get(struct request *req, struct db *db, int64_t id, const char *by_name,
			struct li_user *out)
{
	struct db_res *r = by_name ? db_query(db, &SQL_LI_USER_BY_NAME, DB_ARGS(db_text(by_name)))
				   : db_query(db, &SQL_LI_USER, DB_ARGS(db_int(id)));
	bool found = false;
	if (db_next(r)) {
		out->id = db_col_int(r, 0);
		out->username = dup(req, r, 1);
		out->display_name = dup(req, r, 2);
		out->org_id = db_col_int(r, 3);
		out->org_name = dup(req, r, 4);
		out->org_path = dup(req, r, 5);
		out->status = dup(req, r, 6);
		out->enterprise_id = db_col_null(r, 7) ? 0 : db_col_int(r, 7);
		out->mobile = dup(req, r, 8);
		found = true;
	}
	enum status st = db_done(r);
	return st ? st : found ? ST_OK : ST_NOT_FOUND;
}

bool li_user_has_perm(struct db *db, int64_t user_id, const char *perm)
{
	int64_t n = 0;
	return db_int1(db, &SQL_LI_USER_HAS_PERM, DB_ARGS(db_int(user_id), db_text(perm)), &n) ==
		       ST_OK &&
	       n > 0;
}

enum status li_settings_load(struct db *db, struct liaison_settings *out)
{
	liaison_settings_defaults(out);
	struct db_res *r = db_query(db, &SQL_LI_SETTINGS, DB_NOARGS);
	while (db_next(r)) {
		const char *key = db_col_text(r, 0);
		for (size_t i = 0; i < liaison_nsettings; i++)
			if (strcmp(liaison_setting_defs[i].key, key) == 0)
				*(int *)((char *)out + liaison_setting_defs[i].offset) =
					(int)db_col_int(r, 1);
	}
	return db_done(r);
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* current, upcoming or ended, as of today */
static const char *period_status(const char *start_on, const char *end_on, const char *today)
{
	if (end_on && strcmp(end_on, today) < 0)
		return "ended";
	if (strcmp(start_on, today) > 0)
		return "upcoming";
	return "current";
}

json_t *li_liaison_json(struct request *req, struct db_res *r)
{
	const char *kind = db_col_text(r, 7), *start = db_col_text(r, 8), *end = db_col_text(r, 9);
	const char *status = period_status(start, end, li_today(req));
	static const char *const status_names[][2] = { { "current", "在岗" },
						       { "upcoming", "待开始" },
						       { "ended", "已结束" } };
	const char *status_name = "";
	for (size_t i = 0; i < 3; i++)
		if (strcmp(status_names[i][0], status) == 0)
			status_name = status_names[i][1];
	return json_pack(
		"{s:I, s:{s:I, s:s, s:s?}, s:{s:I, s:s, s:s, s:s?, s:s?}, s:s, s:s, s:s, s:o, s:s,"
		" s:s, s:b, s:s, s:o, s:o, s:s?, s:o, s:o, s:o}",
		"id", (json_int_t)db_col_int(r, 0), "enterprise", "id",
		(json_int_t)db_col_int(r, 1), "name", db_col_text(r, 2), "region_code",
		db_col_text(r, 18), "user", "id", (json_int_t)db_col_int(r, 3), "name",
		db_col_text(r, 4), "username", db_col_text(r, 19), "org", db_col_text(r, 5),
		"mobile", db_col_text(r, 6), "kind", kind, "kind_name",
		liaison_name_of(liaison_kind_codes, liaison_kind_names, kind), "start_on", start,
		"end_on", jstr(end), "status", status, "status_name", status_name, "active",
		db_col_int(r, 10) != 0, "source", db_col_text(r, 11), "note",
		jstr(db_col_text(r, 12)), "created_at", json_time(req, db_col_int(r, 13)),
		"created_by", db_col_text(r, 17), "ended_at",
		db_col_null(r, 14) ? json_null() : json_time(req, db_col_int(r, 14)), "end_reason",
		jstr(db_col_text(r, 15)), "replaced_by",
		db_col_null(r, 16) ? json_null() : json_integer(db_col_int(r, 16)));
}

static json_t *liaison_row(struct request *req, struct db_res *r, void *ctx)
{
	(void)ctx;
	return li_liaison_json(req, r);
}

/* A date field as text ("YYYY-MM-DD" in the arena); NULL when absent. */
static enum status in_day(struct request *req, json_t *body, const char *key, const char *label,
			  unsigned flags, const char **out, bool *present)
{
	struct date d;
	bool sent = false;
	*out = NULL;
	enum status st = in_date(req, body, key, label, flags, &d, &sent);
	if (present)
		*present = json_object_get(body, key) != NULL;
	if (st || !sent)
		return st;
	char buf[DATE_TEXT_SIZE];
	if (date_format(d, buf, sizeof(buf)))
		return req_failf(req, ST_INVALID, "invalid_date", key, "%s不是有效的日期", label);
	*out = arena_strdup(&req->arena, buf);
	return *out ? ST_OK : ST_NOMEM;
}

/* The assignment id within the route's scope, as JSON; 404 otherwise. */
static enum status load_liaison(struct request *req, struct db *db, int64_t id, json_t **out)
{
	struct db_val a[6];
	scope_filter(req, a);
	a[5] = db_int(id);
	*out = NULL;
	struct db_res *r = db_query(db, &SQL_LI_GET, a, 6);
	if (db_next(r))
		*out = li_liaison_json(req, r);
	enum status st = db_done(r);
	if (st) {
		json_decref(*out);
		*out = NULL;
		return st;
	}
	if (!*out)
		return req_fail(req, ST_NOT_FOUND, "not_found",
				"包联关系不存在或不在您的管辖范围内", NULL);
	req_own_json(req, *out);
	return ST_OK;
}

/* The person to assign: an active official of a bureau who may log visits. */
static enum status assignee(struct request *req, struct db *db, int64_t user_id, struct li_user *u)
{
	enum status st = li_user_get(req, db, user_id, NULL, u);
	if (st == ST_NOT_FOUND)
		return req_fail(req, ST_INVALID, "invalid_user", "人员不存在", "user_id");
	if (st)
		return st;
	if (strcmp(u->status, "active") != 0)
		return req_fail(req, ST_INVALID, "invalid_user", "该人员账号已停用", "user_id");
	if (u->enterprise_id)
		return req_fail(req, ST_INVALID, "invalid_user", "企业用户不能担任包联人员",
				"user_id");
	if (!li_user_has_perm(db, u->id, "visit.write"))
		return req_fail(req, ST_INVALID, "invalid_user",
				"该人员没有登记走访的权限，不能担任包联人员", "user_id");
	return ST_OK;
}

/* An overlapping assignment of the same person in the same capacity: 409. */
static enum status no_overlap(struct request *req, struct db *db, int64_t ent, int64_t user,
			      const char *kind, const char *start, const char *end, int64_t except)
{
	int64_t other;
	enum status st = db_int1(db, &SQL_LI_OVERLAP,
				 DB_ARGS(db_int(ent), db_int(user), db_text(kind), db_text(start),
					 db_text(end), db_int(except)),
				 &other);
	if (st == ST_NOT_FOUND)
		return ST_OK;
	if (st)
		return st;
	return req_failf(req, ST_CONFLICT, "duplicate_liaison", "user_id",
			 "该人员在这段时间已是这家企业的%s",
			 liaison_name_of(liaison_kind_codes, liaison_kind_names, kind));
}

/* ---- assignments --------------------------------------------------------------------------------
 */

static enum status li_list(struct request *req)
{
	struct paging pg;
	int64_t ent, user;
	const char *kind, *status, *region, *q;
	struct db *db;
	enum status st;
	if ((st = q_paging(req, &pg)) ||
	    (st = q_int(req, "enterprise_id", "企业", 0, INT64_MAX, 0, &ent)) ||
	    (st = q_int(req, "user_id", "人员", 0, INT64_MAX, 0, &user)) ||
	    (st = q_str(req, "kind", "包联类型", 16, &kind)) ||
	    (st = q_str(req, "status", "状态", 16, &status)) ||
	    (st = q_str(req, "region_code", "地区", 6, &region)) ||
	    (st = q_str(req, "q", "关键词", 50, &q)) || (st = req_db(req, &db)))
		return st;
	if (kind && liaison_choice(liaison_kind_codes, liaison_kind_names, kind) < 0)
		return req_fail(
			req, ST_INVALID, "invalid_choice",
			"包联类型应为leader（包联领导）、cadre（包联干部）或contact（联络员）",
			"kind");
	if (kind)
		kind = liaison_kind_codes[liaison_choice(liaison_kind_codes, liaison_kind_names,
							 kind)];
	if (status && strcmp(status, "current") != 0 && strcmp(status, "upcoming") != 0 &&
	    strcmp(status, "ended") != 0)
		return req_fail(req, ST_INVALID, "invalid_choice",
				"状态应为current（在岗）、upcoming（待开始）或ended（已结束）",
				"status");
	struct db_val a[14];
	scope_filter(req, a);
	a[5] = ent ? db_int(ent) : db_null();
	a[6] = user ? db_int(user) : db_null();
	a[7] = db_text(kind);
	a[8] = db_text(status);
	a[9] = db_text(li_today(req));
	a[10] = db_text(region);
	a[11] = db_text(q ? like_escape(&req->arena, q) : NULL);
	return reply_list(req, db, &SQL_LI_COUNT, &SQL_LI_LIST, a, 14, 14, &pg, liaison_row, NULL);
}

static enum status li_get(struct request *req)
{
	int64_t id;
	struct db *db;
	json_t *o;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = load_liaison(req, db, id, &o)))
		return st;
	return reply_json(req, 200, json_incref(o));
}

static enum status li_create(struct request *req)
{
	static const char *const fields[] = { "enterprise_id", "user_id", "kind", "start_on",
					      "end_on",	       "note",	  NULL };
	json_t *body;
	int64_t ent_id = 0, user_id = 0;
	int kind = -1;
	const char *start, *end, *note;
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) || (st = in_only(req, body, fields)) ||
	    (st = in_int(req, body, "enterprise_id", "企业", IN_REQUIRED, 1, INT64_MAX, &ent_id,
			 NULL)) ||
	    (st = in_int(req, body, "user_id", "包联人员", IN_REQUIRED, 1, INT64_MAX, &user_id,
			 NULL)) ||
	    (st = in_enum(req, body, "kind", "包联类型", IN_REQUIRED, liaison_kind_codes, &kind,
			  NULL)) ||
	    (st = in_day(req, body, "start_on", "开始日期", 0, &start, NULL)) ||
	    (st = in_day(req, body, "end_on", "结束日期", 0, &end, NULL)) ||
	    (st = in_str(req, body, "note", "备注", IN_TRIM, 200, &note, NULL)) ||
	    (st = req_db(req, &db)))
		return st;
	const char *today = li_today(req);
	if (!start)
		start = today;
	if (end && strcmp(end, start) < 0)
		return req_fail(req, ST_INVALID, "invalid_date", "结束日期不能早于开始日期",
				"end_on");
	struct li_enterprise e;
	struct li_user u;
	st = li_enterprise_get(req, db, NULL, ent_id, &e);
	if (st == ST_NOT_FOUND)
		return req_fail(req, ST_INVALID, "invalid_enterprise",
				"企业不存在或不在您的管辖范围内", "enterprise_id");
	if (st || (st = assignee(req, db, user_id, &u)))
		return st;
	if (strcmp(e.status, "deregistered") == 0)
		return req_fail(req, ST_INVALID, "invalid_enterprise", "该企业已注销，不能指派包联",
				"enterprise_id");
	if ((st = db_begin(db)))
		return st;
	int64_t id = 0;
	st = no_overlap(req, db, ent_id, user_id, liaison_kind_codes[kind], start, end, 0);
	if (!st)
		st = db_int1(db, &SQL_LI_INSERT,
			     DB_ARGS(db_int(ent_id), db_int(user_id),
				     db_text(liaison_kind_codes[kind]), db_text(start),
				     db_text(end), db_int(liaison_active_on(start, end, today)),
				     db_text("manual"), db_text(note), db_int(req->user->user_id),
				     db_int(req->now)),
			     &id);
	if (!st)
		st = audit_req(req, db, "liaison", id, "create",
			       json_pack("{s:I, s:s, s:I, s:s, s:s, s:s?}", "enterprise_id",
					 (json_int_t)ent_id, "enterprise", e.name, "user_id",
					 (json_int_t)user_id, "kind", liaison_kind_codes[kind],
					 "start_on", start, "end_on", end));
	if (!st)
		st = db_commit(db);
	if (st) {
		db_rollback(db);
		return st;
	}
	json_t *o;
	if ((st = load_liaison(req, db, id, &o)))
		return st;
	return reply_json(req, 201, json_incref(o));
}

/* The stored period and note of an assignment within scope. */
struct li_row {
	int64_t id, enterprise_id, user_id;
	const char *kind, *start_on, *end_on, *note;
	bool replaced;
};

static enum status load_row(struct request *req, struct db *db, int64_t id, struct li_row *out)
{
	json_t *o;
	enum status st = load_liaison(req, db, id, &o);
	if (st)
		return st;
	out->id = id;
	out->enterprise_id =
		json_integer_value(json_object_get(json_object_get(o, "enterprise"), "id"));
	out->user_id = json_integer_value(json_object_get(json_object_get(o, "user"), "id"));
	out->kind = json_string_value(json_object_get(o, "kind"));
	out->start_on = json_string_value(json_object_get(o, "start_on"));
	out->end_on = json_string_value(json_object_get(o, "end_on"));
	out->note = json_string_value(json_object_get(o, "note"));
	out->replaced = !json_is_null(json_object_get(o, "replaced_by"));
	return ST_OK;
}

/* The day before day, into the arena. */
static const char *day_before(struct request *req, const char *day)
{
	char buf[LIAISON_DATE_SIZE];
	return liaison_days_before(day, 1, buf) ? NULL : arena_strdup(&req->arena, buf);
}

static enum status li_patch(struct request *req)
{
	static const char *const fields[] = { "end_on", "note", "end_reason", NULL };
	int64_t id;
	json_t *body;
	const char *end, *note, *reason;
	bool has_end, has_note;
	struct db *db;
	struct li_row row;
	enum status st;
	/* out of scope is 404 before anything about the body is said */
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = load_row(req, db, id, &row)) || (st = req_json(req, &body)) ||
	    (st = in_only(req, body, fields)) ||
	    (st = in_day(req, body, "end_on", "结束日期", 0, &end, &has_end)) ||
	    (st = in_str(req, body, "note", "备注", IN_TRIM, 200, &note, &has_note)) ||
	    (st = in_str(req, body, "end_reason", "结束原因", IN_TRIM, 200, &reason, NULL)))
		return st;
	if (row.replaced)
		return req_fail(req, ST_CONFLICT, "liaison_replaced",
				"该包联关系已由他人接替，不能再修改", NULL);
	const char *new_end = has_end ? end : row.end_on;
	const char *cancel = day_before(req, row.start_on);
	/* the day before the start cancels an assignment that has not begun */
	if (new_end && strcmp(new_end, row.start_on) < 0 &&
	    !(cancel && strcmp(new_end, cancel) == 0))
		return req_fail(req, ST_INVALID, "invalid_date", "结束日期不能早于开始日期",
				"end_on");
	if (new_end && !row.end_on && has_end && !reason)
		return req_fail(req, ST_INVALID, "required", "结束包联请填写原因", "end_reason");
	const char *today = li_today(req);
	bool ended = new_end != NULL;
	if ((st = db_begin(db)))
		return st;
	st = no_overlap(req, db, row.enterprise_id, row.user_id, row.kind, row.start_on, new_end,
			row.id);
	if (!st)
		st = db_exec(
			db, &SQL_LI_UPDATE,
			DB_ARGS(db_int(id), db_text(new_end), db_text(has_note ? note : row.note),
				db_int(liaison_active_on(row.start_on, new_end, today)),
				db_text(ended ? reason : NULL),
				ended ? db_int(req->user->user_id) : db_null(),
				ended ? db_int(req->now) : db_null(), db_int(req->now), db_null()),
			NULL);
	if (!st)
		st = audit_req(req, db, "liaison", id, ended && !row.end_on ? "end" : "update",
			       json_pack("{s:s?, s:s?, s:s?}", "end_on", new_end, "end_reason",
					 reason, "note", has_note ? note : row.note));
	if (!st)
		st = db_commit(db);
	if (st) {
		db_rollback(db);
		return st;
	}
	json_t *o;
	if ((st = load_liaison(req, db, id, &o)))
		return st;
	return reply_json(req, 200, json_incref(o));
}

static enum status li_reassign(struct request *req)
{
	static const char *const fields[] = { "user_id", "start_on", "reason", NULL };
	int64_t id, user_id = 0;
	json_t *body;
	const char *start, *reason;
	struct db *db;
	struct li_row row;
	struct li_user u;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = load_row(req, db, id, &row)) || (st = req_json(req, &body)) ||
	    (st = in_only(req, body, fields)) ||
	    (st = in_int(req, body, "user_id", "接替人员", IN_REQUIRED, 1, INT64_MAX, &user_id,
			 NULL)) ||
	    (st = in_day(req, body, "start_on", "接替日期", 0, &start, NULL)) ||
	    (st = in_str(req, body, "reason", "调整原因", IN_REQUIRED | IN_TRIM, 200, &reason,
			 NULL)))
		return st;
	const char *today = li_today(req);
	if (!start)
		start = today;
	if (row.replaced || (row.end_on && strcmp(row.end_on, today) < 0))
		return req_fail(req, ST_CONFLICT, "liaison_ended",
				"该包联关系已经结束，请直接新增包联", NULL);
	if (user_id == row.user_id)
		return req_fail(req, ST_INVALID, "same_user", "接替人员与原包联人员相同",
				"user_id");
	if (strcmp(start, today) < 0)
		return req_fail(req, ST_INVALID, "invalid_date", "接替日期不能早于今天",
				"start_on");
	if ((st = assignee(req, db, user_id, &u)))
		return st;
	/* the old one ends the day before (or is cancelled if it had not begun by then) */
	const char *old_end = day_before(req, start);
	if (!old_end)
		return ST_INTERNAL;
	if (strcmp(old_end, row.start_on) < 0)
		old_end = day_before(req, row.start_on);
	const char *new_end = row.end_on && strcmp(row.end_on, start) >= 0 ? row.end_on : NULL;
	if ((st = db_begin(db)))
		return st;
	int64_t nid = 0;
	st = no_overlap(req, db, row.enterprise_id, user_id, row.kind, start, new_end, 0);
	if (!st)
		st = db_int1(db, &SQL_LI_INSERT,
			     DB_ARGS(db_int(row.enterprise_id), db_int(user_id), db_text(row.kind),
				     db_text(start), db_text(new_end),
				     db_int(liaison_active_on(start, new_end, today)),
				     db_text("reassign"), db_text(reason),
				     db_int(req->user->user_id), db_int(req->now)),
			     &nid);
	if (!st)
		st = db_exec(db, &SQL_LI_UPDATE,
			     DB_ARGS(db_int(id), db_text(old_end), db_text(row.note),
				     db_int(liaison_active_on(row.start_on, old_end, today)),
				     db_text(reason), db_int(req->user->user_id), db_int(req->now),
				     db_int(req->now), db_int(nid)),
			     NULL);
	if (!st)
		st = audit_req(req, db, "liaison", id, "reassign",
			       json_pack("{s:I, s:I, s:I, s:s, s:s}", "replaced_by",
					 (json_int_t)nid, "from_user_id", (json_int_t)row.user_id,
					 "to_user_id", (json_int_t)user_id, "start_on", start,
					 "reason", reason));
	if (!st)
		st = db_commit(db);
	if (st) {
		db_rollback(db);
		return st;
	}
	json_t *o;
	if ((st = load_liaison(req, db, nid, &o)))
		return st;
	return reply_json(req, 201, json_incref(o));
}

static enum status li_candidates(struct request *req)
{
	const char *q;
	int64_t org_id;
	struct db *db;
	enum status st;
	if ((st = q_str(req, "q", "姓名", 30, &q)) ||
	    (st = q_int(req, "org_id", "单位", 0, INT64_MAX, 0, &org_id)) ||
	    (st = req_db(req, &db)))
		return st;
	const char *path = NULL;
	if (org_id) {
		struct db_res *r = db_query(db, &SQL_RULE_ORG, DB_ARGS(db_int(org_id)));
		if (db_next(r))
			path = dup(req, r, 1);
		if ((st = db_done(r)))
			return st;
		if (!path)
			return req_fail(req, ST_INVALID, "invalid_org", "单位不存在", "org_id");
	}
	json_t *items = json_array();
	struct db_res *r =
		db_query(db, &SQL_LI_CANDIDATES,
			 DB_ARGS(db_text(q ? like_escape(&req->arena, q) : NULL), db_text(path)));
	while (db_next(r))
		json_array_append_new(items,
				      json_pack("{s:I, s:s, s:s, s:{s:I, s:s}, s:s?, s:I}", "id",
						(json_int_t)db_col_int(r, 0), "username",
						db_col_text(r, 1), "name", db_col_text(r, 2), "org",
						"id", (json_int_t)db_col_int(r, 3), "name",
						db_col_text(r, 4), "mobile", db_col_text(r, 5),
						"load", (json_int_t)db_col_int(r, 6)));
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	return reply_json(req, 200, json_pack("{s:o}", "items", items));
}

static enum status li_of_enterprise(struct request *req)
{
	int64_t id, history;
	struct db *db;
	struct li_enterprise e;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) ||
	    (st = q_int(req, "history", "是否包括已结束的", 0, 1, 0, &history)) ||
	    (st = req_db(req, &db)) || (st = li_enterprise_get(req, db, NULL, id, &e)))
		return st;
	json_t *items = json_array();
	struct db_res *r =
		db_query(db, &SQL_LI_OF_ENTERPRISE, DB_ARGS(db_int(id), db_int(history)));
	while (db_next(r))
		json_array_append_new(items, li_liaison_json(req, r));
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	return reply_json(req, 200,
			  json_pack("{s:{s:I, s:s}, s:o}", "enterprise", "id", (json_int_t)e.id,
				    "name", e.name, "items", items));
}

/* ---- my enterprises ----------------------------------------------------------------------------
 */

static enum status li_mine(struct request *req)
{
	const char *q;
	int64_t overdue_only;
	struct db *db;
	struct liaison_settings set;
	enum status st;
	if ((st = q_str(req, "q", "关键词", 50, &q)) ||
	    (st = q_int(req, "overdue", "只看超期未走访", 0, 1, 0, &overdue_only)) ||
	    (st = req_db(req, &db)) || (st = li_settings_load(db, &set)))
		return st;
	const char *today = li_today(req);
	char cutoff[LIAISON_DATE_SIZE];
	if (liaison_days_before(today, set.overdue_days, cutoff))
		return ST_INTERNAL;
	struct date td;
	if (date_parse(today, strlen(today), &td))
		return ST_INTERNAL;
	json_t *items = json_array();
	int64_t overdue = 0, quiet = 0, capped = 0;
	struct db_res *r =
		db_query(db, &SQL_LI_MINE,
			 DB_ARGS(db_int(req->user->user_id), db_int(liaison_month_of(today)),
				 db_text(today), db_text(q ? like_escape(&req->arena, q) : NULL),
				 db_text(cutoff), overdue_only ? db_int(1) : db_null()));
	while (db_next(r)) {
		const char *last = db_col_text(r, 12), *kind = db_col_text(r, 9),
			   *scale = db_col_text(r, 4), *status = db_col_text(r, 6);
		bool late = liaison_overdue(last, cutoff);
		int month = (int)db_col_int(r, 13);
		json_t *days = json_null();
		struct date ld;
		if (last && date_parse(last, strlen(last), &ld) == ST_OK)
			days = json_integer(date_days_between(ld, td));
		overdue += late;
		quiet += db_col_int(r, 15) > 0;
		capped += liaison_over_cap(month, set.visit_cap);
		json_array_append_new(
			items,
			json_pack("{s:{s:I, s:s, s:s?, s:s?, s:s?, s:s?, s:b, s:s?, s:s?, s:s?},"
				  " s:{s:I, s:s, s:s, s:s, s:o}, s:o, s:o, s:o, s:i, s:b, s:I, s:b,"
				  " s:b}",
				  "enterprise", "id", (json_int_t)db_col_int(r, 0), "name",
				  db_col_text(r, 1), "region_code", db_col_text(r, 2),
				  "region_name", db_col_text(r, 3), "scale", scale, "scale_name",
				  scale ? liaison_name_of(enterprise_scale_codes,
							  enterprise_scale_names, scale)
					: NULL,
				  "above_scale", db_col_int(r, 5) != 0, "status", status,
				  "status_name",
				  status ? liaison_name_of(enterprise_status_codes,
							   enterprise_status_names, status)
					 : NULL,
				  "address", db_col_text(r, 7), "liaison", "id",
				  (json_int_t)db_col_int(r, 8), "kind", kind, "kind_name",
				  liaison_name_of(liaison_kind_codes, liaison_kind_names, kind),
				  "start_on", db_col_text(r, 10), "end_on",
				  jstr(db_col_text(r, 11)), "last_visit_on", jstr(last),
				  "my_last_visit_on", jstr(db_col_text(r, 16)), "days_since_visit",
				  days, "month_visits", month, "over_cap",
				  liaison_over_cap(month, set.visit_cap), "open_appeals",
				  (json_int_t)db_col_int(r, 14), "quiet_now", db_col_int(r, 15) > 0,
				  "overdue", late));
	}
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	size_t n = json_array_size(items);
	return reply_json(req, 200,
			  json_pack("{s:o, s:I, s:I, s:I, s:I, s:i, s:i, s:s, s:s}", "items", items,
				    "total", (json_int_t)n, "overdue", (json_int_t)overdue,
				    "quiet_now", (json_int_t)quiet, "at_cap", (json_int_t)capped,
				    "overdue_days", set.overdue_days, "visit_cap", set.visit_cap,
				    "cutoff", cutoff, "today", today));
}

/* ---- settings ----------------------------------------------------------------------------------
 */

static json_t *settings_json(const struct liaison_settings *set)
{
	json_t *items = json_array();
	for (size_t i = 0; i < liaison_nsettings; i++) {
		const struct liaison_setting_def *d = &liaison_setting_defs[i];
		json_array_append_new(items,
				      json_pack("{s:s, s:s, s:i, s:i, s:i, s:i}", "key", d->key,
						"label", d->label, "value",
						*(const int *)((const char *)set + d->offset),
						"default", d->def, "min", d->min, "max", d->max));
	}
	return json_pack("{s:o}", "items", items);
}

static enum status settings_get(struct request *req)
{
	struct db *db;
	struct liaison_settings set;
	enum status st;
	if ((st = req_db(req, &db)) || (st = li_settings_load(db, &set)))
		return st;
	return reply_json(req, 200, settings_json(&set));
}

static enum status settings_patch(struct request *req)
{
	json_t *body;
	struct db *db;
	struct liaison_settings set;
	enum status st;
	if ((st = req_json(req, &body)) || (st = req_db(req, &db)) ||
	    (st = li_settings_load(db, &set)))
		return st;
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v)
	{
		size_t i = 0;
		while (i < liaison_nsettings && strcmp(liaison_setting_defs[i].key, k) != 0)
			i++;
		if (i == liaison_nsettings)
			return req_failf(req, ST_INVALID, "unknown_field", k, "未知的设置项：%s",
					 k);
	}
	int64_t vals[8];
	for (size_t i = 0; i < liaison_nsettings; i++) {
		const struct liaison_setting_def *d = &liaison_setting_defs[i];
		vals[i] = *(int *)((char *)&set + d->offset);
		if ((st = in_int(req, body, d->key, d->label, 0, d->min, d->max, &vals[i], NULL)))
			return st;
	}
	if ((st = db_begin(db)))
		return st;
	for (size_t i = 0; !st && i < liaison_nsettings; i++) {
		const struct liaison_setting_def *d = &liaison_setting_defs[i];
		if (!json_object_get(body, d->key))
			continue;
		*(int *)((char *)&set + d->offset) = (int)vals[i];
		st = db_exec(db, &SQL_LI_SETTING_PUT,
			     DB_ARGS(db_text(d->key), db_int(vals[i]), db_int(req->now),
				     db_int(req->user->user_id)),
			     NULL);
	}
	if (!st)
		st = audit_req(req, db, "liaison_settings", 0, "update", json_deep_copy(body));
	if (!st)
		st = db_commit(db);
	if (st) {
		db_rollback(db);
		return st;
	}
	return reply_json(req, 200, settings_json(&set));
}

/* ---- the enterprise 360 section
 * ------------------------------------------------------------------ */

enum status li_section(struct request *req, struct db *db, int64_t enterprise_id, json_t *sections)
{
	enum status st;
	if (permset_has(&req->user->perms, PERM_LIAISON_READ)) {
		struct scope s;
		struct li_enterprise e;
		principal_scope(req->user, PERM_LIAISON_READ, &s);
		st = li_enterprise_get(req, db, &s, enterprise_id, &e);
		if (st == ST_OK) {
			json_t *items = json_array();
			struct db_res *r = db_query(db, &SQL_LI_OF_ENTERPRISE,
						    DB_ARGS(db_int(enterprise_id), db_int(0)));
			while (db_next(r))
				json_array_append_new(items, li_liaison_json(req, r));
			if ((st = db_done(r))) {
				json_decref(items);
				return st;
			}
			json_array_append_new(sections,
					      json_pack("{s:s, s:s, s:o}", "key", "liaisons",
							"title", "包联干部", "items", items));
		} else if (st != ST_NOT_FOUND) {
			return st;
		}
	}
	if (permset_has(&req->user->perms, PERM_VISIT_READ)) {
		json_t *sec = NULL;
		if ((st = visits_section(req, db, enterprise_id, &sec)))
			return st;
		if (sec)
			json_array_append_new(sections, sec);
	}
	/* a 404 left in the error slot by a section the caller may not see is not an error */
	req->st = ST_OK;
	req->err_code = req->err_message = req->err_field = NULL;
	return ST_OK;
}

/* ---- the module --------------------------------------------------------------------------------
 */

static const struct route liaison_routes[] = {
	{ "GET", "/api/v1/liaisons", li_list, PERM_LIAISON_READ, 0 },
	{ "POST", "/api/v1/liaisons", li_create, PERM_LIAISON_ASSIGN, 0 },
	{ "GET", "/api/v1/liaisons/mine", li_mine, PERM_LIAISON_READ, 0 },
	{ "GET", "/api/v1/liaisons/candidates", li_candidates, PERM_LIAISON_ASSIGN, 0 },
	{ "POST", "/api/v1/liaisons/rule", li_rule, PERM_LIAISON_ASSIGN, 0 },
	{ "GET", "/api/v1/liaisons/import/template", li_import_template, PERM_LIAISON_ASSIGN, 0 },
	{ "POST", "/api/v1/liaisons/import", li_import, PERM_LIAISON_ASSIGN, ROUTE_RAW_BODY },
	{ "GET", "/api/v1/liaisons/:id", li_get, PERM_LIAISON_READ, 0 },
	{ "PATCH", "/api/v1/liaisons/:id", li_patch, PERM_LIAISON_ASSIGN, 0 },
	{ "POST", "/api/v1/liaisons/:id/reassign", li_reassign, PERM_LIAISON_ASSIGN, 0 },
	{ "GET", "/api/v1/enterprises/:id/liaisons", li_of_enterprise, PERM_LIAISON_READ, 0 },
	{ "GET", "/api/v1/enterprises/:id/visit-check", visits_check, PERM_VISIT_WRITE, 0 },
	{ "GET", "/api/v1/enterprises/:id/quiet-periods", quiet_list, PERM_LIAISON_READ, 0 },
	{ "POST", "/api/v1/quiet-periods", quiet_create, PERM_VISIT_FEEDBACK, 0 },
	{ "DELETE", "/api/v1/quiet-periods/:id", quiet_cancel, PERM_VISIT_FEEDBACK, 0 },
	{ "GET", "/api/v1/visits", visits_list, PERM_VISIT_READ, 0 },
	{ "POST", "/api/v1/visits", visits_create, PERM_VISIT_WRITE, 0 },
	{ "GET", "/api/v1/visits/:id", visits_get, PERM_VISIT_READ, 0 },
	{ "POST", "/api/v1/visits/:id/rating", visits_rate, PERM_VISIT_FEEDBACK, 0 },
	{ "GET", "/api/v1/liaison/coverage", coverage_get, PERM_LIAISON_STATS, 0 },
	{ "GET", "/api/v1/liaison/coverage/cadres", coverage_cadres, PERM_LIAISON_STATS, 0 },
	{ "GET", "/api/v1/liaison/coverage/overdue", coverage_overdue, PERM_LIAISON_STATS, 0 },
	{ "GET", "/api/v1/liaison/coverage/export", coverage_export, PERM_LIAISON_STATS, ROUTE_LONG },
	{ "GET", "/api/v1/liaison/settings", settings_get, PERM_LIAISON_READ, 0 },
	{ "PATCH", "/api/v1/liaison/settings", settings_patch, PERM_LIAISON_ADMIN, 0 },
};

static const struct job liaison_jobs[] = {
	{ "liaison_daily", 300, liaison_job },
};

const struct module liaison_module = {
	.name = "liaison",
	.routes = liaison_routes,
	.nroutes = COUNT_OF(liaison_routes),
	.migrations = liaison_migrations,
	.jobs = liaison_jobs,
	.njobs = COUNT_OF(liaison_jobs),
	.demo = liaison_demo,
	.section = li_section,
};
