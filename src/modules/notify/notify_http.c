/* notify_http.c: writing notifications, the inbox API, the webhook's settings and deliveries,
 * and the job that posts the outbox to the webhook with retries. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "app/module.h"
#include "audit/audit.h"
#include "http/input.h"
#include "lib/fault.h"
#include "lib/log.h"
#include "modules/notify/notify.h"
#include "modules/notify/notify_sql.h"
#include "modules/orgs/orgs.h"

/* ---- writing --------------------------------------------------------------------------------- */

static int kind_index(const char *kind)
{
	for (int i = 0; kind && notify_kind_codes[i]; i++)
		if (strcmp(notify_kind_codes[i], kind) == 0)
			return i;
	return -1;
}

/* Whether the webhook wants this kind: on, and the kind in its list (an empty list: all). */
static enum status hook_wants(struct db *db, const char *kind, bool *out)
{
	*out = false;
	struct db_res *r = db_query(db, &SQL_HOOK_GET, DB_NOARGS);
	if (db_next(r) && db_col_int(r, 2)) {
		const char *kinds = db_col_text(r, 3);
		if (!kinds || !*kinds) {
			*out = true;
		} else {
			size_t n = strlen(kind);
			for (const char *p = kinds; *p;) {
				size_t len = strcspn(p, ",");
				if (len == n && strncmp(p, kind, n) == 0)
					*out = true;
				p += len + (p[len] == ',');
			}
		}
	}
	return db_done(r);
}

/* The webhook body of a notification: everything a gateway needs to text the person. */
static enum status outbox_add(struct db *db, int64_t now, int64_t note_id, int64_t user_id,
			      const struct notify_msg *m)
{
	json_t *user = NULL;
	struct db_res *r = db_query(db, &SQL_NOTE_USER, DB_ARGS(db_int(user_id)));
	if (db_next(r))
		user = json_pack("{s:I, s:s?, s:s?, s:s?}", "id", (json_int_t)user_id, "username",
				 db_col_text(r, 0), "display_name", db_col_text(r, 1), "mobile",
				 db_col_text(r, 2));
	enum status st = db_done(r);
	if (st) {
		json_decref(user);
		return st;
	}
	int k = kind_index(m->kind);
	json_t *body =
		json_pack("{s:s, s:{s:I, s:s, s:s, s:s, s:s?, s:s?, s:o, s:I}, s:o}", "event",
			  "notification", "notification", "id", (json_int_t)note_id, "kind",
			  m->kind, "kind_name", k >= 0 ? notify_kind_names[k] : m->kind, "title",
			  m->title, "body", m->body, "entity", m->entity, "entity_id",
			  m->entity_id ? json_integer(m->entity_id) : json_null(), "created_at",
			  (json_int_t)now, "user", user ? user : json_null());
	fault_hold(true); /* jansson's writer and a failed allocation: see fault.h */
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	fault_hold(false);
	json_decref(body);
	if (!text)
		return ST_NOMEM;
	int64_t id;
	st = db_int1(db, &SQL_OUTBOX_INSERT,
		     DB_ARGS(db_id_or_null(note_id), db_text(m->kind), db_text(text), db_int(now),
			     db_int(user_id)),
		     &id);
	free(text);
	return st;
}

/* The message, once however many are told, and whether the webhook wants it. */
static enum status message_write(struct db *db, int64_t now, const struct notify_msg *m,
				 bool *hook, int64_t *id)
{
	enum status st = hook_wants(db, m->kind, hook);
	if (!st)
		st = db_int1(db, &SQL_NOTE_MESSAGE,
			     DB_ARGS(db_text(m->kind), db_text(m->title), db_text(m->body),
				     db_text(m->entity), db_id_or_null(m->entity_id), db_int(now)),
			     id);
	return st;
}

enum status notify_user(struct db *db, int64_t now, int64_t user_id, const struct notify_msg *m)
{
	return notify_users(db, now, &user_id, 1, m);
}

/* The ids a holders' query answers, at most NOTIFY_MAX_HOLDERS (read whole before anyone is
 * told: the inserts run on the same connection). */
static enum status read_ids(struct db_res *r, int64_t *ids, int *n)
{
	*n = 0;
	while (db_next(r) && *n < NOTIFY_MAX_HOLDERS)
		ids[(*n)++] = db_col_int(r, 0);
	return db_done(r);
}

