/* test_scope.c: data scope: the bound values, the rule in C, and the SQL predicate run on SQLite
 * over a small org tree, which must agree with the rule in C for every case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "app/module.h"
#include "auth/principal.h"
#include "auth/scope.h"
#include "db/migrate.h"
#include "lib/log.h"
#include "modules/orgs/orgs.h"
#include "modules/orgs/orgs_sql.h"

#define ALL_KINDS 64 /* every union of the six kinds, 0 included */

/* ---- the fixture ------------------------------------------------------------------------- */

/*
 *  1 /1/ province
 *  ├─ 2 /1/2/ city
 *  │  ├─ 3 /1/2/3/ county        <- the caller's org
 *  │  │  └─ 5 /1/2/3/5/ department
 *  │  │     └─ 6 /1/2/3/5/6/ department
 *  │  ├─ 4 /1/2/4/ department    (a sibling)
 *  │  └─ 30 /1/2/30/ county      (its path starts with "/1/2/3")
 *  └─ 7 /1/7/ city
 */
static const struct {
	int64_t id, parent;
	const char *kind, *path;
} org_rows[] = {
	{ 1, 0, "province", "/1/" },	       { 2, 1, "city", "/1/2/" },
	{ 3, 2, "county", "/1/2/3/" },	       { 5, 3, "department", "/1/2/3/5/" },
	{ 6, 5, "department", "/1/2/3/5/6/" }, { 4, 2, "department", "/1/2/4/" },
	{ 30, 2, "county", "/1/2/30/" },       { 7, 1, "city", "/1/7/" },
};

enum { N_ORGS = sizeof(org_rows) / sizeof(org_rows[0]) };

static const char *path_of(int64_t org_id)
{
	for (size_t i = 0; i < N_ORGS; i++)
		if (org_rows[i].id == org_id)
			return org_rows[i].path;
	return NULL;
}

/* Rows tied to an org, a user and an enterprise (0: none), and whether the caller A below sees
 * each with one kind of scope: ALL, SUBTREE, ORG, SELF, ENTERPRISE, LIAISON. A (user 100) is a
 * liaison of enterprise 88 today, and was one of 99 (no longer active). */
static const struct {
	const char *label;
	int64_t org_id, user_id, enterprise_id;
	bool all, subtree, org, self, enterprise, liaison;
} rows[] = {
	{ "own row", 3, 100, 0, 1, 1, 1, 1, 0, 1 },
	{ "own row in another city", 7, 100, 0, 1, 0, 0, 1, 0, 1 },
	{ "own row without org", 0, 100, 0, 1, 0, 0, 1, 0, 1 },
	{ "same org", 3, 200, 0, 1, 1, 1, 0, 0, 0 },
	{ "child org", 5, 201, 0, 1, 1, 0, 0, 0, 0 },
	{ "grandchild org", 6, 202, 0, 1, 1, 0, 0, 0, 0 },
	{ "parent org", 2, 203, 0, 1, 0, 0, 0, 0, 0 },
	{ "grandparent org", 1, 204, 0, 1, 0, 0, 0, 0, 0 },
	{ "sibling org", 4, 205, 0, 1, 0, 0, 0, 0, 0 },
	{ "org whose path starts the same", 30, 206, 0, 1, 0, 0, 0, 0, 0 },
	{ "another city", 7, 207, 0, 1, 0, 0, 0, 0, 0 },
	{ "own enterprise elsewhere", 7, 300, 77, 1, 0, 0, 0, 1, 0 },
	{ "own enterprise in own org", 3, 301, 77, 1, 1, 1, 0, 1, 0 },
	{ "another enterprise", 7, 302, 88, 1, 0, 0, 0, 0, 1 },
	{ "another enterprise in own org", 3, 303, 88, 1, 1, 1, 0, 0, 1 },
	{ "an enterprise A no longer liaises with", 7, 304, 99, 1, 0, 0, 0, 0, 0 },
	{ "nothing at all", 0, 0, 0, 1, 0, 0, 0, 0, 0 },
};

enum { N_ROWS = sizeof(rows) / sizeof(rows[0]) };

/* The liaison table of the fixture (user, enterprise, active) and the same in C: each caller's
 * enterprises today, ascending, as the principal loads them. */
