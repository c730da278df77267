/* cases_http.c: the case library over HTTP: promote a solved appeal, edit, withdraw,
 * anonymise, list and search. The library is shared: whoever may read cases reads them all,
 * which is why a case names its enterprise only when the enterprise agreed to it. */
#include "app/module.h"
#include "audit/audit.h"
#include "http/input.h"
#include "modules/appeals/appeals.h"
#include "modules/cases/cases.h"
#include "modules/cases/cases_sql.h"

#define ANON_NAME "某企业"

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Columns of CASE_COLUMNS. */
static json_t *case_json(struct request *req, struct db_res *r, bool editor)
{
	bool anon = db_col_int(r, 11) != 0;
	char number[32];
	appeal_number(db_col_int(r, 16), db_col_int(r, 1), number, sizeof(number));
	json_t *o = json_pack(
		"{s:I, s:s, s:s, s:s, s:o, s:o, s:{s:o, s:s}, s:o, s:b, s:s, s:o, s:o, s:o}", "id",
		(json_int_t)db_col_int(r, 0), "title", db_col_text(r, 2), "problem",
		db_col_text(r, 3), "solution", db_col_text(r, 4), "category",
		db_col_null(r, 5) ? json_null()
				  : json_pack("{s:I, s:s?}", "id", (json_int_t)db_col_int(r, 5), "name",
					      db_col_text(r, 6)),
		"region_code", jstr(db_col_text(r, 7)), "enterprise", "id",
		anon || db_col_null(r, 8) ? json_null() : json_integer(db_col_int(r, 8)), "name",
		db_col_text(r, 9), "lead_unit", jstr(db_col_text(r, 10)), "anonymised", anon,
		"status", db_col_text(r, 12), "created_by", jstr(db_col_text(r, 13)), "created_at",
		json_time(req, db_col_int(r, 14)), "updated_at", json_time(req, db_col_int(r, 15)));
	/* the way back to the appeal is for those who keep the library */
	if (o && editor) {
		json_object_set_new(o, "appeal_id", json_integer(db_col_int(r, 1)));
		json_object_set_new(o, "appeal_number", json_string(number));
	}
	return o;
}

static json_t *case_row(struct request *req, struct db_res *r, void *ctx)
{
	return case_json(req, r, *(const bool *)ctx);
}

static bool editor(struct request *req)
{
	return permset_has(&req->user->perms, PERM_CASE_WRITE);
}

static enum status load_case(struct request *req, struct db *db, int64_t id, json_t **out)
{
	*out = NULL;
	struct db_res *r = db_query(db, &SQL_CASE_GET, DB_ARGS(db_int(id)));
	if (db_next(r))
		*out = case_json(req, r, editor(req));
	enum status st = db_done(r);
	if (st) {
		json_decref(*out);
		*out = NULL;
		return st;
	}
	/* a withdrawn case is gone for readers */
	if (*out && !editor(req) &&
	    strcmp(json_string_value(json_object_get(*out, "status")), "published") != 0) {
		json_decref(*out);
		*out = NULL;
	}
	if (!*out)
		return req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
	req_own_json(req, *out);
	return ST_OK;
}

/* The search tokens of a case, written to its index row. */
static enum status index_case(struct db *db, int64_t id, const char *title, const char *problem,
			      const char *solution, const char *enterprise)
{
	struct str g;
	str_init(&g, 1u << 20);
	appeal_grams(title, &g);
	str_putc(&g, ' ');
	appeal_grams(problem, &g);
	str_putc(&g, ' ');
	appeal_grams(solution, &g);
	str_putc(&g, ' ');
	appeal_grams(enterprise, &g);
	enum status st = db_exec(db, &SQL_CASE_INDEX_DELETE, DB_ARGS(db_int(id)), NULL);
	if (!st)
		st = str_ok(&g) ? db_exec(db, &SQL_CASE_INDEX, DB_ARGS(db_int(id), db_text(g.p)), NULL)
				: ST_NOMEM;
	str_release(&g);
	return st;
}

