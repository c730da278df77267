/* liaison_io.c: bulk assignment: by file (.xlsx or CSV in UTF-8/GB18030, with the registry's
 * row report: dry run, valid rows only, all or nothing) and by rule (every enterprise of a
 * region matching the rule gets one official of the region's bureau, balanced by load); the
 * import template; the .xlsx download the module's exports share. */
#include <stdio.h>
#include <stdlib.h>
#include <xlsxwriter.h>

#include "app/module.h"
#include "audit/audit.h"
#include "http/input.h"
#include "lib/csv.h"
#include "lib/textenc.h"
#include "lib/xlsx.h"
#include "modules/enterprises/enterprises.h"
#include "modules/liaison/liaison_internal.h"
#include "modules/liaison/liaison_sql.h"

#define IMPORT_MAX_ROWS	  20000
#define IMPORT_MAX_ERRORS 1000
#define RULE_MAX	  20000

#define CSV_TYPE  "text/csv; charset=utf-8"

/* ---- downloads ----------------------------------------------------------------------------------
 */


/* ---- the file's columns
 * ----------------------------------------------------------------------------- */

enum li_column {
	LC_USCC,
	LC_NAME,
	LC_KIND,
	LC_USERNAME,
	LC_PERSON,
	LC_START,
	LC_END,
	LC_NOTE,
	LC__COUNT
};

static const struct {
	const char *header, *key, *note;
	bool required;
	double width;
} columns[LC__COUNT] = {
	{ "统一社会信用代码", "uscc", "必填；企业须已在企业名录中，并在您的管辖范围内", true, 24 },
	{ "企业名称", "enterprise_name", "选填，便于核对；以信用代码为准", false, 36 },
	{ "包联类型", "kind", "必填：包联领导、包联干部或联络员", true, 12 },
	{ "用户名", "username", "必填：包联人员在本平台的登录用户名", true, 16 },
	{ "姓名", "name", "选填；填写时须与该用户名的姓名一致", false, 12 },
	{ "开始日期", "start_on", "选填，默认今天；如2026-01-01、2026/1/1或2026年1月1日", false,
	  14 },
	{ "结束日期", "end_on", "选填，不填表示长期", false, 14 },
	{ "备注", "note", "选填，200字以内", false, 30 },
};

static int column_by_header(const char *h)
{
	while (*h == ' ' || *h == '\t')
		h++;
	if (strncmp(h, "\xEF\xBB\xBF", 3) == 0)
		h += 3;
	size_t n = strlen(h);
	while (n && (h[n - 1] == ' ' || h[n - 1] == '*' || h[n - 1] == '\t'))
		n--;
	for (int c = 0; c < LC__COUNT; c++)
		if ((strlen(columns[c].header) == n && strncmp(columns[c].header, h, n) == 0) ||
		    (strlen(columns[c].key) == n && strncmp(columns[c].key, h, n) == 0))
			return c;
	return -1;
}

static enum status fill_template(lxw_workbook *wb, void *ctx)
{
	(void)ctx;
	lxw_worksheet *ws = workbook_add_worksheet(wb, "包联关系");
	lxw_worksheet *notes = workbook_add_worksheet(wb, "填写说明");
	lxw_format *head = workbook_add_format(wb);
	lxw_format *text = workbook_add_format(wb);
	if (!ws || !notes || !head || !text)
		return ST_NOMEM;
	format_set_bold(head);
	format_set_bg_color(head, 0xDDEBF7);
	format_set_num_format(text, "@");
	for (int c = 0; c < LC__COUNT; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, columns[c].width, text);
		worksheet_write_string(ws, 0, (lxw_col_t)c, columns[c].header, head);
	}
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_set_column(notes, 0, 0, 20, NULL);
	worksheet_set_column(notes, 1, 1, 70, NULL);
	worksheet_write_string(notes, 0, 0, "列名", head);
	worksheet_write_string(notes, 0, 1, "填写要求", head);
	for (int c = 0; c < LC__COUNT; c++) {
		worksheet_write_string(notes, (lxw_row_t)(c + 1), 0, columns[c].header, NULL);
		worksheet_write_string(notes, (lxw_row_t)(c + 1), 1, columns[c].note, NULL);
	}
	worksheet_write_string(notes, LC__COUNT + 2, 0, "说明", head);
	worksheet_write_string(
		notes, LC__COUNT + 2, 1,
		"第一行为列名，请勿修改；从第二行起每行一条包联关系。同一企业可有多名包联人员。",
		NULL);
	return ST_OK;
}

