/* system.h: health, metrics, the test clock, and the database-claimed job schedule. */
#ifndef TIEJIAN_SYSTEM_H
#define TIEJIAN_SYSTEM_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct module;

/* Claim job name for this instance if it is due at now and nobody holds it: *claimed says
 * whether we got it. One UPDATE, so two servers on one database never both get it. */
enum status system_job_claim(struct db *db, const char *name, const char *instance, int64_t now,
			     int lease_s, bool *claimed);
/* Release the claim and schedule the next run at next_at. */
enum status system_job_finish(struct db *db, const char *name, const char *instance, int64_t now,
			      int64_t next_at, bool ok);

extern const struct module system_module;

#endif
