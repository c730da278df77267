/* scope.c: scope names and the bound values of the one scope predicate (SCOPE_PRED). */
#include "auth/scope.h"

static const struct {
	enum scope_kind kind;
	const char *code;
	const char *name;
} scopes[] = {
	{SCOPE_ALL, "all", "全部"},
	{SCOPE_SUBTREE, "subtree", "本机构及下级"},
	{SCOPE_ORG, "org", "本机构"},
	{SCOPE_SELF, "self", "本人"},
	{SCOPE_ENTERPRISE, "enterprise", "本企业"},
	{SCOPE_LIAISON, "liaison", "本人包联企业"},
};

int scope_from_code(const char *code)
{
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (strcmp(scopes[i].code, code) == 0)
			return (int)scopes[i].kind;
	return -1;
}

const char *scope_code(enum scope_kind k)
{
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (scopes[i].kind == k)
			return scopes[i].code;
	return NULL;
}

const char *scope_name(enum scope_kind k)
{
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (scopes[i].kind == k)
			return scopes[i].name;
	return NULL;
}

void scope_filter_args(const struct scope *s, struct db_val *args)
{
	bool liaison = (s->kinds & SCOPE_LIAISON) && s->user_id > 0;
	args[0] = db_int((s->kinds & SCOPE_ALL) ? 1 : liaison ? 2 : 0);
	args[1] = (s->kinds & SCOPE_SUBTREE) && s->org_path ? db_text(s->org_path) : db_null();
	args[2] = (s->kinds & SCOPE_ORG) && s->org_id > 0 ? db_int(s->org_id) : db_null();
	args[3] = ((s->kinds & SCOPE_SELF) || liaison) && s->user_id > 0 ? db_int(s->user_id)
									  : db_null();
	args[4] = (s->kinds & SCOPE_ENTERPRISE) && s->enterprise_id > 0 ? db_int(s->enterprise_id)
									 : db_null();
}

bool scope_allows(const struct scope *s, const char *row_org_path, int64_t row_org_id,
		  int64_t row_user_id, int64_t row_enterprise_id)
{
	if (s->kinds & SCOPE_ALL)
		return true;
	if ((s->kinds & SCOPE_SUBTREE) && s->org_path && row_org_path &&
	    strncmp(row_org_path, s->org_path, strlen(s->org_path)) == 0)
		return true;
	if ((s->kinds & SCOPE_ORG) && s->org_id > 0 && row_org_id == s->org_id)
		return true;
	if ((s->kinds & SCOPE_SELF) && s->user_id > 0 && row_user_id == s->user_id)
		return true;
	if ((s->kinds & SCOPE_ENTERPRISE) && s->enterprise_id > 0 &&
	    row_enterprise_id == s->enterprise_id)
		return true;
	if ((s->kinds & SCOPE_LIAISON) && s->user_id > 0) {
		if (row_user_id == s->user_id)
			return true;
		/* the enterprise among the user's (ascending ids) */
		size_t lo = 0, hi = s->nliaison;
		while (row_enterprise_id > 0 && lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (s->liaison_ids[mid] == row_enterprise_id)
				return true;
			if (s->liaison_ids[mid] < row_enterprise_id)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return false;
}
