/* enterprises_io.c: the registry's files: import (CSV in UTF-8 or GB18030, .xlsx), the import
 * template, and export of a filtered list to .xlsx or CSV. */
#include <errno.h>
#include <stdio.h>
#include <xlsxwriter.h>

#include "app/module.h"
#include "audit/audit.h"
#include "http/input.h"
#include "lib/date.h"
#include "lib/csv.h"
#include "lib/log.h"
#include "lib/textenc.h"
#include "lib/xlsx.h"
#include "modules/enterprises/enterprises_internal.h"
#include "modules/enterprises/enterprises_sql.h"

#define IMPORT_MAX_ROWS 100000
#define IMPORT_MAX_ERRORS 1000
#define EXPORT_MAX_ROWS 200000

#define CSV_TYPE "text/csv; charset=utf-8"

static enum status q_format(struct request *req, bool *xlsx)
{
	const char *f;
	enum status st = q_str(req, "format", "文件格式", 8, &f);
	if (st)
		return st;
	if (!f || strcmp(f, "xlsx") == 0)
		*xlsx = true;
	else if (strcmp(f, "csv") == 0)
		*xlsx = false;
	else
		return req_fail(req, ST_INVALID, "invalid_choice", "文件格式应为xlsx或csv", "format");
	return ST_OK;
}

/* ---- the template --------------------------------------------------------------------------- */

static enum status fill_template(lxw_workbook *wb, void *ctx)
{
	(void)ctx;
	lxw_worksheet *ws = workbook_add_worksheet(wb, "企业名录");
	lxw_worksheet *notes = workbook_add_worksheet(wb, "填写说明");
	lxw_format *head = workbook_add_format(wb);
	format_set_bold(head);
	format_set_bg_color(head, 0xDDEBF7);
	lxw_format *text = workbook_add_format(wb);
	format_set_num_format(text, "@");
	if (!ws || !notes || !head || !text)
		return ST_NOMEM;
	for (int c = 0; c < EC__COUNT; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, ent_columns[c].width, text);
		worksheet_write_string(ws, 0, (lxw_col_t)c, ent_columns[c].header, head);
	}
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_set_column(notes, 0, 0, 22, NULL);
	worksheet_set_column(notes, 1, 1, 70, NULL);
	worksheet_write_string(notes, 0, 0, "列名", head);
	worksheet_write_string(notes, 0, 1, "填写要求", head);
	for (int c = 0; c < EC__COUNT; c++) {
		worksheet_write_string(notes, (lxw_row_t)(c + 1), 0, ent_columns[c].header, NULL);
		worksheet_write_string(notes, (lxw_row_t)(c + 1), 1,
				       ent_columns[c].note[0] ? ent_columns[c].note : "选填", NULL);
	}
	worksheet_write_string(notes, EC__COUNT + 2, 0, "说明", head);
	worksheet_write_string(notes, EC__COUNT + 2, 1,
			       "第一行为列名，请勿修改；从第二行起每行一家企业。信用代码列请保持文本格式。",
			       NULL);
	return ST_OK;
}

enum status ent_import_template(struct request *req)
{
	bool xlsx;
	enum status st = q_format(req, &xlsx);
	if (st)
		return st;
	if (xlsx) {
		return reply_xlsx(req, "企业导入模板.xlsx", fill_template, NULL);
	}
	struct str s;
	str_init(&s, 0);
	str_puts(&s, "\xEF\xBB\xBF");
	for (int c = 0; c < EC__COUNT; c++) {
		if (c)
			str_putc(&s, ',');
		str_append_csv_field(&s, ent_columns[c].header);
	}
	str_puts(&s, "\r\n");
	char *body = str_ok(&s) ? arena_strndup(&req->arena, s.p, s.len) : NULL;
	size_t len = s.len;
	str_release(&s);
	if (!body)
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	return reply_file(req, CSV_TYPE, "企业导入模板.csv", body, len);
}

/* ---- export ---------------------------------------------------------------------------------- */

static const char *const export_extra[] = {"地区名称", "行业名称", "主管部门", "更新时间"};
#define NEXTRA 4

/* One record's cells in export order (the import columns, then the extra ones). */
static void export_cells(struct request *req, struct arena *a, const struct ent_rec *rec,
			 const char **cells)
{
	cells[EC_USCC] = rec->uscc;
	cells[EC_NAME] = rec->name;
	cells[EC_LEGAL_REP] = rec->legal_rep;
	cells[EC_REGION] = rec->region_code;
	cells[EC_INDUSTRY] = rec->industry_code;
	cells[EC_OWNERSHIP] = ent_field_text(a, rec, EF_OWNERSHIP);
	cells[EC_SCALE] = ent_field_text(a, rec, EF_SCALE);
	cells[EC_ABOVE_SCALE] = ent_field_text(a, rec, EF_ABOVE_SCALE);
	cells[EC_STATUS] = ent_field_text(a, rec, EF_STATUS);
	cells[EC_FOUNDED] = rec->founded_on;
	cells[EC_CAPITAL] = ent_field_text(a, rec, EF_CAPITAL);
	cells[EC_EMPLOYEES] = ent_field_text(a, rec, EF_EMPLOYEES);
	cells[EC_ADDRESS] = rec->address;
	cells[EC_TAGS] = ent_field_text(a, rec, EF_TAGS);
	cells[EC_CONTACT_NAME] = rec->ncontacts ? rec->contacts[0].name : NULL;
	cells[EC_CONTACT_ROLE] = rec->ncontacts ? rec->contacts[0].role : NULL;
	cells[EC_CONTACT_MOBILE] = rec->ncontacts ? rec->contacts[0].mobile : NULL;
	cells[EC__COUNT] = rec->region_name;
	cells[EC__COUNT + 1] = rec->industry_name;
	cells[EC__COUNT + 2] = rec->org_name;
	cells[EC__COUNT + 3] = req_time(req, rec->updated_at);
}

