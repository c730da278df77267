/* xlsx.c: the first worksheet of an .xlsx, read from memory through libzip and expat, within
 * limits that are checked before anything is inflated. */
#include <expat.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "lib/date.h"
#include "lib/str.h"
#include "lib/xlsx.h"

/* ---- limits and errors ------------------------------------------------------------------- */

static void limits_fill(struct xlsx_limits *l, const struct xlsx_limits *in)
{
	if (in)
		*l = *in;
	else
		memset(l, 0, sizeof(*l));
	if (!l->max_file_bytes)
		l->max_file_bytes = 20u << 20;
	if (!l->max_entries)
		l->max_entries = 1000;
	if (!l->max_entry_bytes)
		l->max_entry_bytes = 200u << 20;
	if (!l->max_rows)
		l->max_rows = 200000;
	if (!l->max_cols || l->max_cols > XLSX_MAX_COLS_HARD)
		l->max_cols = l->max_cols ? XLSX_MAX_COLS_HARD : 64;
	if (!l->max_cell_bytes)
		l->max_cell_bytes = 32767;
	if (!l->max_shared_strings)
		l->max_shared_strings = 1000000;
}

enum part { PART_WORKBOOK, PART_RELS, PART_STYLES, PART_SHARED, PART_SHEET };

struct rd {
	struct xlsx_limits lim;
	XML_Parser xp;
	enum part part;
	enum status st;
	char *err;
	size_t errlen;
	struct str text; /* character data being collected */
	bool collecting;

	/* workbook and its relationships */
	bool date1904;
	char sheet_rid[128];
	char sheet_target[512];

	/* styles: cellXfs index -> is a date format */
	bool in_numfmts, in_cellxfs;
	int date_fmt_ids[256];
	int ndate_fmt_ids;
	bool *xf_date;
	size_t nxf, xf_alloc;

	/* shared strings */
	char **ss;
	size_t nss, ss_alloc;
	int si_depth; /* inside <si> */
	bool in_rph;  /* phonetic runs are not part of the text */

	/* the sheet */
	xlsx_row_fn fn;
	void *ctx;
	long rows_seen;
	long row;
	int next_col;
	int col;
	char ctype[16];
	int cstyle;
	bool in_c, in_v, in_is;
	char *cells[XLSX_MAX_COLS_HARD];
	int ncols;
	bool stopped;
};

