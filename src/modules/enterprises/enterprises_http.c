/* enterprises_http.c: the enterprise registry over HTTP; the demo enterprises. */
#include "app/module.h"
#include "audit/audit.h"
#include "http/input.h"
#include "lib/log.h"
#include "lib/uscc.h"
#include "modules/enterprises/enterprises.h"
#include "modules/enterprises/enterprises_sql.h"

static json_t *ent_json(struct request *req, struct db_res *r)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:{s:I, s:s}, s:s?, s:s?, s:s?, s:b, s:s, s:o, s:o}",
			 "id", (json_int_t)db_col_int(r, 0), "uscc", db_col_text(r, 1), "name",
			 db_col_text(r, 2), "region_code", db_col_text(r, 3), "org", "id",
			 (json_int_t)db_col_int(r, 4), "name", db_col_text(r, 5), "industry_code",
			 db_col_text(r, 6), "ownership", db_col_text(r, 7), "scale",
			 db_col_text(r, 8), "above_scale", db_col_int(r, 9) != 0, "status",
			 db_col_text(r, 10), "created_at", json_time(req, db_col_int(r, 11)),
			 "updated_at", json_time(req, db_col_int(r, 12)));
}

static enum status ent_list(struct request *req)
{
	const char *q, *region;
	struct paging pg;
	struct db *db;
	enum status st;
	if ((st = q_str(req, "q", "搜索词", 50, &q)) ||
	    (st = q_str(req, "region_code", "行政区划", 6, &region)) || (st = q_paging(req, &pg)) ||
	    (st = req_db(req, &db)))
		return st;
	struct db_val a[9];
	scope_filter(req, a);
	a[5] = db_text(like_escape(&req->arena, q));
	a[6] = db_text(region);
	int64_t total;
	if ((st = db_int1(db, &SQL_ENT_COUNT, a, 7, &total)))
		return st;
	a[7] = db_int(pg.size);
	a[8] = db_int(pg.offset);
	json_t *items = json_array();
	struct db_res *r = db_query(db, &SQL_ENT_LIST, a, 9);
	while (db_next(r))
		json_array_append_new(items, ent_json(req, r));
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	return reply_json(req, 200, list_envelope(items, total, &pg));
}

static enum status load_ent(struct request *req, struct db *db, int64_t id, json_t **out)
{
	struct db_val a[6];
	scope_filter(req, a);
	a[5] = db_int(id);
	*out = NULL;
	struct db_res *r = db_query(db, &SQL_ENT_GET, a, 6);
	if (db_next(r))
		*out = ent_json(req, r);
	enum status st = db_done(r);
	if (st) {
		json_decref(*out);
		*out = NULL;
		return st;
	}
	return *out ? ST_OK : req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
}

static enum status ent_get(struct request *req)
{
	int64_t id;
	struct db *db;
	json_t *e;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = load_ent(req, db, id, &e)))
		return st;
	return reply_json(req, 200, e);
}

static const char *const ent_fields[] = {"uscc",  "name",        "region_code", "industry_code",
					  "ownership", "scale", "above_scale", "status", NULL};

static enum status check_industry(struct request *req, const char *code)
{
	if (code && (strlen(code) < 1 || strlen(code) > 5))
		return req_fail(req, ST_INVALID, "invalid_industry",
				"行业代码应为国民经济行业分类（GB/T 4754-2017）代码", "industry_code");
	return ST_OK;
}

