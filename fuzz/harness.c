/* harness.c: an in-process tiejian for the fuzz targets that send whole requests: a temporary
 * SQLite database with a small demo city, a session per demo user, and a reset to that state. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app_init.h"
#include "app/module.h"
#include "fuzz.h"
#include "lib/log.h"
#include "lib/str.h"

const char *const fuzz_users[FUZZ_NUSERS] = {
	"anon",	   "sysadmin", "secadmin",   "auditadmin",   "leader", "supervisor",
	"handler", "cadre",    "enterprise", "statistician", "bearer",
};

/* Between two resets of the database: writes that succeeded, or requests of any kind. A
 * refused request and an export leave audit rows too; counted by writes alone, the audit log
 * grew through a run and every audit export read all of it (100,000 runs of fuzz_api slowed
 * from 8,000 a second to under 200). */
#define WRITES_PER_RESET   200
#define REQUESTS_PER_RESET 2000

static struct {
	bool started;
	struct config cfg;
	struct app app;
	char dir[256];
	char db[300];
	char template_db[300];
	char files[300];
	char web[300];
	struct fuzz_session sessions[FUZZ_NUSERS];
	char token[128];
	int writes, requests;
} h;

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "fuzz: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	char buf[65536];
	ssize_t n;
	if (in < 0 || out < 0)
		goto fail;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			goto fail;
	if (n < 0)
		goto fail;
	close(in);
	close(out);
	return;
fail:
	fprintf(stderr, "fuzz: cannot copy %s to %s: %s\n", from, to, strerror(errno));
	exit(1);
}

