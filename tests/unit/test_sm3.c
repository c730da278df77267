/* test_sm3.c: SM3 against the GB/T 32905-2016 vectors, incremental use, field framing, hex. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/hex.h"
#include "lib/sm3.h"

/* SM3("abc"), GB/T 32905-2016 appendix A.1. */
static const char vector_abc[] = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";
/* SM3("abcd" x 16), GB/T 32905-2016 appendix A.2: exactly one 64-byte block before padding. */
static const char vector_abcd16[] =
    "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732";
/* SM3 of the empty message. */
static const char vector_empty[] =
    "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b";
/*
 * The framed sequences ("ab", "c") and ("a", "bc"), i.e. SM3(00000002 61 62 00000001 63) and
 * SM3(00000001 61 00000002 62 63), computed apart from this code. They pin the framing: rows
 * already chained in a database must keep verifying after any change here.
 */
static const char vector_ab_c[] =
    "7ed1a69237f4c8fcbda18465f926a6f4e7eeb9a3e9ecb03823ca89b3c626cb93";
static const char vector_a_bc[] =
    "b3ccda24e86bf7d7709450625cf4b91ae9e4628725767a7f899601fa4346346d";

/* The digest as hex, for comparisons that print something readable when they fail. */
static void digest_hex(const unsigned char d[SM3_DIGEST_BYTES], char out[SM3_HEX_BYTES])
{
	assert_int_equal(hex_encode(d, SM3_DIGEST_BYTES, out, SM3_HEX_BYTES), ST_OK);
}

static void assert_digest(const unsigned char d[SM3_DIGEST_BYTES], const char *want)
{
	char hex[SM3_HEX_BYTES];

	digest_hex(d, hex);
	assert_string_equal(hex, want);
}

/* Deterministic test bytes. */
static void fill_bytes(uint32_t seed, unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

static void test_vector_abc(void **state)
{
	unsigned char d[SM3_DIGEST_BYTES];

	(void)state;
	assert_int_equal(sm3_digest("abc", 3, d), ST_OK);
	assert_digest(d, vector_abc);
}

static void test_vector_abcd16(void **state)
{
	char msg[64];
	unsigned char d[SM3_DIGEST_BYTES];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = "abcd"[i % 4];
	assert_int_equal(sm3_digest(msg, 64, d), ST_OK);
	assert_digest(d, vector_abcd16);
}

static void test_vector_empty(void **state)
{
	unsigned char d[SM3_DIGEST_BYTES];
	struct sm3 *h;

	(void)state;
	assert_int_equal(sm3_digest(NULL, 0, d), ST_OK);
	assert_digest(d, vector_empty);
	assert_int_equal(sm3_new(&h), ST_OK);
	sm3_update(h, NULL, 0);
	assert_int_equal(sm3_final(h, d), ST_OK);
	assert_digest(d, vector_empty);
	sm3_free(h);
}

static void test_incremental_vectors(void **state)
{
	unsigned char d[SM3_DIGEST_BYTES];
	struct sm3 *h;
	int i;

	(void)state;
	assert_int_equal(sm3_new(&h), ST_OK);
	sm3_update(h, "a", 1);
	sm3_update(h, "bc", 2);
	assert_int_equal(sm3_final(h, d), ST_OK);
	assert_digest(d, vector_abc);

	/* The context starts over after final: the same one hashes the next message. */
	for (i = 0; i < 16; i++)
		sm3_update(h, "abcd", 4);
	assert_int_equal(sm3_final(h, d), ST_OK);
	assert_digest(d, vector_abcd16);
	sm3_free(h);
}

/* Every way of cutting a message that spans several blocks gives the one-shot digest. */
static void test_incremental_equals_oneshot(void **state)
{
	static const size_t chunks[] = {1, 3, 31, 63, 64, 65, 127, 128, 1000};
	unsigned char msg[1000];
	unsigned char want[SM3_DIGEST_BYTES], got[SM3_DIGEST_BYTES];
	struct sm3 *h;
	size_t c, cut, off;

	(void)state;
	fill_bytes(7, msg, sizeof(msg));
	assert_int_equal(sm3_digest(msg, sizeof(msg), want), ST_OK);
	assert_int_equal(sm3_new(&h), ST_OK);

	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		for (off = 0; off < sizeof(msg); off += chunks[c]) {
			size_t n = sizeof(msg) - off < chunks[c] ? sizeof(msg) - off : chunks[c];

			sm3_update(h, msg + off, n);
		}
		assert_int_equal(sm3_final(h, got), ST_OK);
		assert_memory_equal(got, want, SM3_DIGEST_BYTES);
	}
	for (cut = 0; cut <= 200; cut++) {
		sm3_update(h, msg, cut);
		sm3_update(h, msg + cut, sizeof(msg) - cut);
		assert_int_equal(sm3_final(h, got), ST_OK);
		assert_memory_equal(got, want, SM3_DIGEST_BYTES);
	}
	sm3_free(h);
}

