/* sm3.c: SM3 through OpenSSL 3's EVP interface, the implementation fetched once per process. */
#include "lib/sm3.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

struct sm3 {
	EVP_MD_CTX *evp;
	enum status st; /* sticky: the first error since the message began */
};

/*
 * Fetching looks the algorithm up in the provider tables under a lock; doing it once keeps that
 * off every audit write. Written once under sm3_once, read-only afterwards; never freed, so it
 * stays valid for the life of the process. NULL if SM3 is unavailable.
 */
static EVP_MD *sm3_md;
static pthread_once_t sm3_once = PTHREAD_ONCE_INIT;

static void sm3_fetch(void)
{
	sm3_md = EVP_MD_fetch(NULL, "SM3", NULL);
}

static const EVP_MD *sm3_algorithm(void)
{
	if (pthread_once(&sm3_once, sm3_fetch) != 0)
		return NULL;
	return sm3_md;
}

enum status sm3_digest(const void *data, size_t len, unsigned char out[SM3_DIGEST_BYTES])
{
	const EVP_MD *md = sm3_algorithm();
	unsigned int n = 0;

	if (md == NULL || EVP_Digest(len ? data : "", len, out, &n, md, NULL) != 1 ||
	    n != SM3_DIGEST_BYTES) {
		memset(out, 0, SM3_DIGEST_BYTES);
		return ST_INTERNAL;
	}
	return ST_OK;
}

/* Start a new, empty message; the sticky status is cleared only if that succeeds. */
static void sm3_restart(struct sm3 *h)
{
	const EVP_MD *md = sm3_algorithm();

	if (md == NULL || EVP_DigestInit_ex2(h->evp, md, NULL) != 1)
		h->st = ST_INTERNAL;
	else
		h->st = ST_OK;
}

enum status sm3_new(struct sm3 **out)
{
	struct sm3 *h;

	*out = NULL;
	if (sm3_algorithm() == NULL)
		return ST_INTERNAL;
	h = malloc(sizeof(*h));
	if (h == NULL)
		return ST_NOMEM;
	h->evp = EVP_MD_CTX_new();
	if (h->evp == NULL) {
		free(h);
		return ST_NOMEM;
	}
	sm3_restart(h);
	if (h->st != ST_OK) {
		sm3_free(h);
		return ST_INTERNAL;
	}
	*out = h;
	return ST_OK;
}

void sm3_free(struct sm3 *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->evp);
	free(h);
}

void sm3_update(struct sm3 *h, const void *data, size_t len)
{
	assert(h != NULL);
	if (h->st != ST_OK || len == 0)
		return;
	if (EVP_DigestUpdate(h->evp, data, len) != 1)
		h->st = ST_INTERNAL;
}

/* Feed a 32-bit length prefix, most significant byte first. */
static void sm3_update_length(struct sm3 *h, uint32_t n)
{
	unsigned char be[4];

	be[0] = (unsigned char)(n >> 24);
	be[1] = (unsigned char)(n >> 16);
	be[2] = (unsigned char)(n >> 8);
	be[3] = (unsigned char)n;
	sm3_update(h, be, sizeof(be));
}

void sm3_update_field(struct sm3 *h, const void *data, size_t len)
{
	assert(h != NULL);
	if (h->st != ST_OK)
		return;
	if (len > SM3_FIELD_MAX_BYTES) {
		h->st = ST_TOO_LARGE;
		return;
	}
	sm3_update_length(h, (uint32_t)len);
	sm3_update(h, data, len);
}

void sm3_update_field_null(struct sm3 *h)
{
	assert(h != NULL);
	sm3_update_length(h, UINT32_C(0xFFFFFFFF));
}

enum status sm3_final(struct sm3 *h, unsigned char out[SM3_DIGEST_BYTES])
{
	enum status st;
	unsigned int n = 0;

	assert(h != NULL);
	st = h->st;
	if (st == ST_OK && (EVP_DigestFinal_ex(h->evp, out, &n) != 1 || n != SM3_DIGEST_BYTES))
		st = ST_INTERNAL;
	if (st != ST_OK)
		memset(out, 0, SM3_DIGEST_BYTES);
	sm3_restart(h);
	return st;
}