static enum status ent_create(struct request *req)
{
	json_t *body;
	const char *uscc_in, *name, *region, *industry;
	int ownership = -1, scale = -1;
	bool above = false;
	struct db *db;
	enum status st;
	if (req->user->enterprise_id)
		return req_fail(req, ST_FORBIDDEN, "permission_denied", "企业用户不能新增企业", NULL);
	if ((st = req_json(req, &body)) || (st = in_only(req, body, ent_fields)) ||
	    (st = in_str(req, body, "uscc", "统一社会信用代码", IN_REQUIRED | IN_TRIM, 40, &uscc_in,
			 NULL)) ||
	    (st = in_str(req, body, "name", "企业名称", IN_REQUIRED | IN_TRIM, 100, &name, NULL)) ||
	    (st = in_str(req, body, "region_code", "所在地区", IN_REQUIRED | IN_TRIM, 6, &region,
			 NULL)) ||
	    (st = in_str(req, body, "industry_code", "所属行业", IN_TRIM, 5, &industry, NULL)) ||
	    (st = in_enum(req, body, "ownership", "经济类型", 0, enterprise_ownership_codes,
			  &ownership, NULL)) ||
	    (st = in_enum(req, body, "scale", "企业规模", 0, enterprise_scale_codes, &scale,
			  NULL)) ||
	    (st = in_bool(req, body, "above_scale", "是否规上企业", 0, &above, NULL)) ||
	    (st = check_industry(req, industry)) || (st = req_db(req, &db)))
		return st;
	char uscc[USCC_LEN + 1];
	struct uscc_problem why;
	if (uscc_parse(uscc_in, strlen(uscc_in), uscc, &why) != ST_OK)
		return req_fail(req, ST_INVALID, "invalid_uscc",
				arena_strdup(&req->arena, why.message), "uscc");
	int64_t org_id, id;
	st = db_int1(db, &SQL_ENT_ORG_FOR_REGION, DB_ARGS(db_text(region)), &org_id);
	if (st == ST_NOT_FOUND)
		return req_fail(req, ST_INVALID, "invalid_region",
				"该行政区划没有对应的工信部门，请检查所在地区", "region_code");
	if (st)
		return st;
	if ((st = db_begin(db)))
		return st;
	st = db_int1(db, &SQL_ENT_INSERT,
		     DB_ARGS(db_text(uscc), db_text(name), db_text(region), db_int(org_id),
			     db_text(industry),
			     db_text(ownership >= 0 ? enterprise_ownership_codes[ownership] : NULL),
			     db_text(scale >= 0 ? enterprise_scale_codes[scale] : NULL),
			     db_int(above), db_int(req->now)),
		     &id);
	if (st == ST_CONFLICT)
		st = req_fail(req, ST_CONFLICT, "duplicate_uscc", "该统一社会信用代码的企业已存在",
			      "uscc");
	if (!st)
		st = audit_req(req, db, "enterprise", id, "create",
			       json_pack("{s:s, s:s, s:s}", "uscc", uscc, "name", name, "region_code",
					 region));
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	json_t *e;
	/* The creator may not see it (created outside their scope): answer with what was made. */
	if (load_ent(req, db, id, &e) == ST_OK)
		return reply_json(req, 201, e);
	req->st = ST_OK;
	return reply_json(req, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "uscc", uscc,
					      "name", name));
}

static enum status ent_update(struct request *req)
{
	json_t *body, *e;
	int64_t id;
	const char *name, *industry;
	int ownership = -1, scale = -1, status = -1;
	bool above = false, has_name, has_ind, has_own, has_scale, has_above, has_status;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_json(req, &body)) ||
	    (st = in_only(req, body, ent_fields)) || (st = req_db(req, &db)) ||
	    (st = load_ent(req, db, id, &e)))
		return st;
	req_own_json(req, e);
	if (json_object_get(body, "uscc") || json_object_get(body, "region_code"))
		return req_fail(req, ST_INVALID, "not_editable",
				"统一社会信用代码和所在地区不能在此修改", "uscc");
	if ((st = in_str(req, body, "name", "企业名称", IN_TRIM, 100, &name, &has_name)) ||
	    (st = in_str(req, body, "industry_code", "所属行业", IN_TRIM, 5, &industry,
			 &has_ind)) ||
	    (st = in_enum(req, body, "ownership", "经济类型", 0, enterprise_ownership_codes,
			  &ownership, &has_own)) ||
	    (st = in_enum(req, body, "scale", "企业规模", 0, enterprise_scale_codes, &scale,
			  &has_scale)) ||
	    (st = in_bool(req, body, "above_scale", "是否规上企业", 0, &above, &has_above)) ||
	    (st = in_enum(req, body, "status", "经营状态", 0, enterprise_status_codes, &status,
			  &has_status)) ||
	    (st = check_industry(req, industry)))
		return st;
	if (has_name && (!name || !*name))
		return req_fail(req, ST_INVALID, "required", "企业名称不能为空", "name");
