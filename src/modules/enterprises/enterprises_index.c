/* enterprises_index.c: an in-process copy of what the enterprise list filters, sorts and
 * searches on (SQLite), so a page and its exact count take one pass over memory. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "lib/log.h"
#include "modules/enterprises/enterprises_grams.h"
#include "modules/enterprises/enterprises_index.h"
#include "modules/enterprises/enterprises_sql.h"

/*
 * The copy is derived data. It is tagged with the database's registry version (migration 6:
 * every write to enterprises, their tags or their search rows bumps it, whichever server or
 * tool wrote), read again on every request; a request that finds another version rebuilds the
 * copy from the database before it answers, so it never shows less than a plain query would.
 *
 * Rows are kept in name order (the default sort), so their position is their rank by name.
 * Text columns that a filter compares are held as small numbers from one dictionary (0 is
 * NULL); the sort keys other than the name as ranks worked out at build time with SQLite's own
 * ordering (NULL, then numbers, then text, then blobs; text by bytes).
 */

/* ---- the copy -------------------------------------------------------------------------------- */

enum { KEY_FOUNDED, KEY_CAPITAL, KEY_EMPLOYEES, KEY_UPDATED, KEYS };
#define NO_VALUE 0xffffu /* a value no row holds */
#define DICT_MAX 60000u

struct irow {
	int64_t id;
	uint16_t org, region, city, industry, section, scale, ownership, status;
	uint8_t above; /* 0, 1; 2 for anything else */
	uint8_t has_text;
};

struct idrow {
	int64_t id;
	uint32_t row;
};

struct ent_index {
	char token[40];
	int64_t version;
	int refs; /* guarded by cache.mu */
	uint32_t n;
	struct irow *rows;
	char *text;          /* the rows' search texts in the order read, each followed by a NUL */
	uint32_t *text_off;  /* n + 1 */
	uint32_t *text_place; /* the row of each text */
	struct grams *grams; /* which rows hold each pair of characters; NULL: read every text */
	uint32_t *tag_off;  /* n + 1 */
	int64_t *tag_ids;
	struct idrow *byid; /* (id, row) by id */
	int64_t *orgs; /* the org ids, ascending; a row holds its index */
	uint32_t norgs;
	uint32_t *org_rows; /* how many rows each org holds */
	char **dict; /* [0] unused (NULL) */
	uint32_t ndict, dict_cap;
	uint32_t *slots; /* open addressing over dict; 0 = empty */
	uint32_t nslots;
	uint32_t *rank[KEYS]; /* row -> position */
	uint32_t *perm[KEYS]; /* position -> row */
	uint32_t nonnull[KEYS]; /* positions [nonnull, n) hold the NULLs, which sort last */
	uint32_t freq[256];     /* how often each byte occurs in text */
};

static void index_free(struct ent_index *ix)
{
	if (!ix)
		return;
	for (uint32_t i = 1; i < ix->ndict; i++)
		free(ix->dict[i]);
	for (int k = 0; k < KEYS; k++) {
		free(ix->rank[k]);
		free(ix->perm[k]);
	}
	free(ix->dict);
	free(ix->slots);
	free(ix->rows);
	free(ix->text);
	free(ix->text_off);
	free(ix->text_place);
	grams_free(ix->grams);
	free(ix->tag_off);
	free(ix->tag_ids);
	free(ix->orgs);
	free(ix->org_rows);
	free(ix->byid);
	free(ix);
}

