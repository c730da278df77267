/* appeals_stats.c: GET /api/v1/stats/appeals: received, accepted, closed, solved, on time,
 * rated, satisfied, reopened, returned ... and their rates, by unit, region, category or month,
 * read from the counters of the caller's scope key (or counted from the appeals on request). */
#include <math.h>
#include <stdlib.h>

#include "app/app.h"
#include "audit/audit.h"
#include "http/input.h"
#include "lib/log.h"
#include "modules/appeals/appeals_internal.h"
#include "modules/appeals/appeals_sql.h"

enum group_by { GB_NONE, GB_UNIT, GB_REGION, GB_CATEGORY, GB_MONTH };

struct group {
	int64_t key; /* the dimension's value, or yyyymm */
	const char *name;
	int64_t v[AM__COUNT];
};

struct groups {
	struct group *g;
	size_t n, alloc;
	int64_t total[AM__COUNT];
};

static struct group *group_at(struct request *req, struct groups *gs, int64_t key)
{
	for (size_t i = 0; i < gs->n; i++)
		if (gs->g[i].key == key)
			return &gs->g[i];
	if (gs->n == gs->alloc) {
		size_t alloc = gs->alloc ? gs->alloc * 2 : 64;
		struct group *g = arena_alloc(&req->arena, alloc * sizeof(*g));
		if (!g)
			return NULL;
		if (gs->n)
			memcpy(g, gs->g, gs->n * sizeof(*g));
		gs->g = g;
		gs->alloc = alloc;
	}
	struct group *g = &gs->g[gs->n++];
	memset(g, 0, sizeof(*g));
	g->key = key;
	return g;
}

/* A result row: value, month, name, then the metrics from column first. */
static enum status add_row(struct request *req, struct groups *gs, enum group_by by,
			   struct db_res *r, int first)
{
	int64_t value = db_col_int(r, 0), month = db_col_int(r, 1);
	int64_t v[AM__COUNT];
	for (int m = 0; m < AM__COUNT; m++) {
		v[m] = db_col_null(r, first + m) ? 0 : db_col_int(r, first + m);
		gs->total[m] += v[m];
	}
	if (by == GB_NONE)
		return ST_OK;
	struct group *g = group_at(req, gs, by == GB_MONTH ? month : value);
	if (!g)
		return ST_NOMEM;
	if (!g->name) {
		const char *name = db_col_text(r, 2);
		if (by == GB_MONTH)
			g->name = arena_printf(&req->arena, "%04lld-%02lld", (long long)(month / 100),
					       (long long)(month % 100));
		else if (by == GB_UNIT && value == 0)
			g->name = "未交办";
		else if (name)
			g->name = arena_strdup(&req->arena, name);
		else
			g->name = arena_printf(&req->arena, "%lld", (long long)value);
	}
	for (int m = 0; m < AM__COUNT; m++)
		g->v[m] += v[m];
	return ST_OK;
}

static json_t *numbers_json(const int64_t v[AM__COUNT])
{
	json_t *o = json_object();
	for (int m = 0; m < AM__COUNT; m++)
		json_object_set_new(o, appeal_metric_codes[m], json_integer(v[m]));
	json_object_set_new(o, "unrated", json_integer(v[AM_CLOSED] - v[AM_RATED]));
	json_t *rates = json_object();
	for (int r = 0; r < RATE__COUNT; r++) {
		double x = appeal_rate(v, (enum appeal_rate)r);
		json_object_set_new(rates, appeal_rate_codes[r],
				    x < 0 ? json_null() : json_real(round(x * 10000) / 10000));
	}
	json_object_set_new(o, "rates", rates);
	json_object_set_new(o, "avg_workdays_to_close",
			    v[AM_CLOSED] ? json_real(round((double)v[AM_CLOSE_DAYS] * 10 /
							   (double)v[AM_CLOSED]) /
						     10)
					 : json_null());
	return o;
}

static int by_key(const void *x, const void *y)
{
	const struct group *a = x, *b = y;
	return a->key < b->key ? -1 : a->key > b->key;
}

/* "2026-03" or "2026-03-15" → 202603. */
static enum status q_month(struct request *req, const char *name, const char *label, int def,
			   int *out)
{
	const char *s = req_query(req, name);
	*out = def;
	if (!s || !*s)
		return ST_OK;
	char buf[16];
	size_t n = strlen(s);
	if (n == 7) {
		snprintf(buf, sizeof(buf), "%s-01", s);
		s = buf;
		n = 10;
	}
	struct date d;
	if (n != 10 || date_parse(s, n, &d))
		return req_failf(req, ST_INVALID, "invalid_date", name,
				 "%s应为 YYYY-MM 或 YYYY-MM-DD 格式的有效日期", label);
	*out = d.year * 100 + d.month;
	return ST_OK;
}

