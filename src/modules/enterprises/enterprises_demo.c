/* enterprises_demo.c: the demo city's enterprises, fictional and generated deterministically
 * (the same names, codes and figures on every run), spread over the city's counties, the
 * divisions of Heilongjiang's "4567" industrial system, every size class and ownership type. */
#include <stdio.h>

#include "app/module.h"
#include "audit/audit.h"
#include "lib/csv.h"
#include "lib/embed.h"
#include "lib/log.h"
#include "modules/enterprises/enterprises_internal.h"
#include "modules/enterprises/enterprises_sql.h"

#define DEMO_CITY "230200"
#define DEMO_DEFAULT_COUNT 2000

/* splitmix64: a small deterministic generator; the seed is the row number. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

struct rnd {
	uint64_t s;
};
static unsigned pick(struct rnd *r, unsigned n)
{
	r->s = mix(r->s);
	return (unsigned)(r->s % n);
}

/* GB/T 4754 divisions of the 4567 system (数字经济、生物经济、冰雪经济、创意设计; 航空航天、电子
 * 信息、新材料、高端装备、农机装备; 能源、化工、食品、医药、汽车、轻工; 信息服务、现代物流 ...)
 * with a word for the names. */
static const struct {
	const char *division, *word;
} industries[] = {
	{"13", "粮油食品"}, {"13", "米业"},       {"14", "乳业"},       {"14", "食品"},
	{"15", "酒业"},     {"15", "饮品"},       {"17", "纺织"},       {"21", "家具"},
	{"22", "纸业"},     {"25", "石化"},       {"26", "化工"},       {"26", "生物化工"},
	{"27", "药业"},     {"27", "生物制药"},   {"29", "塑业"},       {"30", "新型建材"},
	{"31", "特钢"},     {"32", "新材料"},     {"33", "金属制品"},   {"34", "机械制造"},
	{"34", "机床"},     {"34", "精密机械"},   {"35", "农机装备"},   {"35", "重型装备"},
	{"35", "冰雪装备"}, {"36", "汽车零部件"}, {"37", "航空部件"},   {"37", "轨道装备"},
	{"38", "电气"},     {"38", "电缆"},       {"39", "电子科技"},   {"39", "智能科技"},
	{"40", "仪器仪表"}, {"44", "热电"},       {"44", "新能源"},     {"45", "燃气"},
	{"54", "物流"},     {"59", "仓储物流"},   {"64", "网络科技"},   {"65", "软件"},
	{"65", "信息技术"}, {"65", "数据科技"},   {"73", "检测技术"},   {"75", "科技服务"},
	{"88", "文化创意"},
};
#define NIND (sizeof(industries) / sizeof(industries[0]))

static const char *const brands[] = {
	"鹤城", "北疆", "黑土", "嫩江", "扎龙", "丹顶", "金谷", "华安", "兴达", "宏远", "瑞丰",
	"恒通", "鑫源", "博睿", "启航", "中正", "长青", "东升", "天成", "丰泽", "康宁", "新元",
	"广厦", "青禾", "龙腾", "盛世", "合力", "振兴", "齐鑫", "北方", "卜奎", "明月", "松嫩",
	"雪原", "金穗", "沃野", "万通", "远航", "华晟", "泰和", "永安", "宝丰", "德隆", "国信",
	"力源", "精工", "重科", "鼎盛", "弘毅", "利民", "富华", "嘉禾", "昊天", "星河", "银河",
	"正阳", "安达", "和顺", "隆兴", "福瑞",
};
#define NBRAND (sizeof(brands) / sizeof(brands[0]))

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
				       "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗",
				       "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
				       "程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕"};
static const char *const given[] = {"建国", "志强", "秀英", "桂兰", "海燕", "立新", "春生", "玉梅",
				    "国庆", "红梅", "德胜", "淑华", "文博", "晓东", "明辉", "丽娟",
				    "振华", "雪松", "宏伟", "静",   "磊",   "洋",   "勇",   "军",
				    "伟",   "芳",   "娜",   "敏",   "强",   "涛"};