static uint32_t hash_bytes(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

/* The dictionary number of p[0..n), or NO_VALUE. */
static uint32_t dict_find(const struct ent_index *ix, const char *p, size_t n)
{
	if (!ix->nslots)
		return NO_VALUE;
	for (uint32_t i = hash_bytes(p, n) & (ix->nslots - 1);; i = (i + 1) & (ix->nslots - 1)) {
		uint32_t d = ix->slots[i];
		if (!d)
			return NO_VALUE;
		if (strlen(ix->dict[d]) == n && memcmp(ix->dict[d], p, n) == 0)
			return d;
	}
}

/* The number of a column's text (0 for NULL), added when new; NO_VALUE when out of memory or
 * past DICT_MAX. */
static uint32_t dict_put(struct ent_index *ix, const char *p, size_t n)
{
	if (!p)
		return 0;
	uint32_t d = dict_find(ix, p, n);
	if (d != NO_VALUE)
		return d;
	if (ix->ndict >= DICT_MAX)
		return NO_VALUE;
	if (ix->ndict + 1 > ix->dict_cap) {
		uint32_t cap = ix->dict_cap ? ix->dict_cap * 2 : 256;
		char **nd = realloc(ix->dict, cap * sizeof(*nd));
		if (!nd)
			return NO_VALUE;
		ix->dict = nd;
		ix->dict_cap = cap;
	}
	if (!ix->ndict)
		ix->dict[ix->ndict++] = NULL;
	if (2 * (ix->ndict + 1) > ix->nslots) { /* grow and rehash */
		uint32_t ns = ix->nslots ? ix->nslots * 2 : 512;
		uint32_t *s = calloc(ns, sizeof(*s));
		if (!s)
			return NO_VALUE;
		for (uint32_t k = 1; k < ix->ndict; k++) {
			uint32_t i = hash_bytes(ix->dict[k], strlen(ix->dict[k])) & (ns - 1);
			while (s[i])
				i = (i + 1) & (ns - 1);
			s[i] = k;
		}
		free(ix->slots);
		ix->slots = s;
		ix->nslots = ns;
	}
	char *copy = malloc(n + 1);
	if (!copy)
		return NO_VALUE;
	memcpy(copy, p, n);
	copy[n] = '\0';
	d = ix->ndict++;
	ix->dict[d] = copy;
	uint32_t i = hash_bytes(p, n) & (ix->nslots - 1);
	while (ix->slots[i])
		i = (i + 1) & (ix->nslots - 1);
	ix->slots[i] = d;
	return d;
}

/* ---- building -------------------------------------------------------------------------------- */

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (long)((b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000);
}

/* A sort key's value as SQLite compares it (40 bytes: the build holds six for each row). */
struct skey {
	uint64_t pre; /* integers: the value, ordered as unsigned; text: its first 8 bytes */
	union {
		int64_t i; /* integers; text and blobs while the key text grows: their offset */
		double d;  /* reals */
		const char *p; /* text and blobs: into the build's key text */
	};
	int64_t id;
	uint32_t len;
	uint32_t row;
	uint8_t cls; /* 0 NULL first, 1 number, 2 text, 3 blob, 4 NULL last */
	bool real;
};

/* The values alone, as ORDER BY compares them. */
static int skey_val_cmp(const struct skey *a, const struct skey *b)
{
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->pre != b->pre && !a->real && !b->real) /* most comparisons end here */
		return a->pre < b->pre ? -1 : 1;
	if (a->cls == 1) {
		if (a->real || b->real) {
			double x = a->real ? a->d : (double)a->i, y = b->real ? b->d : (double)b->i;
			if (x != y)
				return x < y ? -1 : 1;
		}
	} else if (a->cls == 2 || a->cls == 3) {
		int c = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);
		if (c)
			return c < 0 ? -1 : 1;
		if (a->len != b->len)
			return a->len < b->len ? -1 : 1;
	}
	return 0;
}

/* The value, then the id. */
static int skey_cmp(const void *pa, const void *pb)
{
	const struct skey *a = pa, *b = pb;
	int c = skey_val_cmp(a, b);
	return c ? c : a->id < b->id ? -1 : a->id > b->id;
}

/* The list's default order: initials, name, id. */
struct nkey {
	struct skey ini, name;
};

static int nkey_cmp(const void *pa, const void *pb)
{
	const struct nkey *a = pa, *b = pb;
	int c = skey_val_cmp(&a->ini, &b->ini);
	if (!c)
		c = skey_val_cmp(&a->name, &b->name);
	return c ? c : a->name.id < b->name.id ? -1 : a->name.id > b->name.id;
}

/* Growing buffers of the build. */
struct grow {
	void *p;
	size_t len, cap; /* in elements */
};

static bool grow_to(struct grow *g, size_t need, size_t elem)
{
	if (need <= g->cap)
		return true;
	size_t cap = g->cap ? g->cap : 1024;
	while (cap < need)
		cap *= 2;
	void *p = realloc(g->p, cap * elem);
	if (!p)
		return false;
	g->p = p;
	g->cap = cap;
	return true;
}

/* A key column of the current row into k (its text copied into keytext). */
static bool key_read(struct db_res *r, int col, bool nulls_last, struct grow *keytext,
		     struct skey *k)
{
	memset(k, 0, sizeof(*k));
	switch (db_col_type(r, col)) {
	case DB_T_NULL:
		k->cls = nulls_last ? 4 : 0;
		return true;
	case DB_T_INT:
		k->cls = 1;
		k->i = db_col_int(r, col);
		k->pre = (uint64_t)k->i ^ (1ull << 63);
		return true;
	case DB_T_REAL:
		k->cls = 1;
		k->real = true;
		k->d = db_col_real(r, col);
		return true;
	case DB_T_TEXT:
	case DB_T_BLOB:
		break;
	}
	k->cls = db_col_type(r, col) == DB_T_TEXT ? 2 : 3;
	const char *t = db_col_text(r, col);
	size_t n = db_col_len(r, col);
	if (!grow_to(keytext, keytext->len + n + 1, 1))
		return false;
	memcpy((char *)keytext->p + keytext->len, t ? t : "", n);
	k->i = (int64_t)keytext->len; /* an offset until the text stops moving */
	k->len = (uint32_t)n;
	for (size_t b = 0; b < 8; b++) /* big-endian, so it orders as memcmp() does */
		k->pre = k->pre << 8 | (b < n ? (unsigned char)t[b] : 0u);
	keytext->len += n;
	return true;
}

static int id_cmp(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
	return a < b ? -1 : a > b;
}

