/* users_http.c: user accounts (system admin), roles and grants (security admin), demo users. */
#include <sodium.h>

#include "app/module.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "http/input.h"
#include "lib/log.h"
#include "modules/enterprises/enterprises.h"
#include "modules/orgs/orgs.h"
#include "modules/users/users.h"
#include "modules/users/users_sql.h"

static const char *const user_statuses[] = {"active", "disabled", NULL};

/* ---- users ----------------------------------------------------------------------------------- */

static json_t *user_json(struct request *req, struct db_res *r)
{
	int64_t locked_until = db_col_int(r, 9);
	return json_pack(
		"{s:I, s:s, s:s, s:{s:I, s:s}, s:o, s:s?, s:s, s:b, s:b, s:o, s:o, s:o}", "id",
		(json_int_t)db_col_int(r, 0), "username", db_col_text(r, 1), "display_name",
		db_col_text(r, 2), "org", "id", (json_int_t)db_col_int(r, 3), "name",
		db_col_text(r, 4), "enterprise",
		db_col_null(r, 5) ? json_null()
				  : json_pack("{s:I, s:s?}", "id", (json_int_t)db_col_int(r, 5),
					      "name", db_col_text(r, 6)),
		"mobile", db_col_text(r, 7), "status", db_col_text(r, 8), "locked",
		locked_until > req->now, "must_change_password", db_col_int(r, 10) != 0,
		"created_at", json_time(req, db_col_int(r, 11)), "last_login_at",
		json_time(req, db_col_null(r, 12) ? 0 : db_col_int(r, 12)), "roles", json_array());
}

/* Fill the "roles" of each user in items (ordered by id) with one query. */
static enum status attach_roles(struct db *db, json_t *items)
{
	size_t n = json_array_size(items);
	if (!n)
		return ST_OK;
	int64_t lo = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
	int64_t hi = json_integer_value(json_object_get(json_array_get(items, n - 1), "id"));
	size_t k = 0;
	struct db_res *r = db_query(db, &SQL_USERS_ROLES_OF, DB_ARGS(db_int(lo), db_int(hi)));
	while (db_next(r)) {
		int64_t uid = db_col_int(r, 0);
		while (k < n &&
		       json_integer_value(json_object_get(json_array_get(items, k), "id")) < uid)
			k++;
		if (k == n)
			continue;
		json_t *u = json_array_get(items, k);
		if (json_integer_value(json_object_get(u, "id")) != uid)
			continue;
		json_array_append_new(json_object_get(u, "roles"),
				      json_pack("{s:s, s:s}", "code", db_col_text(r, 1), "name",
						db_col_text(r, 2)));
	}
	return db_done(r);
}

static enum status load_user(struct request *req, struct db *db, int64_t id, json_t **out)
{
	struct db_val a[6];
	scope_filter(req, a);
	a[5] = db_int(id);
	*out = NULL;
	struct db_res *r = db_query(db, &SQL_USERS_GET, a, 6);
	if (db_next(r))
		*out = user_json(req, r);
	enum status st = db_done(r);
	if (!st && *out) {
		json_t *one = json_pack("[O]", *out);
		st = attach_roles(db, one);
		json_decref(one);
	}
	if (st) {
		json_decref(*out);
		*out = NULL;
		return st;
	}
	return *out ? ST_OK : req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
}

static enum status users_list(struct request *req)
{
	const char *q, *status, *role;
	int64_t org_id;
	struct paging pg;
	struct db *db;
	enum status st;
	if ((st = q_str(req, "q", "搜索词", 50, &q)) ||
	    (st = q_int(req, "org_id", "机构", 1, INT64_MAX, 0, &org_id)) ||
	    (st = q_str(req, "status", "状态", 16, &status)) ||
	    (st = q_str(req, "role", "角色", 32, &role)) || (st = q_paging(req, &pg)) ||
	    (st = req_db(req, &db)))
		return st;
	/* Filtering by an org means that org and the orgs below it. */
	const char *org_path = NULL;
	if (org_id) {
		struct db_val oa[6];
		scope_filter(req, oa);
		oa[5] = db_int(org_id);
		int64_t found;
		st = db_int1(db, &SQL_USERS_ORG_VISIBLE, oa, 6, &found);
		if (st == ST_NOT_FOUND)
			return req_fail(req, ST_INVALID, "invalid_org", "机构不存在或不在您的管理范围内",
					"org_id");
		if (st)
			return st;
		org_path = arena_printf(&req->arena, "%%/%lld/", (long long)org_id);
	}
	struct db_val a[11];
	scope_filter(req, a);
	a[5] = db_text(like_escape(&req->arena, q));
	a[6] = db_text(org_path);
	a[7] = db_text(status);
	a[8] = db_text(role);
	int64_t total;
	if ((st = db_int1(db, &SQL_USERS_COUNT, a, 9, &total)))
		return st;
	a[9] = db_int(pg.size);
	a[10] = db_int(pg.offset);
	json_t *items = json_array();
	struct db_res *r = db_query(db, &SQL_USERS_LIST, a, 11);
	while (db_next(r))
		json_array_append_new(items, user_json(req, r));
	st = db_done(r);
	if (!st)
		st = attach_roles(db, items);
	if (st) {
		json_decref(items);
		return st;
	}
	return reply_json(req, 200, list_envelope(items, total, &pg));
}

