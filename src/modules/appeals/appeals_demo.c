/* appeals_demo.c: the demo city's appeals: a routing rule and a fixed set of appeals in every
 * state, each lived through the module's own code (deadlines, timelines, counters, audit rows)
 * at past times, acted on by the demo users where they are the ones responsible (the 龙沙区
 * handler receives and handles its county's appeals) and by named roles elsewhere; and the
 * generator behind `tiejian demo --appeals N` for the benchmark. Deterministic: the same
 * appeals and steps on every run, dated back from the day the demo is loaded. */
#include <limits.h>
#include <stdlib.h>

#include "app/app.h"
#include "audit/audit.h"
#include "lib/log.h"
#include "modules/appeals/appeals_internal.h"
#include "modules/appeals/appeals_sql.h"

#define DAY 86400

/* Who takes a step. */
enum who { W_ENT, W_DISP, W_LEAD, W_SUP, W_LEADER, W_CO, W_SYS };

struct step {
	int day;  /* days after filing */
	int hour; /* local hour of that day */
	enum appeal_action act;
	int arg;  /* the outcome, rating, extension days or suspension days */
	const char *text;
	enum who who;
};

struct demo_appeal {
	int ent;              /* index into the demo enterprises (0: the demo enterprise user's) */
	const char *category; /* subcategory code */
	const char *urgency, *channel;
	int days_ago;         /* filed this many days before today */
	const char *title, *content;
	const char *lead;     /* org code for assignment (NULL: the suggestion) */
	const char *co;       /* a co-unit's org code, or NULL */
	struct step steps[12];
};

#define END {0, 0, AA__COUNT, 0, NULL, W_SYS}
#define ACCEPT(d) {d, 9, AA_ACCEPT, 0, NULL, W_DISP}
#define ASSIGN(d) {d, 10, AA_ASSIGN, 0, "请按时限办理并及时联系企业", W_DISP}
#define START(d) {d, 14, AA_START, 0, NULL, W_LEAD}
#define CONTACT(d, t) {d, 15, AA_CONTACT, 0, t, W_LEAD}
#define INTERIM(d, t) {d, 16, AA_INTERIM_REPLY, 0, t, W_LEAD}
#define REPLY(d, o, t) {d, 16, AA_REPLY, o, t, W_LEAD}
#define RATE(d, r, t) {d, 10, AA_EVALUATE, r, t, W_ENT}