static const struct {
	int64_t user_id, enterprise_id;
	int active;
} liaison_rows[] = {
	{ 100, 88, 1 }, { 100, 99, 0 }, { 206, 77, 1 }, { 206, 300, 1 }, { 500, 88, 0 },
};
static const int64_t a_liaisons[] = { 88 };
static const int64_t c30_liaisons[] = { 77, 300 };

/* Callers: A is the one the table above is written for. */
static const struct scope callers[] = {
	{ 0, 100, 3, 77, "/1/2/3/", a_liaisons, 1 },	    /* A: county X, enterprise 77 */
	{ 0, 100, 3, 0, "/1/2/3/", a_liaisons, 1 },	    /* no enterprise */
	{ 0, 500, 1, 0, "/1/", NULL, 0 },		    /* at the province */
	{ 0, 206, 30, 88, "/1/2/30/", c30_liaisons, 2 }, /* county 30: must not see county 3 */
	{ 0, 0, 0, 0, NULL, NULL, 0 },			    /* knows nothing about itself */
	{ 0, 999, 6, 0, "/1/2/3/5/6/", NULL, 0 },	    /* a leaf */
};

enum { N_CALLERS = sizeof(callers) / sizeof(callers[0]) };

static struct db *db;

static const struct sql SQL_ORG_INSERT =
	SQL("INSERT INTO orgs (id, parent_id, code, name, kind, path, created_at, updated_at)"
	    " VALUES ($1, $2, $3, $3, $4, $5, 0, 0)");
static const struct sql SQL_LIAISON_INSERT =
	SQL("INSERT INTO liaisons (user_id, enterprise_id, active) VALUES ($1, $2, $3)");
static const struct sql SQL_ROW_INSERT = SQL(
	"INSERT INTO scoped_rows (org_id, user_id, enterprise_id, label) VALUES ($1, $2, $3, $4)"
	" RETURNING id");
/* The predicate as a module writes it, rows tied to their org's path through a join. */
static const struct sql SQL_SCOPED =
	SQL("SELECT r.id FROM scoped_rows r LEFT JOIN orgs o ON o.id = r.org_id WHERE " SCOPE_PRED(
		"o.path", "r.org_id", "r.user_id", "r.enterprise_id") " ORDER BY r.id");
/* With a module parameter after the five scope values. */
static const struct sql SQL_SCOPED_COUNT = SQL(
	"SELECT COUNT(*) FROM scoped_rows r LEFT JOIN orgs o ON o.id = r.org_id WHERE " SCOPE_PRED(
		"o.path", "r.org_id", "r.user_id", "r.enterprise_id") " AND r.id <= $6");

