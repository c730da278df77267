/* liaison_coverage.c: coverage (走访覆盖): enterprises nobody visited in N days; coverage and
 * 规上 coverage per org, region and size class; per person (enterprises, visits in the period,
 * problems found and solved, the enterprises' ratings); the same as an .xlsx. Everything within
 * the caller's liaison.stats scope; definitions in docs/liaison.md. */
#include <jansson.h>
#include <xlsxwriter.h>

#include "audit/audit.h"
#include "http/input.h"
#include "lib/date.h"
#include "modules/enterprises/enterprises.h"
#include "modules/liaison/liaison_internal.h"
#include "modules/liaison/liaison_sql.h"

#define EXPORT_MAX_OVERDUE 50000

struct cov_params {
	int days;
	const char *region, *today;
	char cutoff[LIAISON_DATE_SIZE], from[LIAISON_DATE_SIZE], to[LIAISON_DATE_SIZE];
};

static enum status read_params(struct request *req, struct db *db, struct cov_params *p)
{
	struct liaison_settings set;
	int64_t days;
	struct date f, t;
	bool has_f, has_t;
	enum status st;
	if ((st = li_settings_load(db, &set)) ||
	    (st = q_int(req, "days", "未走访天数", 1, 730, set.overdue_days, &days)) ||
	    (st = q_str(req, "region_code", "地区", 6, &p->region)) ||
	    (st = q_date(req, "from", "统计开始日期", &f, &has_f)) ||
	    (st = q_date(req, "to", "统计结束日期", &t, &has_t)))
		return st;
	p->days = (int)days;
	p->today = li_today(req);
	if (liaison_days_before(p->today, p->days, p->cutoff) ||
	    liaison_quarter(p->today, p->from, p->to))
		return ST_INTERNAL;
	if (has_f)
		date_format(f, p->from, sizeof(p->from));
	if (has_t)
		date_format(t, p->to, sizeof(p->to));
	if (strcmp(p->from, p->to) > 0)
		return req_fail(req, ST_INVALID, "invalid_period", "统计开始日期不能晚于结束日期",
				"from");
	return ST_OK;
}

static json_t *pct(int permille)
{
	return permille < 0 ? json_null() : json_real(permille / 10.0);
}

/* The five sums of COV_SUMS from column c on, as a group's numbers. */
static json_t *sums_json(struct db_res *r, int c)
{
	int64_t n = db_col_int(r, c), cov = db_col_int(r, c + 1), above = db_col_int(r, c + 2),
		above_cov = db_col_int(r, c + 3), never = db_col_int(r, c + 4);
	return json_pack("{s:I, s:I, s:o, s:I, s:I, s:o, s:I, s:I}", "enterprises", (json_int_t)n,
			 "covered", (json_int_t)cov, "coverage",
			 pct(liaison_coverage_permille(cov, n)), "above_scale", (json_int_t)above,
			 "above_scale_covered", (json_int_t)above_cov, "above_scale_coverage",
			 pct(liaison_coverage_permille(above_cov, above)), "never_visited",
			 (json_int_t)never, "overdue", (json_int_t)(n - cov));
}

/* Rows of a grouped statement: key column kc, name column nc (or the scale's name), sums at sc. */
static enum status groups(struct request *req, struct db *db, const struct sql *q,
			  const struct cov_params *p, bool scale, json_t **out)
{
	struct db_val a[7];
	scope_filter(req, a);
	a[5] = db_text(p->region);
	a[6] = db_text(p->cutoff);
	*out = json_array();
	struct db_res *r = db_query(db, q, a, 7);
	while (db_next(r)) {
		json_t *o = sums_json(r, scale ? 1 : 2);
		const char *key = db_col_text(r, 0);
		if (scale) {
			json_object_set_new(o, "key", json_string(key));
			json_object_set_new(
				o, "name",
				json_string(*key ? liaison_name_of(enterprise_scale_codes,
								   enterprise_scale_names, key)
						 : "未填写"));
		} else {
			json_object_set_new(o, "key", json_string(key ? key : ""));
			json_object_set_new(o, "name",
					    json_string(db_col_text(r, 1) ? db_col_text(r, 1)
									  : (key ? key : "")));
		}
		json_array_append_new(*out, o);
	}
	enum status st = db_done(r);
	if (st) {
		json_decref(*out);
		*out = NULL;
	}
	return st;
}

