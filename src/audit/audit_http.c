/* audit_http.c: the audit admin's view of the log: filtered list and CSV export. */
#include "app/module.h"
#include "audit/audit.h"
#include "audit/audit_sql.h"
#include "http/input.h"
#include "lib/date.h"
#include "lib/fault.h"

#define EXPORT_MAX_ROWS 200000

struct audit_filter {
	const char *username, *entity, *action, *result;
	int64_t from_ts, to_ts, entity_id; /* 0 = none */
};

static enum status read_filter(struct request *req, struct audit_filter *f)
{
	static const char *const results[] = {"success", "failure", NULL};
	memset(f, 0, sizeof(*f));
	struct date d;
	bool has;
	enum status st;
	if ((st = q_str(req, "username", "用户名", 64, &f->username)) ||
	    (st = q_str(req, "entity", "对象类型", 64, &f->entity)) ||
	    (st = q_str(req, "action", "操作", 64, &f->action)) ||
	    (st = q_str(req, "result", "结果", 16, &f->result)) ||
	    (st = q_int(req, "entity_id", "对象编号", 1, INT64_MAX, 0, &f->entity_id)))
		return st;
	if (f->result && strcmp(f->result, results[0]) != 0 && strcmp(f->result, results[1]) != 0)
		return req_fail(req, ST_INVALID, "invalid_choice", "结果应为 success 或 failure",
				"result");
	if ((st = q_date(req, "from", "开始日期", &d, &has)))
		return st;
	if (has)
		date_local_midnight_ts(d, &f->from_ts);
	if ((st = q_date(req, "to", "结束日期", &d, &has)))
		return st;
	if (has) {
		date_local_midnight_ts(d, &f->to_ts);
		f->to_ts += 86400; /* the whole of the last day */
	}
	if (f->from_ts && f->to_ts && f->from_ts >= f->to_ts)
		return req_fail(req, ST_INVALID, "invalid_range", "结束日期不能早于开始日期", "to");
	return ST_OK;
}

static void filter_args(struct request *req, const struct audit_filter *f, struct db_val *a)
{
	scope_filter(req, a);
	a[5] = db_text(f->username);
	a[6] = db_text(f->entity);
	a[7] = db_text(f->action);
	a[8] = db_text(f->result);
	a[9] = f->from_ts ? db_int(f->from_ts) : db_null();
	a[10] = f->to_ts ? db_int(f->to_ts) : db_null();
	a[11] = db_id_or_null(f->entity_id);
}

static json_t *audit_row(struct request *req, struct db_res *r, void *ctx)
{
	(void)ctx;
	json_error_t err;
	const char *summary = db_col_text(r, 9);
	fault_hold(true); /* see req_json: jansson's lexer and a failed allocation */
	json_t *sum = summary ? json_loads(summary, 0, &err) : NULL;
	fault_hold(false);
	return json_pack("{s:I, s:o, s:o, s:s?, s:s?, s:s?, s:s?, s:o, s:s?, s:o, s:s?}", "id",
			 (json_int_t)db_col_int(r, 0), "at", json_time(req, db_col_int(r, 1)),
			 "user_id",
			 db_col_null(r, 2) ? json_null() : json_integer(db_col_int(r, 2)),
			 "username", db_col_text(r, 3), "ip", db_col_text(r, 4), "request_id",
			 db_col_text(r, 5), "entity", db_col_text(r, 6), "entity_id",
			 db_col_null(r, 7) ? json_null() : json_integer(db_col_int(r, 7)),
			 "action", db_col_text(r, 8), "summary", sum ? sum : json_object(),
			 "result", db_col_text(r, 10));
}

static enum status audit_list(struct request *req)
{
	struct audit_filter f;
	struct paging pg;
	struct db *db;
	enum status st;
	if ((st = read_filter(req, &f)) || (st = q_paging(req, &pg)) || (st = req_db(req, &db)))
		return st;
	struct db_val a[14];
	filter_args(req, &f, a);
	return reply_list(req, db, &SQL_AUDIT_COUNT, &SQL_AUDIT_LIST, a, 12, 14, &pg, audit_row,
			  NULL);
}

static enum status audit_export(struct request *req)
{
	struct audit_filter f;
	struct db *db;
	enum status st;
	if ((st = read_filter(req, &f)) || (st = req_db(req, &db)))
		return st;
	struct db_val a[14];
	filter_args(req, &f, a);
	a[12] = db_int(EXPORT_MAX_ROWS);
	a[13] = db_int(0);
	struct str out;
	str_init(&out, 256u << 20);
	str_puts(&out, "\xEF\xBB\xBF"); /* BOM: Excel on Chinese Windows then reads UTF-8 */
	str_puts(&out, "编号,时间,用户ID,用户名,来源IP,请求ID,对象类型,对象编号,操作,摘要,结果\r\n");
	int64_t rows = 0;
	struct db_res *r = db_query(db, &SQL_AUDIT_LIST, a, 14);
	while (db_next(r)) {
		str_appendf(&out, "%lld,", (long long)db_col_int(r, 0));
		str_append_csv_field(&out, req_time(req, db_col_int(r, 1)));
		str_putc(&out, ',');
		if (!db_col_null(r, 2))
			str_appendf(&out, "%lld", (long long)db_col_int(r, 2));
		for (int c = 3; c <= 10; c++) {
			str_putc(&out, ',');
			if (c == 7) {
				if (!db_col_null(r, 7))
					str_appendf(&out, "%lld", (long long)db_col_int(r, 7));
				continue;
			}
			str_append_csv_field(&out, db_col_text(r, c));
		}
		str_puts(&out, "\r\n");
		rows++;
	}
	st = db_done(r);
	if (!st && !str_ok(&out))
		st = req_fail(req, ST_TOO_LARGE, "export_too_large", "导出内容过大，请缩小筛选范围",
			      NULL);
	if (!st)
		st = db_begin(db);
	if (!st) {
		st = audit_req(req, db, "audit_log", 0, "export",
			       json_pack("{s:I, s:s?, s:s?, s:s?}", "rows", (json_int_t)rows,
					 "username", f.username, "entity", f.entity, "action",
					 f.action));
		st = st ? st : db_commit(db);
		if (st)
			db_rollback(db);
	}
	if (st) {
		str_release(&out);
		return st;
	}
	char *body = arena_strndup(&req->arena, out.p, out.len);
	size_t len = out.len;
	str_release(&out);
	if (!body)
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	req_set_header(req, "Content-Disposition", "attachment; filename=\"audit-log.csv\"");
	return reply_raw(req, 200, "text/csv; charset=utf-8", body, len);
}

static const struct route audit_routes[] = {
	{"GET", "/api/v1/audit", audit_list, PERM_AUDIT_READ, 0},
	{"GET", "/api/v1/audit/export", audit_export, PERM_AUDIT_READ, ROUTE_LONG},
};

const struct module audit_module = {
	.name = "audit",
	.routes = audit_routes,
	.nroutes = COUNT_OF(audit_routes),
	.migrations = audit_migrations,
};
