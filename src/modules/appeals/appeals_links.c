/* appeals_links.c: what other modules call: filing an appeal inside their own transaction (a
 * visit's problem, 走访发现), the link back to where an appeal came from, references to appeals
 * by id with their colours, and the enterprise 360 section. */
#include <jansson.h>

#include "app/module.h"
#include "auth/principal.h"
#include "http/request.h"
#include "modules/appeals/appeals_internal.h"
#include "modules/appeals/appeals_sql.h"

#define SECTION_RECENT 10

/* ---- filing --------------------------------------------------------------------------------- */

/* File in with a ready context (its actor set); refusals are described in cx. */
static enum status file_in(struct appeal_ctx *cx, const struct appeal_filing *in, int64_t *id_out)
{
	struct appeal a;
	memset(&a, 0, sizeof(a));
	bool found = false;
	const char *status = NULL;
	struct db_res *r =
		db_query(cx->db, &SQL_ENT_FOR_APPEAL, DB_ARGS(db_int(in->enterprise_id)));
	if (db_next(r)) {
		a.enterprise_id = db_col_int(r, 0);
		a.home_org_id = db_col_int(r, 1);
		a.home_path = arena_strdup(cx->arena, db_col_text(r, 2));
		a.region_code = arena_strdup(cx->arena, db_col_text(r, 3));
		a.enterprise_name = arena_strdup(cx->arena, db_col_text(r, 4));
		status = arena_strdup(cx->arena, db_col_text(r, 5));
		found = true;
	}
	enum status st = db_done(r);
	if (st)
		return st;
	if (!found)
		return appeal_fail(cx, ST_INVALID, "invalid_enterprise", "企业不存在",
				   "enterprise_id");
	if (status && strcmp(status, "deregistered") == 0)
		return appeal_fail(cx, ST_INVALID, "invalid_enterprise",
				   "该企业已注销，不能提交诉求", "enterprise_id");
	bool active = false;
	found = false;
	r = db_query(cx->db, &SQL_CAT_FOR_FILING, DB_ARGS(db_int(in->category_id)));
	if (db_next(r)) {
		found = true;
		a.category_id = db_col_int(r, 0);
		a.category_root = db_col_int(r, 1);
		active = strcmp(db_col_text(r, 2), "active") == 0 &&
			 strcmp(db_col_text(r, 3), "active") == 0;
		a.category_name = arena_strdup(cx->arena, db_col_text(r, 4));
	}
	if ((st = db_done(r)))
		return st;
	if (!found || !active)
		return appeal_fail(cx, ST_INVALID, "invalid_category", "诉求分类不存在或已停用",
				   "category_id");
	if (!in->channel || appeal_code_index(appeal_channel_codes, in->channel) < 0)
		return appeal_fail(cx, ST_INVALID, "invalid_choice", "诉求渠道无效", "channel");
	size_t tl = in->title ? utf8_len(in->title, strlen(in->title)) : 0;
	size_t cl = in->content ? utf8_len(in->content, strlen(in->content)) : 0;
	if (tl == 0)
		return appeal_fail(cx, ST_INVALID, "required", "请填写诉求标题", "title");
	if (tl > 60)
		return appeal_fail(cx, ST_INVALID, "too_long", "诉求标题不能超过60个字", "title");
	if (cl == 0)
		return appeal_fail(cx, ST_INVALID, "required", "请填写诉求内容", "content");
	if (cl > 5000)
		return appeal_fail(cx, ST_INVALID, "too_long", "诉求内容不能超过5000个字",
				   "content");
	int urgency = in->urgency ? appeal_code_index(appeal_urgency_codes, in->urgency) : 0;
	if (urgency < 0)
		return appeal_fail(cx, ST_INVALID, "invalid_choice", "紧急程度应为一般或紧急",
				   "urgency");
	a.created_by = cx->actor.user_id;
	a.channel = in->channel;
	a.title = in->title;
	a.content = in->content;
	a.urgency = appeal_urgency_codes[urgency];
	a.contact_ok = true;
	a.contact_via = appeal_contact_codes[0];
	if ((st = appeal_file(cx, &a)))
		return st;
	if (in->source_kind &&
	    (st = db_exec(cx->db, &SQL_APPEAL_SET_SOURCE,
			  DB_ARGS(db_int(a.id), db_text(in->source_kind), db_int(in->source_id)),
			  NULL)))
		return st;
	*id_out = a.id;
	return ST_OK;
}

enum status appeals_file_for(struct request *req, struct db *db, const struct appeal_filing *in,
			     int64_t *id_out, char *number)
{
	struct appeal_ctx cx;
	enum status st = appeals_req_ctx(req, db, &cx);
	if (st)
		return st;
	if ((st = file_in(&cx, in, id_out)))
		return appeals_req_fail(req, &cx, st);
	if (number)
		appeal_number(req->now, *id_out, number, 32);
	return ST_OK;
}

enum status appeals_file_as(struct app *app, struct db *db, struct arena *arena, int64_t now,
			    const struct appeal_filer *who, const struct appeal_filing *in,
			    int64_t *id_out, const char **why)
{
	struct appeal_ctx cx;
	enum status st = appeal_ctx_init(&cx, app, db, arena, now);
	if (st)
		return st;
	cx.actor = (struct appeal_actor){ who->user_id,	 who->username, who->display_name,
					  who->org_name, who->org_path, "local",
					  NULL };
	st = file_in(&cx, in, id_out);
	if (why)
		*why = cx.err_message;
	return st;
}

/* ---- links and references -------------------------------------------------------------------- */