static const struct demo_appeal demo[] = {
	/* the demo enterprise's own appeals (用户 enterprise 看得到) */
	{0, "0301", "urgent", "self", 3, "新建厂房用电报装进度慢",
	 "我公司新建的2号标准化厂房已竣工验收，10千伏专线用电报装申请提交已45天，供电部门尚未完成"
	 "现场勘查和供电方案答复，数控加工中心无法调试，影响11月订单交付，请求协调加快办理。",
	 NULL, NULL,
	 {ACCEPT(0), ASSIGN(0), START(1), CONTACT(1, "与企业办公室主任电话沟通，了解报装进度"),
	  END}},
	{0, "0101", "normal", "self", 40, "技术改造项目贷款审批周期长",
	 "我公司计划投资1200万元实施数控机床智能化改造，已向两家银行申请中长期贷款800万元，因缺少"
	 "足值抵押物，审批已拖延两个多月，请求协调银行加快审批或提供政府性融资担保支持。",
	 "230202", NULL,
	 {ACCEPT(0), ASSIGN(0), START(1), CONTACT(1, "上门了解贷款申请情况"),
	  INTERIM(3, "已与两家合作银行对接，银行正在补充尽调，预计两周内给出意见"),
	  REPLY(7, AO_SOLVED, "经协调，市融资担保公司为企业提供500万元担保，农业银行已于本周批复贷款800万元。"),
	  RATE(9, AR_SATISFIED, "办理很及时，感谢！"), END}},
	{0, "0401", "normal", "self", 20, "三季度一线操作工用工缺口约80人",
	 "受订单增加影响，我公司三季度需新增数控车工、焊工等一线操作工约80人，通过网络招聘和劳务"
	 "市场招工效果不理想，请求人社部门组织专场招聘会并给予培训补贴支持。",
	 "230202", NULL,
	 {ACCEPT(0), ASSIGN(1), START(1), CONTACT(2, "电话联系企业人事负责人"),
	  REPLY(6, AO_EXPLAINED, "已将企业用工需求纳入全区春风行动专场招聘会，11月将举办专场；培训补贴政策已向企业详细解释。"),
	  END}},
	{0, "0901", "normal", "self", 12, "咨询专精特新企业奖励资金兑现时间",
	 "我公司今年被认定为省级专精特新中小企业，请问市级奖励资金的申报流程和兑现时间，需要准备哪些材料？",
	 "230202", NULL,
	 {ACCEPT(0), ASSIGN(0), START(0), {1, 9, AA_SUSPEND, 5, "请企业补充提供认定文件和近两年审计报告", W_LEAD}, END}},
	{0, "0804", "normal", "self", 75, "产品外观专利被仿冒，请求协助维权",
	 "我公司农机配件产品的外观设计专利被外地企业仿冒并低价销售，请求协助对接市场监管和知识产权部门维权。",
	 "230202", NULL,
	 {ACCEPT(0), ASSIGN(0), START(1), CONTACT(1, "电话了解侵权情况"),
	  REPLY(8, AO_EXPLAINED, "已告知企业向市场监管局知识产权科提交侵权线索。"),
	  RATE(10, AR_UNSATISFIED, "只告诉我们去哪里投诉，问题没有解决"),
	  START(11), INTERIM(13, "已联合市场监管局赴外地企业所在地协查"),
	  REPLY(18, AO_SOLVED, "经联合执法，仿冒企业已停止生产销售并下架相关产品，企业已获赔偿。"),
	  RATE(20, AR_BASIC, "问题解决了，过程有些长"), END}},
	/* the other counties' enterprises */
	{1, "0501", "normal", "visit", 2, "农产品外运物流成本偏高",
	 "走访中企业反映：冬季农产品外运冷链物流成本比去年上涨约20%，希望协调物流园区提供集中配送和运费补贴。",
	 NULL, NULL, {END}},
	{2, "0602", "normal", "hotline", 1, "新材料技改项目环评审批时间长",
	 "企业通过12345热线反映：年产5000吨新型复合材料技改项目环评报告已提交一个月，尚未组织专家评审，请求协调。",
	 NULL, NULL, {END}},
	{3, "0303", "urgent", "phone", 0, "冬季生产用天然气供应不足",
	 "企业来电反映：入冬后天然气供应压力不足，热处理生产线每天停产约4小时，请求协调燃气公司保障供应。",
	 NULL, NULL, {END}},
	{4, "0302", "normal", "visit", 6, "农机装备生产线电费负担重",
	 "走访中企业反映：峰谷电价调整后，生产线夜间错峰生产难以安排，电费支出明显增加，希望了解电价政策和节能改造支持。",
	 NULL, NULL, {ACCEPT(1), END}},
	{5, "0803", "normal", "visit", 9, "申请数字化车间改造专家诊断",
	 "企业计划建设数字化车间，希望组织专家进行免费诊断并给出改造方案。",
	 "230221", NULL, {ACCEPT(0), ASSIGN(1), END}},
	{6, "0202", "normal", "letter", 30, "厂区土地证办理受阻",
	 "企业来信反映：2019年竞得工业用地28亩，因原规划条件调整，至今未能办理不动产权证书，影响抵押融资。",
	 NULL, "230200-04",
	 {ACCEPT(1), ASSIGN(1), START(2), CONTACT(2, "到企业现场查看用地情况"),
	  {4, 11, AA_CO_OPINION, 0, "规划条件调整已报市规委会审议，建议主办单位跟进审议结果", W_CO},
	  INTERIM(5, "规划条件调整方案已上会，正在等待会议纪要"), END}},
	{7, "0104", "normal", "self", 16, "技改补助资金迟迟未拨付",
	 "我公司去年获批的技改补助资金150万元至今未拨付，请求协调财政部门尽快拨付。",
	 NULL, NULL,
	 {ACCEPT(0), ASSIGN(0), START(1),
	  {2, 10, AA_REQUEST_EXTENSION, 15, "需财政、发改两部门联合审核资金拨付条件，7个工作日内难以办结", W_LEAD},
	  END}},
	{8, "0601", "urgent", "hotline", 13, "项目审批材料被多次退回",
	 "企业反映：新建仓储项目审批材料先后三次被退回补正，每次只指出部分问题，希望一次性告知。",
	 NULL, NULL,
	 {ACCEPT(0), ASSIGN(0), START(1), {3, 9, AA_SUPERVISE, 0, "请3日内说明退回原因并一次性告知企业", W_SUP},
	  END}},
	{9, "0403", "normal", "visit", 8, "申请开展焊工技能提升培训",
	 "企业希望依托职业技能培训补贴政策，为40名焊工开展技能提升培训。",
	 NULL, NULL,
	 {ACCEPT(0), ASSIGN(0), {2, 10, AA_RETURN, 0, "职业技能培训属人社部门职责，本单位无法办理，请重新交办", W_LEAD},
	  END}},
	{10, "1001", "normal", "phone", 25, "被拖欠设备款，请求协调",
	 "企业来电反映：为某国有企业供应的设备款320万元已逾期一年未付，多次催要无果。",
	 NULL, NULL,
	 {ACCEPT(0), ASSIGN(0), START(1), CONTACT(1, "电话了解拖欠情况"),
	  REPLY(9, AO_NOT_YET, "欠款方正在进行债务重组，暂不具备一次性支付条件。"), END}},
	{11, "0701", "normal", "visit", 14, "希望对接本地主机厂配套需求",
	 "走访中企业反映：企业可生产农机液压件，希望对接本地主机厂的采购需求。",
	 NULL, NULL,
	 {ACCEPT(0), ASSIGN(0), START(1), CONTACT(1, "电话联系企业销售负责人"),
	  REPLY(5, AO_SOLVED, "已组织企业与两家主机厂召开产销对接会，达成采购意向。"), END}},
	{12, "0902", "normal", "self", 60, "省级工业转型升级资金申报材料咨询",
	 "请问省级工业转型升级资金今年的申报条件和材料清单？",
	 NULL, NULL,
	 {ACCEPT(0), ASSIGN(0), START(0),
	  REPLY(2, AO_EXPLAINED, "已将申报指南和材料清单发给企业，并电话讲解了申报条件。"),
	  {12, 9, AA_CLOSE, 0, NULL, W_SYS}, END}},
	{13, "0603", "normal", "self", 50, "食品生产许可证延续办理",
	 "企业食品生产许可证即将到期，延续申请需要现场核查，希望尽快安排。",
	 NULL, NULL,
	 {ACCEPT(0), ASSIGN(0), START(1),
	  REPLY(3, AO_SOLVED, "已协调市场监管部门完成现场核查，许可证已延续。"),
	  RATE(4, AR_SATISFIED, "非常满意"), END}},
	{14, "1002", "normal", "visit", 45, "园区道路破损影响货车通行",
	 "走访中企业反映：园区主干道多处破损，重型货车通行困难。",
	 NULL, NULL,
	 {ACCEPT(0), ASSIGN(0), START(1), CONTACT(1, "现场查看道路"),
	  REPLY(6, AO_SOLVED, "园区管委会已完成道路修补。"), RATE(8, AR_BASIC, NULL), END}},
	{15, "0704", "normal", "self", 35, "出口退税办理进度慢",
	 "企业反映出口退税申报后两个月未到账，影响资金周转。",
	 NULL, NULL,
	 {ACCEPT(0), ASSIGN(0), START(1),
	  REPLY(4, AO_EXPLAINED, "已向企业解释退税审核流程，税务部门将在本月完成审核。"),
	  RATE(6, AR_UNSATISFIED, "只是解释，没有加快"),
	  START(7), REPLY(10, AO_SOLVED, "经协调，退税款已到账。"),
	  RATE(11, AR_SATISFIED, "谢谢"), END}},
	{16, "0304", "normal", "self", 22, "新上项目能耗指标不足",
	 "企业新上熔炼项目需能耗指标约3000吨标煤，县里指标已用完，请求协调。",
	 NULL, NULL,
	 {{0, 15, AA_REJECT, 0, "该项目尚未取得备案，能耗指标须在项目备案后按程序申请，请先办理备案。", W_DISP},
	  END}},
	{17, "0702", "normal", "self", 18, "希望参加哈洽会的展位补贴",
	 "企业希望参加今年的哈洽会，请问有无展位费补贴？",
	 NULL, NULL,
	 {ACCEPT(0), {1, 9, AA_WITHDRAW, 0, "已从商务局获知补贴政策，撤回诉求", W_ENT}, END}},
	{18, "0102", "normal", "self", 4, "申请政府性融资担保",
	 "企业流动资金贷款300万元到期续贷，银行要求增加担保，申请政府性融资担保。",
	 NULL, NULL, {ACCEPT(0), ASSIGN(0), START(1), END}},
	{19, "0801", "normal", "self", 28, "技改项目备案咨询",
	 "企业拟实施生产线技术改造，咨询备案流程。",
	 NULL, NULL,
	 {ACCEPT(0), ASSIGN(0), START(0), REPLY(1, AO_SOLVED, "已指导企业在投资项目在线审批监管平台完成备案。"),
	  RATE(2, AR_SATISFIED, NULL), END}},
};