static enum status totals(struct request *req, struct db *db, const struct cov_params *p,
			  json_t **total, json_t **visits)
{
	struct db_val a[9];
	scope_filter(req, a);
	a[5] = db_text(p->region);
	a[6] = db_text(p->cutoff);
	*total = *visits = NULL;
	struct db_res *r = db_query(db, &SQL_COV_TOTAL, a, 7);
	if (db_next(r))
		*total = sums_json(r, 0);
	enum status st = db_done(r);
	if (st)
		return st;
	a[7] = db_text(p->from);
	a[8] = db_text(p->to);
	r = db_query(db, &SQL_COV_VISITS, a, 9);
	if (db_next(r))
		*visits = json_pack(
			"{s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}, s:I, s:I}", "total",
			(json_int_t)db_col_int(r, 0), "problems", (json_int_t)db_col_int(r, 1),
			"enterprises", (json_int_t)db_col_int(r, 8), "ratings", "helpful",
			(json_int_t)db_col_int(r, 2), "neutral", (json_int_t)db_col_int(r, 3),
			"disturbing", (json_int_t)db_col_int(r, 4), "unrated",
			(json_int_t)db_col_int(r, 5), "over_cap", (json_int_t)db_col_int(r, 6),
			"in_quiet", (json_int_t)db_col_int(r, 7));
	return db_done(r);
}

enum status coverage_get(struct request *req)
{
	struct db *db;
	struct cov_params p;
	json_t *total = NULL, *visits = NULL, *by_org = NULL, *by_region = NULL, *by_scale = NULL;
	enum status st;
	if ((st = req_db(req, &db)) || (st = read_params(req, db, &p)))
		return st;
	if ((st = totals(req, db, &p, &total, &visits)) ||
	    (st = groups(req, db, &SQL_COV_BY_ORG, &p, false, &by_org)) ||
	    (st = groups(req, db, &SQL_COV_BY_REGION, &p, false, &by_region)) ||
	    (st = groups(req, db, &SQL_COV_BY_SCALE, &p, true, &by_scale))) {
		json_decref(total);
		json_decref(visits);
		json_decref(by_org);
		json_decref(by_region);
		return st;
	}
	return reply_json(req, 200,
			  json_pack("{s:s, s:i, s:s, s:{s:s, s:s}, s:s?, s:o, s:o, s:o, s:o, s:o}",
				    "today", p.today, "days", p.days, "cutoff", p.cutoff, "period",
				    "from", p.from, "to", p.to, "region_code", p.region, "total",
				    total ? total : json_object(), "visits",
				    visits ? visits : json_object(), "by_org", by_org, "by_region",
				    by_region, "by_scale", by_scale));
}

/* ---- per person
 * ---------------------------------------------------------------------------------- */

static enum status cadre_rows(struct request *req, struct db *db, const struct cov_params *p,
			      const char *kind, json_t **out)
{
	struct db_val a[10];
	scope_filter(req, a);
	a[5] = db_text(p->region);
	a[6] = db_text(p->cutoff);
	a[7] = db_text(kind);
	a[8] = db_text(p->from);
	a[9] = db_text(p->to);
	*out = json_array();
	struct db_res *r = db_query(db, &SQL_COV_CADRES, a, 10);
	while (db_next(r)) {
		int64_t n = db_col_int(r, 3), overdue = db_col_int(r, 4);
		json_array_append_new(
			*out, json_pack("{s:{s:I, s:s, s:s}, s:I, s:I, s:I, s:o, s:I, s:I, s:I,"
					" s:{s:I, s:I, s:I}}",
					"user", "id", (json_int_t)db_col_int(r, 0), "name",
					db_col_text(r, 1), "org", db_col_text(r, 2), "enterprises",
					(json_int_t)n, "overdue", (json_int_t)overdue, "covered",
					(json_int_t)(n - overdue), "coverage",
					pct(liaison_coverage_permille(n - overdue, n)), "visits",
					(json_int_t)db_col_int(r, 5), "problems",
					(json_int_t)db_col_int(r, 6), "solved",
					(json_int_t)db_col_int(r, 7), "ratings", "helpful",
					(json_int_t)db_col_int(r, 8), "neutral",
					(json_int_t)db_col_int(r, 9), "disturbing",
					(json_int_t)db_col_int(r, 10)));
	}
	enum status st = db_done(r);
	if (st) {
		json_decref(*out);
		*out = NULL;
	}
	return st;
}

