/* audit.c: append rows to the hash-chained audit log, and verify the chain. */
#include <inttypes.h>
#include <stdio.h>
#include <strings.h>

#include "audit/audit.h"
#include "audit/audit_sql.h"
#include "http/request.h"
#include "lib/fault.h"
#include "lib/hex.h"
#include "lib/log.h"
#include "lib/sm3.h"

static const char ZERO_HASH[] = "0000000000000000000000000000000000000000000000000000000000000000";

static bool contains_nocase(const char *s, const char *word)
{
	size_t n = strlen(word);
	for (; *s; s++)
		if (strncasecmp(s, word, n) == 0)
			return true;
	return false;
}

/* Keys whose values never reach the log, in any case: "newPassword" and "API_TOKEN" too. */
static bool secret_key(const char *k)
{
	return contains_nocase(k, "password") || contains_nocase(k, "secret") ||
	       contains_nocase(k, "token") || contains_nocase(k, "hash");
}

static void mask(json_t *v, int level)
{
	if (level > 8)
		return;
	if (json_is_object(v)) {
		const char *k;
		json_t *e;
		json_object_foreach(v, k, e)
		{
			/* a flag about a password ("must_change_password": true) is no secret */
			if (secret_key(k) && !json_is_null(e) && !json_is_boolean(e))
				json_object_set_new(v, k, json_string("***"));
			else
				mask(e, level + 1);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) mask(e, level + 1);
	}
}

/* Row fields in hash order; NULL text is an absent value. */
struct row {
	int64_t id, at, user_id, entity_id;
	const char *username, *org_path, *ip, *request_id, *entity, *action, *summary, *result;
};

static void field_int(struct sm3 *h, int64_t v, bool present)
{
	char buf[24];
	if (!present) {
		sm3_update_field_null(h);
		return;
	}
	int n = snprintf(buf, sizeof(buf), "%" PRId64, v);
	sm3_update_field(h, buf, (size_t)n);
}

static void field_text(struct sm3 *h, const char *s)
{
	if (s)
		sm3_update_field(h, s, strlen(s));
	else
		sm3_update_field_null(h);
}

static enum status row_hash(const struct row *r, const char *prev_hex, char out_hex[65])
{
	unsigned char prev[SM3_DIGEST_BYTES], digest[SM3_DIGEST_BYTES];
	size_t n;
	if (hex_decode(prev_hex, strlen(prev_hex), prev, sizeof(prev), &n) || n != sizeof(prev))
		return ST_INVALID;
	struct sm3 *h;
	enum status st = sm3_new(&h);
	if (st)
		return st;
	sm3_update(h, prev, sizeof(prev));
	field_int(h, r->id, true);
	field_int(h, r->at, true);
	field_int(h, r->user_id, r->user_id != 0);
	field_text(h, r->username);
	field_text(h, r->org_path);
	field_text(h, r->ip);
	field_text(h, r->request_id);
	field_text(h, r->entity);
	field_int(h, r->entity_id, r->entity_id != 0);
	field_text(h, r->action);
	field_text(h, r->summary);
	field_text(h, r->result);
	st = sm3_final(h, digest);
	sm3_free(h);
	if (!st)
		st = hex_encode(digest, sizeof(digest), out_hex, 65);
	return st;
}