static enum status users_get(struct request *req)
{
	int64_t id;
	struct db *db;
	json_t *u;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = load_user(req, db, id, &u)))
		return st;
	return reply_json(req, 200, u);
}

static enum status check_org(struct request *req, struct db *db, int64_t org_id)
{
	struct db_val a[6];
	scope_filter(req, a);
	a[5] = db_int(org_id);
	int64_t found;
	enum status st = db_int1(db, &SQL_USERS_ORG_VISIBLE, a, 6, &found);
	if (st == ST_NOT_FOUND)
		return req_fail(req, ST_INVALID, "invalid_org", "所属机构不存在或不在您的管理范围内",
				"org_id");
	return st;
}

static const char *const user_fields[] = {"username", "display_name", "org_id", "mobile",
					   "enterprise_id", "status", NULL};

static enum status users_create(struct request *req)
{
	json_t *body;
	const char *username, *display, *mobile;
	int64_t org_id = 0, ent_id = 0, id = 0;
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) || (st = in_only(req, body, user_fields)) ||
	    (st = in_str(req, body, "username", "用户名", IN_REQUIRED | IN_TRIM, 32, &username,
			 NULL)) ||
	    (st = in_str(req, body, "display_name", "姓名", IN_REQUIRED | IN_TRIM, 30, &display,
			 NULL)) ||
	    (st = in_int(req, body, "org_id", "所属机构", IN_REQUIRED, 1, INT64_MAX, &org_id,
			 NULL)) ||
	    (st = in_str(req, body, "mobile", "手机号码", IN_TRIM, 11, &mobile, NULL)) ||
	    (st = in_int(req, body, "enterprise_id", "所属企业", 0, 1, INT64_MAX, &ent_id, NULL)))
		return st;
	if (json_object_get(body, "status"))
		return req_fail(req, ST_INVALID, "not_editable", "新建账号默认为启用状态", "status");
	if (!users_username_valid(username))
		return req_fail(req, ST_INVALID, "invalid_username",
				"用户名应为3到32位字母、数字或 . _ - @", "username");
	if (mobile && *mobile && !users_mobile_valid(mobile))
		return req_fail(req, ST_INVALID, "invalid_mobile", "手机号码应为11位数字，以1开头",
				"mobile");
	if ((st = req_db(req, &db)) || (st = check_org(req, db, org_id)))
		return st;
	if (ent_id) {
		int64_t found;
		st = db_int1(db, &SQL_USERS_ENTERPRISE_EXISTS, DB_ARGS(db_int(ent_id)), &found);
		if (st == ST_NOT_FOUND)
			return req_fail(req, ST_INVALID, "invalid_enterprise", "所属企业不存在",
					"enterprise_id");
		if (st)
			return st;
	}
	char password[32], hash[crypto_pwhash_STRBYTES];
	auth_password_generate(password, sizeof(password));
	if ((st = auth_password_hash(req->app, password, hash, sizeof(hash))))
		return req_fail(req, st, NULL, NULL, NULL);
	if ((st = db_begin(db)))
		return st;
	st = db_int1(db, &SQL_USERS_INSERT,
		     DB_ARGS(db_text(username), db_text(display), db_int(org_id),
			     db_id_or_null(ent_id), db_text(mobile && *mobile ? mobile : NULL),
			     db_text(hash), db_int(req->now)),
		     &id);
	if (st == ST_CONFLICT)
		st = req_fail(req, ST_CONFLICT, "duplicate_username", "用户名已被使用", "username");
	if (!st)
		st = audit_req(req, db, "user", id, "create",
			       json_pack("{s:s, s:s, s:I}", "username", username, "display_name",
					 display, "org_id", (json_int_t)org_id));
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	json_t *u;
	if ((st = load_user(req, db, id, &u)))
		return st;
	json_t *resp = json_pack("{s:o, s:s}", "user", u, "initial_password", password);
	sodium_memzero(password, sizeof(password));
	return reply_json(req, 201, resp);
}

