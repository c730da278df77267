// authz-matrix.mjs: the authorization matrix, as data (authz.test.mjs runs it). Every route of
// every module (as `tiejian routes` lists them) has one row; a module that adds a route adds its
// row here, or the test fails and names it.
//
// A row: 'METHOD /pattern': {
//   kind:   what :id names ('org', 'user', 'enterprise', 'appeal', 'attachment', 'token',
//           'notification'); absent for routes without a record of the caller's scope
//   ok:     the status when the caller may (the body is chosen so nothing much changes: an
//           invalid field gives 422, an action on a closed appeal 409, and so on)
//   roles:  status by caller; 'scope' means by scope relation (REL_VISIBLE below): ok when the
//           relation is visible to the caller, 404 when it is not (never 403: ids cannot be probed);
//           '_' is every caller not named; anonymous callers get 401 unless the route is public
//   rels:   the relations to try (default: all that apply to the kind)
//   body:   the JSON body, or (fx, caller) => body; raw: { body, type } for a file or CSV
//   query:  appended to the path
//   list:   the kind whose rows the answer lists: every listed row must be visible to the caller,
//           and every visible row of the fixture must be listed, total included
//   stats:  the answer counts appeals: its total must equal the visible appeals
//   fresh:  run with a session of its own (logout, password, token deletion)
// }

/* Callers: the demo users, one per role, and a city dispatcher (made by the test). Their scope:
 * 'subtree' (their org and below), 'org' (their org only), 'enterprise' (their enterprise),
 * 'liaison' (the enterprises they liaise with today, and their own rows: docs/liaison.md). */
export const CALLERS = {
	anon: null,
	sysadmin: { org: '230200', scope: 'subtree' },
	secadmin: { org: '230200', scope: 'subtree' },
	auditadmin: { org: '230200', scope: 'subtree' },
	leader: { org: '230200', scope: 'subtree' },
	supervisor: { org: '230200', scope: 'subtree' },
	statistician: { org: '230200', scope: 'subtree' },
	dispatcher: { org: '230200', scope: 'subtree' },
	handler: { org: '230202', scope: 'org' },
	cadre: { org: '230202', scope: 'liaison' },
	enterprise: { org: '230202', scope: 'enterprise' },
};

/* How a record stands to the caller. */
export const RELATIONS = ['own', 'same_org', 'child_org', 'parent_org', 'sibling_org', 'other_enterprise'];

/* Which relations each caller sees, by kind (for callers whose role reads that kind at all).
 * "own" is the caller's own record (its user, org, enterprise, an appeal it or its enterprise
 * filed, a visit it made or its enterprise had, an assignment of it or its enterprise);
 * "other_enterprise" another enterprise of the same county (enterprise users). A caller of the
 * liaison scope (the cadre) sees by the record, not the relation (visible() in authz.test.mjs). */
const SUBTREE = ['own', 'same_org', 'child_org'];
export const REL_VISIBLE = {
	org: { sysadmin: SUBTREE, secadmin: SUBTREE, leader: SUBTREE, supervisor: SUBTREE },
	user: { sysadmin: SUBTREE, secadmin: SUBTREE, leader: SUBTREE },
	enterprise: {
		leader: SUBTREE, supervisor: SUBTREE, statistician: SUBTREE, dispatcher: SUBTREE,
		handler: ['same_org'], enterprise: ['own'],
	},
	appeal: {
		leader: SUBTREE, supervisor: SUBTREE, statistician: SUBTREE, dispatcher: SUBTREE,
		handler: ['own', 'same_org'], enterprise: ['own'],
	},
	/* visits and liaison assignments belong to their enterprise's bureau */
	visit: {
		leader: SUBTREE, supervisor: SUBTREE, statistician: SUBTREE, dispatcher: SUBTREE,
		handler: ['own', 'same_org'], enterprise: ['own'],
	},
	/* a token or a notification is its user's alone */
	token: 'own', notification: 'own',
};
REL_VISIBLE.attachment = REL_VISIBLE.appeal;
REL_VISIBLE.liaison = REL_VISIBLE.visit;

