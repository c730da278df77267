/* orgs_http.c: the org tree over HTTP: list, tree, one org, create, edit; demo orgs. */
#include "app/module.h"
#include "audit/audit.h"
#include "http/input.h"
#include "lib/csv.h"
#include "lib/embed.h"
#include "lib/log.h"
#include "modules/orgs/orgs.h"
#include "modules/orgs/orgs_sql.h"

static int kind_index(const char *code)
{
	for (int i = 0; org_kind_codes[i]; i++)
		if (strcmp(org_kind_codes[i], code) == 0)
			return i;
	return -1;
}

/* Columns of ORG_COLUMNS. */
static json_t *org_json(struct request *req, struct db_res *r)
{
	return json_pack("{s:I, s:o, s:s, s:s, s:s, s:s?, s:s, s:I, s:s, s:o, s:o}", "id",
			 (json_int_t)db_col_int(r, 0), "parent_id",
			 db_col_null(r, 1) ? json_null() : json_integer(db_col_int(r, 1)), "code",
			 db_col_text(r, 2), "name", db_col_text(r, 3), "kind", db_col_text(r, 4),
			 "region_code", db_col_text(r, 5), "path", db_col_text(r, 6), "sort",
			 (json_int_t)db_col_int(r, 7), "status", db_col_text(r, 8), "created_at",
			 json_time(req, db_col_int(r, 9)), "updated_at",
			 json_time(req, db_col_int(r, 10)));
}

static json_t *org_row(struct request *req, struct db_res *r, void *ctx)
{
	(void)ctx;
	return org_json(req, r);
}

static enum status orgs_list(struct request *req)
{
	const char *q, *kind;
	int64_t parent;
	struct paging pg;
	struct db *db;
	enum status st;
	if ((st = q_str(req, "q", "搜索词", 50, &q)) || (st = q_str(req, "kind", "类型", 16, &kind)) ||
	    (st = q_int(req, "parent_id", "上级机构", 1, INT64_MAX, 0, &parent)) ||
	    (st = q_paging(req, &pg)) || (st = req_db(req, &db)))
		return st;
	struct db_val a[10];
	scope_filter(req, a);
	a[5] = db_text(like_escape(&req->arena, q));
	a[6] = db_id_or_null(parent);
	a[7] = db_text(kind);
	return reply_list(req, db, &SQL_ORGS_COUNT, &SQL_ORGS_LIST, a, 8, 10, &pg, org_row, NULL);
}

/* The visible orgs as a forest: rows come ordered by path, so a parent precedes its children. */
static enum status orgs_tree(struct request *req)
{
	struct db *db;
	enum status st = req_db(req, &db);
	if (st)
		return st;
	struct db_val a[SCOPE_NARGS];
	scope_filter(req, a);
	json_t *roots = json_array();
	json_t *by_id = json_object(); /* id -> node, borrowed from the tree */
	struct db_res *r = db_query(db, &SQL_ORGS_TREE, a, SCOPE_NARGS);
	while (db_next(r)) {
		json_t *node = org_json(req, r);
		if (!node)
			continue;
		json_object_set_new(node, "children", json_array());
		char key[24], pkey[24];
		snprintf(key, sizeof(key), "%lld", (long long)db_col_int(r, 0));
		json_t *parent = NULL;
		if (!db_col_null(r, 1)) {
			snprintf(pkey, sizeof(pkey), "%lld", (long long)db_col_int(r, 1));
			parent = json_object_get(by_id, pkey);
		}
		json_object_set(by_id, key, node);
		json_array_append_new(parent ? json_object_get(parent, "children") : roots, node);
	}
	st = db_done(r);
	json_decref(by_id);
	if (st) {
		json_decref(roots);
		return st;
	}
	return reply_json(req, 200, json_pack("{s:o}", "items", roots));
}

static enum status load_org(struct request *req, struct db *db, int64_t id, json_t **out)
{
	struct db_val a[6];
	scope_filter(req, a);
	a[5] = db_int(id);
	*out = NULL;
	struct db_res *r = db_query(db, &SQL_ORGS_GET, a, 6);
	if (db_next(r))
		*out = org_json(req, r);
	enum status st = db_done(r);
	if (st) {
		json_decref(*out);
		*out = NULL;
		return st;
	}
	if (!*out)
		return req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
	return ST_OK;
}

static enum status orgs_get(struct request *req)
{
	int64_t id;
	struct db *db;
	json_t *org;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = load_org(req, db, id, &org)))
		return st;
	return reply_json(req, 200, org);
}

static enum status check_region(struct request *req, const char *region)
{
	if (region && (strlen(region) != 6 || strspn(region, "0123456789") != 6))
		return req_fail(req, ST_INVALID, "invalid_region", "行政区划代码应为6位数字",
				"region_code");
	return ST_OK;
}

