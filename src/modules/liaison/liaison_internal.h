/* liaison_internal.h: what the liaison module's own files share (lookups, JSON of its rows, the
 * handlers of each file); not for other modules. */
#ifndef TIEJIAN_LIAISON_INTERNAL_H
#define TIEJIAN_LIAISON_INTERNAL_H

#include <jansson.h>

#include "http/request.h"
#include "modules/liaison/liaison.h"

/* An enterprise as the module needs it; strings in the request's arena. */
struct li_enterprise {
	int64_t id, org_id;
	const char *name, *org_path, *region_code, *status;
	bool above_scale;
};

/* An official; strings in the request's arena. */
struct li_user {
	int64_t id, org_id, enterprise_id;
	const char *username, *display_name, *org_name, *org_path, *status, *mobile;
};

/* The enterprise id within scope s (NULL: the route's): ST_NOT_FOUND, described as 404, when
 * it does not exist or is out of scope. */
enum status li_enterprise_get(struct request *req, struct db *db, const struct scope *s, int64_t id,
			      struct li_enterprise *out);
/* The user with this id (by_name NULL) or username: ST_NOT_FOUND (not described). */
enum status li_user_get(struct request *req, struct db *db, int64_t id, const char *by_name,
			struct li_user *out);
/* Whether the user holds permission perm (its code) through a role. */
bool li_user_has_perm(struct db *db, int64_t user_id, const char *perm);

/* Today in the bureau's time zone, "YYYY-MM-DD" in the arena. */
const char *li_today(struct request *req);
/* The settings (defaults for the keys not stored). */
enum status li_settings_load(struct db *db, struct liaison_settings *out);

/* JSON of a row of LI_COLUMNS (an assignment), of VISIT_COLUMNS plus the people's names. */
json_t *li_liaison_json(struct request *req, struct db_res *r);
json_t *li_visit_json(struct request *req, struct db_res *r);

/* ---- handlers ------------------------------------------------------------------------------ */

/* liaison_http.c: assignments, my enterprises, settings, the 360 section */
enum status li_section(struct request *req, struct db *db, int64_t enterprise_id, json_t *sections);

/* liaison_visits.c: visits, ratings, quiet periods */
enum status visits_list(struct request *req);
enum status visits_get(struct request *req);
enum status visits_create(struct request *req);
enum status visits_rate(struct request *req);
enum status visits_check(struct request *req);
enum status quiet_list(struct request *req);
enum status quiet_create(struct request *req);
enum status quiet_cancel(struct request *req);
/* The visits JSON of the 360 section, within the caller's visit.read scope; NULL with st. */
enum status visits_section(struct request *req, struct db *db, int64_t enterprise_id, json_t **out);

/* liaison_io.c: bulk assignment by file and by rule */
enum status li_import(struct request *req);
enum status li_import_template(struct request *req);
enum status li_rule(struct request *req);

/* liaison_coverage.c */
enum status coverage_get(struct request *req);
enum status coverage_cadres(struct request *req);
enum status coverage_overdue(struct request *req);
enum status coverage_export(struct request *req);

/* liaison_jobs.c, liaison_demo.c */
enum status liaison_job(struct app *app, struct db *db, int64_t now);
enum status liaison_demo(struct app *app, struct db *db);

#endif