static int idrow_cmp(const void *pa, const void *pb)
{
	const struct idrow *a = pa, *b = pb;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int64_t idrow_find(const struct idrow *v, uint32_t n, int64_t id)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (v[mid].id == id)
			return v[mid].row;
		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static uint32_t org_find(const struct ent_index *ix, int64_t org_id)
{
	uint32_t lo = 0, hi = ix->norgs;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (ix->orgs[mid] == org_id)
			return mid;
		if (ix->orgs[mid] < org_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NO_VALUE;
}

static uint16_t text_col(struct ent_index *ix, struct db_res *r, int col, bool *ok)
{
	const char *t = db_col_text(r, col);
	uint32_t d = t ? dict_put(ix, t, db_col_len(r, col)) : 0;
	if (d == NO_VALUE)
		*ok = false;
	return (uint16_t)d;
}

/* Columns of SQL_ENT_INDEX_ROWS. */
enum {
	IC_ID, IC_ORG, IC_REGION, IC_CITY, IC_INDUSTRY, IC_SECTION, IC_SCALE, IC_OWNERSHIP,
	IC_ABOVE, IC_STATUS, IC_FOUNDED, IC_CAPITAL, IC_EMPLOYEES, IC_UPDATED, IC_INITIALS, IC_NAME,
	IC_TEXT
};
static const int key_col[KEYS] = {IC_FOUNDED, IC_CAPITAL, IC_EMPLOYEES, IC_UPDATED};
/* founded, capital and employees sort their NULLs last both ways (NULLS_LAST in
 * enterprises_sql.c); updated_at is never NULL and sorts plainly. */
static const bool key_nulls_last[KEYS] = {true, true, true, false};

static enum status index_build(struct db *db, const char *token, int64_t version,
			       struct ent_index **out)
{
	*out = NULL;
	struct ent_index *ix = calloc(1, sizeof(*ix));
	if (!ix)
		return ST_NOMEM;
	snprintf(ix->token, sizeof(ix->token), "%s", token);
	ix->version = version;
	/* rows are read in id order (the table's own order, no sorting in SQLite, no page read
	 * twice), then put in name order here */
	struct grow rows = {0}, text = {0}, off = {0}, orgs = {0}, keys[KEYS] = {{0}},
		    names = {0}, keytext = {0}, tags = {0};
	struct idrow *byid = NULL;
	uint32_t *place = NULL; /* read index -> name position (the copy keeps it) */
	enum status st = ST_OK;
	bool ok = true;

	struct db_res *r = db_query(db, &SQL_ENT_INDEX_ROWS, DB_NOARGS);
	while (ok && db_next(r)) {
		size_t i = rows.len;
		ok = grow_to(&rows, i + 1, sizeof(struct irow)) &&
		     grow_to(&off, i + 2, sizeof(uint32_t)) &&
		     grow_to(&orgs, i + 1, sizeof(int64_t));
		for (int k = 0; ok && k < KEYS; k++)
			ok = grow_to(&keys[k], i + 1, sizeof(struct skey));
		ok = ok && grow_to(&names, i + 1, sizeof(struct nkey));
		if (!ok)
			break;
		struct irow *w = (struct irow *)rows.p + i;
		memset(w, 0, sizeof(*w));
		w->id = db_col_int(r, IC_ID);
		((int64_t *)orgs.p)[i] = db_col_int(r, IC_ORG);
		w->region = text_col(ix, r, IC_REGION, &ok);
		w->city = text_col(ix, r, IC_CITY, &ok);
		w->industry = text_col(ix, r, IC_INDUSTRY, &ok);
		w->section = text_col(ix, r, IC_SECTION, &ok);
		w->scale = text_col(ix, r, IC_SCALE, &ok);
		w->ownership = text_col(ix, r, IC_OWNERSHIP, &ok);
		w->status = text_col(ix, r, IC_STATUS, &ok);
		int64_t above = db_col_int(r, IC_ABOVE);
		w->above = db_col_type(r, IC_ABOVE) == DB_T_INT && (above == 0 || above == 1)
				   ? (uint8_t)above
				   : 2;
		for (int k = 0; ok && k < KEYS; k++) {
			struct skey *sk = (struct skey *)keys[k].p + i;
			ok = key_read(r, key_col[k], key_nulls_last[k], &keytext, sk);
			sk->id = w->id;
			sk->row = (uint32_t)i;
		}
		struct nkey *nk = (struct nkey *)names.p + i;
		ok = ok && key_read(r, IC_INITIALS, false, &keytext, &nk->ini) &&
		     key_read(r, IC_NAME, false, &keytext, &nk->name);
		nk->name.id = w->id;
		nk->name.row = (uint32_t)i;
		const char *t = db_col_text(r, IC_TEXT);
		size_t tn = t ? db_col_len(r, IC_TEXT) : 0;
		w->has_text = t != NULL;
		ok = ok && text.len + tn + 1 < UINT32_MAX / 2 &&
		     grow_to(&text, text.len + tn + 1, 1);
		if (!ok)
			break;
		((uint32_t *)off.p)[i] = (uint32_t)text.len;
		memcpy((char *)text.p + text.len, t ? t : "", tn);
		text.len += tn;
		((char *)text.p)[text.len++] = '\0';
		rows.len++;
		ok = rows.len < UINT32_MAX / 2;
	}
	if ((st = db_done(r)))
		goto out;
	if (!ok) {
		/* past what the copy can number: the list keeps to SQL */
		bool big = ix->ndict >= DICT_MAX || rows.len >= UINT32_MAX / 2 ||
			   text.len >= UINT32_MAX / 2;
		st = big ? ST_TOO_LARGE : ST_NOMEM;
		goto out;
	}
	ix->n = (uint32_t)rows.len;
	size_t n1 = ix->n ? ix->n : 1;

	/* the name order: rows and orgs moved into it; the texts stay in the order read (one copy
	 * of them during the build, not two), and place[] finds a text's row */
	place = malloc(n1 * sizeof(*place));
	ix->rows = malloc(n1 * sizeof(*ix->rows));
	int64_t *oid = malloc(n1 * sizeof(*oid));
	if (!place || !ix->rows || !oid || !grow_to(&off, n1 + 1, sizeof(uint32_t)) ||
	    !grow_to(&text, text.len + 1, 1)) {
		free(oid);
		st = ST_NOMEM;
		goto out;
	}
	struct nkey *nk = names.p;
	for (uint32_t i = 0; i < ix->n; i++)
		for (struct skey *k = &nk[i].ini; k; k = k == &nk[i].ini ? &nk[i].name : NULL)
			if (k->cls == 2 || k->cls == 3)
				k->p = (const char *)keytext.p + k->i;
	if (ix->n)
		qsort(nk, ix->n, sizeof(*nk), nkey_cmp);
	for (uint32_t pos = 0; pos < ix->n; pos++) {
		uint32_t i = nk[pos].name.row;
		place[i] = pos;
		ix->rows[pos] = ((struct irow *)rows.p)[i];
		oid[pos] = ((int64_t *)orgs.p)[i];
	}
	((uint32_t *)off.p)[ix->n] = (uint32_t)text.len;
	ix->text = text.p;
	ix->text_off = off.p;
	ix->text_place = place;
	text.p = off.p = NULL;
	for (size_t i = 0; i < text.len; i++)
		ix->freq[(unsigned char)ix->text[i]]++;
	ix->grams = grams_build(ix->text, ix->text_off, ix->n); /* NULL: searches read every text */
	free(orgs.p);
	orgs.p = oid;

	/* orgs: distinct ids, ascending; each row its index */
	int64_t *sorted = malloc((ix->n ? ix->n : 1) * sizeof(*sorted));
	if (!sorted) {
		st = ST_NOMEM;
		goto out;
	}
	memcpy(sorted, oid, ix->n * sizeof(*sorted));
	qsort(sorted, ix->n, sizeof(*sorted), id_cmp);
	uint32_t norgs = 0;
	for (uint32_t i = 0; i < ix->n; i++)
		if (!norgs || sorted[norgs - 1] != sorted[i])
			sorted[norgs++] = sorted[i];
	if (norgs >= NO_VALUE) {
		free(sorted);
		st = ST_TOO_LARGE;
		goto out;
	}
	ix->orgs = sorted;
	ix->norgs = norgs;
	if (!(ix->org_rows = calloc(norgs ? norgs : 1, sizeof(uint32_t)))) {
		st = ST_NOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < ix->n; i++) {
		ix->rows[i].org = (uint16_t)org_find(ix, oid[i]);
		ix->org_rows[ix->rows[i].org]++;
	}

	/* ranks: SQLite's order, the id breaking ties */
	for (int k = 0; k < KEYS; k++) {
		struct skey *v = keys[k].p;
		ix->rank[k] = malloc((ix->n ? ix->n : 1) * sizeof(uint32_t));
		ix->perm[k] = malloc((ix->n ? ix->n : 1) * sizeof(uint32_t));
		if (!ix->rank[k] || !ix->perm[k]) {
			st = ST_NOMEM;
			goto out;
		}
		for (uint32_t i = 0; i < ix->n; i++) {
			if (v[i].cls == 2 || v[i].cls == 3)
				v[i].p = (const char *)keytext.p + v[i].i;
			v[i].row = place[v[i].row];
		}
		if (ix->n)
			qsort(v, ix->n, sizeof(*v), skey_cmp);
		ix->nonnull[k] = ix->n;
		for (uint32_t pos = 0; pos < ix->n; pos++) {
			ix->perm[k][pos] = v[pos].row;
			ix->rank[k][v[pos].row] = pos;
			if (v[pos].cls == 4 && ix->nonnull[k] == ix->n)
				ix->nonnull[k] = pos;
		}
	}

	/* tags: the rows' tag ids, grouped by row */
	byid = ix->byid = malloc((ix->n ? ix->n : 1) * sizeof(*byid));
	ix->tag_off = calloc(ix->n + 1, sizeof(uint32_t));
	if (!byid || !ix->tag_off) {
		st = ST_NOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < ix->n; i++)
		byid[i] = (struct idrow){ix->rows[i].id, i};
	qsort(byid, ix->n, sizeof(*byid), idrow_cmp);
	struct idrow *links = NULL; /* (tag id, row) */
	r = db_query(db, &SQL_ENT_INDEX_TAGS, DB_NOARGS);
	while (ok && db_next(r)) {
		int64_t row = idrow_find(byid, ix->n, db_col_int(r, 0));
		if (row < 0)
			continue;
		ok = grow_to(&tags, tags.len + 1, sizeof(struct idrow));
		if (ok)
			((struct idrow *)tags.p)[tags.len++] =
				(struct idrow){db_col_int(r, 1), (uint32_t)row};
	}
	if ((st = db_done(r)))
		goto out;
	if (!ok) {
		st = ST_NOMEM;
		goto out;
	}
	links = tags.p;
	ix->tag_ids = malloc((tags.len ? tags.len : 1) * sizeof(int64_t));
	if (!ix->tag_ids) {
		st = ST_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < tags.len; i++)
		ix->tag_off[links[i].row + 1]++;
	for (uint32_t i = 0; i < ix->n; i++)
		ix->tag_off[i + 1] += ix->tag_off[i];
	uint32_t *fill = calloc(ix->n ? ix->n : 1, sizeof(uint32_t));
	if (!fill) {
		st = ST_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < tags.len; i++) {
		uint32_t row = links[i].row;
		ix->tag_ids[ix->tag_off[row] + fill[row]++] = links[i].id;
	}
	free(fill);

out:
	free(rows.p);
	free(text.p);
	free(off.p);
	free(orgs.p);
	free(keytext.p);
	free(names.p);
	if (place != ix->text_place)
		free(place);
	free(tags.p);
	for (int k = 0; k < KEYS; k++)
		free(keys[k].p);
	if (st) {
		index_free(ix);
		return st;
	}
	*out = ix;
	return ST_OK;
}

/* ---- the shared copy ------------------------------------------------------------------------- */

/* One copy per process, shared by the worker threads: mu guards cur and every refs; build
 * lets one thread at a time rebuild (the others wanting the new version wait for it). */
static struct {
	pthread_mutex_t mu, build;
	struct ent_index *cur;
	char big_token[40]; /* guarded by build: the version found too large for a copy */
	int64_t big_version;
} cache = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, NULL, "", -1};

static void index_put(struct ent_index *ix)
{
	if (!ix)
		return;
	pthread_mutex_lock(&cache.mu);
	bool last = --ix->refs == 0;
	pthread_mutex_unlock(&cache.mu);
	if (last)
		index_free(ix);
}

static struct ent_index *cache_take(const char *token, int64_t version)
{
	struct ent_index *ix = NULL;
	pthread_mutex_lock(&cache.mu);
	if (cache.cur && cache.cur->version == version && strcmp(cache.cur->token, token) == 0) {
		ix = cache.cur;
		ix->refs++;
	}
	pthread_mutex_unlock(&cache.mu);
	return ix;
}

/* The copy at the database's current version, built when missing; the caller puts it back. */
static enum status index_get(struct db *db, struct ent_index **out)
{
	*out = NULL;
	struct db_version v;
	enum status st = db_version_read(db, &SQL_ENT_INDEX_VERSION, &v);
	if (st)
		return st;
	if (v.version < 0)
		return ST_NOT_FOUND;
	const char *token = v.token;
	int64_t version = v.version;
	if ((*out = cache_take(token, version)))
		return ST_OK;
	pthread_mutex_lock(&cache.build);
	if ((*out = cache_take(token, version))) {
		pthread_mutex_unlock(&cache.build);
		return ST_OK;
	}
	struct ent_index *ix;
	if (cache.big_version == version && strcmp(cache.big_token, token) == 0)
		st = ST_TOO_LARGE; /* known already: not read again until it changes */
	else {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		st = index_build(db, token, version, &ix);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!st)
			log_info("enterprises: registry copy %lld built in %ld ms: %u rows, %zu KB of "
				 "text, %zu KB of gram lists%s",
				 (long long)version, ms_between(&t0, &t1), ix->n,
				 (size_t)ix->text_off[ix->n] / 1024, grams_bytes(ix->grams) / 1024,
				 ix->grams ? "" : " (none: searches read every text)");
	}
	if (st == ST_TOO_LARGE && cache.big_version != version) {
		snprintf(cache.big_token, sizeof(cache.big_token), "%s", token);
		cache.big_version = version;
	}
	if (!st) {
		ix->refs = 2; /* the cache's and the caller's */
		pthread_mutex_lock(&cache.mu);
		struct ent_index *old = cache.cur;
		cache.cur = ix;
		bool last = old && --old->refs == 0;
		pthread_mutex_unlock(&cache.mu);
		if (last)
			index_free(old);
		*out = ix;
	}
	pthread_mutex_unlock(&cache.build);
	return st;
}