static const char *const streets[] = {"卜奎大街", "龙华路",   "中华路",   "建华路", "新明大街",
				      "光荣路",   "民航路",   "和平大街", "富强路", "长青路",
				      "工业园区", "经济开发区", "永安大街", "文化大街", "站前大街"};
static const char *const roles[] = {"总经理", "办公室主任", "财务负责人", "董事长", "综合部经理"};

/* The first rows: kept fixed, so the demo enterprise user's enterprise is id 1 (龙沙区). */
static const struct {
	const char *name, *region, *industry, *ownership, *scale;
	bool above;
} fixed[] = {
	{"齐齐哈尔市龙沙示范机械制造有限公司", "230202", "34", "private", "medium", true},
	{"建华区北疆食品加工有限公司", "230203", "13", "private", "small", true},
	{"铁锋区鹤城新材料科技有限公司", "230204", "30", "mixed", "small", false},
	{"富拉尔基重型装备制造股份有限公司", "230206", "35", "state", "large", true},
	{"讷河市黑土地农机装备有限公司", "230281", "35", "private", "medium", true},
	{"龙江县绿源生物科技有限公司", "230221", "27", "private", "small", false},
};

struct county {
	char code[8], name[64], shortname[32];
};

/* "龙沙区" → "龙沙", "讷河市" → "讷河", "梅里斯达斡尔族区" → "梅里斯". */
static void county_short(const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s", name);
	static const char *const cut[] = {"达斡尔族区", "蒙古族自治县", "区", "市", "县", NULL};
	size_t len = strlen(out);
	for (int i = 0; cut[i]; i++) {
		size_t k = strlen(cut[i]);
		if (len > k + 3 && strcmp(out + len - k, cut[i]) == 0) {
			out[len - k] = '\0';
			return;
		}
	}
}

static int load_counties(struct county *out, int max)
{
	const struct embedded_file *f = embed_find("data/regions.csv");
	if (!f)
		return 0;
	struct csv c;
	csv_init(&c, f->data, f->len, 256);
	int n = 0;
	while (csv_next(&c) == ST_OK && n < max) {
		if (c.nfields != 4 || strcmp(c.field[2], "county") != 0 ||
		    strcmp(c.field[3], DEMO_CITY) != 0)
			continue;
		snprintf(out[n].code, sizeof(out[n].code), "%s", c.field[0]);
		snprintf(out[n].name, sizeof(out[n].name), "%s", c.field[1]);
		county_short(c.field[1], out[n].shortname, sizeof(out[n].shortname));
		n++;
	}
	csv_release(&c);
	return n;
}

/* The tags by id, to give some enterprises a few. */
static int load_tags(struct db *db, struct arena *a, struct ent_tag *tags, int max)
{
	int n = 0;
	struct db_res *r = db_query(db, &SQL_TAG_BRIEF, DB_NOARGS);
	while (db_next(r) && n < max)
		tags[n++] = (struct ent_tag){db_col_int(r, 0), arena_strdup(a, db_col_text(r, 1))};
	db_done(r);
	return n;
}

/* Make row i (0-based) of the generated set; seed (tiejian demo --seed, 0 by default) varies
 * everything drawn at random, while names and codes stay distinct. */
