/* fuzz_headers.c: the headers tiejian itself reads before any handler: the session cookie, the
 * Bearer token, X-CSRF-Token, Origin against Host, X-Real-IP. The input is a block of header
 * lines ($SESSION, $CSRF and $TOKEN stand for the leader's real values) sent with one of a few
 * requests chosen by its first byte. Checked beyond fuzz_api's rules: a request only gets past
 * authentication with a real secret in it, and a mutation with a cookie only gets past the CSRF
 * check with the real CSRF token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_app();
	return 0;
}

static const struct {
	const char *method, *target, *body;
	int passed; /* the status that means authentication (and CSRF) let it through */
} requests[] = {
	{ "GET", "/api/v1/me", NULL, 200 },
	{ "POST", "/api/v1/me/tokens", "{}", 422 }, /* no name: refused after the checks */
	{ "PATCH", "/api/v1/appeal-settings", "{\"colour\":1}", 422 }, /* an unknown field */
	{ "DELETE", "/api/v1/me/tokens/999999", NULL, 404 },
	{ "GET", "/api/v1/enterprises?page_size=1", NULL, 200 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 8192)
		return -1;
	size_t k = data[0] % (sizeof(requests) / sizeof(requests[0]));
	char *raw = fuzz_strndup(data + 1, size - 1);
	char *headers = fuzz_expand(raw);
	struct local_request in = { requests[k].method,
				    requests[k].target,
				    headers,
				    requests[k].body,
				    requests[k].body ? strlen(requests[k].body) : 0,
				    NULL };
	struct local_response out;
	fuzz_request(&in, &out);
	if (out.status == requests[k].passed || (out.status >= 200 && out.status < 300)) {
		bool secret = strstr(raw, "$SESSION") || strstr(raw, "$TOKEN");
		FUZZ_CHECK(secret, "got past authentication without a secret: %s", raw);
		bool mutation = strcmp(requests[k].method, "GET") != 0;
		bool bearer = strstr(raw, "$TOKEN") != NULL;
		FUZZ_CHECK(!mutation || bearer || strstr(raw, "$CSRF"),
			   "a cookie mutation got past the CSRF check without the token: %s", raw);
	}
	local_response_release(&out);
	free(headers);
	free(raw);
	return 0;
}
