/* migrate.c: apply module migrations once each, recorded in schema_migrations. */
#include <time.h>

#include "db/migrate.h"
#include "lib/log.h"

static const struct sql SQL_CREATE =
	SQL("CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " module TEXT NOT NULL, version INTEGER NOT NULL, applied_at BIGINT NOT NULL,"
	    " PRIMARY KEY (module, version))");
/* Two servers starting at once on PostgreSQL: the second waits here, then sees it applied. */
static const struct sql SQL_LOCK = SQL2("SELECT 1", "SELECT pg_advisory_xact_lock(7310001)");
static const struct sql SQL_APPLIED =
	SQL("SELECT 1 FROM schema_migrations WHERE module = $1 AND version = $2");
static const struct sql SQL_RECORD =
	SQL("INSERT INTO schema_migrations (module, version, applied_at) VALUES ($1, $2, $3)");

/* Inside the caller's transaction when there is one (migrate-data: all or nothing), else in
 * a transaction of its own. */
static enum status apply_one(struct db *db, const char *module, const struct migration *m,
			     bool *ran)
{
	*ran = false;
	bool own = !db_in_tx(db);
	enum status st = own ? db_begin(db) : ST_OK;
	if (st)
		return st;
	int64_t one;
	st = db_exec(db, &SQL_LOCK, DB_NOARGS, NULL);
	if (st)
		goto out;
	st = db_int1(db, &SQL_APPLIED, DB_ARGS(db_text(module), db_int(m->version)), &one);
	if (st == ST_OK)
		goto out; /* already applied */
	if (st != ST_NOT_FOUND)
		goto out;
	st = db_exec_script(db, m->sqlite, m->pg);
	if (st) {
		log_error("migration %s/%d failed: %s", module, m->version, db_errmsg(db));
		goto out;
	}
	st = db_exec(db, &SQL_RECORD,
		     DB_ARGS(db_text(module), db_int(m->version), db_int((int64_t)time(NULL))),
		     NULL);
	if (st)
		goto out;
	*ran = true;
out:
	if (!own)
		return st;
	if (st) {
		db_rollback(db);
		return st;
	}
	return db_commit(db);
}

/* Two servers starting at once on PostgreSQL could both try to create the table: do it
 * under the migration lock. */
static enum status create_table(struct db *db)
{
	bool own = !db_in_tx(db);
	enum status st = own ? db_begin(db) : ST_OK;
	if (!st)
		st = db_exec(db, &SQL_LOCK, DB_NOARGS, NULL);
	if (!st)
		st = db_exec(db, &SQL_CREATE, DB_NOARGS, NULL);
	if (!own)
		return st;
	if (st) {
		db_rollback(db);
		return st;
	}
	return db_commit(db);
}

enum status migrate_apply(struct db *db, const struct migration_set *sets, size_t nsets,
			  int *applied)
{
	int count = 0;
	enum status st = create_table(db);
	if (st) {
		log_error("cannot create schema_migrations: %s", db_errmsg(db));
		return st;
	}
	for (size_t i = 0; i < nsets; i++) {
		for (size_t j = 0; sets[i].list && sets[i].list[j].version; j++) {
			const struct migration *m = &sets[i].list[j];
			if (m->version != (int)j + 1) {
				log_error("migration %s/%d is out of order", sets[i].module,
					  m->version);
				return ST_INTERNAL;
			}
			bool ran;
			st = apply_one(db, sets[i].module, m, &ran);
			if (st)
				return st;
			if (ran) {
				log_info("applied migration %s/%d", sets[i].module, m->version);
				count++;
			}
		}
	}
	if (applied)
		*applied = count;
	return ST_OK;
}
