/* liaison_rules.c: the pure rules of liaison and visits: vocabularies, dates, the monthly cap,
 * quiet periods, balanced rule-based assignment and coverage arithmetic. No I/O. */
#include <stddef.h>
#include <string.h>

#include "lib/date.h"
#include "modules/liaison/liaison.h"

const char *const liaison_kind_codes[] = { "leader", "cadre", "contact", NULL };
const char *const liaison_kind_names[] = { "包联领导", "包联干部", "联络员", NULL };
const char *const visit_mode_codes[] = { "onsite", "phone", "video", NULL };
const char *const visit_mode_names[] = { "实地", "电话", "视频", NULL };
const char *const visit_rating_codes[] = { "helpful", "neutral", "disturbing", NULL };
const char *const visit_rating_names[] = { "有帮助", "一般", "打扰", NULL };

/* s without surrounding ASCII blanks and U+3000, as (p, n). */
static void trimmed(const char *s, const char **p, size_t *n)
{
	const char *b = s, *e = s + strlen(s);
	for (;;) {
		if (b < e && (*b == ' ' || *b == '\t'))
			b++;
		else if (e - b >= 3 && memcmp(b, "\xe3\x80\x80", 3) == 0)
			b += 3;
		else
			break;
	}
	for (;;) {
		if (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		else if (e - b >= 3 && memcmp(e - 3, "\xe3\x80\x80", 3) == 0)
			e -= 3;
		else
			break;
	}
	*p = b;
	*n = (size_t)(e - b);
}

int liaison_choice(const char *const *codes, const char *const *names, const char *s)
{
	if (!s)
		return -1;
	const char *p;
	size_t n;
	trimmed(s, &p, &n);
	for (int i = 0; codes[i]; i++)
		if ((strlen(codes[i]) == n && memcmp(codes[i], p, n) == 0) ||
		    (strlen(names[i]) == n && memcmp(names[i], p, n) == 0))
			return i;
	return -1;
}

const char *liaison_name_of(const char *const *codes, const char *const *names, const char *code)
{
	for (int i = 0; code && codes[i]; i++)
		if (strcmp(codes[i], code) == 0)
			return names[i];
	return code;
}

/* ---- dates ----------------------------------------------------------------------------------- */

static bool parse(const char *s, struct date *d)
{
	return s && date_parse(s, strlen(s), d) == ST_OK;
}

bool liaison_active_on(const char *start_on, const char *end_on, const char *day)
{
	if (!start_on || !day || strcmp(start_on, day) > 0)
		return false;
	return !end_on || strcmp(end_on, day) >= 0;
}

int liaison_month_of(const char *day)
{
	struct date d;
	return parse(day, &d) ? d.year * 100 + d.month : 0;
}

enum status liaison_days_before(const char *day, int days, char out[LIAISON_DATE_SIZE])
{
	struct date d, x;
	if (!parse(day, &d) || date_add_days(d, -(int64_t)days, &x))
		return ST_INVALID;
	return date_format(x, out, LIAISON_DATE_SIZE);
}

enum status liaison_quarter(const char *day, char first[LIAISON_DATE_SIZE],
			    char last[LIAISON_DATE_SIZE])
{
	struct date d;
	if (!parse(day, &d))
		return ST_INVALID;
	int m0 = (d.month - 1) / 3 * 3 + 1, m1 = m0 + 2;
	struct date a = { d.year, m0, 1 }, b = { d.year, m1, date_month_days(d.year, m1) };
	enum status st = date_format(a, first, LIAISON_DATE_SIZE);
	return st ? st : date_format(b, last, LIAISON_DATE_SIZE);
}

enum status liaison_iso_week(const char *day, char out[12], int *weekday)
{
	struct date d, thu;
	if (!parse(day, &d))
		return ST_INVALID;
	int wd = date_weekday(d);
	/* the ISO year is the year of the week's Thursday */
	if (date_add_days(d, 4 - wd, &thu))
		return ST_INVALID;
	struct date jan1 = { thu.year, 1, 1 };
	int week = (int)(date_days_between(jan1, thu) / 7) + 1;
	if (weekday)
		*weekday = wd;
	int n = snprintf(out, 12, "%04d-W%02d", thu.year, week);
	return n > 0 && n < 12 ? ST_OK : ST_INVALID;
}

/* ---- 无事不扰 ------------------------------------------------------------------------------- */

bool liaison_over_cap(int month_visits, int cap)
{
	return cap > 0 && month_visits >= cap;
}

int liaison_quiet_hit(const struct quiet_period *p, int n, const char *day)
{
	for (int i = 0; day && i < n; i++)
		if (p[i].start_on && p[i].end_on && strcmp(p[i].start_on, day) <= 0 &&
		    strcmp(day, p[i].end_on) <= 0)
			return i;
	return -1;
}

const char *liaison_quiet_check(const char *start_on, const char *end_on, const char *today,
				const char **field)
{
	struct date a, b, t;
	*field = "start_on";
	if (!parse(start_on, &a))
		return "开始日期应为YYYY-MM-DD格式的日期";
	*field = "end_on";
	if (!parse(end_on, &b))
		return "结束日期应为YYYY-MM-DD格式的日期";
	if (!parse(today, &t))
		return "日期无效";
	if (date_compare(b, a) < 0)
		return "结束日期不能早于开始日期";
	if (date_compare(b, t) < 0)
		return "结束日期不能早于今天：已经过去的时段无需申报";
	if (date_days_between(a, b) + 1 > LIAISON_QUIET_MAX_DAYS)
		return "一次申报的免打扰时段不能超过90天";
	*field = "start_on";
	if (date_days_between(t, a) > LIAISON_QUIET_AHEAD_DAYS)
		return "开始日期不能晚于一年以后";
	*field = NULL;
	return NULL;
}

/* ---- balancing ------------------------------------------------------------------------------ */

void liaison_balance(struct liaison_candidate *cands, int ncands, int n, int *out)
{
	for (int i = 0; i < n; i++) {
		int best = -1;
		for (int k = 0; k < ncands; k++)
			if (best < 0 || cands[k].load < cands[best].load ||
			    (cands[k].load == cands[best].load &&
			     cands[k].user_id < cands[best].user_id))
				best = k;
		out[i] = best;
		if (best >= 0)
			cands[best].load++;
	}
}

/* ---- coverage ------------------------------------------------------------------------------- */

int liaison_coverage_permille(int64_t covered, int64_t total)
{
	if (total <= 0)
		return -1;
	if (covered < 0)
		covered = 0;
	if (covered > total)
		covered = total;
	return (int)((covered * 2000 + total) / (total * 2));
}

bool liaison_overdue(const char *last_visit_on, const char *cutoff)
{
	return !last_visit_on || !*last_visit_on || strcmp(last_visit_on, cutoff) < 0;
}

/* ---- settings ------------------------------------------------------------------------------- */

const struct liaison_setting_def liaison_setting_defs[] = {
	{ "visit_cap", "每家企业每月走访次数上限（各单位合计，0为不限）", 2, 0, 31,
	  offsetof(struct liaison_settings, visit_cap) },
	{ "overdue_days", "超过多少天未走访视为未覆盖", 90, 7, 730,
	  offsetof(struct liaison_settings, overdue_days) },
	{ "reminder_weekday", "每周提醒在星期几发出（1为星期一）", 1, 1, 7,
	  offsetof(struct liaison_settings, reminder_weekday) },
};
const size_t liaison_nsettings = sizeof(liaison_setting_defs) / sizeof(liaison_setting_defs[0]);

void liaison_settings_defaults(struct liaison_settings *s)
{
	for (size_t i = 0; i < liaison_nsettings; i++)
		*(int *)((char *)s + liaison_setting_defs[i].offset) = liaison_setting_defs[i].def;
}