const ALL_LOGGED_IN = { _: 'ok' };
const APPEAL_READERS = { leader: 'ok', supervisor: 'ok', statistician: 'ok', dispatcher: 'ok', handler: 'ok', cadre: 'ok', enterprise: 'ok', _: 403 };
const scoped = (names) => Object.fromEntries([...names.map((n) => [n, 'scope']), ['_', 403]]);
const APPEAL_SCOPED = scoped(['leader', 'supervisor', 'statistician', 'dispatcher', 'handler', 'cadre', 'enterprise']);
/* An action on a refused (不予受理) appeal: wrong_state (409) once permission and scope pass. */
const action = (perm, body = {}) => ({ kind: 'appeal', ok: 409, roles: scoped(perm), body });
const DISPATCH = ['dispatcher', 'handler'];
const HANDLE = ['handler'];
const CREATE = ['enterprise', 'handler', 'cadre', 'dispatcher'];
const SUPERVISE = ['leader', 'supervisor'];
const APPROVE = ['leader'];
const APPEAL_ADMIN = { leader: 'ok', dispatcher: 'ok', _: 403 };
const ENT_READERS = { leader: 'ok', supervisor: 'ok', statistician: 'ok', dispatcher: 'ok', handler: 'ok', cadre: 'ok', enterprise: 'ok', _: 403 };
/* liaison and visits (包联走访): readers are the business roles; assign: leader and county
 * handler; visits: leader, handler, cadre; statistics: leader, supervisor, statistician,
 * handler; the enterprise rates and declares quiet periods */
const LIAISON_READERS = ENT_READERS;
const READ_SCOPED = scoped(['leader', 'supervisor', 'statistician', 'dispatcher', 'handler', 'cadre', 'enterprise']);
const ASSIGN = { leader: 'ok', handler: 'ok', _: 403 };
const LIAISON_STATS = { leader: 'ok', supervisor: 'ok', statistician: 'ok', handler: 'ok', _: 403 };

