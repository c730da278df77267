/* appeals_admin.c: what administrators keep for appeals: the two-level category tree, the
 * routing rules (category and region → lead unit), the working-day limits per category and
 * urgency, and the settings of the clock. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "http/input.h"
#include "modules/appeals/appeals_internal.h"
#include "modules/appeals/appeals_sql.h"

/* ---- settings and limits (used by the core) ------------------------------------------------- */

/*
 * Kept in memory: every request of the module reads the settings, and every filing its time
 * limits, from two small tables whose pages each commit of another connection sends back to the
 * file (4.6 % of a filing flood's CPU in perf). The copy is used as db_copy_current() allows:
 * while nothing that changed either table has committed in this process (appeals_copied, which
 * the app hands to db_copies_read) and for at most DB_COPY_MAX_AGE_MS (a change made through
 * another server or `tiejian` on the same file). Inside a write transaction, which may have
 * changed them and not commit, both are read from the tables.
 */

const char *const appeals_copied[] = { "appeal_settings", "appeal_deadlines", NULL };

static struct {
	pthread_mutex_t mu;
	bool have;
	struct db_copy_stamp stamp;
	struct appeal_settings set;
	struct appeal_limit *limits; /* malloc'd */
	size_t nlimits;
} kept = { .mu = PTHREAD_MUTEX_INITIALIZER };

static enum status settings_read(struct db *db, struct appeal_settings *out)
{
	for (size_t i = 0; i < appeal_nsettings; i++) {
		const struct appeal_setting_def *d = &appeal_setting_defs[i];
		char *p = (char *)out + d->offset;
		if (d->wide)
			*(int64_t *)(void *)p = d->def;
		else
			*(int *)(void *)p = (int)d->def;
	}
	struct db_res *r = db_query(db, &SQL_SET_ALL, DB_NOARGS);
	while (db_next(r)) {
		const char *key = db_col_text(r, 0);
		int64_t v = db_col_int(r, 1);
		for (size_t i = 0; i < appeal_nsettings; i++) {
			const struct appeal_setting_def *d = &appeal_setting_defs[i];
			if (strcmp(d->key, key) != 0 || v < d->min || v > d->max)
				continue;
			char *p = (char *)out + d->offset;
			if (d->wide)
				*(int64_t *)(void *)p = v;
			else
				*(int *)(void *)p = (int)v;
		}
	}
	return db_done(r);
}

/* Every row of the time limits into *out (malloc'd; the caller frees it). */
static enum status limits_read(struct db *db, struct appeal_limit **out, size_t *n)
{
	struct appeal_limit *rows = NULL;
	size_t cap = 0;
	bool lost = false;
	*n = 0;
	struct db_res *r = db_query(db, &SQL_DL_ALL, DB_NOARGS);
	while (db_next(r)) {
		if (*n == cap) {
			size_t want = cap ? cap * 2 : 32;
			struct appeal_limit *more = realloc(rows, want * sizeof(*rows));
			if (!more) {
				lost = true;
				break;
			}
			rows = more, cap = want;
		}
		struct appeal_limit *l = &rows[(*n)++];
		l->category = db_col_int(r, 0);
		snprintf(l->urgency, sizeof(l->urgency), "%s", db_col_text(r, 1));
		for (int i = 0; i < 4; i++)
			l->days[i] = (int)db_col_int(r, 2 + i);
	}
	enum status st = db_done(r);
	if (!st && lost)
		st = ST_NOMEM;
	if (st) {
		free(rows);
		rows = NULL, *n = 0;
	}
	*out = rows;
	return st;
}

/* The copy made current (read again when it is not); on ST_OK kept.mu is held. */
static enum status kept_current(struct db *db)
{
	pthread_mutex_lock(&kept.mu);
	if (kept.have && db_copy_current(kept.stamp))
		return ST_OK;
	pthread_mutex_unlock(&kept.mu);
	struct db_copy_stamp stamp = db_copy_stamp();
	struct appeal_settings set;
	struct appeal_limit *limits = NULL;
	size_t n = 0;
	enum status st = settings_read(db, &set);
	if (!st)
		st = limits_read(db, &limits, &n);
	if (st)
		return st;
	pthread_mutex_lock(&kept.mu);
	free(kept.limits);
	kept.have = true;
	kept.stamp = stamp;
	kept.set = set;
	kept.limits = limits;
	kept.nlimits = n;
	return ST_OK;
}

