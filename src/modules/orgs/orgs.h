/* orgs.h: the org tree (province, city, county/district, departments) with materialized paths. */
#ifndef TIEJIAN_ORGS_H
#define TIEJIAN_ORGS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct module;

enum org_kind { ORG_PROVINCE, ORG_CITY, ORG_COUNTY, ORG_DEPARTMENT, ORG__KINDS };

/* "province", "city", "county", "department"; NULL-terminated, indexed by enum org_kind. */
extern const char *const org_kind_codes[];
extern const char *const org_kind_names[];

/* ---- pure rules (orgs_rules.c) ---- */

/* Whether an org of kind child may sit under one of kind parent (parent -1: at the root). */
bool orgs_child_allowed(int parent_kind, enum org_kind child);
/* An org code: 1..32 characters of A-Z a-z 0-9 - _ */
bool orgs_code_valid(const char *code);
/* The path of a child: parent_path + id + "/" ("/" + id + "/" at the root). */
enum status orgs_child_path(const char *parent_path, int64_t id, char *out, size_t outlen);

/* The ids a path names, from the top of the tree down to its org ("/1/2/10/" -> 1, 2, 10), at
 * most max into ids: how many, or -1 when it is not a path orgs_child_path() makes or names
 * more than max. */
int orgs_path_ids(const char *path, int64_t *ids, int max);

/* ---- for other modules ---- */

/* The id of the org with this code: ST_NOT_FOUND if none. */
enum status orgs_id_by_code(struct db *db, const char *code, int64_t *out);

extern const struct module orgs_module;

#endif