json_t *appeal_source_json(struct db *db, int64_t id)
{
	json_t *o = NULL;
	struct db_res *r = db_query(db, &SQL_APPEAL_SOURCE, DB_ARGS(db_int(id)));
	if (db_next(r))
		o = json_pack("{s:s, s:I}", "kind", db_col_text(r, 0), "id",
			      (json_int_t)db_col_int(r, 1));
	db_done(r);
	return o ? o : json_null();
}

/* The colour of a deadline as the queue shows it (paused while suspended; none once answered). */
static enum appeal_colour colour_of(const char *state, const char *due, const char *today,
				    const char *yellow_until)
{
	int s = appeal_code_index(appeal_state_codes, state);
	if (s == AS_SUSPENDED)
		return AC_PAUSED;
	if (s < 0 || s == AS_REPLIED || appeal_state_final((enum appeal_state)s))
		return AC_NONE;
	return appeal_colour(due, today, yellow_until, false);
}

static json_t *ref_json(struct request *req, int64_t id, int64_t created, const char *title,
			const char *state, const char *due, const char *outcome, const char *today,
			const char *yellow)
{
	char number[32];
	appeal_number(created, id, number, sizeof(number));
	int s = appeal_code_index(appeal_state_codes, state);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:o}", "id", (json_int_t)id,
			 "number", number, "title", title, "state", state, "state_name",
			 s >= 0 ? appeal_state_names[s] : state, "colour",
			 appeal_colour_codes[colour_of(state, due, today, yellow)], "due_date", due,
			 "outcome", outcome && *outcome ? outcome : NULL, "created_at",
			 json_time(req, created));
}

json_t *appeals_refs_json(struct request *req, struct db *db, const int64_t *ids, size_t n)
{
	json_t *list = json_array();
	if (!list || !n)
		return list;
	struct appeal_ctx cx;
	const char *yellow;
	bool prov = false;
	if (appeals_req_ctx(req, db, &cx) ||
	    appeal_deadline(&cx, cx.today, cx.set.yellow_days, &yellow, &prov)) {
		json_decref(list);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct appeal a;
		if (!appeals_caller_sees(req, db, ids[i]) || appeal_load(&cx, ids[i], &a))
			continue;
		json_array_append_new(list,
				      ref_json(req, a.id, a.created_at, a.title,
					       appeal_state_codes[a.state], a.due_date,
					       appeal_outcome_codes[a.outcome], cx.today, yellow));
	}
	return list;
}

/* ---- the enterprise 360 section ------------------------------------------------------------ */

enum status appeals_section(struct request *req, struct db *db, int64_t enterprise_id,
			    json_t *sections)
{
	if (!req->user || !permset_has(&req->user->perms, PERM_APPEAL_READ))
		return ST_OK;
	struct appeal_ctx cx;
	const char *yellow;
	bool prov = false;
	enum status st = appeals_req_ctx(req, db, &cx);
	if (st || (st = appeal_deadline(&cx, cx.today, cx.set.yellow_days, &yellow, &prov)))
		return st;
	struct scope s;
	principal_scope(req->user, PERM_APPEAL_READ, &s);
	struct db_val a[8];
	scope_filter_args(&s, a);
	a[5] = db_int(enterprise_id);
	a[6] = db_text(cx.today);
	a[7] = db_int(SECTION_RECENT);
	json_t *counts = NULL;
	struct db_res *r = db_query(db, &SQL_SECTION_COUNTS, a, 7);
	if (db_next(r))
		counts = json_pack(
			"{s:I, s:I, s:I, s:I, s:I}", "total", (json_int_t)db_col_int(r, 0), "open",
			(json_int_t)db_col_int(r, 1), "closed", (json_int_t)db_col_int(r, 2),
			"solved", (json_int_t)db_col_int(r, 3), "late",
			(json_int_t)db_col_int(r, 4));
	if ((st = db_done(r))) {
		json_decref(counts);
		return st;
	}
	json_t *items = json_array();
	r = db_query(db, &SQL_SECTION_RECENT, a, 8);
	while (db_next(r)) {
		const char *channel = db_col_text(r, 3);
		int ch = appeal_code_index(appeal_channel_codes, channel);
		json_t *o = ref_json(req, db_col_int(r, 0), db_col_int(r, 5), db_col_text(r, 1),
				     db_col_text(r, 2), db_col_text(r, 4), db_col_text(r, 6),
				     cx.today, yellow);
		if (!o)
			continue;
		json_object_set_new(o, "channel", json_string(channel));
		json_object_set_new(o, "channel_name",
				    json_string(ch >= 0 ? appeal_channel_names[ch] : channel));
		json_object_set_new(o, "category", json_string(db_col_text(r, 8)));
		json_object_set_new(o, "rating",
				    db_col_text(r, 7) && *db_col_text(r, 7)
					    ? json_string(db_col_text(r, 7))
					    : json_null());
		json_object_set_new(o, "source",
				    db_col_null(r, 9)
					    ? json_null()
					    : json_pack("{s:s, s:I}", "kind", db_col_text(r, 9),
							"id", (json_int_t)db_col_int(r, 10)));
		json_array_append_new(items, o);
	}
	if ((st = db_done(r))) {
		json_decref(items);
		json_decref(counts);
		return st;
	}
	json_t *sec = json_pack("{s:s, s:s, s:o, s:o}", "key", "appeals", "title", "诉求", "counts",
				counts ? counts : json_object(), "items", items);
	if (!sec)
		return ST_NOMEM;
	return json_array_append_new(sections, sec) ? ST_NOMEM : ST_OK;
}
