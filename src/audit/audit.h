/* audit.h: the append-only audit log with its SM3 hash chain; every mutation writes one row in
 * its own transaction, and `tiejian audit verify` walks the chain. */
#ifndef TIEJIAN_AUDIT_H
#define TIEJIAN_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct request;
struct module;

/* Who acted. Strings are borrowed for the duration of the call. */
struct audit_actor {
	int64_t user_id;        /* 0 when nobody is logged in (a failed login, the CLI) */
	const char *username;   /* as typed for a failed login; "cli" for the command line */
	const char *org_path;   /* the actor's org, so the audit admin's scope applies */
	const char *ip;
	const char *request_id;
};

/*
 * Append one row inside the caller's transaction (ST_INTERNAL if there is none): the entity,
 * its id (0 if none), the action, a summary of what changed (ownership of summary is taken;
 * keys that name a password, token or secret are masked) and whether it succeeded.
 * Returns ST_OK or a database status; the caller's transaction then rolls back as a whole.
 */
enum status audit_append(struct db *db, const struct audit_actor *who, int64_t now,
			 const char *entity, int64_t entity_id, const char *action,
			 json_t *summary, bool ok);

/* audit_append() with the actor taken from the request (its user, address and id). */
enum status audit_req(struct request *req, struct db *db, const char *entity, int64_t entity_id,
		      const char *action, json_t *summary);

/* The actor of a request; username_if_anonymous is used when nobody is logged in. */
void audit_actor_of(struct request *req, const char *username_if_anonymous,
		    struct audit_actor *out);

struct audit_verify_result {
	int64_t rows;        /* rows checked */
	int64_t broken_id;   /* 0 when the chain is intact, else the first row that fails */
	char reason[160];    /* what is wrong with it, in English for the operator */
	char last_hash[65];  /* the head of the chain, to record outside the database */
};

/* Walk the whole chain in id order. ST_OK with broken_id 0 when intact; ST_CONFLICT with
 * broken_id and reason when not; a database status on failure. */
enum status audit_verify(struct db *db, struct audit_verify_result *out);

extern const struct module audit_module;

#endif
