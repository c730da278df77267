/* enterprises_http.c: the enterprise registry over HTTP (list, search, record, edit, history,
 * tags, reference data); the record's reading and writing shared with import and export. */
#include <stdio.h>

#include "app/module.h"
#include "audit/audit.h"
#include "http/input.h"
#include "http/jsonw.h"
#include "lib/csv.h"
#include "lib/date.h"
#include "lib/embed.h"
#include "lib/log.h"
#include "lib/uscc.h"
#include "modules/enterprises/enterprises_index.h"
#include "modules/enterprises/enterprises_internal.h"
#include "modules/enterprises/enterprises_sql.h"

/* ---- the record ---------------------------------------------------------------------------- */

static const char *col_dup(struct arena *a, struct db_res *r, int col)
{
	const char *s = db_col_text(r, col);
	return s ? arena_strdup(a, s) : NULL;
}

void ent_rec_from_row(struct arena *a, struct db_res *r, struct ent_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->id = db_col_int(r, COL_ID);
	rec->uscc = col_dup(a, r, COL_USCC);
	rec->name = col_dup(a, r, COL_NAME);
	rec->region_code = col_dup(a, r, COL_REGION);
	rec->org_id = db_col_int(r, COL_ORG_ID);
	rec->org_name = col_dup(a, r, COL_ORG_NAME);
	rec->industry_code = col_dup(a, r, COL_INDUSTRY);
	rec->ownership = col_dup(a, r, COL_OWNERSHIP);
	rec->scale = col_dup(a, r, COL_SCALE);
	rec->above_scale = db_col_int(r, COL_ABOVE) != 0;
	rec->status = col_dup(a, r, COL_STATUS);
	rec->created_at = db_col_int(r, COL_CREATED);
	rec->updated_at = db_col_int(r, COL_UPDATED);
	rec->legal_rep = col_dup(a, r, COL_LEGAL_REP);
	rec->address = col_dup(a, r, COL_ADDRESS);
	rec->founded_on = col_dup(a, r, COL_FOUNDED);
	rec->has_capital = !db_col_null(r, COL_CAPITAL);
	rec->capital_yuan = db_col_int(r, COL_CAPITAL);
	rec->has_employees = !db_col_null(r, COL_EMPLOYEES);
	rec->employees = db_col_int(r, COL_EMPLOYEES);
	rec->version = db_col_int(r, COL_VERSION);
	rec->override_reason = col_dup(a, r, COL_OVERRIDE);
	rec->name_initials = col_dup(a, r, COL_INITIALS);
	rec->region_name = col_dup(a, r, COL_REGION_NAME);
	rec->city_code = col_dup(a, r, COL_CITY);
	rec->industry_name = col_dup(a, r, COL_INDUSTRY_NAME);
	rec->industry_section = col_dup(a, r, COL_SECTION);
	const char *tags = db_col_text(r, COL_TAGS);
	if (tags) {
		char *t = arena_strdup(a, tags);
		for (char *p = t; p && *p && rec->ntags < ENT_MAX_TAGS;) {
			char *bar = strchr(p, '|');
			if (bar)
				*bar = '\0';
			char *colon = strchr(p, ':');
			int64_t id;
			if (colon) {
				*colon = '\0';
				if (str_to_i64(p, 1, INT64_MAX, &id))
					rec->tags[rec->ntags++] = (struct ent_tag){id, colon + 1};
			}
			p = bar ? bar + 1 : NULL;
		}
		/* by id, so both databases answer the same */
		for (int i = 1; i < rec->ntags; i++)
			for (int j = i; j > 0 && rec->tags[j - 1].id > rec->tags[j].id; j--) {
				struct ent_tag x = rec->tags[j];
				rec->tags[j] = rec->tags[j - 1];
				rec->tags[j - 1] = x;
			}
	}
}

enum status ent_load_contacts(struct db *db, struct arena *a, struct ent_rec *rec)
{
	rec->ncontacts = 0;
	struct db_res *r = db_query(db, &SQL_ENT_CONTACTS, DB_ARGS(db_int(rec->id)));
	while (db_next(r))
		if (rec->ncontacts < ENT_MAX_CONTACTS)
			rec->contacts[rec->ncontacts++] = (struct ent_contact){
				col_dup(a, r, 1), col_dup(a, r, 2), col_dup(a, r, 3)};
	return db_done(r);
}

static const char *name_of(const char *const *codes, const char *const *names, const char *code)
{
	if (!code)
		return NULL;
	for (int i = 0; codes[i]; i++)
		if (strcmp(codes[i], code) == 0)
			return names[i];
	return NULL;
}

/* The record as a JSON object, written straight into s (the list writes twenty of them; building
 * and dumping jansson trees cost more than finding the page). */
static void ent_rec_write(struct str *s, const struct ent_rec *rec, bool with_contacts)
{
	str_putc(s, '{');
	js_key(s, "id", true), js_int(s, rec->id);
	js_key(s, "uscc", false), js_str(s, rec->uscc ? rec->uscc : "");
	js_key(s, "uscc_override_reason", false), js_str(s, rec->override_reason);
	js_key(s, "name", false), js_str(s, rec->name ? rec->name : "");
	js_key(s, "name_initials", false), js_str(s, rec->name_initials);
	js_key(s, "legal_rep", false), js_str(s, rec->legal_rep);
	js_key(s, "region_code", false), js_str(s, rec->region_code);
	js_key(s, "org", false), js_ref(s, rec->org_id, rec->org_name);
	js_key(s, "region_name", false), js_str(s, rec->region_name);
	js_key(s, "city_code", false), js_str(s, rec->city_code);
	js_key(s, "industry_code", false), js_str(s, rec->industry_code);
	js_key(s, "industry_name", false), js_str(s, rec->industry_name);
	js_key(s, "industry_section", false), js_str(s, rec->industry_section);
	js_key(s, "ownership", false), js_str(s, rec->ownership);
	js_key(s, "ownership_name", false),
		js_str(s, name_of(enterprise_ownership_codes, enterprise_ownership_names,
				  rec->ownership));
	js_key(s, "scale", false), js_str(s, rec->scale);
	js_key(s, "scale_name", false),
		js_str(s, name_of(enterprise_scale_codes, enterprise_scale_names, rec->scale));
	js_key(s, "above_scale", false), js_bool(s, rec->above_scale);
	js_key(s, "status", false), js_str(s, rec->status ? rec->status : "operating");
	js_key(s, "status_name", false),
		js_str(s, name_of(enterprise_status_codes, enterprise_status_names, rec->status));
	js_key(s, "address", false), js_str(s, rec->address);
	js_key(s, "founded_on", false), js_str(s, rec->founded_on);
	js_key(s, "registered_capital", false);
	if (rec->has_capital)
		js_real(s, (double)rec->capital_yuan / 10000.0);
	else
		str_puts(s, "null");
	js_key(s, "employees", false);
	if (rec->has_employees)
		js_int(s, rec->employees);
	else
		str_puts(s, "null");
	js_key(s, "version", false), js_int(s, rec->version);
	js_key(s, "tags", false), str_putc(s, '[');
	for (int i = 0; i < rec->ntags; i++) {
		str_puts(s, i ? ",{" : "{");
		js_key(s, "id", true), js_int(s, rec->tags[i].id);
		js_key(s, "name", false), js_str(s, rec->tags[i].name ? rec->tags[i].name : "");
		str_putc(s, '}');
	}
	str_putc(s, ']');
	js_key(s, "created_at", false), js_time(s, rec->created_at);
	js_key(s, "updated_at", false), js_time(s, rec->updated_at);
	if (with_contacts) {
		js_key(s, "contacts", false), str_putc(s, '[');
		for (int i = 0; i < rec->ncontacts; i++) {
			const struct ent_contact *c = &rec->contacts[i];
			str_puts(s, i ? ",{" : "{");
			js_key(s, "name", true), js_str(s, c->name ? c->name : "");
			js_key(s, "role", false), js_str(s, c->role);
			js_key(s, "mobile", false), js_str(s, c->mobile);
			str_putc(s, '}');
		}
		str_putc(s, ']');
	}
	str_putc(s, '}');
}

json_t *ent_rec_json(const struct ent_rec *rec, bool with_contacts)
{
	struct str s;
	str_init(&s, 1u << 20);
	ent_rec_write(&s, rec, with_contacts);
	json_t *o = str_ok(&s) ? json_loads(s.p, 0, NULL) : NULL;
	str_release(&s);
	return o;
}

/* The rows of a page of the list from r: {"items":[... (the caller ends it with js_page()).
 * *total is read from the rows' COL_TOTAL when given (the search's window count). */