/* Hash a sequence of fields given as NUL-terminated strings; NULL stands for an absent field. */
static void hash_fields(unsigned char out[SM3_DIGEST_BYTES], size_t n, const char *const *fields)
{
	struct sm3 *h;
	size_t i;

	assert_int_equal(sm3_new(&h), ST_OK);
	for (i = 0; i < n; i++) {
		if (fields[i] == NULL)
			sm3_update_field_null(h);
		else
			sm3_update_field(h, fields[i], strlen(fields[i]));
	}
	assert_int_equal(sm3_final(h, out), ST_OK);
	sm3_free(h);
}

static void test_field_framing_distinguishes(void **state)
{
	static const char *const ab_c[] = {"ab", "c"};
	static const char *const a_bc[] = {"a", "bc"};
	static const char *const abc_empty[] = {"abc", ""};
	static const char *const empty_abc[] = {"", "abc"};
	static const char *const abc[] = {"abc"};
	unsigned char d1[SM3_DIGEST_BYTES], d2[SM3_DIGEST_BYTES], d3[SM3_DIGEST_BYTES];
	unsigned char joined[SM3_DIGEST_BYTES];

	(void)state;
	hash_fields(d1, 2, ab_c);
	hash_fields(d2, 2, a_bc);
	assert_digest(d1, vector_ab_c);
	assert_digest(d2, vector_a_bc);
	assert_memory_not_equal(d1, d2, SM3_DIGEST_BYTES);

	/* Plain concatenation is exactly what framing prevents: both would be SM3("abc"). */
	assert_int_equal(sm3_digest("abc", 3, joined), ST_OK);
	assert_memory_not_equal(d1, joined, SM3_DIGEST_BYTES);

	/* Empty fields count too: moving one changes the hash. */
	hash_fields(d1, 2, abc_empty);
	hash_fields(d2, 2, empty_abc);
	hash_fields(d3, 1, abc);
	assert_memory_not_equal(d1, d2, SM3_DIGEST_BYTES);
	assert_memory_not_equal(d1, d3, SM3_DIGEST_BYTES);
	assert_memory_not_equal(d2, d3, SM3_DIGEST_BYTES);
}

/* The prefix is 4 bytes, most significant first; a 257-byte field shows the byte order. */
static void test_field_framing_bytes(void **state)
{
	unsigned char field[257], framed[4 + 257];
	unsigned char want[SM3_DIGEST_BYTES], got[SM3_DIGEST_BYTES];
	struct sm3 *h;

	(void)state;
	fill_bytes(11, field, sizeof(field));
	framed[0] = 0x00;
	framed[1] = 0x00;
	framed[2] = 0x01;
	framed[3] = 0x01;
	memcpy(framed + 4, field, sizeof(field));
	assert_int_equal(sm3_digest(framed, sizeof(framed), want), ST_OK);

	assert_int_equal(sm3_new(&h), ST_OK);
	sm3_update_field(h, field, sizeof(field));
	assert_int_equal(sm3_final(h, got), ST_OK);
	assert_memory_equal(got, want, SM3_DIGEST_BYTES);

	/* A chain step: previous digest raw, then framed fields. */
	sm3_update(h, want, SM3_DIGEST_BYTES);
	sm3_update_field(h, "ab", 2);
	assert_int_equal(sm3_final(h, got), ST_OK);
	{
		static const unsigned char framed_ab[] = {0, 0, 0, 2, 'a', 'b'};
		unsigned char manual[SM3_DIGEST_BYTES + sizeof(framed_ab)];
		unsigned char d[SM3_DIGEST_BYTES];

		memcpy(manual, want, SM3_DIGEST_BYTES);
		memcpy(manual + SM3_DIGEST_BYTES, framed_ab, sizeof(framed_ab));
		assert_int_equal(sm3_digest(manual, sizeof(manual), d), ST_OK);
		assert_memory_equal(got, d, SM3_DIGEST_BYTES);
	}
	sm3_free(h);
}