/*
 * The message is written once, each user's copy is its id (notifications) and each user's unread
 * count goes up by one, every user in one statement (a filing tells every desk of its unit: 13
 * in the bench's county). The webhook's wish is asked once for the message; a delivery is
 * queued for each user when it wants this kind.
 */
enum status notify_users(struct db *db, int64_t now, const int64_t *ids, int n,
			 const struct notify_msg *m)
{
	char list[NOTIFY_MAX_HOLDERS * 21 + 2];
	int64_t told[NOTIFY_MAX_HOLDERS];
	int k = 0;
	size_t len = 0;
	list[len++] = '[';
	for (int i = 0; i < n && k < NOTIFY_MAX_HOLDERS; i++) {
		bool seen = ids[i] <= 0; /* nobody, or already in the list */
		for (int j = 0; j < k && !seen; j++)
			seen = told[j] == ids[i];
		if (seen)
			continue;
		told[k++] = ids[i];
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%lld", k > 1 ? "," : "",
					(long long)ids[i]);
	}
	list[len++] = ']';
	list[len] = '\0';
	if (!k)
		return ST_OK;
	bool hook;
	int64_t id;
	enum status st = message_write(db, now, m, &hook, &id);
	if (!st)
		st = db_exec(db, &SQL_NOTE_INSERT_MANY, DB_ARGS(db_text(list), db_int(id)), NULL);
	if (!st)
		st = db_exec(db, &SQL_NOTE_UNREAD_ADD, DB_ARGS(db_text(list)), NULL);
	for (int i = 0; !st && hook && i < k; i++)
		st = outbox_add(db, now, id, told[i], m);
	return st;
}

/* The holders as the database has them now. */
static enum status holders_read(struct db *db, const char *perm, const char *org_path,
				int64_t org_id, int64_t except_user, int64_t *ids, int *n)
{
	/* the ids of the org's path, "/1/2/10/" -> 1, 2, 10; 0 where there are fewer than 8 */
	struct db_val a[12] = { db_text(perm), db_text(org_path), db_int(org_id),
				db_int(except_user) };
	int64_t up[8];
	int k = orgs_path_ids(org_path, up, 8);
	bool deep = k < 0;
	for (int i = 0; i < 8; i++)
		a[4 + i] = db_int(i < k ? up[i] : 0);
	struct db_res *r = deep ? db_query(db, &SQL_NOTE_PERM_HOLDERS, a, 4)
				: db_query(db, &SQL_NOTE_PERM_HOLDERS_UP, a, 12);
	return read_ids(r, ids, n);
}

/*
 * The holders last looked up, per permission, org and user left out, with the people version
 * they were read at (notify_sql.c: bumped by triggers on everything the lookup reads). On
 * SQLite a lookup reads the version, one row, and uses the copy while it has not moved: under a
 * stream of filings the holders' query, reading a unit's users and their roles again into page
 * caches every commit empties, was 12 % of the CPU. PostgreSQL looks them up every time.
 */
#define HOLDERS_SLOTS 64
static struct holders_slot {
	struct db_version at;
	char perm[40];
	int64_t org_id, except_user;
	int n;
	int64_t ids[NOTIFY_MAX_HOLDERS];
} holders[HOLDERS_SLOTS];
static pthread_mutex_t holders_mu = PTHREAD_MUTEX_INITIALIZER;

