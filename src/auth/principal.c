/* principal.c: the scope a principal has for one permission (union over granting roles). */
#include "auth/principal.h"

void principal_scope(const struct principal *u, enum perm p, struct scope *out)
{
	out->kinds = 0;
	out->user_id = u->user_id;
	out->org_id = u->org_id;
	out->enterprise_id = u->enterprise_id;
	out->org_path = u->org_path;
	out->liaison_ids = u->liaison_ids;
	out->nliaison = u->nliaison;
	for (int i = 0; i < u->nroles; i++) {
		if (p == PERM_LOGIN || p == PERM_PUBLIC || permset_has(&u->roles[i].perms, p))
			out->kinds |= u->roles[i].scope;
	}
	if (p == PERM_LOGIN || p == PERM_PUBLIC)
		out->kinds |= SCOPE_SELF;
}