void appeals_kept_forget(void)
{
	pthread_mutex_lock(&kept.mu);
	free(kept.limits);
	kept.limits = NULL;
	kept.nlimits = 0;
	kept.have = false;
	pthread_mutex_unlock(&kept.mu);
}

enum status appeals_settings_load(struct db *db, struct appeal_settings *out)
{
	if (db_in_tx(db))
		return settings_read(db, out);
	enum status st = kept_current(db);
	if (st)
		return st;
	*out = kept.set;
	pthread_mutex_unlock(&kept.mu);
	return ST_OK;
}

enum status appeals_deadline_rule(struct db *db, int64_t category, int64_t root,
				  const char *urgency, int spans[5])
{
	enum status st;
	if (db_in_tx(db)) {
		struct appeal_limit *rows;
		size_t n;
		if ((st = limits_read(db, &rows, &n)))
			return st;
		appeal_limit_spans(rows, n, category, root, urgency, spans);
		free(rows);
		return ST_OK;
	}
	if ((st = kept_current(db)))
		return st;
	appeal_limit_spans(kept.limits, kept.nlimits, category, root, urgency, spans);
	pthread_mutex_unlock(&kept.mu);
	return ST_OK;
}

static enum status commit_or_rollback(struct db *db, enum status st)
{
	if (st) {
		db_rollback(db);
		return st;
	}
	return db_commit(db);
}

/* ---- categories --------------------------------------------------------------------------- */

static json_t *category_json(struct request *req, struct db_res *r)
{
	return json_pack("{s:I, s:o, s:s, s:s, s:I, s:s, s:o, s:o}", "id",
			 (json_int_t)db_col_int(r, 0), "parent_id",
			 db_col_null(r, 1) ? json_null() : json_integer(db_col_int(r, 1)), "code",
			 db_col_text(r, 2), "name", db_col_text(r, 3), "sort",
			 (json_int_t)db_col_int(r, 4), "status", db_col_text(r, 5), "created_at",
			 json_time(req, db_col_int(r, 6)), "updated_at",
			 json_time(req, db_col_int(r, 7)));
}

enum status appeals_categories_list(struct request *req)
{
	int64_t all;
	struct db *db;
	enum status st;
	if ((st = q_int(req, "all", "包括停用的分类", 0, 1, 0, &all)) || (st = req_db(req, &db)))
		return st;
	/* parents come first (ORDER BY parent_id IS NOT NULL), so a child finds its parent */
	json_t *roots = json_array(), *by_id = json_object();
	struct db_res *r = db_query(db, &SQL_CAT_LIST, DB_NOARGS);
	while (db_next(r)) {
		bool active = strcmp(db_col_text(r, 5), "active") == 0;
		if (!all && !active)
			continue;
		json_t *c = category_json(req, r);
		char key[24];
		snprintf(key, sizeof(key), "%lld", (long long)db_col_int(r, 0));
		if (db_col_null(r, 1)) {
			json_object_set_new(c, "children", json_array());
			json_object_set(by_id, key, c);
			json_array_append_new(roots, c);
			continue;
		}
		char pkey[24];
		snprintf(pkey, sizeof(pkey), "%lld", (long long)db_col_int(r, 1));
		json_t *parent = json_object_get(by_id, pkey);
		if (parent)
			json_array_append_new(json_object_get(parent, "children"), c);
		else
			json_decref(c); /* under a disabled parent */
	}
	st = db_done(r);
	json_decref(by_id);
	if (st) {
		json_decref(roots);
		return st;
	}
	return reply_json(req, 200, json_pack("{s:o}", "items", roots));
}

static bool code_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

static enum status load_category(struct request *req, struct db *db, int64_t id, json_t **out)
{
	*out = NULL;
	struct db_res *r = db_query(db, &SQL_CAT_GET, DB_ARGS(db_int(id)));
	if (db_next(r))
		*out = category_json(req, r);
	enum status st = db_done(r);
	if (st) {
		json_decref(*out);
		*out = NULL;
		return st;
	}
	if (!*out)
		return req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
	req_own_json(req, *out);
	return ST_OK;
}