#define KEEP(field) json_string_value(json_object_get(e, field))
	if (!has_name)
		name = KEEP("name");
	if (!has_ind)
		industry = KEEP("industry_code");
	const char *own = has_own && ownership >= 0 ? enterprise_ownership_codes[ownership]
						    : (has_own ? NULL : KEEP("ownership"));
	const char *sc = has_scale && scale >= 0 ? enterprise_scale_codes[scale]
						 : (has_scale ? NULL : KEEP("scale"));
	const char *stat = has_status && status >= 0 ? enterprise_status_codes[status]
						     : KEEP("status");
#undef KEEP
	if (!has_above)
		above = json_is_true(json_object_get(e, "above_scale"));
	json_t *changes = json_deep_copy(body);
	if ((st = db_begin(db))) {
		json_decref(changes);
		return st;
	}
	st = db_exec(db, &SQL_ENT_UPDATE,
		     DB_ARGS(db_int(id), db_text(name), db_text(industry), db_text(own),
			     db_text(sc), db_int(above), db_text(stat), db_int(req->now)),
		     NULL);
	if (!st)
		st = audit_req(req, db, "enterprise", id, "update", changes);
	else
		json_decref(changes);
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)) || (st = load_ent(req, db, id, &e)))
		return st;
	return reply_json(req, 200, e);
}

enum status enterprises_id_by_uscc(struct db *db, const char *uscc, int64_t *out)
{
	return db_int1(db, &SQL_ENT_BY_USCC, DB_ARGS(db_text(uscc)), out);
}

/* A few enterprises in the demo city; the registry issue grows this to a realistic set. */
static enum status ent_demo(struct app *app, struct db *db)
{
	static const struct {
		const char *name, *region, *industry, *ownership, *scale;
		bool above;
	} rows[] = {
		{"齐齐哈尔市龙沙示范机械制造有限公司", "230202", "34", "private", "medium", true},
		{"建华区北疆食品加工有限公司", "230203", "13", "private", "small", true},
		{"铁锋区鹤城新材料科技有限公司", "230204", "30", "mixed", "small", false},
		{"富拉尔基重型装备制造股份有限公司", "230206", "35", "state", "large", true},
		{"讷河市黑土地农机装备有限公司", "230281", "35", "private", "medium", true},
		{"龙江县绿源生物科技有限公司", "230221", "27", "private", "small", false},
	};
	int64_t n, now = app_now(app);
	enum status st = db_int1(db, &SQL_ENT_ANY, DB_NOARGS, &n);
	if (st || n > 0)
		return st;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char uscc[USCC_LEN + 1];
		int64_t org_id, id;
		if ((st = uscc_generate(1000 + i * 7919, rows[i].region, uscc)) ||
		    (st = db_int1(db, &SQL_ENT_ORG_FOR_REGION, DB_ARGS(db_text(rows[i].region)),
				  &org_id)) ||
		    (st = db_int1(db, &SQL_ENT_INSERT,
				  DB_ARGS(db_text(uscc), db_text(rows[i].name),
					  db_text(rows[i].region), db_int(org_id),
					  db_text(rows[i].industry), db_text(rows[i].ownership),
					  db_text(rows[i].scale), db_int(rows[i].above), db_int(now)),
				  &id)))
			return st;
	}
	struct audit_actor who = {0, "demo", NULL, "local", NULL};
	return audit_append(db, &who, now, "enterprise", 0, "demo_load",
			    json_pack("{s:I}", "count", (json_int_t)(sizeof(rows) / sizeof(rows[0]))),
			    true);
}

static const struct route enterprises_routes[] = {
	{"GET", "/api/v1/enterprises", ent_list, PERM_ENTERPRISE_READ, 0},
	{"GET", "/api/v1/enterprises/:id", ent_get, PERM_ENTERPRISE_READ, 0},
	{"POST", "/api/v1/enterprises", ent_create, PERM_ENTERPRISE_WRITE, 0},
	{"PATCH", "/api/v1/enterprises/:id", ent_update, PERM_ENTERPRISE_WRITE, 0},
};

const struct module enterprises_module = {
	.name = "enterprises",
	.routes = enterprises_routes,
	.nroutes = COUNT_OF(enterprises_routes),
	.migrations = enterprises_migrations,
	.demo = ent_demo,
};
