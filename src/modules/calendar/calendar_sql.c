/* calendar_sql.c: the calendar tables and their statements. */
#include "modules/calendar/calendar_sql.h"

const struct migration calendar_migrations[] = {
	{1,
	 "CREATE TABLE calendar_years ("
	 " year INTEGER PRIMARY KEY,"
	 " source TEXT NOT NULL,"
	 " days INTEGER NOT NULL,"
	 " loaded_at BIGINT NOT NULL);"
	 "CREATE TABLE calendar_days ("
	 " day TEXT PRIMARY KEY,"
	 " year INTEGER NOT NULL REFERENCES calendar_years(year),"
	 " kind TEXT NOT NULL CHECK (kind IN ('holiday','workday')),"
	 " name TEXT NOT NULL);"
	 "CREATE INDEX calendar_days_year ON calendar_days (year);",
	 NULL},
	/* a number every change of the calendar moves, so a server's copy of it knows it is stale */
	{2,
	 "CREATE TABLE calendar_version (id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL);"
	 "INSERT INTO calendar_version (id, n) VALUES (1, 0);",
	 NULL},
	{0, NULL, NULL},
};

const struct sql SQL_CAL_YEARS = SQL("SELECT year FROM calendar_years ORDER BY year");
const struct sql SQL_CAL_VERSION = SQL("SELECT n FROM calendar_version WHERE id = 1");
const struct sql SQL_CAL_VERSION_BUMP = SQL("UPDATE calendar_version SET n = n + 1 WHERE id = 1");
const struct sql SQL_CAL_DAYS_RANGE =
	SQL("SELECT day, kind, name, year FROM calendar_days WHERE year >= $1 AND year <= $2"
	    " ORDER BY day");
const struct sql SQL_CAL_YEAR_HAS = SQL("SELECT days FROM calendar_years WHERE year = $1");
const struct sql SQL_CAL_DELETE_YEAR = SQL("DELETE FROM calendar_days WHERE year = $1");
const struct sql SQL_CAL_INSERT_DAY =
	SQL("INSERT INTO calendar_days (day, year, kind, name) VALUES ($1, $2, $3, $4)");
const struct sql SQL_CAL_UPSERT_YEAR =
	SQL("INSERT INTO calendar_years (year, source, days, loaded_at) VALUES ($1, $2, $3, $4)"
	    " ON CONFLICT (year) DO UPDATE SET source = $2, days = $3, loaded_at = $4");
