/* fuzz.h: what the libFuzzer targets of fuzz/ share: the entry points, a check that aborts with
 * a message (a finding), and an in-process tiejian (harness.c) for the targets that drive whole
 * requests through the dispatcher against a temporary SQLite database with the demo city. */
#ifndef TIEJIAN_FUZZ_H
#define TIEJIAN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "http/local.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken invariant is a finding: print what and abort, so libFuzzer keeps the input. */
#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz: check failed: %s: ", #cond);                        \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A NUL-terminated malloc'd copy of the input (free() it). */
char *fuzz_strndup(const uint8_t *data, size_t size);

/* ---- the in-process server (harness.c) ---------------------------------------------------- */

/* The demo users the harness logs in once, in this order; "anon" sends no credentials and
 * "bearer" the leader's API token. */
#define FUZZ_NUSERS 11
extern const char *const fuzz_users[FUZZ_NUSERS];

struct fuzz_session {
	char cookie[160]; /* "tj_session=..." */
	char csrf[96];
};

/* The app (started on first use): a temporary folder with the database, uploads and a tiny
 * console; every demo user logged in; password hashing at its cheapest. */
struct app *fuzz_app(void);
/* The session of fuzz_users[i] (empty for anon and bearer), and the leader's API token. */
const struct fuzz_session *fuzz_session(int i);
const char *fuzz_token(void);
/* Replace $SESSION, $CSRF and $TOKEN in text by the leader's real values; malloc'd result. */
char *fuzz_expand(const char *text);
/* Run one request; aborts on a broken invariant of every answer: a 500, or an /api/ error
 * that is not the one JSON error body with a Chinese message. After enough writes or requests
 * the database is put back as it was after the demo. */
void fuzz_request(const struct local_request *in, struct local_response *out);

#endif
