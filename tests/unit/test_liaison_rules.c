/* test_liaison_rules.c: the pure rules of liaison and visits: vocabularies, dates and periods,
 * the monthly cap, quiet periods, balanced rule-based assignment, coverage arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "modules/liaison/liaison.h"

static void vocabularies(void **state)
{
	(void)state;
	assert_int_equal(liaison_choice(liaison_kind_codes, liaison_kind_names, "cadre"), LK_CADRE);
	assert_int_equal(liaison_choice(liaison_kind_codes, liaison_kind_names, "包联领导"),
			 LK_LEADER);
	assert_int_equal(liaison_choice(liaison_kind_codes, liaison_kind_names, " 联络员 "),
			 LK_CONTACT);
	/* a full-width blank around a cell typed in Excel */
	assert_int_equal(liaison_choice(liaison_kind_codes, liaison_kind_names,
					"\xe3\x80\x80包联干部\xe3\x80\x80"),
			 LK_CADRE);
	assert_int_equal(liaison_choice(liaison_kind_codes, liaison_kind_names, "干部"), -1);
	assert_int_equal(liaison_choice(liaison_kind_codes, liaison_kind_names, ""), -1);
	assert_int_equal(liaison_choice(liaison_kind_codes, liaison_kind_names, NULL), -1);
	assert_int_equal(liaison_choice(visit_mode_codes, visit_mode_names, "视频"), VM_VIDEO);
	assert_int_equal(liaison_choice(visit_rating_codes, visit_rating_names, "打扰"),
			 VR_DISTURBING);
	assert_string_equal(liaison_name_of(visit_mode_codes, visit_mode_names, "onsite"), "实地");
	assert_string_equal(liaison_name_of(visit_mode_codes, visit_mode_names, "boat"), "boat");
	for (int i = 0; i < LK__COUNT; i++)
		assert_non_null(liaison_kind_names[i]);
	assert_null(liaison_kind_codes[LK__COUNT]);
	assert_null(visit_mode_codes[VM__COUNT]);
	assert_null(visit_rating_codes[VR__COUNT]);
}

static void periods(void **state)
{
	(void)state;
	/* inclusive at both ends; an open end */
	assert_true(liaison_active_on("2026-01-01", NULL, "2026-01-01"));
	assert_true(liaison_active_on("2026-01-01", "2026-03-31", "2026-03-31"));
	assert_false(liaison_active_on("2026-01-01", "2026-03-31", "2026-04-01"));
	assert_false(liaison_active_on("2026-01-02", NULL, "2026-01-01"));
	/* ended the day before it began: cancelled, never active */
	assert_false(liaison_active_on("2026-05-10", "2026-05-09", "2026-05-10"));
	assert_false(liaison_active_on(NULL, NULL, "2026-05-10"));

	assert_int_equal(liaison_month_of("2026-11-26"), 202611);
	assert_int_equal(liaison_month_of("2026-13-01"), 0);
	assert_int_equal(liaison_month_of("x"), 0);

	char out[LIAISON_DATE_SIZE];
	assert_int_equal(liaison_days_before("2026-03-01", 90, out), ST_OK);
	assert_string_equal(out, "2025-12-01");
	assert_int_equal(liaison_days_before("2024-03-01", 1, out), ST_OK);
	assert_string_equal(out, "2024-02-29");
	assert_int_equal(liaison_days_before("2026-03-01", -21, out), ST_OK);
	assert_string_equal(out, "2026-03-22");
	assert_int_equal(liaison_days_before("2026-02-30", 1, out), ST_INVALID);

	char a[LIAISON_DATE_SIZE], b[LIAISON_DATE_SIZE];
	static const char *const q[][3] = {
		{ "2026-01-01", "2026-01-01", "2026-03-31" },
		{ "2026-03-31", "2026-01-01", "2026-03-31" },
		{ "2026-04-01", "2026-04-01", "2026-06-30" },
		{ "2026-08-15", "2026-07-01", "2026-09-30" },
		{ "2026-12-31", "2026-10-01", "2026-12-31" },
		{ "2024-02-29", "2024-01-01", "2024-03-31" },
	};
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		assert_int_equal(liaison_quarter(q[i][0], a, b), ST_OK);
		assert_string_equal(a, q[i][1]);
		assert_string_equal(b, q[i][2]);
	}
	assert_int_equal(liaison_quarter("2026-00-01", a, b), ST_INVALID);

	/* ISO weeks: the year of the week's Thursday */
	static const struct {
		const char *day, *week;
		int weekday;
	} w[] = {
		{ "2026-01-01", "2026-W01", 4 }, { "2025-12-29", "2026-W01", 1 },
		{ "2026-11-26", "2026-W48", 4 }, { "2027-01-01", "2026-W53", 5 },
		{ "2027-01-04", "2027-W01", 1 }, { "2021-01-03", "2020-W53", 7 },
	};
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		char key[12];
		int wd = 0;
		assert_int_equal(liaison_iso_week(w[i].day, key, &wd), ST_OK);
		assert_string_equal(key, w[i].week);
		assert_int_equal(wd, w[i].weekday);
	}
}

