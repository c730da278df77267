/* migrate.h: numbered schema migrations per module, applied once each, in order. */
#ifndef TIEJIAN_MIGRATE_H
#define TIEJIAN_MIGRATE_H

#include <stddef.h>

#include "db/db.h"

/* One migration: a script per dialect (pg NULL = same text). Versions start at 1 and grow by
 * one within a module. The scripts may use the @ID@ and @BLOB@ tokens of db_exec_script(). */
struct migration {
	int version;
	const char *sqlite;
	const char *pg;
};

/* The version table of a copy kept in memory (db_version_read()) and a trigger that moves it
 * (SQLite: triggers on plain tables run under trusted_schema=OFF). PostgreSQL, whose copies
 * read SQL instead, gets the table only. */
#define MIGRATION_VERSION_TABLE(t)                                                                 \
	"CREATE TABLE " t " (id INTEGER PRIMARY KEY CHECK (id = 1),"                               \
	" token TEXT NOT NULL, version BIGINT NOT NULL);"                                          \
	"INSERT INTO " t " (id, token, version) VALUES (1, lower(hex(randomblob(8))), 1);"
#define MIGRATION_VERSION_TABLE_PG(t)                                                              \
	"CREATE TABLE " t " (id BIGINT PRIMARY KEY CHECK (id = 1),"                                \
	" token TEXT NOT NULL, version BIGINT NOT NULL);"                                          \
	"INSERT INTO " t " (id, token, version) VALUES (1, md5(random()::text), 1);"
#define MIGRATION_VERSION_BUMP(t, name, event, table)                                              \
	"CREATE TRIGGER " name " AFTER " event " ON " table " BEGIN"                               \
	" UPDATE " t " SET version = version + 1; END;"

/* A module's migrations, ending with an entry whose version is 0. */
struct migration_set {
	const char *module;
	const struct migration *list;
};

/* Apply every migration not yet recorded in schema_migrations, each in its own transaction
 * (or all in the caller's, when called inside one), sets in the given order. Idempotent; safe
 * with several processes starting at once. *applied (optional) receives how many ran. */
enum status migrate_apply(struct db *db, const struct migration_set *sets, size_t nsets,
			  int *applied);

#endif
