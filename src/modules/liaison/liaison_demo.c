/* liaison_demo.c: the demo city's liaisons and visits, the same on every run (relative to the
 * day the demo is loaded): the 龙沙区 cadre liaises with sixteen of its county's enterprises
 * (规上 first, the demo enterprise user's among them), the county handler is the contact
 * officer of eight of them, the city leader liaises with the first 规上 enterprise of six
 * counties; visits over the last five months leave some enterprises overdue, one at this
 * month's cap; three problems found on visits are appeals (走访发现), linked both ways; the
 * enterprise rated some visits; one enterprise declared a quiet period. */
#include <stdio.h>

#include "app/app.h"
#include "audit/audit.h"
#include "lib/arena.h"
#include "lib/date.h"
#include "modules/appeals/appeals.h"
#include "modules/liaison/liaison_internal.h"
#include "modules/liaison/liaison_sql.h"

#define DEMO_CADRE_COUNT 16

struct person {
	int64_t id, org_id;
	char username[32], name[64], org_name[128], org_path[128];
};

static enum status person_of(struct db *db, const char *username, struct person *p)
{
	memset(p, 0, sizeof(*p));
	struct db_res *r = db_query(db, &SQL_LI_DEMO_USER, DB_ARGS(db_text(username)));
	if (db_next(r)) {
		p->id = db_col_int(r, 0);
		snprintf(p->username, sizeof(p->username), "%s", db_col_text(r, 1));
		snprintf(p->name, sizeof(p->name), "%s", db_col_text(r, 2));
		snprintf(p->org_name, sizeof(p->org_name), "%s", db_col_text(r, 3));
		snprintf(p->org_path, sizeof(p->org_path), "%s", db_col_text(r, 4));
		p->org_id = db_col_int(r, 5);
	}
	return db_done(r);
}

/* today - n days, as text */
static void day_minus(struct date today, int n, char out[DATE_TEXT_SIZE])
{
	struct date x;
	if (date_add_days(today, -n, &x) || date_format(x, out, DATE_TEXT_SIZE))
		snprintf(out, DATE_TEXT_SIZE, "1970-01-01");
}

static enum status assign(struct db *db, int64_t now, int64_t ent, const struct person *p,
			  const char *kind, const char *start)
{
	int64_t id;
	return db_int1(db, &SQL_LI_INSERT,
		       DB_ARGS(db_int(ent), db_int(p->id), db_text(kind), db_text(start), db_null(),
			       db_int(1), db_text("demo"), db_null(), db_null(), db_int(now)),
		       &id);
}

struct demo_visit {
	int ent;      /* index into the cadre's enterprises */
	int days_ago; /* -1: the first day of this month */
	int mode;     /* enum visit_mode */
	bool leader;  /* the leader went (with the cadre) */
	const char *summary;
	const char *problem, *detail, *category; /* a problem found, or NULL */
	const char *rating;			 /* the enterprise's rating, or NULL */
};