static struct holders_slot *holders_slot(const char *perm, int64_t org_id, int64_t except_user)
{
	uint64_t h = (uint64_t)org_id * 0x9E3779B97F4A7C15u ^ (uint64_t)except_user;
	for (const char *p = perm; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001B3u;
	return &holders[h % HOLDERS_SLOTS];
}

/* The users notify_perm_over() tells, at most NOTIFY_MAX_HOLDERS, by id. */
static enum status perm_holders(struct db *db, const char *perm, const char *org_path,
				int64_t org_id, int64_t except_user, int64_t *ids, int *n)
{
	struct holders_slot *slot = NULL;
	struct db_version v;
	if (db_kind(db) == DB_SQLITE && strlen(perm) < sizeof(holders[0].perm)) {
		enum status st = db_version_read(db, &SQL_PEOPLE_VERSION, &v);
		if (st)
			return st;
		slot = v.version >= 0 ? holders_slot(perm, org_id, except_user) : NULL;
	}
	if (slot) {
		bool hit = false;
		pthread_mutex_lock(&holders_mu);
		if (db_version_same(&slot->at, &v) && slot->org_id == org_id &&
		    slot->except_user == except_user && strcmp(slot->perm, perm) == 0) {
			*n = slot->n;
			memcpy(ids, slot->ids, (size_t)slot->n * sizeof(*ids));
			hit = true;
		}
		pthread_mutex_unlock(&holders_mu);
		if (hit)
			return ST_OK;
	}
	enum status st = holders_read(db, perm, org_path, org_id, except_user, ids, n);
	if (!st && slot) {
		pthread_mutex_lock(&holders_mu);
		slot->at = v;
		memcpy(slot->perm, perm, strlen(perm) + 1);
		slot->org_id = org_id;
		slot->except_user = except_user;
		slot->n = *n;
		memcpy(slot->ids, ids, (size_t)*n * sizeof(*ids));
		pthread_mutex_unlock(&holders_mu);
	}
	return st;
}

/*
 * A desk's message: written once, with its keys (notify_sql.c, migration 4), for each holder to
 * read by their own org's key or by 0. A filing tells its unit's desk: 4 keys in the bench's
 * county, where 13 copies and 13 unread counts were written before. The holders are looked up
 * only for the webhook, when it wants this kind.
 */
static enum status desk_tell(struct db *db, int64_t now, const char *perm, const char *org_path,
			     int64_t org_id, int64_t except_user, const struct notify_msg *m)
{
	char keys[256];
	if (!notify_desk_keys(org_path, keys, sizeof(keys))) {
		log_error("notify: the org path %s gives no desk keys", org_path);
		return ST_INTERNAL; /* a path the org tree wrote: never the caller's input */
	}
	bool hook;
	int64_t id;
	enum status st = message_write(db, now, m, &hook, &id);
	if (!st)
		st = db_exec(db, &SQL_DESK_KEYS,
			     DB_ARGS(db_text(perm), db_int(id), db_int(org_id), db_int(except_user),
				     db_text(keys)),
			     NULL);
	if (st || !hook)
		return st;
	int64_t ids[NOTIFY_MAX_HOLDERS];
	int n;
	st = perm_holders(db, perm, org_path, org_id, except_user, ids, &n);
	for (int i = 0; !st && i < n; i++)
		st = outbox_add(db, now, id, ids[i], m);
	return st;
}

enum status notify_perm_over(struct db *db, int64_t now, const char *perm, const char *org_path,
			     int64_t org_id, int64_t except_user, const struct notify_msg *m)
{
	if (notify_is_desk(perm))
		return desk_tell(db, now, perm, org_path, org_id, except_user, m);
	int64_t ids[NOTIFY_MAX_HOLDERS];
	int n;
	enum status st = perm_holders(db, perm, org_path, org_id, except_user, ids, &n);
	return st ? st : notify_users(db, now, ids, n, m);
}

enum status notify_enterprise(struct db *db, int64_t now, int64_t enterprise_id,
			      int64_t except_user, const struct notify_msg *m)
{
	int64_t ids[NOTIFY_MAX_HOLDERS];
	int n;
	struct db_res *r = db_query(db, &SQL_NOTE_ENTERPRISE_USERS,
				    DB_ARGS(db_int(enterprise_id), db_int(except_user)));
	enum status st = read_ids(r, ids, &n);
	return st ? st : notify_users(db, now, ids, n, m);
}

/* ---- the inbox --------------------------------------------------------------------------------
 */

/*
 * What the user reads of the desks: the parameters $1-$13 of the desks' statements (notify_sql.c)
 * from the user's scopes and their marks. Each statement names three desks.
 */
_Static_assert(NOTIFY_DESKS == 3, "the desks' statements name three");
#define DESK_NARGS 13
struct desk_view {
	struct db_val a[DESK_NARGS + 3];
	int64_t read_upto;
};

static enum status desk_view(struct db *db, const struct principal *u, struct desk_view *v)
{
	struct notify_desk_arm arms[NOTIFY_DESKS];
	notify_desk_arms(u, arms);
	v->a[0] = db_int(u->user_id);
	for (int i = 0; i < NOTIFY_DESKS; i++) {
		v->a[1 + 3 * i] = db_text(arms[i].perm ? arms[i].perm : "");
		v->a[2 + 3 * i] = db_int(arms[i].key);
		v->a[3 + 3 * i] = db_int(arms[i].target);
	}
	int64_t since = 0;
	struct db_val at = db_null();
	v->read_upto = 0;
	struct db_res *r = db_query(db, &SQL_DESK_USER, DB_ARGS(db_int(u->user_id)));
	if (db_next(r)) {
		since = db_col_int(r, 0);
		v->read_upto = db_col_int(r, 1);
		if (!db_col_null(r, 2))
			at = db_int(db_col_int(r, 2));
	}
	v->a[10] = db_int(since);
	v->a[11] = db_int(v->read_upto);
	v->a[12] = at;
	return db_done(r);
}

/* The unread: the user's own copies (counted as they change) and the desks' (counted here). */
static enum status unread_count(struct db *db, const struct desk_view *v, int64_t *out)
{
	int64_t own, desks;
	enum status st = db_int1(db, &SQL_NOTE_UNREAD, v->a, 1, &own);
	if (!st)
		st = db_int1(db, &SQL_DESK_UNREAD, v->a, 12, &desks);
	*out = st ? 0 : own + desks;
	return st;
}

static enum status inbox_list(struct request *req)
{
	struct paging pg;
	struct desk_view v;
	int64_t unread_only, total, unread;
	struct db *db;
	enum status st;
	if ((st = q_int(req, "unread", "只看未读", 0, 1, 0, &unread_only)) ||
	    (st = q_paging(req, &pg)) || (st = req_db(req, &db)) ||
	    (st = desk_view(db, req->user, &v)) || (st = unread_count(db, &v, &unread)))
		return st;
	if (unread_only)
		total = unread;
	else if ((st = db_int1(db, &SQL_NOTE_COUNT, v.a, 11, &total)))
		return st;
	v.a[13] = db_int(unread_only);
	v.a[14] = db_int(pg.size);
	v.a[15] = db_int(pg.offset);
	json_t *items = json_array();
	struct db_res *r = db_query(db, &SQL_NOTE_LIST, v.a, DESK_NARGS + 3);
	while (db_next(r)) {
		const char *kind = db_col_text(r, 1);
		int k = kind_index(kind);
		json_array_append_new(
			items,
			json_pack(
				"{s:I, s:s, s:s, s:s, s:s?, s:s?, s:o, s:o, s:o, s:b}", "id",
				(json_int_t)db_col_int(r, 0), "kind", kind, "kind_name",
				k >= 0 ? notify_kind_names[k] : kind, "title", db_col_text(r, 2),
				"body", db_col_text(r, 3), "entity", db_col_text(r, 4), "entity_id",
				db_col_null(r, 5) ? json_null() : json_integer(db_col_int(r, 5)),
				"created_at", json_time(req, db_col_int(r, 6)), "read_at",
				db_col_null(r, 7) ? json_null() : json_time(req, db_col_int(r, 7)),
				"read", !db_col_null(r, 7)));
	}
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	json_t *env = list_envelope(items, total, &pg);
	json_object_set_new(env, "unread", json_integer(unread));
	return reply_json(req, 200, env);
}

static enum status inbox_unread(struct request *req)
{
	struct db *db;
	struct desk_view v;
	int64_t n;
	enum status st;
	if ((st = req_db(req, &db)) || (st = desk_view(db, req->user, &v)) ||
	    (st = unread_count(db, &v, &n)))
		return st;
	return reply_json(req, 200, json_pack("{s:I}", "unread", (json_int_t)n));
}

/* One message read: the user's own copy (and its count), or a desk's mark. */
static enum status inbox_read(struct request *req)
{
	int64_t id, mine, marked = 0, uid = req->user->user_id;
	struct db *db;
	struct desk_view v;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)) ||
	    (st = db_begin(db)))
		return st;
	st = desk_view(db, req->user, &v);
	v.a[11] = db_int(id); /* $12 of SQL_NOTE_MINE: the message */
	if (!st)
		st = db_int1(db, &SQL_NOTE_MINE, v.a, 12, &mine);
	if (!st && mine == 2)
		st = db_exec(db, &SQL_NOTE_READ, DB_ARGS(db_int(id), db_int(uid), db_int(req->now)),
			     &marked);
	if (!st && marked > 0)
		st = db_exec(db, &SQL_NOTE_UNREAD_SUB, DB_ARGS(db_int(uid), db_int(marked)), NULL);
	if (!st && mine == 1)
		st = db_exec(db, &SQL_DESK_READ,
			     DB_ARGS(db_int(uid), db_int(id), db_int(req->now),
				     db_int(v.read_upto)),
			     NULL);
	if (st || !mine) {
		db_rollback(db);
		/* someone else's: not found, never forbidden */
		return st ? st : req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
	}
	if ((st = db_commit(db)))
		return st;
	return reply_empty(req, 204);
}

