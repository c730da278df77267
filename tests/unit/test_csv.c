/* test_csv.c: the RFC 4180 reader: quoting, line ends, BOM, blank lines, errors and limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/csv.h"

/* Read one row and compare it with want[0..n); the row must start on line `line`. */
static void expect_row(struct csv *c, long line, int n, const char *const *want)
{
	enum status st = csv_next(c);
	if (st != ST_OK)
		fail_msg("row at line %ld: status %d (%s)", line, (int)st,
			 c->error ? c->error : "");
	if (c->nfields != n)
		fail_msg("row at line %ld: %d fields, want %d", line, c->nfields, n);
	for (int i = 0; i < n; i++)
		if (strcmp(c->field[i], want[i]) != 0)
			fail_msg("row at line %ld field %d: <%s>, want <%s>", line, i, c->field[i],
				 want[i]);
	assert_int_equal(c->row_line, line);
}

#define ROW(c, line, ...)                                                                          \
	expect_row((c), (line), (int)(sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(char *)),   \
		   (const char *[]){ __VA_ARGS__ })

static void expect_end(struct csv *c)
{
	assert_int_equal(csv_next(c), ST_NOT_FOUND);
	assert_int_equal(csv_next(c), ST_NOT_FOUND); /* and stays there */
}

static void plain_rows(void **state)
{
	(void)state;
	static const char text[] =
		"code,name,level\n230200,齐齐哈尔市,city\n230202,龙沙区,county\n";
	struct csv c;
	csv_init(&c, text, sizeof(text) - 1, 0);
	ROW(&c, 1, "code", "name", "level");
	ROW(&c, 2, "230200", "齐齐哈尔市", "city");
	ROW(&c, 3, "230202", "龙沙区", "county");
	assert_int_equal(c.row, 3);
	expect_end(&c);
	csv_release(&c);

	/* No newline at the end; one column; empty fields anywhere. */
	static const char t2[] = "a\n,\n,b,\nx,,y\n\"\"\nlast";
	csv_init(&c, t2, sizeof(t2) - 1, 0);
	ROW(&c, 1, "a");
	ROW(&c, 2, "", "");
	ROW(&c, 3, "", "b", "");
	ROW(&c, 4, "x", "", "y");
	ROW(&c, 5, "");
	ROW(&c, 6, "last");
	expect_end(&c);
	csv_release(&c);

	/* Nothing at all, or only a BOM, or only blank lines: no rows. */
	static const char *const none[] = { "", "\xEF\xBB\xBF", "\n", "\r\n\r\n\n",
					    "\xEF\xBB\xBF\r\n" };
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		csv_init(&c, none[i], strlen(none[i]), 0);
		expect_end(&c);
		assert_int_equal(c.row, 0);
		csv_release(&c);
	}
	csv_release(&c); /* twice is harmless */
}

static void quoted_fields(void **state)
{
	(void)state;
	static const char text[] = "\"a,b\",\"say \"\"hi\"\"\",\"\"\"\"\n"
				   "\"two\nlines\",\"crlf\r\ninside\",plain\n"
				   "\"\",\"\"\"\"\"\",\",\"\n"
				   "\"中文，逗号\",\"=1+1\",\"'-5\"\n"
				   "after,the,quotes\n";
	struct csv c;
	csv_init(&c, text, sizeof(text) - 1, 0);
	ROW(&c, 1, "a,b", "say \"hi\"", "\"");
	ROW(&c, 2, "two\nlines", "crlf\r\ninside", "plain");
	ROW(&c, 5, "", "\"\"", ",");
	ROW(&c, 6, "中文，逗号", "=1+1", "'-5");
	ROW(&c, 7, "after", "the", "quotes");
	expect_end(&c);
	csv_release(&c);

	/* A quoted field last on the line, at the end of the text, before CRLF. */
	static const char t2[] = "x,\"y\"\r\n\"z\"";
	csv_init(&c, t2, sizeof(t2) - 1, 0);
	ROW(&c, 1, "x", "y");
	ROW(&c, 2, "z");
	expect_end(&c);
	csv_release(&c);

	/* A quote inside an unquoted field is kept as it is. */
	static const char t3[] = "5\" pipe,a\"b\"\n";
	csv_init(&c, t3, sizeof(t3) - 1, 0);
	ROW(&c, 1, "5\" pipe", "a\"b\"");
	expect_end(&c);
	csv_release(&c);
}