/* ---- searching ------------------------------------------------------------------------------- */

/*
 * Substring search over all the text at once. A needle is looked for by two of its bytes, the
 * two rarest in the text (the build counts them): in UTF-8 Chinese a lead byte (E4-E9) is
 * every few bytes, a given continuation byte far rarer. Those two are compared at 16 or 32
 * positions at once, and the whole needle only where both agree.
 */
struct needle {
	const char *p;
	size_t m;
	size_t a, b; /* the two probe positions, a < b */
};

static struct needle needle_of(const struct ent_index *ix, const char *p, size_t m)
{
	struct needle nd = {p, m, 0, m - 1};
	size_t best = 0, second = m - 1;
	for (size_t i = 0; i < m; i++)
		if (ix->freq[(unsigned char)p[i]] < ix->freq[(unsigned char)p[best]])
			best = i;
	second = best == 0 ? 1 : 0;
	for (size_t i = 0; i < m; i++)
		if (i != best && ix->freq[(unsigned char)p[i]] < ix->freq[(unsigned char)p[second]])
			second = i;
	nd.a = best < second ? best : second;
	nd.b = best < second ? second : best;
	return nd;
}

/* The scalar search from h + i: the first match at or after i, or NULL. */
static const char *find_tail(const char *h, size_t n, size_t i, const struct needle *nd)
{
	for (; i + nd->m <= n; i++) {
		const char *q = memchr(h + i + nd->a, nd->p[nd->a], n - nd->m + 1 - i);
		if (!q)
			return NULL;
		i = (size_t)(q - h) - nd->a;
		if (memcmp(h + i, nd->p, nd->m) == 0)
			return h + i;
	}
	return NULL;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
__attribute__((target("avx2"))) static const char *find_avx2(const char *h, size_t n,
							       const struct needle *nd)
{
	const __m256i va = _mm256_set1_epi8(nd->p[nd->a]), vb = _mm256_set1_epi8(nd->p[nd->b]);
	const char *pa = h + nd->a, *pb = h + nd->b, *p = nd->p;
	size_t m = nd->m, i = 0, stop = n >= m + 32 ? n - m - 32 : 0;
	if (n < m + 32)
		return find_tail(h, n, 0, nd);
	for (; i <= stop; i += 32) {
		__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(pa + i));
		__m256i y = _mm256_loadu_si256((const __m256i *)(const void *)(pb + i));
		unsigned mask = (unsigned)_mm256_movemask_epi8(
			_mm256_and_si256(_mm256_cmpeq_epi8(x, va), _mm256_cmpeq_epi8(y, vb)));
		for (; mask; mask &= mask - 1) {
			size_t at = i + (size_t)__builtin_ctz(mask);
			if (memcmp(h + at, p, m) == 0)
				return h + at;
		}
	}
	return find_tail(h, n, i, nd);
}
#endif

