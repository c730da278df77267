/* users_rules.c: usernames, mobile numbers, and the separation of the three administrators. */
#include "lib/status.h"
#include "modules/users/users.h"

bool users_username_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || c == '@'))
			return false;
	}
	return true;
}

bool users_mobile_valid(const char *s)
{
	if (strlen(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
		return false;
	for (int i = 0; i < 11; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int users_perm_admin_kind(enum perm p)
{
	switch (p) {
	case PERM_ORG_WRITE:
	case PERM_USER_WRITE:
	case PERM_CALENDAR_WRITE:
	case PERM_NOTIFY_ADMIN: /* the outgoing webhook: an integration setting */
		return 1;
	case PERM_ROLE_READ:
	case PERM_ROLE_WRITE:
		return 2;
	case PERM_AUDIT_READ:
		return 3;
	case PERM_ORG_READ:
	case PERM_USER_READ:
		return -1; /* shared: any administrator and leaders read the org tree and users */
	default:
		return 0;
	}
}

enum status users_perms_compatible(const struct permset *s, const char **why)
{
	bool kinds[4] = {false, false, false, false};
	for (int p = PERM_LOGIN + 1; p < PERM__COUNT; p++) {
		if (!permset_has(s, (enum perm)p))
			continue;
		int k = users_perm_admin_kind((enum perm)p);
		if (k >= 0)
			kinds[k] = true;
	}
	int admin = kinds[1] + kinds[2] + kinds[3];
	if (admin > 1) {
		*why = "系统管理员、安全管理员、审计管理员的权限必须分别授予不同的人（三员分立）";
		return ST_INVALID;
	}
	if (admin == 1 && kinds[0]) {
		*why = "管理员权限不能与业务数据权限同时授予（三员分立）";
		return ST_INVALID;
	}
	*why = NULL;
	return ST_OK;
}