static enum status q_kind(struct request *req, const char **kind)
{
	enum status st = q_str(req, "kind", "包联类型", 16, kind);
	if (st || !*kind)
		return st;
	int k = liaison_choice(liaison_kind_codes, liaison_kind_names, *kind);
	if (k < 0)
		return req_fail(
			req, ST_INVALID, "invalid_choice",
			"包联类型应为leader（包联领导）、cadre（包联干部）或contact（联络员）",
			"kind");
	*kind = liaison_kind_codes[k];
	return ST_OK;
}

enum status coverage_cadres(struct request *req)
{
	struct db *db;
	struct cov_params p;
	const char *kind;
	json_t *items;
	enum status st;
	if ((st = req_db(req, &db)) || (st = read_params(req, db, &p)) ||
	    (st = q_kind(req, &kind)) || (st = cadre_rows(req, db, &p, kind, &items)))
		return st;
	return reply_json(req, 200,
			  json_pack("{s:o, s:i, s:s, s:{s:s, s:s}}", "items", items, "days", p.days,
				    "cutoff", p.cutoff, "period", "from", p.from, "to", p.to));
}

/* ---- overdue enterprises
 * ------------------------------------------------------------------------- */

typedef void (*overdue_fn)(void *ctx, struct db_res *r, const char *today);

static enum status overdue_rows(struct request *req, struct db *db, const struct cov_params *p,
				int64_t above, int64_t limit, int64_t offset, overdue_fn fn,
				void *ctx, int64_t *total)
{
	struct db_val a[10];
	scope_filter(req, a);
	a[5] = db_text(p->region);
	a[6] = db_text(p->cutoff);
	a[7] = above >= 0 ? db_int(above) : db_null();
	a[8] = db_null();
	a[9] = db_null();
	enum status st;
	if (total && (st = db_int1(db, &SQL_COV_OVERDUE_COUNT, a, 10, total)))
		return st;
	a[8] = db_int(limit);
	a[9] = db_int(offset);
	struct db_res *r = db_query(db, &SQL_COV_OVERDUE, a, 10);
	while (db_next(r))
		fn(ctx, r, p->today);
	return db_done(r);
}

static int days_since(const char *last, const char *today)
{
	struct date a, b;
	if (!last || date_parse(last, strlen(last), &a) || date_parse(today, strlen(today), &b))
		return -1;
	return (int)date_days_between(a, b);
}

static void overdue_json(void *ctx, struct db_res *r, const char *today)
{
	json_t *items = ctx;
	const char *scale = db_col_text(r, 4), *last = db_col_text(r, 6);
	int ds = days_since(last, today);
	json_array_append_new(
		items, json_pack("{s:{s:I, s:s, s:s?, s:s?, s:s?, s:s?, s:b}, s:s?, s:o, s:s?}",
				 "enterprise", "id", (json_int_t)db_col_int(r, 0), "name",
				 db_col_text(r, 1), "region_code", db_col_text(r, 2), "region_name",
				 db_col_text(r, 3), "scale", scale, "scale_name",
				 scale ? liaison_name_of(enterprise_scale_codes,
							 enterprise_scale_names, scale)
				       : NULL,
				 "above_scale", db_col_int(r, 5) != 0, "last_visit_on", last,
				 "days_since_visit", ds < 0 ? json_null() : json_integer(ds),
				 "liaisons", db_col_text(r, 7)));
}

enum status coverage_overdue(struct request *req)
{
	struct db *db;
	struct cov_params p;
	struct paging pg;
	int64_t above;
	enum status st;
	if ((st = req_db(req, &db)) || (st = read_params(req, db, &p)) ||
	    (st = q_paging(req, &pg)) ||
	    (st = q_int(req, "above_scale", "是否规上", -1, 1, -1, &above)))
		return st;
	json_t *items = json_array();
	int64_t total = 0;
	if ((st = overdue_rows(req, db, &p, above, pg.size, pg.offset, overdue_json, items,
			       &total))) {
		json_decref(items);
		return st;
	}
	json_t *o = list_envelope(items, total, &pg);
	json_object_set_new(o, "days", json_integer(p.days));
	json_object_set_new(o, "cutoff", json_string(p.cutoff));
	return reply_json(req, 200, o);
}

/* ---- export
 * ---------------------------------------------------------------------------------------- */