/* ---- actors ------------------------------------------------------------------------------ */

struct person {
	int64_t id;
	char name[64], org[128], path[64];
};

static void person_of(struct db *db, const char *username, struct person *p)
{
	memset(p, 0, sizeof(*p));
	struct db_res *r = db_query(db, &SQL_DEMO_USER_BY_NAME, DB_ARGS(db_text(username)));
	if (db_next(r)) {
		p->id = db_col_int(r, 0);
		snprintf(p->name, sizeof(p->name), "%s", db_col_text(r, 1));
		snprintf(p->org, sizeof(p->org), "%s", db_col_text(r, 2));
		snprintf(p->path, sizeof(p->path), "%s", db_col_text(r, 3));
	}
	db_done(r);
}

static enum status org_by_code(struct db *db, const char *code, int64_t *id)
{
	return db_int1(db, &SQL_DEMO_ORG_BY_CODE, DB_ARGS(db_text(code)), id);
}

/* ---- running the scripts -------------------------------------------------------------------- */

struct cast {
	struct person ent, cadre, sup, leader, handler;
	int64_t handler_org; /* the 龙沙区 bureau: its handler receives and handles */
};

static void set_actor(struct appeal_ctx *cx, const struct person *p, const char *fallback_name,
		      const char *fallback_org)
{
	cx->actor.user_id = p->id;
	cx->actor.username = p->id ? NULL : "demo";
	cx->actor.display_name = p->id ? arena_strdup(cx->arena, p->name) : fallback_name;
	cx->actor.org_name = p->id ? arena_strdup(cx->arena, p->org) : fallback_org;
	cx->actor.org_path = p->id ? arena_strdup(cx->arena, p->path) : NULL;
	cx->actor.ip = "local";
	cx->actor.request_id = NULL;
}