static const char *const org_fields[] = {"parent_id", "code",   "name", "kind",
					  "region_code", "sort", "status", NULL};

static enum status orgs_create(struct request *req)
{
	json_t *body, *parent = NULL;
	const char *code, *name, *region;
	int kind;
	int64_t parent_id = 0, sort = 0, id;
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) || (st = in_only(req, body, org_fields)) ||
	    (st = in_int(req, body, "parent_id", "上级机构", 0, 1, INT64_MAX, &parent_id, NULL)) ||
	    (st = in_str(req, body, "code", "机构代码", IN_REQUIRED | IN_TRIM, 32, &code, NULL)) ||
	    (st = in_str(req, body, "name", "机构名称", IN_REQUIRED | IN_TRIM, 60, &name, NULL)) ||
	    (st = in_enum(req, body, "kind", "机构类型", IN_REQUIRED, org_kind_codes, &kind,
			  NULL)) ||
	    (st = in_str(req, body, "region_code", "行政区划代码", IN_TRIM, 6, &region, NULL)) ||
	    (st = in_int(req, body, "sort", "排序", 0, 0, 100000, &sort, NULL)) ||
	    (st = check_region(req, region)) || (st = req_db(req, &db)))
		return st;
	if (!orgs_code_valid(code))
		return req_fail(req, ST_INVALID, "invalid_code",
				"机构代码只能包含字母、数字、连字符和下划线", "code");
	int parent_kind = -1;
	const char *parent_path = NULL;
	if (parent_id) {
		if (load_org(req, db, parent_id, &parent)) {
			return req_fail(req, ST_INVALID, "invalid_parent",
					"上级机构不存在或不在您的管理范围内", "parent_id");
		}
		req_own_json(req, parent);
		parent_kind = kind_index(json_string_value(json_object_get(parent, "kind")));
		parent_path = json_string_value(json_object_get(parent, "path"));
	} else if (!(req->scope.kinds & SCOPE_ALL)) {
		return req_fail(req, ST_INVALID, "required", "请选择上级机构", "parent_id");
	}
	if (!orgs_child_allowed(parent_kind, (enum org_kind)kind))
		return req_failf(req, ST_INVALID, "invalid_kind", "kind", "%s下不能设立%s机构",
				 parent_kind >= 0 ? org_kind_names[parent_kind] : "顶层",
				 org_kind_names[kind]);
	char path[512];
	if ((st = db_begin(db)))
		return st;
	st = db_int1(db, &SQL_ORGS_INSERT,
		     DB_ARGS(db_id_or_null(parent_id), db_text(code), db_text(name),
			     db_text(org_kind_codes[kind]), db_text(region), db_int(sort),
			     db_int(req->now)),
		     &id);
	if (st == ST_CONFLICT)
		st = req_fail(req, ST_CONFLICT, "duplicate_code", "机构代码已被使用", "code");
	if (!st)
		st = orgs_child_path(parent_path, id, path, sizeof(path));
	if (!st)
		st = db_exec(db, &SQL_ORGS_SET_PATH, DB_ARGS(db_int(id), db_text(path)), NULL);
	if (!st)
		st = audit_req(req, db, "org", id, "create",
			       json_pack("{s:s, s:s, s:s, s:o}", "code", code, "name", name, "kind",
					 org_kind_codes[kind], "parent_id",
					 parent_id ? json_integer(parent_id) : json_null()));
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	json_t *org;
	if ((st = load_org(req, db, id, &org)))
		return st;
	return reply_json(req, 201, org);
}

