/* module.h: the descriptor every module exports; src/app/modules.c lists them all. */
#ifndef TIEJIAN_MODULE_H
#define TIEJIAN_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "db/migrate.h"
#include "http/router.h"

/* A background job. It runs at most once per interval across all app servers: the runner
 * claims it through the database first. run() gets its own connection and the app's clock. */
struct job {
	const char *name;
	int interval_s;
	enum status (*run)(struct app *app, struct db *db, int64_t now);
};

struct json_t; /* jansson's json_t */

struct str;

struct module {
	const char *name;
	const struct route *routes;
	size_t nroutes;
	const struct migration *migrations; /* ends with a {0} entry; NULL if none */
	const struct job *jobs;
	size_t njobs;
	/* Reference data every deployment needs (e.g. the holiday calendar shipped in data/),
	 * loaded at start-up after migrations, inside a transaction. Must be idempotent and never
	 * overwrite what an administrator changed. NULL if none. */
	enum status (*seed)(struct app *app, struct db *db);
	/* Load this module's part of the demo city (tiejian demo); NULL if none. Runs in module
	 * order, each in its own transaction. */
	enum status (*demo)(struct app *app, struct db *db);
	/* Its part of the enterprise 360 page (企业全景, GET /api/v1/enterprises/:id/360): append
	 * section objects {"key","title",...} to the array sections, showing only what the
	 * caller's own scope for this module's permissions allows (nothing when the caller may not
	 * read it). The 360 handler has checked that the enterprise is visible, and calls every
	 * module's section in module order; it never names a module. NULL if none. */
	enum status (*section)(struct request *req, struct db *db, int64_t enterprise_id,
			       struct json_t *sections);
	/* Forget what the module keeps in memory of the database (a copy it reads again when it
	 * is stale), and give back a connection it keeps, when the app closes (before the pool
	 * closes). NULL if none. */
	void (*release)(void);
	/* The tables whose rows the module keeps copies of in memory (db_copy_stamp()): a commit
	 * of this process that changes one of them makes every copy stale at once. NULL-ended;
	 * NULL if none. */
	const char *const *copied;
	/* Append the module's own counters to GET /metrics (Prometheus text, each with its HELP
	 * and TYPE lines, names tiejian_MODULE_...). NULL if none. */
	void (*metrics)(struct str *out);
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The modules, in dependency order (modules.c). */
extern const struct module *const app_modules[];
extern const size_t app_nmodules;

#endif