/* Text with the enterprise's names, its credit code, its contact and numbers masked. */
static const char *anonymise(struct request *req, const struct appeal_brief *b, const char *text)
{
	char variants[4][256];
	int n = cases_name_variants(b->enterprise_name, variants, 4);
	struct cases_mask masks[8];
	int k = 0;
	for (int i = 0; i < n; i++)
		masks[k++] = (struct cases_mask){variants[i], ANON_NAME};
	/* the enterprise's contact: a person's name (two characters at least), a phone number */
	if (b->contact_name && strlen(b->contact_name) >= 6)
		masks[k++] = (struct cases_mask){b->contact_name, "某某"};
	if (b->contact_phone && *b->contact_phone)
		masks[k++] = (struct cases_mask){b->contact_phone, "********"};
	struct str s;
	str_init(&s, 1u << 20);
	cases_anonymise(text, masks, k, &s);
	const char *out = str_ok(&s) ? arena_strdup(&req->arena, s.p) : NULL;
	str_release(&s);
	return out;
}

static enum status cases_create(struct request *req)
{
	static const char *const fields[] = {"appeal_id", "title", "problem", "solution",
					     "anonymised", NULL};
	json_t *body, *c;
	int64_t appeal_id, id;
	const char *title, *problem, *solution;
	bool anon = false;
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) || (st = in_only(req, body, fields)) ||
	    (st = in_int(req, body, "appeal_id", "诉求", IN_REQUIRED, 1, INT64_MAX, &appeal_id,
			 NULL)) ||
	    (st = in_str(req, body, "title", "案例标题", IN_TRIM, 60, &title, NULL)) ||
	    (st = in_str(req, body, "problem", "问题描述", IN_TRIM, 5000, &problem, NULL)) ||
	    (st = in_str(req, body, "solution", "解决过程", IN_TRIM, 5000, &solution, NULL)) ||
	    (st = in_bool(req, body, "anonymised", "匿名处理", 0, &anon, NULL)) ||
	    (st = req_db(req, &db)))
		return st;
	if (!appeals_caller_sees(req, db, appeal_id))
		return req_fail(req, ST_INVALID, "invalid_appeal", "诉求不存在或不在您的管理范围内",
				"appeal_id");
	struct appeal_brief b;
	st = appeals_solved_brief(db, appeal_id, &b);
	if (st == ST_CONFLICT)
		return req_fail(req, ST_CONFLICT, "not_solved",
				"只有已办结且已解决的诉求才能作为典型案例", "appeal_id");
	if (st == ST_NOT_FOUND)
		return req_fail(req, ST_INVALID, "invalid_appeal", "诉求不存在", "appeal_id");
	if (st)
		return st;
	if (!title || !*title)
		title = arena_strdup(&req->arena, b.title);
	if (!problem || !*problem)
		problem = arena_strdup(&req->arena, b.content);
	if (!solution || !*solution)
		solution = arena_strdup(&req->arena, b.reply ? b.reply : "");
	const char *name = anon ? ANON_NAME : arena_strdup(&req->arena, b.enterprise_name);
	if (anon) {
		title = anonymise(req, &b, title);
		problem = anonymise(req, &b, problem);
		solution = anonymise(req, &b, solution);
	}
	if (!title || !problem || !solution || !name) {
		appeal_brief_release(&b);
		return ST_NOMEM;
	}
	if ((st = db_begin(db))) {
		appeal_brief_release(&b);
		return st;
	}
	st = db_int1(db, &SQL_CASE_INSERT,
		     DB_ARGS(db_int(appeal_id), db_text(title), db_text(problem), db_text(solution),
			     db_int(b.category_id), db_text(b.region_code),
			     anon ? db_null() : db_int(b.enterprise_id), db_text(name),
			     db_text(b.lead_org_name), db_int(anon), db_int(req->user->user_id),
			     db_text(req->user->display_name), db_int(req->now)),
		     &id);
	if (st == ST_CONFLICT)
		st = req_fail(req, ST_CONFLICT, "duplicate_case", "这件诉求已经是典型案例",
			      "appeal_id");
	if (!st)
		st = index_case(db, id, title, problem, solution, name);
	if (!st)
		st = audit_req(req, db, "case", id, "create",
			       json_pack("{s:I, s:s, s:b}", "appeal_id", (json_int_t)appeal_id,
					 "title", title, "anonymised", anon));
	appeal_brief_release(&b);
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)) || (st = load_case(req, db, id, &c)))
		return st;
	return reply_json(req, 201, json_incref(c));
}