static void set_err(struct rd *r, enum status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(struct rd *r, enum status st, const char *fmt, ...)
{
	if (r->st)
		return;
	r->st = st;
	if (r->err && r->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	if (r->xp)
		XML_StopParser(r->xp, XML_FALSE);
}

/* "x:row" -> "row" */
static const char *local(const char *name)
{
	const char *c = strrchr(name, ':');
	return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *want)
{
	for (int i = 0; atts[i]; i += 2)
		if (strcmp(local(atts[i]), want) == 0)
			return atts[i + 1];
	return NULL;
}

/* The r:id attribute (a prefixed "id"), not a plain id. */
static const char *attr_rid(const char **atts)
{
	for (int i = 0; atts[i]; i += 2)
		if (strchr(atts[i], ':') && strcmp(local(atts[i]), "id") == 0)
			return atts[i + 1];
	return NULL;
}

static void col_name(int col, char *out)
{
	char tmp[8];
	int n = 0;
	col++;
	while (col > 0 && n < 7) {
		int rem = (col - 1) % 26;
		tmp[n++] = (char)('A' + rem);
		col = (col - 1) / 26;
	}
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/* ---- dates --------------------------------------------------------------------------------- */

bool xlsx_serial_to_date(double serial, bool date1904, int *y, int *m, int *d)
{
	if (!isfinite(serial) || serial < 1 || serial > 2958465)
		return false;
	int64_t days = (int64_t)floor(serial);
	struct date base;
	if (date1904) {
		base = (struct date){1904, 1, 1};
	} else if (days >= 61) {
		base = (struct date){1899, 12, 30}; /* Excel counts a 1900-02-29 that never was */
	} else if (days == 60) {
		return false;
	} else {
		base = (struct date){1899, 12, 31};
	}
	struct date out;
	if (date_from_days(date_to_days(base) + days, &out) != ST_OK || out.year > 9999)
		return false;
	*y = out.year;
	*m = out.month;
	*d = out.day;
	return true;
}

bool xlsx_format_is_date(const char *code)
{
	bool quoted = false;
	for (const char *p = code; *p; p++) {
		char c = *p;
		if (quoted) {
			if (c == '"')
				quoted = false;
			continue;
		}
		if (c == '"') {
			quoted = true;
		} else if (c == '\\' || c == '_' || c == '*') {
			if (p[1])
				p++;
		} else if (c == '[') {
			/* [$-804], [Red], [h]: skip, but [h] [m] [s] are elapsed time, not dates */
			while (*p && *p != ']')
				p++;
			if (!*p)
				break;
		} else if (c == 'y' || c == 'Y' || c == 'd' || c == 'D') {
			return true;
		} else if ((unsigned char)c == 0xE5 && (unsigned char)p[1] == 0xB9 &&
			   (unsigned char)p[2] == 0xB4) {
			return true; /* 年 written without quotes */
		}
	}
	return false;
}

static bool builtin_date(int id)
{
	return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) ||
	       (id >= 50 && id <= 58);
}

/* ---- expat callbacks ------------------------------------------------------------------------ */

static void text_start(struct rd *r)
{
	str_clear(&r->text);
	r->collecting = true;
}

static void on_chars(void *ud, const XML_Char *s, int len)
{
	struct rd *r = ud;
	if (!r->collecting || r->in_rph)
		return;
	if (r->text.len + (size_t)len > r->lim.max_cell_bytes) {
		char cn[8];
		col_name(r->col, cn);
		if (r->part == PART_SHEET)
			set_err(r, ST_TOO_LARGE, "第%ld行%s列的内容超过%zu字节", r->row, cn,
				r->lim.max_cell_bytes);
		else
			set_err(r, ST_TOO_LARGE, "共享字符串超过%zu字节", r->lim.max_cell_bytes);
		return;
	}
	str_append(&r->text, s, (size_t)len);
}

static void refuse_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			   const XML_Char *pubid, int has_internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal;
	set_err(ud, ST_INVALID, "文件中含有不允许的XML文档类型声明");
}

static int parse_col(const char *ref, int *col)
{
	int c = 0, n = 0;
	while (*ref >= 'A' && *ref <= 'Z' && n < 4) {
		c = c * 26 + (*ref - 'A' + 1);
		ref++;
		n++;
	}
	if (!n)
		return -1;
	*col = c - 1;
	return 0;
}

static void free_cells(struct rd *r)
{
	for (int i = 0; i < r->ncols; i++) {
		free(r->cells[i]);
		r->cells[i] = NULL;
	}
	r->ncols = 0;
}

static void start_el(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct rd *r = ud;
	const char *el = local(name);
	switch (r->part) {
	case PART_WORKBOOK:
		if (strcmp(el, "workbookPr") == 0) {
			const char *v = attr(atts, "date1904");
			r->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
		} else if (strcmp(el, "sheet") == 0 && !r->sheet_rid[0]) {
			const char *v = attr_rid(atts);
			if (v)
				snprintf(r->sheet_rid, sizeof(r->sheet_rid), "%s", v);
		}
		break;
	case PART_RELS:
		if (strcmp(el, "Relationship") == 0 && r->sheet_rid[0] && !r->sheet_target[0]) {
			const char *id = attr(atts, "Id"), *t = attr(atts, "Target");
			if (id && t && strcmp(id, r->sheet_rid) == 0) {
				if (t[0] == '/')
					snprintf(r->sheet_target, sizeof(r->sheet_target), "%s", t + 1);
				else
					snprintf(r->sheet_target, sizeof(r->sheet_target), "xl/%s", t);
			}
		}
		break;
	case PART_STYLES:
		if (strcmp(el, "numFmts") == 0) {
			r->in_numfmts = true;
		} else if (strcmp(el, "numFmt") == 0 && r->in_numfmts) {
			const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
			int64_t n;
			if (id && code && str_to_i64(id, 0, 100000, &n) && xlsx_format_is_date(code) &&
			    r->ndate_fmt_ids < 256)
				r->date_fmt_ids[r->ndate_fmt_ids++] = (int)n;
		} else if (strcmp(el, "cellXfs") == 0) {
			r->in_cellxfs = true;
		} else if (strcmp(el, "xf") == 0 && r->in_cellxfs) {
			if (r->nxf == r->xf_alloc) {
				size_t n = r->xf_alloc ? r->xf_alloc * 2 : 64;
				if (n > 65536) {
					set_err(r, ST_TOO_LARGE, "样式表过大");
					return;
				}
				bool *x = realloc(r->xf_date, n * sizeof(*x));
				if (!x) {
					set_err(r, ST_NOMEM, "内存不足");
					return;
				}
				r->xf_date = x;
				r->xf_alloc = n;
			}
			const char *id = attr(atts, "numFmtId");
			int64_t n = 0;
			bool date = false;
			if (id && str_to_i64(id, 0, 100000, &n)) {
				date = builtin_date((int)n);
				for (int i = 0; i < r->ndate_fmt_ids && !date; i++)
					date = r->date_fmt_ids[i] == n;
			}
			r->xf_date[r->nxf++] = date;
		}
		break;
	case PART_SHARED:
		if (strcmp(el, "si") == 0) {
			r->si_depth = 1;
			text_start(r);
		} else if (strcmp(el, "rPh") == 0) {
			r->in_rph = true;
		}
		break;
	case PART_SHEET:
		if (strcmp(el, "row") == 0) {
			if (++r->rows_seen > r->lim.max_rows) {
				set_err(r, ST_TOO_LARGE, "工作表超过%ld行", r->lim.max_rows);
				return;
			}
			const char *v = attr(atts, "r");
			int64_t n;
			if (v && str_to_i64(v, 1, 1048576, &n)) {
				/* a sheet lists its rows in order; one that goes back would
				 * give the row report two lines of the same number */
				if (n <= r->row) {
					set_err(r, ST_INVALID, "工作表的第%ld行出现在第%ld行之后，行号须递增",
						(long)n, r->row);
					return;
				}
				r->row = n;
			} else {
				r->row++;
			}
			r->next_col = 0;
			free_cells(r); /* a row left open (a <row> inside a <row>) gave its cells to no one */
		} else if (strcmp(el, "c") == 0) {
			const char *ref = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
			int col;
			if (!ref || parse_col(ref, &col) != 0)
				col = r->next_col;
			if (col >= r->lim.max_cols) {
				set_err(r, ST_TOO_LARGE, "第%ld行超过%d列", r->row, r->lim.max_cols);
				return;
			}
			r->col = col;
			r->next_col = col + 1;
			snprintf(r->ctype, sizeof(r->ctype), "%s", t ? t : "n");
			int64_t si = -1;
			r->cstyle = s && str_to_i64(s, 0, 1000000, &si) ? (int)si : -1;
			r->in_c = true;
			str_clear(&r->text);
		} else if (r->in_c && strcmp(el, "v") == 0) {
			r->in_v = true;
			text_start(r);
		} else if (r->in_c && strcmp(el, "is") == 0) {
			r->in_is = true;
			text_start(r);
		} else if (r->in_is && strcmp(el, "rPh") == 0) {
			r->in_rph = true;
		}
		break;
	}
}

static void put_cell(struct rd *r, const char *v)
{
	if (!v || !*v)
		return;
	char *c = strdup(v);
	if (!c) {
		set_err(r, ST_NOMEM, "内存不足");
		return;
	}
	while (r->ncols <= r->col)
		r->cells[r->ncols++] = NULL;
	free(r->cells[r->col]);
	r->cells[r->col] = c;
}

static void end_cell(struct rd *r)
{
	const char *t = r->ctype;
	const char *raw = r->text.p;
	char buf[64];
	char cn[8];
	col_name(r->col, cn);
	if (strcmp(t, "s") == 0) {
		int64_t i;
		if (!str_to_i64(raw, 0, INT64_MAX, &i) || (size_t)i >= r->nss) {
			set_err(r, ST_INVALID, "第%ld行%s列引用了不存在的共享字符串", r->row, cn);
			return;
		}
		put_cell(r, r->ss[i]);
	} else if (strcmp(t, "inlineStr") == 0 || strcmp(t, "str") == 0 ||
		   strcmp(t, "e") == 0) {
		put_cell(r, raw);
	} else if (strcmp(t, "b") == 0) {
		put_cell(r, strcmp(raw, "1") == 0 ? "TRUE" : *raw ? "FALSE" : "");
	} else if (strcmp(t, "d") == 0) {
		snprintf(buf, sizeof(buf), "%.10s", raw);
		put_cell(r, buf);
	} else if (*raw) { /* a number */
		char *end;
		double d = strtod(raw, &end);
		if (end == raw || *end) {
			set_err(r, ST_INVALID, "第%ld行%s列的数值无法识别", r->row, cn);
			return;
		}
		int y, m, dd;
		bool date = r->cstyle >= 0 && (size_t)r->cstyle < r->nxf && r->xf_date[r->cstyle];
		if (date && xlsx_serial_to_date(d, r->date1904, &y, &m, &dd))
			snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, dd);
		else if (d == floor(d) && fabs(d) < 1e15)
			snprintf(buf, sizeof(buf), "%.0f", d);
		else
			snprintf(buf, sizeof(buf), "%.15g", d);
		put_cell(r, buf);
	}
}

