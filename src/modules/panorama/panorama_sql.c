/* panorama_sql.c: the one statement of the 360 page: is the enterprise visible at all. */
#include "auth/scope.h"
#include "modules/panorama/panorama_sql.h"

/* The enterprise within the caller's enterprise.read scope ($6 its id): its name. */
const struct sql SQL_PANORAMA_ENTERPRISE = SQL(
	"SELECT e.id, e.name FROM enterprises e JOIN orgs o ON o.id = e.org_id WHERE " SCOPE_PRED(
		"o.path", "e.org_id", "NULL", "e.id") " AND e.id = $6");