static enum status ent_page_write(struct request *req, struct db_res *r, int64_t *total,
				  struct str *s)
{
	str_puts(s, "{\"items\":[");
	for (bool first = true; db_next(r); first = false) {
		struct ent_rec rec;
		ent_rec_from_row(&req->arena, r, &rec);
		if (total && !db_col_null(r, COL_TOTAL))
			*total = db_col_int(r, COL_TOTAL);
		if (!first)
			str_putc(s, ',');
		ent_rec_write(s, &rec, false);
	}
	return db_done(r);
}

static enum status ent_page_reply(struct request *req, struct str *s, int64_t total,
				  const struct paging *pg)
{
	js_page(s, total, pg->page, pg->size);
	str_putc(s, '}');
	return reply_str(req, s);
}

/* ---- reference lookups and derived fields ---------------------------------------------------- */

enum status ent_region_lookup(struct db *db, const char *code, struct ent_region *out)
{
	memset(out, 0, sizeof(*out));
	struct db_res *r = db_query(db, &SQL_REGION_GET, DB_ARGS(db_text(code)));
	bool found = false;
	if (db_next(r)) {
		const char *level = db_col_text(r, 2), *parent = db_col_text(r, 3);
		found = level && strcmp(level, "county") == 0;
		snprintf(out->code, sizeof(out->code), "%s", code);
		snprintf(out->name, sizeof(out->name), "%s", db_col_text(r, 1));
		snprintf(out->level, sizeof(out->level), "%s", level ? level : "");
		snprintf(out->parent, sizeof(out->parent), "%s", parent ? parent : "");
	}
	enum status st = db_done(r);
	if (st)
		return st;
	snprintf(out->province, sizeof(out->province), "%.2s0000", code);
	return found ? ST_OK : ST_NOT_FOUND;
}

enum status ent_industry_lookup(struct db *db, const char *code, char section[4], char name[128])
{
	struct db_res *r = db_query(db, &SQL_INDUSTRY_GET, DB_ARGS(db_text(code)));
	bool found = false;
	if (db_next(r)) {
		found = true;
		const char *level = db_col_text(r, 2), *parent = db_col_text(r, 3);
		snprintf(section, 4, "%s", level && strcmp(level, "section") == 0 ? code
					  : parent                                ? parent
										  : "");
		snprintf(name, 128, "%s", db_col_text(r, 1));
	}
	enum status st = db_done(r);
	if (st)
		return st;
	return found ? ST_OK : ST_NOT_FOUND;
}

enum status ent_derive(struct db *db, struct arena *a, struct ent_rec *rec,
		       const struct ent_region *rg, const char **why)
{
	*why = NULL;
	char initials[512];
	ent_name_initials(rec->name, initials, sizeof(initials));
	rec->name_initials = arena_strdup(a, initials);
	size_t need = ent_search_text(rec->name, rec->uscc, rec->legal_rep, rec->address,
				      initials, NULL, 0);
	char *st_buf = arena_alloc(a, need + 1);
	if (!st_buf || !rec->name_initials)
		return ST_NOMEM;
	ent_search_text(rec->name, rec->uscc, rec->legal_rep, rec->address, initials, st_buf,
			need + 1);
	rec->search_text = st_buf;
	if (rg) {
		rec->city_code = rg->parent[0] ? arena_strdup(a, rg->parent) : NULL;
		int64_t org_id;
		enum status st = db_int1(db, &SQL_ENT_ORG_FOR_REGION,
					 DB_ARGS(db_text(rg->code), db_text(rg->parent),
						 db_text(rg->province)),
					 &org_id);
		if (st == ST_NOT_FOUND) {
			*why = "该地区没有对应的工信部门，请检查所在地区";
			return ST_INVALID;
		}
		if (st)
			return st;
		rec->org_id = org_id;
	}
	return ST_OK;
}

/* ---- writing ---------------------------------------------------------------------------------- */

#define REC_ARGS(rec, now)                                                                         \
	db_text((rec)->uscc), db_text((rec)->name), db_text((rec)->region_code),                   \
		db_int((rec)->org_id), db_text((rec)->industry_code), db_text((rec)->ownership),   \
		db_text((rec)->scale), db_int((rec)->above_scale),                                 \
		db_text((rec)->status ? (rec)->status : "operating"), db_text((rec)->legal_rep),   \
		db_text((rec)->address), db_text((rec)->founded_on),                               \
		(rec)->has_capital ? db_int((rec)->capital_yuan) : db_null(),                      \
		(rec)->has_employees ? db_int((rec)->employees) : db_null(),                       \
		db_text((rec)->override_reason), db_text((rec)->name_initials),                    \
		db_text((rec)->city_code), db_text((rec)->industry_section), db_int(now)

static enum status write_links(struct db *db, const struct ent_rec *rec, bool tags, bool contacts)
{
	enum status st = ST_OK;
	if (tags) {
		st = db_exec(db, &SQL_ENT_TAGS_CLEAR, DB_ARGS(db_int(rec->id)), NULL);
		for (int i = 0; !st && i < rec->ntags; i++)
			st = db_exec(db, &SQL_ENT_TAG_ADD,
				     DB_ARGS(db_int(rec->id), db_int(rec->tags[i].id)), NULL);
	}
	if (!st && contacts) {
		st = db_exec(db, &SQL_ENT_CONTACTS_CLEAR, DB_ARGS(db_int(rec->id)), NULL);
		for (int i = 0; !st && i < rec->ncontacts; i++)
			st = db_exec(db, &SQL_ENT_CONTACT_ADD,
				     DB_ARGS(db_int(rec->id), db_text(rec->contacts[i].name),
					     db_text(rec->contacts[i].role),
					     db_text(rec->contacts[i].mobile), db_int(i)),
				     NULL);
	}
	return st;
}

static enum status history_add(struct db *db, int64_t now, const struct ent_actor *who,
			       int64_t id, int64_t version, const char *action, const char *field,
			       const char *from, const char *to, const char *reason)
{
	return db_exec(db, &SQL_ENT_HISTORY_ADD,
		       DB_ARGS(db_int(id), db_int(version), db_text(action), db_text(field),
			       db_text(from), db_text(to), db_text(reason),
			       db_id_or_null(who->user_id), db_text(who->username),
			       db_text(who->request_id), db_int(now)),
		       NULL);
}

enum status ent_insert(struct db *db, int64_t now, const struct ent_actor *who,
		       struct ent_rec *rec, const char *action)
{
	enum status st = db_int1(db, &SQL_ENT_INSERT, DB_ARGS(REC_ARGS(rec, now)), &rec->id);
	if (st)
		return st;
	rec->version = 1;
	if ((st = db_exec(db, &SQL_ENT_SEARCH_PUT,
			  DB_ARGS(db_int(rec->id), db_text(rec->search_text)), NULL)))
		return st;
	if (db_kind(db) == DB_SQLITE &&
	    (st = db_exec(db, &SQL_ENT_FTS_INSERT, DB_ARGS(db_int(rec->id)), NULL)))
		return st;
	if ((st = write_links(db, rec, rec->ntags > 0, rec->ncontacts > 0)))
		return st;
	return history_add(db, now, who, rec->id, 1, action, NULL, NULL, rec->name,
			   rec->override_reason);
}

const char *ent_field_text(struct arena *a, const struct ent_rec *rec, enum ent_field f)
{
	char buf[64];
	switch (f) {
	case EF_USCC:
		return rec->uscc;
	case EF_NAME:
		return rec->name;
	case EF_LEGAL_REP:
		return rec->legal_rep;
	case EF_REGION:
		return rec->region_code;
	case EF_INDUSTRY:
		return rec->industry_code;
	case EF_OWNERSHIP:
		return name_of(enterprise_ownership_codes, enterprise_ownership_names,
			       rec->ownership);
	case EF_SCALE:
		return name_of(enterprise_scale_codes, enterprise_scale_names, rec->scale);
	case EF_ABOVE_SCALE:
		return rec->above_scale ? "是" : "否";
	case EF_STATUS:
		return name_of(enterprise_status_codes, enterprise_status_names,
			       rec->status ? rec->status : "operating");
	case EF_FOUNDED:
		return rec->founded_on;
	case EF_CAPITAL:
		if (!rec->has_capital)
			return NULL;
		ent_format_capital(rec->capital_yuan, buf, sizeof(buf));
		return arena_strdup(a, buf);
	case EF_EMPLOYEES:
		return rec->has_employees ? arena_printf(a, "%lld", (long long)rec->employees)
					  : NULL;
	case EF_ADDRESS:
		return rec->address;
	case EF_TAGS: {
		if (!rec->ntags)
			return NULL;
		struct str s;
		str_init(&s, 0);
		for (int i = 0; i < rec->ntags; i++) {
			if (i)
				str_puts(&s, "、");
			str_puts(&s, rec->tags[i].name);
		}
		const char *out = str_ok(&s) ? arena_strdup(a, s.p) : NULL;
		str_release(&s);
		return out;
	}
	case EF_CONTACTS: {
		if (!rec->ncontacts)
			return NULL;
		struct str s;
		str_init(&s, 0);
		for (int i = 0; i < rec->ncontacts; i++) {
			const struct ent_contact *c = &rec->contacts[i];
			if (i)
				str_puts(&s, "；");
			str_puts(&s, c->name ? c->name : "");
			if (c->role && *c->role)
				str_appendf(&s, "（%s）", c->role);
			if (c->mobile && *c->mobile)
				str_appendf(&s, " %s", c->mobile);
		}
		const char *out = str_ok(&s) ? arena_strdup(a, s.p) : NULL;
		str_release(&s);
		return out;
	}
	default:
		return NULL;
	}
}

