/* users.h: administration of user accounts (system admin) and of roles and grants (security
 * admin), kept apart as 三员分立 asks; the demo users. */
#ifndef TIEJIAN_USERS_H
#define TIEJIAN_USERS_H

#include <stdbool.h>
#include <stdio.h>

#include "auth/perm.h"

struct module;

/* ---- pure rules (users_rules.c) ---- */

/* A username: 3..32 of A-Z a-z 0-9 . _ - @ */
bool users_username_valid(const char *s);
/* A mainland mobile number: 11 digits starting with 1 and a second digit 3..9. */
bool users_mobile_valid(const char *s);
/* Which of the three separated administrators a permission belongs to: 1 system, 2 security,
 * 3 audit, 0 business, -1 the reads every administrator may hold (orgs, users). */
int users_perm_admin_kind(enum perm p);
/* Whether one role (or one user's set of roles) may hold these permissions together: never
 * two kinds of administrator, never an administrator's permissions with business ones.
 * ST_OK or ST_INVALID with a Chinese reason. */
enum status users_perms_compatible(const struct permset *s, const char **why);

/* Print the demo logins (after `tiejian demo`). */
void users_demo_print_logins(FILE *out);

extern const struct module users_module;

#endif