enum status li_import_template(struct request *req)
{
	const char *f;
	enum status st = q_str(req, "format", "文件格式", 8, &f);
	if (st)
		return st;
	if (!f || strcmp(f, "xlsx") == 0)
		return reply_xlsx(req, "包联关系导入模板.xlsx", fill_template, NULL);
	if (strcmp(f, "csv") != 0)
		return req_fail(req, ST_INVALID, "invalid_choice", "文件格式应为xlsx或csv",
				"format");
	struct str s;
	str_init(&s, 0);
	str_puts(&s, "\xEF\xBB\xBF");
	for (int c = 0; c < LC__COUNT; c++) {
		if (c)
			str_putc(&s, ',');
		str_append_csv_field(&s, columns[c].header);
	}
	str_puts(&s, "\r\n");
	char *body = str_ok(&s) ? arena_strndup(&req->arena, s.p, s.len) : NULL;
	size_t len = s.len;
	str_release(&s);
	if (!body)
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	return reply_file(req, CSV_TYPE, "包联关系导入模板.csv", body, len);
}

/* ---- reading the file
 * ---------------------------------------------------------------------------- */

struct raw_row {
	long line;
	int n;
	char **cells;
};

struct reader {
	struct arena *a;
	struct raw_row *rows;
	size_t n, alloc;
	bool too_many, nomem;
};

static int keep_row(void *ctx, long line, const char *const *cells, int ncols)
{
	struct reader *rd = ctx;
	if (rd->n >= IMPORT_MAX_ROWS + 1) {
		rd->too_many = true;
		return 1;
	}
	if (rd->n == rd->alloc) {
		size_t n = rd->alloc ? rd->alloc * 2 : 256;
		struct raw_row *x = arena_alloc(rd->a, n * sizeof(*x));
		if (!x) {
			rd->nomem = true;
			return 1;
		}
		if (rd->n)
			memcpy(x, rd->rows, rd->n * sizeof(*x));
		rd->rows = x;
		rd->alloc = n;
	}
	struct raw_row *r = &rd->rows[rd->n];
	r->line = line;
	r->n = ncols;
	r->cells = arena_alloc(rd->a, sizeof(char *) * (size_t)(ncols ? ncols : 1));
	if (!r->cells) {
		rd->nomem = true;
		return 1;
	}
	bool any = false;
	for (int i = 0; i < ncols; i++) {
		r->cells[i] = cells[i] ? arena_strdup(rd->a, cells[i]) : NULL;
		any = any || (cells[i] && *cells[i]);
	}
	if (any)
		rd->n++;
	return 0;
}