/* Edit, withdraw or anonymise: the stored case changes, its index row with it. */
static enum status save(struct request *req, struct db *db, int64_t id, json_t *old,
			const char *title, const char *problem, const char *solution, bool anon,
			const char *status, const char *action, json_t *summary)
{
	const char *name = anon ? ANON_NAME
				: json_string_value(json_object_get(
					  json_object_get(old, "enterprise"), "name"));
	json_t *ent_id = json_object_get(json_object_get(old, "enterprise"), "id");
	enum status st = db_begin(db);
	if (st) {
		json_decref(summary);
		return st;
	}
	st = db_exec(db, &SQL_CASE_UPDATE,
		     DB_ARGS(db_int(id), db_text(title), db_text(problem), db_text(solution),
			     anon || json_is_null(ent_id) ? db_null()
							  : db_int(json_integer_value(ent_id)),
			     db_text(name), db_int(anon), db_text(status), db_int(req->now)),
		     NULL);
	if (!st)
		st = index_case(db, id, title, problem, solution, name);
	if (!st)
		st = audit_req(req, db, "case", id, action, summary);
	else
		json_decref(summary);
	if (st) {
		db_rollback(db);
		return st;
	}
	return db_commit(db);
}

static enum status cases_update(struct request *req)
{
	static const char *const fields[] = {"title", "problem", "solution", "status", NULL};
	static const char *const statuses[] = {"published", "withdrawn", NULL};
	json_t *body, *c;
	int64_t id;
	const char *title, *problem, *solution;
	int status = -1;
	bool has_t, has_p, has_s;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_json(req, &body)) ||
	    (st = in_only(req, body, fields)) ||
	    (st = in_str(req, body, "title", "案例标题", IN_TRIM, 60, &title, &has_t)) ||
	    (st = in_str(req, body, "problem", "问题描述", IN_TRIM, 5000, &problem, &has_p)) ||
	    (st = in_str(req, body, "solution", "解决过程", IN_TRIM, 5000, &solution, &has_s)) ||
	    (st = in_enum(req, body, "status", "状态", 0, statuses, &status, NULL)) ||
	    (st = req_db(req, &db)) || (st = load_case(req, db, id, &c)))
		return st;
	if ((has_t && (!title || !*title)) || (has_p && (!problem || !*problem)) ||
	    (has_s && (!solution || !*solution)))
		return req_fail(req, ST_INVALID, "required", "案例的标题、问题和解决过程都不能为空",
				has_t && (!title || !*title) ? "title"
				: has_p && (!problem || !*problem) ? "problem"
								   : "solution");
	if (!has_t)
		title = json_string_value(json_object_get(c, "title"));
	if (!has_p)
		problem = json_string_value(json_object_get(c, "problem"));
	if (!has_s)
		solution = json_string_value(json_object_get(c, "solution"));
	bool anon = json_is_true(json_object_get(c, "anonymised"));
	if (anon && (has_t || has_p || has_s)) {
		/* an anonymised case stays so: the new text is masked too */
		struct appeal_brief b;
		if ((st = appeals_solved_brief(db, json_integer_value(json_object_get(c, "appeal_id")),
					       &b)) == ST_OK) {
			title = anonymise(req, &b, title);
			problem = anonymise(req, &b, problem);
			solution = anonymise(req, &b, solution);
			appeal_brief_release(&b);
		}
		if (st || !title || !problem || !solution)
			return st ? st : ST_NOMEM;
	}
	const char *status_code = status >= 0 ? statuses[status]
					      : json_string_value(json_object_get(c, "status"));
	if ((st = save(req, db, id, c, title, problem, solution, anon, status_code, "update",
		       json_deep_copy(body))) ||
	    (st = load_case(req, db, id, &c)))
		return st;
	return reply_json(req, 200, json_incref(c));
}

