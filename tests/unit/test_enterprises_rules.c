/* test_enterprises_rules.c: the registry's pure rules: vocabularies, values from people and
 * files, which fields an enterprise user edits, credit-code overrides, search folding, terms,
 * the FTS5 query, pinyin initials, import headers, formula-like cells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/pinyin.h"
#include "modules/enterprises/enterprises.h"

static void test_choice(void **state)
{
	(void)state;
	assert_int_equal(ent_choice(enterprise_ownership_codes, enterprise_ownership_names, "民营"), 2);
	assert_int_equal(ent_choice(enterprise_ownership_codes, enterprise_ownership_names, " private "), 2);
	assert_int_equal(ent_choice(enterprise_ownership_codes, enterprise_ownership_names, "混合所有制"), 5);
	assert_int_equal(ent_choice(enterprise_ownership_codes, enterprise_ownership_names, "私营"), -1);
	assert_int_equal(ent_choice(enterprise_scale_codes, enterprise_scale_names, "中"), 1);
	assert_int_equal(ent_choice(enterprise_scale_codes, enterprise_scale_names, "微型"), 3);
	assert_int_equal(ent_choice(enterprise_scale_codes, enterprise_scale_names, "超大"), -1);
	assert_int_equal(ent_choice(enterprise_status_codes, enterprise_status_names, "注销"), 2);
	assert_int_equal(ent_choice(enterprise_status_codes, enterprise_status_names, ""), -1);
}

static void test_bool(void **state)
{
	(void)state;
	bool b;
	const char *yes[] = {"是", "TRUE", "true", "1", "Y", "规上"};
	const char *no[] = {"否", "false", "0", "N", "no", "规下"};
	for (size_t i = 0; i < 6; i++) {
		assert_true(ent_parse_bool(yes[i], &b));
		assert_true(b);
		assert_true(ent_parse_bool(no[i], &b));
		assert_false(b);
	}
	assert_false(ent_parse_bool("也许", &b));
	assert_false(ent_parse_bool("", &b));
}

static void test_capital(void **state)
{
	(void)state;
	int64_t y;
	char buf[32];
	assert_true(ent_parse_capital("1200", &y));
	assert_int_equal(y, 12000000);
	assert_true(ent_parse_capital("35.5", &y));
	assert_int_equal(y, 355000);
	assert_true(ent_parse_capital("0.0001", &y));
	assert_int_equal(y, 1);
	assert_true(ent_parse_capital(".5", &y));
	assert_int_equal(y, 5000);
	assert_false(ent_parse_capital("1.00001", &y));
	assert_false(ent_parse_capital("-1", &y));
	assert_false(ent_parse_capital("1e3", &y));
	assert_false(ent_parse_capital("", &y));
	assert_false(ent_parse_capital("1234567890123", &y));
	ent_format_capital(355000, buf, sizeof(buf));
	assert_string_equal(buf, "35.5");
	ent_format_capital(12000000, buf, sizeof(buf));
	assert_string_equal(buf, "1200");
	ent_format_capital(1, buf, sizeof(buf));
	assert_string_equal(buf, "0.0001");
	/* every value of 4 decimals goes there and back */
	for (int64_t v = 0; v < 200000; v += 37) {
		ent_format_capital(v, buf, sizeof(buf));
		assert_true(ent_parse_capital(buf, &y));
		assert_int_equal(y, v);
	}
}

static void test_employees_date(void **state)
{
	(void)state;
	int64_t n;
	assert_true(ent_parse_employees("45", &n));
	assert_int_equal(n, 45);
	assert_true(ent_parse_employees(" 0 ", &n));
	assert_false(ent_parse_employees("-3", &n));
	assert_false(ent_parse_employees("1.5", &n));
	assert_false(ent_parse_employees("10000001", &n));
	char d[11];
	assert_true(ent_parse_date("2015-06-01", d));
	assert_string_equal(d, "2015-06-01");
	assert_true(ent_parse_date("2020/1/5", d));
	assert_string_equal(d, "2020-01-05");
	assert_true(ent_parse_date("2020.12.31", d));
	assert_true(ent_parse_date("2008年8月8日", d));
	assert_string_equal(d, "2008-08-08");
	assert_true(ent_parse_date("2024-02-29", d));
	assert_false(ent_parse_date("2023-02-29", d));
	assert_false(ent_parse_date("2015-13-01", d));
	assert_false(ent_parse_date("1899-12-31", d));
	assert_false(ent_parse_date("20150601", d));
	assert_false(ent_parse_date("2015-06-01x", d));
}

