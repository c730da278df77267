/* perm.h: every permission of tiejian, one enum and one table; roles grant sets of them. */
#ifndef TIEJIAN_PERM_H
#define TIEJIAN_PERM_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Routes name one permission each. PERM_PUBLIC needs no login; PERM_LOGIN needs a login and
 * nothing more. A module that adds permissions adds them here and to perm_table in perm.c.
 */
enum perm {
	PERM_PUBLIC = 0,
	PERM_LOGIN,
	/* system administrator 系统管理员 */
	PERM_ORG_READ,
	PERM_ORG_WRITE,
	PERM_USER_READ,
	PERM_USER_WRITE,
	PERM_CALENDAR_WRITE,
	/* security administrator 安全管理员 */
	PERM_ROLE_READ,
	PERM_ROLE_WRITE,
	/* audit administrator 审计管理员 */
	PERM_AUDIT_READ,
	/* business data */
	PERM_ENTERPRISE_READ,
	PERM_ENTERPRISE_WRITE,
	PERM_ENTERPRISE_CREATE,
	PERM_ENTERPRISE_IMPORT,
	PERM_ENTERPRISE_EXPORT,
	PERM_ENTERPRISE_ADMIN,
	/* appeals 诉求 (docs/appeals.md says which role does what) */
	PERM_APPEAL_READ,
	PERM_APPEAL_CREATE,
	PERM_APPEAL_DISPATCH,
	PERM_APPEAL_HANDLE,
	PERM_APPEAL_SUPERVISE,
	PERM_APPEAL_APPROVE,
	PERM_APPEAL_STATS,
	PERM_APPEAL_ADMIN,
	PERM_CASE_READ,
	PERM_CASE_WRITE,
	/* system administrator: the outgoing webhook */
	PERM_NOTIFY_ADMIN,
	/* liaison and visits 包联走访 (docs/liaison.md says which role does what) */
	PERM_LIAISON_READ,
	PERM_LIAISON_ASSIGN,
	PERM_LIAISON_ADMIN,
	PERM_LIAISON_STATS,
	PERM_VISIT_READ,
	PERM_VISIT_WRITE,
	PERM_VISIT_FEEDBACK,
	PERM__COUNT
};

struct perm_def {
	const char *code;  /* "org.read", stored in role_perms */
	const char *name;  /* 中文名 */
	const char *group; /* 中文分组, for the console */
};

/* Indexed by enum perm; PERM_PUBLIC and PERM_LOGIN have NULL codes (never granted). */
extern const struct perm_def perm_table[PERM__COUNT];

/* The permission with this code, or -1. */
int perm_from_code(const char *code);

/* A set of permissions. */
struct permset {
	uint64_t bits[(PERM__COUNT + 63) / 64];
};

static inline void permset_add(struct permset *s, enum perm p)
{
	s->bits[p / 64] |= 1ULL << (p % 64);
}
static inline bool permset_has(const struct permset *s, enum perm p)
{
	return (s->bits[p / 64] >> (p % 64)) & 1;
}

#endif