/* Everything read: the user's own copies, and the desks up to the last message there is. */
static enum status inbox_read_all(struct request *req)
{
	struct db *db;
	struct desk_view v;
	int64_t own = 0, desks = 0, upto, uid = req->user->user_id;
	enum status st;
	if ((st = req_db(req, &db)) || (st = db_begin(db)))
		return st;
	st = desk_view(db, req->user, &v);
	if (!st)
		st = db_int1(db, &SQL_DESK_UNREAD, v.a, 12, &desks);
	if (!st)
		st = db_exec(db, &SQL_NOTE_READ_ALL, DB_ARGS(db_int(uid), db_int(req->now)), &own);
	if (!st && own > 0)
		st = db_exec(db, &SQL_NOTE_UNREAD_SUB, DB_ARGS(db_int(uid), db_int(own)), NULL);
	if (!st)
		st = db_int1(db, &SQL_DESK_READ_ALL, DB_ARGS(db_int(uid), db_int(req->now)), &upto);
	if (!st)
		st = db_exec(db, &SQL_DESK_READS_DROP, DB_ARGS(db_int(uid), db_int(upto)), NULL);
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	return reply_json(req, 200, json_pack("{s:I}", "marked", (json_int_t)(own + desks)));
}

/* ---- the webhook's settings and deliveries (notify.admin) ------------------------------------ */