/* The first occurrence of the needle (m >= 2) in h[0..n), or NULL. */
static const char *find(const char *h, size_t n, const struct needle *nd, bool avx2)
{
	if (nd->m > n)
		return NULL;
#if defined(__x86_64__) && defined(__GNUC__)
	if (avx2)
		return find_avx2(h, n, nd);
#else
	(void)avx2;
#endif
	size_t i = 0;
#ifdef __SSE2__
	const __m128i va = _mm_set1_epi8(nd->p[nd->a]), vb = _mm_set1_epi8(nd->p[nd->b]);
	const char *pa = h + nd->a, *pb = h + nd->b, *p = nd->p;
	size_t m = nd->m;
	for (; n >= m + 16 && i <= n - m - 16; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(pa + i));
		__m128i y = _mm_loadu_si128((const __m128i *)(const void *)(pb + i));
		unsigned mask = (unsigned)_mm_movemask_epi8(
			_mm_and_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(y, vb)));
		for (; mask; mask &= mask - 1) {
			size_t at = i + (size_t)__builtin_ctz(mask);
			if (memcmp(h + at, p, m) == 0)
				return h + at;
		}
	}
#endif
	return find_tail(h, n, i, nd);
}

static bool have_avx2(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	return __builtin_cpu_supports("avx2");
#else
	return false;
#endif
}