/*
 * 三员分立: an account holding an administrator's role is kept on the server's command line
 * (tiejian user add / user passwd), never over the API, so that no administrator can reset
 * another's password, disable them or change their grants and act in their place.
 */
static enum status protect_admin(struct request *req, struct db *db, int64_t id)
{
	int64_t n = 0;
	enum status st = db_int1(db, &SQL_USERS_IS_ADMIN, DB_ARGS(db_int(id)), &n);
	if (st)
		return st;
	if (n > 0 && id != req->user->user_id)
		return req_fail(req, ST_FORBIDDEN, "admin_account_protected",
				"管理员账号只能在服务器上用命令行维护（三员分立）", NULL);
	return ST_OK;
}

static enum status users_update(struct request *req)
{
	json_t *body, *u;
	int64_t id, org_id = 0;
	const char *display, *mobile;
	int status = -1;
	bool has_display, has_org, has_mobile, has_status;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_json(req, &body)) ||
	    (st = in_only(req, body, user_fields)) || (st = req_db(req, &db)) ||
	    (st = load_user(req, db, id, &u)))
		return st;
	req_own_json(req, u);
	if ((st = protect_admin(req, db, id)))
		return st;
	if (json_object_get(body, "username") || json_object_get(body, "enterprise_id"))
		return req_fail(req, ST_INVALID, "not_editable", "用户名和所属企业创建后不能修改",
				json_object_get(body, "username") ? "username" : "enterprise_id");
	if ((st = in_str(req, body, "display_name", "姓名", IN_TRIM, 30, &display,
			 &has_display)) ||
	    (st = in_int(req, body, "org_id", "所属机构", 0, 1, INT64_MAX, &org_id, &has_org)) ||
	    (st = in_str(req, body, "mobile", "手机号码", IN_TRIM, 11, &mobile, &has_mobile)) ||
	    (st = in_enum(req, body, "status", "状态", 0, user_statuses, &status, &has_status)))
		return st;
	if (has_display && (!display || !*display))
		return req_fail(req, ST_INVALID, "required", "姓名不能为空", "display_name");
	if (has_mobile && mobile && *mobile && !users_mobile_valid(mobile))
		return req_fail(req, ST_INVALID, "invalid_mobile", "手机号码应为11位数字，以1开头",
				"mobile");
	if (has_org && org_id && (st = check_org(req, db, org_id)))
		return st;
	if (has_status && status == 1 && id == req->user->user_id)
		return req_fail(req, ST_CONFLICT, "cannot_disable_self", "不能停用自己的账号",
				"status");
	if (!has_display)
		display = json_string_value(json_object_get(u, "display_name"));
	if (!has_org || !org_id)
		org_id = json_integer_value(json_object_get(json_object_get(u, "org"), "id"));
	if (!has_mobile)
		mobile = json_string_value(json_object_get(u, "mobile"));
	const char *status_code = has_status && status >= 0
					  ? user_statuses[status]
					  : json_string_value(json_object_get(u, "status"));
	bool disabling = strcmp(status_code, "disabled") == 0 &&
			 strcmp(json_string_value(json_object_get(u, "status")), "disabled") != 0;
	if ((st = db_begin(db)))
		return st;
	st = db_exec(db, &SQL_USERS_UPDATE,
		     DB_ARGS(db_int(id), db_text(display), db_int(org_id),
			     db_text(mobile && *mobile ? mobile : NULL), db_text(status_code),
			     db_int(req->now)),
		     NULL);
	if (!st && disabling) /* a disabled account is logged out everywhere at once */
		st = db_exec(db, &SQL_USERS_KILL_SESSIONS, DB_ARGS(db_int(id)), NULL);
	if (!st)
		st = audit_req(req, db, "user", id, "update", json_deep_copy(body));
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)) || (st = load_user(req, db, id, &u)))
		return st;
	return reply_json(req, 200, u);
}

static enum status users_reset_password(struct request *req)
{
	int64_t id;
	json_t *u;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = load_user(req, db, id, &u)))
		return st;
	json_decref(u);
	if (id == req->user->user_id)
		return req_fail(req, ST_CONFLICT, "use_change_password",
				"请在个人设置中修改自己的密码", NULL);
	if ((st = protect_admin(req, db, id)))
		return st;
	char password[32], hash[crypto_pwhash_STRBYTES];
	auth_password_generate(password, sizeof(password));
	if ((st = auth_password_hash(req->app, password, hash, sizeof(hash))))
		return req_fail(req, st, NULL, NULL, NULL);
	if ((st = db_begin(db)))
		return st;
	st = db_exec(db, &SQL_USERS_RESET_PASSWORD,
		     DB_ARGS(db_int(id), db_text(hash), db_int(req->now)), NULL);
	if (!st)
		st = db_exec(db, &SQL_USERS_KILL_SESSIONS, DB_ARGS(db_int(id)), NULL);
	if (!st)
		st = audit_req(req, db, "user", id, "reset_password", NULL);
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	json_t *resp = json_pack("{s:s}", "initial_password", password);
	sodium_memzero(password, sizeof(password));
	return reply_json(req, 200, resp);
}

