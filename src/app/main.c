/* main.c: the tiejian command line: serve, migrate, user add, demo, audit verify, backup,
 * calendar import, version. */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <microhttpd.h>
#include <jansson.h>
#include <unistd.h>

#include "app/app_init.h"
#include "app/migrate_data.h"
#include "app/module.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "http/server.h"
#include "http/metrics.h"
#include "lib/heap.h"
#include "lib/log.h"
#include "modules/appeals/appeals.h"
#include "modules/calendar/calendar.h"
#include "modules/enterprises/enterprises.h"
#include "modules/users/users.h"

#define TIEJIAN_VERSION "0.1.0"

static const char *const usage_main =
	"tiejian " TIEJIAN_VERSION " — 铁肩, the working platform of an industry and IT bureau\n"
	"\n"
	"usage: tiejian COMMAND [--db PATH|postgres://...] [options]\n"
	"\n"
	"commands:\n"
	"  serve            migrate, then serve the API and the console\n"
	"  migrate          apply pending schema migrations\n"
	"  user add         create a user (password read from stdin)\n"
	"  user passwd      set a user's password (stdin); the way to keep administrators' accounts\n"
	"  demo             load the demo city (orgs, enterprises, one user per role)\n"
	"  audit verify     check the audit log's hash chain\n"
	"  backup OUT       copy the database online (SQLite: checked copy; PostgreSQL: pg_dump)\n"
	"  migrate-data --from FILE.db --to postgres://...   move a SQLite database to PostgreSQL\n"
	"  calendar import FILE   load a year's holidays and adjusted working days (CSV)\n"
	"  regions import FILE    load administrative divisions (CSV, as data/regions.csv)\n"
	"  upkeep           merge the appeal search index now (what a daily job does)\n"
	"  version          print the version\n"
	"\n"
	"Every command takes --db (default ./tiejian.db, or $TIEJIAN_DB). `tiejian COMMAND --help`\n"
	"describes each.\n";

static const char *const usage_serve =
	"usage: tiejian serve [options]\n"
	"  --db PATH|URL          database (default ./tiejian.db or $TIEJIAN_DB)\n"
	"  --listen HOST:PORT     address to listen on (default 127.0.0.1:8080; port 0 picks one)\n"
	"  --threads N            HTTP worker threads (default: number of cores)\n"
	"  --web DIR              built console to serve (default web/dist)\n"
	"  --tls                  behind a TLS proxy: Secure cookies, HSTS\n"
	"  --trust-proxy          take the client address from X-Real-IP (proxy on loopback)\n"
	"  --no-access-log        no access-log lines\n"
	"  --no-jobs              do not run background jobs in this process\n"
	"  --job-interval S       how often to look for due jobs (default 10)\n"
	"  --login-rate N/S       login attempts per source address per window (default 30/60)\n"
	"  --lock N/S             failed logins that lock an account, and for how long (5/900)\n"
	"  --session-idle S       idle timeout of a session (default 1800)\n"
	"  --session-max S        absolute lifetime of a session (default 43200)\n"
	"  --body-max BYTES       largest JSON body (default 1048576)\n"
	"  --upload-max BYTES     largest upload (default 20971520)\n"
	"  --pwhash-concurrency N password hashes at once (default: half the cores)\n"
	"  --commit-wait-us N     how long the writer of a batch of filings waits for more to\n"
	"                         share its commit (default 0; PostgreSQL's commit_delay)\n"
	"  --test-clock           tests only: allow POST /api/v1/test/clock to move time\n"
	"  --files DIR            where uploaded attachments are kept, outside any served folder\n"
	"                         (default: FILE.db.files next to a SQLite database,\n"
	"                         ./tiejian-files with PostgreSQL)\n";

static const char *const usage_user_add =
	"usage: tiejian user add --username U --role ROLE[,ROLE] --org ORG_CODE\n"
	"                        [--name DISPLAY_NAME] [--enterprise USCC] [--db PATH]\n"
	"The password is read from the first line of stdin. The user must change it at first\n"
	"login. Roles: sysadmin secadmin auditadmin leader supervisor handler cadre\n"
	"statistician enterprise.\n";