struct export_ctx {
	struct request *req;
	struct db *db;
	struct db_val *args;
	int mode, sort;
	bool xlsx;
	lxw_worksheet *ws;
	lxw_format *head;
	struct str csv;
	long rows;
};

/* Run the list statement over every matching row (up to the cap) and write each. */
static enum status export_rows(struct export_ctx *x)
{
	struct arena scratch;
	arena_init(&scratch, 16384, 16u << 20);
	x->args[18] = db_int(EXPORT_MAX_ROWS);
	x->args[19] = db_int(0);
	struct db_res *r = db_query(x->db, &SQL_ENT_LIST[x->sort][x->mode], x->args, 20);
	enum status st = ST_OK;
	while (!st && db_next(r)) {
		struct ent_rec rec;
		ent_rec_from_row(&scratch, r, &rec);
		/* the first contact: a second statement on the same connection */
		struct db_res *c = db_query(x->db, &SQL_ENT_CONTACTS, DB_ARGS(db_int(rec.id)));
		if (db_next(c)) {
			rec.contacts[0] = (struct ent_contact){
				arena_strdup(&scratch, db_col_text(c, 1) ? db_col_text(c, 1) : ""),
				db_col_text(c, 2) ? arena_strdup(&scratch, db_col_text(c, 2)) : NULL,
				db_col_text(c, 3) ? arena_strdup(&scratch, db_col_text(c, 3)) : NULL};
			rec.ncontacts = 1;
		}
		st = db_done(c);
		const char *cells[EC__COUNT + NEXTRA];
		export_cells(x->req, &scratch, &rec, cells);
		x->rows++;
		for (int k = 0; k < EC__COUNT + NEXTRA; k++) {
			if (x->xlsx) {
				/* written as strings: a cell starting with = is text, never a formula */
				if (cells[k])
					worksheet_write_string(x->ws, (lxw_row_t)x->rows, (lxw_col_t)k,
							       cells[k], NULL);
			} else {
				if (k)
					str_putc(&x->csv, ',');
				str_append_csv_field(&x->csv, cells[k] ? cells[k] : "");
			}
		}
		if (!x->xlsx)
			str_puts(&x->csv, "\r\n");
		if (x->rows % 512 == 0)
			arena_reset(&scratch);
	}
	enum status st2 = db_done(r);
	arena_release(&scratch);
	return st ? st : st2;
}

static enum status fill_export(lxw_workbook *wb, void *ctx)
{
	struct export_ctx *x = ctx;
	x->ws = workbook_add_worksheet(wb, "企业名录");
	x->head = workbook_add_format(wb);
	if (!x->ws || !x->head)
		return ST_NOMEM;
	format_set_bold(x->head);
	format_set_bg_color(x->head, 0xDDEBF7);
	for (int c = 0; c < EC__COUNT + NEXTRA; c++) {
		const char *h = c < EC__COUNT ? ent_columns[c].header : export_extra[c - EC__COUNT];
		double w = c < EC__COUNT ? ent_columns[c].width : c == EC__COUNT + 2 ? 26 : 20;
		worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL);
		worksheet_write_string(x->ws, 0, (lxw_col_t)c, h, x->head);
	}
	worksheet_freeze_panes(x->ws, 1, 0);
	return export_rows(x);
}

