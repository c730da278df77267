/* modules.c: every module of tiejian, explicitly, in dependency order (migrations and demo data
 * run in this order; routes are matched over all of them). */
#include "app/module.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "modules/appeals/appeals.h"
#include "modules/calendar/calendar.h"
#include "modules/cases/cases.h"
#include "modules/enterprises/enterprises.h"
#include "modules/liaison/liaison.h"
#include "modules/notify/notify.h"
#include "modules/orgs/orgs.h"
#include "modules/panorama/panorama.h"
#include "modules/system/system.h"
#include "modules/users/users.h"

const struct module *const app_modules[] = {
	&system_module,   /* health, metrics, the job schedule */
	&orgs_module,     /* the org tree */
	&enterprises_module, /* the enterprise registry */
	&auth_module,     /* users, roles, sessions, tokens, login */
	&audit_module,    /* the hash-chained audit log */
	&users_module,    /* user and role administration */
	&calendar_module, /* the working-day calendar */
	&notify_module,   /* the inbox and the outgoing webhook */
	&appeals_module,  /* enterprise appeals (诉求) */
	&cases_module,    /* typical cases promoted from solved appeals */
	&liaison_module,  /* liaison assignment (包联), visits (走访), coverage */
	&panorama_module, /* the enterprise 360 page, from the sections of the modules above */
};
const size_t app_nmodules = sizeof(app_modules) / sizeof(app_modules[0]);