/* Set bits[row] for the row of text i when it has a search text. */
static void text_hit(const struct ent_index *ix, uint32_t i, uint64_t *bits)
{
	uint32_t row = ix->text_place[i];
	if (ix->rows[row].has_text)
		bits[row / 64] |= 1ull << (row % 64);
}

/* Set bits[row] for every row whose search text holds term: the texts that hold its rarest
 * gram when there is a list of them, else one pass over all the text. */
static void term_rows(const struct ent_index *ix, const char *term, size_t m, uint64_t *bits)
{
	const char *base = ix->text, *end = ix->text + ix->text_off[ix->n];
	uint32_t k = 0; /* a text, numbered in the order read */
	struct needle nd = m >= 2 ? needle_of(ix, term, m) : (struct needle){term, m, 0, 0};
	bool avx2 = have_avx2();
	struct gram_iter it;
	if (m >= 2 && grams_rows(ix->grams, term, m, &it)) {
		while (gram_next(&it, &k)) {
			const char *t = base + ix->text_off[k];
			size_t len = ix->text_off[k + 1] - ix->text_off[k] - 1; /* less the NUL */
			if (find(t, len, &nd, avx2))
				text_hit(ix, k, bits);
		}
		return;
	}
	for (const char *p = base; p < end;) {
		const char *hit = m == 0   ? p
				  : m == 1 ? memchr(p, term[0], (size_t)(end - p))
					   : find(p, (size_t)(end - p), &nd, avx2);
		if (!hit)
			return;
		uint32_t at = (uint32_t)(hit - base);
		while (ix->text_off[k + 1] <= at)
			k++;
		text_hit(ix, k, bits);
		p = base + ix->text_off[k + 1]; /* the next text */
		k++;
		if (k >= ix->n)
			return;
	}
}