/* Read the body (an .xlsx or a CSV) into rd; *format and *encoding say what it was. */
static enum status read_file(struct request *req, struct reader *rd, const char **format,
			     const char **encoding)
{
	const char *p = req->body.p;
	size_t len = req->body.len;
	*encoding = NULL;
	if (req->body_too_large)
		return req_fail(req, ST_TOO_LARGE, "file_too_large", "文件过大", "file");
	if (!len)
		return req_fail(req, ST_INVALID, "empty_file", "请上传文件（CSV或Excel .xlsx）",
				"file");
	if (len >= 4 && memcmp(p, "PK\x03\x04", 4) == 0) {
		*format = "xlsx";
		char err[256];
		struct xlsx_limits lim = { .max_file_bytes = req->app->cfg->upload_max_bytes,
					   .max_entries = 1000,
					   .max_entry_bytes = 100u << 20,
					   .max_rows = IMPORT_MAX_ROWS + 2,
					   .max_cols = 64,
					   .max_cell_bytes = 4096 };
		enum status st = xlsx_read(p, len, &lim, keep_row, rd, err, sizeof(err));
		if (st)
			return req_fail(req,
					st == ST_TOO_LARGE ? ST_TOO_LARGE
					: st == ST_NOMEM   ? ST_NOMEM
							   : ST_INVALID,
					st == ST_TOO_LARGE ? "file_too_large" : "invalid_file",
					arena_strdup(&req->arena, err), "file");
		return rd->nomem ? ST_NOMEM : ST_OK;
	}
	if (len >= 4 && memcmp(p, "\xD0\xCF\x11\xE0", 4) == 0)
		return req_fail(req, ST_INVALID, "unsupported_file",
				"不支持旧版Excel（.xls）文件，请另存为.xlsx或CSV后导入", "file");
	*format = "csv";
	char *text;
	size_t tlen;
	enum text_encoding enc;
	enum status st = text_to_utf8(p, len, &text, &tlen, &enc);
	if (st)
		return req_fail(req, st == ST_NOMEM ? ST_NOMEM : ST_INVALID, "invalid_file",
				"文件既不是UTF-8也不是GB18030编码的CSV，也不是.xlsx文件", "file");
	*encoding = text_encoding_name(enc);
	struct csv c;
	csv_init(&c, text, tlen, 4096);
	const char *cells[CSV_MAX_FIELDS];
	while ((st = csv_next(&c)) == ST_OK) {
		for (int i = 0; i < c.nfields; i++)
			cells[i] = c.field[i];
		if (keep_row(rd, c.row_line, cells, c.nfields))
			break;
	}
	if (st == ST_INVALID || st == ST_TOO_LARGE) {
		const char *why = arena_printf(&req->arena, "CSV第%ld行格式错误：%s", c.row_line,
					       c.error ? c.error : "无法解析");
		csv_release(&c);
		free(text);
		return req_fail(req, ST_INVALID, "invalid_file", why, "file");
	}
	csv_release(&c);
	free(text);
	return rd->nomem ? ST_NOMEM : ST_OK;
}

/* ---- checking and writing
 * ------------------------------------------------------------------------- */

struct imp_error {
	long row;
	int column; /* enum li_column, -1 for the row */
	const char *code, *message;
};

struct imp_row {
	long line;
	int64_t enterprise_id, user_id;
	const char *enterprise_name, *kind, *start_on, *end_on, *note, *uscc, *username;
	bool bad;
};

struct importer {
	struct request *req;
	struct arena *a;
	int col_of[LC__COUNT];
	struct imp_error *errors;
	size_t nerrors, alloc, error_rows;
};

static void add_error(struct importer *im, struct imp_row *r, int column, const char *code,
		      const char *message)
{
	if (!r->bad)
		im->error_rows++;
	r->bad = true;
	if (im->nerrors == im->alloc) {
		size_t n = im->alloc ? im->alloc * 2 : 128;
		struct imp_error *x = arena_alloc(im->a, n * sizeof(*x));
		if (!x)
			return;
		if (im->nerrors)
			memcpy(x, im->errors, im->nerrors * sizeof(*x));
		im->errors = x;
		im->alloc = n;
	}
	im->errors[im->nerrors++] = (struct imp_error){ r->line, column, code, message };
}

static const char *cell(const struct importer *im, const struct raw_row *raw, int column)
{
	int k = im->col_of[column];
	if (k < 0 || k >= raw->n || !raw->cells[k])
		return NULL;
	char *s = raw->cells[k];
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return n ? s : NULL;
}

