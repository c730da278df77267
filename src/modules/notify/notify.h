/* notify.h: notifications: an in-app inbox per user, and an outgoing webhook (for SMS or
 * 政务钉钉 gateways) fed from an outbox that a job delivers with retries. */
#ifndef TIEJIAN_NOTIFY_H
#define TIEJIAN_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/principal.h"
#include "db/db.h"

struct module;

/*
 * Every function that writes runs inside the caller's transaction, so a notification exists
 * exactly when the change it announces committed. Strings are borrowed for the call.
 * A notification has a kind (below), a title and a body for people, and the entity it is
 * about ("appeal", 42) so the console can link to it.
 */

/* The kinds and their Chinese names, NULL-terminated, index-aligned. */
extern const char *const notify_kind_codes[];
extern const char *const notify_kind_names[];

struct notify_msg {
	const char *kind;  /* one of notify_kind_codes */
	const char *title; /* short, for the inbox line */
	const char *body;  /* may be NULL */
	const char *entity;
	int64_t entity_id;
};

/* Into user_id's inbox, and into the webhook outbox when the webhook is on for this kind. */
enum status notify_user(struct db *db, int64_t now, int64_t user_id, const struct notify_msg *m);

/* Into the inbox of every active user who holds permission perm (its code, "appeal.handle")
 * through a role whose data scope covers the org (org_path, org_id): scope all, a subtree
 * containing it, or the org itself. except_user (0: none) is left out: nobody is told of
 * their own action.
 * A desk's permission (notify_desk_perms) is told once, for every holder to read as long as
 * they hold it (the desks, notify_sql.c); any other permission, a copy to each holder. */
enum status notify_perm_over(struct db *db, int64_t now, const char *perm, const char *org_path,
			     int64_t org_id, int64_t except_user, const struct notify_msg *m);

/* Into the inbox of each of users ids (at most NOTIFY_MAX_HOLDERS, each once however often
 * named): one message, a copy of its id to each. */
#define NOTIFY_MAX_HOLDERS 200
enum status notify_users(struct db *db, int64_t now, const int64_t *ids, int n,
			 const struct notify_msg *m);

/* Into the inbox of every active user of an enterprise. */
enum status notify_enterprise(struct db *db, int64_t now, int64_t enterprise_id,
			      int64_t except_user, const struct notify_msg *m);

/* ---- pure rules (notify_rules.c) --------------------------------------------------------- */

/* The desks: the permissions whose holders are told through one copy of a message. A module
 * that tells the holders of a permission of its own adds it here (at most NOTIFY_DESKS). */
#define NOTIFY_DESKS 3
extern const enum perm notify_desk_perms[NOTIFY_DESKS];
bool notify_is_desk(const char *perm);

/* A desk message's keys: 0 and the ids of the org's path ("/1/2/10/" -> [0,1,2,10]), as a JSON
 * array into out; false when it does not fit, the path is not one of ids (orgs_path_ids) or
 * names more than NOTIFY_DESK_DEPTH. */
#define NOTIFY_DESK_DEPTH 16
bool notify_desk_keys(const char *org_path, char *out, size_t size);

/* What user u reads of each desk: the key (their org, or 0 with a scope of every org) and the
 * org told (0: any; their org with a scope of their org alone); perm NULL when u does not
 * hold the desk's permission with any of those scopes. */
struct notify_desk_arm {
	const char *perm;
	int64_t key, target;
};
void notify_desk_arms(const struct principal *u, struct notify_desk_arm arms[NOTIFY_DESKS]);

/* Seconds to wait after the attempt-th failed delivery (1, 2, ...): 60 s doubling, at most an
 * hour. NOTIFY_MAX_ATTEMPTS failures leave a delivery failed for an administrator to see. */
#define NOTIFY_MAX_ATTEMPTS 8
int64_t notify_backoff_s(int attempt);

/* An http:// URL split for the client; false when it is not one we can call. */
struct notify_url {
	char host[256];
	char port[8];
	char path[1024]; /* with the query string; "/" at least */
};
bool notify_url_parse(const char *url, struct notify_url *out);

/* The signature header value: "sha256=" and the hex HMAC-SHA256 of "<timestamp>.<body>" under
 * secret. out must hold NOTIFY_SIG_SIZE bytes. */
#define NOTIFY_SIG_SIZE (7 + 64 + 1)
void notify_sign(const char *secret, int64_t timestamp, const char *body, size_t len,
		 char out[NOTIFY_SIG_SIZE]);

/* The status code of an HTTP/1.x response's first line, or -1. */
int notify_http_status(const char *p, size_t n);

extern const struct module notify_module;

#endif