static const struct demo_visit plan[] = {
	{ 0, 12, VM_ONSITE, true,
	  "与企业负责人座谈，了解一季度订单和新产线建设进度。订单同比增长约15%"
	  "，新产线设备已进场安装。",
	  "技术工人招聘困难",
	  "新产线投产需要数控机床操作工约30人，本地招聘两个月仍缺口较大，希望协调职业院校定向培养和"
	  "人社部门专场招聘。",
	  "0401", "helpful" },
	{ 0, 75, VM_PHONE, false, "电话了解企业冬季生产安排和原材料储备情况，生产正常。", NULL,
	  NULL, NULL, "neutral" },
	{ 1, 20, VM_ONSITE, false,
	  "实地查看企业生产车间，了解峰谷电价调整后的用电情况，企业夜间生产比例提高。",
	  "峰谷电价调整后电费增加",
	  "峰谷电价调整后，企业生产线难以全部转到夜间，电费支出每月增加约8万元，希望了解电价政策和"
	  "节能改造支持。",
	  "0302", NULL },
	{ 2, -1, VM_ONSITE, false, "月初走访，了解企业市场开拓和展会参展计划。", NULL, NULL, NULL,
	  NULL },
	{ 2, 0, VM_VIDEO, true, "视频连线企业负责人，了解出口订单交付进度。", NULL, NULL, NULL,
	  NULL },
	{ 4, 40, VM_ONSITE, false, "走访了解企业技术改造项目进展，设备采购已完成招标。",
	  "技术改造项目资金申报",
	  "企业智能化改造项目投资约2000万元，希望了解省级技术改造专项资金申报条件和时间。", "0801",
	  NULL },
	{ 5, 55, VM_PHONE, false, "电话回访，企业反映经营平稳。", NULL, NULL, NULL, NULL },
	{ 6, 30, VM_ONSITE, false, "走访了解企业用工和社保缴纳情况，企业运转正常。", NULL, NULL,
	  NULL, NULL },
	{ 8, 110, VM_ONSITE, false, "走访了解企业停产检修后复产情况。", NULL, NULL, NULL, NULL },
	{ 9, 15, VM_ONSITE, false, "走访了解企业产品质量认证进展。", NULL, NULL, NULL, NULL },
	{ 10, 130, VM_PHONE, false, "电话了解企业年度经营目标。", NULL, NULL, NULL, NULL },
	{ 12, 8, VM_ONSITE, false, "走访了解企业数字化车间建设情况。", NULL, NULL, NULL, NULL },
	{ 13, 95, VM_ONSITE, false, "走访了解企业融资需求，企业暂无新增需求。", NULL, NULL, NULL,
	  NULL },
	{ 14, 3, VM_PHONE, false, "电话通知企业参加政策宣讲会。", NULL, NULL, NULL, NULL },
};

enum status liaison_demo(struct app *app, struct db *db)
{
	int64_t any = 0;
	enum status st = db_int1(db, &SQL_LI_DEMO_ANY, DB_NOARGS, &any);
	if (st || any)
		return st;
	struct person cadre, handler, leader;
	if ((st = person_of(db, "cadre", &cadre)) || (st = person_of(db, "handler", &handler)) ||
	    (st = person_of(db, "leader", &leader)))
		return st;
	if (!cadre.id || !handler.id || !leader.id)
		return ST_OK; /* not the demo city */
	int64_t now = app_now(app);
	struct date today;
	if (date_ts_local_date(now, &today))
		return ST_INTERNAL;
	char start[DATE_TEXT_SIZE], day[DATE_TEXT_SIZE];
	day_minus(today, 200, start);

	/* how an enterprise reaches them */
	const struct {
		const struct person *p;
		const char *mobile;
	} phones[] = { { &leader, "13945200100" },
		       { &cadre, "13945200101" },
		       { &handler, "13945200102" } };
	for (size_t i = 0; !st && i < sizeof(phones) / sizeof(phones[0]); i++)
		st = db_exec(db, &SQL_LI_DEMO_MOBILE,
			     DB_ARGS(db_int(phones[i].p->id), db_text(phones[i].mobile)), NULL);
	/* the cadre's enterprises, and the contact officer's */
	int64_t ents[DEMO_CADRE_COUNT];
	int n = 0;
	struct db_res *r = db_query(db, &SQL_LI_DEMO_ENTERPRISES,
				    DB_ARGS(db_text("230202"), db_int(DEMO_CADRE_COUNT)));
	while (db_next(r) && n < DEMO_CADRE_COUNT)
		ents[n++] = db_col_int(r, 0);
	if ((st = db_done(r)))
		return st;
	for (int i = 0; !st && i < n; i++) {
		st = assign(db, now, ents[i], &cadre, "cadre", start);
		if (!st && i < 8)
			st = assign(db, now, ents[i], &handler, "contact", start);
	}
	/* the leader: the first 规上 enterprise of six counties */
	static const char *const counties[] = { "230202", "230203", "230204",
						"230206", "230281", "230221" };
	for (size_t c = 0; !st && c < sizeof(counties) / sizeof(counties[0]); c++) {
		int64_t ent = 0;
		r = db_query(db, &SQL_LI_DEMO_ENTERPRISES,
			     DB_ARGS(db_text(counties[c]), db_int(1)));
		if (db_next(r))
			ent = db_col_int(r, 0);
		if ((st = db_done(r)))
			break;
		if (ent)
			st = assign(db, now, ent, &leader, "leader", start);
	}