static void end_el(void *ud, const XML_Char *name)
{
	struct rd *r = ud;
	if (r->st)
		return;
	const char *el = local(name);
	switch (r->part) {
	case PART_STYLES:
		if (strcmp(el, "numFmts") == 0)
			r->in_numfmts = false;
		else if (strcmp(el, "cellXfs") == 0)
			r->in_cellxfs = false;
		break;
	case PART_SHARED:
		if (strcmp(el, "rPh") == 0) {
			r->in_rph = false;
		} else if (strcmp(el, "si") == 0 && r->si_depth) {
			r->si_depth = 0;
			r->collecting = false;
			if (r->nss >= r->lim.max_shared_strings) {
				set_err(r, ST_TOO_LARGE, "共享字符串超过%zu个", r->lim.max_shared_strings);
				return;
			}
			if (r->nss == r->ss_alloc) {
				size_t n = r->ss_alloc ? r->ss_alloc * 2 : 256;
				char **x = realloc(r->ss, n * sizeof(*x));
				if (!x) {
					set_err(r, ST_NOMEM, "内存不足");
					return;
				}
				r->ss = x;
				r->ss_alloc = n;
			}
			char *s = strdup(r->text.p);
			if (!s || !str_ok(&r->text)) {
				free(s);
				set_err(r, ST_NOMEM, "内存不足");
				return;
			}
			r->ss[r->nss++] = s;
		}
		break;
	case PART_SHEET:
		if (strcmp(el, "v") == 0 && r->in_v) {
			r->in_v = false;
			r->collecting = false;
		} else if (strcmp(el, "rPh") == 0) {
			r->in_rph = false;
		} else if (strcmp(el, "is") == 0 && r->in_is) {
			r->in_is = false;
			r->collecting = false;
		} else if (strcmp(el, "c") == 0 && r->in_c) {
			r->in_c = false;
			if (!str_ok(&r->text)) {
				set_err(r, ST_NOMEM, "内存不足");
				return;
			}
			end_cell(r);
			str_clear(&r->text);
		} else if (strcmp(el, "row") == 0) {
			if (r->ncols && !r->stopped &&
			    r->fn(r->ctx, r->row, (const char *const *)r->cells, r->ncols)) {
				r->stopped = true;
				XML_StopParser(r->xp, XML_FALSE);
			}
			free_cells(r);
		}
		break;
	default:
		break;
	}
}

