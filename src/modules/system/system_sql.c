/* system_sql.c: the job schedule table and its statements. */
#include "modules/system/system_sql.h"

const struct migration system_migrations[] = {
	{1,
	 "CREATE TABLE jobs ("
	 " name TEXT PRIMARY KEY,"
	 " next_run_at BIGINT NOT NULL,"
	 " locked_by TEXT,"
	 " locked_until BIGINT,"
	 " last_run_at BIGINT,"
	 " last_status TEXT,"
	 " runs BIGINT NOT NULL DEFAULT 0);"
	 /* one row per run: who ran it and when, so operators (and tests) can see it ran once */
	 "CREATE TABLE job_runs ("
	 " id @ID@,"
	 " name TEXT NOT NULL,"
	 " instance TEXT NOT NULL,"
	 " started_at BIGINT NOT NULL,"
	 " ok INTEGER NOT NULL);"
	 "CREATE INDEX job_runs_name ON job_runs (name, started_at);",
	 NULL},
	{0, NULL, NULL},
};

const struct sql SQL_SYSTEM_PING = SQL("SELECT 1");
const struct sql SQL_JOB_ENSURE =
	SQL("INSERT INTO jobs (name, next_run_at) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING");
const struct sql SQL_JOB_CLAIM =
	SQL("UPDATE jobs SET locked_by = $2, locked_until = $3 + $4"
	    " WHERE name = $1 AND next_run_at <= $3"
	    " AND (locked_until IS NULL OR locked_until < $3) RETURNING name");
const struct sql SQL_JOB_FINISH =
	SQL("UPDATE jobs SET locked_by = NULL, locked_until = NULL, next_run_at = $4,"
	    " last_run_at = $3, last_status = $5, runs = runs + 1"
	    " WHERE name = $1 AND locked_by = $2");
const struct sql SQL_JOB_RUN_LOG =
	SQL("INSERT INTO job_runs (name, instance, started_at, ok) VALUES ($1, $2, $3, $4)");
