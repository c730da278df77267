/* panorama_http.c: GET /api/v1/enterprises/:id/360, the enterprise 360 page (企业全景). The
 * enterprise must be within the caller's enterprise.read scope (404 otherwise); then each module
 * that has a section callback adds its sections, each within the caller's own scope for that
 * module's permissions, in module order. Later modules (policies, indicators, chains) add their
 * part by setting .section in their descriptor; nothing here changes. */
#include <jansson.h>

#include "app/module.h"
#include "http/request.h"
#include "modules/panorama/panorama.h"
#include "modules/panorama/panorama_sql.h"

static enum status panorama_get(struct request *req)
{
	int64_t id;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)))
		return st;
	struct db_val a[6];
	scope_filter(req, a);
	a[5] = db_int(id);
	const char *name = NULL;
	struct db_res *r = db_query(db, &SQL_PANORAMA_ENTERPRISE, a, 6);
	if (db_next(r))
		name = arena_strdup(&req->arena, db_col_text(r, 1));
	if ((st = db_done(r)))
		return st;
	if (!name)
		return req_fail(req, ST_NOT_FOUND, "not_found", "企业不存在或不在您的管辖范围内",
				NULL);
	json_t *sections = req_own_json(req, json_array());
	if (!sections)
		return ST_NOMEM;
	for (size_t i = 0; i < req->app->nmodules; i++) {
		const struct module *m = req->app->modules[i];
		if (m->section && (st = m->section(req, db, id, sections)))
			return st;
	}
	return reply_json(req, 200,
			  json_pack("{s:I, s:s, s:o, s:O}", "enterprise_id", (json_int_t)id, "name",
				    name, "generated_at", json_time(req, req->now), "sections",
				    sections));
}

static const struct route panorama_routes[] = {
	{ "GET", "/api/v1/enterprises/:id/360", panorama_get, PERM_ENTERPRISE_READ, 0 },
};

const struct module panorama_module = {
	.name = "panorama",
	.routes = panorama_routes,
	.nroutes = COUNT_OF(panorama_routes),
};