static bool same(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && strcmp(a, b) == 0;
}

enum status ent_update(struct db *db, struct arena *a, int64_t now, const struct ent_actor *who,
		       const struct ent_rec *old, struct ent_rec *rec, const char *action,
		       json_t **changes, bool *changed)
{
	*changed = false;
	if (changes)
		*changes = NULL;
	const char *from[EF__COUNT], *to[EF__COUNT];
	bool diff[EF__COUNT];
	int n = 0;
	for (int f = 0; f < EF__COUNT; f++) {
		from[f] = ent_field_text(a, old, (enum ent_field)f);
		to[f] = ent_field_text(a, rec, (enum ent_field)f);
		diff[f] = !same(from[f], to[f]);
		n += diff[f];
	}
	bool reason_changed = !same(old->override_reason, rec->override_reason);
	if (!n && !reason_changed)
		return ST_OK;
	rec->id = old->id;
	int64_t rows = 0;
	enum status st = ST_OK;
	bool fts = db_kind(db) == DB_SQLITE;
	if (fts && (st = db_exec(db, &SQL_ENT_FTS_DELETE, DB_ARGS(db_int(old->id)), NULL)))
		return st;
	if ((st = db_exec(db, &SQL_ENT_SEARCH_PUT,
			  DB_ARGS(db_int(old->id), db_text(rec->search_text)), NULL)))
		return st;
	st = db_exec(db, &SQL_ENT_UPDATE,
		     DB_ARGS(REC_ARGS(rec, now), db_int(old->id), db_int(old->version)), &rows);
	if (st)
		return st;
	if (rows != 1)
		return ST_CONFLICT;
	rec->version = old->version + 1;
	if (fts && (st = db_exec(db, &SQL_ENT_FTS_INSERT, DB_ARGS(db_int(old->id)), NULL)))
		return st;
	if ((st = write_links(db, rec, diff[EF_TAGS], diff[EF_CONTACTS])))
		return st;
	json_t *ch = changes ? json_object() : NULL;
	for (int f = 0; !st && f < EF__COUNT; f++) {
		if (!diff[f])
			continue;
		st = history_add(db, now, who, old->id, rec->version, action, ent_fields[f].key,
				 from[f], to[f], f == EF_USCC ? rec->override_reason : NULL);
		if (ch)
			json_object_set_new(ch, ent_fields[f].key,
					    json_pack("{s:s?, s:s?}", "from", from[f], "to", to[f]));
	}
	if (!st && reason_changed && !diff[EF_USCC])
		st = history_add(db, now, who, old->id, rec->version, action,
				 "uscc_override_reason", old->override_reason, rec->override_reason,
				 NULL);
	if (st) {
		json_decref(ch);
		return st;
	}
	if (changes)
		*changes = ch;
	*changed = true;
	return ST_OK;
}

bool ent_org_in_scope(struct request *req, struct db *db, int64_t org_id)
{
	if (req->scope.kinds & SCOPE_ALL)
		return true;
	bool ok = false;
	struct db_res *r = db_query(db, &SQL_ENT_ORG_PATH, DB_ARGS(db_int(org_id)));
	if (db_next(r))
		ok = scope_allows(&req->scope, db_col_text(r, 0), org_id, 0, 0);
	db_done(r);
	return ok;
}

static void actor_of(struct request *req, struct ent_actor *out)
{
	out->user_id = req->user ? req->user->user_id : 0;
	out->username = req->user ? req->user->username : NULL;
	out->request_id = req->id;
}

/* ---- list and search ------------------------------------------------------------------------- */

static const char *const sort_names[ENT_SORT__COUNT + 1] = {
	"name", "-name", "founded", "-founded", "capital", "-capital", "employees", "-employees",
	"updated", "-updated", NULL};

static enum status q_choice(struct request *req, const char *name, const char *label,
			    const char *const *codes, const char *const *names, const char **out)
{
	const char *s;
	enum status st = q_str(req, name, label, 20, &s);
	*out = NULL;
	if (st || !s)
		return st;
	int i = names ? ent_choice(codes, names, s) : -1;
	if (i < 0)
		for (int k = 0; codes[k]; k++)
			if (strcmp(codes[k], s) == 0)
				i = k;
	if (i < 0) {
		struct str list;
		str_init(&list, 512);
		for (int k = 0; codes[k]; k++) {
			if (k)
				str_puts(&list, "、");
			str_puts(&list, codes[k]);
		}
		st = req_failf(req, ST_INVALID, "invalid_choice", name, "%s应为以下之一：%s", label,
			       list.p);
		str_release(&list);
		return st;
	}
	*out = codes[i];
	return ST_OK;
}

enum status ent_filter_parse(struct request *req, struct db *db, struct db_val args[20],
			     int *mode, int *sort)
{
	const char *q, *region, *industry, *scale, *ownership, *status, *above, *tags, *sort_s;
	enum status st;
	if ((st = q_str(req, "q", "搜索词", 100, &q)) ||
	    (st = q_str(req, "region_code", "所在地区", 6, &region)) ||
	    (st = q_str(req, "industry_code", "所属行业", 2, &industry)) ||
	    (st = q_choice(req, "scale", "企业规模", enterprise_scale_codes, enterprise_scale_names,
			   &scale)) ||
	    (st = q_choice(req, "ownership", "经济类型", enterprise_ownership_codes,
			   enterprise_ownership_names, &ownership)) ||
	    (st = q_choice(req, "status", "经营状态", enterprise_status_codes,
			   enterprise_status_names, &status)) ||
	    (st = q_str(req, "above_scale", "是否规上企业", 5, &above)) ||
	    (st = q_str(req, "tags", "企业标签", 64, &tags)) ||
	    (st = q_str(req, "sort", "排序", 12, &sort_s)))
		return st;
	if (region && (strlen(region) != 6 || strspn(region, "0123456789") != 6))
		return req_fail(req, ST_INVALID, "invalid_region",
				"所在地区应为6位行政区划代码（县区或地市）", "region_code");
	if (industry && !ent_industry_code_valid(industry))
		return req_fail(req, ST_INVALID, "invalid_industry",
				"所属行业应为国民经济行业分类的门类字母（A-T）或大类代码（2位数字）",
				"industry_code");
	bool above_v = false;
	if (above && !ent_parse_bool(above, &above_v))
		return req_fail(req, ST_INVALID, "wrong_type", "是否规上企业应为true或false",
				"above_scale");
	*sort = ENT_SORT_NAME;
	if (sort_s) {
		int k;
		for (k = 0; sort_names[k] && strcmp(sort_names[k], sort_s) != 0; k++)
			;
		if (!sort_names[k])
			return req_fail(req, ST_INVALID, "invalid_choice",
					"排序应为以下之一：name、founded、capital、employees、updated"
					"（前加 - 为倒序）",
					"sort");
		*sort = k;
	}
	scope_filter(req, args);
	args[5] = db_text(region);
	args[6] = db_text(industry);
	args[7] = db_text(scale);
	args[8] = db_text(ownership);
	args[9] = above ? db_int(above_v) : db_null();
	args[10] = db_text(status);
	for (int i = 11; i < 14; i++)
		args[i] = db_null();
	if (tags) {
		char *t = arena_strdup(&req->arena, tags);
		int n = 0;
		for (char *p = t; p && *p;) {
			char *comma = strchr(p, ',');
			if (comma)
				*comma = '\0';
			int64_t id;
			if (n == 3 || !str_to_i64(p, 1, INT64_MAX, &id))
				return req_fail(req, ST_INVALID, "invalid_tags",
						"企业标签应为最多3个标签编号，用逗号分隔", "tags");
			args[11 + n++] = db_int(id);
			p = comma ? comma + 1 : NULL;
		}
	}
	struct ent_query qq;
	if (ent_query_parse(q, &qq))
		return req_fail(req, ST_INVALID, "too_many_terms", "搜索词最多3个，用空格分开", "q");
	*mode = qq.fts >= 0 ? ENT_MODE_INDEX : qq.nterms ? ENT_MODE_SHORT : ENT_MODE_NONE;
	args[14] = db_null();
	for (int i = 0; i < 3; i++)
		args[15 + i] = i < qq.nterms ? db_text(arena_strdup(&req->arena, qq.term[i]))
					     : db_null();
	if (qq.fts >= 0) {
		if (db_kind(db) == DB_SQLITE) {
			char phrase[8 * ENT_TERM_BYTES];
			if (!ent_fts_query(qq.term[qq.fts], phrase, sizeof(phrase)))
				return req_fail(req, ST_INVALID, "too_long", "搜索词过长", "q");
			args[14] = db_text(arena_strdup(&req->arena, phrase));
		} else {
			const char *esc = like_escape(&req->arena, qq.term[qq.fts]);
			args[14] = db_text(arena_printf(&req->arena, "%%%s%%", esc ? esc : ""));
		}
	}
	return ST_OK;
}

