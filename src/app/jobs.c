/* jobs.c: run due module jobs, each claimed through the database so one server runs it. */
#include <time.h>

#include "app/app_init.h"
#include "app/module.h"
#include "lib/log.h"
#include "modules/system/system.h"

static void run_due(struct app *app)
{
	for (size_t i = 0; i < app->nmodules; i++) {
		const struct module *m = app->modules[i];
		for (size_t j = 0; j < m->njobs; j++) {
			const struct job *job = &m->jobs[j];
			struct db *db;
			if (db_pool_get(app->pool, 2000, &db))
				return;
			int64_t now = app_now(app);
			bool claimed = false;
			enum status st = system_job_claim(db, job->name, app->instance_id, now,
							  job->interval_s * 2 + 60, &claimed);
			if (!st && claimed) {
				enum status rst = job->run(app, db, now);
				if (db_in_tx(db))
					db_rollback(db);
				if (rst) {
					log_warnx("job %s failed: %s (%s)", job->name,
						  status_code(rst), db_errmsg(db));
					atomic_fetch_add(&app->jobs_failed, 1);
				} else {
					atomic_fetch_add(&app->jobs_run, 1);
				}
				st = system_job_finish(db, job->name, app->instance_id,
						       app_now(app), now + job->interval_s, rst == ST_OK);
			}
			if (st)
				log_warnx("job %s: cannot claim or finish: %s", job->name,
					  db_errmsg(db));
			db_pool_put(app->pool, db);
		}
	}
}

static void *runner(void *arg)
{
	struct job_runner *r = arg;
	struct app *app = r->app;
	while (!atomic_load(&app->stopping)) {
		run_due(app);
		for (int i = 0; i < app->cfg->job_interval_s * 10 && !atomic_load(&app->stopping);
		     i++) {
			struct timespec ts = {0, 100 * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

enum status jobs_start(struct job_runner *r, struct app *app)
{
	r->app = app;
	r->started = pthread_create(&r->thread, NULL, runner, r) == 0;
	return r->started ? ST_OK : ST_INTERNAL;
}

void jobs_stop(struct job_runner *r)
{
	if (!r->started)
		return;
	atomic_store(&r->app->stopping, true);
	pthread_join(r->thread, NULL);
	r->started = false;
}
