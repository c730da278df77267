/* input.c: typed fields from JSON bodies and query strings, errors in Chinese naming the field. */
#include "http/input.h"
#include "lib/date.h"

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

enum status in_str(struct request *req, json_t *obj, const char *key, const char *label,
		   unsigned flags, size_t max_chars, const char **out, bool *present)
{
	*out = NULL;
	json_t *v = json_object_get(obj, key);
	if (present)
		*present = v != NULL;
	if (!v || json_is_null(v)) {
		if (flags & IN_REQUIRED)
			return req_failf(req, ST_INVALID, "required", key, "%s不能为空", label);
		return ST_OK;
	}
	if (!json_is_string(v))
		return req_failf(req, ST_INVALID, "wrong_type", key, "%s应为文本", label);
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (memchr(s, '\0', n))
		return req_failf(req, ST_INVALID, "invalid_character", key, "%s含有非法字符", label);
	if (flags & IN_TRIM) {
		while (n && is_space((unsigned char)*s)) {
			s++;
			n--;
		}
		while (n && is_space((unsigned char)s[n - 1]))
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
			return req_failf(req, ST_INVALID, "invalid_character", key,
					 "%s含有控制字符", label);
	}
	if (n == 0 && (flags & IN_REQUIRED))
		return req_failf(req, ST_INVALID, "required", key, "%s不能为空", label);
	if (utf8_len(s, n) > max_chars)
		return req_failf(req, ST_INVALID, "too_long", key, "%s不能超过%zu个字符", label,
				 max_chars);
	*out = arena_strndup(&req->arena, s, n);
	if (!*out)
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	return ST_OK;
}

enum status in_int(struct request *req, json_t *obj, const char *key, const char *label,
		   unsigned flags, int64_t min, int64_t max, int64_t *out, bool *present)
{
	json_t *v = json_object_get(obj, key);
	if (present)
		*present = v != NULL;
	if (!v || json_is_null(v)) {
		if (flags & IN_REQUIRED)
			return req_failf(req, ST_INVALID, "required", key, "%s不能为空", label);
		return ST_OK;
	}
	if (!json_is_integer(v))
		return req_failf(req, ST_INVALID, "wrong_type", key, "%s应为整数", label);
	json_int_t i = json_integer_value(v);
	if (i < min || i > max)
		return req_failf(req, ST_INVALID, "out_of_range", key,
				 "%s应在%lld到%lld之间", label, (long long)min, (long long)max);
	*out = i;
	return ST_OK;
}

enum status in_bool(struct request *req, json_t *obj, const char *key, const char *label,
		    unsigned flags, bool *out, bool *present)
{
	json_t *v = json_object_get(obj, key);
	if (present)
		*present = v != NULL;
	if (!v || json_is_null(v)) {
		if (flags & IN_REQUIRED)
			return req_failf(req, ST_INVALID, "required", key, "%s不能为空", label);
		return ST_OK;
	}
	if (!json_is_boolean(v))
		return req_failf(req, ST_INVALID, "wrong_type", key, "%s应为是或否（true/false）",
				 label);
	*out = json_is_true(v);
	return ST_OK;
}

enum status in_enum(struct request *req, json_t *obj, const char *key, const char *label,
		    unsigned flags, const char *const *choices, int *out, bool *present)
{
	const char *s;
	bool sent;
	enum status st = in_str(req, obj, key, label, flags, 64, &s, &sent);
	if (present)
		*present = sent;
	if (st || !s)
		return st;
	for (int i = 0; choices[i]; i++)
		if (strcmp(s, choices[i]) == 0) {
			*out = i;
			return ST_OK;
		}
	struct str list;
	str_init(&list, 512);
	for (int i = 0; choices[i]; i++) {
		if (i)
			str_puts(&list, "、");
		str_puts(&list, choices[i]);
	}
	st = req_failf(req, ST_INVALID, "invalid_choice", key, "%s应为以下之一：%s", label,
		       list.p);
	str_release(&list);
	return st;
}

enum status in_str_array(struct request *req, json_t *obj, const char *key, const char *label,
			 unsigned flags, size_t max_items, size_t max_chars, json_t **out,
			 bool *present)
{
	*out = NULL;
	json_t *v = json_object_get(obj, key);
	if (present)
		*present = v != NULL;
	if (!v || json_is_null(v)) {
		if (flags & IN_REQUIRED)
			return req_failf(req, ST_INVALID, "required", key, "%s不能为空", label);
		return ST_OK;
	}
	if (!json_is_array(v))
		return req_failf(req, ST_INVALID, "wrong_type", key, "%s应为列表", label);
	if (json_array_size(v) > max_items)
		return req_failf(req, ST_INVALID, "too_many", key, "%s最多%zu项", label,
				 max_items);
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e))
			return req_failf(req, ST_INVALID, "wrong_type", key, "%s的每一项应为文本",
					 label);
		if (utf8_len(json_string_value(e), json_string_length(e)) > max_chars)
			return req_failf(req, ST_INVALID, "too_long", key,
					 "%s的每一项不能超过%zu个字符", label, max_chars);
	}
	*out = v;
	return ST_OK;
}

