/* principal.h: who is calling: the user, their org, enterprise, roles and permissions. */
#ifndef TIEJIAN_PRINCIPAL_H
#define TIEJIAN_PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/perm.h"
#include "auth/scope.h"

#define PRINCIPAL_MAX_ROLES 8

struct principal_role {
	const char *code;
	const char *name;
	enum scope_kind scope;
	struct permset perms;
};

/* Ownership: strings live in the request's arena. */
struct principal {
	int64_t user_id;
	const char *username;
	const char *display_name;
	int64_t org_id;
	const char *org_code;
	const char *org_name;
	const char *org_kind;
	const char *org_path;
	const char *org_region_code; /* GB/T 2260 code of the org's area, or NULL */
	int64_t enterprise_id; /* 0 unless an enterprise user */
	const char *enterprise_name;
	bool must_change_password;
	int64_t last_login_at;
	int64_t session_id; /* 0 when authenticated by an API token */
	int64_t token_id;   /* 0 when authenticated by a session */
	const char *csrf_token;
	struct permset perms; /* union of the roles' permissions */
	int nroles;
	struct principal_role roles[PRINCIPAL_MAX_ROLES];
	/* When a role has the liaison scope: the enterprises the user is a liaison of today,
	 * ascending (see struct scope). */
	const int64_t *liaison_ids;
	size_t nliaison;
};

/* The scope this principal has for permission p: the union of the scopes of the roles that
 * grant p (PERM_LOGIN: the union of all roles, at least SELF), with the principal's liaison
 * enterprises. */
void principal_scope(const struct principal *u, enum perm p, struct scope *out);

#endif