/* Move the context's clock (and its "today"). */
static enum status at(struct appeal_ctx *cx, int64_t t)
{
	struct date d;
	cx->now = t;
	if (date_ts_local_date(t, &d) || date_format(d, cx->today, sizeof(cx->today)))
		return ST_INTERNAL;
	return ST_OK;
}

/* The local midnight of today minus days, plus hour. */
static int64_t day_at(int64_t now, int days_ago, int day, int hour)
{
	struct date d;
	int64_t midnight = 0;
	date_ts_local_date(now, &d);
	date_add_days(d, -(int64_t)days_ago + day, &d);
	date_local_midnight_ts(d, &midnight);
	return midnight + (int64_t)hour * 3600;
}

static enum status run_step(struct appeal_ctx *cx, const struct cast *c, struct appeal *a,
			    const struct step *s, int64_t lead, int64_t co)
{
	struct appeal_input in;
	memset(&in, 0, sizeof(in));
	in.message = s->text;
	switch (s->act) {
	case AA_REPLY: in.outcome = s->arg; break;
	case AA_EVALUATE: in.rating = s->arg; break;
	case AA_REQUEST_EXTENSION:
	case AA_SUSPEND: in.days = s->arg; break;
	case AA_ASSIGN:
		in.lead_org_id = lead;
		if (co)
			in.co_org_id[in.nco++] = co;
		break;
	case AA_CONTACT: in.via = "phone"; break;
	default: break;
	}
	if (s->act == AA_REPLY && s->arg == AO_NOT_YET)
		in.plan = "与债务重组方案同步，分期支付欠款，每月跟踪一次";
	switch (s->who) {
	case W_ENT: set_actor(cx, &c->ent, "企业联系人", a->enterprise_name); break;
	case W_DISP:
		if (a->home_org_id == c->handler_org)
			set_actor(cx, &c->handler, NULL, NULL);
		else
			set_actor(cx, &(struct person){0}, "诉求受理员", a->home_name);
		break;
	case W_SUP: set_actor(cx, &c->sup, "督查人员", "督查室"); break;
	case W_LEADER: set_actor(cx, &c->leader, "领导", NULL); break;
	case W_SYS: set_actor(cx, &(struct person){0}, "系统", NULL); break;
	case W_LEAD:
	case W_CO: {
		int64_t org = s->who == W_CO ? (a->nco ? a->co_id[0] : 0) : a->lead_org_id;
		const char *org_name = s->who == W_CO ? (a->nco ? a->co_name[0] : NULL) : a->lead_name;
		if (org && org == c->handler_org)
			set_actor(cx, &c->handler, NULL, NULL);
		else
			set_actor(cx, &(struct person){0}, "承办人", org_name);
		break;
	}
	}
	if (s->act == AA_REPLY && s->arg == AO_NOT_YET) {
		/* the follow-up two months on */
		struct date d;
		char buf[DATE_TEXT_SIZE];
		if (!date_parse(cx->today, strlen(cx->today), &d) && !date_add_days(d, 60, &d) &&
		    !date_format(d, buf, sizeof(buf)))
			in.follow_up_on = arena_strdup(cx->arena, buf);
	}
	cx->caps = CAP__ALL;
	return appeal_act(cx, a, s->act, &in);
}