static enum status cases_anonymise_one(struct request *req)
{
	int64_t id;
	json_t *c;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = load_case(req, db, id, &c)))
		return st;
	if (json_is_true(json_object_get(c, "anonymised")))
		return reply_json(req, 200, json_incref(c));
	struct appeal_brief b;
	if ((st = appeals_solved_brief(db, json_integer_value(json_object_get(c, "appeal_id")), &b)))
		return st;
	const char *title = anonymise(req, &b, json_string_value(json_object_get(c, "title")));
	const char *problem = anonymise(req, &b, json_string_value(json_object_get(c, "problem")));
	const char *solution = anonymise(req, &b, json_string_value(json_object_get(c, "solution")));
	appeal_brief_release(&b);
	if (!title || !problem || !solution)
		return ST_NOMEM;
	if ((st = save(req, db, id, c, title, problem, solution, true,
		       json_string_value(json_object_get(c, "status")), "anonymise", NULL)) ||
	    (st = load_case(req, db, id, &c)))
		return st;
	return reply_json(req, 200, json_incref(c));
}

static enum status cases_get(struct request *req)
{
	int64_t id;
	json_t *c;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = load_case(req, db, id, &c)))
		return st;
	return reply_json(req, 200, json_incref(c));
}

static enum status cases_list(struct request *req)
{
	const char *q, *status;
	int64_t category;
	struct paging pg;
	struct db *db;
	enum status st;
	if ((st = q_str(req, "q", "搜索词", 100, &q)) ||
	    (st = q_str(req, "status", "状态", 16, &status)) ||
	    (st = q_int(req, "category_id", "分类", 1, INT64_MAX, 0, &category)) ||
	    (st = q_paging(req, &pg)))
		return st;
	if (status && strcmp(status, "published") != 0 &&
	    !(strcmp(status, "withdrawn") == 0 && editor(req)))
		return req_fail(req, ST_INVALID, "invalid_choice", "状态应为 published 或 withdrawn",
				"status");
	struct appeal_query query;
	if (appeal_query_parse(q, &query))
		return req_fail(req, ST_INVALID, "invalid_query", "搜索词最多3个，每个不超过50个字",
				"q");
	if ((st = req_db(req, &db)))
		return st;
	bool search = query.nterms > 0;
	const char *index = db_kind(db) == DB_POSTGRES ? query.grams : query.match;
	struct db_val a[8] = {
		db_text(status),
		db_id_or_null(category),
		search && *index ? db_text(index) : db_null(),
		search && query.nterms > 0 ? db_text(query.term[0]) : db_null(),
		search && query.nterms > 1 ? db_text(query.term[1]) : db_null(),
		search && query.nterms > 2 ? db_text(query.term[2]) : db_null(),
		db_int(pg.size),
		db_int(pg.offset),
	};
	bool ed = editor(req);
	return reply_list(req, db, &SQL_CASE_COUNT, &SQL_CASE_LIST, a, 6, 8, &pg, case_row, &ed);
}

static const struct route cases_routes[] = {
	{"GET", "/api/v1/cases", cases_list, PERM_CASE_READ, 0},
	{"POST", "/api/v1/cases", cases_create, PERM_CASE_WRITE, 0},
	{"GET", "/api/v1/cases/:id", cases_get, PERM_CASE_READ, 0},
	{"PATCH", "/api/v1/cases/:id", cases_update, PERM_CASE_WRITE, 0},
	{"POST", "/api/v1/cases/:id/anonymise", cases_anonymise_one, PERM_CASE_WRITE, 0},
};

const struct module cases_module = {
	.name = "cases",
	.routes = cases_routes,
	.nroutes = COUNT_OF(cases_routes),
	.migrations = cases_migrations,
};