/* The list from the in-process copy: the page's ids and the count from memory, then those
 * rows (at most page_size) from the database, the scope checked again there. */
static enum status ent_list_indexed(struct request *req, struct db *db, const struct db_val *a,
				    int sort, const struct paging *pg)
{
	int64_t ids[100], total;
	size_t nids;
	int64_t size = pg->size < 100 ? pg->size : 100;
	enum status st =
		ent_index_page(db, &req->arena, a, sort, pg->offset, size, ids, &nids, &total);
	if (st)
		return st;
	struct str out;
	str_init(&out, 8u << 20);
	if (!nids) {
		str_puts(&out, "{\"items\":[");
		return ent_page_reply(req, &out, total, pg);
	}
	struct str list;
	str_init(&list, 24 * nids + 1);
	for (size_t i = 0; i < nids; i++)
		str_appendf(&list, "%s%lld", i ? "," : "", (long long)ids[i]);
	if (!str_ok(&list)) {
		str_release(&list);
		str_release(&out);
		return ST_NOMEM;
	}
	struct db_val b[6];
	memcpy(b, a, SCOPE_NARGS * sizeof(*b));
	b[5] = db_text(list.p);
	st = ent_page_write(req, db_query(db, &SQL_ENT_PAGE, b, 6), NULL, &out);
	str_release(&list);
	if (st) {
		str_release(&out);
		return st;
	}
	return ent_page_reply(req, &out, total, pg);
}

static enum status ent_list(struct request *req)
{
	struct paging pg;
	struct db *db;
	struct db_val a[20];
	int mode, sort;
	enum status st;
	if ((st = q_paging(req, &pg)) || (st = req_db(req, &db)) ||
	    (st = ent_filter_parse(req, db, a, &mode, &sort)))
		return st;
	/* SQLite: from the in-process copy; a registry past what it can number keeps to SQL */
	if (ent_index_usable(db, a) &&
	    (st = ent_list_indexed(req, db, a, sort, &pg)) != ST_TOO_LARGE)
		return st;
	int64_t total = -1;
	a[18] = db_int(pg.size);
	a[19] = db_int(pg.offset);
	struct str out;
	str_init(&out, 8u << 20);
	if ((st = ent_page_write(req, db_query(db, &SQL_ENT_LIST[sort][mode], a, 20), &total,
				 &out)) ||
	    /* no search, or a page past the last match: count apart */
	    (total < 0 && (st = db_int1(db, &SQL_ENT_COUNT[mode], a, 18, &total)))) {
		str_release(&out);
		return st;
	}
	return ent_page_reply(req, &out, total, &pg);
}

/* The record with this id if the caller may see it (404 otherwise), with its contacts. */
static enum status load_rec(struct request *req, struct db *db, int64_t id, struct ent_rec *rec)
{
	struct db_val a[6];
	scope_filter(req, a);
	a[5] = db_int(id);
	bool found = false;
	struct db_res *r = db_query(db, &SQL_ENT_GET, a, 6);
	if (db_next(r)) {
		ent_rec_from_row(&req->arena, r, rec);
		found = true;
	}
	enum status st = db_done(r);
	if (st)
		return st;
	if (!found)
		return req_fail(req, ST_NOT_FOUND, "not_found", "企业不存在或不在您的管辖范围内",
				NULL);
	return ent_load_contacts(db, &req->arena, rec);
}

/* The fields this caller may change on a record it can see, by the same rules PATCH applies:
 * an enterprise user its own few, an official with enterprise.write the rest (the credit code
 * only with enterprise.admin). The console builds its form from it. */
static json_t *editable_fields(struct request *req)
{
	json_t *keys = json_array();
	bool own_only = !(req->scope.kinds & (SCOPE_ALL | SCOPE_SUBTREE | SCOPE_ORG | SCOPE_LIAISON));
	bool write = req->user && permset_has(&req->user->perms, PERM_ENTERPRISE_WRITE);
	bool admin = req->user && permset_has(&req->user->perms, PERM_ENTERPRISE_ADMIN);
	if (!write)
		return keys;
	for (int f = 0; f < EF__COUNT; f++) {
		if (f == EF_USCC && (own_only || !admin))
			continue;
		if (!own_only || ent_fields[f].enterprise_editable)
			json_array_append_new(keys, json_string(ent_fields[f].key));
	}
	return keys;
}

static enum status ent_get(struct request *req)
{
	int64_t id;
	struct db *db;
	struct ent_rec rec;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = load_rec(req, db, id, &rec)))
		return st;
	json_t *out = ent_rec_json(&rec, true);
	if (out)
		json_object_set_new(out, "editable", editable_fields(req));
	return reply_json(req, 200, out);
}

/* The enterprise 360 section (企业全景): the record with its contacts, within the caller's own
 * enterprise.read scope. */
static enum status ent_section(struct request *req, struct db *db, int64_t id, json_t *sections)
{
	if (!req->user || !permset_has(&req->user->perms, PERM_ENTERPRISE_READ))
		return ST_OK;
	struct scope s;
	principal_scope(req->user, PERM_ENTERPRISE_READ, &s);
	struct db_val a[6];
	scope_filter_args(&s, a);
	a[5] = db_int(id);
	struct ent_rec rec;
	bool found = false;
	struct db_res *r = db_query(db, &SQL_ENT_GET, a, 6);
	if (db_next(r)) {
		ent_rec_from_row(&req->arena, r, &rec);
		found = true;
	}
	enum status st = db_done(r);
	if (st || !found || (st = ent_load_contacts(db, &req->arena, &rec)))
		return st;
	json_t *sec = json_pack("{s:s, s:s, s:o}", "key", "profile", "title", "基本信息", "enterprise",
				ent_rec_json(&rec, true));
	if (!sec)
		return ST_NOMEM;
	return json_array_append_new(sections, sec) ? ST_NOMEM : ST_OK;
}

/* ---- create and edit ---------------------------------------------------------------------- */

static const char *const body_fields[] = {
	"uscc",     "name",        "legal_rep",  "region_code", "industry_code",
	"ownership", "scale",      "above_scale", "status",     "founded_on",
	"registered_capital", "employees", "address", "tags", "contacts",
	"uscc_override_reason", "version", NULL};

static bool has_perm(struct request *req, enum perm p)
{
	return req->user && permset_has(&req->user->perms, p);
}