static enum status users_unlock(struct request *req)
{
	int64_t id;
	json_t *u;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = load_user(req, db, id, &u)))
		return st;
	json_decref(u);
	if ((st = protect_admin(req, db, id)))
		return st;
	if ((st = db_begin(db)))
		return st;
	st = db_exec(db, &SQL_USERS_UNLOCK, DB_ARGS(db_int(id), db_int(req->now)), NULL);
	if (!st)
		st = audit_req(req, db, "user", id, "unlock", NULL);
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	return reply_empty(req, 204);
}

/* ---- roles ----------------------------------------------------------------------------------- */

struct role_row {
	int64_t id;
	const char *code, *name, *scope, *admin_kind;
	bool builtin;
	struct permset perms;
};

static json_t *role_json(const struct role_row *r)
{
	json_t *perms = json_array();
	for (int p = 0; p < PERM__COUNT; p++)
		if (perm_table[p].code && permset_has(&r->perms, (enum perm)p))
			json_array_append_new(perms, json_string(perm_table[p].code));
	return json_pack("{s:I, s:s, s:s, s:s, s:s?, s:b, s:o}", "id", (json_int_t)r->id, "code",
			 r->code, "name", r->name, "scope", r->scope, "admin_kind", r->admin_kind,
			 "builtin", r->builtin, "permissions", perms);
}

static enum status roles_list(struct request *req)
{
	struct db *db;
	enum status st = req_db(req, &db);
	if (st)
		return st;
	struct role_row rows[64];
	size_t n = 0;
	struct db_res *r = db_query(db, &SQL_ROLES_LIST, DB_NOARGS);
	while (db_next(r) && n < 64) {
		struct role_row *row = &rows[n++];
		memset(row, 0, sizeof(*row));
		row->id = db_col_int(r, 0);
		row->code = arena_strdup(&req->arena, db_col_text(r, 1));
		row->name = arena_strdup(&req->arena, db_col_text(r, 2));
		row->scope = arena_strdup(&req->arena, db_col_text(r, 3));
		row->admin_kind = arena_strdup(&req->arena, db_col_text(r, 4));
		row->builtin = db_col_int(r, 5) != 0;
	}
	if ((st = db_done(r)))
		return st;
	r = db_query(db, &SQL_ROLES_PERMS, DB_NOARGS);
	while (db_next(r)) {
		int64_t rid = db_col_int(r, 0);
		int p = perm_from_code(db_col_text(r, 1));
		for (size_t i = 0; p > 0 && i < n; i++)
			if (rows[i].id == rid)
				permset_add(&rows[i].perms, (enum perm)p);
	}
	if ((st = db_done(r)))
		return st;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, role_json(&rows[i]));
	struct paging pg = {1, (int64_t)n, 0};
	return reply_json(req, 200, list_envelope(items, (int64_t)n, &pg));
}

static enum status permissions_list(struct request *req)
{
	json_t *items = json_array();
	for (int p = 0; p < PERM__COUNT; p++)
		if (perm_table[p].code)
			json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "code",
							       perm_table[p].code, "name",
							       perm_table[p].name, "group",
							       perm_table[p].group));
	struct paging pg = {1, (int64_t)json_array_size(items), 0};
	return reply_json(req, 200,
			  list_envelope(items, (int64_t)json_array_size(items), &pg));
}

/* Read "permissions" into a set, refusing unknown codes and incompatible mixes. */
static enum status read_perms(struct request *req, json_t *body, bool required,
			      struct permset *out, const char **admin_kind, bool *present)
{
	json_t *list;
	enum status st = in_str_array(req, body, "permissions", "权限", required ? IN_REQUIRED : 0,
				      64, 40, &list, present);
	if (st || !list)
		return st;
	memset(out, 0, sizeof(*out));
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		int p = perm_from_code(json_string_value(v));
		if (p <= 0)
			return req_failf(req, ST_INVALID, "unknown_permission", "permissions",
					 "没有这个权限：%s", json_string_value(v));
		permset_add(out, (enum perm)p);
	}
	const char *why;
	if (users_perms_compatible(out, &why))
		return req_fail(req, ST_INVALID, "separation_of_duties", why, "permissions");
	*admin_kind = NULL;
	for (int p = 0; p < PERM__COUNT; p++) {
		if (!permset_has(out, (enum perm)p))
			continue;
		int k = users_perm_admin_kind((enum perm)p);
		if (k > 0)
			*admin_kind = k == 1 ? "system" : k == 2 ? "security" : "audit";
	}
	return ST_OK;
}

