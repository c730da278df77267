/* metrics.c: lock-free counters, rendered in the Prometheus text format. */
#include <stdatomic.h>

#include "app/app.h"
#include "app/module.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"

/* The statuses we count one by one; anything else goes to "other". */
static const int tracked[] = {200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404, 405, 409,
			      413, 415, 422, 423, 429, 431, 499, 500, 503, 507};
#define NSTATUS (sizeof(tracked) / sizeof(tracked[0]) + 1)
static const double bucket_ms[] = {1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 2500, 5000};
#define NBUCKET (sizeof(bucket_ms) / sizeof(bucket_ms[0]) + 1)

struct route_counters {
	atomic_ulong status[NSTATUS];
	atomic_ulong bucket[NBUCKET];
	atomic_ullong sum_us;
};

struct metrics {
	size_t nroutes;                    /* real routes; two pseudo ones follow */
	struct route_counters routes[];
};

struct metrics *metrics_new(size_t nroutes)
{
	struct metrics *m = calloc(1, sizeof(*m) + (nroutes + 2) * sizeof(struct route_counters));
	if (m)
		m->nroutes = nroutes;
	return m;
}

void metrics_free(struct metrics *m)
{
	free(m);
}

static size_t slot(const struct metrics *m, size_t route_index)
{
	if (route_index == METRICS_ROUTE_STATIC)
		return m->nroutes;
	if (route_index >= m->nroutes)
		return m->nroutes + 1;
	return route_index;
}

void metrics_observe(struct metrics *m, size_t route_index, int http_status, int64_t dur_ns)
{
	struct route_counters *c = &m->routes[slot(m, route_index)];
	size_t s = NSTATUS - 1;
	for (size_t i = 0; i < NSTATUS - 1; i++)
		if (tracked[i] == http_status) {
			s = i;
			break;
		}
	atomic_fetch_add_explicit(&c->status[s], 1, memory_order_relaxed);
	double ms = (double)dur_ns / 1e6;
	size_t b = NBUCKET - 1;
	for (size_t i = 0; i < NBUCKET - 1; i++)
		if (ms <= bucket_ms[i]) {
			b = i;
			break;
		}
	atomic_fetch_add_explicit(&c->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->sum_us, (unsigned long long)(dur_ns / 1000),
				  memory_order_relaxed);
}

uint64_t metrics_total(struct metrics *m)
{
	uint64_t n = 0;
	for (size_t r = 0; r < m->nroutes + 2; r++)
		for (size_t i = 0; i < NSTATUS; i++)
			n += atomic_load_explicit(&m->routes[r].status[i], memory_order_relaxed);
	return n;
}

static void route_label(struct app *app, size_t i, const char **method, const char **pattern)
{
	if (i < app->router.n) {
		*method = app->router.routes[i].route->method;
		*pattern = app->router.routes[i].route->pattern;
	} else if (i == app->router.n) {
		*method = "GET";
		*pattern = "static";
	} else {
		*method = "-";
		*pattern = "unmatched";
	}
}