static bool has_tag(const struct ent_index *ix, uint32_t row, int64_t tag)
{
	for (uint32_t k = ix->tag_off[row]; k < ix->tag_off[row + 1]; k++)
		if (ix->tag_ids[k] == tag)
			return true;
	return false;
}

static uint32_t arg_dict(const struct ent_index *ix, const struct db_val *v)
{
	return v->type == DB_T_TEXT ? dict_find(ix, v->p, v->len) : NO_VALUE;
}

bool ent_index_usable(struct db *db, const struct db_val *a)
{
	return db_kind(db) == DB_SQLITE && a[0].type == DB_T_INT && a[0].i >= 0 && a[0].i <= 2;
}

enum status ent_index_page(struct db *db, struct arena *arena, const struct db_val *a, int sort,
			   int64_t offset, int64_t size, int64_t *ids, size_t *nids, int64_t *total)
{
	*nids = 0;
	*total = 0;
	struct ent_index *ix;
	enum status st = index_get(db, &ix);
	if (st)
		return st;
	uint32_t n = ix->n;
	size_t words = (n + 63) / 64 + 1;
	uint8_t *org_ok = arena_zalloc(arena, ix->norgs + 1);
	uint64_t *hits = arena_zalloc(arena, words * sizeof(uint64_t));
	uint64_t *terms[3] = {NULL, NULL, NULL};
	if (!org_ok || !hits) {
		st = ST_NOMEM;
		goto out;
	}

	/* the scope (SCOPE_PRED's terms for an enterprise row: path, org, the enterprise) */
	bool all = a[0].i == 1;
	int64_t own_ent = a[4].type == DB_T_INT ? a[4].i : 0;
	if (!all && a[1].type == DB_T_TEXT) {
		struct db_res *r = db_query(db, &SQL_ENT_INDEX_SUBTREE, &a[1], 1);
		while (db_next(r)) {
			uint32_t o = org_find(ix, db_col_int(r, 0));
			if (o != NO_VALUE)
				org_ok[o] = 1;
		}
		if ((st = db_done(r)))
			goto out;
	}
	if (!all && a[2].type == DB_T_INT) {
		uint32_t o = org_find(ix, a[2].i);
		if (o != NO_VALUE)
			org_ok[o] = 1;
	}
	/* rows allowed one by one: the caller's own enterprise, a liaison's enterprises */
	uint64_t *row_ok = NULL;
	if (!all && (own_ent > 0 || a[0].i == 2)) {
		if (!(row_ok = arena_zalloc(arena, words * sizeof(uint64_t)))) {
			st = ST_NOMEM;
			goto out;
		}
		int64_t row = own_ent > 0 ? idrow_find(ix->byid, n, own_ent) : -1;
		if (row >= 0)
			row_ok[row / 64] |= 1ull << (row % 64);
		if (a[0].i == 2 && a[3].type == DB_T_INT) {
			struct db_res *r = db_query(db, &SQL_ENT_INDEX_LIAISON, &a[3], 1);
			while (db_next(r))
				if ((row = idrow_find(ix->byid, n, db_col_int(r, 0))) >= 0)
					row_ok[row / 64] |= 1ull << (row % 64);
			if ((st = db_done(r)))
				goto out;
		}
	}

	/* the filters, as dictionary numbers (NO_VALUE: no row has it) */
	bool f_region = a[5].type != DB_T_NULL, f_industry = a[6].type != DB_T_NULL,
	     f_scale = a[7].type != DB_T_NULL, f_owner = a[8].type != DB_T_NULL,
	     f_above = a[9].type != DB_T_NULL, f_status = a[10].type != DB_T_NULL;
	uint32_t region = arg_dict(ix, &a[5]), industry = arg_dict(ix, &a[6]),
		 scale = arg_dict(ix, &a[7]), owner = arg_dict(ix, &a[8]),
		 status = arg_dict(ix, &a[10]);
	int above = a[9].type == DB_T_INT && (a[9].i == 0 || a[9].i == 1) ? (int)a[9].i : 3;
	int64_t tags[3];
	int ntags = 0;
	for (int k = 11; k < 14; k++)
		if (a[k].type == DB_T_INT)
			tags[ntags++] = a[k].i;
	int nterms = 0;
	for (int k = 15; k < 18; k++) {
		if (a[k].type != DB_T_TEXT)
			continue;
		if (!(terms[nterms] = arena_zalloc(arena, words * sizeof(uint64_t)))) {
			st = ST_NOMEM;
			goto out;
		}
		term_rows(ix, a[k].p, a[k].len, terms[nterms]);
		nterms++;
	}

	/* one pass: each match counted, and marked at its position in the order asked for */
	int key = -1;
	switch (sort) {
	case ENT_SORT_FOUNDED:
	case ENT_SORT_FOUNDED_DESC:
		key = KEY_FOUNDED;
		break;
	case ENT_SORT_CAPITAL:
	case ENT_SORT_CAPITAL_DESC:
		key = KEY_CAPITAL;
		break;
	case ENT_SORT_EMPLOYEES:
	case ENT_SORT_EMPLOYEES_DESC:
		key = KEY_EMPLOYEES;
		break;
	case ENT_SORT_UPDATED:
	case ENT_SORT_UPDATED_DESC:
		key = KEY_UPDATED;
		break;
	default:
		break;
	}
	bool desc = sort % 2 == 1; /* enum ent_sort: each order, then its reverse */
	/* Only the rows that hold every term, or (a liaison without an org) the rows allowed one
	 * by one, need a look: their bits, a word at a time; otherwise all rows. */
	uint64_t *only = NULL;
	for (int t = 0; t < nterms; t++) {
		if (only)
			for (size_t k = 0; k < words; k++)
				only[k] &= terms[t][k];
		else
			only = terms[t];
	}
	bool some_org = all;
	for (uint32_t o = 0; !some_org && o < ix->norgs; o++)
		some_org = org_ok[o];
	if (!some_org && row_ok) {
		if (only)
			for (size_t k = 0; k < words; k++)
				only[k] &= row_ok[k];
		else
			only = row_ok;
	}
	int64_t count = 0;
	/* Only the scope, by org (the list as a bureau first opens it): the count is the orgs'
	 * rows, and the page is found by walking the order until it is full, no pass over every
	 * row. */
	bool by_org = !only && !row_ok && !f_region && !f_industry && !f_scale && !f_owner &&
		      !f_above && !f_status && !ntags;
	if (by_org) {
		if (all)
			count = n;
		else
			for (uint32_t o = 0; o < ix->norgs; o++)
				count += org_ok[o] ? ix->org_rows[o] : 0;
	}
	for (uint32_t wd = 0; !by_org && wd < (n + 63) / 64; wd++) {
		uint64_t bits = only ? only[wd] : ~0ull;
		if (!only && wd == n / 64)
			bits = (1ull << (n % 64)) - 1; /* the last, partial word */
		for (; bits; bits &= bits - 1) {
			uint32_t i = wd * 64 + (uint32_t)__builtin_ctzll(bits);
			const struct irow *w = &ix->rows[i];
			if (!all && !org_ok[w->org] && !(row_ok && row_ok[i / 64] >> (i % 64) & 1))
				continue;
			if ((f_region && w->region != region && w->city != region) ||
			    (f_industry && w->industry != industry && w->section != industry) ||
			    (f_scale && w->scale != scale) || (f_owner && w->ownership != owner) ||
			    (f_above && w->above != above) || (f_status && w->status != status))
				continue;
			bool ok = true;
			for (int t = 0; ok && t < ntags; t++)
				ok = has_tag(ix, i, tags[t]);
			if (!ok)
				continue;
			count++;
			uint32_t pos = key < 0 ? i : ix->rank[key][i];
			hits[pos / 64] |= 1ull << (pos % 64);
		}
	}
	*total = count;

	/* the page: positions in order (descending: the values from the largest, then the NULLs,
	 * newest id first, as NULLS_LAST writes it), skipping offset matches */
	uint32_t nn = key < 0 ? n : ix->nonnull[key];
	int64_t skip = offset;
	struct run {
		uint32_t from, to; /* [from, to) */
	} runs[2] = {{0, n}, {0, 0}};
	if (desc) {
		runs[0] = (struct run){0, nn};
		runs[1] = (struct run){nn, n};
	}
	for (int ru = 0; ru < 2 && (int64_t)*nids < size && skip < count; ru++) {
		uint32_t from = runs[ru].from, to = runs[ru].to;
		for (uint32_t k = 0; k < to - from && (int64_t)*nids < size; k++) {
			uint32_t pos = desc ? to - 1 - k : from + k;
			if (by_org) {
				uint32_t row = key < 0 ? pos : ix->perm[key][pos];
				if (!all && !org_ok[ix->rows[row].org])
					continue;
			} else if (!(hits[pos / 64] >> (pos % 64) & 1)) {
				/* a whole empty word ahead: jump it */
				if (pos % 64 == (desc ? 63u : 0u) && !hits[pos / 64] &&
				    k + 64 <= to - from)
					k += 63;
				continue;
			}
			if (skip > 0) {
				skip--;
				continue;
			}
			uint32_t row = key < 0 ? pos : ix->perm[key][pos];
			ids[(*nids)++] = ix->rows[row].id;
		}
	}
out:
	index_put(ix);
	return st;
}