struct export_ctx {
	struct request *req;
	struct db *db;
	const struct cov_params *p;
	json_t *by_org, *by_region, *by_scale, *cadres;
	lxw_worksheet *ws;
	lxw_row_t row;
};

static lxw_format *head_format(lxw_workbook *wb)
{
	lxw_format *f = workbook_add_format(wb);
	if (f) {
		format_set_bold(f);
		format_set_bg_color(f, 0xDDEBF7);
	}
	return f;
}

static void write_num_or_dash(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, json_t *v, lxw_format *f)
{
	if (json_is_number(v))
		worksheet_write_number(ws, r, c, json_number_value(v), f);
	else
		worksheet_write_string(ws, r, c, "—", NULL);
}

static void group_sheet(lxw_workbook *wb, const char *title, const char *first, json_t *rows,
			lxw_format *head, lxw_format *pctf)
{
	static const char *const heads[] = { "企业数",	   "已覆盖",	 "覆盖率（%）",
					     "规上企业数", "规上已覆盖", "规上覆盖率（%）",
					     "从未走访" };
	lxw_worksheet *ws = workbook_add_worksheet(wb, title);
	if (!ws)
		return;
	worksheet_set_column(ws, 0, 0, 28, NULL);
	worksheet_set_column(ws, 1, 7, 14, NULL);
	worksheet_write_string(ws, 0, 0, first, head);
	for (int c = 0; c < 7; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)(c + 1), heads[c], head);
	worksheet_freeze_panes(ws, 1, 0);
	size_t i;
	json_t *g;
	json_array_foreach(rows, i, g)
	{
		lxw_row_t r = (lxw_row_t)(i + 1);
		worksheet_write_string(ws, r, 0, json_string_value(json_object_get(g, "name")),
				       NULL);
		worksheet_write_number(
			ws, r, 1, (double)json_integer_value(json_object_get(g, "enterprises")),
			NULL);
		worksheet_write_number(
			ws, r, 2, (double)json_integer_value(json_object_get(g, "covered")), NULL);
		write_num_or_dash(ws, r, 3, json_object_get(g, "coverage"), pctf);
		worksheet_write_number(
			ws, r, 4, (double)json_integer_value(json_object_get(g, "above_scale")),
			NULL);
		worksheet_write_number(
			ws, r, 5,
			(double)json_integer_value(json_object_get(g, "above_scale_covered")),
			NULL);
		write_num_or_dash(ws, r, 6, json_object_get(g, "above_scale_coverage"), pctf);
		worksheet_write_number(
			ws, r, 7, (double)json_integer_value(json_object_get(g, "never_visited")),
			NULL);
	}
}

/* Cells are strings except counts; a name starting with = + - @ is text anyway
 * (worksheet_write_string never makes a formula). */
static void overdue_cells(void *ctx, struct db_res *r, const char *today)
{
	struct export_ctx *x = ctx;
	lxw_row_t row = ++x->row;
	const char *scale = db_col_text(r, 4), *last = db_col_text(r, 6);
	int ds = days_since(last, today);
	worksheet_write_string(x->ws, row, 0, db_col_text(r, 1), NULL);
	worksheet_write_string(x->ws, row, 1, db_col_text(r, 3) ? db_col_text(r, 3) : "", NULL);
	worksheet_write_string(
		x->ws, row, 2,
		scale ? liaison_name_of(enterprise_scale_codes, enterprise_scale_names, scale) : "",
		NULL);
	worksheet_write_string(x->ws, row, 3, db_col_int(r, 5) ? "是" : "否", NULL);
	worksheet_write_string(x->ws, row, 4, last ? last : "从未走访", NULL);
	if (ds >= 0)
		worksheet_write_number(x->ws, row, 5, ds, NULL);
	worksheet_write_string(x->ws, row, 6, db_col_text(r, 7) ? db_col_text(r, 7) : "未指派",
			       NULL);
}