static void test_mobile_codes(void **state)
{
	(void)state;
	char m[12];
	assert_true(ent_mobile_normalize("13800138000", m));
	assert_string_equal(m, "13800138000");
	assert_true(ent_mobile_normalize("+86 138-0013-8000", m));
	assert_string_equal(m, "13800138000");
	assert_true(ent_mobile_normalize("8613800138000", m));
	assert_false(ent_mobile_normalize("12800138000", m));
	assert_false(ent_mobile_normalize("1380013800", m));
	assert_false(ent_mobile_normalize("138001380001", m));
	assert_false(ent_mobile_normalize("1380013800a", m));
	assert_false(ent_mobile_normalize("0452-1234567", m));
	assert_true(ent_region_code_valid("230202"));
	assert_false(ent_region_code_valid("230200"));
	assert_false(ent_region_code_valid("23020"));
	assert_false(ent_region_code_valid("23020a"));
	assert_true(ent_industry_code_valid("C"));
	assert_true(ent_industry_code_valid("34"));
	assert_false(ent_industry_code_valid("U"));
	assert_false(ent_industry_code_valid("c"));
	assert_false(ent_industry_code_valid("341"));
}

static void test_tags(void **state)
{
	(void)state;
	assert_true(ent_tag_name_valid("专精特新\"小巨人\""));
	assert_true(ent_tag_name_valid("高新技术企业"));
	assert_false(ent_tag_name_valid(""));
	assert_false(ent_tag_name_valid("a|b"));
	assert_false(ent_tag_name_valid("甲、乙"));
	assert_false(ent_tag_name_valid("一二三四五六七八九十一二三四五六七八九十一"));
	char cell[] = " 专精特新、高新技术企业;瞪羚企业，, ;制造业单项冠军 ";
	char *names[8];
	int n = ent_split_tags(cell, names, 8);
	assert_int_equal(n, 4);
	assert_string_equal(names[0], "专精特新");
	assert_string_equal(names[1], "高新技术企业");
	assert_string_equal(names[2], "瞪羚企业");
	assert_string_equal(names[3], "制造业单项冠军");
	char two[] = "a,b,c";
	assert_int_equal(ent_split_tags(two, names, 2), 2);
}

static void test_fields(void **state)
{
	(void)state;
	/* an enterprise user edits where it is, how to reach it and how many it employs */
	for (int f = 0; f < EF__COUNT; f++) {
		bool want = f == EF_ADDRESS || f == EF_CONTACTS || f == EF_EMPLOYEES;
		assert_int_equal(ent_fields[f].enterprise_editable, want);
		assert_int_equal(ent_field_by_key(ent_fields[f].key), f);
		assert_non_null(ent_fields[f].label);
	}
	assert_int_equal(ent_field_by_key("version"), -1);
	for (int c = 0; c < EC__COUNT; c++) {
		assert_int_equal(ent_column_by_header(ent_columns[c].header), c);
		assert_int_equal(ent_column_by_header(ent_columns[c].key), c);
	}
	assert_int_equal(ent_column_by_header("\xEF\xBB\xBF统一社会信用代码 "), EC_USCC);
	assert_int_equal(ent_column_by_header("注册资本"), EC_CAPITAL);
	assert_int_equal(ent_column_by_header("地区名称"), -1);
	assert_true(ent_columns[EC_USCC].required && ent_columns[EC_NAME].required &&
		    ent_columns[EC_REGION].required && !ent_columns[EC_TAGS].required);
}

static void test_override(void **state)
{
	(void)state;
	struct uscc_problem p;
	memset(&p, 0, sizeof(p));
	const enum uscc_problem_kind yes[] = {USCC_PROBLEM_AUTHORITY, USCC_PROBLEM_CATEGORY,
					      USCC_PROBLEM_ORG_CHECK, USCC_PROBLEM_CHECK};
	const enum uscc_problem_kind no[] = {USCC_PROBLEM_NONE, USCC_PROBLEM_LENGTH,
					     USCC_PROBLEM_CHARACTER, USCC_PROBLEM_REGION,
					     USCC_PROBLEM_LOWERCASE};
	for (size_t i = 0; i < 4; i++) {
		p.kind = yes[i];
		assert_true(ent_uscc_overridable(&p));
	}
	for (size_t i = 0; i < 5; i++) {
		p.kind = no[i];
		assert_false(ent_uscc_overridable(&p));
	}
	/* a real code with its last character changed fails only the check */
	char code[] = "91350100M000100Y43";
	code[17] = '4';
	assert_int_equal(uscc_check(code, 18, &p), ST_INVALID);
	assert_true(ent_uscc_overridable(&p));
	assert_int_equal(uscc_check(code, 17, &p), ST_INVALID);
	assert_false(ent_uscc_overridable(&p));
}