static enum status save_perms(struct db *db, int64_t role_id, const struct permset *s)
{
	enum status st = db_exec(db, &SQL_ROLES_CLEAR_PERMS, DB_ARGS(db_int(role_id)), NULL);
	for (int p = 0; !st && p < PERM__COUNT; p++)
		if (perm_table[p].code && permset_has(s, (enum perm)p))
			st = db_exec(db, &SQL_ROLES_ADD_PERM,
				     DB_ARGS(db_int(role_id), db_text(perm_table[p].code)), NULL);
	return st;
}

static const char *const role_fields[] = {"code", "name", "scope", "permissions", NULL};
static const char *const scope_codes[] = {"all", "subtree", "org", "self", "enterprise",
					  "liaison", NULL};

static enum status roles_create(struct request *req)
{
	json_t *body;
	const char *code, *name, *admin_kind = NULL;
	int scope;
	struct permset perms;
	int64_t id;
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) || (st = in_only(req, body, role_fields)) ||
	    (st = in_str(req, body, "code", "角色代码", IN_REQUIRED | IN_TRIM, 32, &code, NULL)) ||
	    (st = in_str(req, body, "name", "角色名称", IN_REQUIRED | IN_TRIM, 30, &name, NULL)) ||
	    (st = in_enum(req, body, "scope", "数据范围", IN_REQUIRED, scope_codes, &scope, NULL)) ||
	    (st = read_perms(req, body, true, &perms, &admin_kind, NULL)) ||
	    (st = req_db(req, &db)))
		return st;
	if (!users_username_valid(code))
		return req_fail(req, ST_INVALID, "invalid_code", "角色代码应为3到32位字母、数字或 . _ -",
				"code");
	if ((st = db_begin(db)))
		return st;
	st = db_int1(db, &SQL_ROLES_INSERT,
		     DB_ARGS(db_text(code), db_text(name), db_text(scope_codes[scope]),
			     db_text(admin_kind), db_int(req->now)),
		     &id);
	if (st == ST_CONFLICT)
		st = req_fail(req, ST_CONFLICT, "duplicate_code", "角色代码已被使用", "code");
	if (!st)
		st = save_perms(db, id, &perms);
	if (!st)
		st = audit_req(req, db, "role", id, "create", json_deep_copy(body));
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	struct role_row row = {id, code, name, scope_codes[scope], admin_kind, false, perms};
	return reply_json(req, 201, role_json(&row));
}

static enum status load_role(struct request *req, struct db *db, const struct sql *q,
			     struct db_val key, struct role_row *out)
{
	memset(out, 0, sizeof(*out));
	struct db_res *r = db_query(db, q, &key, 1);
	bool found = db_next(r);
	if (found) {
		out->id = db_col_int(r, 0);
		out->code = arena_strdup(&req->arena, db_col_text(r, 1));
		out->name = arena_strdup(&req->arena, db_col_text(r, 2));
		out->scope = arena_strdup(&req->arena, db_col_text(r, 3));
		out->admin_kind = arena_strdup(&req->arena, db_col_text(r, 4));
		out->builtin = db_col_int(r, 5) != 0;
	}
	enum status st = db_done(r);
	if (st)
		return st;
	return found ? ST_OK : ST_NOT_FOUND;
}