static enum status orgs_update(struct request *req)
{
	static const char *const statuses[] = {"active", "disabled", NULL};
	json_t *body, *org, *changes = NULL;
	int64_t id, sort;
	const char *code, *name, *region;
	int status = -1;
	bool has_code, has_name, has_region, has_sort, has_status;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_json(req, &body)) ||
	    (st = in_only(req, body, org_fields)) || (st = req_db(req, &db)) ||
	    (st = load_org(req, db, id, &org)))
		return st;
	req_own_json(req, org);
	if (json_object_get(body, "parent_id") || json_object_get(body, "kind"))
		return req_fail(req, ST_INVALID, "not_editable",
				"机构的上级和类型创建后不能修改",
				json_object_get(body, "parent_id") ? "parent_id" : "kind");
	if ((st = in_str(req, body, "code", "机构代码", IN_TRIM, 32, &code, &has_code)) ||
	    (st = in_str(req, body, "name", "机构名称", IN_TRIM, 60, &name, &has_name)) ||
	    (st = in_str(req, body, "region_code", "行政区划代码", IN_TRIM, 6, &region,
			 &has_region)) ||
	    (st = in_int(req, body, "sort", "排序", 0, 0, 100000, &sort, &has_sort)) ||
	    (st = in_enum(req, body, "status", "状态", 0, statuses, &status, &has_status)) ||
	    (st = check_region(req, region)))
		return st;
	if (has_code && (!code || !orgs_code_valid(code)))
		return req_fail(req, ST_INVALID, "invalid_code",
				"机构代码只能包含字母、数字、连字符和下划线", "code");
	if (has_name && (!name || !*name))
		return req_fail(req, ST_INVALID, "required", "机构名称不能为空", "name");
	if (!has_code)
		code = json_string_value(json_object_get(org, "code"));
	if (!has_name)
		name = json_string_value(json_object_get(org, "name"));
	if (!has_region)
		region = json_string_value(json_object_get(org, "region_code"));
	if (!has_sort)
		sort = json_integer_value(json_object_get(org, "sort"));
	const char *status_code = has_status && status >= 0
					  ? statuses[status]
					  : json_string_value(json_object_get(org, "status"));
	changes = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v) json_object_set(changes, k, v);
	if ((st = db_begin(db))) {
		json_decref(changes);
		return st;
	}
	st = db_exec(db, &SQL_ORGS_UPDATE,
		     DB_ARGS(db_int(id), db_text(code), db_text(name), db_text(region),
			     db_int(sort), db_text(status_code), db_int(req->now)),
		     NULL);
	if (st == ST_CONFLICT)
		st = req_fail(req, ST_CONFLICT, "duplicate_code", "机构代码已被使用", "code");
	if (!st)
		st = audit_req(req, db, "org", id, "update", changes);
	else
		json_decref(changes);
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	if ((st = load_org(req, db, id, &org)))
		return st;
	return reply_json(req, 200, org);
}

enum status orgs_id_by_code(struct db *db, const char *code, int64_t *out)
{
	return db_int1(db, &SQL_ORGS_BY_CODE, DB_ARGS(db_text(code)), out);
}

/* ---- the demo city ------------------------------------------------------------------------- */

#define DEMO_PROVINCE "230000"
#define DEMO_CITY "230200"

static enum status demo_insert(struct db *db, int64_t now, int64_t parent_id,
			       const char *parent_path, const char *code, const char *name,
			       const char *kind, const char *region, int sort, int64_t *id_out,
			       char *path_out, size_t pathlen)
{
	int64_t id;
	enum status st = db_int1(db, &SQL_ORGS_INSERT,
				 DB_ARGS(db_id_or_null(parent_id), db_text(code), db_text(name),
					 db_text(kind), db_text(region), db_int(sort), db_int(now)),
				 &id);
	if (!st)
		st = orgs_child_path(parent_path, id, path_out, pathlen);
	if (!st)
		st = db_exec(db, &SQL_ORGS_SET_PATH, DB_ARGS(db_int(id), db_text(path_out)), NULL);
	if (!st && id_out)
		*id_out = id;
	return st;
}

static const char *const city_sections[][2] = {
	{"01", "办公室"},           {"02", "运行监测协调科"}, {"03", "企业服务科"},
	{"04", "产业发展科"},       {"05", "民营经济科"},     {"06", "督查室"},
	{"07", "信息化推进科"},
};

/* A city bureau with its sections, and a bureau (with an enterprise-service section) for every
 * county-level unit of the city in data/regions.csv. */
static enum status demo_city(struct db *db, int64_t now, int64_t province_id,
			     const char *province_path, const char *city_code,
			     const char *city_name, int sort, int64_t *city_id_out)
{
	char city_path[64], path[64], code[40], name[160];
	int64_t city_id;
	const struct embedded_file *f = embed_find("data/regions.csv");
	if (!f)
		return ST_INTERNAL;
	snprintf(name, sizeof(name), "%s工业和信息化局", city_name);
	enum status st = demo_insert(db, now, province_id, province_path, city_code, name, "city",
				     city_code, sort, &city_id, city_path, sizeof(city_path));
	if (st)
		return st;
	for (size_t i = 0; i < sizeof(city_sections) / sizeof(city_sections[0]); i++) {
		snprintf(code, sizeof(code), "%s-%s", city_code, city_sections[i][0]);
		if ((st = demo_insert(db, now, city_id, city_path, code, city_sections[i][1],
				      "department", city_code, (int)i + 1, NULL, path,
				      sizeof(path))))
			return st;
	}
	/* code,name,level,parent_code */
	struct csv csv;
	csv_init(&csv, f->data, f->len, 256);
	int county_sort = 100;
	while ((st = csv_next(&csv)) == ST_OK) {
		if (csv.nfields != 4 || strcmp(csv.field[2], "county") != 0 ||
		    strcmp(csv.field[3], city_code) != 0)
			continue;
		char county_path[64];
		int64_t county_id;
		const char *region = csv.field[0];
		snprintf(name, sizeof(name), "%s工业和信息化局", csv.field[1]);
		if ((st = demo_insert(db, now, city_id, city_path, region, name, "county", region,
				      county_sort++, &county_id, county_path,
				      sizeof(county_path))))
			break;
		snprintf(code, sizeof(code), "%s-01", region);
		if ((st = demo_insert(db, now, county_id, county_path, code, "企业服务股",
				      "department", region, 1, NULL, path, sizeof(path))))
			break;
	}
	csv_release(&csv);
	if (st != ST_NOT_FOUND)
		return st ? st : ST_INTERNAL;
	if (city_id_out)
		*city_id_out = city_id;
	return ST_OK;
}