/* ---- reading one part ------------------------------------------------------------------------ */

/* Stream the entry named name through expat with the handlers above. missing_ok: a part that
 * is not there is no error (styles, shared strings). */
static enum status read_part(struct rd *r, zip_t *za, const char *name, enum part part,
			     bool missing_ok)
{
	zip_int64_t idx = zip_name_locate(za, name, 0);
	if (idx < 0) {
		if (missing_ok)
			return ST_OK;
		set_err(r, ST_INVALID, "文件不是有效的Excel工作簿（缺少%s）", name);
		return r->st;
	}
	zip_stat_t zs;
	zip_stat_init(&zs);
	if (zip_stat_index(za, (zip_uint64_t)idx, 0, &zs) != 0) {
		set_err(r, ST_INVALID, "文件已损坏，无法读取%s", name);
		return r->st;
	}
	if ((zs.valid & ZIP_STAT_SIZE) && zs.size > r->lim.max_entry_bytes) {
		set_err(r, ST_TOO_LARGE, "文件中的%s解压后超过%zu字节，拒绝处理", name,
			r->lim.max_entry_bytes);
		return r->st;
	}
	zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
	if (!zf) {
		set_err(r, ST_INVALID, "文件已损坏，无法读取%s", name);
		return r->st;
	}
	r->xp = XML_ParserCreate(NULL);
	if (!r->xp) {
		zip_fclose(zf);
		set_err(r, ST_NOMEM, "内存不足");
		return r->st;
	}
	r->part = part;
	r->collecting = false;
	XML_SetUserData(r->xp, r);
	XML_SetElementHandler(r->xp, start_el, end_el);
	XML_SetCharacterDataHandler(r->xp, on_chars);
	XML_SetStartDoctypeDeclHandler(r->xp, refuse_doctype);
	char buf[65536];
	size_t total = 0;
	for (;;) {
		zip_int64_t n = zip_fread(zf, buf, sizeof(buf));
		if (n < 0) {
			set_err(r, ST_INVALID, "文件已损坏（%s解压失败）", name);
			break;
		}
		total += (size_t)n;
		if (total > r->lim.max_entry_bytes) {
			set_err(r, ST_TOO_LARGE, "文件中的%s解压后超过%zu字节，拒绝处理", name,
				r->lim.max_entry_bytes);
			break;
		}
		if (XML_Parse(r->xp, buf, (int)n, n == 0) == XML_STATUS_ERROR) {
			if (!r->st && !r->stopped)
				set_err(r, ST_INVALID, "文件中的%s不是有效的XML（第%lu行）", name,
					(unsigned long)XML_GetCurrentLineNumber(r->xp));
			break;
		}
		if (r->st || r->stopped || n == 0)
			break;
	}
	zip_fclose(zf);
	XML_ParserFree(r->xp);
	r->xp = NULL;
	return r->st;
}

