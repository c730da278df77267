// fault-cases.mjs: the requests the fault-injection test replays, failing the 1st, 2nd, ... Nth
// allocation and database call of each (fault.test.mjs). One row per representative path of each
// module; a module adds its rows here. A row:
//   { name, as: USER | null (anonymous), method, path: string | (ctx) => string,
//     body: object | (ctx) => object | raw { raw: Buffer|string, type },
//     setup: async (ctx) => extra ctx (run before every attempt, without faults),
//     short: true (in make test's subset), health: true (/healthz's own body instead of the error body) }
// ctx: { p (the demo people, logged in), n (a number new for every attempt), cityId, countyId,
//        category, enterprise (an enterprise of the county), uniq() (Chinese text of its own) }.

const file = async (ctx) => {
	const w = ctx.uniq();
	const r = await ctx.p.enterprise.post('/api/v1/appeals', { title: `${w.slice(0, 8)}资金周转`,
		content: `${w}，资金周转需要协调。`, category_id: ctx.category });
	if (r.status !== 201) throw new Error('setup file: ' + r.text);
	return r.json.id;
};
const step = async (ctx, id, who, action, body = {}) => {
	const r = await ctx.p[who].post(`/api/v1/appeals/${id}/${action}`, body);
	if (r.status !== 200) throw new Error(`setup ${action}: ${r.text}`);
};
/* An appeal brought as far as the state before `upto`. */
const appealAt = (upto) => async (ctx) => {
	const id = await file(ctx);
	const way = [['handler', 'accept', {}], ['handler', 'assign', { lead_org_id: ctx.countyId }], ['handler', 'start', {}],
		['handler', 'reply', { outcome: 'solved', message: '已解决' }]];
	for (const [who, action, body] of way) {
		if (action === upto) break;
		await step(ctx, id, who, action, body);
	}
	return { appeal: id };
};
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
	'1f15c4890000000d49444154789c6360000002000154a24f5b0000000049454e44ae426082', 'hex');