static enum status file_one(struct appeal_ctx *cx, const struct cast *c, int64_t enterprise_id,
			    const char *category_code, const char *urgency, const char *channel,
			    const char *title, const char *content, int64_t created_by,
			    struct appeal *a)
{
	memset(a, 0, sizeof(*a));
	struct db_res *r = db_query(cx->db, &SQL_ENT_FOR_APPEAL, DB_ARGS(db_int(enterprise_id)));
	bool found = false;
	if (db_next(r)) {
		a->enterprise_id = db_col_int(r, 0);
		a->home_org_id = db_col_int(r, 1);
		a->home_path = arena_strdup(cx->arena, db_col_text(r, 2));
		a->region_code = arena_strdup(cx->arena, db_col_text(r, 3));
		a->enterprise_name = arena_strdup(cx->arena, db_col_text(r, 4));
		found = true;
	}
	enum status st = db_done(r);
	if (st || !found)
		return st ? st : ST_NOT_FOUND;
	/* the subcategory by code */
	r = db_query(cx->db, &SQL_DEMO_CATEGORIES, DB_NOARGS);
	while (db_next(r))
		if (strcmp(db_col_text(r, 2), category_code) == 0) {
			a->category_id = db_col_int(r, 0);
			a->category_root = db_col_int(r, 1);
		}
	if ((st = db_done(r)))
		return st;
	if (!a->category_id)
		return ST_NOT_FOUND;
	a->created_by = created_by;
	a->channel = channel;
	a->title = title;
	a->content = content;
	a->urgency = urgency;
	a->contact_ok = true;
	a->contact_via = "phone";
	(void)c;
	return appeal_file(cx, a);
}