enum status ent_export(struct request *req)
{
	struct db *db;
	struct db_val a[20];
	struct export_ctx x;
	enum status st;
	memset(&x, 0, sizeof(x));
	if ((st = q_format(req, &x.xlsx)) || (st = req_db(req, &db)) ||
	    (st = ent_filter_parse(req, db, a, &x.mode, &x.sort)))
		return st;
	int64_t total;
	if ((st = db_int1(db, &SQL_ENT_COUNT[x.mode], a, 18, &total)))
		return st;
	if (total > EXPORT_MAX_ROWS)
		return req_failf(req, ST_TOO_LARGE, "export_too_large", NULL,
				 "符合条件的企业有%lld家，一次最多导出%d家，请缩小筛选范围",
				 (long long)total, EXPORT_MAX_ROWS);
	x.req = req;
	x.db = db;
	x.args = a;
	char *body = NULL;
	size_t len = 0;
	if (x.xlsx) {
		st = xlsx_write(fill_export, &x, &body, &len);
		if (!st && arena_defer(&req->arena, free, body) != 0) {
			free(body);
			st = ST_NOMEM;
		}
	} else {
		str_init(&x.csv, 0);
		str_puts(&x.csv, "\xEF\xBB\xBF");
		for (int c = 0; c < EC__COUNT + NEXTRA; c++) {
			if (c)
				str_putc(&x.csv, ',');
			str_append_csv_field(&x.csv, c < EC__COUNT ? ent_columns[c].header
								   : export_extra[c - EC__COUNT]);
		}
		str_puts(&x.csv, "\r\n");
		st = export_rows(&x);
		if (!st && !str_ok(&x.csv))
			st = ST_NOMEM;
		if (!st) {
			body = str_steal(&x.csv, &len);
			if (!body || arena_defer(&req->arena, free, body) != 0) {
				free(body);
				st = ST_NOMEM;
			}
		}
		str_release(&x.csv);
	}
	if (st)
		return req->err_code ? st : req_fail(req, st, NULL, NULL, NULL);
	/* the export itself is audited: who took which list */
	json_t *filter = json_object();
	static const char *const keys[] = {"q", "region_code", "industry_code", "scale",
					   "ownership", "status", "above_scale", "tags", "sort",
					   NULL};
	for (int i = 0; keys[i]; i++) {
		const char *v = req_query(req, keys[i]);
		if (v && *v)
			json_object_set_new(filter, keys[i], json_string(v));
	}
	if ((st = db_begin(db))) {
		json_decref(filter);
		return st;
	}
	st = audit_req(req, db, "enterprise", 0, "export",
		       json_pack("{s:s, s:I, s:o}", "format", x.xlsx ? "xlsx" : "csv", "rows",
				 (json_int_t)x.rows, "filter", filter));
	if (!st)
		st = db_commit(db);
	else
		db_rollback(db);
	if (st)
		return st;
	struct date today;
	date_ts_local_date(req->now, &today);
	return reply_file(req, x.xlsx ? XLSX_TYPE : CSV_TYPE,
			  arena_printf(&req->arena, "企业名录_%04d%02d%02d.%s", today.year, today.month,
				       today.day, x.xlsx ? "xlsx" : "csv"),
			  body, len);
}

/* ---- import ---------------------------------------------------------------------------------- */

/* A row as read from the file: cells as text, by column. */
struct raw_row {
	long line;
	int n;
	char **cells;
};

struct reader {
	struct arena *a;
	struct raw_row *rows;
	size_t n, alloc;
	bool too_many;
};

static int keep_row(void *ctx, long line, const char *const *cells, int ncols)
{
	struct reader *rd = ctx;
	if (rd->n >= IMPORT_MAX_ROWS + 1) {
		rd->too_many = true;
		return 1;
	}
	if (rd->n == rd->alloc) {
		size_t n = rd->alloc ? rd->alloc * 2 : 1024;
		struct raw_row *x = realloc(rd->rows, n * sizeof(*x));
		if (!x)
			return 1;
		rd->rows = x;
		rd->alloc = n;
	}
	struct raw_row *r = &rd->rows[rd->n];
	r->line = line;
	r->n = ncols;
	r->cells = arena_alloc(rd->a, sizeof(char *) * (size_t)(ncols ? ncols : 1));
	if (!r->cells)
		return 1;
	bool any = false;
	for (int i = 0; i < ncols; i++) {
		r->cells[i] = cells[i] ? arena_strdup(rd->a, cells[i]) : NULL;
		if (cells[i] && *cells[i])
			any = true;
	}
	if (any)
		rd->n++;
	return 0;
}

struct imp_error {
	long row;
	int column; /* enum ent_column, -1 for the row */
	const char *code, *message;
};

struct imp_row {
	struct raw_row *raw;
	struct ent_rec rec;
	struct ent_region *rg;
	unsigned present; /* bit per enum ent_column: the cell had a value */
	bool bad;
	int64_t existing; /* the id of the record with this code, when updating */
};

struct importer {
	struct request *req;
	struct db *db;
	struct arena *a;
	int col_of[EC__COUNT]; /* file column of each of ours, -1 if absent */
	struct imp_error *errors;
	size_t nerrors, errors_alloc, error_rows;
	/* reference data, sorted by code for bsearch */
	struct ent_region *regions;
	size_t nregions;
	struct {
		char code[4], section[4];
	} *industries;
	size_t nindustries;
	struct ent_tag *tags;
	bool *tag_active;
	int ntags;
};

static void add_error(struct importer *im, struct imp_row *r, int column, const char *code,
		      const char *message)
{
	if (!r->bad)
		im->error_rows++;
	r->bad = true;
	if (im->nerrors == im->errors_alloc) {
		size_t n = im->errors_alloc ? im->errors_alloc * 2 : 256;
		struct imp_error *x = realloc(im->errors, n * sizeof(*x));
		if (!x)
			return;
		im->errors = x;
		im->errors_alloc = n;
	}
	im->errors[im->nerrors++] = (struct imp_error){r->raw->line, column, code, message};
}

static int cmp_region(const void *a, const void *b)
{
	return strcmp(((const struct ent_region *)a)->code, ((const struct ent_region *)b)->code);
}