static void test_fold_and_search_text(void **state)
{
	(void)state;
	char out[256];
	assert_int_equal(ent_fold("ＡＢＣ１２３abcDEF　齐齐哈尔", out, sizeof(out)), strlen("abc123abcdef 齐齐哈尔"));
	assert_string_equal(out, "abc123abcdef 齐齐哈尔");
	assert_int_equal(ent_fold("＂全角＂", out, sizeof(out)), 8);
	assert_string_equal(out, "\"全角\"");
	/* truncation keeps a NUL and reports the full length */
	char tiny[4];
	assert_int_equal(ent_fold("ABCDEFG", tiny, sizeof(tiny)), 7);
	assert_string_equal(tiny, "abc");
	size_t n = ent_search_text("龙沙ABC有限公司", "91230202MA1B2C3D4E", NULL, "卜奎大街１号",
				   "lsabcyxgs", out, sizeof(out));
	assert_string_equal(out, "龙沙abc有限公司\x1f" "91230202ma1b2c3d4e\x1f\x1f卜奎大街1号\x1f" "lsabcyxgs");
	assert_int_equal(n, strlen(out));
}

static void test_query(void **state)
{
	(void)state;
	struct ent_query q;
	assert_int_equal(ent_query_parse(NULL, &q), ST_OK);
	assert_int_equal(q.nterms, 0);
	assert_int_equal(q.fts, -1);
	assert_int_equal(ent_query_parse("  鹤 ", &q), ST_OK);
	assert_int_equal(q.nterms, 1);
	assert_string_equal(q.term[0], "鹤");
	assert_int_equal(q.chars[0], 1);
	assert_int_equal(q.fts, -1);
	assert_int_equal(ent_query_parse("龙沙　QQHE 机械制造", &q), ST_OK);
	assert_int_equal(q.nterms, 3);
	assert_string_equal(q.term[1], "qqhe");
	assert_int_equal(q.fts, 1); /* "qqhe" and "机械制造" are both 4: the first longest */
	assert_int_equal(ent_query_parse("a b c d", &q), ST_INVALID);
	char buf[512];
	assert_true(ent_fts_query("机械制造", buf, sizeof(buf)));
	assert_string_equal(buf, "\"机械制\" AND \"械制造\"");
	assert_true(ent_fts_query("a\"b", buf, sizeof(buf)));
	assert_string_equal(buf, "\"a\"\"b\"");
	assert_false(ent_fts_query("ab", buf, sizeof(buf)));
	assert_false(ent_fts_query("abcdef", buf, 8));
}

static void test_initials(void **state)
{
	(void)state;
	char out[256];
	ent_name_initials("龙沙机械", out, sizeof(out));
	assert_string_equal(out, "lsjx");
	ent_name_initials("齐齐哈尔ABC-2号", out, sizeof(out));
	assert_string_equal(out, "qqheabc2h jjheabc2h");
	/* 重 zhòng/chóng, 长 cháng/zhǎng: the other readings as a second set */
	ent_name_initials("重庆长安", out, sizeof(out));
	assert_string_equal(out, "zqca cqza");
	assert_string_equal(pinyin_of(0x9F99), "l"); /* 龙 */
	assert_string_equal(pinyin_of(0x3007), "l"); /* 〇 */
	assert_string_equal(pinyin_of('A'), "");
	assert_int_equal(pinyin_initials("ＡＢ１", strlen("ＡＢ１"), 0, out, sizeof(out)), 3);
	assert_string_equal(out, "ab1");
	/* invalid UTF-8 is skipped, never read past the end */
	assert_int_equal(pinyin_initials("\xE9\xBE", 2, 0, out, sizeof(out)), 0);
	/* every character of the table has 1-3 lower-case initials */
	int have = 0;
	for (uint32_t cp = 0x4E00; cp <= 0x9FFF; cp++) {
		const char *s = pinyin_of(cp);
		size_t k = strlen(s);
		assert_true(k <= 3);
		for (size_t i = 0; i < k; i++)
			assert_true(s[i] >= 'a' && s[i] <= 'z');
		have += k > 0;
	}
	assert_true(have > 20000);
}

static void test_formula(void **state)
{
	(void)state;
	assert_true(ent_formula_like("=1+1"));
	assert_true(ent_formula_like("+86"));
	assert_true(ent_formula_like("-2"));
	assert_true(ent_formula_like("@SUM(A1)"));
	assert_true(ent_formula_like("\t=cmd"));
	assert_false(ent_formula_like("齐齐哈尔"));
	assert_false(ent_formula_like(""));
	assert_false(ent_formula_like(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choice),        cmocka_unit_test(test_bool),
		cmocka_unit_test(test_capital),       cmocka_unit_test(test_employees_date),
		cmocka_unit_test(test_mobile_codes),  cmocka_unit_test(test_tags),
		cmocka_unit_test(test_fields),        cmocka_unit_test(test_override),
		cmocka_unit_test(test_fold_and_search_text), cmocka_unit_test(test_query),
		cmocka_unit_test(test_initials),      cmocka_unit_test(test_formula),
	};
	return cmocka_run_group_tests_name("enterprises_rules", tests, NULL, NULL);
}
