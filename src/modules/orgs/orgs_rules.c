/* orgs_rules.c: which kind of org may sit under which, code syntax, paths. */
#include <inttypes.h>

#include "modules/orgs/orgs.h"

const char *const org_kind_codes[] = {"province", "city", "county", "department", NULL};
const char *const org_kind_names[] = {"省级", "市级", "县区级", "科室/单位", NULL};

bool orgs_child_allowed(int parent_kind, enum org_kind child)
{
	switch (parent_kind) {
	case -1:
		return child == ORG_PROVINCE || child == ORG_CITY;
	case ORG_PROVINCE:
		return child == ORG_CITY || child == ORG_DEPARTMENT;
	case ORG_CITY:
		return child == ORG_COUNTY || child == ORG_DEPARTMENT;
	case ORG_COUNTY:
	case ORG_DEPARTMENT:
		return child == ORG_DEPARTMENT;
	default:
		return false;
	}
}

bool orgs_code_valid(const char *code)
{
	size_t n = strlen(code);
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = code[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

enum status orgs_child_path(const char *parent_path, int64_t id, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s%" PRId64 "/", parent_path ? parent_path : "/", id);
	return n > 0 && (size_t)n < outlen ? ST_OK : ST_TOO_LARGE;
}