enum status appeals_categories_create(struct request *req)
{
	static const char *const fields[] = {"parent_id", "code", "name", "sort", NULL};
	json_t *body, *parent, *c;
	const char *code, *name;
	int64_t parent_id = 0, sort = 0, id;
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) || (st = in_only(req, body, fields)) ||
	    (st = in_int(req, body, "parent_id", "上级分类", 0, 1, INT64_MAX, &parent_id, NULL)) ||
	    (st = in_str(req, body, "code", "分类编码", IN_REQUIRED | IN_TRIM, 16, &code, NULL)) ||
	    (st = in_str(req, body, "name", "分类名称", IN_REQUIRED | IN_TRIM, 20, &name, NULL)) ||
	    (st = in_int(req, body, "sort", "排序", 0, 0, 100000, &sort, NULL)) ||
	    (st = req_db(req, &db)))
		return st;
	if (!code_ok(code))
		return req_fail(req, ST_INVALID, "invalid_code",
				"分类编码只能包含字母、数字、连字符和下划线（最多16个）", "code");
	if (parent_id) {
		if (load_category(req, db, parent_id, &parent))
			return req_fail(req, ST_INVALID, "invalid_parent", "上级分类不存在",
					"parent_id");
		if (!json_is_null(json_object_get(parent, "parent_id")))
			return req_fail(req, ST_INVALID, "too_deep", "诉求分类只有两级", "parent_id");
	}
	if ((st = db_begin(db)))
		return st;
	st = db_int1(db, &SQL_CAT_INSERT,
		     DB_ARGS(db_id_or_null(parent_id), db_text(code), db_text(name), db_int(sort),
			     db_int(req->now)),
		     &id);
	if (st == ST_CONFLICT)
		st = req_fail(req, ST_CONFLICT, "duplicate_code", "分类编码已被使用", "code");
	if (!st)
		st = audit_req(req, db, "appeal_category", id, "create",
			       json_pack("{s:s, s:s, s:o}", "code", code, "name", name, "parent_id",
					 parent_id ? json_integer(parent_id) : json_null()));
	if ((st = commit_or_rollback(db, st)) || (st = load_category(req, db, id, &c)))
		return st;
	return reply_json(req, 201, json_incref(c));
}

enum status appeals_categories_update(struct request *req)
{
	static const char *const fields[] = {"code", "name", "sort", "status", NULL};
	static const char *const statuses[] = {"active", "disabled", NULL};
	json_t *body, *c;
	const char *code, *name;
	int64_t id, sort;
	int status = -1;
	bool has_code, has_name, has_sort;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_json(req, &body)) ||
	    (st = in_only(req, body, fields)) ||
	    (st = in_str(req, body, "code", "分类编码", IN_TRIM, 16, &code, &has_code)) ||
	    (st = in_str(req, body, "name", "分类名称", IN_TRIM, 20, &name, &has_name)) ||
	    (st = in_int(req, body, "sort", "排序", 0, 0, 100000, &sort, &has_sort)) ||
	    (st = in_enum(req, body, "status", "状态", 0, statuses, &status, NULL)) ||
	    (st = req_db(req, &db)) || (st = load_category(req, db, id, &c)))
		return st;
	if (has_code && (!code || !code_ok(code)))
		return req_fail(req, ST_INVALID, "invalid_code",
				"分类编码只能包含字母、数字、连字符和下划线（最多16个）", "code");
	if (has_name && (!name || !*name))
		return req_fail(req, ST_INVALID, "required", "分类名称不能为空", "name");
	if (!has_code)
		code = json_string_value(json_object_get(c, "code"));
	if (!has_name)
		name = json_string_value(json_object_get(c, "name"));
	if (!has_sort)
		sort = json_integer_value(json_object_get(c, "sort"));
	const char *status_code =
		status >= 0 ? statuses[status] : json_string_value(json_object_get(c, "status"));
	if ((st = db_begin(db)))
		return st;
	st = db_exec(db, &SQL_CAT_UPDATE,
		     DB_ARGS(db_int(id), db_text(code), db_text(name), db_int(sort),
			     db_text(status_code), db_int(req->now)),
		     NULL);
	if (st == ST_CONFLICT)
		st = req_fail(req, ST_CONFLICT, "duplicate_code", "分类编码已被使用", "code");
	if (!st)
		st = audit_req(req, db, "appeal_category", id, "update", json_deep_copy(body));
	if ((st = commit_or_rollback(db, st)) || (st = load_category(req, db, id, &c)))
		return st;
	return reply_json(req, 200, json_incref(c));
}

/* ---- routing rules -------------------------------------------------------------------------- */