void metrics_render(struct metrics *m, struct app *app, struct str *out)
{
	str_puts(out, "# HELP tiejian_http_requests_total HTTP requests by route and status.\n"
		      "# TYPE tiejian_http_requests_total counter\n");
	for (size_t i = 0; i < m->nroutes + 2; i++) {
		const char *method, *pattern;
		route_label(app, i, &method, &pattern);
		for (size_t s = 0; s < NSTATUS; s++) {
			unsigned long v = atomic_load_explicit(&m->routes[i].status[s],
							       memory_order_relaxed);
			if (!v)
				continue;
			if (s < NSTATUS - 1)
				str_appendf(out,
					    "tiejian_http_requests_total{method=\"%s\",route=\"%s\","
					    "status=\"%d\"} %lu\n",
					    method, pattern, tracked[s], v);
			else
				str_appendf(out,
					    "tiejian_http_requests_total{method=\"%s\",route=\"%s\","
					    "status=\"other\"} %lu\n",
					    method, pattern, v);
		}
	}
	str_puts(out, "# HELP tiejian_http_request_duration_seconds Request latency by route.\n"
		      "# TYPE tiejian_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < m->nroutes + 2; i++) {
		struct route_counters *c = &m->routes[i];
		unsigned long total = 0;
		for (size_t b = 0; b < NBUCKET; b++)
			total += atomic_load_explicit(&c->bucket[b], memory_order_relaxed);
		if (!total)
			continue;
		const char *method, *pattern;
		route_label(app, i, &method, &pattern);
		unsigned long cum = 0;
		for (size_t b = 0; b < NBUCKET; b++) {
			cum += atomic_load_explicit(&c->bucket[b], memory_order_relaxed);
			if (b < NBUCKET - 1)
				str_appendf(out,
					    "tiejian_http_request_duration_seconds_bucket{method=\"%s\","
					    "route=\"%s\",le=\"%g\"} %lu\n",
					    method, pattern, bucket_ms[b] / 1000.0, cum);
			else
				str_appendf(out,
					    "tiejian_http_request_duration_seconds_bucket{method=\"%s\","
					    "route=\"%s\",le=\"+Inf\"} %lu\n",
					    method, pattern, cum);
		}
		str_appendf(out,
			    "tiejian_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} "
			    "%.6f\n",
			    method, pattern,
			    (double)atomic_load_explicit(&c->sum_us, memory_order_relaxed) / 1e6);
		str_appendf(out,
			    "tiejian_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} "
			    "%lu\n",
			    method, pattern, total);
	}
	unsigned open = 0, in_use = 0;
	if (app->pool)
		db_pool_stats(app->pool, &open, &in_use);
	str_appendf(out,
		    "# HELP tiejian_db_connections Database connections open and in use.\n"
		    "# TYPE tiejian_db_connections gauge\n"
		    "tiejian_db_connections{state=\"open\"} %u\n"
		    "tiejian_db_connections{state=\"in_use\"} %u\n",
		    open, in_use);
	unsigned long long runs, bytes;
	db_log_runs(&runs, &bytes);
	str_appendf(out,
		    "# HELP tiejian_db_log_writes_total Writes to SQLite's log, each a run of frames.\n"
		    "# TYPE tiejian_db_log_writes_total counter\n"
		    "tiejian_db_log_writes_total %llu\n"
		    "# HELP tiejian_db_log_bytes_total Bytes written to SQLite's log.\n"
		    "# TYPE tiejian_db_log_bytes_total counter\n"
		    "tiejian_db_log_bytes_total %llu\n",
		    runs, bytes);
	str_appendf(out,
		    "# HELP tiejian_http_requests_in_flight Requests being handled.\n"
		    "# TYPE tiejian_http_requests_in_flight gauge\n"
		    "tiejian_http_requests_in_flight %ld\n",
		    atomic_load(&app->inflight));
	str_appendf(out,
		    "# HELP tiejian_jobs_total Background job runs by result.\n"
		    "# TYPE tiejian_jobs_total counter\n"
		    "tiejian_jobs_total{result=\"ok\"} %ld\n"
		    "tiejian_jobs_total{result=\"failed\"} %ld\n",
		    atomic_load(&app->jobs_run), atomic_load(&app->jobs_failed));
	long waiting, run;
	server_slow_stats(&waiting, &run);
	str_appendf(out,
		    "# HELP tiejian_slow_lane_waiting Requests that hash a password, waiting for the"
		    " slow lane.\n"
		    "# TYPE tiejian_slow_lane_waiting gauge\n"
		    "tiejian_slow_lane_waiting %ld\n"
		    "# HELP tiejian_slow_lane_requests_total Requests answered on the slow lane.\n"
		    "# TYPE tiejian_slow_lane_requests_total counter\n"
		    "tiejian_slow_lane_requests_total %ld\n",
		    waiting, run);
	server_write_stats(&waiting, &run);
	str_appendf(out,
		    "# HELP tiejian_write_lane_waiting Writes and exports waiting for the write lane.\n"
		    "# TYPE tiejian_write_lane_waiting gauge\n"
		    "tiejian_write_lane_waiting %ld\n"
		    "# HELP tiejian_write_lane_requests_total Requests answered on the write lane.\n"
		    "# TYPE tiejian_write_lane_requests_total counter\n"
		    "tiejian_write_lane_requests_total %ld\n",
		    waiting, run);
	for (size_t i = 0; i < app_nmodules; i++)
		if (app_modules[i]->metrics)
			app_modules[i]->metrics(out);
}