static enum status hook_get(struct request *req)
{
	struct db *db;
	enum status st = req_db(req, &db);
	if (st)
		return st;
	json_t *hook = json_pack("{s:s, s:b, s:b, s:[], s:n, s:n}", "url", "", "enabled", 0,
				 "secret_set", 0, "kinds", "updated_at", "updated_by");
	struct db_res *r = db_query(db, &SQL_HOOK_GET, DB_NOARGS);
	if (db_next(r)) {
		json_object_set_new(hook, "url", json_string(db_col_text(r, 0)));
		json_object_set_new(hook, "secret_set", json_boolean(*db_col_text(r, 1) != '\0'));
		json_object_set_new(hook, "enabled", json_boolean(db_col_int(r, 2)));
		json_t *kinds = json_object_get(hook, "kinds");
		const char *k = db_col_text(r, 3);
		for (const char *p = k ? k : ""; *p;) {
			size_t len = strcspn(p, ",");
			json_array_append_new(kinds, json_stringn(p, len));
			p += len + (p[len] == ',');
		}
		json_object_set_new(hook, "updated_at", json_time(req, db_col_int(r, 4)));
		const char *by = db_col_text(r, 5);
		json_object_set_new(hook, "updated_by", by ? json_string(by) : json_null());
	}
	if ((st = db_done(r))) {
		json_decref(hook);
		return st;
	}
	json_t *counts = json_pack("{s:i, s:i, s:i}", "pending", 0, "delivered", 0, "failed", 0);
	r = db_query(db, &SQL_OUTBOX_STATUS_COUNTS, DB_NOARGS);
	while (db_next(r))
		json_object_set_new(counts, db_col_text(r, 0), json_integer(db_col_int(r, 1)));
	if ((st = db_done(r))) {
		json_decref(hook);
		json_decref(counts);
		return st;
	}
	json_object_set_new(hook, "deliveries", counts);
	json_t *kinds = json_array();
	for (int i = 0; notify_kind_codes[i]; i++)
		json_array_append_new(kinds, json_pack("{s:s, s:s}", "code", notify_kind_codes[i],
						       "name", notify_kind_names[i]));
	json_object_set_new(hook, "available_kinds", kinds);
	return reply_json(req, 200, hook);
}