static void test_field_null(void **state)
{
	static const char *const null_field[] = {NULL};
	static const char *const empty_field[] = {""};
	static const char *const null_a[] = {NULL, "a"};
	static const char *const a_null[] = {"a", NULL};
	unsigned char d1[SM3_DIGEST_BYTES], d2[SM3_DIGEST_BYTES], want[SM3_DIGEST_BYTES];

	(void)state;
	hash_fields(d1, 1, null_field);
	hash_fields(d2, 1, empty_field);
	assert_memory_not_equal(d1, d2, SM3_DIGEST_BYTES);
	assert_int_equal(sm3_digest("\xff\xff\xff\xff", 4, want), ST_OK);
	assert_memory_equal(d1, want, SM3_DIGEST_BYTES);
	assert_int_equal(sm3_digest("\0\0\0\0", 4, want), ST_OK);
	assert_memory_equal(d2, want, SM3_DIGEST_BYTES);

	hash_fields(d1, 2, null_a);
	hash_fields(d2, 2, a_null);
	assert_memory_not_equal(d1, d2, SM3_DIGEST_BYTES);
}

/* A field too long to frame fails the message, and only that message. */
static void test_field_too_large(void **state)
{
	unsigned char d[SM3_DIGEST_BYTES];
	unsigned char zero[SM3_DIGEST_BYTES] = {0};
	struct sm3 *h;

	(void)state;
#if SIZE_MAX > 0xFFFFFFFFu
	assert_int_equal(sm3_new(&h), ST_OK);
	sm3_update(h, "a", 1);
	/* Refused on the length alone: the bytes are never read. */
	sm3_update_field(h, "x", (size_t)SM3_FIELD_MAX_BYTES + 1);
	sm3_update(h, "bc", 2);
	memset(d, 0xAA, sizeof(d));
	assert_int_equal(sm3_final(h, d), ST_TOO_LARGE);
	assert_memory_equal(d, zero, SM3_DIGEST_BYTES);

	sm3_update(h, "abc", 3);
	assert_int_equal(sm3_final(h, d), ST_OK);
	assert_digest(d, vector_abc);
	sm3_free(h);
#else
	(void)d;
	(void)zero;
	(void)h;
	skip();
#endif
}

static void test_free_null(void **state)
{
	(void)state;
	sm3_free(NULL);
}

/* Threads racing on the first use all get the right digest (run it under TSan too). */
struct worker {
	pthread_t thread;
	int ok;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	unsigned char d[SM3_DIGEST_BYTES];
	char hex[SM3_HEX_BYTES];
	struct sm3 *h;
	int i;

	w->ok = 1;
	for (i = 0; i < 200; i++) {
		if (sm3_digest("abc", 3, d) != ST_OK ||
		    hex_encode(d, sizeof(d), hex, sizeof(hex)) != ST_OK ||
		    strcmp(hex, vector_abc) != 0)
			w->ok = 0;
		if (sm3_new(&h) != ST_OK) {
			w->ok = 0;
			continue;
		}
		sm3_update(h, "ab", 2);
		sm3_update(h, "c", 1);
		if (sm3_final(h, d) != ST_OK ||
		    hex_encode(d, sizeof(d), hex, sizeof(hex)) != ST_OK ||
		    strcmp(hex, vector_abc) != 0)
			w->ok = 0;
		sm3_free(h);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct worker w[8];
	size_t i;

	(void)state;
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&w[i].thread, NULL, worker_run, &w[i]), 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
		assert_true(w[i].ok);
	}
}