export const MATRIX = {
	// ---- system
	'GET /healthz': { ok: 200, roles: { anon: 'ok', _: 'ok' } },
	'GET /metrics': { ok: 200, roles: { anon: 'ok', _: 'ok' } },
	'POST /api/v1/test/clock': { ok: 422, roles: { anon: 'ok', _: 'ok' }, body: { now: 'not a time' } }, // serve --test-clock only
	// ---- auth: sessions, the caller, tokens
	'POST /api/v1/auth/login': { ok: 401, roles: { anon: 'ok', _: 'ok' }, body: { username: 'nobody', password: 'Wrong@2026x' } },
	'POST /api/v1/auth/logout': { ok: 204, roles: ALL_LOGGED_IN, fresh: true },
	'GET /api/v1/me': { ok: 200, roles: ALL_LOGGED_IN },
	'POST /api/v1/me/password': { ok: 422, roles: ALL_LOGGED_IN, body: { old_password: 'Demo@2026', new_password: 'short' } },
	'GET /api/v1/me/tokens': { ok: 200, roles: ALL_LOGGED_IN },
	'POST /api/v1/me/tokens': { ok: 422, roles: ALL_LOGGED_IN, body: {} },
	'DELETE /api/v1/me/tokens/:id': { kind: 'token', ok: 204, roles: { _: 'scope' }, fresh: true },
	// ---- orgs
	'GET /api/v1/orgs': { ok: 200, list: 'org', roles: { sysadmin: 'ok', secadmin: 'ok', leader: 'ok', supervisor: 'ok', _: 403 } },
	'GET /api/v1/orgs/tree': { ok: 200, roles: { sysadmin: 'ok', secadmin: 'ok', leader: 'ok', supervisor: 'ok', _: 403 } },
	'GET /api/v1/orgs/:id': { kind: 'org', ok: 200, roles: scoped(['sysadmin', 'secadmin', 'leader', 'supervisor']) },
	'POST /api/v1/orgs': { ok: 422, roles: { sysadmin: 'ok', _: 403 }, body: {} },
	'PATCH /api/v1/orgs/:id': { kind: 'org', ok: 422, roles: scoped(['sysadmin']), body: { code: 'has space' } },
	// ---- users and roles
	'GET /api/v1/users': { ok: 200, list: 'user', roles: { sysadmin: 'ok', secadmin: 'ok', leader: 'ok', _: 403 } },
	'POST /api/v1/users': { ok: 422, roles: { sysadmin: 'ok', _: 403 }, body: {} },
	'GET /api/v1/users/:id': { kind: 'user', ok: 200, roles: scoped(['sysadmin', 'secadmin', 'leader']) },
	'PATCH /api/v1/users/:id': { kind: 'user', ok: 422, roles: scoped(['sysadmin']), body: { display_name: '' }, rels: ['same_org', 'child_org', 'parent_org', 'sibling_org'] },
	'POST /api/v1/users/:id/reset-password': { kind: 'user', ok: 200, roles: scoped(['sysadmin']), body: {}, rels: ['child_org', 'parent_org', 'sibling_org'] },
	'POST /api/v1/users/:id/unlock': { kind: 'user', ok: 204, roles: scoped(['sysadmin']), body: {}, rels: ['child_org', 'parent_org', 'sibling_org'] },
	'PUT /api/v1/users/:id/roles': { kind: 'user', ok: 422, roles: scoped(['secadmin']), body: { roles: ['no-such-role'] }, rels: ['child_org', 'parent_org', 'sibling_org'] },
	'GET /api/v1/roles': { ok: 200, roles: { secadmin: 'ok', _: 403 } },
	'POST /api/v1/roles': { ok: 422, roles: { secadmin: 'ok', _: 403 }, body: {} },
	'PATCH /api/v1/roles/:id': { ok: 422, roles: { secadmin: 'ok', _: 403 }, path: '/api/v1/roles/4', body: { name: '' } },
	'GET /api/v1/permissions': { ok: 200, roles: { secadmin: 'ok', _: 403 } },
	// ---- audit
	'GET /api/v1/audit': { ok: 200, roles: { auditadmin: 'ok', _: 403 } },
	'GET /api/v1/audit/export': { ok: 200, roles: { auditadmin: 'ok', _: 403 }, query: '?entity=org' },
	// ---- calendar
	'GET /api/v1/calendar/deadline': { ok: 200, roles: { anon: 'ok', _: 'ok' }, query: '?from=2026-09-28&days=5' },
	'GET /api/v1/calendar/:year': { ok: 200, roles: { anon: 'ok', _: 'ok' }, path: '/api/v1/calendar/2026' },
	'PUT /api/v1/calendar/:year': { ok: 422, roles: { sysadmin: 'ok', _: 403 }, path: '/api/v1/calendar/2031', raw: { body: 'date,kind,name\n2031-02-30,holiday,不存在\n', type: 'text/csv' } },
	// ---- the enterprise registry
	'GET /api/v1/enterprises': { ok: 200, list: 'enterprise', roles: ENT_READERS },
	'POST /api/v1/enterprises': { ok: 422, roles: { statistician: 'ok', handler: 'ok', _: 403 }, body: {} },
	'GET /api/v1/enterprises/export': { ok: 200, roles: { leader: 'ok', statistician: 'ok', handler: 'ok', cadre: 'ok', _: 403 }, query: '?format=csv&q=%E9%BE%99%E6%B2%99' },
	'GET /api/v1/enterprises/import/template': { ok: 200, roles: { statistician: 'ok', handler: 'ok', _: 403 }, query: '?format=csv' },
	'POST /api/v1/enterprises/import': { ok: 422, roles: { statistician: 'ok', handler: 'ok', _: 403 }, query: '?dry_run=1', raw: { body: 'not,a,registry\n1,2,3\n', type: 'text/csv' } },
	'GET /api/v1/enterprises/:id': { kind: 'enterprise', ok: 200, roles: scoped(['leader', 'supervisor', 'statistician', 'dispatcher', 'handler', 'cadre', 'enterprise']) },
	'PATCH /api/v1/enterprises/:id': { kind: 'enterprise', ok: 409, roles: scoped(['statistician', 'handler', 'cadre', 'enterprise']), body: { version: 999999, address: '越权修改' } },
	'GET /api/v1/enterprises/:id/history': { kind: 'enterprise', ok: 200, roles: scoped(['leader', 'supervisor', 'statistician', 'dispatcher', 'handler', 'cadre', 'enterprise']) },
	'GET /api/v1/enterprise-tags': { ok: 200, roles: ENT_READERS },
	'POST /api/v1/enterprise-tags': { ok: 422, roles: { statistician: 'ok', _: 403 }, body: {} },
	'PATCH /api/v1/enterprise-tags/:id': { ok: 422, roles: { statistician: 'ok', _: 403 }, path: '/api/v1/enterprise-tags/1', body: { name: '' } },
	'GET /api/v1/regions': { ok: 200, roles: ALL_LOGGED_IN, query: '?parent_code=230200' },
	'GET /api/v1/industries': { ok: 200, roles: ALL_LOGGED_IN },
	// ---- appeals
	'GET /api/v1/appeals': { ok: 200, list: 'appeal', roles: APPEAL_READERS },
	'POST /api/v1/appeals': { ok: 422, roles: Object.fromEntries([...CREATE.map((n) => [n, 'ok']), ['_', 403]]), body: {} },
	'GET /api/v1/appeals/work': { ok: 200, roles: APPEAL_READERS },
	'GET /api/v1/appeals/units': { ok: 200, roles: { leader: 'ok', dispatcher: 'ok', handler: 'ok', _: 403 } },
	'GET /api/v1/appeals/:id': { kind: 'appeal', ok: 200, roles: APPEAL_SCOPED },
	'POST /api/v1/appeals/:id/accept': action(DISPATCH),
	'POST /api/v1/appeals/:id/reject': action(DISPATCH),
	'POST /api/v1/appeals/:id/assign': action(DISPATCH),
	'POST /api/v1/appeals/:id/return': action(HANDLE),
	'POST /api/v1/appeals/:id/start': action(HANDLE),
	'POST /api/v1/appeals/:id/contact': action(HANDLE, { via: 'phone' }),
	'POST /api/v1/appeals/:id/interim_reply': action(HANDLE),
	'POST /api/v1/appeals/:id/reply': action(HANDLE, { outcome: 'solved', message: '已解决' }),
	'POST /api/v1/appeals/:id/co_opinion': action(HANDLE),
	'POST /api/v1/appeals/:id/suspend': action(HANDLE),
	'POST /api/v1/appeals/:id/resume': action(HANDLE),
	'POST /api/v1/appeals/:id/request_extension': action(HANDLE, { days: 15, reason: '需要协调' }),
	'POST /api/v1/appeals/:id/supplement': action(CREATE),
	'POST /api/v1/appeals/:id/withdraw': action(CREATE),
	'POST /api/v1/appeals/:id/evaluate': action(CREATE, { rating: 'satisfied' }),
	'POST /api/v1/appeals/:id/approve_extension': action(APPROVE),
	'POST /api/v1/appeals/:id/deny_extension': action(APPROVE),
	'POST /api/v1/appeals/:id/approve_close': action(SUPERVISE),
	'POST /api/v1/appeals/:id/deny_close': action(SUPERVISE),
	'POST /api/v1/appeals/:id/reopen': action(SUPERVISE),
	'POST /api/v1/appeals/:id/supervise': action(SUPERVISE),
	'POST /api/v1/appeals/:id/escalate': action(SUPERVISE),
	'POST /api/v1/appeals/:id/answer_supervision': { ...action(['leader', 'supervisor', 'statistician', 'dispatcher', 'handler', 'cadre', 'enterprise']) },
	/* not a file of a type people send: 415, once scope passes (out of scope, 404 before the file is looked at) */
	'POST /api/v1/appeals/:id/attachments': { kind: 'appeal', ok: 415, roles: APPEAL_SCOPED, query: '?name=a.png', raw: { body: 'PNG', type: 'application/octet-stream' } },
	'GET /api/v1/appeals/:id/attachments/:file': { kind: 'attachment', ok: 200, roles: APPEAL_SCOPED },
	'GET /api/v1/appeal-categories': { ok: 200, roles: ALL_LOGGED_IN },
	'POST /api/v1/appeal-categories': { ok: 422, roles: APPEAL_ADMIN, body: {} },
	'PATCH /api/v1/appeal-categories/:id': { ok: 422, roles: APPEAL_ADMIN, path: '/api/v1/appeal-categories/1', body: { name: '' } },
	'GET /api/v1/appeal-routes': { ok: 200, roles: { leader: 'ok', dispatcher: 'ok', handler: 'ok', _: 403 } },
	'POST /api/v1/appeal-routes': { ok: 422, roles: APPEAL_ADMIN, body: {} },
	'PATCH /api/v1/appeal-routes/:id': { ok: 422, roles: APPEAL_ADMIN, path: '/api/v1/appeal-routes/1', body: { lead_org_id: 0 } },
	'DELETE /api/v1/appeal-routes/:id': { ok: 404, roles: APPEAL_ADMIN, path: '/api/v1/appeal-routes/999999' },
	'GET /api/v1/appeal-deadlines': { ok: 200, roles: APPEAL_READERS },
	'PUT /api/v1/appeal-deadlines': { ok: 422, roles: APPEAL_ADMIN, body: {} },
	'GET /api/v1/appeal-settings': { ok: 200, roles: APPEAL_READERS },
	'PATCH /api/v1/appeal-settings': { ok: 422, roles: APPEAL_ADMIN, body: { colour: 1 } },
	'GET /api/v1/stats/appeals': { ok: 200, stats: 'appeal', roles: { leader: 'ok', supervisor: 'ok', statistician: 'ok', dispatcher: 'ok', handler: 'ok', enterprise: 'ok', _: 403 }, query: '?from=2000-01&to=2040-12' },
	'POST /api/v1/stats/appeals/rebuild': { ok: 200, roles: APPEAL_ADMIN, body: {} },
	// ---- notifications and the webhook
	'GET /api/v1/notifications': { ok: 200, roles: ALL_LOGGED_IN },
	'GET /api/v1/notifications/unread-count': { ok: 200, roles: ALL_LOGGED_IN },
	'POST /api/v1/notifications/read-all': { ok: 200, roles: ALL_LOGGED_IN, body: {} },
	'POST /api/v1/notifications/:id/read': { kind: 'notification', ok: 204, roles: { _: 'scope' }, body: {} },
	'GET /api/v1/notify/webhook': { ok: 200, roles: { sysadmin: 'ok', _: 403 } },
	'PUT /api/v1/notify/webhook': { ok: 422, roles: { sysadmin: 'ok', _: 403 }, body: { url: 'not a url' } },
	'POST /api/v1/notify/webhook/test': { ok: 409, roles: { sysadmin: 'ok', _: 403 }, body: {} },
	'GET /api/v1/notify/deliveries': { ok: 200, roles: { sysadmin: 'ok', _: 403 } },
	'POST /api/v1/notify/deliveries/:id/retry': { ok: 404, roles: { sysadmin: 'ok', _: 403 }, path: '/api/v1/notify/deliveries/999999/retry', body: {} },
	// ---- the case library
	'GET /api/v1/cases': { ok: 200, roles: { leader: 'ok', supervisor: 'ok', statistician: 'ok', dispatcher: 'ok', handler: 'ok', cadre: 'ok', _: 403 } },
	'POST /api/v1/cases': { ok: 422, roles: { leader: 'ok', supervisor: 'ok', dispatcher: 'ok', _: 403 }, body: {} },
	'GET /api/v1/cases/:id': { ok: 404, roles: { leader: 'ok', supervisor: 'ok', statistician: 'ok', dispatcher: 'ok', handler: 'ok', cadre: 'ok', _: 403 }, path: '/api/v1/cases/999999' },
	'PATCH /api/v1/cases/:id': { ok: 404, roles: { leader: 'ok', supervisor: 'ok', dispatcher: 'ok', _: 403 }, path: '/api/v1/cases/999999', body: {} },
	'POST /api/v1/cases/:id/anonymise': { ok: 404, roles: { leader: 'ok', supervisor: 'ok', dispatcher: 'ok', _: 403 }, path: '/api/v1/cases/999999/anonymise', body: {} },
	// ---- liaison and visits (包联走访), the enterprise 360 page
	'GET /api/v1/liaisons': { ok: 200, list: 'liaison', roles: LIAISON_READERS },
	'POST /api/v1/liaisons': { ok: 422, roles: ASSIGN, body: {} },
	'GET /api/v1/liaisons/mine': { ok: 200, roles: LIAISON_READERS },
	'GET /api/v1/liaisons/candidates': { ok: 200, roles: ASSIGN },
	'POST /api/v1/liaisons/rule': { ok: 422, roles: ASSIGN, body: {} },
	'GET /api/v1/liaisons/import/template': { ok: 200, roles: ASSIGN, query: '?format=csv' },
	'POST /api/v1/liaisons/import': { ok: 422, roles: ASSIGN, query: '?dry_run=1', raw: { body: 'not,a,liaison\n1,2,3\n', type: 'text/csv' } },
	'GET /api/v1/liaisons/:id': { kind: 'liaison', ok: 200, roles: READ_SCOPED },
	'PATCH /api/v1/liaisons/:id': { kind: 'liaison', ok: 422, roles: scoped(['leader', 'handler']), body: { end_on: 'not a date' } },
	'POST /api/v1/liaisons/:id/reassign': { kind: 'liaison', ok: 422, roles: scoped(['leader', 'handler']), body: {} },
	'GET /api/v1/enterprises/:id/liaisons': { kind: 'enterprise', ok: 200, roles: READ_SCOPED },
	'GET /api/v1/enterprises/:id/visit-check': { kind: 'enterprise', ok: 200, roles: scoped(['leader', 'handler', 'cadre']) },
	'GET /api/v1/enterprises/:id/quiet-periods': { kind: 'enterprise', ok: 200, roles: READ_SCOPED },
	'GET /api/v1/enterprises/:id/360': { kind: 'enterprise', ok: 200, roles: READ_SCOPED },
	'POST /api/v1/quiet-periods': { ok: 422, roles: { enterprise: 'ok', _: 403 }, body: {} },
	'DELETE /api/v1/quiet-periods/:id': { ok: 404, roles: { enterprise: 'ok', _: 403 }, path: '/api/v1/quiet-periods/999999' },
	'GET /api/v1/visits': { ok: 200, list: 'visit', roles: LIAISON_READERS },
	'POST /api/v1/visits': { ok: 422, roles: { leader: 'ok', handler: 'ok', cadre: 'ok', _: 403 }, body: {} },
	'GET /api/v1/visits/:id': { kind: 'visit', ok: 200, roles: READ_SCOPED },
	'POST /api/v1/visits/:id/rating': { kind: 'visit', ok: 422, roles: scoped(['enterprise']), body: { rating: 'great' } },
	'GET /api/v1/liaison/coverage': { ok: 200, roles: LIAISON_STATS },
	'GET /api/v1/liaison/coverage/cadres': { ok: 200, roles: LIAISON_STATS },
	'GET /api/v1/liaison/coverage/overdue': { ok: 200, roles: LIAISON_STATS },
	'GET /api/v1/liaison/coverage/export': { ok: 200, roles: LIAISON_STATS },
	'GET /api/v1/liaison/settings': { ok: 200, roles: LIAISON_READERS },
	'PATCH /api/v1/liaison/settings': { ok: 422, roles: { leader: 'ok', _: 403 }, body: { visit_cap: -1 } },
};
