/* scope.h: data scope, the one place that turns the caller into a query predicate. */
#ifndef TIEJIAN_SCOPE_H
#define TIEJIAN_SCOPE_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/*
 * A role has one data scope. A user with several roles gets, for the permission a route needs,
 * the union of the scopes of the roles that grant it. The union is a bit set.
 */
enum scope_kind {
	SCOPE_SELF = 1,       /* 本人: rows the user owns */
	SCOPE_ENTERPRISE = 2, /* 本企业: rows of the user's enterprise */
	SCOPE_ORG = 4,        /* 本机构: rows of the user's own org */
	SCOPE_SUBTREE = 8,    /* 本机构及下级: the org and every org below it */
	SCOPE_ALL = 16,       /* 全部 */
	SCOPE_LIAISON = 32,   /* 本人包联: rows of the enterprises the user is a liaison of today
			       * (the liaisons table of the liaison module), and rows the user owns */
};

/* "all", "subtree", "org", "self", "enterprise", "liaison" <-> the kind; -1 / NULL when
 * unknown. */
int scope_from_code(const char *code);
const char *scope_code(enum scope_kind k);
const char *scope_name(enum scope_kind k);

struct scope {
	unsigned kinds; /* union of enum scope_kind; 0 sees nothing */
	int64_t user_id;
	int64_t org_id;
	int64_t enterprise_id;
	const char *org_path; /* "/1/7/42/" */
	/* LIAISON, for scope_allows(): the ids of the enterprises the user is a liaison of today,
	 * ascending (loaded with the principal; SQL reads the same rows itself). Borrowed. */
	const int64_t *liaison_ids;
	size_t nliaison;
};

/*
 * The predicate. A scoped statement starts its parameters with the five scope values, so its
 * text is constant and its plan cached; module parameters start at $6. The module names the
 * columns that tie a row to an org path, an org id, a user and an enterprise ("NULL" where the
 * row has none):
 *
 *   "SELECT ... FROM enterprise e JOIN orgs o ON o.id = e.org_id WHERE "
 *       SCOPE_PRED("o.path", "e.org_id", "NULL", "e.id") " AND e.id = $6"
 *
 * $1 is 1 for ALL, 2 for LIAISON (then $4 is the user), else 0. The liaison scope reads the
 * liaison module's table: the enterprise has a current assignment (liaisons.active) of the
 * user $4. Evaluated only when $1 is 2, so nobody else pays for it.
 */
#define SCOPE_PRED(path_col, org_col, user_col, ent_col)                                           \
	"(CAST($1 AS INTEGER) = 1 OR " path_col " LIKE CAST($2 AS TEXT) || '%' OR " org_col          \
	" = CAST($3 AS BIGINT) OR " user_col " = CAST($4 AS BIGINT) OR " ent_col                 \
	" = CAST($5 AS BIGINT) OR (CAST($1 AS INTEGER) = 2 AND " ent_col                          \
	" IN (SELECT scope_l.enterprise_id FROM liaisons scope_l"                                  \
	" WHERE scope_l.user_id = CAST($4 AS BIGINT) AND scope_l.active = 1)))"
#define SCOPE_NARGS 5

/* Fill args[0..SCOPE_NARGS) for s. Nothing is allocated; args point into s. */
void scope_filter_args(const struct scope *s, struct db_val *args);

/* True when s includes a row with these ties (the same rule as SCOPE_PRED, in C, for rows
 * already loaded and for tests). */
bool scope_allows(const struct scope *s, const char *row_org_path, int64_t row_org_id,
		  int64_t row_user_id, int64_t row_enterprise_id);

#endif