static void monthly_cap(void **state)
{
	(void)state;
	/* the default cap of 2: the first two are fine, the third asks for a reason */
	assert_false(liaison_over_cap(0, 2));
	assert_false(liaison_over_cap(1, 2));
	assert_true(liaison_over_cap(2, 2));
	assert_true(liaison_over_cap(5, 2));
	assert_true(liaison_over_cap(1, 1));
	/* 0: no cap */
	assert_false(liaison_over_cap(100, 0));
	struct liaison_settings s;
	liaison_settings_defaults(&s);
	assert_int_equal(s.visit_cap, 2);
	assert_int_equal(s.overdue_days, 90);
	assert_int_equal(s.reminder_weekday, 1);
	for (size_t i = 0; i < liaison_nsettings; i++) {
		assert_true(liaison_setting_defs[i].min <= liaison_setting_defs[i].def);
		assert_true(liaison_setting_defs[i].def <= liaison_setting_defs[i].max);
	}
}

static void quiet_periods(void **state)
{
	(void)state;
	const struct quiet_period p[] = {
		{ "2026-12-01", "2026-12-20" },
		{ "2026-12-15", "2027-01-10" },
		{ "2027-03-01", "2027-03-01" },
	};
	assert_int_equal(liaison_quiet_hit(p, 3, "2026-11-30"), -1);
	assert_int_equal(liaison_quiet_hit(p, 3, "2026-12-01"), 0);
	assert_int_equal(liaison_quiet_hit(p, 3, "2026-12-16"), 0); /* the first that holds */
	assert_int_equal(liaison_quiet_hit(p, 3, "2026-12-21"), 1);
	assert_int_equal(liaison_quiet_hit(p, 3, "2027-01-10"), 1);
	assert_int_equal(liaison_quiet_hit(p, 3, "2027-01-11"), -1);
	assert_int_equal(liaison_quiet_hit(p, 3, "2027-03-01"), 2);
	assert_int_equal(liaison_quiet_hit(p, 0, "2026-12-01"), -1);
	assert_int_equal(liaison_quiet_hit(p, 3, NULL), -1);

	const char *today = "2026-11-26", *field;
	assert_null(liaison_quiet_check("2026-12-01", "2026-12-20", today, &field));
	assert_null(field);
	assert_null(
		liaison_quiet_check("2026-11-20", "2026-11-26", today, &field)); /* ends today */
	assert_null(liaison_quiet_check("2026-12-01", "2027-02-28", today, &field)); /* 90 days */
	assert_non_null(liaison_quiet_check("2026-12-01", "2027-03-01", today, &field));
	assert_string_equal(field, "end_on");
	assert_non_null(liaison_quiet_check("2026-12-20", "2026-12-01", today, &field));
	assert_string_equal(field, "end_on");
	assert_non_null(liaison_quiet_check("2026-11-01", "2026-11-25", today, &field));
	assert_string_equal(field, "end_on");
	assert_non_null(liaison_quiet_check("2027-12-01", "2027-12-05", today, &field));
	assert_string_equal(field, "start_on");
	assert_non_null(liaison_quiet_check("2026-12", "2026-12-05", today, &field));
	assert_string_equal(field, "start_on");
	assert_non_null(liaison_quiet_check("2026-12-01", "2026-02-30", today, &field));
	assert_string_equal(field, "end_on");
}

