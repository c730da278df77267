/* fuzz_input.c: the typed readers of http/input.h and the body checks of req_json (415, 413,
 * NUL, UTF-8, depth, duplicate keys, overlong strings) in a request built in-process, with one
 * route whose handler reads every kind of field from the query string and the JSON body.
 * Input: "path?query" on the first line, then the body. No database is involved. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http/input.h"
#include "lib/date.h"

static enum status probe(struct request *req)
{
	int64_t id, i;
	const char *s;
	struct date d;
	bool present, b;
	struct paging pg;
	enum status st;
	static const char *const kinds[] = { "province", "city", "county", "department", NULL };
	static const char *const allowed[] = { "name", "n", "b", "kind", "tags", "day", NULL };
	if ((st = req_param_id(req, "id", &id)))
		return st;
	if ((st = q_int(req, "n", "数量", -5, 1000000, 7, &i)) ||
	    (st = q_str(req, "q", "关键词", 50, &s)) ||
	    (st = q_date(req, "from", "日期", &d, &present)) || (st = q_paging(req, &pg)))
		return st;
	FUZZ_CHECK(i >= -5 && i <= 1000000, "q_int out of range");
	FUZZ_CHECK(pg.page >= 1 && pg.size >= 1 && pg.size <= 100 && pg.offset >= 0, "paging");
	if (present)
		FUZZ_CHECK(date_is_valid(d), "q_date accepted an impossible day");
	json_t *body;
	int k;
	json_t *tags;
	if ((st = req_json(req, &body)) || (st = in_only(req, body, allowed)) ||
	    (st = in_str(req, body, "name", "名称", IN_REQUIRED | IN_TRIM, 20, &s, NULL)) ||
	    (st = in_int(req, body, "n", "数量", 0, 0, 100, &i, NULL)) ||
	    (st = in_bool(req, body, "b", "是否", 0, &b, NULL)) ||
	    (st = in_enum(req, body, "kind", "类型", 0, kinds, &k, NULL)) ||
	    (st = in_str_array(req, body, "tags", "标签", 0, 5, 10, &tags, NULL)) ||
	    (st = in_date(req, body, "day", "日期", 0, &d, NULL)))
		return st;
	FUZZ_CHECK(s && utf8_len(s, strlen(s)) <= 20 && *s, "in_str let through '%s'", s);
	return reply_json(req, 200, json_pack("{s:s}", "name", s));
}

static const struct route routes[] = {
	{ "POST", "/probe/:id", probe, PERM_PUBLIC, 0 },
};
static struct config cfg;
static struct app app;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	config_defaults(&cfg);
	cfg.body_max_bytes = 4096;
	app.cfg = &cfg;
	router_init(&app.router);
	if (router_add(&app.router, "probe", routes, 1) != ST_OK)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192)
		return -1;
	char *text = fuzz_strndup(data, size);
	size_t line = strcspn(text, "\n");
	const char *body = line < size ? (const char *)data + line + 1 : NULL;
	size_t body_len = body ? size - line - 1 : 0;
	text[line] = '\0';
	char target[2048];
	snprintf(target, sizeof(target), "/probe/%s", text);
	struct local_request in = {
		"POST", target,	  "Content-Type: application/json; charset=utf-8",
		body,	body_len, NULL
	};
	struct local_response out;
	enum status st = http_local(&app, &in, &out);
	FUZZ_CHECK(st == ST_OK, "http_local failed");
	FUZZ_CHECK(out.status == 200 || out.status == 400 || out.status == 404 ||
			   out.status == 413 || out.status == 415 || out.status == 422,
		   "status %d: %s", out.status, out.body ? out.body : "");
	if (out.status != 200)
		FUZZ_CHECK(out.body && strstr(out.body, "{\"error\":{\"code\":"), "error body: %s",
			   out.body ? out.body : "");
	local_response_release(&out);
	free(text);
	return 0;
}