static enum status fill_export(lxw_workbook *wb, void *ctx)
{
	struct export_ctx *x = ctx;
	lxw_format *head = head_format(wb);
	lxw_format *pctf = workbook_add_format(wb);
	if (!head || !pctf)
		return ST_NOMEM;
	format_set_num_format(pctf, "0.0");
	group_sheet(wb, "按单位", "单位", x->by_org, head, pctf);
	group_sheet(wb, "按地区", "地区", x->by_region, head, pctf);
	group_sheet(wb, "按企业规模", "企业规模", x->by_scale, head, pctf);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "按包联人员");
	if (!ws)
		return ST_NOMEM;
	static const char *const ch[] = { "姓名",	"单位",	       "包联企业",
					  "超期未走访", "覆盖率（%）", "本期走访次数",
					  "发现问题",	"已解决",      "企业评价有帮助",
					  "一般",	"打扰" };
	for (int c = 0; c < 11; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, ch[c], head);
	worksheet_set_column(ws, 0, 0, 12, NULL);
	worksheet_set_column(ws, 1, 1, 28, NULL);
	worksheet_set_column(ws, 2, 10, 12, NULL);
	worksheet_freeze_panes(ws, 1, 0);
	size_t i;
	json_t *g;
	json_array_foreach(x->cadres, i, g)
	{
		lxw_row_t r = (lxw_row_t)(i + 1);
		json_t *u = json_object_get(g, "user"), *rt = json_object_get(g, "ratings");
		worksheet_write_string(ws, r, 0, json_string_value(json_object_get(u, "name")),
				       NULL);
		worksheet_write_string(ws, r, 1, json_string_value(json_object_get(u, "org")),
				       NULL);
		static const char *const nums[] = { "enterprises", "overdue" };
		for (int c = 0; c < 2; c++)
			worksheet_write_number(
				ws, r, (lxw_col_t)(2 + c),
				(double)json_integer_value(json_object_get(g, nums[c])), NULL);
		write_num_or_dash(ws, r, 4, json_object_get(g, "coverage"), pctf);
		static const char *const more[] = { "visits", "problems", "solved" };
		for (int c = 0; c < 3; c++)
			worksheet_write_number(
				ws, r, (lxw_col_t)(5 + c),
				(double)json_integer_value(json_object_get(g, more[c])), NULL);
		static const char *const rates[] = { "helpful", "neutral", "disturbing" };
		for (int c = 0; c < 3; c++)
			worksheet_write_number(
				ws, r, (lxw_col_t)(8 + c),
				(double)json_integer_value(json_object_get(rt, rates[c])), NULL);
	}
	x->ws = workbook_add_worksheet(wb, "超期未走访企业");
	if (!x->ws)
		return ST_NOMEM;
	static const char *const oh[] = { "企业名称", "地区",	  "企业规模", "是否规上",
					  "最近走访", "距今天数", "包联人员" };
	for (int c = 0; c < 7; c++)
		worksheet_write_string(x->ws, 0, (lxw_col_t)c, oh[c], head);
	worksheet_set_column(x->ws, 0, 0, 40, NULL);
	worksheet_set_column(x->ws, 1, 5, 12, NULL);
	worksheet_set_column(x->ws, 6, 6, 30, NULL);
	worksheet_freeze_panes(x->ws, 1, 0);
	x->row = 0;
	return overdue_rows(x->req, x->db, x->p, -1, EXPORT_MAX_OVERDUE, 0, overdue_cells, x, NULL);
}

enum status coverage_export(struct request *req)
{
	struct db *db;
	struct cov_params p;
	enum status st;
	if ((st = req_db(req, &db)) || (st = read_params(req, db, &p)))
		return st;
	struct export_ctx x = { .req = req, .db = db, .p = &p };
	if ((st = groups(req, db, &SQL_COV_BY_ORG, &p, false, &x.by_org)) ||
	    (st = groups(req, db, &SQL_COV_BY_REGION, &p, false, &x.by_region)) ||
	    (st = groups(req, db, &SQL_COV_BY_SCALE, &p, true, &x.by_scale)) ||
	    (st = cadre_rows(req, db, &p, NULL, &x.cadres)))
		goto out;
	/* an export of enterprise names is audited, like the registry's */
	if ((st = db_begin(db)))
		goto out;
	st = audit_req(req, db, "liaison_coverage", 0, "export",
		       json_pack("{s:i, s:s?, s:s, s:s}", "days", p.days, "region_code", p.region,
				 "from", p.from, "to", p.to));
	if (!st)
		st = db_commit(db);
	if (st) {
		db_rollback(db);
		goto out;
	}
	st = reply_xlsx(req, arena_printf(&req->arena, "走访覆盖统计_%s.xlsx", p.today),
			   fill_export, &x);
out:
	json_decref(x.by_org);
	json_decref(x.by_region);
	json_decref(x.by_scale);
	json_decref(x.cadres);
	return st;
}