static const char *const usage_migrate_data =
	"usage: tiejian migrate-data --from FILE.db --to postgres://USER@HOST/DB [--force]\n"
	"Copies every table of a SQLite database into PostgreSQL in one transaction: the target\n"
	"is migrated, rows are copied in foreign-key order, the row counts of every table are\n"
	"compared, identity sequences continue after the copied ids, and the audit chain is\n"
	"verified on the target before the commit. Any failure leaves the target as it was (run\n"
	"it again). Stop the servers first; the source is read under its write lock and must be\n"
	"migrated by this version. The target must have no tables; --force drops every table\n"
	"and function in its schema first. See docs/operations.md.\n";

static struct config cfg;

static const char *env_db(void)
{
	const char *e = getenv("TIEJIAN_DB");
	return e && *e ? e : "./tiejian.db";
}

static bool parse_pair(const char *s, int *a, int *b)
{
	int64_t x, y;
	const char *slash = strchr(s, '/');
	if (!slash)
		return false;
	char left[24];
	size_t n = (size_t)(slash - s);
	if (n == 0 || n >= sizeof(left))
		return false;
	memcpy(left, s, n);
	left[n] = '\0';
	if (!str_to_i64(left, 1, 1000000, &x) || !str_to_i64(slash + 1, 1, 100000000, &y))
		return false;
	*a = (int)x;
	*b = (int)y;
	return true;
}

static int64_t num_arg(const char *flag, const char *v, int64_t min, int64_t max)
{
	int64_t n;
	if (!str_to_i64(v, min, max, &n))
		fatal("%s wants a number from %lld to %lld, not '%s'", flag, (long long)min,
		      (long long)max, v);
	return n;
}

/* Options shared by every command; returns the index of the first non-option. */
enum {
	OPT_DB = 1000, OPT_LISTEN, OPT_THREADS, OPT_WEB, OPT_TLS, OPT_TRUST, OPT_NOLOG, OPT_NOJOBS,
	OPT_JOBINT, OPT_RATE, OPT_LOCK, OPT_IDLE, OPT_MAX, OPT_BODY, OPT_UPLOAD, OPT_PWC, OPT_CWAIT,
	OPT_TESTCLOCK, OPT_USERNAME, OPT_ROLE, OPT_ORG, OPT_NAME, OPT_ENTERPRISE, OPT_FROM, OPT_TO,
	OPT_FORCE, OPT_HELP, OPT_ENTERPRISES, OPT_APPEALS, OPT_FILES, OPT_USERS, OPT_SEED
};

static const struct option long_opts[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"listen", required_argument, NULL, OPT_LISTEN},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"web", required_argument, NULL, OPT_WEB},
	{"tls", no_argument, NULL, OPT_TLS},
	{"trust-proxy", no_argument, NULL, OPT_TRUST},
	{"no-access-log", no_argument, NULL, OPT_NOLOG},
	{"no-jobs", no_argument, NULL, OPT_NOJOBS},
	{"job-interval", required_argument, NULL, OPT_JOBINT},
	{"login-rate", required_argument, NULL, OPT_RATE},
	{"lock", required_argument, NULL, OPT_LOCK},
	{"session-idle", required_argument, NULL, OPT_IDLE},
	{"session-max", required_argument, NULL, OPT_MAX},
	{"body-max", required_argument, NULL, OPT_BODY},
	{"upload-max", required_argument, NULL, OPT_UPLOAD},
	{"pwhash-concurrency", required_argument, NULL, OPT_PWC},
	{"commit-wait-us", required_argument, NULL, OPT_CWAIT},
	{"test-clock", no_argument, NULL, OPT_TESTCLOCK},
	{"username", required_argument, NULL, OPT_USERNAME},
	{"role", required_argument, NULL, OPT_ROLE},
	{"org", required_argument, NULL, OPT_ORG},
	{"name", required_argument, NULL, OPT_NAME},
	{"enterprise", required_argument, NULL, OPT_ENTERPRISE},
	{"from", required_argument, NULL, OPT_FROM},
	{"to", required_argument, NULL, OPT_TO},
	{"force", no_argument, NULL, OPT_FORCE},
	{"help", no_argument, NULL, OPT_HELP},
	{"enterprises", required_argument, NULL, OPT_ENTERPRISES},
	{"appeals", required_argument, NULL, OPT_APPEALS},
	{"users", required_argument, NULL, OPT_USERS},
	{"seed", required_argument, NULL, OPT_SEED},
	{"files", required_argument, NULL, OPT_FILES},
	{NULL, 0, NULL, 0},
};

