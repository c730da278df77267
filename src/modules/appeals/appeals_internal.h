/* appeals_internal.h: what the module's own files share: one appeal in memory, the context an
 * action runs in, the settings, deadlines and counters; not for other modules. */
#ifndef TIEJIAN_APPEALS_INTERNAL_H
#define TIEJIAN_APPEALS_INTERNAL_H

#include <jansson.h>

#include "lib/arena.h"
#include "lib/date.h"
#include "lib/str.h"
#include "modules/appeals/appeals.h"
#include "modules/notify/notify.h"

struct request;
struct principal;

#define APPEAL_MAX_CO 6

/* Channels (渠道) and urgencies, NULL-terminated. */
extern const char *const appeal_channel_codes[];
extern const char *const appeal_channel_names[];
extern const char *const appeal_urgency_codes[];
extern const char *const appeal_urgency_names[];
extern const char *const appeal_contact_codes[];
extern const char *const appeal_contact_names[];

/* The administrators' settings (appeal_settings), with their defaults. */
struct appeal_settings {
	int yellow_days;          /* 1: yellow when at most this many working days are left */
	int escalate_after_days;  /* 3: late by this many working days → the responsible leader */
	int rate_days;            /* 5: working days the enterprise has to rate */
	int suspend_max_days;     /* 10: the longest suspension, in working days */
	int duplicate_days;       /* 30: the window of the duplicate guard, in days */
	int supervision_days;     /* 2: working days to answer a supervision note */
	int64_t attachment_max_bytes; /* 10 MB */
	int attachment_max_count;     /* 10 per appeal */
};
struct appeal_setting_def {
	const char *key, *label;
	int64_t def, min, max;
	size_t offset;
	bool wide; /* int64_t rather than int */
};
extern const struct appeal_setting_def appeal_setting_defs[];
extern const size_t appeal_nsettings;

/* One appeal in memory; strings live in the context's arena. Dates are "YYYY-MM-DD" or NULL. */
struct appeal {
	int64_t id, enterprise_id, home_org_id, created_by, category_id, category_root;
	int64_t lead_org_id, suggested_org_id, dispatcher_id, escalated_to, duplicate_of;
	const char *home_path, *region_code, *channel, *title, *content, *urgency;
	bool contact_ok;
	const char *contact_via, *contact_name, *contact_phone;
	enum appeal_state state;
	enum appeal_outcome outcome;
	enum appeal_rating rating;
	const char *reply, *plan, *follow_up_on, *rating_comment, *lead_path;
	int64_t created_at, accepted_at, assigned_at, started_at, contacted_at, interim_at,
		first_replied_at, replied_at, closed_at, updated_at, escalated_at;
	int accept_span, contact_span, interim_span, close_span, rate_span;
	const char *base_date;
	int paused_days, paused_total;
	const char *accept_due, *contact_due, *interim_due, *close_due, *rate_due, *due_date;
	const char *suspended_on, *suspend_until, *suspend_reason;
	bool provisional, extended, extension_pending;
	int extension_days;
	const char *extension_reason;
	int reopen_count, return_count, escalated_level, supervision_open, close_workdays;
	bool late, on_time;
	const char *due_soon_notified, *late_notified, *escalated_due, *duplicate_reason;
	int month;
	/* joined, for display */
	const char *enterprise_name, *uscc, *home_name, *lead_name, *suggested_name,
		*category_name, *category_root_name, *creator_name, *escalated_to_name;
	const char *grams;    /* the search tokens, while filing */
	int64_t filed_event; /* the id of its timeline's first row, once filed */
	/* co-units */
	int nco;
	int64_t co_id[APPEAL_MAX_CO];
	const char *co_path[APPEAL_MAX_CO], *co_name[APPEAL_MAX_CO];
};

/* Who acts: a user through the API, the clock job, or the demo. */
struct appeal_actor {
	int64_t user_id; /* 0: the system */
	const char *username, *display_name, *org_name, *org_path;
	const char *ip, *request_id;
};

/*
 * What a batch of filings written in one transaction shares (appeals_http.c): the counters,
 * summed and written once at the end by appeal_batch_flush(), the search terms, written there
 * too in one statement (into the table where they wait for the index: appeals_core.c). The
 * desks told of each filing are one message a filing (notify.h), nothing to share.
 */
struct appeal_batch {
	struct appeal_stat_acc acc;
	struct str terms; /* [[appeal id, "grams"], ...] of the filings so far */
	int nterms;
};

/* The context an action runs in. err_* describe a refusal for the API (Chinese message). */
struct appeal_ctx {
	struct db *db;
	struct arena *arena;
	struct app *app;
	int64_t now;
	char today[DATE_TEXT_SIZE];
	struct appeal_actor actor;
	unsigned caps;
	struct appeal_settings set;
	bool quiet; /* bulk generation: no notifications */
	struct appeal_batch *batch; /* set while a batch of filings is written */
	const char *err_code, *err_message, *err_field;
	uint32_t allowed; /* the allowed actions, when refused with 409 */
};