static enum status load_cast(struct db *db, struct cast *c)
{
	memset(c, 0, sizeof(*c));
	person_of(db, "enterprise", &c->ent);
	person_of(db, "cadre", &c->cadre);
	person_of(db, "supervisor", &c->sup);
	person_of(db, "leader", &c->leader);
	person_of(db, "handler", &c->handler);
	return org_by_code(db, "230202", &c->handler_org);
}

static enum status curated(struct app *app, struct db *db, int64_t now)
{
	struct cast c;
	enum status st = load_cast(db, &c);
	if (st)
		return st;
	int64_t ents[32];
	int nents = 0;
	struct db_res *r = db_query(db, &SQL_DEMO_ENTERPRISES, DB_ARGS(db_int(32)));
	while (db_next(r) && nents < 32)
		ents[nents++] = db_col_int(r, 0);
	if ((st = db_done(r)) || !nents)
		return st;
	struct arena ar;
	arena_init(&ar, 65536, 64u << 20);
	struct appeal_ctx cx;
	if ((st = appeal_ctx_init(&cx, app, db, &ar, now))) {
		arena_release(&ar);
		return st;
	}
	cx.quiet = false;
	for (size_t i = 0; !st && i < sizeof(demo) / sizeof(demo[0]); i++) {
		const struct demo_appeal *d = &demo[i];
		int64_t ent = ents[d->ent % nents], lead = 0, co = 0;
		if (d->lead && (st = org_by_code(db, d->lead, &lead)))
			break;
		if (d->co && (st = org_by_code(db, d->co, &co)))
			break;
		if ((st = at(&cx, day_at(now, d->days_ago, 0, 8))))
			break;
		bool own = d->ent == 0 && c.ent.id;
		bool visit = strcmp(d->channel, "visit") == 0;
		const struct person none = {0};
		const struct person *filer = own ? &c.ent : visit && d->ent == 0 ? &c.cadre : &none;
		set_actor(&cx, filer, visit ? "包联干部" : "诉求受理员", NULL);
		struct appeal a;
		if ((st = file_one(&cx, &c, ent, d->category, d->urgency, d->channel, d->title,
				   d->content, filer->id, &a)))
			break;
		for (int k = 0; !st && d->steps[k].act != AA__COUNT; k++) {
			const struct step *s = &d->steps[k];
			if ((st = at(&cx, day_at(now, d->days_ago, s->day, s->hour))))
				break;
			struct appeal fresh;
			if ((st = appeal_load(&cx, a.id, &fresh)))
				break;
			a = fresh;
			if (!own && s->who == W_ENT) {
				/* another enterprise's contact person, not a platform user */
				struct cast other = c;
				memset(&other.ent, 0, sizeof(other.ent));
				st = run_step(&cx, &other, &a, s, lead, co);
			} else {
				st = run_step(&cx, &c, &a, s, lead, co);
			}
			if (st)
				log_error("demo appeal %zu step %d (%s): %s %s", i, k,
					  appeal_action_codes[s->act], status_code(st),
					  cx.err_message ? cx.err_message : "");
		}
	}
	arena_release(&ar);
	return st;
}

/* ---- generated appeals (the benchmark) -------------------------------------------------- */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static const char *const gen_subjects[] = {
	"用电报装",   "技改贷款",   "招工用工",   "土地手续",   "物流成本",   "环评审批",
	"产销对接",   "数字化改造", "政策兑现",   "资金申报",   "天然气供应", "补助拨付",
	"技能培训",   "专利维权",   "道路维修",   "出口退税",   "许可证延续", "能耗指标",
	"融资担保",   "设备款拖欠", "展会补贴",   "项目备案",   "厂房租赁",   "人才引进"};