struct cli {
	const char *username, *roles, *org, *name, *enterprise;
	const char *from, *to;
	bool force;
	bool help;
};

/* Which options each command accepts (the rest are refused by name). */
static bool allowed(const char *cmd, int opt)
{
	if (strcmp(cmd, "migrate-data") == 0) /* --from and --to, not --db */
		return opt == OPT_HELP || (opt >= OPT_FROM && opt <= OPT_FORCE);
	if (opt == OPT_DB || opt == OPT_HELP)
		return true;
	if (strcmp(cmd, "serve") == 0)
		return (opt >= OPT_LISTEN && opt <= OPT_TESTCLOCK) || opt == OPT_FILES;
	if (strcmp(cmd, "user add") == 0)
		return opt >= OPT_USERNAME && opt <= OPT_ENTERPRISE;
	if (strcmp(cmd, "user passwd") == 0)
		return opt == OPT_USERNAME;
	if (strcmp(cmd, "demo") == 0)
		return opt == OPT_ENTERPRISES || opt == OPT_APPEALS || opt == OPT_USERS ||
		       opt == OPT_SEED;
	return false;
}

static int parse(const char *cmd, int argc, char **argv, struct cli *cli)
{
	memset(cli, 0, sizeof(*cli));
	optind = 1;
	opterr = 0;
	int opt;
	/* Options may follow the file argument too, as the usage lines show them
	 * ("backup OUT --db PATH"): getopt moves the arguments after the options. */
	while ((opt = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (opt == 'h')
			opt = OPT_HELP;
		if (opt == '?' || opt == ':') {
			const char *bad = argv[optind - 1];
			fatal("%s: unknown option or missing value: %s (see tiejian %s --help)", cmd,
			      bad, cmd);
		}
		if (!allowed(cmd, opt))
			fatal("%s: option %s does not apply here (see tiejian %s --help)", cmd,
			      argv[optind - 1 - (optarg ? 1 : 0)], cmd);
		switch (opt) {
		case OPT_DB: cfg.db_url = optarg; break;
		case OPT_LISTEN: cfg.listen = optarg; break;
		case OPT_THREADS: cfg.threads = (unsigned)num_arg("--threads", optarg, 1, 256); break;
		case OPT_WEB: cfg.web_dir = optarg; break;
		case OPT_TLS: cfg.tls = true; break;
		case OPT_TRUST: cfg.trust_proxy = true; break;
		case OPT_NOLOG: cfg.access_log = false; break;
		case OPT_NOJOBS: cfg.jobs = false; break;
		case OPT_JOBINT: cfg.job_interval_s = (int)num_arg("--job-interval", optarg, 1, 86400); break;
		case OPT_RATE:
			if (!parse_pair(optarg, &cfg.login_rate_max, &cfg.login_rate_window_s))
				fatal("--login-rate wants N/SECONDS, e.g. 30/60");
			break;
		case OPT_LOCK:
			if (!parse_pair(optarg, &cfg.lock_failures, &cfg.lock_s))
				fatal("--lock wants N/SECONDS, e.g. 5/900");
			break;
		case OPT_IDLE: cfg.session_idle_s = (int)num_arg("--session-idle", optarg, 1, 86400 * 30); break;
		case OPT_MAX: cfg.session_absolute_s = (int)num_arg("--session-max", optarg, 1, 86400 * 365); break;
		case OPT_BODY: cfg.body_max_bytes = (size_t)num_arg("--body-max", optarg, 1024, 1 << 30); break;
		case OPT_UPLOAD: cfg.upload_max_bytes = (size_t)num_arg("--upload-max", optarg, 1024, 1LL << 32); break;
		case OPT_PWC: cfg.pwhash_concurrency = (unsigned)num_arg("--pwhash-concurrency", optarg, 1, 64); break;
		case OPT_CWAIT: cfg.commit_wait_us = (int)num_arg("--commit-wait-us", optarg, 0, 1000000); break;
		case OPT_TESTCLOCK: cfg.test_clock = true; break;
		case OPT_USERNAME: cli->username = optarg; break;
		case OPT_ROLE: cli->roles = optarg; break;
		case OPT_ORG: cli->org = optarg; break;
		case OPT_NAME: cli->name = optarg; break;
		case OPT_ENTERPRISE: cli->enterprise = optarg; break;
		case OPT_FROM: cli->from = optarg; break;
		case OPT_TO: cli->to = optarg; break;
		case OPT_FORCE: cli->force = true; break;
		case OPT_HELP: cli->help = true; break;
		case OPT_ENTERPRISES: cfg.demo_enterprises = (long)num_arg("--enterprises", optarg, 1, 10000000); break;
		case OPT_APPEALS: cfg.demo_appeals = (long)num_arg("--appeals", optarg, 1, 100000000); break;
		case OPT_FILES: cfg.files_dir = optarg; break;
		case OPT_USERS: cfg.demo_users = (long)num_arg("--users", optarg, 1, 1000000); break;
		case OPT_SEED: cfg.demo_seed = (unsigned long)num_arg("--seed", optarg, 0, 1000000000); break;
		default: break;
		}
	}
	return optind;
}

static int cmd_serve(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	/* Block before any thread starts, so only the main thread receives them. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	heap_setup();
	if (cfg.test_clock)
		log_warnx("--test-clock is on: the clock can be moved over HTTP (tests only)");
	struct app app;
	if (app_open(&app, &cfg, true) != ST_OK) {
		app_close(&app);
		return 1;
	}
	if (server_start(&app) != ST_OK) {
		app_close(&app);
		return 1;
	}
	struct job_runner jobs = {0};
	if (cfg.jobs)
		jobs_start(&jobs, &app);
	/* The main thread waits for the signal to stop, and meanwhile gives the heaps' free pages
	 * back once a second: all of them after a second without answers, otherwise when they
	 * hold many (heap.h). */
	int sig = -1;
	uint64_t answered = 0;
	while (sig < 0) {
		struct timespec tick = {1, 0};
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig >= 0)
			break;
		uint64_t now = metrics_total(app.metrics);
		if (now == answered)
			heap_trim();
		else
			heap_tidy();
		answered = now;
	}
	log_info("received %s: finishing requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
	server_stop(&app, 10000);
	jobs_stop(&jobs);
	app_close(&app);
	log_info("stopped cleanly");
	return 0;
}

static int cmd_migrate(void)
{
	struct app app;
	enum status st = app_open(&app, &cfg, false);
	app_close(&app);
	if (st)
		return 1;
	printf("database is up to date\n");
	return 0;
}

static int with_db(struct app *app, struct db **db)
{
	if (app_open(app, &cfg, false) != ST_OK || db_pool_get(app->pool, 10000, db) != ST_OK) {
		app_close(app);
		return 1;
	}
	return 0;
}

/* The first line of stdin, checked against the password policy (exits on failure). */
static void read_password(const char *cmd, const char *username, char *line, size_t len)
{
	if (!fgets(line, (int)len, stdin))
		fatal("%s: no password on stdin", cmd);
	line[strcspn(line, "\r\n")] = '\0';
	const char *why;
	if (auth_password_policy(line, username, cfg.password_min_len, cfg.password_min_classes,
				 &why))
		fatal("%s: password refused: %s", cmd, why);
}

static int cmd_user_passwd(struct cli *cli)
{
	if (!cli->username)
		fatal("user passwd needs --username (see tiejian user passwd --help)");
	char line[256];
	read_password("user passwd", cli->username, line, sizeof(line));
	struct app app;
	struct db *db;
	if (with_db(&app, &db))
		return 1;
	char err[256] = "";
	enum status st = auth_user_set_password(&app, db, cli->username, line, true, err,
						sizeof(err));
	sodium_memzero(line, sizeof(line));
	db_pool_put(app.pool, db);
	app_close(&app);
	if (st) {
		fprintf(stderr, "tiejian: user passwd: %s\n", err);
		return 1;
	}
	printf("password of %s set; the account is unlocked, its sessions ended, and the password\n"
	       "must be changed at the next login\n",
	       cli->username);
	return 0;
}

static int cmd_user_add(struct cli *cli)
{
	if (!cli->username || !cli->roles || !cli->org)
		fatal("user add needs --username, --role and --org (see tiejian user add --help)");
	char line[256];
	read_password("user add", cli->username, line, sizeof(line));
	char roles_buf[256];
	snprintf(roles_buf, sizeof(roles_buf), "%s", cli->roles);
	const char *roles[16];
	int n = 0;
	for (char *p = roles_buf; p && *p && n < 15;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		roles[n++] = p;
		p = comma ? comma + 1 : NULL;
	}
	roles[n] = NULL;
	struct app app;
	struct db *db;
	if (with_db(&app, &db))
		return 1;
	if (sodium_init() < 0)
		fatal("libsodium failed to start");
	char err[256] = "";
	int64_t id = 0;
	enum status st = auth_user_create(&app, db, cli->username,
					  cli->name ? cli->name : cli->username, cli->org,
					  cli->enterprise, roles, line, true, &id, err, sizeof(err));
	sodium_memzero(line, sizeof(line));
	db_pool_put(app.pool, db);
	app_close(&app);
	if (st) {
		fprintf(stderr, "tiejian: user add: %s\n", err);
		return 1;
	}
	printf("user %s created (id %lld); the password must be changed at first login\n",
	       cli->username, (long long)id);
	return 0;
}

static int cmd_demo(void)
{
	struct app app;
	struct db *db;
	if (with_db(&app, &db))
		return 1;
	enum status st = ST_OK;
	for (size_t i = 0; i < app.nmodules && !st; i++) {
		const struct module *m = app.modules[i];
		if (!m->demo)
			continue;
		if ((st = db_begin(db)))
			break;
		st = m->demo(&app, db);
		if (st) {
			fprintf(stderr, "tiejian: demo: module %s failed: %s (%s)\n", m->name,
				status_code(st), db_errmsg(db));
			db_rollback(db);
			break;
		}
		st = db_commit(db);
	}
	db_pool_put(app.pool, db);
	app_close(&app);
	if (st)
		return 1;
	users_demo_print_logins(stdout);
	return 0;
}

static int cmd_audit_verify(void)
{
	struct app app;
	struct db *db;
	if (with_db(&app, &db))
		return 1;
	struct audit_verify_result res;
	enum status st = audit_verify(db, &res);
	db_pool_put(app.pool, db);
	app_close(&app);
	if (st == ST_OK) {
		printf("audit log intact: %lld rows, head %s\n", (long long)res.rows, res.last_hash);
		return 0;
	}
	if (st == ST_CONFLICT) {
		printf("audit log BROKEN at row %lld: %s (%lld rows checked)\n",
		       (long long)res.broken_id, res.reason, (long long)res.rows);
		return 2;
	}
	fprintf(stderr, "tiejian: audit verify: %s\n", status_code(st));
	return 1;
}

static int cmd_backup(const char *out)
{
	struct app app;
	struct db *db;
	if (with_db(&app, &db))
		return 1;
	char msg[512];
	enum status st = db_backup(db, out, msg, sizeof(msg));
	db_pool_put(app.pool, db);
	app_close(&app);
	if (st) {
		fprintf(stderr, "tiejian: backup: %s\n", msg);
		return 1;
	}
	printf("%s\n", msg);
	return 0;
}

static int cmd_migrate_data(const struct cli *cli)
{
	if (!cli->from || !cli->to)
		fatal("migrate-data needs --from FILE.db and --to postgres://... (see tiejian "
		      "migrate-data --help)");
	enum status st = migrate_data(cli->from, cli->to, cli->force, stdout);
	if (st)
		return 1;
	printf("done: `tiejian audit verify --db URL` checks the chain again at any time\n");
	return 0;
}

static int cmd_calendar_import(const char *file)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		fatal("calendar import: cannot open %s: %s", file, strerror(errno));
	struct str text;
	str_init(&text, 4u << 20);
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		str_append(&text, buf, n);
	fclose(f);
	if (!str_ok(&text))
		fatal("calendar import: %s is too large", file);
	struct app app;
	struct db *db;
	if (with_db(&app, &db)) {
		str_release(&text);
		return 1;
	}
	char err[300] = "";
	int years = 0, days = 0;
	struct audit_actor who = {0, "cli", NULL, "local", NULL};
	enum status st = calendar_import_csv(db, &who, app_now(&app), text.p, text.len, 0, &years,
					     &days, err, sizeof(err));
	str_release(&text);
	db_pool_put(app.pool, db);
	app_close(&app);
	if (st) {
		fprintf(stderr, "tiejian: calendar import: %s\n", err);
		return 1;
	}
	printf("calendar imported: %d year(s), %d special days\n", years, days);
	return 0;
}