static enum status load_reference(struct importer *im)
{
	size_t alloc = 0;
	struct db_res *r = db_query(im->db, &SQL_REGIONS_ALL, DB_NOARGS);
	while (db_next(r)) {
		const char *level = db_col_text(r, 2);
		if (!level || strcmp(level, "county") != 0)
			continue;
		if (im->nregions == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			struct ent_region *x = realloc(im->regions, alloc * sizeof(*x));
			if (!x)
				break;
			im->regions = x;
		}
		struct ent_region *g = &im->regions[im->nregions++];
		memset(g, 0, sizeof(*g));
		const char *code = db_col_text(r, 0), *parent = db_col_text(r, 3);
		snprintf(g->code, sizeof(g->code), "%s", code);
		snprintf(g->name, sizeof(g->name), "%s", db_col_text(r, 1));
		snprintf(g->level, sizeof(g->level), "county");
		snprintf(g->parent, sizeof(g->parent), "%s", parent ? parent : "");
		snprintf(g->province, sizeof(g->province), "%.2s0000", code);
	}
	enum status st = db_done(r);
	if (st)
		return st;
	qsort(im->regions, im->nregions, sizeof(*im->regions), cmp_region);
	im->industries = calloc(256, sizeof(*im->industries));
	if (!im->industries)
		return ST_NOMEM;
	r = db_query(im->db, &SQL_INDUSTRIES_LIST, DB_NOARGS);
	while (db_next(r) && im->nindustries < 256) {
		const char *level = db_col_text(r, 2), *code = db_col_text(r, 0);
		if (!level || strcmp(level, "division") != 0 || strlen(code) != 2)
			continue;
		snprintf(im->industries[im->nindustries].code, 4, "%s", code);
		snprintf(im->industries[im->nindustries].section, 4, "%s",
			 db_col_text(r, 3) ? db_col_text(r, 3) : "");
		im->nindustries++;
	}
	if ((st = db_done(r)))
		return st;
	im->tags = arena_alloc(im->a, sizeof(*im->tags) * 256);
	im->tag_active = arena_alloc(im->a, sizeof(bool) * 256);
	if (!im->tags || !im->tag_active)
		return ST_NOMEM;
	r = db_query(im->db, &SQL_TAG_BRIEF, DB_NOARGS);
	while (db_next(r) && im->ntags < 256) {
		im->tags[im->ntags] =
			(struct ent_tag){db_col_int(r, 0), arena_strdup(im->a, db_col_text(r, 1))};
		im->tag_active[im->ntags] = strcmp(db_col_text(r, 2), "active") == 0;
		im->ntags++;
	}
	return db_done(r);
}

static const char *cell(struct imp_row *r, struct importer *im, int column)
{
	int k = im->col_of[column];
	if (k < 0 || k >= r->raw->n || !r->raw->cells[k])
		return NULL;
	char *s = r->raw->cells[k];
	/* trim blanks (a U+3000 or a BOM too) */
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return n ? s : NULL;
}

#define ERR(col, code, ...) add_error(im, r, col, code, arena_printf(im->a, __VA_ARGS__))

