/* test_xlsx.c: the bounded .xlsx reader on workbooks built here with libzip: shared and inline
 * strings, numbers, dates, booleans, formulas; too many rows, a long cell, too many entries, an
 * oversized part, a zip bomb with a lying header, corrupt and truncated files, a DOCTYPE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zip.h>

#include "lib/xlsx.h"

/* ---- building a workbook in memory ---------------------------------------------------------- */

struct part {
	const char *name;
	const char *data;
	size_t len; /* 0: strlen(data) */
};

/* A zip of the parts, malloc'd into *out. */
static void build_zip(const struct part *parts, int n, char **out, size_t *len)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	zip_source_keep(src);
	for (int i = 0; i < n; i++) {
		size_t l = parts[i].len ? parts[i].len : strlen(parts[i].data);
		zip_source_t *s = zip_source_buffer(za, parts[i].data, l, 0);
		assert_non_null(s);
		assert_true(zip_file_add(za, parts[i].name, s, ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(za), 0);
	zip_stat_t st;
	assert_int_equal(zip_source_open(src), 0);
	zip_source_stat(src, &st);
	*len = (size_t)st.size;
	*out = malloc(*len);
	assert_int_equal(zip_source_read(src, *out, *len), (zip_int64_t)*len);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
}

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
static const char workbook[] =
	"<?xml version=\"1.0\"?><workbook " NS
	" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
	"<sheets><sheet name=\"企业\" sheetId=\"1\" r:id=\"rId7\"/></sheets></workbook>";
static const char workbook1904[] =
	"<?xml version=\"1.0\"?><workbook " NS
	" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
	"<workbookPr date1904=\"1\"/><sheets><sheet name=\"a\" sheetId=\"1\" r:id=\"rId7\"/>"
	"</sheets></workbook>";
static const char rels[] =
	"<?xml version=\"1.0\"?><Relationships "
	"xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Target=\"styles.xml\"/>"
	"<Relationship Id=\"rId7\" Target=\"worksheets/data.xml\"/></Relationships>";
static const char styles[] =
	"<?xml version=\"1.0\"?><styleSheet " NS ">"
	"<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
	"<numFmt numFmtId=\"165\" formatCode=\"0.00_);[Red]\\(0.00\\)\"/></numFmts>"
	"<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
	"<cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"
	"<xf numFmtId=\"165\"/></cellXfs></styleSheet>";
static const char shared[] =
	"<?xml version=\"1.0\"?><sst " NS " count=\"4\" uniqueCount=\"4\">"
	"<si><t>统一社会信用代码</t></si>"
	"<si><t>企业名称</t></si>"
	"<si><r><t>齐齐哈尔</t></r><r><rPr><b/></rPr><t>机械</t></r>"
	"<rPh sb=\"0\" eb=\"2\"><t>チチハル</t></rPh></si>"
	"<si><t xml:space=\"preserve\"> 有空格 </t></si></sst>";
static const char sheet[] =
	"<?xml version=\"1.0\"?><worksheet " NS "><sheetData>"
	"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>"
	"<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>91230202MA1B2C3D4E</t></is></c>"
	"<c r=\"B2\" t=\"s\"><v>2</v></c><c r=\"C2\"><v>1234.5</v></c><c r=\"D2\" s=\"1\"><v>43466</v></c>"
	"<c r=\"E2\" s=\"2\"><v>36526.75</v></c><c r=\"F2\" t=\"b\"><v>1</v></c>"
	"<c r=\"G2\" t=\"str\"><f>CONCAT(A2,B2)</f><v>公式结果</v></c><c r=\"H2\" s=\"3\"><v>7</v></c>"
	"<c r=\"J2\" t=\"s\"><v>3</v></c></row>"
	"<row r=\"3\"></row>"
	"<row r=\"5\"><c r=\"AA5\"><v>1E+3</v></c><c r=\"B5\" t=\"e\"><v>#N/A</v></c></row>"
	"<row><c><v>-2</v></c><c><v>0.1</v></c></row>"
	"</sheetData></worksheet>";

static void workbook_of(const char *sheet_xml, size_t sheet_len, const char *wb, char **out,
			size_t *len)
{
	struct part parts[] = {
		{"[Content_Types].xml", "<Types/>", 0},
		{"xl/workbook.xml", wb, 0},
		{"xl/_rels/workbook.xml.rels", rels, 0},
		{"xl/styles.xml", styles, 0},
		{"xl/sharedStrings.xml", shared, 0},
		{"xl/worksheets/data.xml", sheet_xml, sheet_len},
	};
	build_zip(parts, 6, out, len);
}

/* ---- collecting rows ------------------------------------------------------------------------ */

struct got {
	long rows[16];
	char cells[16][32][64];
	int ncols[16];
	int n;
	int stop_after;
};

static int collect(void *ctx, long row, const char *const *cells, int ncols)
{
	struct got *g = ctx;
	if (g->n < 16) {
		g->rows[g->n] = row;
		g->ncols[g->n] = ncols;
		for (int i = 0; i < ncols && i < 32; i++)
			snprintf(g->cells[g->n][i], 64, "%s", cells[i] ? cells[i] : "(null)");
		g->n++;
	}
	return g->stop_after && g->n >= g->stop_after;
}

static void test_values(void **state)
{
	(void)state;
	char *z;
	size_t len;
	workbook_of(sheet, 0, workbook, &z, &len);
	struct got g;
	memset(&g, 0, sizeof(g));
	char err[256];
	assert_int_equal(xlsx_read(z, len, NULL, collect, &g, err, sizeof(err)), ST_OK);
	assert_int_equal(g.n, 4); /* row 3 is empty and not passed */
	assert_int_equal(g.rows[0], 1);
	assert_string_equal(g.cells[0][0], "统一社会信用代码");
	assert_string_equal(g.cells[0][1], "企业名称");
	assert_int_equal(g.rows[1], 2);
	assert_string_equal(g.cells[1][0], "91230202MA1B2C3D4E"); /* inline string */
	assert_string_equal(g.cells[1][1], "齐齐哈尔机械");        /* rich text, phonetic run left out */
	assert_string_equal(g.cells[1][2], "1234.5");
	assert_string_equal(g.cells[1][3], "2019-01-01");         /* built-in date format 14 */
	assert_string_equal(g.cells[1][4], "2000-01-01");         /* custom yyyy年m月d日, time dropped */
	assert_string_equal(g.cells[1][5], "TRUE");
	assert_string_equal(g.cells[1][6], "公式结果");            /* a formula's cached value */
	assert_string_equal(g.cells[1][7], "7");                  /* [Red] is a colour, not a date */
	assert_string_equal(g.cells[1][8], "(null)");             /* I2 is empty */
	assert_string_equal(g.cells[1][9], " 有空格 ");
	assert_int_equal(g.ncols[1], 10);
	assert_int_equal(g.rows[2], 5);
	assert_int_equal(g.ncols[2], 27);
	assert_string_equal(g.cells[2][26], "1000");
	assert_string_equal(g.cells[2][1], "#N/A");
	assert_int_equal(g.rows[3], 6); /* no r attribute: the next row, columns in order */
	assert_string_equal(g.cells[3][0], "-2");
	assert_string_equal(g.cells[3][1], "0.1");
	free(z);
}

static void test_stop_early(void **state)
{
	(void)state;
	char *z;
	size_t len;
	workbook_of(sheet, 0, workbook, &z, &len);
	struct got g;
	memset(&g, 0, sizeof(g));
	g.stop_after = 2;
	assert_int_equal(xlsx_read(z, len, NULL, collect, &g, NULL, 0), ST_OK);
	assert_int_equal(g.n, 2);
	free(z);
}

static void test_date1904(void **state)
{
	(void)state;
	char *z;
	size_t len;
	const char *s = "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\" s=\"1\"><v>0</v></c>"
			"<c r=\"B1\" s=\"1\"><v>1</v></c></row></sheetData></worksheet>";
	workbook_of(s, 0, workbook1904, &z, &len);
	struct got g;
	memset(&g, 0, sizeof(g));
	assert_int_equal(xlsx_read(z, len, NULL, collect, &g, NULL, 0), ST_OK);
	assert_string_equal(g.cells[0][0], "0"); /* serial 0 is not a date */
	assert_string_equal(g.cells[0][1], "1904-01-02");
	free(z);
}

/* A sheet of n rows of one short cell each. */
static char *rows_sheet(long n, size_t *len)
{
	size_t cap = (size_t)n * 64 + 256;
	char *s = malloc(cap);
	size_t k = (size_t)snprintf(s, cap, "<worksheet " NS "><sheetData>");
	for (long i = 1; i <= n; i++)
		k += (size_t)snprintf(s + k, cap - k, "<row r=\"%ld\"><c r=\"A%ld\"><v>%ld</v></c></row>",
				      i, i, i);
	k += (size_t)snprintf(s + k, cap - k, "</sheetData></worksheet>");
	*len = k;
	return s;
}

static void test_too_many_rows(void **state)
{
	(void)state;
	size_t slen, len;
	char *s = rows_sheet(1001, &slen), *z;
	workbook_of(s, slen, workbook, &z, &len);
	struct xlsx_limits lim = {.max_rows = 1000};
	struct got g;
	memset(&g, 0, sizeof(g));
	char err[256];
	assert_int_equal(xlsx_read(z, len, &lim, collect, &g, err, sizeof(err)), ST_TOO_LARGE);
	assert_non_null(strstr(err, "1000行"));
	lim.max_rows = 1001;
	memset(&g, 0, sizeof(g));
	assert_int_equal(xlsx_read(z, len, &lim, collect, &g, err, sizeof(err)), ST_OK);
	free(s);
	free(z);
}

static void test_long_cell(void **state)
{
	(void)state;
	size_t n = 5000, cap = n + 256;
	char *s = malloc(cap);
	size_t k = (size_t)snprintf(s, cap, "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\" "
					     "t=\"inlineStr\"><is><t>");
	memset(s + k, 'x', n);
	k += n;
	k += (size_t)snprintf(s + k, cap - k, "</t></is></c></row></sheetData></worksheet>");
	char *z;
	size_t len;
	workbook_of(s, k, workbook, &z, &len);
	struct xlsx_limits lim = {.max_cell_bytes = 4000};
	struct got g;
	memset(&g, 0, sizeof(g));
	char err[256];
	assert_int_equal(xlsx_read(z, len, &lim, collect, &g, err, sizeof(err)), ST_TOO_LARGE);
	assert_non_null(strstr(err, "第1行A列"));
	assert_int_equal(g.n, 0);
	free(s);
	free(z);
}

static void test_too_many_entries(void **state)
{
	(void)state;
	struct part parts[40];
	char names[40][32];
	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "junk/%d.txt", i);
		parts[i] = (struct part){names[i], "x", 0};
	}
	parts[0] = (struct part){"xl/workbook.xml", workbook, 0};
	char *z;
	size_t len;
	build_zip(parts, 40, &z, &len);
	struct xlsx_limits lim = {.max_entries = 20};
	char err[256];
	assert_int_equal(xlsx_read(z, len, &lim, collect, NULL, err, sizeof(err)), ST_TOO_LARGE);
	assert_non_null(strstr(err, "条目"));
	free(z);
}