static int cmd_upkeep(void)
{
	struct app app;
	struct db *db;
	if (with_db(&app, &db))
		return 1;
	int steps = 0;
	enum status st = appeals_search_upkeep(db, INT_MAX, &steps); /* until merged */
	db_pool_put(app.pool, db);
	app_close(&app);
	if (st) {
		fprintf(stderr, "tiejian: upkeep: %s\n", status_code(st));
		return 1;
	}
	printf("upkeep: the appeal search index merged in %d step(s)\n", steps);
	return 0;
}

static int cmd_regions_import(const char *file)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		fatal("regions import: cannot open %s: %s", file, strerror(errno));
	struct str text;
	str_init(&text, 16u << 20);
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		str_append(&text, buf, n);
	fclose(f);
	if (!str_ok(&text))
		fatal("regions import: %s is too large", file);
	struct app app;
	struct db *db;
	if (with_db(&app, &db)) {
		str_release(&text);
		return 1;
	}
	char err[300] = "";
	int count = 0;
	struct audit_actor who = {0, "cli", NULL, "local", NULL};
	enum status st = db_begin(db);
	if (!st)
		st = enterprises_regions_import(db, &who, app_now(&app), text.p, text.len, &count,
						err, sizeof(err));
	if (!st)
		st = db_commit(db);
	else
		db_rollback(db);
	str_release(&text);
	db_pool_put(app.pool, db);
	app_close(&app);
	if (st) {
		fprintf(stderr, "tiejian: regions import: %s\n", err[0] ? err : status_code(st));
		return 1;
	}
	printf("regions imported: %d\n", count);
	return 0;
}