static json_t *route_json(struct request *req, struct db_res *r)
{
	int64_t cat = db_col_int(r, 1);
	return json_pack("{s:I, s:o, s:o, s:{s:I, s:s}, s:o, s:o, s:o}", "id",
			 (json_int_t)db_col_int(r, 0), "category",
			 cat ? json_pack("{s:I, s:s?}", "id", (json_int_t)cat, "name",
					 db_col_text(r, 2))
			     : json_null(),
			 "region_code",
			 *db_col_text(r, 3) ? json_string(db_col_text(r, 3)) : json_null(),
			 "lead_unit", "id", (json_int_t)db_col_int(r, 4), "name", db_col_text(r, 5),
			 "note", db_col_text(r, 6) ? json_string(db_col_text(r, 6)) : json_null(),
			 "created_at", json_time(req, db_col_int(r, 7)), "updated_at",
			 json_time(req, db_col_int(r, 8)));
}

enum status appeals_routes_list(struct request *req)
{
	struct db *db;
	enum status st = req_db(req, &db);
	if (st)
		return st;
	json_t *items = json_array();
	struct db_res *r = db_query(db, &SQL_ROUTE_LIST, DB_NOARGS);
	while (db_next(r))
		json_array_append_new(items, route_json(req, r));
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	return reply_json(req, 200, json_pack("{s:o}", "items", items));
}

static enum status load_route(struct request *req, struct db *db, int64_t id, json_t **out)
{
	*out = NULL;
	struct db_res *r = db_query(db, &SQL_ROUTE_GET, DB_ARGS(db_int(id)));
	if (db_next(r))
		*out = route_json(req, r);
	enum status st = db_done(r);
	if (st) {
		json_decref(*out);
		*out = NULL;
		return st;
	}
	if (!*out)
		return req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
	req_own_json(req, *out);
	return ST_OK;
}

/* The fields of a rule, checked: the category exists, the region is a 6-digit code, the unit
 * is an org in use. */
static enum status route_fields(struct request *req, struct db *db, json_t *body, bool partial,
				int64_t *category, const char **region, int64_t *lead,
				const char **note, json_t *old)
{
	bool has_cat, has_region, has_lead, has_note;
	enum status st;
	if ((st = in_int(req, body, "category_id", "诉求分类", 0, 0, INT64_MAX, category, &has_cat)) ||
	    (st = in_str(req, body, "region_code", "行政区划", IN_TRIM, 6, region, &has_region)) ||
	    (st = in_int(req, body, "lead_org_id", "主办单位", partial ? 0 : IN_REQUIRED, 1,
			 INT64_MAX, lead, &has_lead)) ||
	    (st = in_str(req, body, "note", "说明", IN_TRIM, 200, note, &has_note)))
		return st;
	if (old) {
		json_t *c = json_object_get(old, "category");
		if (!has_cat)
			*category = json_is_null(c) ? 0 : json_integer_value(json_object_get(c, "id"));
		if (!has_region)
			*region = json_string_value(json_object_get(old, "region_code"));
		if (!has_lead)
			*lead = json_integer_value(
				json_object_get(json_object_get(old, "lead_unit"), "id"));
		if (!has_note)
			*note = json_string_value(json_object_get(old, "note"));
	}
	if (!*region)
		*region = "";
	if (**region && (strlen(*region) != 6 || strspn(*region, "0123456789") != 6))
		return req_fail(req, ST_INVALID, "invalid_region", "行政区划代码应为6位数字",
				"region_code");
	if (*category) {
		json_t *c;
		if (load_category(req, db, *category, &c))
			return req_fail(req, ST_INVALID, "invalid_category", "诉求分类不存在",
					"category_id");
	}
	bool ok = false;
	struct db_res *r = db_query(db, &SQL_ORG_FOR_UNIT, DB_ARGS(db_int(*lead)));
	if (db_next(r))
		ok = strcmp(db_col_text(r, 3), "active") == 0;
	if ((st = db_done(r)))
		return st;
	if (!ok)
		return req_fail(req, ST_INVALID, "invalid_unit", "主办单位不存在或已停用",
				"lead_org_id");
	return ST_OK;
}