/* 50 MB of blanks inside the sheet compress to about 50 KB. */
static char *bomb_sheet(size_t *len)
{
	size_t n = 50u << 20, cap = n + 256;
	char *s = malloc(cap);
	size_t k = (size_t)snprintf(s, cap, "<worksheet " NS "><sheetData>");
	memset(s + k, ' ', n);
	k += n;
	k += (size_t)snprintf(s + k, cap - k, "</sheetData></worksheet>");
	*len = k;
	return s;
}

static void test_oversized_entry(void **state)
{
	(void)state;
	size_t slen, len;
	char *s = bomb_sheet(&slen), *z;
	workbook_of(s, slen, workbook, &z, &len);
	free(s);
	assert_true(len < 1u << 20);
	struct xlsx_limits lim = {.max_entry_bytes = 1u << 20};
	char err[256];
	assert_int_equal(xlsx_read(z, len, &lim, collect, NULL, err, sizeof(err)), ST_TOO_LARGE);
	assert_non_null(strstr(err, "xl/worksheets/data.xml"));
	free(z);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* The sheet's headers claim 1,000 bytes; inflating it must still stop at the limit. */
static void test_lying_header(void **state)
{
	(void)state;
	size_t slen, len;
	char *s = bomb_sheet(&slen), *z;
	workbook_of(s, slen, workbook, &z, &len);
	free(s);
	unsigned char *b = (unsigned char *)z;
	const char *name = "xl/worksheets/data.xml";
	size_t nlen = strlen(name);
	int patched = 0;
	for (size_t i = 0; i + 46 + nlen <= len; i++) {
		if (b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] == 3 && b[i + 3] == 4 &&
		    memcmp(b + i + 30, name, nlen) == 0) {
			put_le32(b + i + 22, 1000);
			patched++;
		}
		if (b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] == 1 && b[i + 3] == 2 &&
		    memcmp(b + i + 46, name, nlen) == 0) {
			put_le32(b + i + 24, 1000);
			patched++;
		}
	}
	assert_int_equal(patched, 2);
	struct xlsx_limits lim = {.max_entry_bytes = 1u << 20};
	struct got g;
	memset(&g, 0, sizeof(g));
	char err[256];
	enum status st = xlsx_read(z, len, &lim, collect, &g, err, sizeof(err));
	assert_true(st == ST_TOO_LARGE || st == ST_INVALID);
	assert_int_equal(g.n, 0);
	free(z);
}