/* Check the cells of one row into r->rec; every problem becomes an error of the report. */
static void check_row(struct importer *im, struct imp_row *r)
{
	struct ent_rec *e = &r->rec;
	memset(e, 0, sizeof(*e));
	e->status = "operating";
	for (int c = 0; c < EC__COUNT; c++)
		if (cell(r, im, c))
			r->present |= 1u << c;
	const char *v;
	for (int c = 0; c < EC__COUNT; c++) {
		v = cell(r, im, c);
		if (v && utf8_len(v, strlen(v)) > 200)
			ERR(c, "too_long", "“%s”不能超过200个字", ent_columns[c].header);
	}
	if (r->bad)
		return;
	/* the credit code */
	v = cell(r, im, EC_USCC);
	if (!v) {
		ERR(EC_USCC, "required", "统一社会信用代码不能为空");
	} else {
		char code[USCC_LEN + 1];
		struct uscc_problem why;
		if (uscc_parse(v, strlen(v), code, &why) == ST_OK)
			e->uscc = arena_strdup(im->a, code);
		else if (strpbrk(v, "eE") && strspn(v, "0123456789.eE+") == strlen(v))
			ERR(EC_USCC, "invalid_uscc",
			    "统一社会信用代码被Excel存成了数字（%s），请把该列设为文本格式后重新填写", v);
		else
			ERR(EC_USCC, "invalid_uscc", "%s", why.message);
	}
	v = cell(r, im, EC_NAME);
	if (!v)
		ERR(EC_NAME, "required", "企业名称不能为空");
	e->name = v;
	e->legal_rep = cell(r, im, EC_LEGAL_REP);
	e->address = cell(r, im, EC_ADDRESS);
	v = cell(r, im, EC_REGION);
	if (v) { /* when empty: required for a new enterprise, checked once that is known */
		struct ent_region key;
		memset(&key, 0, sizeof(key));
		snprintf(key.code, sizeof(key.code), "%.7s", v);
		r->rg = ent_region_code_valid(v)
				? bsearch(&key, im->regions, im->nregions, sizeof(key), cmp_region)
				: NULL;
		if (!r->rg)
			ERR(EC_REGION, "invalid_region",
			    "所在地区代码“%s”不是已登记的县级行政区划代码（6位，如230202）", v);
		else
			e->region_code = r->rg->code;
	}
	v = cell(r, im, EC_INDUSTRY);
	if (v) {
		size_t k;
		for (k = 0; k < im->nindustries && strcmp(im->industries[k].code, v) != 0; k++)
			;
		if (k == im->nindustries) {
			ERR(EC_INDUSTRY, "invalid_industry",
			    "行业代码“%s”不是国民经济行业分类的大类代码（2位数字，如34）", v);
		} else {
			e->industry_code = im->industries[k].code;
			e->industry_section = im->industries[k].section;
		}
	}
	int i;
	if ((v = cell(r, im, EC_OWNERSHIP))) {
		if ((i = ent_choice(enterprise_ownership_codes, enterprise_ownership_names, v)) < 0)
			ERR(EC_OWNERSHIP, "invalid_choice",
			    "经济类型“%s”应为国有、集体、民营、外资、港澳台、混合所有制之一", v);
		else
			e->ownership = enterprise_ownership_codes[i];
	}
	if ((v = cell(r, im, EC_SCALE))) {
		if ((i = ent_choice(enterprise_scale_codes, enterprise_scale_names, v)) < 0)
			ERR(EC_SCALE, "invalid_choice", "企业规模“%s”应为大型、中型、小型、微型之一", v);
		else
			e->scale = enterprise_scale_codes[i];
	}
	if ((v = cell(r, im, EC_STATUS))) {
		if ((i = ent_choice(enterprise_status_codes, enterprise_status_names, v)) < 0)
			ERR(EC_STATUS, "invalid_choice", "经营状态“%s”应为在营、停产、注销之一", v);
		else
			e->status = enterprise_status_codes[i];
	}
	if ((v = cell(r, im, EC_ABOVE_SCALE)) && !ent_parse_bool(v, &e->above_scale))
		ERR(EC_ABOVE_SCALE, "wrong_type", "是否规上“%s”应填是或否", v);
	if ((v = cell(r, im, EC_FOUNDED))) {
		char d[11];
		if (!ent_parse_date(v, d))
			ERR(EC_FOUNDED, "invalid_date", "成立日期“%s”不是有效的日期（如2015-06-01）", v);
		else
			e->founded_on = arena_strdup(im->a, d);
	}
	if ((v = cell(r, im, EC_CAPITAL))) {
		if (!ent_parse_capital(v, &e->capital_yuan))
			ERR(EC_CAPITAL, "invalid_capital",
			    "注册资本“%s”应为不小于0的数字（单位万元，最多4位小数）", v);
		e->has_capital = true;
	}
	if ((v = cell(r, im, EC_EMPLOYEES))) {
		if (!ent_parse_employees(v, &e->employees))
			ERR(EC_EMPLOYEES, "invalid_employees", "从业人数“%s”应为0到10000000之间的整数", v);
		e->has_employees = true;
	}
	if ((v = cell(r, im, EC_TAGS))) {
		char *copy = arena_strdup(im->a, v), *names[ENT_MAX_TAGS];
		int n = ent_split_tags(copy, names, ENT_MAX_TAGS);
		for (int k = 0; k < n; k++) {
			int t;
			for (t = 0; t < im->ntags && strcmp(im->tags[t].name, names[k]) != 0; t++)
				;
			if (t == im->ntags || !im->tag_active[t]) {
				ERR(EC_TAGS, "invalid_tag", "企业标签“%s”不存在或已停用", names[k]);
				continue;
			}
			bool dup = false;
			for (int x = 0; x < e->ntags; x++)
				dup |= e->tags[x].id == im->tags[t].id;
			if (!dup)
				e->tags[e->ntags++] = im->tags[t];
		}
		for (int x = 1; x < e->ntags; x++)
			for (int y = x; y > 0 && e->tags[y - 1].id > e->tags[y].id; y--) {
				struct ent_tag tmp = e->tags[y];
				e->tags[y] = e->tags[y - 1];
				e->tags[y - 1] = tmp;
			}
	}
	const char *cn = cell(r, im, EC_CONTACT_NAME), *cr = cell(r, im, EC_CONTACT_ROLE),
		   *cm = cell(r, im, EC_CONTACT_MOBILE);
	if (cn || cr || cm) {
		char m[12];
		if (!cn)
			ERR(EC_CONTACT_NAME, "required", "填写了联系人职务或手机时，联系人不能为空");
		if (cm && !ent_mobile_normalize(cm, m))
			ERR(EC_CONTACT_MOBILE, "invalid_mobile", "联系人手机“%s”不正确，应为11位手机号码",
			    cm);
		else if (cm)
			cm = arena_strdup(im->a, m);
		e->contacts[0] = (struct ent_contact){cn, cr, cm};
		e->ncontacts = 1;
	}
}