static enum status hook_put(struct request *req)
{
	static const char *const fields[] = { "url", "secret", "enabled", "kinds", NULL };
	json_t *body, *kinds = NULL;
	const char *url, *secret;
	bool enabled = false, has_secret;
	struct db *db;
	enum status st;
	if ((st = req_json(req, &body)) || (st = in_only(req, body, fields)) ||
	    (st = in_str(req, body, "url", "推送地址", IN_REQUIRED | IN_TRIM, 500, &url, NULL)) ||
	    (st = in_str(req, body, "secret", "签名密钥", 0, 200, &secret, &has_secret)) ||
	    (st = in_bool(req, body, "enabled", "是否启用", IN_REQUIRED, &enabled, NULL)) ||
	    (st = in_str_array(req, body, "kinds", "推送的消息类型", 0, 64, 40, &kinds, NULL)) ||
	    (st = req_db(req, &db)))
		return st;
	struct notify_url u;
	if (!notify_url_parse(url, &u))
		return req_fail(req, ST_INVALID, "invalid_url",
				"推送地址应为 http:// "
				"开头的网关地址（主机名、端口和路径），不含用户名和密码",
				"url");
	struct str list;
	str_init(&list, 4096);
	size_t i;
	json_t *k;
	json_array_foreach(kinds, i, k)
	{
		const char *code = json_string_value(k);
		if (kind_index(code) < 0) {
			str_release(&list);
			return req_failf(req, ST_INVALID, "invalid_choice", "kinds",
					 "没有这种消息类型：%s", code);
		}
		if (list.len)
			str_putc(&list, ',');
		str_puts(&list, code);
	}
	if ((st = db_begin(db))) {
		str_release(&list);
		return st;
	}
	char old_secret[256] = "";
	struct db_res *r = db_query(db, &SQL_HOOK_GET, DB_NOARGS);
	if (db_next(r))
		snprintf(old_secret, sizeof(old_secret), "%s", db_col_text(r, 1));
	st = db_done(r);
	const char *use = has_secret && secret ? secret : old_secret;
	if (!st && strlen(use) < 16)
		st = req_fail(req, ST_INVALID, "weak_secret", "签名密钥至少16个字符", "secret");
	if (!st)
		st = db_exec(db, &SQL_HOOK_PUT,
			     DB_ARGS(db_text(url), db_text(use), db_int(enabled), db_text(list.p),
				     db_int(req->now), db_text(req->user->username)),
			     NULL);
	if (!st)
		st = audit_req(req, db, "notify_webhook", 1, "update",
			       json_pack("{s:s, s:b, s:s, s:b}", "url", url, "enabled", enabled,
					 "kinds", list.p, "secret", has_secret));
	str_release(&list);
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	return hook_get(req);
}

/* A test message through the webhook, queued now. */
static enum status hook_test(struct request *req)
{
	struct db *db;
	enum status st = req_db(req, &db);
	if (st)
		return st;
	if ((st = db_begin(db)))
		return st;
	bool on = false;
	st = hook_wants(db, "test", &on);
	if (!st && !on)
		st = req_fail(req, ST_CONFLICT, "webhook_disabled",
			      "推送未启用，或未选择“测试消息”类型", NULL);
	struct notify_msg m = { "test", "测试消息：推送网关连通性检查", NULL, NULL, 0 };
	if (!st)
		st = outbox_add(db, req->now, 0, req->user->user_id, &m);
	if (!st)
		st = audit_req(req, db, "notify_webhook", 1, "test", NULL);
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	return reply_json(req, 202, json_pack("{s:s}", "status", "queued"));
}

static enum status deliveries_list(struct request *req)
{
	static const char *const statuses[] = { "pending", "delivered", "failed", NULL };
	const char *status;
	struct paging pg;
	struct db *db;
	int64_t total;
	enum status st;
	if ((st = q_str(req, "status", "状态", 16, &status)) || (st = q_paging(req, &pg)) ||
	    (st = req_db(req, &db)))
		return st;
	if (status) {
		bool ok = false;
		for (int i = 0; statuses[i]; i++)
			ok |= strcmp(statuses[i], status) == 0;
		if (!ok)
			return req_fail(req, ST_INVALID, "invalid_choice",
					"状态应为 pending、delivered 或 failed", "status");
	}
	if ((st = db_int1(db, &SQL_OUTBOX_COUNT, DB_ARGS(db_text(status)), &total)))
		return st;
	json_t *items = json_array();
	struct db_res *r = db_query(db, &SQL_OUTBOX_LIST,
				    DB_ARGS(db_text(status), db_int(pg.size), db_int(pg.offset)));
	while (db_next(r)) {
		int k = kind_index(db_col_text(r, 2));
		json_array_append_new(
			items,
			json_pack("{s:I, s:o, s:s, s:s, s:s, s:I, s:o, s:o, s:s?, s:o, s:o, s:s?}",
				  "id", (json_int_t)db_col_int(r, 0), "notification_id",
				  db_col_null(r, 1) ? json_null() : json_integer(db_col_int(r, 1)),
				  "kind", db_col_text(r, 2), "kind_name",
				  k >= 0 ? notify_kind_names[k] : db_col_text(r, 2), "status",
				  db_col_text(r, 3), "attempts", (json_int_t)db_col_int(r, 4),
				  "next_at", json_time(req, db_col_int(r, 5)), "last_status",
				  db_col_null(r, 6) ? json_null() : json_integer(db_col_int(r, 6)),
				  "last_error", db_col_text(r, 7), "created_at",
				  json_time(req, db_col_int(r, 8)), "delivered_at",
				  db_col_null(r, 9) ? json_null()
						    : json_time(req, db_col_int(r, 9)),
				  "recipient", db_col_text(r, 10)));
	}
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	return reply_json(req, 200, list_envelope(items, total, &pg));
}