static enum status roles_update(struct request *req)
{
	json_t *body;
	int64_t id;
	const char *name, *admin_kind = NULL;
	int scope = -1;
	bool has_name, has_scope, has_perms;
	struct permset perms;
	struct role_row role;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_json(req, &body)) ||
	    (st = in_only(req, body, role_fields)) || (st = req_db(req, &db)))
		return st;
	st = load_role(req, db, &SQL_ROLES_GET, db_int(id), &role);
	if (st == ST_NOT_FOUND)
		return req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
	if (st)
		return st;
	if (json_object_get(body, "code"))
		return req_fail(req, ST_INVALID, "not_editable", "角色代码创建后不能修改", "code");
	if ((st = in_str(req, body, "name", "角色名称", IN_TRIM, 30, &name, &has_name)) ||
	    (st = in_enum(req, body, "scope", "数据范围", 0, scope_codes, &scope, &has_scope)) ||
	    (st = read_perms(req, body, false, &perms, &admin_kind, &has_perms)))
		return st;
	if (has_name && (!name || !*name))
		return req_fail(req, ST_INVALID, "required", "角色名称不能为空", "name");
	if (!has_perms)
		admin_kind = role.admin_kind;
	/* The security admin cannot widen their own powers. */
	for (int i = 0; i < req->user->nroles; i++)
		if (strcmp(req->user->roles[i].code, role.code) == 0)
			return req_fail(req, ST_CONFLICT, "own_role",
					"不能修改自己所持有的角色，请由另一名安全管理员操作", NULL);
	if ((st = db_begin(db)))
		return st;
	st = db_exec(db, &SQL_ROLES_UPDATE,
		     DB_ARGS(db_int(id), db_text(has_name ? name : role.name),
			     db_text(has_scope && scope >= 0 ? scope_codes[scope] : role.scope),
			     db_text(admin_kind)),
		     NULL);
	if (!st && has_perms)
		st = save_perms(db, id, &perms);
	if (!st)
		st = audit_req(req, db, "role", id, "update", json_deep_copy(body));
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	return roles_list(req);
}

/* PUT /users/:id/roles: the security admin grants roles (never to themselves). */
static enum status users_set_roles(struct request *req)
{
	static const char *const fields[] = {"roles", NULL};
	json_t *body, *u, *list;
	int64_t id;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_json(req, &body)) ||
	    (st = in_only(req, body, fields)) ||
	    (st = in_str_array(req, body, "roles", "角色", IN_REQUIRED * 0, 8, 32, &list, NULL)) ||
	    (st = req_db(req, &db)) || (st = load_user(req, db, id, &u)))
		return st;
	json_decref(u);
	if (!list)
		return req_fail(req, ST_INVALID, "required", "角色不能为空（可以是空列表）", "roles");
	if (id == req->user->user_id)
		return req_fail(req, ST_CONFLICT, "own_roles",
				"不能给自己授予或撤销角色，请由另一名安全管理员操作", "roles");
	struct role_row roles[8];
	struct permset all;
	memset(&all, 0, sizeof(all));
	size_t n = 0, i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		st = load_role(req, db, &SQL_ROLES_GET_BY_CODE, db_text(json_string_value(v)),
			       &roles[n]);
		if (st == ST_NOT_FOUND)
			return req_failf(req, ST_INVALID, "unknown_role", "roles", "没有这个角色：%s",
					 json_string_value(v));
		if (st)
			return st;
		n++;
	}
	/* The union must keep the three administrators apart. */
	struct db_res *r = db_query(db, &SQL_ROLES_PERMS, DB_NOARGS);
	while (db_next(r)) {
		int64_t rid = db_col_int(r, 0);
		int p = perm_from_code(db_col_text(r, 1));
		for (size_t k = 0; p > 0 && k < n; k++)
			if (roles[k].id == rid)
				permset_add(&all, (enum perm)p);
	}
	if ((st = db_done(r)))
		return st;
	const char *why;
	int admin_roles = 0;
	for (size_t k = 0; k < n; k++)
		admin_roles += roles[k].admin_kind != NULL;
	if (users_perms_compatible(&all, &why) || (admin_roles && n > 1))
		return req_fail(req, ST_INVALID, "separation_of_duties",
				why ? why : "管理员角色不能与其他角色同时授予（三员分立）", "roles");
	if (admin_roles)
		return req_fail(req, ST_INVALID, "admin_role_cli_only",
				"管理员角色只能在服务器上用命令行授予（tiejian user add）", "roles");
	if ((st = protect_admin(req, db, id)))
		return st;
	if ((st = db_begin(db)))
		return st;
	st = db_exec(db, &SQL_USERS_CLEAR_ROLES, DB_ARGS(db_int(id)), NULL);
	for (size_t k = 0; !st && k < n; k++)
		st = db_exec(db, &SQL_USERS_ADD_ROLE, DB_ARGS(db_int(id), db_int(roles[k].id)), NULL);
	if (!st)
		st = audit_req(req, db, "user", id, "set_roles", json_pack("{s:O}", "roles", list));
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)) || (st = load_user(req, db, id, &u)))
		return st;
	return reply_json(req, 200, u);
}

/* ---- the demo users ------------------------------------------------------------------------- */