enum status appeals_stats(struct request *req)
{
	static const char *const groupings[] = {"", "unit", "region", "category", "month", NULL};
	static const char *const sources[] = {"counters", "recount", NULL};
	const char *gb_text, *source_text;
	enum status st;
	struct date today;
	if (date_ts_local_date(req->now, &today))
		return ST_INTERNAL;
	int this_month = today.year * 100 + today.month;
	int year_ago = (today.month == 12 ? today.year : today.year - 1) * 100 +
		       (today.month == 12 ? 1 : today.month + 1);
	int from, to;
	if ((st = q_str(req, "group_by", "分组", 16, &gb_text)) ||
	    (st = q_str(req, "source", "数据来源", 16, &source_text)) ||
	    (st = q_month(req, "from", "开始月份", year_ago, &from)) ||
	    (st = q_month(req, "to", "结束月份", this_month, &to)))
		return st;
	int gb = gb_text ? appeal_code_index(groupings, gb_text) : 0;
	if (gb <= 0 && gb_text)
		return req_fail(req, ST_INVALID, "invalid_choice",
				"分组应为 unit、region、category 或 month", "group_by");
	if (gb < 0)
		gb = 0;
	int source = source_text ? appeal_code_index(sources, source_text) : 0;
	if (source < 0)
		return req_fail(req, ST_INVALID, "invalid_choice", "数据来源应为 counters 或 recount",
				"source");
	if (from > to)
		return req_fail(req, ST_INVALID, "invalid_range", "开始月份不能晚于结束月份", "from");
	struct db *db;
	if ((st = req_db(req, &db)))
		return st;
	enum group_by by = (enum group_by)gb;
	int dim = by == GB_UNIT ? SD_UNIT : by == GB_CATEGORY ? SD_CATEGORY : SD_REGION;

	/* The counter key the caller's scope names; a union of scopes no key covers is counted
	 * from the appeals instead (as is source=recount). */
	int key_kind = -1;
	int64_t key_id = 0;
	bool keyed = appeals_scope_key(&req->scope, &key_kind, &key_id);
	bool recount = source == 1 || (!keyed && key_kind != -1);
	struct groups gs;
	memset(&gs, 0, sizeof(gs));
	if (recount) {
		const struct sql *q = dim == SD_UNIT ? &SQL_RECOUNT_UNIT
				      : dim == SD_CATEGORY ? &SQL_RECOUNT_CATEGORY
							   : &SQL_RECOUNT_REGION;
		struct db_val a[7];
		scope_filter(req, a);
		a[5] = db_int(from);
		a[6] = db_int(to);
		struct db_res *r = db_query(db, q, a, 7);
		while (!st && db_next(r))
			st = add_row(req, &gs, by, r, 3);
		enum status dst = db_done(r);
		if (st || (st = dst))
			return st;
	} else if (keyed) {
		const struct sql *q = by == GB_NONE	? &SQL_STAT_TOTAL
				      : by == GB_MONTH	? &SQL_STAT_BY_MONTH
				      : by == GB_UNIT	? &SQL_STAT_BY_UNIT
				      : by == GB_CATEGORY ? &SQL_STAT_BY_CATEGORY
							  : &SQL_STAT_BY_REGION;
		struct db_res *r = db_query(db, q,
					    DB_ARGS(db_int(key_kind), db_int(key_id), db_int(dim),
						    db_int(from), db_int(to)));
		while (!st && db_next(r))
			st = add_row(req, &gs, by, r, 3);
		enum status dst = db_done(r);
		if (st || (st = dst))
			return st;
	}
	if (gs.n)
		qsort(gs.g, gs.n, sizeof(*gs.g), by_key);
	json_t *items = json_array();
	for (size_t i = 0; i < gs.n; i++) {
		bool empty = true;
		for (int m = 0; m < AM__COUNT; m++)
			empty &= gs.g[i].v[m] == 0;
		if (empty)
			continue; /* a cell whose appeals all moved elsewhere */
		json_t *o = numbers_json(gs.g[i].v);
		json_object_set_new(o, "key",
				    by == GB_MONTH ? json_string(gs.g[i].name)
				    : by == GB_REGION
					    ? json_string(arena_printf(&req->arena, "%06lld",
								       (long long)gs.g[i].key))
					    : json_integer(gs.g[i].key));
		json_object_set_new(o, "name", json_string(gs.g[i].name));
		json_array_append_new(items, o);
	}
	return reply_json(req, 200,
			  json_pack("{s:s, s:s, s:o, s:s, s:o, s:o}", "from",
				    arena_printf(&req->arena, "%04d-%02d", from / 100, from % 100),
				    "to", arena_printf(&req->arena, "%04d-%02d", to / 100, to % 100),
				    "group_by", by == GB_NONE ? json_null() : json_string(gb_text),
				    "source", recount ? "recount" : "counters", "total",
				    numbers_json(gs.total), "items", items));
}