enum status q_int(struct request *req, const char *name, const char *label, int64_t min,
		  int64_t max, int64_t def, int64_t *out)
{
	const char *s = req_query(req, name);
	if (!s || !*s) {
		*out = def;
		return ST_OK;
	}
	if (!str_to_i64(s, min, max, out))
		return req_failf(req, ST_INVALID, "out_of_range", name, "%s应为%lld到%lld之间的整数",
				 label, (long long)min, (long long)max);
	return ST_OK;
}

enum status q_str(struct request *req, const char *name, const char *label, size_t max_chars,
		  const char **out)
{
	const char *s = req_query(req, name);
	*out = NULL;
	if (!s || !*s)
		return ST_OK;
	size_t n = strlen(s);
	if (!utf8_valid(s, n))
		return req_failf(req, ST_BAD_REQUEST, "invalid_utf8", name,
				 "%s不是有效的UTF-8编码", label);
	if (utf8_len(s, n) > max_chars)
		return req_failf(req, ST_INVALID, "too_long", name, "%s不能超过%zu个字符", label,
				 max_chars);
	*out = s;
	return ST_OK;
}

enum status q_paging(struct request *req, struct paging *out)
{
	enum status st = q_int(req, "page", "页码", 1, 1000000, 1, &out->page);
	if (!st)
		st = q_int(req, "page_size", "每页条数", 1, 100, 20, &out->size);
	if (st)
		return st; /* page and size may be unset: no arithmetic on them */
	out->offset = (out->page - 1) * out->size;
	return ST_OK;
}

json_t *list_envelope(json_t *items, int64_t total, const struct paging *pg)
{
	return json_pack("{s:o, s:I, s:I, s:I}", "items", items ? items : json_array(), "total",
			 (json_int_t)total, "page", (json_int_t)pg->page, "page_size",
			 (json_int_t)pg->size);
}

enum status reply_list(struct request *req, struct db *db, const struct sql *count,
		       const struct sql *list, struct db_val *args, size_t ncount, size_t nargs,
		       const struct paging *pg, list_row_fn row, void *ctx)
{
	int64_t total;
	args[nargs - 2] = db_null();
	args[nargs - 1] = db_null();
	enum status st = db_int1(db, count, args, ncount, &total);
	if (st)
		return st;
	args[nargs - 2] = db_int(pg->size);
	args[nargs - 1] = db_int(pg->offset);
	json_t *items = json_array();
	struct db_res *r = db_query(db, list, args, nargs);
	while (db_next(r))
		json_array_append_new(items, row(req, r, ctx));
	if ((st = db_done(r))) {
		json_decref(items);
		return st;
	}
	return reply_json(req, 200, list_envelope(items, total, pg));
}

enum status in_only(struct request *req, json_t *obj, const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		bool ok = false;
		for (int i = 0; allowed[i]; i++)
			if (strcmp(k, allowed[i]) == 0) {
				ok = true;
				break;
			}
		if (!ok) {
			char *field = arena_strdup(&req->arena, k);
			return req_failf(req, ST_INVALID, "unknown_field", field,
					 "不认识的字段\"%s\"", field ? field : "");
		}
	}
	(void)v;
	return ST_OK;
}

enum status q_date(struct request *req, const char *name, const char *label, struct date *out,
		   bool *present)
{
	const char *s = req_query(req, name);
	*present = false;
	if (!s || !*s)
		return ST_OK;
	if (date_parse(s, strlen(s), out) != ST_OK)
		return req_failf(req, ST_INVALID, "invalid_date", name,
				 "%s不是有效的日期（应为YYYY-MM-DD，如2026-03-05）", label);
	*present = true;
	return ST_OK;
}

enum status in_date(struct request *req, json_t *obj, const char *key, const char *label,
		    unsigned flags, struct date *out, bool *present)
{
	const char *s;
	bool sent;
	enum status st = in_str(req, obj, key, label, flags | IN_TRIM, 10, &s, &sent);
	if (present)
		*present = sent && s;
	if (st || !s)
		return st;
	if (date_parse(s, strlen(s), out) != ST_OK)
		return req_failf(req, ST_INVALID, "invalid_date", key,
				 "%s不是有效的日期（应为YYYY-MM-DD，如2026-03-05）", label);
	return ST_OK;
}