/* What an action takes from its caller (only the members the action uses are set). */
struct appeal_input {
	const char *message;    /* reply, interim reply, supplement, opinion, note, reason */
	const char *plan;       /* 暂不具备条件: the follow-up plan */
	const char *follow_up_on;
	int outcome;            /* enum appeal_outcome */
	int rating;             /* enum appeal_rating */
	int64_t lead_org_id;
	int nco;
	int64_t co_org_id[APPEAL_MAX_CO];
	int days;               /* extension (15/30), suspension length */
	const char *via;        /* contact channel */
	int64_t supervision_id;
	const char *due_date;   /* a supervision's deadline */
};

/* ---- appeals_core.c --------------------------------------------------------------------- */

/* Start a context: the settings are read, today is computed. */
enum status appeal_ctx_init(struct appeal_ctx *cx, struct app *app, struct db *db,
			    struct arena *arena, int64_t now);
/* Describe a refusal in cx and return st. */
enum status appeal_fail(struct appeal_ctx *cx, enum status st, const char *code,
			const char *message, const char *field);

/* Load appeal id (no scope check: callers check visibility first). ST_NOT_FOUND. */
enum status appeal_load(struct appeal_ctx *cx, int64_t id, struct appeal *out);
/* Read a's co-units. */
enum status appeal_load_co(struct appeal_ctx *cx, struct appeal *a);
/* Fill a from the current row of a result of APPEAL_SELECT columns; false when memory ran out
 * copying its texts (a is then incomplete and must not be saved). */
bool appeal_from_row(struct arena *ar, struct db_res *r, struct appeal *a);
/* A copy of text column i of r in ar (NULL for SQL NULL); *ok turns false when memory runs
 * out (a NULL would read as "empty"). */
const char *appeal_col_dup(struct arena *ar, struct db_res *r, bool *ok, int i);
/* The machine's facts. */
void appeal_facts_of(const struct appeal *a, struct appeal_facts *f);

/* The caller's capacities towards a (from its permissions and scopes). */
unsigned appeal_caps_of(const struct principal *u, const struct appeal *a);

/* Run action act on a (loaded inside the caller's transaction) with cx->caps: the state
 * machine decides; then the fields, deadlines, timeline, counters, audit row and
 * notifications change together. ST_CONFLICT with cx->allowed when the machine refuses. */
enum status appeal_act(struct appeal_ctx *cx, struct appeal *a, enum appeal_action act,
		       const struct appeal_input *in);

/* A new appeal (fields set by the caller: enterprise, home org and path, region, category and
 * its root, channel, title, content, urgency, contact, created_by, duplicate_*): deadlines,
 * the routing suggestion, the first timeline row, search text, counters, audit row and the
 * dispatchers' notifications. a->id receives the id, a->filed_event the timeline row's.
 * Inside the caller's transaction. appeal_file_prepare (the limits, the acceptance deadline,
 * the suggestion, the search tokens: reads only, so outside the transaction) and
 * appeal_file_write are its two halves. */
enum status appeal_file(struct appeal_ctx *cx, struct appeal *a);
enum status appeal_file_prepare(struct appeal_ctx *cx, struct appeal *a);
enum status appeal_file_write(struct appeal_ctx *cx, struct appeal *a);
/* The detail of a filing's timeline row: its channel, urgency and the appeal it may repeat. */
json_t *appeal_file_detail(const struct appeal *a);
/* A batch with nothing in it yet (NULL when out of memory), and its end. */
struct appeal_batch *appeal_batch_new(void);
void appeal_batch_free(struct appeal_batch *b);
/* Write the counters batch b summed and its filings' search terms, on db, and empty it. */
enum status appeal_batch_flush(struct db *db, struct appeal_batch *b);
/* Every waiting search term into the index (SQLite; nothing on PostgreSQL), in the caller's
 * transaction. */
enum status appeals_terms_move(struct db *db);

/* Write a's columns as they are (no state change: the job's markers, recomputed deadlines). */
enum status appeal_save(struct appeal_ctx *cx, const struct appeal *a);
/* An audit row about a, as cx's actor. */
enum status appeal_audit(struct appeal_ctx *cx, const struct appeal *a, const char *action,
			 json_t *summary);
/* Tell whoever holds a now: the lead unit's handlers, else the dispatchers over its home org. */
enum status appeal_tell_holder(struct appeal_ctx *cx, const struct appeal *a, const char *kind,
			       const char *body);
/* due_date from the state: the acceptance deadline, then the close deadline; none once
 * answered or final. */
void appeal_set_due_date(struct appeal *a);

/* Write every scope key of a (its keys must not be there yet: a rebuild). */
enum status appeal_keys_write(struct appeal_ctx *cx, const struct appeal *a);
/* The one counter and list key a caller's data scope names (SK_ALL included); false when the
 * scope is a union no single key covers (then counts come from a recount, lists from the
 * scope predicate alone), or sees nothing (*kind -1). */
struct scope;
bool appeals_scope_key(const struct scope *s, int *kind, int64_t *id);