static void line_ends_bom_and_blank_lines(void **state)
{
	(void)state;
	/* CRLF and LF mixed, a lone CR ends a row too. */
	static const char text[] = "a,b\r\nc,d\ne,f\r\n\"g\",h\rI,J";
	struct csv c;
	csv_init(&c, text, sizeof(text) - 1, 0);
	ROW(&c, 1, "a", "b");
	ROW(&c, 2, "c", "d");
	ROW(&c, 3, "e", "f");
	ROW(&c, 4, "g", "h");
	assert_int_equal(csv_next(&c), ST_OK);
	assert_string_equal(c.field[0], "I");
	assert_string_equal(c.field[1], "J");
	expect_end(&c);
	csv_release(&c);

	/* The BOM is skipped, once, only at the very start. */
	static const char bom[] = "\xEF\xBB\xBF"
				  "code,name\n\xEF\xBB\xBFx,y\n";
	csv_init(&c, bom, sizeof(bom) - 1, 0);
	ROW(&c, 1, "code", "name");
	ROW(&c, 2, "\xEF\xBB\xBFx", "y");
	expect_end(&c);
	csv_release(&c);
	static const char bom_quoted[] = "\xEF\xBB\xBF\"code\",name\r\n";
	csv_init(&c, bom_quoted, sizeof(bom_quoted) - 1, 0);
	ROW(&c, 1, "code", "name");
	expect_end(&c);
	csv_release(&c);
	/* Part of a BOM is just bytes. */
	static const char half[] = "\xEF\xBB"
				   "a\n";
	csv_init(&c, half, sizeof(half) - 1, 0);
	ROW(&c, 1,
	    "\xEF\xBB"
	    "a");
	expect_end(&c);
	csv_release(&c);

	/* Blank lines (LF, CRLF, CR) are skipped and still counted for the line numbers. */
	static const char blank[] =
		"\n\r\nfirst\n\n\n\r\nsecond,2\r\n\r\n\"third\n\nrow\"\n\nfourth\n\n";
	csv_init(&c, blank, sizeof(blank) - 1, 0);
	ROW(&c, 3, "first");
	ROW(&c, 7, "second", "2");
	ROW(&c, 9, "third\n\nrow");
	ROW(&c, 13, "fourth");
	expect_end(&c);
	assert_int_equal(c.row, 4);
	csv_release(&c);

	/* A line with only spaces is not blank: it is a row with one field of spaces. */
	static const char spaces[] = "a\n  \nb\n";
	csv_init(&c, spaces, sizeof(spaces) - 1, 0);
	ROW(&c, 1, "a");
	ROW(&c, 2, "  ");
	ROW(&c, 3, "b");
	expect_end(&c);
	csv_release(&c);
}

/* A malformed row is refused with the line where it starts. */
static void malformed_rows(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int good_rows;
		long line;
		const char *reason;
	} cases[] = {
		{ "\"open", 0, 1, "引号没有闭合" },
		{ "a,b\n\"x,y\n", 1, 2, "引号没有闭合" },
		{ "a\n\nb\n\"x\ny\nz", 2, 4, "引号没有闭合" },
		{ "a,\"b", 0, 1, "引号没有闭合" },
		{ "a,\"b\"\"", 0, 1, "引号没有闭合" },
		{ "\"a\"b,c\n", 0, 1, "引号后面有多余的字符" },
		{ "ok\n\"a\" ,c\n", 1, 2, "引号后面有多余的字符" },
		{ "ok\r\n\r\nx,\"a\"\"\"b\n", 1, 3, "引号后面有多余的字符" },
		{ "\"multi\nline\"x\n", 0, 1, "引号后面有多余的字符" },
		{ "1\n2\n3\n\"\"\"\n", 3, 4, "引号没有闭合" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct csv c;
		csv_init(&c, cases[i].text, strlen(cases[i].text), 0);
		for (int r = 0; r < cases[i].good_rows; r++)
			assert_int_equal(csv_next(&c), ST_OK);
		enum status st = csv_next(&c);
		if (st != ST_INVALID)
			fail_msg("case %zu: status %d, want ST_INVALID", i, (int)st);
		if (c.row_line != cases[i].line)
			fail_msg("case %zu: row_line %ld, want %ld", i, c.row_line, cases[i].line);
		assert_non_null(c.error);
		assert_string_equal(c.error, cases[i].reason);
		assert_int_equal(c.row, cases[i].good_rows);
		csv_release(&c);
	}
}

