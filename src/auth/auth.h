/* auth.h: logins, sessions, API tokens, passwords, lockout and login rate limits. */
#ifndef TIEJIAN_AUTH_H
#define TIEJIAN_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "db/db.h"

struct request;
struct module;

/* ---- called by the dispatcher ---- */

/* Identify the caller from the session cookie or a Bearer token and load the principal into
 * req->user. ST_UNAUTHORIZED (code unauthorized or session_expired) when there is none.
 * *via_cookie says whether a cookie was used, so the CSRF header is required. */
enum status auth_authenticate(struct request *req, bool *via_cookie);
/* Load the session with this cookie value into req->user (expiry checked, idle clock moved). */
enum status auth_load_session(struct request *req, struct db *db, const char *token);
/* The X-CSRF-Token header must equal the session's token: ST_FORBIDDEN otherwise. */
enum status auth_check_csrf(struct request *req);

/* ---- passwords ---- */

/* Argon2id hash of password into out (crypto_pwhash_STRBYTES). Waits for a slot of the app's
 * hashing gate: ST_RATE_LIMITED when none frees up in time, ST_NOMEM if hashing fails. */
enum status auth_password_hash(struct app *app, const char *password, char *out, size_t outlen);
/* ST_OK when password matches hash; ST_UNAUTHORIZED when not; ST_RATE_LIMITED when busy. */
enum status auth_password_verify(struct app *app, const char *hash, const char *password);
/* A random password that satisfies the policy (for accounts an admin creates). out >= 17. */
void auth_password_generate(char *out, size_t outlen);

/* ---- pure rules (auth_rules.c) ---- */

/* The password policy: at least min_len characters and min_classes of the four classes
 * (upper, lower, digit, symbol), not containing the username in any case. ST_OK or ST_INVALID
 * with a Chinese reason in *why (static text). */
enum status auth_password_policy(const char *password, const char *username, int min_len,
				 int min_classes, const char **why);

enum session_state { SESSION_LIVE, SESSION_IDLE_EXPIRED, SESSION_ABSOLUTE_EXPIRED };
/* Whether a session created at created, last seen at last_seen, is still live at now. */
enum session_state auth_session_state(int64_t created, int64_t last_seen, int64_t now,
				      int idle_s, int absolute_s);

/* ---- tokens ---- */

/* A new random secret (256 bits, base64url, with an optional prefix such as "tj_") and the
 * hex hash stored for it. secret >= 64 bytes, hash >= 65. */
void auth_token_new(const char *prefix, char *secret, size_t secretlen, char *hash,
		    size_t hashlen);
/* The stored hash of a secret presented by a client. */
void auth_token_hash(const char *secret, char *hash, size_t hashlen);

/* ---- for the CLI and the demo ---- */

/* Create a user with the given role codes (NULL-terminated) in its own transaction, audited
 * as the CLI. must_change: the user changes the password at first login. */
enum status auth_user_create(struct app *app, struct db *db, const char *username,
			     const char *display_name, const char *org_code, const char *uscc,
			     const char *const *roles, const char *password, bool must_change,
			     int64_t *id_out, char *err, size_t errlen);

/* Set a user's password from the command line (the only way for the three administrators'
 * accounts): unlocks the account, ends its sessions, audited as the CLI. */
enum status auth_user_set_password(struct app *app, struct db *db, const char *username,
				   const char *password, bool must_change, char *err,
				   size_t errlen);

/* Hash a dummy password once, so a login for an unknown user costs the same time. */
enum status auth_init(struct app *app);
void auth_release(void);

extern const struct module auth_module;

#endif