enum status xlsx_read(const void *data, size_t len, const struct xlsx_limits *limits,
		      xlsx_row_fn fn, void *ctx, char *err, size_t errlen)
{
	struct rd r;
	memset(&r, 0, sizeof(r));
	limits_fill(&r.lim, limits);
	r.err = err;
	r.errlen = errlen;
	r.fn = fn;
	r.ctx = ctx;
	if (err && errlen)
		err[0] = '\0';
	str_init(&r.text, r.lim.max_cell_bytes + 1);
	if (len > r.lim.max_file_bytes) {
		set_err(&r, ST_TOO_LARGE, "文件超过%zu字节", r.lim.max_file_bytes);
		str_release(&r.text);
		return r.st;
	}
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
	if (!za) {
		if (src)
			zip_source_free(src);
		zip_error_fini(&ze);
		set_err(&r, ST_INVALID, "文件不是有效的Excel（.xlsx）文件，或已损坏");
		str_release(&r.text);
		return r.st;
	}
	zip_error_fini(&ze);
	zip_int64_t n = zip_get_num_entries(za, 0);
	if (n < 0 || (size_t)n > r.lim.max_entries) {
		set_err(&r, ST_TOO_LARGE, "文件中的条目超过%zu个，拒绝处理", r.lim.max_entries);
		goto out;
	}
	if (read_part(&r, za, "xl/workbook.xml", PART_WORKBOOK, false))
		goto out;
	if (r.sheet_rid[0] && read_part(&r, za, "xl/_rels/workbook.xml.rels", PART_RELS, true))
		goto out;
	if (!r.sheet_target[0])
		snprintf(r.sheet_target, sizeof(r.sheet_target), "xl/worksheets/sheet1.xml");
	if (read_part(&r, za, "xl/styles.xml", PART_STYLES, true) ||
	    read_part(&r, za, "xl/sharedStrings.xml", PART_SHARED, true))
		goto out;
	read_part(&r, za, r.sheet_target, PART_SHEET, false);
out:
	zip_discard(za);
	free_cells(&r);
	for (size_t i = 0; i < r.nss; i++)
		free(r.ss[i]);
	free(r.ss);
	free(r.xf_date);
	str_release(&r.text);
	return r.st;
}

/* ---- writing ------------------------------------------------------------------------------- */

enum status xlsx_write(xlsx_fill_fn fill, void *ctx, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	char dir[] = "/tmp/tiejian-xlsx-XXXXXX";
	if (!mkdtemp(dir))
		return ST_INTERNAL;
	char path[64];
	snprintf(path, sizeof(path), "%s/out.xlsx", dir);
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = dir};
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	enum status st = wb ? fill(wb, ctx) : ST_NOMEM;
	if (wb && workbook_close(wb) != LXW_NO_ERROR && !st)
		st = ST_INTERNAL;
	char *buf = NULL;
	size_t n = 0;
	if (!st) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		struct stat sb;
		if (fd < 0 || fstat(fd, &sb) != 0) {
			st = ST_INTERNAL;
		} else {
			buf = malloc((size_t)sb.st_size + 1);
			while (buf && n < (size_t)sb.st_size) {
				ssize_t k = read(fd, buf + n, (size_t)sb.st_size - n);
				if (k <= 0)
					break;
				n += (size_t)k;
			}
			if (!buf || n != (size_t)sb.st_size)
				st = buf ? ST_INTERNAL : ST_NOMEM;
		}
		if (fd >= 0)
			close(fd);
	}
	unlink(path);
	rmdir(dir);
	if (st) {
		free(buf);
		return st;
	}
	*out = buf;
	*len = n;
	return ST_OK;
}