static const struct {
	const char *username, *name, *role, *org, *role_name;
	bool enterprise;
} demo_users[] = {
	{"sysadmin", "张建国", "sysadmin", "230200", "系统管理员", false},
	{"secadmin", "李安平", "secadmin", "230200", "安全管理员", false},
	{"auditadmin", "王审之", "auditadmin", "230200", "审计管理员", false},
	{"leader", "赵振兴", "leader", "230200", "领导", false},
	{"supervisor", "孙督办", "supervisor", "230200", "督查人员", false},
	{"handler", "周承办", "handler", "230202", "承办人", false},
	{"cadre", "吴包联", "cadre", "230202", "包联干部", false},
	{"statistician", "郑统计", "statistician", "230200", "统计员", false},
	{"enterprise", "钱企联", "enterprise", "230202", "企业用户", true},
};
#define DEMO_PASSWORD "Demo@2026"

static enum status users_demo_fixed(struct app *app, struct db *db, const char *hash)
{
	enum status st;
	int64_t now = app_now(app);
	for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++) {
		int64_t org_id, ent_id = 0, uid, role_id;
		if ((st = orgs_id_by_code(db, demo_users[i].org, &org_id)))
			return st;
		if (demo_users[i].enterprise) {
			/* the first demo enterprise of the user's county */
			struct db_res *r = db_query(db, &SQL_USERS_ENTERPRISE_EXISTS,
						    DB_ARGS(db_int(1)));
			if (db_next(r))
				ent_id = db_col_int(r, 0);
			if ((st = db_done(r)))
				return st;
		}
		if ((st = db_int1(db, &SQL_USERS_INSERT,
				  DB_ARGS(db_text(demo_users[i].username), db_text(demo_users[i].name),
					  db_int(org_id), db_id_or_null(ent_id), db_null(), db_text(hash),
					  db_int(now)),
				  &uid)))
			return st;
		if ((st = db_int1(db, &SQL_ROLES_GET_BY_CODE, DB_ARGS(db_text(demo_users[i].role)),
				  &role_id)) ||
		    (st = db_exec(db, &SQL_USERS_ADD_ROLE, DB_ARGS(db_int(uid), db_int(role_id)),
				  NULL)))
			return st;
	}
	struct audit_actor who = {0, "demo", NULL, "local", NULL};
	return audit_append(db, &who, now, "user", 0, "demo_load",
			    json_pack("{s:I}", "count",
				      (json_int_t)(sizeof(demo_users) / sizeof(demo_users[0]))),
			    true);
}

/* splitmix64: the generated users are a function of their number and the seed. */
static uint64_t demo_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* tiejian demo --users N: n more users named user00001..., spread over every org of the
 * province; most are cadres and handlers, some leaders, supervisors and statisticians, and
 * one in ten speaks for an enterprise (in that enterprise's org). All share one password
 * hash (Argon2id is slow on purpose; one hash serves them all). */
static enum status users_demo_generate(struct app *app, struct db *db, const char *hash,
				       long n)
{
	static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄",
					       "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
					       "何", "林", "高", "罗", "郑", "梁", "谢", "宋"};
	static const char *const given[] = {"建国", "志强", "秀英", "海涛", "丽娟", "振华", "晓明",
					    "春梅", "立新", "红霞", "永刚", "文博", "静", "磊",
					    "敏", "伟", "洋", "婷", "鹏飞", "国庆", "淑珍", "俊杰"};
	/* role codes by weight: cadre 45, handler 30, leader 5, supervisor 5, statistician 5,
	 * enterprise 10 (of 100) */
	static const struct {
		const char *code;
		int weight;
	} roles[] = {{"cadre", 45},     {"handler", 30},      {"leader", 5},
		     {"supervisor", 5}, {"statistician", 5}, {"enterprise", 10}};
	int64_t role_ids[6];
	enum status st = ST_OK;
	for (size_t i = 0; !st && i < 6; i++)
		st = db_int1(db, &SQL_ROLES_GET_BY_CODE, DB_ARGS(db_text(roles[i].code)),
			     &role_ids[i]);
	int64_t existing = 0, norgs = 0, nents = 0, now = app_now(app);
	if (st || (st = db_int1(db, &SQL_USERS_DEMO_GENERATED, DB_NOARGS, &existing)))
		return st;
	int64_t *orgs = malloc(4096 * sizeof(*orgs));
	int64_t(*ents)[2] = malloc(200000 * sizeof(*ents));
	if (!orgs || !ents) {
		free(orgs);
		free(ents);
		return ST_NOMEM;
	}
	struct db_res *r = db_query(db, &SQL_USERS_DEMO_ORGS, DB_NOARGS);
	while (db_next(r) && norgs < 4096)
		orgs[norgs++] = db_col_int(r, 0);
	if (!(st = db_done(r))) {
		r = db_query(db, &SQL_USERS_DEMO_ENTERPRISES, DB_ARGS(db_int(200000)));
		while (db_next(r) && nents < 200000) {
			ents[nents][0] = db_col_int(r, 0);
			ents[nents][1] = db_col_int(r, 1);
			nents++;
		}
		st = db_done(r);
	}
	if (!st && !norgs)
		st = ST_NOT_FOUND;
	for (long i = 0; !st && i < n; i++) {
		long row = existing + i + 1;
		uint64_t x = demo_mix((uint64_t)row * 0x632be59bd9b4e019ULL +
				      (uint64_t)app->cfg->demo_seed * 0x9e3779b97f4a7c15ULL);
		int w = (int)(x % 100);
		size_t k = 0;
		while (k < 5 && w >= roles[k].weight)
			w -= roles[k++].weight;
		x = demo_mix(x);
		int64_t org = orgs[x % (uint64_t)norgs], ent = 0;
		if (strcmp(roles[k].code, "enterprise") == 0) {
			if (!nents) /* no enterprises to speak for: a cadre instead */
				k = 0;
			else {
				x = demo_mix(x);
				ent = ents[x % (uint64_t)nents][0];
				org = ents[x % (uint64_t)nents][1];
			}
		}
		char username[32], name[32];
		snprintf(username, sizeof(username), "user%05ld", row);
		x = demo_mix(x);
		snprintf(name, sizeof(name), "%s%s", surnames[x % COUNT_OF(surnames)],
			 given[(x >> 16) % COUNT_OF(given)]);
		int64_t uid;
		if ((st = db_int1(db, &SQL_USERS_INSERT,
				  DB_ARGS(db_text(username), db_text(name), db_int(org),
					  db_id_or_null(ent), db_null(), db_text(hash), db_int(now)),
				  &uid)))
			break;
		st = db_exec(db, &SQL_USERS_ADD_ROLE, DB_ARGS(db_int(uid), db_int(role_ids[k])),
			     NULL);
	}
	free(orgs);
	free(ents);
	if (st)
		return st;
	struct audit_actor who = {0, "demo", NULL, "local", NULL};
	return audit_append(db, &who, now, "user", 0, "demo_generate",
			    json_pack("{s:I}", "count", (json_int_t)n), true);
}