static const char *const gen_problems[] = {
	"办理进度慢，影响正常生产", "多次沟通未果，请求协调", "政策不清楚，希望上门讲解",
	"成本明显上涨，请求支持",   "材料被多次退回补正",     "希望尽快安排专人对接",
	"涉及多个部门，请求牵头协调", "影响订单按期交付"};

enum status appeals_demo_generate(struct app *app, struct db *db, long n)
{
	struct cast c;
	enum status st = load_cast(db, &c);
	if (st)
		return st;
	int64_t nent = 0;
	int64_t *ents = malloc(200000 * sizeof(*ents));
	if (!ents)
		return ST_NOMEM;
	struct db_res *r = db_query(db, &SQL_DEMO_ENTERPRISES, DB_ARGS(db_int(200000)));
	while (db_next(r) && nent < 200000)
		ents[nent++] = db_col_int(r, 0);
	struct {
		char code[8];
	} cats[128];
	int ncats = 0;
	if (!(st = db_done(r))) {
		r = db_query(db, &SQL_DEMO_CATEGORIES, DB_NOARGS);
		while (db_next(r) && ncats < 128)
			snprintf(cats[ncats++].code, sizeof(cats[0].code), "%s", db_col_text(r, 2));
		st = db_done(r);
	}
	if (st || !nent || !ncats) {
		free(ents);
		return st ? st : ST_NOT_FOUND;
	}
	int64_t existing = 0;
	if ((st = db_int1(db, &SQL_DEMO_ANY, DB_NOARGS, &existing))) {
		free(ents);
		return st;
	}
	struct arena ar;
	arena_init(&ar, 65536, 64u << 20);
	struct appeal_ctx cx;
	int64_t now = app_now(app);
	if ((st = appeal_ctx_init(&cx, app, db, &ar, now))) {
		free(ents);
		arena_release(&ar);
		return st;
	}
	cx.quiet = true; /* no inbox rows for three years of history */
	static const char *const channels[] = {"self", "self", "self", "visit", "visit",
					       "hotline", "phone", "letter", "other"};
	for (long i = 0; !st && i < n; i++) {
		/* the appeal's number and the seed (tiejian demo --seed, 0 by default) */
		uint64_t x = mix((uint64_t)(existing + i) * 7919u + 13 +
				 (uint64_t)app->cfg->demo_seed * 0x9e3779b97f4a7c15ULL);
		int days_ago = (int)(x % 1095);
		x = mix(x);
		int64_t ent = ents[x % (uint64_t)nent];
		x = mix(x);
		const char *cat = cats[x % (uint64_t)ncats].code;
		x = mix(x);
		const char *subject = gen_subjects[x % (sizeof(gen_subjects) / sizeof(*gen_subjects))];
		x = mix(x);
		const char *problem = gen_problems[x % (sizeof(gen_problems) / sizeof(*gen_problems))];
		x = mix(x);
		const char *channel = channels[x % (sizeof(channels) / sizeof(*channels))];
		x = mix(x);
		bool urgent = x % 10 == 0;
		char title[160], content[600];
		snprintf(title, sizeof(title), "%s%s（第%ld号）", subject, problem, existing + i + 1);
		snprintf(content, sizeof(content),
			 "企业反映：%s方面%s。企业已自行沟通多次，希望主管部门了解情况后协调相关单位"
			 "尽快解决，并在办理过程中及时告知进展。编号%ld。",
			 subject, problem, existing + i + 1);
		if ((st = at(&cx, day_at(now, days_ago, 0, 8 + (int)(x % 9)))))
			break;
		set_actor(&cx, &(struct person){0}, "诉求受理员", NULL);
		struct appeal a;
		if ((st = file_one(&cx, &c, ent, cat, urgent ? "urgent" : "normal", channel, title,
				   content, 0, &a)))
			break;
		/* how far it got: older appeals further along */
		x = mix(x);
		int stage = days_ago > 30 ? 6 : (int)(x % 7);
		static const struct step path[] = {
			ACCEPT(0), ASSIGN(0), START(1), CONTACT(1, "电话联系企业"),
			REPLY(5, AO_SOLVED, "经协调，问题已解决。"), RATE(7, AR_SATISFIED, NULL)};
		for (int k = 0; !st && k < stage && k < 6; k++) {
			struct step s = path[k];
			if (k == 0 && x % 50 == 1) { /* some are refused */
				s.act = AA_REJECT;
				s.text = "不属于受理范围";
				stage = 1;
			}
			if (k == 4 && x % 4 == 1)
				s.arg = AO_EXPLAINED, s.text = "已向企业解释说明相关政策。";
			if (k == 5 && x % 7 == 2)
				s.arg = AR_BASIC;
			if (k == 5 && x % 11 == 3)
				s.act = AA_CLOSE, s.who = W_SYS, s.day = 14;
			if (days_ago - s.day < 0)
				break;
			if ((st = at(&cx, day_at(now, days_ago, s.day, s.hour))))
				break;
			struct appeal fresh;
			if ((st = appeal_load(&cx, a.id, &fresh)))
				break;
			struct cast other = c;
			memset(&other.ent, 0, sizeof(other.ent));
			st = run_step(&cx, &other, &fresh, &s, 0, 0);
		}
		arena_reset(&ar);
		if (!st && i % 2000 == 1999) {
			/* commit in steps, so a large run neither holds one huge transaction nor
			 * loses everything to an interruption */
			if (!(st = db_commit(db)))
				st = db_begin(db);
			log_info("demo: %ld appeals generated", i + 1);
		}
	}
	if (!st) {
		struct audit_actor who = {0, "demo", NULL, "local", NULL};
		st = audit_append(db, &who, now, "appeal", 0, "demo_generate",
				  json_pack("{s:I}", "count", (json_int_t)n), true);
	}
	free(ents);
	arena_release(&ar);
	return st;
}