static void make_row(struct arena *a, long i, uint64_t seed, const struct county *counties,
		     int ncounties, const struct ent_tag *tags, int ntags, struct ent_rec *rec)
{
	struct rnd r = {(uint64_t)i * 2654435761ULL + 17 + seed * 0x9e3779b97f4a7c15ULL};
	memset(rec, 0, sizeof(*rec));
	const struct county *cty = &counties[pick(&r, (unsigned)ncounties)];
	/* a distinct brand and industry word for each row while the combinations last */
	uint64_t combos = (uint64_t)NBRAND * NIND;
	uint64_t k = ((uint64_t)i * 7919u) % combos;
	unsigned b = (unsigned)(k % NBRAND), w = (unsigned)(k / NBRAND);
	unsigned round = (unsigned)((uint64_t)i / combos);
	static const char *const scales[] = {"large", "medium", "small", "micro"};
	unsigned sp = pick(&r, 100);
	const char *scale = scales[sp < 4 ? 0 : sp < 18 ? 1 : sp < 60 ? 2 : 3];
	unsigned op = pick(&r, 100);
	static const char *const owners[] = {"state", "collective", "private", "foreign", "hmt",
					     "mixed"};
	const char *own = owners[op < 8 ? 0 : op < 11 ? 1 : op < 81 ? 2 : op < 86 ? 3 : op < 90 ? 4 : 5];
	const char *suffix = strcmp(own, "state") == 0 || strcmp(scale, "large") == 0
				     ? "股份有限公司"
				     : pick(&r, 3) ? "有限公司" : "有限责任公司";
	char name[256];
	if (round)
		snprintf(name, sizeof(name), "齐齐哈尔%s%s%s%u号%s", cty->shortname, brands[b],
			 industries[w].word, round + 1, suffix);
	else
		snprintf(name, sizeof(name), "齐齐哈尔%s%s%s%s", cty->shortname, brands[b],
			 industries[w].word, suffix);
	rec->name = arena_strdup(a, name);
	rec->region_code = arena_strdup(a, cty->code);
	rec->industry_code = industries[w].division;
	rec->ownership = own;
	rec->scale = scale;
	unsigned ap = pick(&r, 100);
	rec->above_scale = scale[0] == 'l' || scale[0] == 'm' || (scale[0] == 's' && ap < 55);
	unsigned stp = pick(&r, 100);
	rec->status = stp < 92 ? "operating" : stp < 97 ? "suspended" : "deregistered";
	char buf[128];
	snprintf(buf, sizeof(buf), "%s%s", surnames[pick(&r, sizeof(surnames) / sizeof(*surnames))],
		 given[pick(&r, sizeof(given) / sizeof(*given))]);
	rec->legal_rep = arena_strdup(a, buf);
	snprintf(buf, sizeof(buf), "黑龙江省齐齐哈尔市%s%s%u号", cty->name,
		 streets[pick(&r, sizeof(streets) / sizeof(*streets))], 1 + pick(&r, 399));
	rec->address = arena_strdup(a, buf);
	snprintf(buf, sizeof(buf), "%04u-%02u-%02u", 1985 + pick(&r, 40), 1 + pick(&r, 12),
		 1 + pick(&r, 28));
	rec->founded_on = arena_strdup(a, buf);
	static const unsigned emp_lo[] = {1000, 300, 20, 1}, emp_span[] = {9000, 700, 280, 19};
	static const unsigned cap_lo[] = {20000, 3000, 300, 10}, cap_span[] = {200000, 17000, 2700, 290};
	int si = scale[0] == 'l' ? 0 : scale[0] == 'm' ? 1 : scale[0] == 's' ? 2 : 3;
	rec->has_employees = true;
	rec->employees = emp_lo[si] + pick(&r, emp_span[si]);
	rec->has_capital = true;
	rec->capital_yuan = ((int64_t)cap_lo[si] + pick(&r, cap_span[si])) * 10000 +
			    (pick(&r, 4) == 0 ? 5000 : 0);
	if (ntags && pick(&r, 100) < 15) {
		int nt = 1 + (int)pick(&r, 2);
		for (int t = 0; t < nt; t++) {
			const struct ent_tag *tg = &tags[pick(&r, (unsigned)ntags)];
			bool dup = false;
			for (int x = 0; x < rec->ntags; x++)
				dup |= rec->tags[x].id == tg->id;
			if (!dup)
				rec->tags[rec->ntags++] = *tg;
		}
		if (rec->ntags == 2 && rec->tags[0].id > rec->tags[1].id) {
			struct ent_tag x = rec->tags[0];
			rec->tags[0] = rec->tags[1];
			rec->tags[1] = x;
		}
	}
	snprintf(buf, sizeof(buf), "%s%s", surnames[pick(&r, sizeof(surnames) / sizeof(*surnames))],
		 given[pick(&r, sizeof(given) / sizeof(*given))]);
	const char *cname = arena_strdup(a, buf);
	snprintf(buf, sizeof(buf), "1%u%09u", 3 + pick(&r, 7), pick(&r, 1000000000));
	rec->contacts[0] = (struct ent_contact){cname, roles[pick(&r, 5)], arena_strdup(a, buf)};
	rec->ncontacts = 1;
}