static enum status deliveries_retry(struct request *req)
{
	int64_t id, n = 0;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)))
		return st;
	if ((st = db_begin(db)))
		return st;
	st = db_exec(db, &SQL_OUTBOX_REQUEUE, DB_ARGS(db_int(id), db_int(req->now)), &n);
	if (!st && !n)
		st = req_fail(req, ST_NOT_FOUND, NULL, "没有这条待重发的推送记录", NULL);
	if (!st)
		st = audit_req(req, db, "notify_delivery", id, "retry", NULL);
	if (st) {
		db_rollback(db);
		return st;
	}
	if ((st = db_commit(db)))
		return st;
	return reply_empty(req, 204);
}

/* ---- the delivery job ---------------------------------------------------------------------- */

#define POST_TIMEOUT_MS 5000

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool wait_fd(int fd, short ev, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return false;
		struct pollfd p = { fd, ev, 0 };
		int n = poll(&p, 1, (int)left);
		if (n > 0)
			return true;
		if (n < 0 && errno != EINTR)
			return false;
	}
}

/* POST body to the URL with the headers; the response's status code, or -1 with err. */
static int http_post(const struct notify_url *u, const char *head, const char *body, size_t len,
		     char *err, size_t errlen)
{
	int64_t deadline = mono_ms() + POST_TIMEOUT_MS;
	struct addrinfo hints = { 0 }, *res = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(u->host, u->port, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "cannot resolve %s: %s", u->host, gai_strerror(rc));
		return -1;
	}
	int fd = -1;
	snprintf(err, errlen, "cannot connect to %s:%s", u->host, u->port);
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
			int soerr = errno;
			socklen_t sl = sizeof(soerr);
			if (errno != EINPROGRESS || !wait_fd(fd, POLLOUT, deadline) ||
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr) {
				snprintf(err, errlen, "cannot connect to %s:%s: %s", u->host,
					 u->port, soerr ? strerror(soerr) : "timed out");
				close(fd);
				fd = -1;
			}
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		return -1;
	const char *parts[2] = { head, body };
	size_t sizes[2] = { strlen(head), len };
	for (int i = 0; i < 2; i++) {
		size_t off = 0;
		while (off < sizes[i]) {
			ssize_t n = send(fd, parts[i] + off, sizes[i] - off, MSG_NOSIGNAL);
			if (n > 0) {
				off += (size_t)n;
				continue;
			}
			if (n < 0 && (errno == EAGAIN || errno == EINTR) &&
			    wait_fd(fd, POLLOUT, deadline))
				continue;
			snprintf(err, errlen, "sending failed: %s",
				 n < 0 ? strerror(errno) : "connection closed");
			close(fd);
			return -1;
		}
	}
	char buf[256];
	size_t got = 0;
	while (got < sizeof(buf) - 1 && !memchr(buf, '\n', got)) {
		ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR) && wait_fd(fd, POLLIN, deadline))
			continue;
		break;
	}
	close(fd);
	int code = notify_http_status(buf, got);
	if (code < 0)
		snprintf(err, errlen, "no HTTP response%s", got ? " (malformed status line)" : "");
	return code;
}

