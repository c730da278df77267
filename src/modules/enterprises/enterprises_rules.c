/* enterprises_rules.c: the registry's fixed vocabularies. */
#include <stddef.h>

#include "modules/enterprises/enterprises.h"

const char *const enterprise_ownership_codes[] = {"state", "collective", "private", "foreign",
						  "hmt",   "mixed",      NULL};
const char *const enterprise_ownership_names[] = {"国有", "集体", "民营", "外资", "港澳台",
						  "混合所有制", NULL};
const char *const enterprise_scale_codes[] = {"large", "medium", "small", "micro", NULL};
const char *const enterprise_scale_names[] = {"大型", "中型", "小型", "微型", NULL};
const char *const enterprise_status_codes[] = {"operating", "suspended", "deregistered", NULL};
const char *const enterprise_status_names[] = {"在营", "停产", "注销", NULL};