/* The credit code in body (the record's new code into rec->uscc and rec->override_reason). */
static enum status read_uscc(struct request *req, json_t *body, struct ent_rec *rec,
			     bool required)
{
	const char *in, *reason;
	bool sent, reason_sent;
	enum status st;
	if ((st = in_str(req, body, "uscc", "统一社会信用代码", (required ? IN_REQUIRED : 0) | IN_TRIM,
			 40, &in, &sent)) ||
	    (st = in_str(req, body, "uscc_override_reason", "信用代码例外理由", IN_TRIM, 200,
			 &reason, &reason_sent)))
		return st;
	if (!sent || !in) {
		if (reason)
			return req_fail(req, ST_INVALID, "uscc_required",
					"填写信用代码例外理由时须同时提交统一社会信用代码",
					"uscc_override_reason");
		return ST_OK;
	}
	char code[USCC_LEN + 1];
	struct uscc_problem why;
	if (uscc_parse(in, strlen(in), code, &why) == ST_OK) {
		if (reason)
			return req_fail(req, ST_INVALID, "override_not_needed",
					"统一社会信用代码校验通过，无需填写例外理由",
					"uscc_override_reason");
		rec->uscc = arena_strdup(&req->arena, code);
		rec->override_reason = NULL;
		return ST_OK;
	}
	if (!reason)
		return req_fail(req, ST_INVALID, "invalid_uscc",
				arena_strdup(&req->arena, why.message), "uscc");
	if (!ent_uscc_overridable(&why))
		return req_failf(req, ST_INVALID, "invalid_uscc", "uscc",
				 "%s（此类错误不能按例外处理）", why.message);
	if (!has_perm(req, PERM_ENTERPRISE_ADMIN))
		return req_fail(req, ST_FORBIDDEN, "permission_denied",
				"只有企业名录管理员可以按例外接受未通过校验的信用代码",
				"uscc_override_reason");
	if (utf8_len(reason, strlen(reason)) < 4)
		return req_fail(req, ST_INVALID, "too_short", "信用代码例外理由至少4个字",
				"uscc_override_reason");
	char norm[64];
	uscc_normalize(in, strlen(in), norm, sizeof(norm));
	rec->uscc = arena_strdup(&req->arena, norm);
	rec->override_reason = reason;
	return ST_OK;
}

/* Tags by id: each must exist and be active (or already on the record). */
static enum status read_tags(struct request *req, struct db *db, json_t *v,
			     const struct ent_rec *old, struct ent_rec *rec)
{
	if (!json_is_array(v))
		return req_fail(req, ST_INVALID, "wrong_type", "企业标签应为标签编号的列表", "tags");
	if (json_array_size(v) > ENT_MAX_TAGS)
		return req_failf(req, ST_INVALID, "too_many", "tags", "企业标签最多%d个",
				 ENT_MAX_TAGS);
	rec->ntags = 0;
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		if (!json_is_integer(e))
			return req_fail(req, ST_INVALID, "wrong_type",
					"企业标签应为标签编号（整数）的列表", "tags");
		int64_t id = json_integer_value(e);
		bool dup = false;
		for (int k = 0; k < rec->ntags; k++)
			dup |= rec->tags[k].id == id;
		if (dup)
			continue;
		bool found = false, active = false, had = false;
		struct db_val ta[6];
		scope_filter(req, ta);
		ta[5] = db_int(id);
		struct db_res *r = db_query(db, &SQL_TAG_GET, ta, 6);
		const char *name = NULL;
		if (db_next(r)) {
			found = true;
			name = arena_strdup(&req->arena, db_col_text(r, 1));
			active = strcmp(db_col_text(r, 3), "active") == 0;
		}
		enum status st = db_done(r);
		if (st)
			return st;
		for (int k = 0; old && k < old->ntags; k++)
			had |= old->tags[k].id == id;
		if (!found || (!active && !had))
			return req_failf(req, ST_INVALID, "invalid_tag", "tags",
					 "企业标签%lld不存在或已停用", (long long)id);
		rec->tags[rec->ntags++] = (struct ent_tag){id, name};
	}
	for (int a = 1; a < rec->ntags; a++)
		for (int b = a; b > 0 && rec->tags[b - 1].id > rec->tags[b].id; b--) {
			struct ent_tag x = rec->tags[b];
			rec->tags[b] = rec->tags[b - 1];
			rec->tags[b - 1] = x;
		}
	return ST_OK;
}

static enum status read_contacts(struct request *req, json_t *v, struct ent_rec *rec)
{
	if (!json_is_array(v))
		return req_fail(req, ST_INVALID, "wrong_type", "联系人应为列表", "contacts");
	if (json_array_size(v) > ENT_MAX_CONTACTS)
		return req_failf(req, ST_INVALID, "too_many", "contacts", "联系人最多%d个",
				 ENT_MAX_CONTACTS);
	rec->ncontacts = 0;
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		if (!json_is_object(e))
			return req_fail(req, ST_INVALID, "wrong_type",
					"联系人的每一项应为{name, role, mobile}", "contacts");
		static const char *const keys[] = {"name", "role", "mobile", NULL};
		const char *name, *role, *mobile;
		enum status st;
		if ((st = in_only(req, e, keys)) ||
		    (st = in_str(req, e, "name", "联系人姓名", IN_REQUIRED | IN_TRIM, 30, &name,
				 NULL)) ||
		    (st = in_str(req, e, "role", "联系人职务", IN_TRIM, 30, &role, NULL)) ||
		    (st = in_str(req, e, "mobile", "联系人手机", IN_TRIM, 20, &mobile, NULL))) {
			req->err_field = arena_printf(&req->arena, "contacts[%zu].%s", i,
						      req->err_field ? req->err_field : "");
			return st;
		}
		char m[12];
		if (mobile && *mobile) {
			if (!ent_mobile_normalize(mobile, m))
				return req_failf(req, ST_INVALID, "invalid_mobile",
						 arena_printf(&req->arena, "contacts[%zu].mobile", i),
						 "第%zu个联系人的手机号码“%s”不正确，应为11位手机号码",
						 i + 1, mobile);
			mobile = arena_strdup(&req->arena, m);
		}
		rec->contacts[rec->ncontacts++] = (struct ent_contact){name, role, mobile};
	}
	return ST_OK;
}

/*
 * Apply body to rec (a copy of old, or empty for a new record). Checks each value and, for an
 * enterprise user, that only the fields it may edit are sent (403 naming the field).
 */
static enum status apply_body(struct request *req, struct db *db, json_t *body,
			      const struct ent_rec *old, struct ent_rec *rec,
			      struct ent_region *rg, bool *region_changed)
{
	enum status st;
	bool creating = old == NULL;
	bool own_only = !(req->scope.kinds & (SCOPE_ALL | SCOPE_SUBTREE | SCOPE_ORG | SCOPE_LIAISON));
	*region_changed = creating;
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v)
	{
		int f = ent_field_by_key(k);
		if (own_only && f >= 0 && !ent_fields[f].enterprise_editable)
			return req_failf(req, ST_FORBIDDEN, "field_not_editable",
					 arena_strdup(&req->arena, k),
					 "企业用户不能修改“%s”，如需更正请联系主管部门",
					 ent_fields[f].label);
		if (own_only && strcmp(k, "uscc_override_reason") == 0)
			return req_fail(req, ST_FORBIDDEN, "field_not_editable",
					"企业用户不能修改信用代码", "uscc_override_reason");
	}
	/* the credit code: a change needs enterprise.admin */
	if (json_object_get(body, "uscc") || json_object_get(body, "uscc_override_reason")) {
		if (!creating && !has_perm(req, PERM_ENTERPRISE_ADMIN))
			return req_fail(req, ST_FORBIDDEN, "permission_denied",
					"修改统一社会信用代码需要企业名录管理权限", "uscc");
		if ((st = read_uscc(req, body, rec, creating)))
			return st;
	}
	const char *s;
	bool sent;