static json_t *report_json(struct importer *im, const char *format, const char *encoding,
			   bool dry_run, bool committed, size_t total, size_t created,
			   size_t skipped)
{
	json_t *errs = json_array();
	for (size_t i = 0; i < im->nerrors && i < IMPORT_MAX_ERRORS; i++) {
		const struct imp_error *e = &im->errors[i];
		json_array_append_new(
			errs, json_pack("{s:I, s:s?, s:s?, s:s, s:s}", "row", (json_int_t)e->row,
					"column", e->column >= 0 ? columns[e->column].header : NULL,
					"field", e->column >= 0 ? columns[e->column].key : NULL,
					"code", e->code, "message", e->message));
	}
	return json_pack("{s:s, s:s?, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:o, s:b}", "format",
			 format, "encoding", encoding, "dry_run", dry_run, "committed", committed,
			 "total_rows", (json_int_t)total, "valid_rows",
			 (json_int_t)(total - im->error_rows), "error_rows",
			 (json_int_t)im->error_rows, "created", (json_int_t)created, "skipped",
			 (json_int_t)skipped, "errors", errs, "errors_truncated",
			 im->nerrors > IMPORT_MAX_ERRORS);
}

static bool q_flag(struct request *req, const char *name)
{
	const char *v = req_query(req, name);
	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

/* Check one row's cells against the registry, the users and the scope. */
static enum status check_row(struct importer *im, struct db *db, const struct raw_row *raw,
			     struct imp_row *r, const char *today)
{
	struct request *req = im->req;
	struct arena *a = im->a;
	enum status st;
	r->line = raw->line;
	r->uscc = cell(im, raw, LC_USCC);
	const char *kind = cell(im, raw, LC_KIND), *person = cell(im, raw, LC_PERSON);
	r->username = cell(im, raw, LC_USERNAME);
	if (!r->uscc) {
		add_error(im, r, LC_USCC, "required", "统一社会信用代码不能为空");
	} else {
		int64_t id;
		st = enterprises_id_by_uscc(db, r->uscc, &id);
		if (st == ST_NOT_FOUND) {
			add_error(
				im, r, LC_USCC, "unknown_enterprise",
				arena_printf(a, "统一社会信用代码%s的企业不在企业名录中", r->uscc));
		} else if (st) {
			return st;
		} else {
			struct db_val args[6];
			scope_filter(req, args);
			args[5] = db_int(id);
			struct db_res *q = db_query(db, &SQL_LI_ENTERPRISE, args, 6);
			bool visible = db_next(q);
			if (visible) {
				r->enterprise_name = arena_strdup(a, db_col_text(q, 1));
				if (strcmp(db_col_text(q, 5), "deregistered") == 0)
					add_error(im, r, LC_USCC, "invalid_enterprise",
						  "该企业已注销，不能指派包联");
			}
			if ((st = db_done(q)))
				return st;
			if (!visible)
				add_error(im, r, LC_USCC, "out_of_scope",
					  "该信用代码的企业不在您的管辖范围内");
			r->enterprise_id = id;
		}
	}
	int k = liaison_choice(liaison_kind_codes, liaison_kind_names, kind);
	if (!kind)
		add_error(im, r, LC_KIND, "required", "包联类型不能为空");
	else if (k < 0)
		add_error(
			im, r, LC_KIND, "invalid_choice",
			arena_printf(a, "包联类型“%s”无效，应为包联领导、包联干部或联络员", kind));
	else
		r->kind = liaison_kind_codes[k];
	if (!r->username) {
		add_error(im, r, LC_USERNAME, "required", "用户名不能为空");
	} else {
		struct li_user u;
		st = li_user_get(req, db, 0, r->username, &u);
		if (st && st != ST_NOT_FOUND)
			return st;
		if (st == ST_NOT_FOUND)
			add_error(im, r, LC_USERNAME, "unknown_user",
				  arena_printf(a, "用户名“%s”不存在", r->username));
		else if (strcmp(u.status, "active") != 0)
			add_error(im, r, LC_USERNAME, "invalid_user", "该用户账号已停用");
		else if (u.enterprise_id)
			add_error(im, r, LC_USERNAME, "invalid_user", "企业用户不能担任包联人员");
		else if (!li_user_has_perm(db, u.id, "visit.write"))
			add_error(im, r, LC_USERNAME, "invalid_user",
				  "该用户没有登记走访的权限，不能担任包联人员");
		else if (person && strcmp(person, u.display_name) != 0)
			add_error(im, r, LC_PERSON, "name_mismatch",
				  arena_printf(a, "用户名%s对应的姓名是“%s”，与所填“%s”不一致",
					       r->username, u.display_name, person));
		else
			r->user_id = u.id;
	}
	const char *s = cell(im, raw, LC_START), *e = cell(im, raw, LC_END);
	char buf[11];
	if (s && !ent_parse_date(s, buf))
		add_error(im, r, LC_START, "invalid_date",
			  arena_printf(a, "开始日期“%s”不是有效的日期", s));
	else
		r->start_on = s ? arena_strdup(a, buf) : today;
	if (e && !ent_parse_date(e, buf))
		add_error(im, r, LC_END, "invalid_date",
			  arena_printf(a, "结束日期“%s”不是有效的日期", e));
	else if (e)
		r->end_on = arena_strdup(a, buf);
	if (r->start_on && r->end_on && strcmp(r->end_on, r->start_on) < 0)
		add_error(im, r, LC_END, "invalid_date", "结束日期不能早于开始日期");
	r->note = cell(im, raw, LC_NOTE);
	if (r->note && utf8_len(r->note, strlen(r->note)) > 200)
		add_error(im, r, LC_NOTE, "too_long", "备注不能超过200个字");
	return ST_OK;
}

enum status li_import(struct request *req)
{
	struct db *db;
	enum status st = req_db(req, &db);
	if (st)
		return st;
	bool dry_run = q_flag(req, "dry_run"), valid_only = q_flag(req, "valid_only");
	struct reader rd = { &req->arena, NULL, 0, 0, false, false };
	const char *format = NULL, *encoding = NULL;
	if ((st = read_file(req, &rd, &format, &encoding)))
		return st;
	if (rd.too_many)
		return req_failf(req, ST_TOO_LARGE, "too_many_rows", "file",
				 "文件超过%d行，请分批导入", IMPORT_MAX_ROWS);
	if (rd.n == 0)
		return req_fail(req, ST_INVALID, "empty_file", "文件中没有内容", "file");
	struct importer im;
	memset(&im, 0, sizeof(im));
	im.req = req;
	im.a = &req->arena;
	for (int c = 0; c < LC__COUNT; c++)
		im.col_of[c] = -1;
	for (int k = 0; k < rd.rows[0].n; k++) {
		int c = rd.rows[0].cells[k] ? column_by_header(rd.rows[0].cells[k]) : -1;
		if (c >= 0 && im.col_of[c] < 0)
			im.col_of[c] = k;
	}
	for (int c = 0; c < LC__COUNT; c++)
		if (columns[c].required && im.col_of[c] < 0)
			return req_failf(req, ST_INVALID, "missing_column", columns[c].key,
					 "文件第一行缺少“%s”列，请使用导入模板", columns[c].header);
	size_t total = rd.n - 1;
	struct imp_row *rows = arena_zalloc(&req->arena, sizeof(*rows) * (total ? total : 1));
	if (!rows)
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	const char *today = li_today(req);
	/* checked and written in one transaction (a dry run only reads) */
	st = dry_run ? ST_OK : db_begin(db);
	for (size_t i = 0; !st && i < total; i++)
		st = check_row(&im, db, &rd.rows[i + 1], &rows[i], today);
	/* the same assignment twice in the file, or overlapping one already made */
	for (size_t i = 0; !st && i < total; i++) {
		struct imp_row *r = &rows[i];
		if (r->bad)
			continue;
		for (size_t k = 0; k < i; k++) {
			struct imp_row *o = &rows[k];
			if (!o->bad && o->enterprise_id == r->enterprise_id &&
			    o->user_id == r->user_id && strcmp(o->kind, r->kind) == 0) {
				add_error(&im, r, LC_USERNAME, "duplicate_in_file",
					  arena_printf(im.a, "与第%ld行重复", o->line));
				break;
			}
		}
		if (r->bad)
			continue;
		int64_t other;
		st = db_int1(db, &SQL_LI_OVERLAP,
			     DB_ARGS(db_int(r->enterprise_id), db_int(r->user_id), db_text(r->kind),
				     db_text(r->start_on), db_text(r->end_on), db_int(0)),
			     &other);
		if (st == ST_NOT_FOUND) {
			st = ST_OK;
		} else if (!st) {
			add_error(&im, r, LC_USERNAME, "duplicate_liaison",
				  arena_printf(im.a, "%s在这段时间已是该企业的%s", r->username,
					       liaison_name_of(liaison_kind_codes,
							       liaison_kind_names, r->kind)));
		}
	}
	if (st) {
		db_rollback(db);
		return st;
	}
	bool commit = !dry_run && (im.error_rows == 0 || valid_only);
	size_t created = 0;
	if (!commit && !dry_run)
		db_rollback(db);
	if (commit) {
		for (size_t i = 0; !st && i < total; i++) {
			struct imp_row *r = &rows[i];
			if (r->bad)
				continue;
			int64_t id;
			st = db_int1(
				db, &SQL_LI_INSERT,
				DB_ARGS(db_int(r->enterprise_id), db_int(r->user_id),
					db_text(r->kind), db_text(r->start_on), db_text(r->end_on),
					db_int(liaison_active_on(r->start_on, r->end_on, today)),
					db_text("import"), db_text(r->note),
					db_int(req->user->user_id), db_int(req->now)),
				&id);
			created += !st;
		}
		if (!st)
			st = audit_req(req, db, "liaison", 0, "import",
				       json_pack("{s:s, s:s?, s:I, s:I, s:I}", "format", format,
						 "encoding", encoding, "rows", (json_int_t)total,
						 "created", (json_int_t)created, "error_rows",
						 (json_int_t)im.error_rows));
		if (!st)
			st = db_commit(db);
		if (st) {
			db_rollback(db);
			return st;
		}
	}
	json_t *rep = report_json(&im, format, encoding, dry_run, commit, total, created,
				  commit ? im.error_rows : total);
	if (!commit && !dry_run) {
		json_decref(req->err_extra);
		req->err_extra = json_pack("{s:o}", "report", rep);
		return req_failf(
			req, ST_INVALID, "import_rejected", NULL,
			"%zu行有错误，未导入任何包联关系；请修改后重新导入，或选择只导入正确的行",
			im.error_rows);
	}
	return reply_json(req, 200, rep);
}

/* ---- by rule
 * ---------------------------------------------------------------------------------------- */

enum status li_rule(struct request *req)
{
	static const char *const fields[] = { "region_code", "above_scale", "scale",
					      "kind",	     "role",	    "org_id",
					      "start_on",    "dry_run",	    NULL };
	json_t *body;
	const char *region, *scale, *role, *start;
	bool above = true, has_above = false, dry_run = false;
	int kind = LK_CADRE;
	int64_t org_id = 0;
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) || (st = in_only(req, body, fields)) ||
	    (st = in_str(req, body, "region_code", "地区", IN_REQUIRED | IN_TRIM, 6, &region,
			 NULL)) ||
	    (st = in_bool(req, body, "above_scale", "是否只含规上企业", 0, &above, &has_above)) ||
	    (st = in_str(req, body, "scale", "企业规模", IN_TRIM, 16, &scale, NULL)) ||
	    (st = in_enum(req, body, "kind", "包联类型", 0, liaison_kind_codes, &kind, NULL)) ||
	    (st = in_str(req, body, "role", "从哪个角色中选人", IN_TRIM, 32, &role, NULL)) ||
	    (st = in_int(req, body, "org_id", "单位", 0, 1, INT64_MAX, &org_id, NULL)) ||
	    (st = in_str(req, body, "start_on", "开始日期", IN_TRIM, 10, &start, NULL)) ||
	    (st = in_bool(req, body, "dry_run", "只预览", 0, &dry_run, NULL)) ||
	    (st = req_db(req, &db)))
		return st;
	if (strlen(region) != 6 || strspn(region, "0123456789") != 6)
		return req_fail(req, ST_INVALID, "invalid_region", "地区代码应为6位数字",
				"region_code");
	if (scale && liaison_choice(enterprise_scale_codes, enterprise_scale_names, scale) < 0)
		return req_fail(req, ST_INVALID, "invalid_choice",
				"企业规模应为大型、中型、小型或微型", "scale");
	if (scale)
		scale = enterprise_scale_codes[liaison_choice(enterprise_scale_codes,
							      enterprise_scale_names, scale)];
	if (!has_above)
		above = true;
	json_t *above_j = json_object_get(body, "above_scale");
	bool any_size = above_j && json_is_null(above_j);
	const char *today = li_today(req);
	char sbuf[11];
	if (start && !ent_parse_date(start, sbuf))
		return req_fail(req, ST_INVALID, "invalid_date", "开始日期不是有效的日期",
				"start_on");
	start = start ? arena_strdup(&req->arena, sbuf) : today;
	if (strcmp(start, today) < 0)
		return req_fail(req, ST_INVALID, "invalid_date", "开始日期不能早于今天",
				"start_on");
	if (!role || !*role)
		role = "cadre";
	/* the bureau whose officials are chosen */
	const char *org_path = NULL, *org_name = NULL;
	struct db_res *r = org_id ? db_query(db, &SQL_RULE_ORG, DB_ARGS(db_int(org_id)))
				  : db_query(db, &SQL_RULE_BUREAU, DB_ARGS(db_text(region)));
	if (db_next(r)) {
		org_id = db_col_int(r, 0);
		org_path = arena_strdup(&req->arena, db_col_text(r, 1));
		org_name = arena_strdup(&req->arena, db_col_text(r, 2));
	}
	if ((st = db_done(r)))
		return st;
	if (!org_path)
		return req_fail(req, ST_INVALID, "invalid_org", "没有找到负责该地区的工信部门",
				json_object_get(body, "org_id") ? "org_id" : "region_code");
	if (!scope_allows(&req->scope, org_path, org_id, 0, 0))
		return req_fail(req, ST_INVALID, "out_of_scope", "该单位不在您的管辖范围内",
				json_object_get(body, "org_id") ? "org_id" : "region_code");
	/* the officials to choose from, with their loads */
	struct liaison_candidate *cands = arena_alloc(&req->arena, sizeof(*cands) * 1000);
	const char **names = arena_alloc(&req->arena, sizeof(*names) * 1000);
	int *before = arena_alloc(&req->arena, sizeof(int) * 1000);
	if (!cands || !names || !before)
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	int nc = 0;
	r = db_query(db, &SQL_RULE_CANDIDATES,
		     DB_ARGS(db_text(org_path), db_text(role), db_text(liaison_kind_codes[kind])));
	while (db_next(r) && nc < 1000) {
		cands[nc] = (struct liaison_candidate){ db_col_int(r, 0), (int)db_col_int(r, 2) };
		names[nc] = arena_strdup(&req->arena, db_col_text(r, 1));
		before[nc] = cands[nc].load;
		nc++;
	}
	if ((st = db_done(r)))
		return st;
	if (!nc)
		return req_failf(req, ST_INVALID, "no_candidates", "role",
				 "%s没有可分配的人员（角色%s、能登记走访的在岗账号）", org_name,
				 role);
	/* the enterprises the rule covers and that lack such a liaison */
	struct db_val a[10];
	scope_filter(req, a);
	a[5] = db_text(region);
	a[6] = any_size ? db_null() : db_int(above);
	a[7] = db_text(scale);
	a[8] = db_text(liaison_kind_codes[kind]);
	a[9] = db_text(today);
	int64_t *ents = arena_alloc(&req->arena, sizeof(int64_t) * (RULE_MAX + 1));
	const char **enames = arena_alloc(&req->arena, sizeof(char *) * (RULE_MAX + 1));
	if (!ents || !enames)
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	int ne = 0;
	r = db_query(db, &SQL_RULE_ENTERPRISES, a, 10);
	while (db_next(r) && ne <= RULE_MAX) {
		ents[ne] = db_col_int(r, 0);
		enames[ne] = arena_strdup(&req->arena, db_col_text(r, 1));
		ne++;
	}
	if ((st = db_done(r)))
		return st;
	if (ne > RULE_MAX)
		return req_failf(req, ST_TOO_LARGE, "too_many", "region_code",
				 "一次最多按规则分配%d家企业，请缩小范围", RULE_MAX);
	int *pick = arena_alloc(&req->arena, sizeof(int) * (size_t)(ne ? ne : 1));
	if (!pick)
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	liaison_balance(cands, nc, ne, pick);
	if (!dry_run) {
		if ((st = db_begin(db)))
			return st;
		bool active = liaison_active_on(start, NULL, today);
		for (int i = 0; !st && i < ne; i++) {
			int64_t id;
			st = db_int1(db, &SQL_LI_INSERT,
				     DB_ARGS(db_int(ents[i]), db_int(cands[pick[i]].user_id),
					     db_text(liaison_kind_codes[kind]), db_text(start),
					     db_null(), db_int(active), db_text("rule"), db_null(),
					     db_int(req->user->user_id), db_int(req->now)),
				     &id);
		}
		if (!st)
			st = audit_req(req, db, "liaison", 0, "assign_by_rule",
				       json_pack("{s:s, s:o, s:s?, s:s, s:s, s:I, s:s, s:i}",
						 "region_code", region, "above_scale",
						 any_size ? json_null() : json_boolean(above),
						 "scale", scale, "kind", liaison_kind_codes[kind],
						 "role", role, "org_id", (json_int_t)org_id,
						 "start_on", start, "assigned", ne));
		if (!st)
			st = db_commit(db);
		if (st) {
			db_rollback(db);
			return st;
		}
	}
	json_t *people = json_array(), *assigned = json_array();
	for (int k = 0; k < nc; k++)
		json_array_append_new(people,
				      json_pack("{s:I, s:s, s:i, s:i, s:i}", "id",
						(json_int_t)cands[k].user_id, "name", names[k],
						"load_before", before[k], "load_after",
						cands[k].load, "added", cands[k].load - before[k]));
	for (int i = 0; i < ne && i < 500; i++)
		json_array_append_new(assigned,
				      json_pack("{s:{s:I, s:s}, s:{s:I, s:s}}", "enterprise", "id",
						(json_int_t)ents[i], "name", enames[i], "user",
						"id", (json_int_t)cands[pick[i]].user_id, "name",
						names[pick[i]]));
	return reply_json(req, dry_run ? 200 : 201,
			  json_pack("{s:b, s:b, s:s, s:s, s:{s:I, s:s}, s:i, s:o, s:o, s:b}",
				    "dry_run", dry_run, "committed", !dry_run, "kind",
				    liaison_kind_codes[kind], "start_on", start, "org", "id",
				    (json_int_t)org_id, "name", org_name, "enterprises", ne,
				    "people", people, "assigned", assigned, "assigned_truncated",
				    ne > 500));
}