/* Who a timeline row names as its actor: cx's actor, or 系统. */
const char *appeal_actor_name(const struct appeal_ctx *cx);
/* Add an event to the timeline (the action's own rows are written by appeal_act). */
enum status appeal_event(struct appeal_ctx *cx, const struct appeal *a, const char *action,
			 enum appeal_state from, enum appeal_state to, bool public_row,
			 const char *message, json_t *detail, int64_t *event_id);

/* N working days after from (YYYY-MM-DD); when a year is not loaded yet, its days count Monday
 * to Friday and *provisional is set. Into the arena. */
enum status appeal_deadline(struct appeal_ctx *cx, const char *from, int n, const char **out,
			    bool *provisional);
/* Working days in (a, b], with the same fallback. */
enum status appeal_workdays(struct appeal_ctx *cx, const char *a, const char *b, int *out,
			    bool *provisional);
/* The local date of a timestamp, into the arena. */
const char *appeal_day(struct appeal_ctx *cx, int64_t ts);

/* Recompute every deadline from its base (after a calendar year is loaded, or an extension,
 * a resumption, a reopen). */
enum status appeal_recompute_dues(struct appeal_ctx *cx, struct appeal *a);

/* The stat ties of a, its metrics. */
void appeal_ties_of(const struct appeal *a, struct appeal_ties *t);
void appeal_metrics_of(const struct appeal *a, int64_t v[AM__COUNT]);
/* Apply the change of counters from (old_t, old_v) (NULL: new) to a's current state, and of
 * its scope keys when its ties changed. */
enum status appeal_counters_apply(struct appeal_ctx *cx, const struct appeal_ties *old_t,
				  const int64_t *old_v, const struct appeal *a);

/* ---- appeals_http.c, appeals_admin.c, appeals_files.c, appeals_stats.c -------------------- */

/* The JSON of a (list shape, or the detail with timeline, attachments, supervision). */
json_t *appeal_json(struct request *req, struct appeal_ctx *cx, const struct appeal *a,
		    bool enterprise_view, const char *yellow_until);

enum status appeals_list(struct request *req);
enum status appeals_work(struct request *req);
enum status appeals_get(struct request *req);
enum status appeals_create(struct request *req);
enum status appeals_action(struct request *req);
enum status appeals_units(struct request *req);
/* Visible appeal for the request: loaded in cx with the read scope; 404 otherwise. */
enum status appeals_load_visible(struct request *req, struct appeal_ctx *cx, int64_t id,
				 struct appeal *a);
/* A context for a request (its user as the actor). */
enum status appeals_req_ctx(struct request *req, struct db *db, struct appeal_ctx *cx);
/* Copy a refusal of cx into the request's error slot. */
enum status appeals_req_fail(struct request *req, struct appeal_ctx *cx, enum status st);

enum status appeals_categories_list(struct request *req);
enum status appeals_categories_create(struct request *req);
enum status appeals_categories_update(struct request *req);
enum status appeals_routes_list(struct request *req);
enum status appeals_routes_create(struct request *req);
enum status appeals_routes_update(struct request *req);
enum status appeals_routes_delete(struct request *req);
enum status appeals_deadlines_list(struct request *req);
enum status appeals_deadlines_put(struct request *req);
enum status appeals_settings_get(struct request *req);
enum status appeals_settings_patch(struct request *req);
/* The deadline rule (category, then its parent, then the default) for urgency. */
enum status appeals_deadline_rule(struct db *db, int64_t category, int64_t root,
				  const char *urgency, int spans[5]);
/* Read the settings into out (defaults for the keys not stored); both these read a copy kept in
 * memory outside a write transaction (appeals_admin.c), of the tables appeals_copied names. */
enum status appeals_settings_load(struct db *db, struct appeal_settings *out);
extern const char *const appeals_copied[];
/* Drop that copy (when the app closes). */
void appeals_kept_forget(void);

enum status appeals_files_upload(struct request *req);
enum status appeals_files_get(struct request *req);

enum status appeals_stats(struct request *req);
enum status appeals_stats_rebuild(struct request *req);
/* Recount every counter cell from the appeals, inside the caller's transaction. */
enum status appeals_counters_rebuild(struct appeal_ctx *cx, int64_t *cells);

/* ---- appeals_links.c --------------------------------------------------------------------- */

/* Where another module's filing came from ({"kind","id"}), or JSON null. */
json_t *appeal_source_json(struct db *db, int64_t id);

/* ---- appeals_jobs.c, appeals_demo.c --------------------------------------------------------- */

enum status appeals_clock_job(struct app *app, struct db *db, int64_t now);
enum status appeals_search_terms_job(struct app *app, struct db *db, int64_t now);
enum status appeals_search_upkeep_job(struct app *app, struct db *db, int64_t now);
enum status appeals_demo(struct app *app, struct db *db);
/* At start-up: the scope keys of appeals filed before the keys table existed. */
enum status appeals_seed(struct app *app, struct db *db);

#endif
