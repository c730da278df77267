/* enterprises_index.h: the enterprise list answered from an in-process copy (private to the
 * module; enterprises_index.c says how the copy stays current). */
#ifndef TIEJIAN_ENTERPRISES_INDEX_H
#define TIEJIAN_ENTERPRISES_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "lib/arena.h"

/* True when the list with these arguments (ent_filter_parse()'s args) can be answered from
 * the copy: SQLite (any scope SCOPE_PRED expresses). */
bool ent_index_usable(struct db *db, const struct db_val *a);

/*
 * The page of the list: the ids of the matches at [offset, offset + size) in the order sort
 * (enum ent_sort) into ids (room for size), their number in *nids, and the exact number of
 * matches in *total; the same rows, order and count as SQL_ENT_LIST and SQL_ENT_COUNT. a is
 * ent_filter_parse()'s args. Scratch memory comes from arena. The copy is rebuilt first when
 * the database's registry version moved. ST_DB, ST_NOMEM; ST_TOO_LARGE when the registry
 * has more rows, orgs or distinct values than the copy can number (then use SQL).
 */
enum status ent_index_page(struct db *db, struct arena *arena, const struct db_val *a, int sort,
			   int64_t offset, int64_t size, int64_t *ids, size_t *nids,
			   int64_t *total);

#endif