	/* visits, their problems as appeals, the enterprise's ratings */
	struct arena a;
	arena_init(&a, 65536, 16u << 20);
	struct appeal_filer filer = { cadre.id, cadre.username, cadre.name, cadre.org_name,
				      cadre.org_path };
	int visits = 0, problems = 0;
	for (size_t i = 0; !st && i < sizeof(plan) / sizeof(plan[0]); i++) {
		const struct demo_visit *v = &plan[i];
		if (v->ent >= n)
			continue;
		if (v->days_ago < 0) {
			struct date first = { today.year, today.month, 1 };
			date_format(first, day, sizeof(day));
		} else {
			day_minus(today, v->days_ago, day);
		}
		int64_t at = now - (int64_t)(v->days_ago < 0 ? today.day - 1 : v->days_ago) * 86400;
		int64_t id = 0;
		st = db_int1(
			db, &SQL_VISIT_INSERT,
			DB_ARGS(db_int(ents[v->ent]), db_text(day), db_int(liaison_month_of(day)),
				db_text(visit_mode_codes[v->mode]), db_text(v->summary), db_null(),
				db_null(), db_int(0), db_int(0), db_int(v->problem ? 1 : 0),
				db_int(cadre.id), db_int(cadre.org_id), db_int(at)),
			&id);
		if (!st)
			st = db_exec(db, &SQL_VISIT_PERSON_INSERT,
				     DB_ARGS(db_int(id), db_int(cadre.id)), NULL);
		if (!st && v->leader)
			st = db_exec(db, &SQL_VISIT_PERSON_INSERT,
				     DB_ARGS(db_int(id), db_int(leader.id)), NULL);
		if (!st && v->problem) {
			int64_t cat = 0, aid = 0;
			const char *why = NULL;
			st = db_int1(db, &SQL_LI_DEMO_CATEGORY, DB_ARGS(db_text(v->category)),
				     &cat);
			struct appeal_filing f = { .enterprise_id = ents[v->ent],
						   .category_id = cat,
						   .channel = "visit",
						   .title = v->problem,
						   .content = v->detail,
						   .urgency = "normal",
						   .source_kind = "visit",
						   .source_id = id };
			if (!st)
				st = appeals_file_as(app, db, &a, now, &filer, &f, &aid, &why);
			if (!st)
				st = db_exec(db, &SQL_VISIT_PROBLEM_INSERT,
					     DB_ARGS(db_int(id), db_int(1), db_int(aid)), NULL);
			problems += !st;
			arena_reset(&a);
		}
		if (!st && v->rating) {
			int64_t rater = 0;
			enum status s2 = db_int1(db, &SQL_LI_DEMO_ENTERPRISE_USER,
						 DB_ARGS(db_int(ents[v->ent])), &rater);
			if (s2 && s2 != ST_NOT_FOUND)
				st = s2;
			else
				st = db_exec(db, &SQL_VISIT_RATE,
					     DB_ARGS(db_int(id), db_text(v->rating), db_null(),
						     db_int(at + 86400), db_id_or_null(rater)),
					     NULL);
		}
		visits += !st;
	}
	arena_release(&a);
	/* the second enterprise's peak season: a quiet period from three weeks on */
	if (!st && n > 1) {
		char from[DATE_TEXT_SIZE], to[DATE_TEXT_SIZE];
		day_minus(today, -21, from);
		day_minus(today, -50, to);
		int64_t id;
		st = db_int1(db, &SQL_QUIET_INSERT,
			     DB_ARGS(db_int(ents[1]), db_text(from), db_text(to),
				     db_text("年底订单集中交付，生产任务重"), db_null(),
				     db_int(now)),
			     &id);
	}
	if (st)
		return st;
	struct audit_actor who = { 0, "demo", NULL, "local", NULL };
	return audit_append(db, &who, now, "liaison", 0, "demo_load",
			    json_pack("{s:i, s:i, s:i}", "cadre_enterprises", n, "visits", visits,
				      "problems", problems),
			    true);
}
