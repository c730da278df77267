/* fuzz_api.c: the router as a whole against the demo database: any method, path, query, headers
 * and body, as any demo user, through the same dispatcher as the network. Every module's JSON
 * bodies, the query readers and the static files are reached from the seeds in corpus/fuzz_api.
 *
 * Input: a first line "USER METHOD TARGET" (USER one of fuzz_users), then header lines up to an
 * empty line, then the body. The user's cookie and CSRF token (or the Bearer token), Host and a
 * JSON Content-Type are added after the input's own headers, so the input can override them.
 * $SESSION, $CSRF and $TOKEN in the headers become the leader's real values.
 * Checked: no crash, no sanitizer report, no 500, every API error is the JSON error body with a
 * Chinese message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib/str.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_app();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 70000)
		return -1;
	char *text = fuzz_strndup(data, size);
	/* the body is the bytes after the first empty line, NULs and all */
	const uint8_t *body = NULL;
	size_t body_len = 0;
	for (size_t i = 0; i + 1 < size; i++)
		if (data[i] == '\n' &&
		    (data[i + 1] == '\n' ||
		     (data[i + 1] == '\r' && i + 2 < size && data[i + 2] == '\n'))) {
			text[i] = '\0';
			body = data + i + (data[i + 1] == '\n' ? 2 : 3);
			body_len = size - (size_t)(body - data);
			break;
		}
	char *nl = strchr(text, '\n');
	const char *headers = nl ? nl + 1 : "";
	if (nl)
		*nl = '\0';
	char user[32] = "", method[16] = "", target[4096] = "";
	char *sp1 = strchr(text, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || (size_t)(sp1 - text) >= sizeof(user) ||
	    (size_t)(sp2 - sp1 - 1) >= sizeof(method) || strlen(sp2 + 1) >= sizeof(target)) {
		free(text);
		return -1;
	}
	memcpy(user, text, (size_t)(sp1 - text));
	memcpy(method, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	snprintf(target, sizeof(target), "%s", sp2 + 1);
	int who = -1;
	for (int i = 0; i < FUZZ_NUSERS; i++)
		if (strcmp(user, fuzz_users[i]) == 0)
			who = i;
	if (who < 0 || !method[0] || target[0] != '/') {
		free(text);
		return -1;
	}
	char *expanded = fuzz_expand(headers);
	struct str h;
	str_init(&h, 0);
	str_puts(&h, expanded);
	str_puts(&h, "\nHost: tiejian.test\nContent-Type: application/json\n");
	const struct fuzz_session *s = fuzz_session(who);
	if (strcmp(user, "bearer") == 0)
		str_appendf(&h, "Authorization: Bearer %s\n", fuzz_token());
	else if (s->cookie[0])
		str_appendf(&h, "Cookie: %s\nX-CSRF-Token: %s\n", s->cookie, s->csrf);
	FUZZ_CHECK(str_ok(&h), "out of memory");
	struct local_request in = { method, target, h.p, (const char *)body, body_len, NULL };
	struct local_response out;
	fuzz_request(&in, &out);
	local_response_release(&out);
	str_release(&h);
	free(expanded);
	free(text);
	return 0;
}