#define TEXT_FIELD(key, label, max, flags, target)                                                \
	do {                                                                                       \
		if ((st = in_str(req, body, key, label, (flags) | IN_TRIM, max, &s, &sent)))       \
			return st;                                                                 \
		if (sent)                                                                          \
			target = s && *s ? s : NULL;                                               \
	} while (0)
	TEXT_FIELD("name", "企业名称", 100, creating ? IN_REQUIRED : 0, rec->name);
	if (!rec->name || !*rec->name)
		return req_fail(req, ST_INVALID, "required", "企业名称不能为空", "name");
	TEXT_FIELD("legal_rep", "法定代表人", 30, 0, rec->legal_rep);
	TEXT_FIELD("address", "注册地址", 200, 0, rec->address);
	const char *region = NULL;
	if ((st = in_str(req, body, "region_code", "所在地区", (creating ? IN_REQUIRED : 0) | IN_TRIM,
			 6, &region, &sent)))
		return st;
	if (sent) {
		if (!region)
			return req_fail(req, ST_INVALID, "required", "所在地区不能为空", "region_code");
		if (!ent_region_code_valid(region))
			return req_fail(req, ST_INVALID, "invalid_region",
					"所在地区应为6位县级行政区划代码（GB/T 2260），如230202",
					"region_code");
		st = ent_region_lookup(db, region, rg);
		if (st == ST_NOT_FOUND)
			return req_failf(req, ST_INVALID, "invalid_region", "region_code",
					 "行政区划代码%s不是已登记的县级行政区划", region);
		if (st)
			return st;
		*region_changed = creating || !same(region, old->region_code);
		rec->region_code = region;
	}
	const char *industry = NULL;
	if ((st = in_str(req, body, "industry_code", "所属行业", IN_TRIM, 2, &industry, &sent)))
		return st;
	if (sent) {
		rec->industry_code = NULL;
		rec->industry_section = NULL;
		if (industry && *industry) {
			char section[4], name[128];
			if (strlen(industry) != 2 || !ent_industry_code_valid(industry))
				return req_fail(req, ST_INVALID, "invalid_industry",
						"所属行业应为国民经济行业分类（GB/T 4754-2017）的大类代码，2位数字，如34",
						"industry_code");
			st = ent_industry_lookup(db, industry, section, name);
			if (st == ST_NOT_FOUND)
				return req_failf(req, ST_INVALID, "invalid_industry", "industry_code",
						 "行业代码%s不是国民经济行业分类的大类", industry);
			if (st)
				return st;
			rec->industry_code = industry;
			rec->industry_section = arena_strdup(&req->arena, section);
			rec->industry_name = arena_strdup(&req->arena, name);
		}
	}
	int idx;
	if ((st = in_enum(req, body, "ownership", "经济类型", 0, enterprise_ownership_codes, &idx,
			  &sent)))
		return st;
	if (sent)
		rec->ownership = json_is_null(json_object_get(body, "ownership"))
					 ? NULL
					 : enterprise_ownership_codes[idx];
	if ((st = in_enum(req, body, "scale", "企业规模", 0, enterprise_scale_codes, &idx, &sent)))
		return st;
	if (sent)
		rec->scale = json_is_null(json_object_get(body, "scale")) ? NULL
									 : enterprise_scale_codes[idx];
	if ((st = in_enum(req, body, "status", "经营状态", 0, enterprise_status_codes, &idx,
			  &sent)))
		return st;
	if (sent && !json_is_null(json_object_get(body, "status")))
		rec->status = enterprise_status_codes[idx];
	bool b;
	if ((st = in_bool(req, body, "above_scale", "是否规上企业", 0, &b, &sent)))
		return st;
	if (sent && !json_is_null(json_object_get(body, "above_scale")))
		rec->above_scale = b;
	const char *founded;
	if ((st = in_str(req, body, "founded_on", "成立日期", IN_TRIM, 20, &founded, &sent)))
		return st;
	if (sent) {
		rec->founded_on = NULL;
		if (founded && *founded) {
			char d[11];
			if (!ent_parse_date(founded, d))
				return req_fail(req, ST_INVALID, "invalid_date",
						"成立日期不是有效的日期（应为YYYY-MM-DD，如2015-06-01）",
						"founded_on");
			struct date today;
			char ts[11];
			date_ts_local_date(req->now, &today);
			date_format(today, ts, sizeof(ts));
			if (strcmp(d, ts) > 0)
				return req_fail(req, ST_INVALID, "invalid_date",
						"成立日期不能晚于今天", "founded_on");
			rec->founded_on = arena_strdup(&req->arena, d);
		}
	}
	json_t *cap = json_object_get(body, "registered_capital");
	if (cap) {
		if (json_is_null(cap)) {
			rec->has_capital = false;
		} else {
			char buf[64];
			if (json_is_integer(cap))
				snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(cap));
			else if (json_is_real(cap))
				snprintf(buf, sizeof(buf), "%.4f", json_real_value(cap));
			else if (json_is_string(cap))
				snprintf(buf, sizeof(buf), "%s", json_string_value(cap));
			else
				buf[0] = '\0';
			if (!ent_parse_capital(buf, &rec->capital_yuan))
				return req_fail(req, ST_INVALID, "invalid_capital",
						"注册资本应为不小于0的数字，单位万元，最多4位小数",
						"registered_capital");
			rec->has_capital = true;
		}
	}
	int64_t emp;
	if ((st = in_int(req, body, "employees", "从业人数", 0, 0, 10000000, &emp, &sent)))
		return st;
	if (sent) {
		rec->has_employees = !json_is_null(json_object_get(body, "employees"));
		rec->employees = rec->has_employees ? emp : 0;
	}
	json_t *tags = json_object_get(body, "tags");
	if (tags && (st = read_tags(req, db, tags, old, rec)))
		return st;
	json_t *contacts = json_object_get(body, "contacts");
	if (contacts && (st = read_contacts(req, contacts, rec)))
		return st;
#undef TEXT_FIELD
	return ST_OK;
}

static enum status ent_create(struct request *req)
{
	json_t *body;
	struct db *db;
	struct ent_rec rec;
	struct ent_region rg;
	bool region_changed;
	enum status st;
	memset(&rec, 0, sizeof(rec));
	rec.status = "operating";
	if ((st = req_json(req, &body)) || (st = in_only(req, body, body_fields)) ||
	    (st = req_db(req, &db)))
		return st;
	if (json_object_get(body, "version"))
		return req_fail(req, ST_INVALID, "unknown_field", "新增企业时不需要version",
				"version");
	if ((st = apply_body(req, db, body, NULL, &rec, &rg, &region_changed)))
		return st;
	const char *why;
	if ((st = ent_derive(db, &req->arena, &rec, &rg, &why)))
		return why ? req_fail(req, st, "invalid_region", why, "region_code") : st;
	if (!ent_org_in_scope(req, db, rec.org_id))
		return req_failf(req, ST_INVALID, "out_of_scope", "region_code",
				 "所在地区%s不在您的管辖范围内", rec.region_code);
	struct ent_actor who;
	actor_of(req, &who);
	if ((st = db_begin(db)))
		return st;
	st = ent_insert(db, req->now, &who, &rec, "create");
	if (st == ST_CONFLICT)
		st = req_fail(req, ST_CONFLICT, "duplicate_uscc", "该统一社会信用代码的企业已存在",
			      "uscc");
	if (!st)
		st = audit_req(req, db, "enterprise", rec.id, "create",
			       json_pack("{s:s, s:s, s:s, s:s?}", "uscc", rec.uscc, "name", rec.name,
					 "region_code", rec.region_code, "uscc_override_reason",
					 rec.override_reason));
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	struct ent_rec out;
	if (load_rec(req, db, rec.id, &out) == ST_OK)
		return reply_json(req, 201, ent_rec_json(&out, true));
	/* created outside the caller's own scope: answer with what was made */
	req->st = ST_OK;
	req->err_code = req->err_message = req->err_field = NULL;
	return reply_json(req, 201, json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)rec.id,
					      "uscc", rec.uscc, "name", rec.name, "version",
					      (json_int_t)1));
}

static enum status ent_patch(struct request *req)
{
	json_t *body;
	int64_t id, version;
	struct db *db;
	struct ent_rec old, rec;
	struct ent_region rg;
	bool region_changed;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_json(req, &body)) ||
	    (st = in_only(req, body, body_fields)) || (st = req_db(req, &db)) ||
	    (st = load_rec(req, db, id, &old)))
		return st;
	if ((st = in_int(req, body, "version", "版本号", IN_REQUIRED, 1, INT64_MAX, &version, NULL)))
		return st;
	if (version != old.version)
		return req_failf(req, ST_CONFLICT, "version_conflict", "version",
				 "该企业信息已被他人修改（您编辑的是第%lld版，当前为第%lld版），请刷新后重新修改",
				 (long long)version, (long long)old.version);
	rec = old;
	if ((st = apply_body(req, db, body, &old, &rec, &rg, &region_changed)))
		return st;
	const char *why;
	if ((st = ent_derive(db, &req->arena, &rec, region_changed ? &rg : NULL, &why)))
		return why ? req_fail(req, st, "invalid_region", why, "region_code") : st;
	if (!region_changed)
		rec.org_id = old.org_id;
	else if (!ent_org_in_scope(req, db, rec.org_id))
		return req_failf(req, ST_INVALID, "out_of_scope", "region_code",
				 "所在地区%s不在您的管辖范围内", rec.region_code);
	struct ent_actor who;
	actor_of(req, &who);
	if ((st = db_begin(db)))
		return st;
	json_t *changes = NULL;
	bool changed;
	st = ent_update(db, &req->arena, req->now, &who, &old, &rec, "update", &changes, &changed);
	if (st == ST_CONFLICT) {
		int64_t cur = 0;
		db_int1(db, &SQL_ENT_VERSION, DB_ARGS(db_int(id)), &cur);
		/* a changed credit code that another record holds, or a newer version */
		st = cur == old.version
			     ? req_fail(req, ST_CONFLICT, "duplicate_uscc",
					"该统一社会信用代码的企业已存在", "uscc")
			     : req_failf(req, ST_CONFLICT, "version_conflict", "version",
					 "该企业信息已被他人修改（您编辑的是第%lld版，当前为第%lld版），请刷新后重新修改",
					 (long long)version, (long long)cur);
	}
	if (!st && changed)
		st = audit_req(req, db, "enterprise", id, "update",
			       json_pack("{s:o, s:I}", "changes", changes, "version",
					 (json_int_t)rec.version));
	else
		json_decref(changes);
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	struct ent_rec out;
	if ((st = load_rec(req, db, id, &out)) == ST_NOT_FOUND) {
		/* moved out of the caller's scope by this very edit */
		req->st = ST_OK;
		req->err_code = req->err_message = req->err_field = NULL;
		return reply_json(req, 200, json_pack("{s:I, s:I, s:b}", "id", (json_int_t)id,
						      "version", (json_int_t)rec.version,
						      "moved_out_of_scope", 1));
	}
	if (st)
		return st;
	return reply_json(req, 200, ent_rec_json(&out, true));
}

