/* liaison.h: liaison assignment (包联: leaders, cadres and contact officers assigned to
 * enterprises), visits (走访) with the problems they find filed as appeals, 无事不扰 (a monthly
 * cap on visits, quiet periods, the enterprise's rating of each visit), coverage, and the pure
 * rules behind them (liaison_rules.c). */
#ifndef TIEJIAN_LIAISON_H
#define TIEJIAN_LIAISON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/status.h"

struct module;

/*
 * Ownership: the rules work on caller-owned memory and keep no pointer after they return.
 * Dates are "YYYY-MM-DD" text (the bureau's calendar days), which compare as strings.
 */

/* ---- vocabularies (codes stored and in the API; Chinese names for people) ---------------- */

enum liaison_kind { LK_LEADER, LK_CADRE, LK_CONTACT, LK__COUNT };
enum visit_mode { VM_ONSITE, VM_PHONE, VM_VIDEO, VM__COUNT };
enum visit_rating { VR_HELPFUL, VR_NEUTRAL, VR_DISTURBING, VR__COUNT };

/* NULL-terminated, index-aligned with the enums above. */
extern const char *const liaison_kind_codes[]; /* leader cadre contact */
extern const char *const liaison_kind_names[]; /* 包联领导 包联干部 联络员 */
extern const char *const visit_mode_codes[];   /* onsite phone video */
extern const char *const visit_mode_names[];   /* 实地 电话 视频 */
extern const char *const visit_rating_codes[]; /* helpful neutral disturbing */
extern const char *const visit_rating_names[]; /* 有帮助 一般 打扰 */

/* The index of s given as a code or as its Chinese name (surrounding blanks ignored), or -1. */
int liaison_choice(const char *const *codes, const char *const *names, const char *s);
/* The Chinese name of a code of the table, or the code itself when unknown. */
const char *liaison_name_of(const char *const *codes, const char *const *names, const char *code);

/* ---- dates --------------------------------------------------------------------------------- */

#define LIAISON_DATE_SIZE 11

/* Whether an assignment from start_on to end_on (NULL: open; both inclusive) holds on day. */
bool liaison_active_on(const char *start_on, const char *end_on, const char *day);
/* yyyymm of a date ("2026-11-26" -> 202611); 0 when it is not a date. */
int liaison_month_of(const char *day);
/* The date days before day, into out: the coverage cut-off (a visit on or after it counts). */
enum status liaison_days_before(const char *day, int days, char out[LIAISON_DATE_SIZE]);
/* The first and last day of day's calendar quarter. */
enum status liaison_quarter(const char *day, char first[LIAISON_DATE_SIZE],
			    char last[LIAISON_DATE_SIZE]);
/* The ISO week of day as "2026-W48" (the weekly reminder's key), and its weekday (1 Monday). */
enum status liaison_iso_week(const char *day, char out[12], int *weekday);

/* ---- 无事不扰: the monthly cap and quiet periods ------------------------------------------ */

/* Whether one more visit in a month that has month_visits already goes past the cap (cap 0:
 * no cap). */
bool liaison_over_cap(int month_visits, int cap);

struct quiet_period {
	const char *start_on, *end_on; /* both inclusive */
};
/* The first period containing day, or -1. */
int liaison_quiet_hit(const struct quiet_period *p, int n, const char *day);

#define LIAISON_QUIET_MAX_DAYS	 90  /* one declared period is at most this long */
#define LIAISON_QUIET_AHEAD_DAYS 366 /* and starts at most this far ahead */
/* Check a period an enterprise declares today: NULL when acceptable, else a Chinese reason and
 * *field ("start_on" or "end_on"). */
const char *liaison_quiet_check(const char *start_on, const char *end_on, const char *today,
				const char **field);

/* ---- rule-based assignment ---------------------------------------------------------------- */

struct liaison_candidate {
	int64_t user_id;
	int load; /* current assignments of the kind being given */
};
/*
 * Give n enterprises, in order, one candidate each, balanced by load: each goes to the
 * candidate with the fewest assignments at that moment (ties: the lower user id), whose load
 * then grows by one. out[i] receives the index of the chosen candidate; cands' loads are
 * updated. With no candidates every out[i] is -1.
 */
void liaison_balance(struct liaison_candidate *cands, int ncands, int n, int *out);

/* ---- coverage ------------------------------------------------------------------------------- */

/* covered / total in tenths of a percent, rounded half up (1 of 3 -> 333, 2 of 3 -> 667);
 * -1 when total is 0 (nothing to cover: shown as "—"). */
int liaison_coverage_permille(int64_t covered, int64_t total);
/* Whether an enterprise last visited on last_visit_on (NULL: never) is overdue at cutoff
 * (liaison_days_before(today, N)): never visited, or last visited before the cut-off. */
bool liaison_overdue(const char *last_visit_on, const char *cutoff);

/* ---- settings ------------------------------------------------------------------------------- */

struct liaison_settings {
	int visit_cap;	      /* 2: visits per enterprise per calendar month, all units together */
	int overdue_days;     /* 90: an enterprise nobody visited this long is overdue */
	int reminder_weekday; /* 1: the weekly reminder goes out from this weekday (1 Monday) */
};
struct liaison_setting_def {
	const char *key, *label;
	int def, min, max;
	size_t offset;
};
extern const struct liaison_setting_def liaison_setting_defs[];
extern const size_t liaison_nsettings;
void liaison_settings_defaults(struct liaison_settings *s);

extern const struct module liaison_module;

#endif