/* Hidden (not in the usage): every route of every module, one a line: METHOD PATTERN
 * PERMISSION MODULE FLAGS. tests/api/authz.test.mjs checks that its matrix covers them all. */
static int cmd_routes(void)
{
	for (size_t i = 0; i < app_nmodules; i++) {
		const struct module *m = app_modules[i];
		for (size_t j = 0; j < m->nroutes; j++) {
			const struct route *rt = &m->routes[j];
			const char *perm = rt->perm == PERM_PUBLIC  ? "public"
					   : rt->perm == PERM_LOGIN ? "login"
								    : perm_table[rt->perm].code;
			printf("%s %s %s %s %u\n", rt->method, rt->pattern, perm, m->name, rt->flags);
		}
	}
	return 0;
}

static int cmd_version(void)
{
	printf("tiejian %s (sqlite %s, libmicrohttpd %s, jansson %s, libsodium %s)\n",
	       TIEJIAN_VERSION, sqlite3_libversion(), MHD_get_version(), jansson_version_str(),
	       sodium_version_string());
	return 0;
}

int main(int argc, char **argv)
{
	config_defaults(&cfg);
	cfg.db_url = env_db();
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_main, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (sodium_init() < 0)
		fatal("libsodium failed to start");
	const char *cmd = argv[1];
	char two[64] = "";
	int shift = 1;
	if ((strcmp(cmd, "user") == 0 || strcmp(cmd, "audit") == 0 ||
	     strcmp(cmd, "calendar") == 0 || strcmp(cmd, "regions") == 0)) {
		if (argc < 3 || argv[2][0] == '-')
			fatal("'%s' needs a subcommand (see tiejian --help)", cmd);
		snprintf(two, sizeof(two), "%s %s", cmd, argv[2]);
		cmd = two;
		shift = 2;
	}
	struct cli cli;
	int first = parse(cmd, argc - shift, argv + shift, &cli) + shift;
	int rest = argc - first;
	if (strcmp(cmd, "serve") == 0) {
		if (cli.help) { fputs(usage_serve, stdout); return 0; }
		if (rest) fatal("serve: unexpected argument '%s'", argv[first]);
		return cmd_serve();
	}
	if (strcmp(cmd, "migrate") == 0) {
		if (cli.help) { puts("usage: tiejian migrate [--db PATH|URL]\nApplies every pending schema migration; safe to run again."); return 0; }
		if (rest) fatal("migrate: unexpected argument '%s'", argv[first]);
		return cmd_migrate();
	}
	if (strcmp(cmd, "user add") == 0) {
		if (cli.help) { fputs(usage_user_add, stdout); return 0; }
		if (rest) fatal("user add: unexpected argument '%s'", argv[first]);
		return cmd_user_add(&cli);
	}
	if (strcmp(cmd, "user passwd") == 0) {
		if (cli.help) { puts("usage: tiejian user passwd --username U [--db PATH|URL]\nSets U's password from the first line of stdin, unlocks the account and ends its\nsessions; U must change it at the next login. Administrators' accounts (三员) are\nmaintained this way only: the API refuses to reset, unlock or disable them."); return 0; }
		if (rest) fatal("user passwd: unexpected argument '%s'", argv[first]);
		return cmd_user_passwd(&cli);
	}
	if (strcmp(cmd, "demo") == 0) {
		if (cli.help) { puts("usage: tiejian demo [--enterprises N] [--users N] [--appeals N] [--seed S] [--db PATH|URL]\nLoads the demo city (Qiqihar's real county codes, fictional bureaus,\nenterprises and one user per role, password Demo@2026). Demo use only.\n--enterprises N generates N enterprises instead of 2,000 (the benchmark uses 100,000);\non a database that already has the demo city it adds N more.\n--appeals N adds N generated appeals over the last three years (the benchmark uses\n1,000,000), through the same code paths as the server.\n--users N adds N generated users (the benchmark uses 10,000) over the orgs of the\nprovince, whose other cities' bureaus it adds; password Demo@2026, names user00001...\n--seed S varies what is generated (0, the default, is the demo's own sequence); the\nsame seed and counts give the same rows, dated back from the day of the run."); return 0; }
		if (rest) fatal("demo: unexpected argument '%s'", argv[first]);
		return cmd_demo();
	}
	if (strcmp(cmd, "audit verify") == 0) {
		if (cli.help) { puts("usage: tiejian audit verify [--db PATH|URL]\nWalks the audit log's SM3 hash chain; exit 0 intact, 2 broken (first bad row printed)."); return 0; }
		if (rest) fatal("audit verify: unexpected argument '%s'", argv[first]);
		return cmd_audit_verify();
	}
	if (strcmp(cmd, "backup") == 0) {
		if (cli.help) { puts("usage: tiejian backup OUT [--db PATH|URL]\nSQLite: online copy through SQLite's backup API, then PRAGMA integrity_check on the copy.\nPostgreSQL: runs pg_dump --format=custom (restore with pg_restore); pg_dump must be on\nPATH, of the server's major version. Refuses to overwrite OUT."); return 0; }
		if (rest != 1) fatal("backup needs exactly one argument: the output file");
		return cmd_backup(argv[first]);
	}
	if (strcmp(cmd, "migrate-data") == 0) {
		if (cli.help) { fputs(usage_migrate_data, stdout); return 0; }
		if (rest) fatal("migrate-data: unexpected argument '%s'", argv[first]);
		return cmd_migrate_data(&cli);
	}
	if (strcmp(cmd, "calendar import") == 0) {
		if (cli.help) { puts("usage: tiejian calendar import FILE.csv [--db PATH|URL]\nFILE has the header date,kind,name (kind: holiday or workday) and covers whole\nyears; each year in it replaces that year's schedule."); return 0; }
		if (rest != 1) fatal("calendar import needs exactly one argument: the CSV file");
		return cmd_calendar_import(argv[first]);
	}
	if (strcmp(cmd, "regions import") == 0) {
		if (cli.help) { puts("usage: tiejian regions import FILE.csv [--db PATH|URL]\nFILE has the header code,name,level,parent_code (level: province, prefecture or\ncounty), as written by node scripts/extract-regions.mjs --province NN; existing\ncodes are updated."); return 0; }
		if (rest != 1) fatal("regions import needs exactly one argument: the CSV file");
		return cmd_regions_import(argv[first]);
	}
	if (strcmp(cmd, "upkeep") == 0) {
		if (cli.help) { puts("usage: tiejian upkeep [--db PATH|URL]\nMerges the appeal search index (SQLite's FTS5 segments) into one, in short\ntransactions, as the daily job appeals_search_upkeep does; run it after a bulk\nload (migrate-data, a restore, a large demo). Safe beside a running server."); return 0; }
		if (rest != 0) fatal("upkeep takes no arguments");
		return cmd_upkeep();
	}
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0)
		return cmd_version();
	if (strcmp(cmd, "routes") == 0)
		return cmd_routes();
	fprintf(stderr, "tiejian: unknown command '%s'\n\n%s", cmd, usage_main);
	return 2;
}