/* The rest of the province, for `tiejian demo --users N` (the benchmark's users are spread
 * over a province): the bureaus of the province's other cities, shaped as the demo city's.
 * Added once; the demo city's enterprises and appeals stay where they are. */
static enum status demo_province(struct app *app, struct db *db)
{
	int64_t province_id, other;
	char province_path[64];
	enum status st = orgs_id_by_code(db, DEMO_PROVINCE, &province_id);
	if (st)
		return st;
	if (orgs_id_by_code(db, "230100", &other) == ST_OK)
		return ST_OK; /* already there */
	if ((st = orgs_child_path(NULL, province_id, province_path, sizeof(province_path))))
		return st;
	const struct embedded_file *f = embed_find("data/regions.csv");
	if (!f)
		return ST_INTERNAL;
	int64_t now = app_now(app);
	int sort = 1, ncities = 0;
	struct csv csv;
	csv_init(&csv, f->data, f->len, 256);
	/* the cities first (demo_city reads the file again for each one's counties) */
	char cities[16][2][64];
	while ((st = csv_next(&csv)) == ST_OK) {
		if (csv.nfields != 4 || strcmp(csv.field[2], "prefecture") != 0 ||
		    strcmp(csv.field[3], DEMO_PROVINCE) != 0 || strcmp(csv.field[0], DEMO_CITY) == 0 ||
		    ncities == 16)
			continue;
		snprintf(cities[ncities][0], sizeof(cities[0][0]), "%s", csv.field[0]);
		snprintf(cities[ncities][1], sizeof(cities[0][1]), "%s", csv.field[1]);
		ncities++;
	}
	csv_release(&csv);
	if (st != ST_NOT_FOUND)
		return st ? st : ST_INTERNAL;
	st = ST_OK;
	for (int i = 0; !st && i < ncities; i++)
		st = demo_city(db, now, province_id, province_path, cities[i][0], cities[i][1],
			       sort++, NULL);
	if (st)
		return st;
	struct audit_actor who = {0, "demo", NULL, "local", NULL};
	return audit_append(db, &who, now, "org", province_id, "demo_load",
			    json_pack("{s:i}", "cities", ncities), true);
}

/* The province department and the demo city (齐齐哈尔市); with --users, the province's other
 * cities too. */
static enum status orgs_demo(struct app *app, struct db *db)
{
	int64_t now = app_now(app), province_id, city_id, n = 0;
	char province_path[64];
	enum status st;
	if ((st = db_int1(db, &SQL_ORGS_ANY, DB_NOARGS, &n)))
		return st;
	if (n > 0) {
		log_info("demo: orgs already present, leaving them");
	} else {
		if ((st = demo_insert(db, now, 0, NULL, DEMO_PROVINCE, "黑龙江省工业和信息化厅",
				      "province", DEMO_PROVINCE, 0, &province_id, province_path,
				      sizeof(province_path))) ||
		    (st = demo_city(db, now, province_id, province_path, DEMO_CITY, "齐齐哈尔市", 0,
				    &city_id)))
			return st;
		struct audit_actor who = {0, "demo", NULL, "local", NULL};
		if ((st = audit_append(db, &who, now, "org", city_id, "demo_load",
				       json_pack("{s:s}", "city", "齐齐哈尔市"), true)))
			return st;
	}
	return app->cfg->demo_users > 0 ? demo_province(app, db) : ST_OK;
}

static const struct route orgs_routes[] = {
	{"GET", "/api/v1/orgs", orgs_list, PERM_ORG_READ, 0},
	{"GET", "/api/v1/orgs/tree", orgs_tree, PERM_ORG_READ, 0},
	{"GET", "/api/v1/orgs/:id", orgs_get, PERM_ORG_READ, 0},
	{"POST", "/api/v1/orgs", orgs_create, PERM_ORG_WRITE, 0},
	{"PATCH", "/api/v1/orgs/:id", orgs_update, PERM_ORG_WRITE, 0},
};

const struct module orgs_module = {
	.name = "orgs",
	.routes = orgs_routes,
	.nroutes = COUNT_OF(orgs_routes),
	.migrations = orgs_migrations,
	.demo = orgs_demo,
};
