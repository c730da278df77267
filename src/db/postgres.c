/* postgres.c: the PostgreSQL backend of db.h (placeholder until the libpq backend lands). */
#include "db/db_impl.h"

static enum status pg_open(const char *url, struct db **out, char *err, size_t errlen)
{
	(void)url;
	*out = NULL;
	snprintf(err, errlen, "the PostgreSQL backend is not built yet");
	return ST_UNAVAILABLE;
}

const struct db_driver db_postgres_driver = {
	.name = "postgres",
	.kind = DB_POSTGRES,
	.open = pg_open,
};