/* ------------------------------------------------------------------ hex */

static void test_hex_encode(void **state)
{
	static const unsigned char bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
	char out[13];
	char small[12];

	(void)state;
	assert_int_equal(hex_encode(bytes, sizeof(bytes), out, sizeof(out)), ST_OK);
	assert_string_equal(out, "00017f80abff");

	/* One byte short of the NUL: refused, and nothing half-written is left. */
	memset(small, 'z', sizeof(small));
	assert_int_equal(hex_encode(bytes, sizeof(bytes), small, sizeof(small)), ST_TOO_LARGE);
	assert_string_equal(small, "");
	assert_int_equal(hex_encode(bytes, 1, out, 0), ST_TOO_LARGE);

	assert_int_equal(hex_encode(NULL, 0, out, 1), ST_OK);
	assert_string_equal(out, "");
	/* A size whose doubling would overflow is refused, not wrapped. */
	assert_int_equal(hex_encode(bytes, SIZE_MAX / 2 + 1, out, sizeof(out)), ST_TOO_LARGE);
}

static void test_hex_decode(void **state)
{
	unsigned char out[8];
	size_t n = 99;

	(void)state;
	assert_int_equal(hex_decode("00017F80abFF", 12, out, sizeof(out), &n), ST_OK);
	assert_int_equal(n, 6);
	assert_memory_equal(out, "\x00\x01\x7f\x80\xab\xff", 6);

	assert_int_equal(hex_decode("", 0, out, 0, &n), ST_OK);
	assert_int_equal(n, 0);

	assert_int_equal(hex_decode("abc", 3, out, sizeof(out), &n), ST_INVALID);
	assert_int_equal(n, 0);
	assert_int_equal(hex_decode("0g", 2, out, sizeof(out), &n), ST_INVALID);
	assert_int_equal(hex_decode("g0", 2, out, sizeof(out), &n), ST_INVALID);
	assert_int_equal(hex_decode("0 ", 2, out, sizeof(out), &n), ST_INVALID);
	assert_int_equal(hex_decode("0011", 4, out, 1, &n), ST_TOO_LARGE);
	assert_int_equal(n, 0);
}

static void test_hex_round_trip(void **state)
{
	unsigned char bytes[SM3_DIGEST_BYTES], back[SM3_DIGEST_BYTES];
	char hex[SM3_HEX_BYTES];
	size_t n;

	(void)state;
	assert_int_equal(sm3_digest("abc", 3, bytes), ST_OK);
	assert_int_equal(hex_encode(bytes, sizeof(bytes), hex, sizeof(hex)), ST_OK);
	assert_int_equal(strlen(hex), 64);
	assert_int_equal(hex_decode(hex, 64, back, sizeof(back), &n), ST_OK);
	assert_int_equal(n, SM3_DIGEST_BYTES);
	assert_memory_equal(back, bytes, SM3_DIGEST_BYTES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vector_abc),
	    cmocka_unit_test(test_vector_abcd16),
	    cmocka_unit_test(test_vector_empty),
	    cmocka_unit_test(test_incremental_vectors),
	    cmocka_unit_test(test_incremental_equals_oneshot),
	    cmocka_unit_test(test_field_framing_distinguishes),
	    cmocka_unit_test(test_field_framing_bytes),
	    cmocka_unit_test(test_field_null),
	    cmocka_unit_test(test_field_too_large),
	    cmocka_unit_test(test_free_null),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_hex_encode),
	    cmocka_unit_test(test_hex_decode),
	    cmocka_unit_test(test_hex_round_trip),
	};

	return cmocka_run_group_tests_name("sm3", tests, NULL, NULL);
}
