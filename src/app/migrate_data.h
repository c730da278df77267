/* migrate_data.h: move a SQLite deployment's database into PostgreSQL (tiejian migrate-data). */
#ifndef TIEJIAN_MIGRATE_DATA_H
#define TIEJIAN_MIGRATE_DATA_H

#include <stdbool.h>
#include <stdio.h>

#include "app/app.h"

/*
 * Copy every table of the SQLite database at from_path into the PostgreSQL database at to_url,
 * all or nothing: one transaction on the target, which commits only after the row counts of
 * every table match and the audit chain verifies on the target. The source is read inside one
 * transaction that holds SQLite's write lock, so the copy is one consistent snapshot (stop the
 * servers first: writes they make afterwards would not be moved).
 *
 * The source must be fully migrated by this version of tiejian (`tiejian migrate` first). The
 * target must have no tables in its schema, unless force: then every table and function of
 * its schema is dropped first, inside the same transaction. Identity sequences are moved past
 * the copied ids. Progress and the per-table counts go to out; the reason for a failure to
 * stderr. Returns ST_OK, ST_CONFLICT (target not empty, source not migrated or chain broken),
 * or the database status that stopped it (nothing is left behind on the target then).
 */
enum status migrate_data(const char *from_path, const char *to_url, bool force, FILE *out);

#endif
