/* config.c: the defaults of DESIGN.md's security section; every number can be changed by flags. */
#include <sodium.h>

#include "app/app.h"

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->db_url = "./tiejian.db";
	c->listen = "127.0.0.1:8080";
	c->web_dir = "web/dist";
	c->threads = 0;
	c->access_log = true;
	c->jobs = true;
	c->body_max_bytes = 1u << 20;
	c->upload_max_bytes = 20u << 20;
	c->json_max_depth = 32;
	c->json_max_string = 64u << 10;
	c->session_idle_s = 30 * 60;
	c->session_absolute_s = 12 * 3600;
	c->lock_failures = 5;
	c->lock_s = 15 * 60;
	c->login_rate_max = 30;
	c->login_rate_window_s = 60;
	c->password_min_len = 8;
	c->password_min_classes = 3;
	c->pwhash_concurrency = 0; /* 0: half the cores, at least one */
	c->pwhash_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	c->pwhash_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	c->job_interval_s = 10;
}