bool appeals_scope_key(const struct scope *s, int *kind, int64_t *id)
{
	unsigned kinds = s->kinds;
	if (s->enterprise_id <= 0)
		kinds &= ~(unsigned)SCOPE_ENTERPRISE;
	if (kinds & SCOPE_SUBTREE)
		kinds &= ~(unsigned)SCOPE_ORG; /* the user's own org is inside its subtree */
	*id = 0;
	*kind = 0;
	if (kinds & SCOPE_ALL)
		*kind = SK_ALL;
	else if (kinds == SCOPE_SUBTREE)
		*kind = SK_SUBTREE, *id = s->org_id;
	else if (kinds == SCOPE_ORG)
		*kind = SK_ORG, *id = s->org_id;
	else if (kinds == SCOPE_ENTERPRISE)
		*kind = SK_ENTERPRISE, *id = s->enterprise_id;
	else if (kinds == 0)
		*kind = -1; /* sees nothing */
	else
		return false;
	return *kind >= 0;
}

/* ---- rebuilding ------------------------------------------------------------------------------ */

enum status appeals_counters_rebuild(struct appeal_ctx *cx, int64_t *count)
{
	*count = 0;
	enum status st = db_exec(cx->db, &SQL_STAT_CLEAR, DB_NOARGS, NULL);
	if (!st)
		st = db_exec(cx->db, &SQL_KEY_CLEAR, DB_NOARGS, NULL);
	int64_t last = 0;
	while (!st) {
		int64_t ids[1000];
		int n = 0;
		struct db_res *r = db_query(cx->db, &SQL_APPEAL_ALL_IDS, DB_ARGS(db_int(last)));
		while (db_next(r) && n < 1000)
			ids[n++] = db_col_int(r, 0);
		if ((st = db_done(r)) || !n)
			break;
		for (int i = 0; !st && i < n; i++) {
			struct appeal a;
			if (!(st = appeal_load(cx, ids[i], &a)))
				st = appeal_counters_apply(cx, NULL, NULL, &a);
			arena_reset(cx->arena);
		}
		last = ids[n - 1];
		*count += n;
	}
	return st;
}

enum status appeals_seed(struct app *app, struct db *db)
{
	int64_t keys = 0, appeals = 0;
	enum status st = db_int1(db, &SQL_KEY_ANY, DB_NOARGS, &keys);
	if (!st && !keys)
		st = db_int1(db, &SQL_DEMO_ANY, DB_NOARGS, &appeals);
	if (st || keys || !appeals)
		return st;
	struct arena ar;
	arena_init(&ar, 65536, 64u << 20);
	struct appeal_ctx cx;
	int64_t last = 0, n = 0;
	if ((st = appeal_ctx_init(&cx, app, db, &ar, app_now(app)))) {
		arena_release(&ar);
		return st;
	}
	while (!st) {
		int64_t ids[1000];
		int k = 0;
		struct db_res *r = db_query(db, &SQL_APPEAL_ALL_IDS, DB_ARGS(db_int(last)));
		while (db_next(r) && k < 1000)
			ids[k++] = db_col_int(r, 0);
		if ((st = db_done(r)) || !k)
			break;
		for (int i = 0; !st && i < k; i++) {
			struct appeal a;
			if (!(st = appeal_load(&cx, ids[i], &a)))
				st = appeal_keys_write(&cx, &a);
			arena_reset(&ar);
		}
		last = ids[k - 1];
		n += k;
	}
	arena_release(&ar);
	if (!st)
		log_info("appeals: scope keys written for %lld appeals", (long long)n);
	return st;
}

enum status appeals_stats_rebuild(struct request *req)
{
	struct db *db;
	enum status st;
	if ((st = req_db(req, &db)))
		return st;
	struct arena ar;
	arena_init(&ar, 65536, 256u << 20);
	struct appeal_ctx cx;
	int64_t n = 0;
	if (!(st = appeal_ctx_init(&cx, req->app, db, &ar, req->now)) && !(st = db_begin(db))) {
		st = appeals_counters_rebuild(&cx, &n);
		if (!st)
			st = audit_req(req, db, "appeal_stats", 0, "rebuild",
				       json_pack("{s:I}", "appeals", (json_int_t)n));
		if (!st)
			st = db_commit(db);
		else
			db_rollback(db);
	}
	arena_release(&ar);
	if (st)
		return st;
	return reply_json(req, 200, json_pack("{s:I}", "appeals", (json_int_t)n));
}