/* Overlay the cells the row has on the stored record (the update path). */
static void overlay(const struct imp_row *r, const struct ent_rec *old, struct ent_rec *out)
{
	const struct ent_rec *n = &r->rec;
	*out = *old;
#define TAKE(col, field)                                                                           \
	if (r->present & (1u << (col)))                                                            \
	out->field = n->field
	TAKE(EC_NAME, name);
	TAKE(EC_LEGAL_REP, legal_rep);
	TAKE(EC_ADDRESS, address);
	TAKE(EC_REGION, region_code);
	if (r->present & (1u << EC_INDUSTRY)) {
		out->industry_code = n->industry_code;
		out->industry_section = n->industry_section;
	}
	TAKE(EC_OWNERSHIP, ownership);
	TAKE(EC_SCALE, scale);
	TAKE(EC_STATUS, status);
	TAKE(EC_ABOVE_SCALE, above_scale);
	TAKE(EC_FOUNDED, founded_on);
	if (r->present & (1u << EC_CAPITAL)) {
		out->has_capital = true;
		out->capital_yuan = n->capital_yuan;
	}
	if (r->present & (1u << EC_EMPLOYEES)) {
		out->has_employees = true;
		out->employees = n->employees;
	}
	if (r->present & (1u << EC_TAGS)) {
		out->ntags = n->ntags;
		memcpy(out->tags, n->tags, sizeof(n->tags));
	}
	if (n->ncontacts) {
		out->ncontacts = 1;
		out->contacts[0] = n->contacts[0];
	}
#undef TAKE
}

static int cmp_uscc(const void *a, const void *b)
{
	const struct imp_row *x = *(struct imp_row *const *)a, *y = *(struct imp_row *const *)b;
	int c = strcmp(x->rec.uscc, y->rec.uscc);
	return c ? c : (x->raw->line > y->raw->line) - (x->raw->line < y->raw->line);
}