static enum status deliver_due(struct app *app, struct db *db, int64_t now)
{
	(void)app;
	char url[600] = "", secret[256] = "";
	bool enabled = false;
	struct db_res *r = db_query(db, &SQL_HOOK_GET, DB_NOARGS);
	if (db_next(r)) {
		snprintf(url, sizeof(url), "%s", db_col_text(r, 0));
		snprintf(secret, sizeof(secret), "%s", db_col_text(r, 1));
		enabled = db_col_int(r, 2) != 0;
	}
	enum status st = db_done(r);
	struct notify_url u;
	if (st || !enabled || !notify_url_parse(url, &u))
		return st; /* deliveries wait while the webhook is off */
	struct item {
		int64_t id;
		char *body;
		int attempts;
	} items[20];
	int n = 0;
	r = db_query(db, &SQL_OUTBOX_DUE, DB_ARGS(db_int(now), db_int(20)));
	while (db_next(r) && n < 20) {
		items[n].id = db_col_int(r, 0);
		items[n].body = strdup(db_col_text(r, 1));
		items[n].attempts = (int)db_col_int(r, 2);
		if (items[n].body)
			n++;
	}
	st = db_done(r);
	for (int i = 0; i < n; i++) {
		if (!st) {
			char sig[NOTIFY_SIG_SIZE], head[2048], err[700] = "";
			size_t len = strlen(items[i].body);
			notify_sign(secret, now, items[i].body, len, sig);
			snprintf(
				head, sizeof(head),
				"POST %s HTTP/1.1\r\nHost: %s:%s\r\nUser-Agent: tiejian-webhook\r\n"
				"Content-Type: application/json; charset=utf-8\r\n"
				"Content-Length: %zu\r\nX-Tiejian-Delivery: %lld\r\n"
				"X-Tiejian-Timestamp: %lld\r\nX-Tiejian-Signature: %s\r\n"
				"Connection: close\r\n\r\n",
				u.path, u.host, u.port, len, (long long)items[i].id, (long long)now,
				sig);
			int code = http_post(&u, head, items[i].body, len, err, sizeof(err));
			if (code >= 200 && code < 300) {
				st = db_exec(
					db, &SQL_OUTBOX_DONE,
					DB_ARGS(db_int(items[i].id), db_int(code), db_int(now)),
					NULL);
			} else {
				int attempt = items[i].attempts + 1;
				bool give_up = attempt >= NOTIFY_MAX_ATTEMPTS;
				if (code > 0)
					snprintf(err, sizeof(err), "gateway answered HTTP %d",
						 code);
				log_warnx("webhook delivery %lld attempt %d failed: %s",
					  (long long)items[i].id, attempt, err);
				st = db_exec(db, &SQL_OUTBOX_RETRY,
					     DB_ARGS(db_int(items[i].id),
						     db_text(give_up ? "failed" : "pending"),
						     code > 0 ? db_int(code) : db_null(),
						     db_text(err),
						     db_int(now + notify_backoff_s(attempt))),
					     NULL);
			}
		}
		free(items[i].body);
	}
	return st;
}

/* ---- the module ------------------------------------------------------------------------------ */

static const struct route notify_routes[] = {
	{ "GET", "/api/v1/notifications", inbox_list, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/notifications/unread-count", inbox_unread, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/notifications/read-all", inbox_read_all, PERM_LOGIN, 0 },
	{ "POST", "/api/v1/notifications/:id/read", inbox_read, PERM_LOGIN, 0 },
	{ "GET", "/api/v1/notify/webhook", hook_get, PERM_NOTIFY_ADMIN, 0 },
	{ "PUT", "/api/v1/notify/webhook", hook_put, PERM_NOTIFY_ADMIN, 0 },
	{ "POST", "/api/v1/notify/webhook/test", hook_test, PERM_NOTIFY_ADMIN, 0 },
	{ "GET", "/api/v1/notify/deliveries", deliveries_list, PERM_NOTIFY_ADMIN, 0 },
	{ "POST", "/api/v1/notify/deliveries/:id/retry", deliveries_retry, PERM_NOTIFY_ADMIN, 0 },
};

static const struct job notify_jobs[] = {
	{ "notify_webhook", 5, deliver_due },
};

const struct module notify_module = {
	.name = "notify",
	.routes = notify_routes,
	.nroutes = COUNT_OF(notify_routes),
	.migrations = notify_migrations,
	.jobs = notify_jobs,
	.njobs = COUNT_OF(notify_jobs),
};