enum status enterprises_demo_generate(struct app *app, struct db *db, long n)
{
	struct county counties[64];
	int ncounties = load_counties(counties, 64);
	if (!ncounties)
		return ST_INTERNAL;
	struct arena a;
	arena_init(&a, 65536, 256u << 20);
	struct ent_tag tags[32];
	int ntags = load_tags(db, &a, tags, 32);
	int64_t existing = 0, now = app_now(app);
	enum status st = db_int1(db, &SQL_ENT_ANY, DB_NOARGS, &existing);
	struct ent_actor who = {0, "demo", NULL};
	struct ent_region rg[64];
	for (int c = 0; !st && c < ncounties; c++)
		st = ent_region_lookup(db, counties[c].code, &rg[c]);
	for (long i = 0; !st && i < n; i++) {
		long row = existing + i; /* more rows continue the sequence */
		struct ent_rec rec;
		if (row < (long)(sizeof(fixed) / sizeof(fixed[0]))) {
			make_row(&a, row, app->cfg->demo_seed, counties, ncounties, tags, ntags, &rec);
			rec.name = fixed[row].name;
			rec.region_code = fixed[row].region;
			rec.industry_code = fixed[row].industry;
			rec.ownership = fixed[row].ownership;
			rec.scale = fixed[row].scale;
			rec.above_scale = fixed[row].above;
			rec.status = "operating";
			rec.ntags = row == 0 && ntags >= 3 ? 2 : 0;
			if (rec.ntags) {
				rec.tags[0] = tags[0];
				rec.tags[1] = tags[2];
			}
		} else {
			make_row(&a, row, app->cfg->demo_seed, counties, ncounties, tags, ntags, &rec);
		}
		int c;
		for (c = 0; c < ncounties && strcmp(counties[c].code, rec.region_code) != 0; c++)
			;
		if (c == ncounties) {
			st = ST_INTERNAL;
			break;
		}
		char section[4] = "", iname[128];
		if ((st = ent_industry_lookup(db, rec.industry_code, section, iname)))
			break;
		rec.industry_section = arena_strdup(&a, section);
		char code[USCC_LEN + 1];
		if ((st = uscc_generate(1000 + (uint64_t)row * 7919, rec.region_code, code)))
			break;
		rec.uscc = arena_strdup(&a, code);
		const char *why;
		if ((st = ent_derive(db, &a, &rec, &rg[c], &why)) ||
		    (st = ent_insert(db, now, &who, &rec, "demo")))
			break;
		if (i % 256 == 255)
			arena_reset(&a), ntags = load_tags(db, &a, tags, 32);
	}
	arena_release(&a);
	if (st)
		return st;
	struct audit_actor actor = {0, "demo", NULL, "local", NULL};
	return audit_append(db, &actor, now, "enterprise", 0, "demo_load",
			    json_pack("{s:I}", "count", (json_int_t)n), true);
}

enum status enterprises_demo(struct app *app, struct db *db)
{
	int64_t n;
	enum status st = db_int1(db, &SQL_ENT_ANY, DB_NOARGS, &n);
	if (st || (n > 0 && app->cfg->demo_enterprises <= 0))
		return st;
	long want = app->cfg->demo_enterprises > 0 ? app->cfg->demo_enterprises : DEMO_DEFAULT_COUNT;
	log_info("demo: generating %ld enterprises", want);
	return enterprises_demo_generate(app, db, want);
}