static enum status ent_history(struct request *req)
{
	int64_t id, total;
	struct db *db;
	struct paging pg;
	struct ent_rec rec;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = q_paging(req, &pg)) ||
	    (st = req_db(req, &db)) || (st = load_rec(req, db, id, &rec)))
		return st;
	struct db_val a[8];
	scope_filter(req, a);
	a[5] = db_int(id);
	if ((st = db_int1(db, &SQL_ENT_HISTORY_COUNT, a, 6, &total)))
		return st;
	a[6] = db_int(pg.size);
	a[7] = db_int(pg.offset);
	json_t *items = json_array();
	struct db_res *r = db_query(db, &SQL_ENT_HISTORY_LIST, a, 8);
	while (db_next(r)) {
		const char *field = db_col_text(r, 3);
		int f = field ? ent_field_by_key(field) : -1;
		const char *label = f >= 0 ? ent_fields[f].label
				    : field && strcmp(field, "uscc_override_reason") == 0
					    ? "信用代码例外理由"
					    : NULL;
		json_array_append_new(
			items,
			json_pack("{s:I, s:I, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:{s:I, s:s?, s:s?},"
				  " s:o, s:s?}",
				  "id", (json_int_t)db_col_int(r, 0), "version",
				  (json_int_t)db_col_int(r, 1), "action", db_col_text(r, 2), "field",
				  field, "field_label", label, "from", db_col_text(r, 4), "to",
				  db_col_text(r, 5), "reason", db_col_text(r, 6), "user", "id",
				  (json_int_t)db_col_int(r, 7), "username", db_col_text(r, 8),
				  "display_name", db_col_text(r, 11), "at",
				  json_time(req, db_col_int(r, 9)), "request_id", db_col_text(r, 10)));
	}
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	return reply_json(req, 200, list_envelope(items, total, &pg));
}

enum status enterprises_id_by_uscc(struct db *db, const char *uscc, int64_t *out)
{
	return db_int1(db, &SQL_ENT_BY_USCC, DB_ARGS(db_text(uscc)), out);
}

/* ---- tags ----------------------------------------------------------------------------------- */

static json_t *tag_json(struct request *req, struct db_res *r)
{
	return json_pack("{s:I, s:s, s:I, s:s, s:I, s:o, s:o}", "id", (json_int_t)db_col_int(r, 0),
			 "name", db_col_text(r, 1), "sort", (json_int_t)db_col_int(r, 2), "status",
			 db_col_text(r, 3), "enterprises", (json_int_t)db_col_int(r, 6),
			 "created_at", json_time(req, db_col_int(r, 4)), "updated_at",
			 json_time(req, db_col_int(r, 5)));
}

static enum status tags_list(struct request *req)
{
	struct db *db;
	enum status st;
	if ((st = req_db(req, &db)))
		return st;
	json_t *items = json_array();
	struct db_val a[SCOPE_NARGS];
	scope_filter(req, a);
	struct db_res *r = db_query(db, &SQL_TAGS_LIST, a, SCOPE_NARGS);
	while (db_next(r))
		json_array_append_new(items, tag_json(req, r));
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	return reply_json(req, 200, json_pack("{s:o}", "items", items));
}

static enum status tag_load(struct request *req, struct db *db, int64_t id, json_t **out)
{
	*out = NULL;
	struct db_val a[6];
	scope_filter(req, a);
	a[5] = db_int(id);
	struct db_res *r = db_query(db, &SQL_TAG_GET, a, 6);
	if (db_next(r))
		*out = tag_json(req, r);
	enum status st = db_done(r);
	if (st) {
		json_decref(*out);
		*out = NULL;
		return st;
	}
	return *out ? ST_OK : req_fail(req, ST_NOT_FOUND, "not_found", "标签不存在", NULL);
}

static enum status tag_name_check(struct request *req, const char *name)
{
	if (!ent_tag_name_valid(name))
		return req_fail(req, ST_INVALID, "invalid_tag_name",
				"标签名称应为1到20个字，不能含有 | : , ; 、等分隔符", "name");
	return ST_OK;
}

static enum status tag_create(struct request *req)
{
	static const char *const keys[] = {"name", "sort", NULL};
	json_t *body, *t;
	const char *name;
	int64_t sort = 100, id;
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) || (st = in_only(req, body, keys)) ||
	    (st = in_str(req, body, "name", "标签名称", IN_REQUIRED | IN_TRIM, 20, &name, NULL)) ||
	    (st = in_int(req, body, "sort", "排序", 0, 0, 100000, &sort, NULL)) ||
	    (st = tag_name_check(req, name)) || (st = req_db(req, &db)) || (st = db_begin(db)))
		return st;
	st = db_int1(db, &SQL_TAG_INSERT, DB_ARGS(db_text(name), db_int(sort), db_int(req->now)),
		     &id);
	if (st == ST_CONFLICT)
		st = req_fail(req, ST_CONFLICT, "duplicate_tag", "已有同名的标签", "name");
	if (!st)
		st = audit_req(req, db, "enterprise_tag", id, "create",
			       json_pack("{s:s, s:I}", "name", name, "sort", (json_int_t)sort));
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)) || (st = tag_load(req, db, id, &t)))
		return st;
	return reply_json(req, 201, t);
}

static enum status tag_update(struct request *req)
{
	static const char *const keys[] = {"name", "sort", "status", NULL};
	static const char *const statuses[] = {"active", "disabled", NULL};
	json_t *body, *t;
	int64_t id, sort;
	const char *name;
	int status = -1;
	bool has_name, has_sort, has_status;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_json(req, &body)) ||
	    (st = in_only(req, body, keys)) ||
	    (st = in_str(req, body, "name", "标签名称", IN_TRIM, 20, &name, &has_name)) ||
	    (st = in_int(req, body, "sort", "排序", 0, 0, 100000, &sort, &has_sort)) ||
	    (st = in_enum(req, body, "status", "状态", 0, statuses, &status, &has_status)) ||
	    (st = req_db(req, &db)) || (st = tag_load(req, db, id, &t)))
		return st;
	req_own_json(req, t);
	if (has_name && (!name || (st = tag_name_check(req, name))))
		return st ? st : req_fail(req, ST_INVALID, "required", "标签名称不能为空", "name");
	if (!has_name)
		name = json_string_value(json_object_get(t, "name"));
	if (!has_sort)
		sort = json_integer_value(json_object_get(t, "sort"));
	const char *stat = has_status && status >= 0 ? statuses[status]
						     : json_string_value(json_object_get(t, "status"));
	if ((st = db_begin(db)))
		return st;
	st = db_exec(db, &SQL_TAG_UPDATE,
		     DB_ARGS(db_int(id), db_text(name), db_int(sort), db_text(stat), db_int(req->now)),
		     NULL);
	if (st == ST_CONFLICT)
		st = req_fail(req, ST_CONFLICT, "duplicate_tag", "已有同名的标签", "name");
	if (!st)
		st = audit_req(req, db, "enterprise_tag", id, "update", json_deep_copy(body));
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)) || (st = tag_load(req, db, id, &t)))
		return st;
	return reply_json(req, 200, t);
}

/* ---- reference data ------------------------------------------------------------------------- */

static json_t *ref_json(struct db_res *r)
{
	return json_pack("{s:s, s:s, s:s, s:s?}", "code", db_col_text(r, 0), "name",
			 db_col_text(r, 1), "level", db_col_text(r, 2), "parent_code",
			 db_col_text(r, 3));
}

static enum status regions_list(struct request *req)
{
	const char *parent, *level;
	struct db *db;
	enum status st;
	if ((st = q_str(req, "parent_code", "上级区划", 6, &parent)) ||
	    (st = q_str(req, "level", "级别", 12, &level)) || (st = req_db(req, &db)))
		return st;
	json_t *items = json_array();
	struct db_res *r =
		db_query(db, &SQL_REGIONS_LIST, DB_ARGS(db_text(parent), db_text(level)));
	while (db_next(r))
		json_array_append_new(items, ref_json(r));
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	return reply_json(req, 200, json_pack("{s:o}", "items", items));
}