static void test_corrupt(void **state)
{
	(void)state;
	char err[256];
	char junk[4096];
	memcpy(junk, "PK\x03\x04", 4);
	for (size_t i = 4; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7);
	assert_int_equal(xlsx_read(junk, sizeof(junk), NULL, collect, NULL, err, sizeof(err)),
			 ST_INVALID);
	assert_true(err[0] != '\0');
	assert_int_equal(xlsx_read("", 0, NULL, collect, NULL, err, sizeof(err)), ST_INVALID);
	char *z;
	size_t len;
	workbook_of(sheet, 0, workbook, &z, &len);
	/* cut anywhere: never a crash, always refused */
	for (size_t cut = 10; cut < len; cut += len / 17)
		assert_int_not_equal(xlsx_read(z, cut, NULL, collect, NULL, err, sizeof(err)), ST_OK);
	/* a flipped byte inside the compressed sheet fails its CRC or its XML */
	size_t flips = 0;
	for (size_t i = 100; i + 100 < len; i += 97) {
		char *c = malloc(len);
		memcpy(c, z, len);
		c[i] ^= 0x55;
		struct got g;
		memset(&g, 0, sizeof(g));
		flips += xlsx_read(c, len, NULL, collect, &g, err, sizeof(err)) != ST_OK;
		free(c);
	}
	assert_true(flips > 0);
	free(z);
	/* a zip that is not a workbook */
	struct part parts[] = {{"hello.txt", "hi", 0}};
	build_zip(parts, 1, &z, &len);
	assert_int_equal(xlsx_read(z, len, NULL, collect, NULL, err, sizeof(err)), ST_INVALID);
	assert_non_null(strstr(err, "xl/workbook.xml"));
	free(z);
	/* past the file size limit */
	struct xlsx_limits lim = {.max_file_bytes = 10};
	assert_int_equal(xlsx_read(junk, sizeof(junk), &lim, collect, NULL, err, sizeof(err)),
			 ST_TOO_LARGE);
}