enum status appeals_demo(struct app *app, struct db *db)
{
	int64_t n = 0, now = app_now(app);
	enum status st = db_int1(db, &SQL_DEMO_ANY, DB_NOARGS, &n);
	if (st)
		return st;
	if (n == 0) {
		/* one routing rule: power supply goes to the city's 运行监测协调科 */
		int64_t cat = 0, section = 0, rid;
		struct db_res *r = db_query(db, &SQL_DEMO_CATEGORIES, DB_NOARGS);
		while (db_next(r))
			if (strcmp(db_col_text(r, 2), "0301") == 0)
				cat = db_col_int(r, 1);
		if ((st = db_done(r)) || (st = org_by_code(db, "230200-02", &section)))
			return st;
		if (cat && (st = db_int1(db, &SQL_ROUTE_INSERT,
					 DB_ARGS(db_int(cat), db_text(""), db_int(section),
						 db_text("用电用能问题由运行监测协调科牵头"),
						 db_int(now)),
					 &rid)))
			return st;
		if ((st = curated(app, db, now)))
			return st;
		struct audit_actor who = {0, "demo", NULL, "local", NULL};
		if ((st = audit_append(db, &who, now, "appeal", 0, "demo_load",
				       json_pack("{s:I}", "count",
						 (json_int_t)(sizeof(demo) / sizeof(demo[0]))),
				       true)))
			return st;
	}
	if (app->cfg->demo_appeals > 0) {
		log_info("demo: generating %ld appeals", app->cfg->demo_appeals);
		st = appeals_demo_generate(app, db, app->cfg->demo_appeals);
		/* what the daily upkeep would have done by now (appeals_search_upkeep_job) */
		int steps;
		if (!st)
			st = appeals_search_upkeep(db, INT_MAX, &steps); /* until merged */
	}
	return st;
}
