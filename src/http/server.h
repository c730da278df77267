/* server.h: the HTTP server: libmicrohttpd with an epoll thread pool, one dispatcher. */
#ifndef TIEJIAN_SERVER_H
#define TIEJIAN_SERVER_H

#include "app/app.h"

struct request;

/* Start listening on app->cfg->listen. On success prints "listening on http://HOST:PORT" to
 * stdout (tests read the port from it). ST_UNAVAILABLE if the address cannot be bound. */
enum status server_start(struct app *app);
/* Stop accepting, let requests in flight finish (up to grace_ms), then stop the threads. */
void server_stop(struct app *app, unsigned grace_ms);
/* Route, authenticate, check CSRF and permission, run the handler, and leave the answer (or the
 * one error body) in req. For requests from libmicrohttpd and from http_local(). */
void server_dispatch(struct request *req);
/* The slow lane (ROUTE_SLOW): requests waiting for it now, and answered on it so far. */
void server_slow_stats(long *waiting, long *run);
/* The write lane (writes and ROUTE_LONG): its threads, and the same figures. */
#define SERVER_WRITE_THREADS 16
void server_write_stats(long *waiting, long *run);

#endif
