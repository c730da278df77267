/* enterprises.h: the enterprise registry (统一社会信用代码, region, industry, ownership, scale). */
#ifndef TIEJIAN_ENTERPRISES_H
#define TIEJIAN_ENTERPRISES_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct module;

/* Stored codes and their Chinese names, NULL-terminated and index-aligned. */
extern const char *const enterprise_ownership_codes[];
extern const char *const enterprise_ownership_names[];
extern const char *const enterprise_scale_codes[];
extern const char *const enterprise_scale_names[];
extern const char *const enterprise_status_codes[];
extern const char *const enterprise_status_names[];

/* The id of the enterprise with this credit code: ST_NOT_FOUND if none. */
enum status enterprises_id_by_uscc(struct db *db, const char *uscc, int64_t *out);

extern const struct module enterprises_module;

#endif
