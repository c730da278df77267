/* enterprises_internal.h: what the module's own files share (the record in memory, reading,
 * validating and writing it); not for other modules. */
#ifndef TIEJIAN_ENTERPRISES_INTERNAL_H
#define TIEJIAN_ENTERPRISES_INTERNAL_H

#include <jansson.h>

#include "http/request.h"
#include "lib/arena.h"
#include "modules/enterprises/enterprises.h"

#define ENT_MAX_TAGS 20
#define ENT_MAX_CONTACTS 10

struct ent_contact {
	const char *name, *role, *mobile;
};

struct ent_tag {
	int64_t id;
	const char *name;
};

/*
 * One enterprise as the module handles it. Strings live in an arena (the request's, or the
 * import's); NULL is an empty value. The derived fields (city, section, initials, search text,
 * org) are filled by ent_resolve() before a write.
 */
struct ent_rec {
	int64_t id, org_id, version;
	const char *uscc, *name, *legal_rep, *region_code, *industry_code, *ownership, *scale,
		*status, *founded_on, *address, *override_reason;
	bool above_scale;
	bool has_capital, has_employees;
	int64_t capital_yuan, employees;
	const char *org_name, *region_name, *industry_name;
	const char *city_code, *industry_section, *name_initials, *search_text;
	int ntags;
	struct ent_tag tags[ENT_MAX_TAGS];
	int ncontacts;
	struct ent_contact contacts[ENT_MAX_CONTACTS];
	int64_t created_at, updated_at;
};

/* Who makes a change, for history rows. */
struct ent_actor {
	int64_t user_id;
	const char *username;
	const char *request_id;
};

/* Read a row of ENT_COLUMNS into rec (strings copied into a). */
void ent_rec_from_row(struct arena *a, struct db_res *r, struct ent_rec *rec);
/* Load the contacts of rec->id. */
enum status ent_load_contacts(struct db *db, struct arena *a, struct ent_rec *rec);
/* The record as JSON (contacts only when with_contacts). */
json_t *ent_rec_json(const struct ent_rec *rec, bool with_contacts);

/* A region looked up: its name, level and parent (the city of a county). */
struct ent_region {
	char code[8], name[64], level[16], parent[8], province[8];
};
/* ST_NOT_FOUND when the code is not a county-level region of the regions table. */
enum status ent_region_lookup(struct db *db, const char *code, struct ent_region *out);
/* ST_NOT_FOUND when the code is not in the industries table; section receives the letter. */
enum status ent_industry_lookup(struct db *db, const char *code, char section[4],
				char name[128]);

/* Fill the derived fields: initials, search text (into a) and, given the region, city and org.
 * ST_INVALID (with *why) when no bureau is responsible for the region. */
enum status ent_derive(struct db *db, struct arena *a, struct ent_rec *rec,
		       const struct ent_region *rg, const char **why);

/* Write a new record with its tags and contacts, its FTS row and a "create" history row;
 * rec->id receives the id. Inside the caller's transaction. */
enum status ent_insert(struct db *db, int64_t now, const struct ent_actor *who,
		       struct ent_rec *rec, const char *action);
/* Save rec over old (same id): ST_CONFLICT when old->version is no longer current. Writes one
 * history row per changed field and returns the changes as JSON ({"field":{"from","to"}}) in
 * *changes (owned by the caller; may be NULL). *changed is false when nothing differs (then
 * nothing is written). */
enum status ent_update(struct db *db, struct arena *a, int64_t now, const struct ent_actor *who,
		       const struct ent_rec *old, struct ent_rec *rec, const char *action,
		       json_t **changes, bool *changed);

/* A field's value as a person reads it in the history ("民营", "是", "35.5", "专精特新、…"),
 * into the arena; NULL for an empty value. */
const char *ent_field_text(struct arena *a, const struct ent_rec *rec, enum ent_field f);

/* Shared by the list and the export: the filter of the query string into args[5..17]
 * (SCOPE_NARGS first), *mode 0 plain or 1 with an index term, *sort. */
enum status ent_filter_parse(struct request *req, struct db *db, struct db_val args[20],
			     int *mode, int *sort);

/* True when the caller's scope (for the route's permission) covers records of this org. */
bool ent_org_in_scope(struct request *req, struct db *db, int64_t org_id);

/* The demo hook (enterprises_demo.c). */
enum status enterprises_demo(struct app *app, struct db *db);

/* Import and export handlers (enterprises_io.c). */
enum status ent_import(struct request *req);
enum status ent_import_template(struct request *req);
enum status ent_export(struct request *req);

#endif
