/* input.h: reading typed fields from a JSON body or the query string, with Chinese errors that
 * name the field. Each returns ST_OK or the error status after req_fail() described it. */
#ifndef TIEJIAN_INPUT_H
#define TIEJIAN_INPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/request.h"

enum in_flags {
	IN_REQUIRED = 1, /* absent, null or empty is an error */
	IN_TRIM = 2,     /* strip surrounding white space */
};

/* A string field: *out is NULL when absent (or null); *present says whether the key was sent
 * (optional, may be NULL), so PATCH can tell "not sent" from "cleared". max_chars counts
 * characters, not bytes. The result lives in the request's arena. */
enum status in_str(struct request *req, json_t *obj, const char *key, const char *label,
		   unsigned flags, size_t max_chars, const char **out, bool *present);
/* An integer field in [min, max]. */
enum status in_int(struct request *req, json_t *obj, const char *key, const char *label,
		   unsigned flags, int64_t min, int64_t max, int64_t *out, bool *present);
enum status in_bool(struct request *req, json_t *obj, const char *key, const char *label,
		    unsigned flags, bool *out, bool *present);
/* One of choices (NULL-terminated); *out is its index. */
enum status in_enum(struct request *req, json_t *obj, const char *key, const char *label,
		    unsigned flags, const char *const *choices, int *out, bool *present);
/* An array of strings (each at most max_chars), at most max_items; *out is the array. */
enum status in_str_array(struct request *req, json_t *obj, const char *key, const char *label,
			 unsigned flags, size_t max_items, size_t max_chars, json_t **out,
			 bool *present);

/* Query string: an integer in [min, max] or def when absent. */
enum status q_int(struct request *req, const char *name, const char *label, int64_t min,
		  int64_t max, int64_t def, int64_t *out);
/* Query string: a string of at most max_chars, or NULL when absent or empty. */
enum status q_str(struct request *req, const char *name, const char *label, size_t max_chars,
		  const char **out);

/* Query string: a date YYYY-MM-DD; *present false when absent. */
struct date;
enum status q_date(struct request *req, const char *name, const char *label, struct date *out,
		   bool *present);
/* A JSON field holding a date YYYY-MM-DD; *out untouched when absent. */
enum status in_date(struct request *req, json_t *obj, const char *key, const char *label,
		    unsigned flags, struct date *out, bool *present);

/* page (from 1) and page_size (1..100, default 20) from the query string. */
struct paging {
	int64_t page;
	int64_t size;
	int64_t offset;
};
enum status q_paging(struct request *req, struct paging *out);
/* The list envelope {"items":items,"total":total,"page":..,"page_size":..}; takes items. */
json_t *list_envelope(json_t *items, int64_t total, const struct paging *pg);
/* Answer one page of a list: count (its first ncount values of args: the filter, with the last
 * two of the nargs set to NULL), then list (all nargs values, the last two now the page's size
 * and offset), each row written by row(); the envelope above. */
typedef json_t *(*list_row_fn)(struct request *req, struct db_res *r, void *ctx);
enum status reply_list(struct request *req, struct db *db, const struct sql *count,
		       const struct sql *list, struct db_val *args, size_t ncount, size_t nargs,
		       const struct paging *pg, list_row_fn row, void *ctx);

/* Refuse keys that are not in allowed (NULL-terminated): 422 naming the first. */
enum status in_only(struct request *req, json_t *obj, const char *const *allowed);

#endif