enum status appeals_routes_create(struct request *req)
{
	static const char *const fields[] = {"category_id", "region_code", "lead_org_id", "note",
					     NULL};
	json_t *body, *rule;
	int64_t category = 0, lead = 0, id;
	const char *region = NULL, *note = NULL;
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) || (st = in_only(req, body, fields)) ||
	    (st = req_db(req, &db)) ||
	    (st = route_fields(req, db, body, false, &category, &region, &lead, &note, NULL)) ||
	    (st = db_begin(db)))
		return st;
	st = db_int1(db, &SQL_ROUTE_INSERT,
		     DB_ARGS(db_int(category), db_text(region), db_int(lead), db_text(note),
			     db_int(req->now)),
		     &id);
	if (st == ST_CONFLICT)
		st = req_fail(req, ST_CONFLICT, "duplicate_rule",
			      "这个分类和地区已有分办规则，请修改原规则", "category_id");
	if (!st)
		st = audit_req(req, db, "appeal_route", id, "create",
			       json_pack("{s:I, s:s, s:I}", "category_id", (json_int_t)category,
					 "region_code", region, "lead_org_id", (json_int_t)lead));
	if ((st = commit_or_rollback(db, st)) || (st = load_route(req, db, id, &rule)))
		return st;
	return reply_json(req, 201, json_incref(rule));
}

enum status appeals_routes_update(struct request *req)
{
	static const char *const fields[] = {"category_id", "region_code", "lead_org_id", "note",
					     NULL};
	json_t *body, *rule;
	int64_t id, category = 0, lead = 0;
	const char *region = NULL, *note = NULL;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_json(req, &body)) ||
	    (st = in_only(req, body, fields)) || (st = req_db(req, &db)) ||
	    (st = load_route(req, db, id, &rule)) ||
	    (st = route_fields(req, db, body, true, &category, &region, &lead, &note, rule)) ||
	    (st = db_begin(db)))
		return st;
	st = db_exec(db, &SQL_ROUTE_UPDATE,
		     DB_ARGS(db_int(id), db_int(category), db_text(region), db_int(lead),
			     db_text(note), db_int(req->now)),
		     NULL);
	if (st == ST_CONFLICT)
		st = req_fail(req, ST_CONFLICT, "duplicate_rule", "这个分类和地区已有分办规则",
			      "category_id");
	if (!st)
		st = audit_req(req, db, "appeal_route", id, "update", json_deep_copy(body));
	if ((st = commit_or_rollback(db, st)) || (st = load_route(req, db, id, &rule)))
		return st;
	return reply_json(req, 200, json_incref(rule));
}

enum status appeals_routes_delete(struct request *req)
{
	int64_t id, n = 0;
	json_t *rule;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = load_route(req, db, id, &rule)) || (st = db_begin(db)))
		return st;
	st = db_exec(db, &SQL_ROUTE_DELETE, DB_ARGS(db_int(id)), &n);
	if (!st)
		st = audit_req(req, db, "appeal_route", id, "delete", json_deep_copy(rule));
	if ((st = commit_or_rollback(db, st)))
		return st;
	return reply_empty(req, 204);
}

/* ---- time limits ------------------------------------------------------------------------------ */

enum status appeals_deadlines_list(struct request *req)
{
	struct db *db;
	enum status st = req_db(req, &db);
	if (st)
		return st;
	json_t *items = json_array();
	struct db_res *r = db_query(db, &SQL_DL_LIST, DB_NOARGS);
	while (db_next(r)) {
		int64_t cat = db_col_int(r, 0);
		json_array_append_new(
			items,
			json_pack("{s:o, s:s, s:I, s:I, s:I, s:I, s:o}", "category",
				  cat ? json_pack("{s:I, s:s?}", "id", (json_int_t)cat, "name",
						  db_col_text(r, 7))
				      : json_null(),
				  "urgency", db_col_text(r, 1), "accept_days",
				  (json_int_t)db_col_int(r, 2), "contact_days",
				  (json_int_t)db_col_int(r, 3), "interim_days",
				  (json_int_t)db_col_int(r, 4), "close_days",
				  (json_int_t)db_col_int(r, 5), "updated_at",
				  json_time(req, db_col_int(r, 6))));
	}
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	return reply_json(req, 200, json_pack("{s:o}", "items", items));
}