/* Fields up to max_field_bytes pass, one byte more is ST_TOO_LARGE with the row's line. */
static void field_size_limit(void **state)
{
	(void)state;
	char text[300];
	for (size_t max = 1; max <= 40; max++) {
		for (size_t len = 0; len <= max + 2; len++) {
			for (int quoted = 0; quoted < 2; quoted++) {
				/* a good first row, then the row under test on line 2 */
				size_t n = (size_t)snprintf(text, sizeof(text), "x\n");
				text[n++] = 'a';
				text[n++] = ',';
				if (quoted)
					text[n++] = '"';
				for (size_t i = 0; i < len; i++)
					text[n++] =
						i % 3 == 2 && quoted ? '\n' : (char)('a' + i % 26);
				if (quoted)
					text[n++] = '"';
				text[n++] = '\n';
				struct csv c;
				csv_init(&c, text, n, max);
				assert_int_equal(csv_next(&c), ST_OK);
				enum status st = csv_next(&c);
				if (len <= max) {
					if (st != ST_OK)
						fail_msg("max %zu len %zu quoted %d: status %d",
							 max, len, quoted, (int)st);
					assert_int_equal(c.nfields, 2);
					assert_int_equal(strlen(c.field[1]), len);
					assert_int_equal(c.row_line, 2);
				} else {
					if (st != ST_TOO_LARGE)
						fail_msg("max %zu len %zu quoted %d: status %d",
							 max, len, quoted, (int)st);
					assert_string_equal(c.error, "单元格内容过长");
					assert_int_equal(c.row_line, 2);
				}
				csv_release(&c);
			}
		}
	}
	/* A doubled quote is one byte of the field. */
	static const char dq[] = "\"ab\"\"de\"\n";
	struct csv c;
	csv_init(&c, dq, sizeof(dq) - 1, 5);
	ROW(&c, 1, "ab\"de");
	csv_release(&c);
	/* 0 means the default of 64 KiB. */
	size_t big = 65536;
	char *t = malloc(big + 2);
	assert_non_null(t);
	memset(t, 'z', big + 1);
	t[big + 1] = '\n';
	csv_init(&c, t, big + 1, 0);
	assert_int_equal(csv_next(&c), ST_TOO_LARGE);
	csv_release(&c);
	csv_init(&c, t + 1, big + 1, 0);
	assert_int_equal(csv_next(&c), ST_OK);
	assert_int_equal(strlen(c.field[0]), big);
	csv_release(&c);
	free(t);
}

/* CSV_MAX_FIELDS fields pass, one more is ST_TOO_LARGE with the row's line. */
static void column_limit(void **state)
{
	(void)state;
	char text[1024];
	for (int nf = 1; nf <= CSV_MAX_FIELDS + 3; nf++) {
		size_t n = (size_t)snprintf(text, sizeof(text), "h\n\n");
		for (int i = 0; i < nf; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%d", i ? "," : "", i);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\nnext\n");
		struct csv c;
		csv_init(&c, text, n, 0);
		ROW(&c, 1, "h");
		enum status st = csv_next(&c);
		if (nf <= CSV_MAX_FIELDS) {
			assert_int_equal(st, ST_OK);
			assert_int_equal(c.nfields, nf);
			for (int i = 0; i < nf; i++) {
				char want[8];
				snprintf(want, sizeof(want), "%d", i);
				assert_string_equal(c.field[i], want);
			}
			ROW(&c, 4, "next");
			expect_end(&c);
		} else {
			assert_int_equal(st, ST_TOO_LARGE);
			assert_string_equal(c.error, "列数过多");
			assert_int_equal(c.row_line, 3);
		}
		csv_release(&c);
	}
	/* Empty fields count too. */
	memset(text, ',', CSV_MAX_FIELDS);
	struct csv c;
	csv_init(&c, text, CSV_MAX_FIELDS - 1, 0);
	assert_int_equal(csv_next(&c), ST_OK);
	assert_int_equal(c.nfields, CSV_MAX_FIELDS);
	csv_release(&c);
	csv_init(&c, text, CSV_MAX_FIELDS, 0);
	assert_int_equal(csv_next(&c), ST_TOO_LARGE);
	csv_release(&c);
}

/* Fields stay right when the line buffer grows under them, and from row to row. */
static void large_rows_keep_their_fields(void **state)
{
	(void)state;
	enum { FIELD = 3000 };
	size_t cap = (size_t)CSV_MAX_FIELDS * (FIELD + 3) * 2 + 16;
	char *text = malloc(cap);
	assert_non_null(text);
	size_t n = 0;
	for (int row = 0; row < 2; row++) {
		for (int i = 0; i < CSV_MAX_FIELDS; i++) {
			if (i)
				text[n++] = ',';
			text[n++] = '"';
			for (int k = 0; k < FIELD; k++)
				text[n++] = (char)('A' + (i + row) % 26);
			text[n++] = '"';
		}
		text[n++] = '\n';
	}
	struct csv c;
	csv_init(&c, text, n, FIELD);
	for (int row = 0; row < 2; row++) {
		assert_int_equal(csv_next(&c), ST_OK);
		assert_int_equal(c.nfields, CSV_MAX_FIELDS);
		for (int i = 0; i < CSV_MAX_FIELDS; i++) {
			assert_int_equal(strlen(c.field[i]), FIELD);
			for (int k = 0; k < FIELD; k++)
				if (c.field[i][k] != (char)('A' + (i + row) % 26))
					fail_msg("row %d field %d byte %d", row, i, k);
		}
	}
	expect_end(&c);
	csv_release(&c);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_rows),
		cmocka_unit_test(quoted_fields),
		cmocka_unit_test(line_ends_bom_and_blank_lines),
		cmocka_unit_test(malformed_rows),
		cmocka_unit_test(field_size_limit),
		cmocka_unit_test(column_limit),
		cmocka_unit_test(large_rows_keep_their_fields),
	};
	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