static void test_doctype(void **state)
{
	(void)state;
	const char *s = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaaaaaa\">"
			"<!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]><worksheet " NS "><sheetData><row r=\"1\">"
			"<c r=\"A1\" t=\"inlineStr\"><is><t>&b;</t></is></c></row></sheetData></worksheet>";
	char *z;
	size_t len;
	workbook_of(s, 0, workbook, &z, &len);
	char err[256];
	struct got g;
	memset(&g, 0, sizeof(g));
	assert_int_equal(xlsx_read(z, len, NULL, collect, &g, err, sizeof(err)), ST_INVALID);
	assert_int_equal(g.n, 0);
	free(z);
}

/* rows numbered backwards would give the import's row report two lines of one number */
static void test_rows_go_back(void **state)
{
	(void)state;
	const char *s = "<?xml version=\"1.0\"?><worksheet " NS "><sheetData>"
			"<row r=\"5\"><c r=\"A5\"><v>1</v></c></row>"
			"<row r=\"3\"><c r=\"A3\"><v>2</v></c></row></sheetData></worksheet>";
	char *z;
	size_t len;
	workbook_of(s, 0, workbook, &z, &len);
	char err[256] = "";
	struct got g;
	memset(&g, 0, sizeof(g));
	assert_int_equal(xlsx_read(z, len, NULL, collect, &g, err, sizeof(err)), ST_INVALID);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.rows[0], 5);
	assert_non_null(strstr(err, "第3行出现在第5行之后"));
	free(z);
}