static enum status industries_list(struct request *req)
{
	struct db *db;
	enum status st;
	if ((st = req_db(req, &db)))
		return st;
	json_t *items = json_array();
	struct db_res *r = db_query(db, &SQL_INDUSTRIES_LIST, DB_NOARGS);
	while (db_next(r))
		json_array_append_new(items, ref_json(r));
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	return reply_json(req, 200, json_pack("{s:o}", "items", items));
}

/* ---- start-up: reference data and derived columns ---------------------------------------------- */

/* Load a reference CSV (code,name,level,parent_code) with stmt; err names a bad line. */
static enum status load_ref_csv(struct db *db, const struct sql *stmt, const char *text,
				size_t len, bool regions, int *count, char *err, size_t errlen)
{
	static const char *const region_levels[] = {"province", "prefecture", "county", NULL};
	static const char *const industry_levels[] = {"section", "division", NULL};
	const char *const *levels = regions ? region_levels : industry_levels;
	struct csv c;
	csv_init(&c, text, len, 256);
	enum status st;
	int n = 0;
	bool header = true;
	while ((st = csv_next(&c)) == ST_OK) {
		if (header) {
			header = false;
			if (c.nfields == 4 && strcmp(c.field[0], "code") == 0)
				continue;
		}
		bool ok = c.nfields == 4 && c.field[1][0];
		for (int i = 0; ok && levels[i]; i++)
			if (strcmp(c.field[2], levels[i]) == 0)
				break;
			else if (!levels[i + 1])
				ok = false;
		if (ok && regions)
			ok = strlen(c.field[0]) == 6 && strspn(c.field[0], "0123456789") == 6 &&
			     (!c.field[3][0] || (strlen(c.field[3]) == 6 &&
						  strspn(c.field[3], "0123456789") == 6));
		if (!ok) {
			snprintf(err, errlen,
				 "line %ld: want code,name,level,parent_code (level one of %s)",
				 c.row_line, regions ? "province, prefecture, county"
						     : "section, division");
			st = ST_INVALID;
			break;
		}
		if ((st = db_exec(db, stmt,
				  DB_ARGS(db_text(c.field[0]), db_text(c.field[1]),
					  db_text(c.field[2]),
					  db_text(c.field[3][0] ? c.field[3] : NULL)),
				  NULL)))
			break;
		n++;
	}
	if (st == ST_INVALID && !err[0])
		snprintf(err, errlen, "line %ld: %s", c.row_line, c.error ? c.error : "malformed");
	csv_release(&c);
	*count = n;
	return st == ST_NOT_FOUND ? ST_OK : st;
}

enum status enterprises_regions_import(struct db *db, const struct audit_actor *who, int64_t now,
				       const char *text, size_t len, int *count, char *err,
				       size_t errlen)
{
	err[0] = '\0';
	enum status st = load_ref_csv(db, &SQL_REGION_UPSERT, text, len, true, count, err, errlen);
	if (!st && *count == 0) {
		snprintf(err, errlen, "the file has no regions");
		st = ST_INVALID;
	}
	if (!st)
		st = audit_append(db, who, now, "region", 0, "import",
				  json_pack("{s:i}", "count", *count), true);
	return st;
}

/* Fill name_initials and search_text (and city, section) where they are missing: rows from
 * before migration 2. Runs at every start; nothing to do once they are filled. */
static enum status backfill_derived(struct db *db)
{
	struct arena a;
	arena_init(&a, 16384, 64u << 20);
	enum status st = ST_OK;
	for (;;) {
		struct ent_rec recs[64];
		int n = 0;
		struct db_res *r = db_query(db, &SQL_ENT_NEED_DERIVED, DB_NOARGS);
		while (db_next(r) && n < 64) {
			struct ent_rec *e = &recs[n++];
			memset(e, 0, sizeof(*e));
			e->id = db_col_int(r, 0);
			e->name = col_dup(&a, r, 1);
			e->uscc = col_dup(&a, r, 2);
			e->legal_rep = col_dup(&a, r, 3);
			e->address = col_dup(&a, r, 4);
			e->region_code = col_dup(&a, r, 5);
			e->industry_code = col_dup(&a, r, 6);
		}
		if ((st = db_done(r)) || n == 0)
			break;
		for (int i = 0; !st && i < n; i++) {
			struct ent_rec *e = &recs[i];
			struct ent_region rg;
			char section[4] = "", iname[128];
			const char *why;
			if (e->region_code && ent_region_lookup(db, e->region_code, &rg) == ST_OK)
				e->city_code = arena_strdup(&a, rg.parent);
			if (e->industry_code &&
			    ent_industry_lookup(db, e->industry_code, section, iname) == ST_OK)
				e->industry_section = arena_strdup(&a, section);
			if ((st = ent_derive(db, &a, e, NULL, &why)))
				break;
			st = db_exec(db, &SQL_ENT_SET_DERIVED,
				     DB_ARGS(db_int(e->id), db_text(e->name_initials),
					     db_text(e->city_code), db_text(e->industry_section)),
				     NULL);
			if (!st && db_kind(db) == DB_SQLITE)
				st = db_exec(db, &SQL_ENT_FTS_DELETE, DB_ARGS(db_int(e->id)), NULL);
			if (!st)
				st = db_exec(db, &SQL_ENT_SEARCH_PUT,
					     DB_ARGS(db_int(e->id), db_text(e->search_text)), NULL);
			if (!st && db_kind(db) == DB_SQLITE)
				st = db_exec(db, &SQL_ENT_FTS_INSERT, DB_ARGS(db_int(e->id)), NULL);
		}
		arena_reset(&a);
		if (st)
			break;
	}
	arena_release(&a);
	return st;
}

static enum status ent_seed(struct app *app, struct db *db)
{
	(void)app;
	const struct embedded_file *regions = embed_find("data/regions.csv");
	const struct embedded_file *industries = embed_find("data/industries.csv");
	if (!regions || !industries)
		return ST_INTERNAL;
	char err[200] = "";
	int n;
	enum status st = load_ref_csv(db, &SQL_REGION_SEED, regions->data, regions->len, true, &n,
				      err, sizeof(err));
	if (!st)
		st = load_ref_csv(db, &SQL_INDUSTRY_SEED, industries->data, industries->len, false,
				  &n, err, sizeof(err));
	if (st) {
		log_error("enterprises: reference data: %s", err);
		return st;
	}
	return backfill_derived(db);
}

/* ---- the module ------------------------------------------------------------------------------ */


static const struct route enterprises_routes[] = {
	{"GET", "/api/v1/enterprises", ent_list, PERM_ENTERPRISE_READ, 0},
	{"POST", "/api/v1/enterprises", ent_create, PERM_ENTERPRISE_CREATE, 0},
	{"GET", "/api/v1/enterprises/export", ent_export, PERM_ENTERPRISE_EXPORT, ROUTE_LONG},
	{"GET", "/api/v1/enterprises/import/template", ent_import_template, PERM_ENTERPRISE_IMPORT,
	 0},
	{"POST", "/api/v1/enterprises/import", ent_import, PERM_ENTERPRISE_IMPORT, ROUTE_RAW_BODY},
	{"GET", "/api/v1/enterprises/:id", ent_get, PERM_ENTERPRISE_READ, 0},
	{"PATCH", "/api/v1/enterprises/:id", ent_patch, PERM_ENTERPRISE_WRITE, 0},
	{"GET", "/api/v1/enterprises/:id/history", ent_history, PERM_ENTERPRISE_READ, 0},
	{"GET", "/api/v1/enterprise-tags", tags_list, PERM_ENTERPRISE_READ, 0},
	{"POST", "/api/v1/enterprise-tags", tag_create, PERM_ENTERPRISE_ADMIN, 0},
	{"PATCH", "/api/v1/enterprise-tags/:id", tag_update, PERM_ENTERPRISE_ADMIN, 0},
	{"GET", "/api/v1/regions", regions_list, PERM_LOGIN, 0},
	{"GET", "/api/v1/industries", industries_list, PERM_LOGIN, 0},
};

const struct module enterprises_module = {
	.name = "enterprises",
	.routes = enterprises_routes,
	.nroutes = COUNT_OF(enterprises_routes),
	.migrations = enterprises_migrations,
	.seed = ent_seed,
	.demo = enterprises_demo,
	.section = ent_section,
};
