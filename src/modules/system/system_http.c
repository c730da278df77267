/* system_http.c: /healthz, /metrics, the test clock; the job claim helpers. */
#include "app/module.h"
#include "http/input.h"
#include "http/metrics.h"
#include "lib/date.h"
#include "lib/log.h"
#include "modules/system/system.h"
#include "modules/system/system_sql.h"

static enum status healthz(struct request *req)
{
	struct db *db = NULL;
	bool ok = db_pool_get(req->app->pool, 2000, &db) == ST_OK;
	if (ok) {
		int64_t one;
		ok = db_int1(db, &SQL_SYSTEM_PING, DB_NOARGS, &one) == ST_OK;
		if (!ok)
			log_warnx("healthz: database ping failed: %s", db_errmsg(db));
		db_pool_put(req->app->pool, db);
	}
	return reply_json(req, ok ? 200 : 503,
			  json_pack("{s:s, s:s}", "status", ok ? "ok" : "unavailable", "database",
				    ok ? "ok" : "unavailable"));
}

static enum status metrics(struct request *req)
{
	struct str out;
	str_init(&out, 8u << 20);
	metrics_render(req->app->metrics, req->app, &out);
	if (!str_ok(&out)) {
		str_release(&out);
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	}
	char *body = arena_strndup(&req->arena, out.p, out.len);
	size_t len = out.len;
	str_release(&out);
	if (!body)
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	return reply_raw(req, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
}

/* Tests only (serve --test-clock): move the app's clock to "now" or by "advance_s". */
static enum status test_clock(struct request *req)
{
	if (!req->app->cfg->test_clock)
		return req_fail(req, ST_NOT_FOUND, "no_such_endpoint", "没有这个接口", NULL);
	json_t *body;
	const char *now_text;
	int64_t advance = 0;
	bool has_advance;
	enum status st;
	if ((st = req_json(req, &body)) ||
	    (st = in_str(req, body, "now", "时间", IN_TRIM, 40, &now_text, NULL)) ||
	    (st = in_int(req, body, "advance_s", "前进秒数", 0, -100000000, 100000000, &advance,
			 &has_advance)))
		return st;
	int64_t real = app_now(req->app) - atomic_load(&req->app->clock_offset_s);
	if (now_text) {
		int64_t target;
		if (date_ts_parse(now_text, strlen(now_text), &target))
			return req_fail(req, ST_INVALID, "invalid_time", "时间格式应为ISO 8601",
					"now");
		atomic_store(&req->app->clock_offset_s, target - real);
	} else if (has_advance) {
		atomic_fetch_add(&req->app->clock_offset_s, advance);
	}
	log_warnx("test clock moved: offset %lld s", (long long)atomic_load(&req->app->clock_offset_s));
	return reply_json(req, 200, json_pack("{s:o}", "now", json_time(req, app_now(req->app))));
}

enum status system_job_claim(struct db *db, const char *name, const char *instance, int64_t now,
			     int lease_s, bool *claimed)
{
	*claimed = false;
	enum status st = db_exec(db, &SQL_JOB_ENSURE, DB_ARGS(db_text(name)), NULL);
	if (st)
		return st;
	struct db_res *r = db_query(db, &SQL_JOB_CLAIM,
				    DB_ARGS(db_text(name), db_text(instance), db_int(now),
					    db_int(lease_s)));
	*claimed = db_next(r);
	return db_done(r);
}

enum status system_job_finish(struct db *db, const char *name, const char *instance, int64_t now,
			      int64_t next_at, bool ok)
{
	enum status st = db_exec(db, &SQL_JOB_FINISH,
				 DB_ARGS(db_text(name), db_text(instance), db_int(now),
					 db_int(next_at), db_text(ok ? "ok" : "failed")),
				 NULL);
	if (!st)
		st = db_exec(db, &SQL_JOB_RUN_LOG,
			     DB_ARGS(db_text(name), db_text(instance), db_int(now), db_int(ok)),
			     NULL);
	return st;
}

static const struct route system_routes[] = {
	{"GET", "/healthz", healthz, PERM_PUBLIC, ROUTE_NO_LOG},
	{"GET", "/metrics", metrics, PERM_PUBLIC, ROUTE_NO_LOG},
	{"POST", "/api/v1/test/clock", test_clock, PERM_PUBLIC, 0},
};

const struct module system_module = {
	.name = "system",
	.routes = system_routes,
	.nroutes = COUNT_OF(system_routes),
	.migrations = system_migrations,
};