static enum status users_demo(struct app *app, struct db *db)
{
	int64_t n;
	enum status st = db_int1(db, &SQL_USERS_ANY_DEMO, DB_NOARGS, &n);
	if (st || (n > 0 && app->cfg->demo_users <= 0))
		return st;
	char hash[crypto_pwhash_STRBYTES];
	if ((st = auth_password_hash(app, DEMO_PASSWORD, hash, sizeof(hash))))
		return st;
	if (n == 0 && (st = users_demo_fixed(app, db, hash)))
		return st;
	if (app->cfg->demo_users > 0) {
		log_info("demo: generating %ld users", app->cfg->demo_users);
		if ((st = users_demo_generate(app, db, hash, app->cfg->demo_users)))
			return st;
	}
	/* Demo accounts keep their documented password: no forced change. */
	return db_exec(db, &SQL_USERS_DEMO_NO_CHANGE, DB_NOARGS, NULL);
}

void users_demo_print_logins(FILE *out)
{
	fprintf(out, "\n演示账号（仅用于演示环境），密码均为 %s：\n", DEMO_PASSWORD);
	for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++)
		fprintf(out, "  %-13s %s（%s）\n", demo_users[i].username, demo_users[i].role_name,
			demo_users[i].name);
	fputc('\n', out);
}

static const struct route users_routes[] = {
	{"GET", "/api/v1/users", users_list, PERM_USER_READ, 0},
	{"POST", "/api/v1/users", users_create, PERM_USER_WRITE, ROUTE_SLOW},
	{"GET", "/api/v1/users/:id", users_get, PERM_USER_READ, 0},
	{"PATCH", "/api/v1/users/:id", users_update, PERM_USER_WRITE, 0},
	{"POST", "/api/v1/users/:id/reset-password", users_reset_password, PERM_USER_WRITE,
	 ROUTE_SLOW},
	{"POST", "/api/v1/users/:id/unlock", users_unlock, PERM_USER_WRITE, 0},
	{"PUT", "/api/v1/users/:id/roles", users_set_roles, PERM_ROLE_WRITE, 0},
	{"GET", "/api/v1/roles", roles_list, PERM_ROLE_READ, 0},
	{"POST", "/api/v1/roles", roles_create, PERM_ROLE_WRITE, 0},
	{"PATCH", "/api/v1/roles/:id", roles_update, PERM_ROLE_WRITE, 0},
	{"GET", "/api/v1/permissions", permissions_list, PERM_ROLE_READ, 0},
};

const struct module users_module = {
	.name = "users",
	.routes = users_routes,
	.nroutes = COUNT_OF(users_routes),
	.demo = users_demo,
};