enum status audit_append(struct db *db, const struct audit_actor *who, int64_t now,
			 const char *entity, int64_t entity_id, const char *action,
			 json_t *summary, bool ok)
{
	enum status st = ST_OK;
	char *text = NULL;
	if (!db_in_tx(db)) {
		log_error("audit_append outside a transaction (%s %s)", entity, action);
		st = ST_INTERNAL;
		goto out;
	}
	if (!summary)
		summary = json_object();
	if (!summary) {
		st = ST_NOMEM;
		goto out;
	}
	mask(summary, 0);
	fault_hold(true); /* jansson's writer and a failed allocation: see fault.h */
	text = json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS);
	fault_hold(false);
	if (!text) {
		st = ST_NOMEM;
		goto out;
	}
	st = db_exec(db, &SQL_AUDIT_LOCK, DB_NOARGS, NULL);
	if (st)
		goto out;
	char prev[65];
	int64_t last_id = 0;
	snprintf(prev, sizeof(prev), "%s", ZERO_HASH);
	struct db_res *r = db_query(db, &SQL_AUDIT_HEAD, DB_NOARGS);
	if (db_next(r)) {
		last_id = db_col_int(r, 0);
		const char *hx = db_col_text(r, 1);
		snprintf(prev, sizeof(prev), "%s", hx ? hx : "");
	}
	st = db_done(r);
	if (st)
		goto out;
	struct row row = {
		.id = last_id + 1,
		.at = now,
		.user_id = who->user_id,
		.entity_id = entity_id,
		.username = who->username,
		.org_path = who->org_path,
		.ip = who->ip,
		.request_id = who->request_id,
		.entity = entity,
		.action = action,
		.summary = text,
		.result = ok ? "success" : "failure",
	};
	char hash[65];
	st = row_hash(&row, prev, hash);
	if (st) {
		log_error("audit: cannot hash row %" PRId64 " (previous hash '%s')", row.id, prev);
		goto out;
	}
	st = db_exec(db, &SQL_AUDIT_INSERT,
		     DB_ARGS(db_int(row.id), db_int(row.at), db_id_or_null(row.user_id),
			     db_text(row.username), db_text(row.org_path), db_text(row.ip),
			     db_text(row.request_id), db_text(row.entity),
			     db_id_or_null(row.entity_id), db_text(row.action), db_text(row.summary),
			     db_text(row.result), db_text(prev), db_text(hash)),
		     NULL);
out:
	free(text);
	json_decref(summary);
	return st;
}

void audit_actor_of(struct request *req, const char *username_if_anonymous,
		    struct audit_actor *out)
{
	out->user_id = req->user ? req->user->user_id : 0;
	out->username = req->user ? req->user->username : username_if_anonymous;
	out->org_path = req->user ? req->user->org_path : NULL;
	out->ip = req->ip;
	out->request_id = req->id;
}

enum status audit_req(struct request *req, struct db *db, const char *entity, int64_t entity_id,
		      const char *action, json_t *summary)
{
	struct audit_actor who;
	audit_actor_of(req, NULL, &who);
	return audit_append(db, &who, req->now, entity, entity_id, action, summary, true);
}

static const char *col(struct db_res *r, int i)
{
	return db_col_text(r, i);
}

enum status audit_verify(struct db *db, struct audit_verify_result *out)
{
	memset(out, 0, sizeof(*out));
	char prev[65];
	snprintf(prev, sizeof(prev), "%s", ZERO_HASH);
	int64_t expect_id = 1;
	struct db_res *r = db_query(db, &SQL_AUDIT_WALK, DB_NOARGS);
	while (db_next(r)) {
		struct row row = {
			.id = db_col_int(r, 0),
			.at = db_col_int(r, 1),
			.user_id = db_col_null(r, 2) ? 0 : db_col_int(r, 2),
			.username = col(r, 3),
			.org_path = col(r, 4),
			.ip = col(r, 5),
			.request_id = col(r, 6),
			.entity = col(r, 7),
			.entity_id = db_col_null(r, 8) ? 0 : db_col_int(r, 8),
			.action = col(r, 9),
			.summary = col(r, 10),
			.result = col(r, 11),
		};
		const char *stored_prev = col(r, 12);
		const char *stored_hash = col(r, 13);
		out->rows++;
		if (!out->broken_id) {
			char hash[65];
			if (row.id != expect_id) {
				out->broken_id = row.id;
				snprintf(out->reason, sizeof(out->reason),
					 "row %" PRId64 " follows row %" PRId64
					 ": rows are missing (deleted)",
					 row.id, expect_id - 1);
			} else if (!stored_prev || strcmp(stored_prev, prev) != 0) {
				out->broken_id = row.id;
				snprintf(out->reason, sizeof(out->reason),
					 "its prev_hash does not match the hash of row %" PRId64,
					 row.id - 1);
			} else if (row_hash(&row, prev, hash) != ST_OK || !stored_hash ||
				   strcmp(hash, stored_hash) != 0) {
				out->broken_id = row.id;
				snprintf(out->reason, sizeof(out->reason),
					 "its content does not match its hash (edited)");
			}
		}
		snprintf(prev, sizeof(prev), "%s", stored_hash ? stored_hash : "");
		expect_id = row.id + 1;
	}
	enum status st = db_done(r);
	if (st)
		return st;
	snprintf(out->last_hash, sizeof(out->last_hash), "%s", prev);
	return out->broken_id ? ST_CONFLICT : ST_OK;
}