export const FAULT_CASES = [
	// the core: sessions, health, the calendar
	{ name: 'login', as: null, method: 'POST', path: '/api/v1/auth/login', body: { username: 'cadre', password: 'Demo@2026' }, short: true },
	{ name: 'me', as: 'leader', method: 'GET', path: '/api/v1/me', short: true },
	/* /healthz answers its own body: 503 {"status":"unavailable",...} when the database fails */
	{ name: 'healthz', as: null, method: 'GET', path: '/healthz', health: true },
	{ name: 'metrics', as: null, method: 'GET', path: '/metrics' },
	{ name: 'static console', as: null, method: 'GET', path: '/enterprises' },
	{ name: 'deadline', as: null, method: 'GET', path: '/api/v1/calendar/deadline?from=2026-09-28&days=5', short: true },
	{ name: 'calendar year', as: null, method: 'GET', path: '/api/v1/calendar/2026' },
	{ name: 'calendar import', as: 'sysadmin', method: 'PUT', path: '/api/v1/calendar/2031',
		body: { raw: 'date,kind,name\n2031-01-01,holiday,元旦\n2031-01-04,workday,元旦调休\n', type: 'text/csv' } },
	{ name: 'token create', as: 'leader', method: 'POST', path: '/api/v1/me/tokens', body: (ctx) => ({ name: `fault-${ctx.n}` }) },
	{ name: 'password change refused', as: 'leader', method: 'POST', path: '/api/v1/me/password',
		body: { old_password: 'Wrong@2026', new_password: 'Another#2027x' } },
	// orgs, users, roles, audit
	{ name: 'orgs list', as: 'sysadmin', method: 'GET', path: '/api/v1/orgs?q=%E5%8C%BA&page_size=10', short: true },
	{ name: 'org tree', as: 'sysadmin', method: 'GET', path: '/api/v1/orgs/tree' },
	{ name: 'org create', as: 'sysadmin', method: 'POST', path: '/api/v1/orgs', short: true,
		body: (ctx) => ({ parent_id: ctx.cityId, code: `FLT-${ctx.n}`, name: `故障注入科${ctx.n}`, kind: 'department' }) },
	{ name: 'org update', as: 'sysadmin', method: 'PATCH', path: (ctx) => `/api/v1/orgs/${ctx.countyId}`,
		body: (ctx) => ({ sort: ctx.n % 100 }) },
	{ name: 'users list', as: 'sysadmin', method: 'GET', path: '/api/v1/users?page_size=20' },
	{ name: 'user create', as: 'sysadmin', method: 'POST', path: '/api/v1/users',
		body: (ctx) => ({ username: `fault${ctx.n}`, display_name: `故障${ctx.n}`, org_id: ctx.countyId }) },
	{ name: 'roles', as: 'secadmin', method: 'GET', path: '/api/v1/roles' },
	{ name: 'audit list', as: 'auditadmin', method: 'GET', path: '/api/v1/audit?page_size=20', short: true },
	{ name: 'audit export', as: 'auditadmin', method: 'GET', path: '/api/v1/audit/export?entity=org' },
	// the enterprise registry
	{ name: 'enterprise search', as: 'leader', method: 'GET', path: '/api/v1/enterprises?q=%E9%BE%99%E6%B2%99&page_size=5', short: true },
	{ name: 'enterprise detail', as: 'statistician', method: 'GET', path: (ctx) => `/api/v1/enterprises/${ctx.enterprise}` },
	{ name: 'enterprise history', as: 'statistician', method: 'GET', path: (ctx) => `/api/v1/enterprises/${ctx.enterprise}/history` },
	{ name: 'enterprise create', as: 'statistician', method: 'POST', path: '/api/v1/enterprises', short: true,
		body: (ctx) => ({ uscc: ctx.uscc(), name: `${ctx.uniq()}有限公司`, region_code: '230203', employees: 12,
			contacts: [{ name: '王经理', role: '总经理', mobile: '13900001111' }] }) },
	{ name: 'enterprise edit', as: 'statistician', method: 'PATCH', path: (ctx) => `/api/v1/enterprises/${ctx.enterprise}`,
		setup: async (ctx) => ({ version: (await ctx.p.statistician.get(`/api/v1/enterprises/${ctx.enterprise}`)).json.version }),
		body: (ctx) => ({ version: ctx.version, employees: ctx.n % 1000, address: `${ctx.uniq()}路1号` }) },
	{ name: 'enterprise export', as: 'statistician', method: 'GET', path: '/api/v1/enterprises/export?format=csv&q=%E9%BE%99%E6%B2%99' },
	{ name: 'enterprise export xlsx', as: 'statistician', method: 'GET', path: '/api/v1/enterprises/export?format=xlsx&q=%E9%BE%99%E6%B2%99' },
	{ name: 'enterprise import dry run', as: 'statistician', method: 'POST', path: '/api/v1/enterprises/import?dry_run=1',
		body: (ctx) => ({ raw: `统一社会信用代码,企业名称,所在地区代码\n${ctx.uscc()},${ctx.uniq()}公司,230202\n`, type: 'text/csv' }) },
	{ name: 'tags', as: 'leader', method: 'GET', path: '/api/v1/enterprise-tags' },
	{ name: 'regions', as: 'leader', method: 'GET', path: '/api/v1/regions?parent_code=230200' },
	// appeals
	{ name: 'appeal file', as: 'enterprise', method: 'POST', path: '/api/v1/appeals', short: true,
		body: (ctx) => { const w = ctx.uniq(); return { title: `${w.slice(0, 8)}用工需求`, content: `${w}，招工困难需要协调。`, category_id: ctx.category }; } },
	{ name: 'appeal accept', as: 'handler', method: 'POST', path: (ctx) => `/api/v1/appeals/${ctx.appeal}/accept`, body: {},
		setup: appealAt('accept'), short: true },
	{ name: 'appeal assign', as: 'handler', method: 'POST', path: (ctx) => `/api/v1/appeals/${ctx.appeal}/assign`,
		body: (ctx) => ({ lead_org_id: ctx.countyId }), setup: appealAt('assign') },
	{ name: 'appeal reply', as: 'handler', method: 'POST', path: (ctx) => `/api/v1/appeals/${ctx.appeal}/reply`,
		body: { outcome: 'solved', message: '已协调解决' }, setup: appealAt('reply') },
	{ name: 'appeal evaluate', as: 'enterprise', method: 'POST', path: (ctx) => `/api/v1/appeals/${ctx.appeal}/evaluate`,
		body: { rating: 'satisfied' }, setup: appealAt('evaluate'), short: true },
	{ name: 'appeal refused action', as: 'enterprise', method: 'POST', path: (ctx) => `/api/v1/appeals/${ctx.appeal}/evaluate`,
		body: { rating: 'satisfied' }, setup: appealAt('assign') },
	{ name: 'appeals list', as: 'leader', method: 'GET', path: '/api/v1/appeals?page_size=10', short: true },
	{ name: 'appeals search', as: 'handler', method: 'GET', path: '/api/v1/appeals?q=%E8%B5%84%E9%87%91' },
	{ name: 'appeal detail', as: 'handler', method: 'GET', path: (ctx) => `/api/v1/appeals/${ctx.appeal}`, setup: appealAt('reply') },
	{ name: 'appeals work', as: 'handler', method: 'GET', path: '/api/v1/appeals/work' },
	{ name: 'appeal stats', as: 'leader', method: 'GET', path: '/api/v1/stats/appeals?group_by=region', short: true },
	{ name: 'appeal stats recount', as: 'handler', method: 'GET', path: '/api/v1/stats/appeals?source=recount&group_by=category' },
	{ name: 'appeal attachment', as: 'enterprise', method: 'POST',
		path: (ctx) => `/api/v1/appeals/${ctx.appeal}/attachments?name=${encodeURIComponent('照片.png')}`,
		body: { raw: PNG, type: 'application/octet-stream' }, setup: appealAt('accept') },
	{ name: 'categories', as: 'enterprise', method: 'GET', path: '/api/v1/appeal-categories' },
	// notifications, cases
	{ name: 'notifications', as: 'handler', method: 'GET', path: '/api/v1/notifications?page_size=10' },
	{ name: 'notifications read all', as: 'handler', method: 'POST', path: '/api/v1/notifications/read-all', body: {} },
	{ name: 'cases', as: 'leader', method: 'GET', path: '/api/v1/cases' },
];
