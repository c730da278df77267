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

int orgs_path_ids(const char *path, int64_t *ids, int max)
{
	if (!path || *path != '/')
		return -1;
	int n = 0;
	for (const char *p = path + 1; *p; p++) { /* p at a segment's first digit */
		int64_t id = 0;
		const char *start = p;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (id > (INT64_MAX - (*p - '0')) / 10)
				return -1;
			id = id * 10 + (*p - '0');
		}
		if (p == start || *p != '/' || id <= 0 || n == max)
			return -1;
		ids[n++] = id;
	}
	return n;
}