static void balancing(void **state)
{
	(void)state;
	/* loads 3, 0, 1: the empty-handed one first, then evenly */
	struct liaison_candidate c[] = { { 10, 3 }, { 20, 0 }, { 30, 1 } };
	int out[7];
	liaison_balance(c, 3, 7, out);
	const int want[] = { 1, 1, 2, 1, 2, 0, 1 };
	for (int i = 0; i < 7; i++)
		assert_int_equal(out[i], want[i]);
	assert_int_equal(c[0].load, 4);
	assert_int_equal(c[1].load, 4);
	assert_int_equal(c[2].load, 3);
	/* equal loads go by user id, whatever the order of the list */
	struct liaison_candidate d[] = { { 9, 0 }, { 4, 0 }, { 7, 0 } };
	int o2[6];
	liaison_balance(d, 3, 6, o2);
	const int want2[] = { 1, 2, 0, 1, 2, 0 };
	for (int i = 0; i < 6; i++)
		assert_int_equal(o2[i], want2[i]);
	/* the loads never differ by more than one among those that received any */
	struct liaison_candidate e[5];
	for (int k = 0; k < 5; k++)
		e[k] = (struct liaison_candidate){ k + 1, k };
	int o3[40];
	liaison_balance(e, 5, 40, o3);
	int lo = e[0].load, hi = e[0].load, sum = 0;
	for (int k = 0; k < 5; k++) {
		lo = e[k].load < lo ? e[k].load : lo;
		hi = e[k].load > hi ? e[k].load : hi;
		sum += e[k].load;
	}
	assert_true(hi - lo <= 1);
	assert_int_equal(sum, 0 + 1 + 2 + 3 + 4 + 40);
	/* nobody to choose */
	int o4[2] = { 7, 7 };
	liaison_balance(NULL, 0, 2, o4);
	assert_int_equal(o4[0], -1);
	assert_int_equal(o4[1], -1);
}

static void coverage(void **state)
{
	(void)state;
	assert_int_equal(liaison_coverage_permille(0, 0), -1);
	assert_int_equal(liaison_coverage_permille(0, 7), 0);
	assert_int_equal(liaison_coverage_permille(7, 7), 1000);
	assert_int_equal(liaison_coverage_permille(1, 3), 333);
	assert_int_equal(liaison_coverage_permille(2, 3), 667);
	assert_int_equal(liaison_coverage_permille(1, 8), 125);
	assert_int_equal(liaison_coverage_permille(1, 16), 63); /* 62.5 rounds up */
	assert_int_equal(liaison_coverage_permille(10, 1946), 5);
	assert_int_equal(liaison_coverage_permille(9, 2000), 5);  /* 4.5 rounds up */
	assert_int_equal(liaison_coverage_permille(12, 5), 1000); /* clamped */
	assert_int_equal(liaison_coverage_permille(-1, 5), 0);
	/* overdue: never visited, or last visited before the cut-off */
	assert_true(liaison_overdue(NULL, "2026-08-28"));
	assert_true(liaison_overdue("", "2026-08-28"));
	assert_true(liaison_overdue("2026-08-27", "2026-08-28"));
	assert_false(liaison_overdue("2026-08-28", "2026-08-28"));
	assert_false(liaison_overdue("2026-11-26", "2026-08-28"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vocabularies), cmocka_unit_test(periods),
		cmocka_unit_test(monthly_cap),	cmocka_unit_test(quiet_periods),
		cmocka_unit_test(balancing),	cmocka_unit_test(coverage),
	};
	return cmocka_run_group_tests_name("liaison rules", tests, NULL, NULL);
}
