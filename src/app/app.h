/* app.h: the configuration (read-only after start-up) and struct app, which every part reaches
 * through the request or the job that runs. The only global state of tiejian. */
#ifndef TIEJIAN_APP_H
#define TIEJIAN_APP_H

#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "http/router.h"

struct config {
	const char *db_url;      /* path or postgres:// URL */
	const char *listen;      /* "127.0.0.1:8080", "[::1]:0" */
	const char *web_dir;     /* built console, served as static files */
	unsigned threads;        /* HTTP worker threads; 0 = number of cores */
	bool tls;                /* behind TLS: Secure cookies with the __Host- prefix */
	bool demo;               /* demo mode: demo passwords allowed */
	bool test_clock;         /* tests only: POST /api/v1/test/clock moves the clock */
	bool access_log;
	bool trust_proxy;        /* take X-Real-IP from a proxy on loopback */
	bool jobs;               /* run background jobs in this process */
	size_t body_max_bytes;   /* JSON bodies */
	size_t upload_max_bytes; /* CSV, files */
	int json_max_depth;
	size_t json_max_string;
	int session_idle_s;
	int session_absolute_s;
	int lock_failures;   /* failed logins that lock an account */
	int lock_s;          /* how long */
	int login_rate_max;  /* login attempts per source address per window */
	int login_rate_window_s;
	int password_min_len;
	int password_min_classes;
	unsigned pwhash_concurrency; /* Argon2id hashes running at once */
	unsigned long long pwhash_opslimit;
	size_t pwhash_memlimit;
	int job_interval_s;
	int commit_wait_us;      /* filings: how long a batch's writer waits for more (0: none) */
	long demo_enterprises;   /* tiejian demo --enterprises N; 0 = the demo's own count */
	long demo_appeals;       /* tiejian demo --appeals N: that many generated appeals more */
	long demo_users;         /* tiejian demo --users N: that many generated users more */
	unsigned long demo_seed; /* tiejian demo --seed S: varies the generated rows; 0 = the default */
	const char *files_dir;   /* uploaded files; NULL: next to the database (serve --files) */
};

/* Fill c with the defaults of DESIGN.md's security section. */
void config_defaults(struct config *c);

struct metrics;
struct module;
struct MHD_Daemon;
struct acceptor;

struct app {
	const struct config *cfg;
	struct db_pool *pool;
	struct router router;
	struct metrics *metrics;
	struct MHD_Daemon *mhd;
	struct acceptor *acceptor; /* the listening socket and the thread that accepts from it */
	const struct module *const *modules;
	size_t nmodules;
	_Atomic int64_t clock_offset_s; /* tests move time with it; 0 in production */
	sem_t pwhash_gate;              /* caps concurrent Argon2id */
	unsigned pwhash_slots;          /* its size (the slow lane in server.c sizes itself by it) */
	atomic_long inflight;           /* requests being handled, for graceful shutdown */
	atomic_bool stopping;
	atomic_long jobs_run;
	atomic_long jobs_failed;
	char instance_id[24]; /* names this process when it claims a job */
	char dummy_hash[128]; /* Argon2id of nothing: unknown users cost the same time */
};

/* Wall-clock seconds since the epoch, as the app sees it (real time plus the test offset). */
int64_t app_now(struct app *app);

#endif