static void test_serial_dates(void **state)
{
	(void)state;
	int y, m, d;
	assert_true(xlsx_serial_to_date(1, false, &y, &m, &d));
	assert_true(y == 1900 && m == 1 && d == 1);
	assert_true(xlsx_serial_to_date(59, false, &y, &m, &d));
	assert_true(y == 1900 && m == 2 && d == 28);
	assert_false(xlsx_serial_to_date(60, false, &y, &m, &d)); /* Excel's 1900-02-29 */
	assert_true(xlsx_serial_to_date(61, false, &y, &m, &d));
	assert_true(y == 1900 && m == 3 && d == 1);
	assert_true(xlsx_serial_to_date(45658.99, false, &y, &m, &d));
	assert_true(y == 2025 && m == 1 && d == 1);
	assert_true(xlsx_serial_to_date(2958465, false, &y, &m, &d));
	assert_true(y == 9999 && m == 12 && d == 31);
	assert_false(xlsx_serial_to_date(2958466, false, &y, &m, &d));
	assert_false(xlsx_serial_to_date(0, false, &y, &m, &d));
	assert_false(xlsx_serial_to_date(-5, false, &y, &m, &d));
	assert_true(xlsx_serial_to_date(1, true, &y, &m, &d));
	assert_true(y == 1904 && m == 1 && d == 2);
}

static void test_format_is_date(void **state)
{
	(void)state;
	assert_true(xlsx_format_is_date("yyyy-mm-dd"));
	assert_true(xlsx_format_is_date("m/d/yy"));
	assert_true(xlsx_format_is_date("[$-804]yyyy\"年\"m\"月\"d\"日\""));
	assert_true(xlsx_format_is_date("yyyy年m月d日"));
	assert_true(xlsx_format_is_date("d-mmm"));
	assert_false(xlsx_format_is_date("0.00"));
	assert_false(xlsx_format_is_date("General"));
	assert_false(xlsx_format_is_date("0.00_);[Red]\\(0.00\\)"));
	assert_false(xlsx_format_is_date("\"day\" 0"));
	assert_false(xlsx_format_is_date("[h]:mm:ss"));
	assert_false(xlsx_format_is_date("#,##0\\d"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_stop_early),
		cmocka_unit_test(test_date1904),
		cmocka_unit_test(test_too_many_rows),
		cmocka_unit_test(test_long_cell),
		cmocka_unit_test(test_too_many_entries),
		cmocka_unit_test(test_oversized_entry),
		cmocka_unit_test(test_lying_header),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_doctype),
		cmocka_unit_test(test_rows_go_back),
		cmocka_unit_test(test_serial_dates),
		cmocka_unit_test(test_format_is_date),
	};
	return cmocka_run_group_tests_name("xlsx", tests, NULL, NULL);
}
