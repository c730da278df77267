/* app_init.h: opening and closing the app, migrations, jobs (for main.c and the tests). */
#ifndef TIEJIAN_APP_INIT_H
#define TIEJIAN_APP_INIT_H

#include <pthread.h>

#include "app/app.h"

/* Open the pool, apply migrations, build the router and metrics. serving: size the pool for
 * the worker threads and prepare login hashing. */
enum status app_open(struct app *app, const struct config *cfg, bool serving);
void app_close(struct app *app);
/* Apply every module's pending migrations on db. */
enum status app_migrate(struct app *app, struct db *db);

/* The background job runner: one thread that claims due jobs through the database. */
struct job_runner {
	pthread_t thread;
	struct app *app;
	bool started;
};
enum status jobs_start(struct job_runner *r, struct app *app);
void jobs_stop(struct job_runner *r);

#endif