static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char sub[600];
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			remove_tree(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static void at_exit(void)
{
	if (!h.started)
		return;
	app_close(&h.app);
	remove_tree(h.dir);
}

static void open_app(void)
{
	if (app_open(&h.app, &h.cfg, true) != ST_OK) {
		fprintf(stderr, "fuzz: cannot open the app on %s\n", h.db);
		exit(1);
	}
}

static void load_demo(void)
{
	struct db *db;
	if (db_pool_get(h.app.pool, 1000, &db) != ST_OK)
		exit(1);
	for (size_t i = 0; i < h.app.nmodules; i++) {
		const struct module *m = h.app.modules[i];
		if (!m->demo)
			continue;
		if (db_begin(db) != ST_OK || m->demo(&h.app, db) != ST_OK ||
		    db_commit(db) != ST_OK) {
			fprintf(stderr, "fuzz: demo of %s failed: %s\n", m->name, db_errmsg(db));
			exit(1);
		}
	}
	db_pool_put(h.app.pool, db);
}

/* Value of "Name: value" in the answer's header lines, up to ';' (for Set-Cookie). */
static void header_value(const char *headers, const char *name, char *out, size_t outsize)
{
	out[0] = '\0';
	size_t n = strlen(name);
	for (const char *p = headers; p && *p;) {
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			size_t len = strcspn(v, ";\n");
			snprintf(out, outsize, "%.*s", (int)len, v);
			return;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

static json_t *call(const char *method, const char *target, const char *headers, const char *body,
		    int want, struct local_response *resp)
{
	struct local_request in = { method, target, headers, body, body ? strlen(body) : 0, NULL };
	if (http_local(&h.app, &in, resp) != ST_OK || resp->status != want) {
		fprintf(stderr, "fuzz: setup %s %s: %d %s\n", method, target, resp->status,
			resp->body ? resp->body : "");
		exit(1);
	}
	return resp->body_len ? json_loads(resp->body, 0, NULL) : NULL;
}

static void login_everyone(void)
{
	for (int i = 0; i < FUZZ_NUSERS; i++) {
		const char *u = fuzz_users[i];
		if (strcmp(u, "anon") == 0 || strcmp(u, "bearer") == 0)
			continue;
		char body[200];
		snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"Demo@2026\"}", u);
		struct local_response r;
		json_t *j = call("POST", "/api/v1/auth/login", "Content-Type: application/json",
				 body, 200, &r);
		header_value(r.headers, "Set-Cookie", h.sessions[i].cookie,
			     sizeof(h.sessions[i].cookie));
		const char *csrf = json_string_value(json_object_get(j, "csrf_token"));
		snprintf(h.sessions[i].csrf, sizeof(h.sessions[i].csrf), "%s", csrf ? csrf : "");
		json_decref(j);
		local_response_release(&r);
	}
	/* the leader's API token */
	char headers[400];
	snprintf(headers, sizeof(headers),
		 "Content-Type: application/json\nCookie: %s\nX-CSRF-Token: %s",
		 h.sessions[4].cookie, h.sessions[4].csrf);
	struct local_response r;
	json_t *j = call("POST", "/api/v1/me/tokens", headers, "{\"name\":\"fuzz\"}", 201, &r);
	const char *secret = json_string_value(json_object_get(j, "secret"));
	snprintf(h.token, sizeof(h.token), "%s", secret ? secret : "");
	json_decref(j);
	local_response_release(&r);
}

static void start(void)
{
	log_set_level(LOG_ERROR);
	if (sodium_init() < 0)
		exit(1);
	/* memory-backed when there is one: every commit is an fsync */
	const char *tmp = getenv("TMPDIR");
	struct stat sb;
	if (!tmp || !*tmp)
		tmp = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) ? "/dev/shm" : "/tmp";
	snprintf(h.dir, sizeof(h.dir), "%s/tiejian-fuzz.XXXXXX", tmp);
	if (!mkdtemp(h.dir)) {
		fprintf(stderr, "fuzz: mkdtemp: %s\n", strerror(errno));
		exit(1);
	}
	snprintf(h.db, sizeof(h.db), "%s/t.db", h.dir);
	snprintf(h.template_db, sizeof(h.template_db), "%s/template.db", h.dir);
	snprintf(h.files, sizeof(h.files), "%s/files", h.dir);
	snprintf(h.web, sizeof(h.web), "%s/web", h.dir);
	char assets[320];
	snprintf(assets, sizeof(assets), "%s/assets", h.web);
	if (mkdir(h.web, 0700) != 0 || mkdir(assets, 0700) != 0) {
		fprintf(stderr, "fuzz: mkdir: %s\n", strerror(errno));
		exit(1);
	}
	char file[400];
	snprintf(file, sizeof(file), "%s/index.html", h.web);
	write_file(file, "<!doctype html><title>tiejian</title>\n");
	snprintf(file, sizeof(file), "%s/app.js", assets);
	write_file(file, "console.log(1)\n");

	config_defaults(&h.cfg);
	h.cfg.db_url = h.db;
	h.cfg.web_dir = h.web;
	h.cfg.files_dir = h.files;
	h.cfg.threads = 1;
	h.cfg.access_log = false;
	h.cfg.jobs = false;
	h.cfg.body_max_bytes = 64u << 10;
	h.cfg.upload_max_bytes = 256u << 10;
	h.cfg.session_idle_s = 86400 * 30;
	h.cfg.session_absolute_s = 86400 * 365;
	h.cfg.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
	h.cfg.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
	h.cfg.demo_enterprises = 40;
	open_app();
	h.started = true;
	atexit(at_exit);
	load_demo();
	login_everyone();
	app_close(&h.app);
	copy_file(h.db, h.template_db);
	open_app();
}

struct app *fuzz_app(void)
{
	if (!h.started)
		start();
	return &h.app;
}

const struct fuzz_session *fuzz_session(int i)
{
	fuzz_app();
	return &h.sessions[i];
}

const char *fuzz_token(void)
{
	fuzz_app();
	return h.token;
}

/* Put the database back as it was after the demo, so a long run neither grows nor drifts far
 * from the seeds. */
static void reset_db(void)
{
	h.writes = 0;
	h.requests = 0;
	app_close(&h.app);
	char side[320];
	copy_file(h.template_db, h.db);
	snprintf(side, sizeof(side), "%s-wal", h.db);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", h.db);
	unlink(side);
	remove_tree(h.files);
	open_app();
}

char *fuzz_expand(const char *text)
{
	fuzz_app();
	static const char *const names[] = { "$SESSION", "$CSRF", "$TOKEN" };
	const char *values[] = { h.sessions[4].cookie + strlen("tj_session="), h.sessions[4].csrf,
				 h.token };
	struct str s;
	str_init(&s, 0);
	for (const char *p = text; *p;) {
		int k = -1;
		if (*p == '$')
			for (int i = 0; i < 3; i++)
				if (strncmp(p, names[i], strlen(names[i])) == 0)
					k = i;
		if (k >= 0) {
			str_puts(&s, values[k]);
			p += strlen(names[k]);
		} else {
			str_putc(&s, *p++);
		}
	}
	char *out = str_steal(&s, NULL);
	if (!out)
		abort();
	return out;
}

/* Whether s holds a CJK ideograph (U+4E00..U+9FFF: lead bytes 0xE4..0xE9): a message for a person.
 */
static bool has_cjk(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0xe4 && (unsigned char)*s <= 0xe9)
			return true;
	return false;
}

void fuzz_request(const struct local_request *in, struct local_response *out)
{
	fuzz_app();
	enum status st = http_local(&h.app, in, out);
	FUZZ_CHECK(st == ST_OK, "http_local: %s", status_code(st));
	FUZZ_CHECK(out->status != 500, "%s %s answered 500: %s", in->method, in->target,
		   out->body ? out->body : "");
	bool api = strncmp(in->target, "/api/", 5) == 0;
	if (api && out->status >= 400) {
		json_error_t e;
		json_t *j = json_loads(out->body ? out->body : "", 0, &e);
		json_t *err = json_object_get(j, "error");
		const char *code = json_string_value(json_object_get(err, "code"));
		const char *msg = json_string_value(json_object_get(err, "message"));
		FUZZ_CHECK(code && msg && has_cjk(msg), "%s %s: %d without the JSON error body: %s",
			   in->method, in->target, out->status, out->body ? out->body : "");
		json_decref(j);
	}
	const char *m = in->method;
	if (out->status < 300 && strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0)
		h.writes++;
	if (h.writes >= WRITES_PER_RESET || ++h.requests >= REQUESTS_PER_RESET)
		reset_db();
}
