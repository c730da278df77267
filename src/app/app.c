/* app.c: opening the app (pool, migrations, router, metrics) and its clock. */
#include <sodium.h>
#include <time.h>
#include <unistd.h>

#include "app/app_init.h"
#include "app/module.h"
#include "auth/auth.h"
#include "http/metrics.h"
#include "http/server.h"
#include "lib/log.h"

int64_t app_now(struct app *app)
{
	return (int64_t)time(NULL) + atomic_load(&app->clock_offset_s);
}

enum status app_migrate(struct app *app, struct db *db)
{
	struct migration_set sets[64];
	size_t n = 0;
	for (size_t i = 0; i < app->nmodules && n < 64; i++)
		if (app->modules[i]->migrations)
			sets[n++] = (struct migration_set){app->modules[i]->name,
							   app->modules[i]->migrations};
	int applied = 0;
	enum status st = migrate_apply(db, sets, n, &applied);
	if (!st && applied)
		log_info("database migrated: %d migrations applied", applied);
	return st;
}

enum status app_open(struct app *app, const struct config *cfg, bool serving)
{
	memset(app, 0, sizeof(*app));
	app->cfg = cfg;
	app->modules = app_modules;
	app->nmodules = app_nmodules;
	unsigned char rnd[6];
	randombytes_buf(rnd, sizeof(rnd));
	char hex[13];
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(app->instance_id, sizeof(app->instance_id), "%d-%s", (int)getpid(), hex);

	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned cores = ncpu > 0 ? (unsigned)ncpu : 2;
	unsigned threads = cfg->threads ? cfg->threads : cores;
	/* Argon2id takes 64 MB and a core for a while: at most half the cores hash at once,
	 * however many request threads there are, so a login flood leaves the rest their CPU
	 * and the process its memory */
	unsigned gate = cfg->pwhash_concurrency;
	if (!gate)
		gate = cores / 2 ? cores / 2 : 1;
	sem_init(&app->pwhash_gate, 0, gate);
	app->pwhash_slots = gate;

	char err[256];
	/* a connection for each request thread and each thread of the write lane (server.h),
	 * the one the filings' batches are written on (appeals_http.c), and a few for the slow
	 * lane and the jobs */
	enum status st = db_pool_new(cfg->db_url, serving ? threads + SERVER_WRITE_THREADS + 4 : 2,
				     &app->pool, err, sizeof(err));
	if (st) {
		log_error("%s", err);
		return st;
	}
	struct db *db;
	if ((st = db_pool_get(app->pool, 10000, &db)))
		return st;
	st = app_migrate(app, db);
	for (size_t i = 0; !st && i < app->nmodules; i++) {
		const struct module *m = app->modules[i];
		if (!m->seed)
			continue;
		if ((st = db_begin(db)))
			break;
		st = m->seed(app, db);
		if (st) {
			log_error("seeding %s failed: %s (%s)", m->name, status_code(st),
				  db_errmsg(db));
			db_rollback(db);
		} else {
			st = db_commit(db);
		}
	}
	db_pool_put(app->pool, db);
	if (st)
		return st;
	router_init(&app->router);
	for (size_t i = 0; i < app->nmodules; i++) {
		const struct module *m = app->modules[i];
		if (m->routes && (st = router_add(&app->router, m->name, m->routes, m->nroutes)))
			return st;
	}
	app->metrics = metrics_new(app->router.n);
	if (!app->metrics)
		return ST_NOMEM;
	for (size_t i = 0; i < app->nmodules; i++)
		if (app->modules[i]->copied)
			db_copies_read(app->modules[i]->copied);
	return serving ? auth_init(app) : ST_OK; /* db_copies_check()s these with auth's own */
}

void app_close(struct app *app)
{
	/* the modules first: what they keep may be a connection of the pool */
	for (size_t i = 0; i < app_nmodules; i++)
		if (app_modules[i]->release)
			app_modules[i]->release();
	db_pool_free(app->pool);
	app->pool = NULL;
	router_release(&app->router);
	metrics_free(app->metrics);
	app->metrics = NULL;
	sem_destroy(&app->pwhash_gate);
	auth_release();
}