enum status appeals_deadlines_put(struct request *req)
{
	static const char *const fields[] = {"category_id", "urgency", "accept_days",
					     "contact_days", "interim_days", "close_days",
					     "remove", NULL};
	json_t *body, *c;
	int64_t category = 0, days[4] = {0, 0, 0, 0};
	int urgency = -1;
	bool remove = false;
	struct db *db;
	enum status st;
	static const char *const keys[] = {"accept_days", "contact_days", "interim_days",
					   "close_days"};
	static const char *const labels[] = {"受理时限", "首次联系时限", "阶段性答复时限",
					     "办结时限"};
	if ((st = req_json(req, &body)) || (st = in_only(req, body, fields)) ||
	    (st = in_int(req, body, "category_id", "诉求分类", 0, 0, INT64_MAX, &category, NULL)) ||
	    (st = in_enum(req, body, "urgency", "紧急程度", IN_REQUIRED, appeal_urgency_codes,
			  &urgency, NULL)) ||
	    (st = in_bool(req, body, "remove", "删除", 0, &remove, NULL)) ||
	    (st = req_db(req, &db)))
		return st;
	for (int i = 0; i < 4 && !remove; i++)
		if ((st = in_int(req, body, keys[i], labels[i], IN_REQUIRED, 1, 60, &days[i], NULL)))
			return st;
	if (!remove && (days[1] > days[3] || days[2] > days[3]))
		return req_fail(req, ST_INVALID, "out_of_range",
				"首次联系和阶段性答复时限不能长于办结时限", "close_days");
	if (remove && !category)
		return req_fail(req, ST_INVALID, "not_removable", "默认时限不能删除，只能修改",
				"category_id");
	if (category && load_category(req, db, category, &c))
		return req_fail(req, ST_INVALID, "invalid_category", "诉求分类不存在", "category_id");
	if ((st = db_begin(db)))
		return st;
	if (remove)
		st = db_exec(db, &SQL_DL_DELETE,
			     DB_ARGS(db_int(category), db_text(appeal_urgency_codes[urgency])), NULL);
	else
		st = db_exec(db, &SQL_DL_UPSERT,
			     DB_ARGS(db_int(category), db_text(appeal_urgency_codes[urgency]),
				     db_int(days[0]), db_int(days[1]), db_int(days[2]),
				     db_int(days[3]), db_int(req->now)),
			     NULL);
	if (!st)
		st = audit_req(req, db, "appeal_deadline", category, remove ? "delete" : "update",
			       json_deep_copy(body));
	if ((st = commit_or_rollback(db, st)))
		return st;
	return appeals_deadlines_list(req);
}

/* ---- settings --------------------------------------------------------------------------------- */

enum status appeals_settings_get(struct request *req)
{
	struct db *db;
	struct appeal_settings s;
	enum status st;
	if ((st = req_db(req, &db)) || (st = appeals_settings_load(db, &s)))
		return st;
	json_t *items = json_array(), *values = json_object();
	for (size_t i = 0; i < appeal_nsettings; i++) {
		const struct appeal_setting_def *d = &appeal_setting_defs[i];
		const char *p = (const char *)&s + d->offset;
		int64_t v = d->wide ? *(const int64_t *)(const void *)p
				    : *(const int *)(const void *)p;
		json_array_append_new(items, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "key",
						       d->key, "label", d->label, "value",
						       (json_int_t)v, "default", (json_int_t)d->def,
						       "min", (json_int_t)d->min, "max",
						       (json_int_t)d->max));
		json_object_set_new(values, d->key, json_integer(v));
	}
	return reply_json(req, 200, json_pack("{s:o, s:o}", "items", items, "values", values));
}

enum status appeals_settings_patch(struct request *req)
{
	json_t *body;
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) || (st = req_db(req, &db)))
		return st;
	const char *key;
	json_t *v;
	int64_t values[32];
	size_t idx[32], n = 0;
	json_object_foreach(body, key, v)
	{
		size_t i;
		for (i = 0; i < appeal_nsettings; i++)
			if (strcmp(appeal_setting_defs[i].key, key) == 0)
				break;
		if (i == appeal_nsettings)
			return req_failf(req, ST_INVALID, "unknown_field", key, "没有这项设置：%s",
					 key);
		const struct appeal_setting_def *d = &appeal_setting_defs[i];
		if ((st = in_int(req, body, key, d->label, IN_REQUIRED, d->min, d->max, &values[n],
				 NULL)))
			return st;
		if (n < 32)
			idx[n++] = i;
	}
	if ((st = db_begin(db)))
		return st;
	for (size_t k = 0; !st && k < n; k++)
		st = db_exec(db, &SQL_SET_PUT,
			     DB_ARGS(db_text(appeal_setting_defs[idx[k]].key), db_int(values[k]),
				     db_int(req->now)),
			     NULL);
	if (!st)
		st = audit_req(req, db, "appeal_settings", 0, "update", json_deep_copy(body));
	if ((st = commit_or_rollback(db, st)))
		return st;
	return appeals_settings_get(req);
}
