/* metrics.h: request counters by route and status, a latency histogram, Prometheus text. */
#ifndef TIEJIAN_METRICS_H
#define TIEJIAN_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/str.h"

struct app;
struct metrics;

/* Pseudo-routes after the real ones: static files, and requests that matched nothing. */
#define METRICS_ROUTE_STATIC ((size_t)-1)
#define METRICS_ROUTE_NONE ((size_t)-2)

/* Counters for nroutes routes (plus the two pseudo-routes). All updates are atomic. */
struct metrics *metrics_new(size_t nroutes);
void metrics_free(struct metrics *m);
void metrics_observe(struct metrics *m, size_t route_index, int http_status, int64_t dur_ns);
/* Requests answered so far, over every route and status. */
uint64_t metrics_total(struct metrics *m);
/* Append the Prometheus text exposition of m and of the app's gauges to out. */
void metrics_render(struct metrics *m, struct app *app, struct str *out);

#endif