static bool q_flag(struct request *req, const char *name)
{
	const char *v = req_query(req, name);
	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

static json_t *report_json(struct importer *im, const char *format, const char *encoding,
			   bool dry_run, bool committed, size_t total, size_t created,
			   size_t updated, size_t skipped)
{
	json_t *errs = json_array();
	for (size_t i = 0; i < im->nerrors && i < IMPORT_MAX_ERRORS; i++) {
		const struct imp_error *e = &im->errors[i];
		json_array_append_new(
			errs, json_pack("{s:I, s:s?, s:s?, s:s, s:s}", "row", (json_int_t)e->row,
					"column", e->column >= 0 ? ent_columns[e->column].header : NULL,
					"field", e->column >= 0 ? ent_columns[e->column].key : NULL,
					"code", e->code, "message", e->message));
	}
	return json_pack("{s:s, s:s?, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:b}", "format",
			 format, "encoding", encoding, "dry_run", dry_run, "committed", committed,
			 "total_rows", (json_int_t)total, "valid_rows",
			 (json_int_t)(total - im->error_rows), "error_rows",
			 (json_int_t)im->error_rows, "created", (json_int_t)created, "updated",
			 (json_int_t)updated, "skipped", (json_int_t)skipped, "errors", errs,
			 "errors_truncated", im->nerrors > IMPORT_MAX_ERRORS);
}

static enum status import_run(struct request *req, struct db *db, struct arena *a,
			      struct reader *rd, const char *format, const char *encoding)
{
	bool dry_run = q_flag(req, "dry_run"), valid_only = q_flag(req, "valid_only"),
	     update = q_flag(req, "update");
	if (rd->too_many)
		return req_failf(req, ST_TOO_LARGE, "too_many_rows", NULL,
				 "文件超过%d行，请分批导入", IMPORT_MAX_ROWS);
	if (rd->n == 0)
		return req_fail(req, ST_INVALID, "empty_file", "文件中没有内容", "file");
	struct importer im;
	memset(&im, 0, sizeof(im));
	im.req = req;
	im.db = db;
	im.a = a;
	for (int c = 0; c < EC__COUNT; c++)
		im.col_of[c] = -1;
	struct raw_row *head = &rd->rows[0];
	for (int k = 0; k < head->n; k++) {
		int c = head->cells[k] ? ent_column_by_header(head->cells[k]) : -1;
		if (c >= 0 && im.col_of[c] < 0)
			im.col_of[c] = k;
	}
	for (int c = 0; c < EC__COUNT; c++)
		if (ent_columns[c].required && im.col_of[c] < 0 && !(update && c == EC_REGION))
			return req_failf(req, ST_INVALID, "missing_column", ent_columns[c].key,
					 "文件第一行缺少“%s”列，请使用导入模板", ent_columns[c].header);
	size_t total = rd->n - 1;
	/* A real import checks and writes in one transaction: what it checked is what it writes,
	 * and SQLite takes its locks once instead of once per lookup. A dry run only reads. */
	enum status st = dry_run ? ST_OK : db_begin(db);
	if (!st)
		st = load_reference(&im);
	struct imp_row *rows = st ? NULL : arena_zalloc(a, sizeof(*rows) * (total ? total : 1));
	struct imp_row **by_code = rows ? arena_alloc(a, sizeof(*by_code) * (total ? total : 1)) : NULL;
	if (!st && (!rows || !by_code))
		st = ST_NOMEM;
	size_t ncode = 0, created = 0, updated = 0;
	for (size_t i = 0; !st && i < total; i++) {
		struct imp_row *r = &rows[i];
		r->raw = &rd->rows[i + 1];
		check_row(&im, r);
		if (r->rec.uscc)
			by_code[ncode++] = r;
	}
	/* the same code twice in the file: the later rows are refused */
	if (!st) {
		qsort(by_code, ncode, sizeof(*by_code), cmp_uscc);
		for (size_t i = 1; i < ncode; i++)
			if (strcmp(by_code[i]->rec.uscc, by_code[i - 1]->rec.uscc) == 0) {
				size_t first = i - 1;
				while (first > 0 && strcmp(by_code[first - 1]->rec.uscc,
							   by_code[i]->rec.uscc) == 0)
					first--;
				struct imp_row *r = by_code[i];
				struct importer *imp = &im;
				add_error(imp, r, EC_USCC, "duplicate_in_file",
					  arena_printf(a, "统一社会信用代码%s与第%ld行重复", r->rec.uscc,
						       by_code[first]->raw->line));
			}
	}
	/* codes already registered; the records to update; each row's bureau within scope */
	for (size_t i = 0; !st && i < total; i++) {
		struct imp_row *r = &rows[i];
		if (!r->rec.uscc)
			continue;
		int64_t id;
		st = db_int1(db, &SQL_ENT_BY_USCC, DB_ARGS(db_text(r->rec.uscc)), &id);
		if (st == ST_NOT_FOUND) {
			st = ST_OK;
			if (!r->rg && !cell(r, &im, EC_REGION)) {
				struct importer *imp = &im;
				add_error(imp, r, EC_REGION, "required", "所在地区代码不能为空");
			}
		} else if (!st) {
			if (!update) {
				struct importer *imp = &im;
				add_error(imp, r, EC_USCC, "duplicate_uscc",
					  arena_printf(a, "统一社会信用代码%s的企业已在名录中"
							  "（如需更新，请选择“更新已有企业”）",
						       r->rec.uscc));
			} else {
				/* an update must be within the caller's scope: said now, not at commit */
				struct db_val args[6];
				scope_filter(req, args);
				args[5] = db_text(r->rec.uscc);
				bool visible = false;
				struct db_res *q = db_query(db, &SQL_ENT_BY_USCC_FULL, args, 6);
				visible = db_next(q);
				st = db_done(q);
				if (!st && !visible) {
					struct importer *imp = &im;
					add_error(imp, r, EC_USCC, "out_of_scope",
						  "该信用代码的企业不在您的管辖范围内，不能更新");
				}
				r->existing = id;
			}
		}
	}
	/* the bureau of each new or moved record, and the caller's scope over it */
	struct ent_region *last_rg = NULL;
	int64_t last_org = 0;
	bool last_ok = false;
	for (size_t i = 0; !st && i < total; i++) {
		struct imp_row *r = &rows[i];
		if (r->bad || !r->rg)
			continue;
		if (r->rg != last_rg) {
			struct ent_rec tmp;
			memset(&tmp, 0, sizeof(tmp));
			tmp.name = "";
			const char *why;
			last_rg = r->rg;
			enum status s2 = ent_derive(db, a, &tmp, r->rg, &why);
			if (s2 && !why) {
				st = s2;
				break;
			}
			last_org = s2 ? 0 : tmp.org_id;
			last_ok = last_org && ent_org_in_scope(req, db, last_org);
		}
		if (!last_org) {
			struct importer *imp = &im;
			add_error(imp, r, EC_REGION, "invalid_region", "该地区没有对应的工信部门");
		} else if (!last_ok) {
			struct importer *imp = &im;
			add_error(imp, r, EC_REGION, "out_of_scope",
				  arena_printf(a, "所在地区%s不在您的管辖范围内", r->rg->code));
		}
		r->rec.org_id = last_org;
		r->rec.city_code = r->rg->parent[0] ? r->rg->parent : NULL;
	}
	if (st) {
		db_rollback(db);
		free(im.errors);
		free(im.regions);
		free(im.industries);
		return st;
	}
	bool commit = !dry_run && (im.error_rows == 0 || valid_only);
	if (!commit)
		db_rollback(db);
	if (commit) {
		struct ent_actor who = {req->user ? req->user->user_id : 0,
					req->user ? req->user->username : NULL, req->id};
		for (size_t i = 0; !st && i < total; i++) {
			struct imp_row *r = &rows[i];
			if (r->bad)
				continue;
			const char *why;
			if (!r->existing) {
				int64_t org = r->rec.org_id;
				if (!(st = ent_derive(db, a, &r->rec, NULL, &why))) {
					r->rec.org_id = org;
					st = ent_insert(db, req->now, &who, &r->rec, "import");
				}
				created += !st;
				continue;
			}
			/* update: the stored record, with the row's cells over it */
			struct db_val args[6];
			scope_filter(req, args);
			args[5] = db_text(r->rec.uscc);
			struct ent_rec old, rec;
			bool found = false;
			struct db_res *q = db_query(db, &SQL_ENT_BY_USCC_FULL, args, 6);
			if (db_next(q)) {
				ent_rec_from_row(a, q, &old);
				found = true;
			}
			if ((st = db_done(q)))
				break;
			if (!found) {
				struct importer *imp = &im;
				add_error(imp, r, EC_USCC, "out_of_scope",
					  "该信用代码的企业不在您的管辖范围内，不能更新");
				continue;
			}
			if ((st = ent_load_contacts(db, a, &old)))
				break;
			overlay(r, &old, &rec);
			if (!(r->present & (1u << EC_REGION)))
				rec.org_id = old.org_id;
			if ((st = ent_derive(db, a, &rec, NULL, &why)))
				break;
			bool changed;
			st = ent_update(db, a, req->now, &who, &old, &rec, "import", NULL, &changed);
			updated += !st && changed;
		}
		if (!st && im.error_rows && !valid_only)
			st = ST_CONFLICT; /* an update found out of scope */
		if (!st)
			st = audit_req(req, db, "enterprise", 0, "import",
				       json_pack("{s:s, s:s?, s:I, s:I, s:I, s:I}", "format", format,
						 "encoding", encoding, "rows", (json_int_t)total,
						 "created", (json_int_t)created, "updated",
						 (json_int_t)updated, "error_rows",
						 (json_int_t)im.error_rows));
		if (st) {
			db_rollback(db);
			if (st == ST_CONFLICT && !req->err_code)
				st = req_fail(req, ST_CONFLICT, "import_conflict",
					      "导入期间名录发生了变化（信用代码重复或超出管辖范围），未导入任何企业，请重新校验",
					      NULL);
		} else {
			st = db_commit(db);
		}
	}
	if (!st) {
		json_t *rep = report_json(&im, format, encoding, dry_run, commit, total, created,
					  updated, commit ? im.error_rows : total);
		if (!commit && !dry_run) {
			req->err_extra = json_pack("{s:o}", "report", rep);
			st = req_failf(req, ST_INVALID, "import_rejected", NULL,
				       "%zu行有错误，未导入任何企业；请修改后重新导入，或选择只导入正确的行",
				       im.error_rows);
		} else {
			st = reply_json(req, 200, rep);
		}
	}
	free(im.errors);
	free(im.regions);
	free(im.industries);
	return st;
}

enum status ent_import(struct request *req)
{
	if (req->body_too_large)
		return req_fail(req, ST_TOO_LARGE, "file_too_large", "文件过大", "file");
	const char *p = req->body.p;
	size_t len = req->body.len;
	if (!len)
		return req_fail(req, ST_INVALID, "empty_file", "请上传文件（CSV或Excel .xlsx）", "file");
	struct db *db;
	enum status st = req_db(req, &db);
	if (st)
		return st;
	struct arena a;
	arena_init(&a, 1u << 20, 512u << 20);
	struct reader rd = {&a, NULL, 0, 0, false};
	const char *format, *encoding = NULL;
	if (len >= 4 && memcmp(p, "PK\x03\x04", 4) == 0) {
		format = "xlsx";
		char err[256];
		struct xlsx_limits lim = {.max_file_bytes = req->app->cfg->upload_max_bytes,
					  .max_entries = 1000,
					  .max_entry_bytes = 100u << 20,
					  .max_rows = IMPORT_MAX_ROWS + 2,
					  .max_cols = 64,
					  .max_cell_bytes = 32767};
		st = xlsx_read(p, len, &lim, keep_row, &rd, err, sizeof(err));
		if (st) {
			free(rd.rows);
			arena_release(&a);
			return req_fail(req, st == ST_TOO_LARGE ? ST_TOO_LARGE : st == ST_NOMEM ? ST_NOMEM : ST_INVALID,
					st == ST_TOO_LARGE ? "file_too_large" : "invalid_file",
					arena_strdup(&req->arena, err), "file");
		}
	} else if (len >= 4 && (memcmp(p, "\xD0\xCF\x11\xE0", 4) == 0)) {
		arena_release(&a);
		return req_fail(req, ST_INVALID, "unsupported_file",
				"不支持旧版Excel（.xls）文件，请另存为.xlsx或CSV后导入", "file");
	} else {
		format = "csv";
		char *text;
		size_t tlen;
		enum text_encoding enc;
		st = text_to_utf8(p, len, &text, &tlen, &enc);
		if (st) {
			arena_release(&a);
			return req_fail(req, st == ST_NOMEM ? ST_NOMEM : ST_INVALID, "invalid_file",
					"文件既不是UTF-8也不是GB18030编码的CSV，也不是.xlsx文件",
					"file");
		}
		encoding = text_encoding_name(enc);
		struct csv c;
		csv_init(&c, text, tlen, 32767);
		const char *cells[CSV_MAX_FIELDS];
		while ((st = csv_next(&c)) == ST_OK) {
			for (int i = 0; i < c.nfields; i++)
				cells[i] = c.field[i];
			if (keep_row(&rd, c.row_line, cells, c.nfields))
				break;
		}
		if (st == ST_INVALID || st == ST_TOO_LARGE) {
			const char *why = arena_printf(&req->arena, "CSV第%ld行格式错误：%s",
						       c.row_line, c.error ? c.error : "无法解析");
			csv_release(&c);
			free(text);
			free(rd.rows);
			arena_release(&a);
			return req_fail(req, ST_INVALID, "invalid_file", why, "file");
		}
		csv_release(&c);
		free(text);
		st = ST_OK;
	}
	st = import_run(req, db, &a, &rd, format, encoding);
	free(rd.rows);
	arena_release(&a);
	return st;
}