static int setup(void **state)
{
	(void)state;
	log_set_level(LOG_WARN);
	char err[256];
	if (db_open(":memory:", &db, err, sizeof(err)) != ST_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	/* The real schema of the org tree, through its module's migrations. */
	const struct migration_set sets[] = { { orgs_module.name, orgs_module.migrations } };
	if (migrate_apply(db, sets, 1, NULL) != ST_OK)
		return -1;
	if (db_exec_script(
		    db,
		    "CREATE TABLE scoped_rows (id @ID@,"
		    " org_id BIGINT REFERENCES orgs(id), user_id BIGINT, enterprise_id BIGINT,"
		    " label TEXT NOT NULL)",
		    NULL) != ST_OK)
		return -1;
	/* The columns of the liaison module's table that the liaison scope reads. */
	if (db_exec_script(db,
			   "CREATE TABLE liaisons (id @ID@, user_id BIGINT NOT NULL,"
			   " enterprise_id BIGINT NOT NULL, active INTEGER NOT NULL)",
			   NULL) != ST_OK)
		return -1;
	for (size_t i = 0; i < sizeof(liaison_rows) / sizeof(liaison_rows[0]); i++)
		if (db_exec(db, &SQL_LIAISON_INSERT,
			    DB_ARGS(db_int(liaison_rows[i].user_id),
				    db_int(liaison_rows[i].enterprise_id),
				    db_int(liaison_rows[i].active)),
			    NULL) != ST_OK)
			return -1;
	for (size_t i = 0; i < N_ORGS; i++) {
		char code[16];
		snprintf(code, sizeof(code), "org%lld", (long long)org_rows[i].id);
		if (db_exec(db, &SQL_ORG_INSERT,
			    DB_ARGS(db_int(org_rows[i].id), db_id_or_null(org_rows[i].parent),
				    db_text(code), db_text(org_rows[i].kind),
				    db_text(org_rows[i].path)),
			    NULL) != ST_OK) {
			fprintf(stderr, "%s\n", db_errmsg(db));
			return -1;
		}
	}
	for (size_t i = 0; i < N_ROWS; i++) {
		int64_t id;
		if (db_int1(db, &SQL_ROW_INSERT,
			    DB_ARGS(db_id_or_null(rows[i].org_id), db_id_or_null(rows[i].user_id),
				    db_id_or_null(rows[i].enterprise_id), db_text(rows[i].label)),
			    &id) != ST_OK ||
		    id != (int64_t)i + 1) {
			fprintf(stderr, "%s\n", db_errmsg(db));
			return -1;
		}
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

static bool row_allowed(const struct scope *s, size_t i)
{
	return scope_allows(s, path_of(rows[i].org_id), rows[i].org_id, rows[i].user_id,
			    rows[i].enterprise_id);
}

static void describe(unsigned kinds, char *out, size_t outlen)
{
	out[0] = '\0';
	size_t n = 0;
	for (unsigned k = 1; k < ALL_KINDS; k <<= 1)
		if (kinds & k)
			n += (size_t)snprintf(out + n, outlen - n, "%s%s", n ? "+" : "",
					      scope_code((enum scope_kind)k));
	if (!n)
		snprintf(out, outlen, "none");
}

/* ---- names ------------------------------------------------------------------------------- */

static void codes_and_names(void **state)
{
	(void)state;
	static const struct {
		enum scope_kind k;
		const char *code, *name;
	} want[] = {
		{ SCOPE_SELF, "self", "本人" }, { SCOPE_ENTERPRISE, "enterprise", "本企业" },
		{ SCOPE_ORG, "org", "本机构" }, { SCOPE_SUBTREE, "subtree", "本机构及下级" },
		{ SCOPE_ALL, "all", "全部" },	  { SCOPE_LIAISON, "liaison", "本人包联企业" },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(scope_from_code(want[i].code), want[i].k);
		assert_string_equal(scope_code(want[i].k), want[i].code);
		assert_string_equal(scope_name(want[i].k), want[i].name);
	}
	assert_int_equal(scope_from_code(""), -1);
	assert_int_equal(scope_from_code("ALL"), -1);
	assert_int_equal(scope_from_code("al"), -1);
	assert_int_equal(scope_from_code("all "), -1);
	assert_null(scope_code((enum scope_kind)0));
	assert_null(scope_code((enum scope_kind)(SCOPE_ORG | SCOPE_SELF)));
	assert_null(scope_name((enum scope_kind)64));
}

/* ---- the bound values -------------------------------------------------------------------- */

static void filter_args_for_every_union(void **state)
{
	(void)state;
	for (size_t c = 0; c < N_CALLERS; c++) {
		for (unsigned kinds = 0; kinds < ALL_KINDS; kinds++) {
			struct scope s = callers[c];
			s.kinds = kinds;
			struct db_val args[SCOPE_NARGS + 1];
			args[SCOPE_NARGS] = db_text("untouched");
			scope_filter_args(&s, args);
			char what[64];
			describe(kinds, what, sizeof(what));

			/* $1: 1 when ALL, else 2 when LIAISON (of a known user), else 0 (never
			 * NULL) */
			bool liaison = (kinds & SCOPE_LIAISON) && s.user_id > 0;
			assert_int_equal(args[0].type, DB_T_INT);
			assert_int_equal(args[0].i, (kinds & SCOPE_ALL) ? 1 : liaison ? 2 : 0);
			/* $2: the org path when SUBTREE and known */
			if ((kinds & SCOPE_SUBTREE) && s.org_path) {
				assert_int_equal(args[1].type, DB_T_TEXT);
				assert_ptr_equal(args[1].p, s.org_path); /* points into s */
				assert_int_equal(args[1].len, strlen(s.org_path));
			} else if (args[1].type != DB_T_NULL) {
				fail_msg("caller %zu %s: $2 is not NULL", c, what);
			}
			/* $3, $4, $5: the org, user and enterprise ids when that kind and known
			 * (the user also for LIAISON: its own rows, and whose liaisons) */
			const struct {
				unsigned kind;
				int64_t id;
			} ids[] = { { SCOPE_ORG, s.org_id },
				    { SCOPE_SELF | SCOPE_LIAISON, s.user_id },
				    { SCOPE_ENTERPRISE, s.enterprise_id } };
			for (int k = 0; k < 3; k++) {
				const struct db_val *v = &args[2 + k];
				if ((kinds & ids[k].kind) && ids[k].id > 0) {
					assert_int_equal(v->type, DB_T_INT);
					assert_int_equal(v->i, ids[k].id);
				} else if (v->type != DB_T_NULL) {
					fail_msg("caller %zu %s: $%d is not NULL", c, what, 3 + k);
				}
			}
			/* exactly five values written */
			assert_int_equal(args[SCOPE_NARGS].type, DB_T_TEXT);
			assert_string_equal(args[SCOPE_NARGS].p, "untouched");
		}
	}
}

/* ---- the rule in C ----------------------------------------------------------------------- */

/* Caller A with each single kind, against the table written by hand. */
static void allows_each_relation(void **state)
{
	(void)state;
	static const unsigned single[] = { SCOPE_ALL,  SCOPE_SUBTREE,	 SCOPE_ORG,
					   SCOPE_SELF, SCOPE_ENTERPRISE, SCOPE_LIAISON };
	for (size_t i = 0; i < N_ROWS; i++) {
		const bool want[] = { rows[i].all,  rows[i].subtree,	rows[i].org,
				      rows[i].self, rows[i].enterprise, rows[i].liaison };
		for (int k = 0; k < 6; k++) {
			struct scope s = callers[0];
			s.kinds = single[k];
			if (row_allowed(&s, i) != want[k])
				fail_msg("%s with scope %s: allowed = %d, want %d", rows[i].label,
					 scope_code((enum scope_kind)single[k]), !want[k], want[k]);
		}
		/* A union sees what any of its kinds sees; no kind sees nothing. */
		for (unsigned kinds = 0; kinds < ALL_KINDS; kinds++) {
			bool any = false;
			for (int k = 0; k < 6; k++)
				if (kinds & single[k])
					any = any || want[k];
			struct scope s = callers[0];
			s.kinds = kinds;
			char what[64];
			describe(kinds, what, sizeof(what));
			if (row_allowed(&s, i) != any)
				fail_msg("%s with scope %s: allowed = %d, want %d", rows[i].label,
					 what, !any, any);
		}
	}
}

/* The other callers, on the cases that matter for each. */
static void allows_other_callers(void **state)
{
	(void)state;
	struct scope s = callers[3]; /* county 30, enterprise 88 */
	s.kinds = SCOPE_SUBTREE;
	for (size_t i = 0; i < N_ROWS; i++)
		assert_int_equal(row_allowed(&s, i), rows[i].org_id == 30);
	s.kinds = SCOPE_ENTERPRISE;
	for (size_t i = 0; i < N_ROWS; i++)
		assert_int_equal(row_allowed(&s, i), rows[i].enterprise_id == 88);
	s.kinds = SCOPE_LIAISON; /* its own rows, and enterprise 77 */
	for (size_t i = 0; i < N_ROWS; i++)
		assert_int_equal(row_allowed(&s, i),
				 rows[i].user_id == 206 || rows[i].enterprise_id == 77);

	s = callers[2]; /* the province sees every row that has an org */
	s.kinds = SCOPE_SUBTREE;
	for (size_t i = 0; i < N_ROWS; i++)
		assert_int_equal(row_allowed(&s, i), rows[i].org_id != 0);
	s.kinds = SCOPE_ORG;
	for (size_t i = 0; i < N_ROWS; i++)
		assert_int_equal(row_allowed(&s, i), rows[i].org_id == 1);

	s = callers[4]; /* a caller with no ids sees nothing but through ALL */
	for (unsigned kinds = 0; kinds < ALL_KINDS; kinds++) {
		s.kinds = kinds;
		for (size_t i = 0; i < N_ROWS; i++)
			assert_int_equal(row_allowed(&s, i), (kinds & SCOPE_ALL) != 0);
	}

	s = callers[1]; /* no enterprise: ENTERPRISE alone sees nothing, not the rows without one */
	s.kinds = SCOPE_ENTERPRISE;
	for (size_t i = 0; i < N_ROWS; i++)
		assert_false(row_allowed(&s, i));
	assert_false(scope_allows(&s, "/1/2/3/", 3, 100, 0));
	s.kinds = SCOPE_SELF;
	assert_true(scope_allows(&s, NULL, 0, 100, 0));
	assert_false(scope_allows(&s, NULL, 0, 0, 0));
	s.kinds = SCOPE_SUBTREE;
	assert_false(scope_allows(&s, NULL, 3, 100, 0)); /* no path given: not by path */
	assert_true(scope_allows(&s, "/1/2/3/", 0, 0, 0));
	assert_false(scope_allows(&s, "/1/2/", 0, 0, 0));
	assert_false(scope_allows(&s, "/1/2/30/", 0, 0, 0));
	assert_false(scope_allows(&s, "", 0, 0, 0));
}

/* ---- the SQL predicate ------------------------------------------------------------------- */

static void sql_agrees_with_c(void **state)
{
	(void)state;
	long checked = 0;
	for (size_t c = 0; c < N_CALLERS; c++) {
		for (unsigned kinds = 0; kinds < ALL_KINDS; kinds++) {
			struct scope s = callers[c];
			s.kinds = kinds;
			struct db_val args[SCOPE_NARGS];
			scope_filter_args(&s, args);
			bool seen[N_ROWS] = { false };
			struct db_res *r = db_query(db, &SQL_SCOPED, args, SCOPE_NARGS);
			while (db_next(r)) {
				int64_t id = db_col_int(r, 0);
				assert_true(id >= 1 && id <= N_ROWS);
				seen[id - 1] = true;
			}
			assert_int_equal(db_done(r), ST_OK);
			char what[64];
			describe(kinds, what, sizeof(what));
			int64_t want_count = 0;
			for (size_t i = 0; i < N_ROWS; i++) {
				bool want = row_allowed(&s, i);
				if (seen[i] != want)
					fail_msg("caller %zu, scope %s, row \"%s\": SQL %d, C %d",
						 c, what, rows[i].label, seen[i], want);
				if (want && i < 8)
					want_count++;
				checked++;
			}
			/* The module's own parameters follow at $6. */
			struct db_val args6[SCOPE_NARGS + 1];
			scope_filter_args(&s, args6);
			args6[SCOPE_NARGS] = db_int(8);
			int64_t count = -1;
			assert_int_equal(
				db_int1(db, &SQL_SCOPED_COUNT, args6, SCOPE_NARGS + 1, &count),
				ST_OK);
			assert_int_equal(count, want_count);
		}
	}
	assert_int_equal(checked, N_CALLERS * ALL_KINDS * N_ROWS);
}

/* The org module's own tree query, scoped with SCOPE_PRED(path, id, NULL, NULL). */
static void orgs_tree_agrees_with_c(void **state)
{
	(void)state;
	for (size_t c = 0; c < N_CALLERS; c++) {
		for (unsigned kinds = 0; kinds < ALL_KINDS; kinds++) {
			struct scope s = callers[c];
			s.kinds = kinds;
			struct db_val args[SCOPE_NARGS];
			scope_filter_args(&s, args);
			bool seen[N_ORGS] = { false };
			struct db_res *r = db_query(db, &SQL_ORGS_TREE, args, SCOPE_NARGS);
			while (db_next(r)) {
				int64_t id = db_col_int(r, 0);
				size_t i = 0;
				while (i < N_ORGS && org_rows[i].id != id)
					i++;
				assert_true(i < N_ORGS);
				seen[i] = true;
			}
			assert_int_equal(db_done(r), ST_OK);
			for (size_t i = 0; i < N_ORGS; i++) {
				bool want =
					scope_allows(&s, org_rows[i].path, org_rows[i].id, 0, 0);
				if (seen[i] != want) {
					char what[64];
					describe(kinds, what, sizeof(what));
					fail_msg("caller %zu, scope %s, org %s: SQL %d, C %d", c,
						 what, org_rows[i].path, seen[i], want);
				}
			}
		}
	}
}

/* ---- a principal's scope for one permission ---------------------------------------------- */

static void principal_scope_is_union_of_granting_roles(void **state)
{
	(void)state;
	struct principal u;
	memset(&u, 0, sizeof(u));
	u.user_id = 100;
	u.org_id = 3;
	u.enterprise_id = 77;
	u.org_path = "/1/2/3/";

	struct scope s;
	principal_scope(&u, PERM_LOGIN, &s); /* no roles: still SELF */
	assert_int_equal(s.kinds, SCOPE_SELF);
	principal_scope(&u, PERM_ENTERPRISE_READ, &s);
	assert_int_equal(s.kinds, 0);
	assert_int_equal(s.user_id, 100);
	assert_int_equal(s.org_id, 3);
	assert_int_equal(s.enterprise_id, 77);
	assert_string_equal(s.org_path, "/1/2/3/");

	u.nroles = 3;
	u.roles[0].scope = SCOPE_ORG;
	permset_add(&u.roles[0].perms, PERM_ENTERPRISE_READ);
	u.roles[1].scope = SCOPE_SUBTREE;
	permset_add(&u.roles[1].perms, PERM_ENTERPRISE_READ);
	permset_add(&u.roles[1].perms, PERM_ORG_READ);
	u.roles[2].scope = SCOPE_ALL;
	permset_add(&u.roles[2].perms, PERM_AUDIT_READ);

	principal_scope(&u, PERM_ENTERPRISE_READ, &s);
	assert_int_equal(s.kinds, SCOPE_ORG | SCOPE_SUBTREE);
	principal_scope(&u, PERM_ORG_READ, &s);
	assert_int_equal(s.kinds, SCOPE_SUBTREE);
	principal_scope(&u, PERM_AUDIT_READ, &s);
	assert_int_equal(s.kinds, SCOPE_ALL);
	principal_scope(&u, PERM_USER_WRITE, &s);
	assert_int_equal(s.kinds, 0);
	principal_scope(&u, PERM_LOGIN, &s);
	assert_int_equal(s.kinds, SCOPE_ORG | SCOPE_SUBTREE | SCOPE_ALL | SCOPE_SELF);
	principal_scope(&u, PERM_PUBLIC, &s);
	assert_int_equal(s.kinds, SCOPE_ORG | SCOPE_SUBTREE | SCOPE_ALL | SCOPE_SELF);
	/* Only the roles counted in nroles count. */
	u.nroles = 1;
	principal_scope(&u, PERM_AUDIT_READ, &s);
	assert_int_equal(s.kinds, 0);
	principal_scope(&u, PERM_ENTERPRISE_READ, &s);
	assert_int_equal(s.kinds, SCOPE_ORG);
	/* A liaison role: the principal's enterprises travel with the scope. */
	static const int64_t mine[] = { 5, 9 };
	u.liaison_ids = mine;
	u.nliaison = 2;
	u.roles[1].scope = SCOPE_LIAISON;
	u.nroles = 2;
	principal_scope(&u, PERM_ORG_READ, &s);
	assert_int_equal(s.kinds, SCOPE_LIAISON);
	assert_ptr_equal(s.liaison_ids, mine);
	assert_int_equal(s.nliaison, 2);
	assert_true(scope_allows(&s, NULL, 0, 0, 9));
	assert_false(scope_allows(&s, NULL, 0, 0, 7));
	assert_true(scope_allows(&s, NULL, 0, 100, 0)); /* its own row */
}

/* The liaison scope needs the user: without one it sees nothing, in SQL and in C. */
static void liaison_needs_a_user(void **state)
{
	(void)state;
	struct scope s = { SCOPE_LIAISON, 0, 3, 77, "/1/2/3/", a_liaisons, 1 };
	struct db_val args[SCOPE_NARGS];
	scope_filter_args(&s, args);
	assert_int_equal(args[0].i, 0);
	assert_int_equal(args[3].type, DB_T_NULL);
	for (size_t i = 0; i < N_ROWS; i++)
		assert_false(row_allowed(&s, i));
	/* an empty list in C, rows in SQL only for active assignments */
	s = (struct scope){ SCOPE_LIAISON, 100, 3, 0, "/1/2/3/", NULL, 0 };
	assert_false(scope_allows(&s, NULL, 0, 0, 88));
	assert_true(scope_allows(&s, NULL, 0, 100, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(codes_and_names),
		cmocka_unit_test(filter_args_for_every_union),
		cmocka_unit_test(allows_each_relation),
		cmocka_unit_test(allows_other_callers),
		cmocka_unit_test(sql_agrees_with_c),
		cmocka_unit_test(orgs_tree_agrees_with_c),
		cmocka_unit_test(principal_scope_is_union_of_granting_roles),
		cmocka_unit_test(liaison_needs_a_user),
	};
	return cmocka_run_group_tests_name("scope", tests, setup, teardown);
}
