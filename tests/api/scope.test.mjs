// scope.test.mjs: data scope. County users see their county only (lists, totals and details; other
// ids are 404, never 403), an enterprise user sees its own enterprise, the city admins see the
// city and not the province, and the three separated administrators stay apart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, cliUser, auditRows, login } from './helpers.mjs';

const NF = '找不到该记录，或您无权查看';
let srv, leader, cityTotal, regionTotal, firstOf;
before(async () => {
	srv = await startServer({ args: ['--login-rate', '500/60'] });
	leader = await srv.login('leader');
	cityTotal = (await leader.get('/api/v1/enterprises?page_size=1')).json.total;
	regionTotal = async (code) => (await leader.get(`/api/v1/enterprises?region_code=${code}&page_size=1`)).json.total;
	firstOf = async (code) => (await leader.get(`/api/v1/enterprises?region_code=${code}&page_size=1`)).json.items[0];
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

/* Every enterprise a session can list (all pages). */
async function listAll(s, query = '') {
	const out = [];
	for (let page = 1; ; page++) {
		const r = await s.get(`/api/v1/enterprises?page_size=100&page=${page}${query}`);
		assert.equal(r.status, 200, r.text);
		out.push(...r.json.items);
		if (out.length >= r.json.total || !r.json.items.length) return { items: out, total: r.json.total };
	}
}

test('city leader, supervisor and statistician see every enterprise of the city', async () => {
	assert.ok(cityTotal >= 16, `the demo city has enterprises in every county (${cityTotal})`);
	const counties = (await leader.get('/api/v1/orgs?kind=county')).json.items.map((o) => o.code);
	let sum = 0;
	for (const c of counties) sum += await regionTotal(c);
	assert.equal(sum, cityTotal, 'the counties add up to the city');
	for (const u of ['supervisor', 'statistician']) {
		const r = await (await srv.login(u)).get('/api/v1/enterprises?page_size=1');
		assert.equal(r.json.total, cityTotal, u);
	}
});

test('a county handler and cadre see only their county\'s enterprises; other ids are 404', async () => {
	const want = await regionTotal('230202');
	assert.ok(want > 0 && want < cityTotal);
	const jianhua = await firstOf('230203');
	for (const u of ['handler', 'cadre']) {
		const s = await srv.login(u);
		const all = await listAll(s);
		// a cadre (包联干部, scope "liaison") sees the enterprises it liaises with (docs/liaison.md)
		const mine = u === 'cadre' ? new Set((await s.get('/api/v1/liaisons/mine')).json.items.map((x) => x.enterprise.id)).size : want;
		assert.ok(mine > 0 && mine <= want, u);
		assert.equal(all.total, mine, u);
		assert.equal(all.items.length, mine, u);
		assert.ok(all.items.every((e) => e.region_code === '230202'), u);
		assert.equal((await s.get(`/api/v1/enterprises/${all.items[0].id}`)).status, 200);
		assertError(await s.get(`/api/v1/enterprises/${jianhua.id}`), 404, 'not_found');
		// Filtering or searching does not reach past the scope.
		assert.equal((await s.get('/api/v1/enterprises?region_code=230203')).json.total, 0);
		assert.equal((await s.get(`/api/v1/enterprises?q=${encodeURIComponent(jianhua.name)}`)).json.total, 0);
		// Nor does an edit: 404, and the record stays as it was.
		const edit = await s.patch(`/api/v1/enterprises/${jianhua.id}`, { version: jianhua.version, employees: 1 });
		assertError(edit, 404, 'not_found');
	}
	assert.deepEqual(await firstOf('230203'), jianhua, 'unchanged');
});

test('a county leader sees the county\'s orgs, enterprises and users, and nothing above or beside it', async () => {
	const { session: s } = await cliUser(srv, { username: 'longsha.leader', role: 'leader', org: '230202' });
	const orgs = await s.get('/api/v1/orgs');
	assert.deepEqual(orgs.json.items.map((o) => o.code).sort(), ['230202', '230202-01']);
	assert.equal(orgs.json.total, 2);
	const tree = await s.get('/api/v1/orgs/tree');
	assert.equal(tree.json.items.length, 1);
	assert.equal(tree.json.items[0].code, '230202');
	assert.deepEqual(tree.json.items[0].children.map((c) => c.code), ['230202-01']);
	const city = await leader.get('/api/v1/orgs?kind=city');
	const cityId = city.json.items[0].id;
	assertError(await s.get(`/api/v1/orgs/${cityId}`), 404, 'not_found', { message: NF });
	const jianhua = (await leader.get('/api/v1/orgs?q=230203&kind=county')).json.items[0];
	assertError(await s.get(`/api/v1/orgs/${jianhua.id}`), 404, 'not_found');
	// Children of the city: only the county's own bureau, not its neighbours.
	const children = await s.get(`/api/v1/orgs?parent_id=${cityId}`);
	assert.deepEqual(children.json.items.map((o) => o.code), ['230202']);
	assert.equal(children.json.total, 1);

	const e = await listAll(s);
	assert.equal(e.total, await regionTotal('230202'));
	assert.ok(e.items.every((x) => x.region_code === '230202'));
	const users = await s.get('/api/v1/users?page_size=100');
	assert.deepEqual(users.json.items.map((u) => u.username).sort(), ['cadre', 'enterprise', 'handler', 'longsha.leader']);
	assert.equal(users.json.total, 4);
	const sysadminId = (await leader.get('/api/v1/users?q=sysadmin')).json.items[0].id;
	assertError(await s.get(`/api/v1/users/${sysadminId}`), 404, 'not_found');
});

test('an enterprise user sees only its own enterprise, and can edit only that one', async () => {
	const s = await srv.login('enterprise');
	const ownId = s.user.enterprise.id;
	const list = await s.get('/api/v1/enterprises');
	assert.equal(list.json.total, 1);
	assert.deepEqual(list.json.items.map((e) => e.id), [ownId]);
	const own = list.json.items[0];
	assert.equal(own.region_code, '230202');
	const other = await firstOf('230206');
	assertError(await s.get(`/api/v1/enterprises/${other.id}`), 404, 'not_found');
	assertError(await s.patch(`/api/v1/enterprises/${other.id}`, { version: other.version, employees: 1 }), 404, 'not_found');
	assert.deepEqual(await firstOf('230206'), other, 'unchanged');
	const neighbour = (await listAll(leader, '&region_code=230202')).items.find((e) => e.id !== ownId);
	// Same county, another enterprise: not its own, so 404.
	assertError(await s.get(`/api/v1/enterprises/${neighbour.id}`), 404, 'not_found');
	const edit = await s.patch(`/api/v1/enterprises/${ownId}`, { version: own.version, employees: own.employees + 1 });
	assert.equal(edit.status, 200, edit.text);
	assert.equal(edit.json.employees, own.employees + 1);
	assertError(await s.post('/api/v1/enterprises', { uscc: own.uscc, name: '新企业', region_code: '230202' }), 403, 'permission_denied');
	assertError(await s.get('/api/v1/orgs'), 403, 'permission_denied');

	// Another enterprise's user sees that one only.
	const { session: t } = await cliUser(srv, { username: 'fulaerji.ent', role: 'enterprise', org: '230206', enterprise: other.uscc });
	const l2 = await t.get('/api/v1/enterprises');
	assert.deepEqual(l2.json.items.map((x) => x.id), [other.id]);
	assertError(await t.get(`/api/v1/enterprises/${ownId}`), 404, 'not_found');
});

test('the city system admin sees users and orgs under the city, not the province; no enterprises', async () => {
	const { session: prov } = await cliUser(srv, { username: 'province.admin', role: 'sysadmin', org: '230000' });
	const admin = await srv.login('sysadmin');
	const orgs = await admin.get('/api/v1/orgs?page_size=100');
	assert.ok(orgs.json.items.every((o) => o.kind !== 'province'), 'no province org');
	const tree = await admin.get('/api/v1/orgs/tree');
	assert.deepEqual(tree.json.items.map((o) => o.kind), ['city'], 'the city is the root of its tree');
	const provinceId = tree.json.items[0].parent_id;
	assertError(await admin.get(`/api/v1/orgs/${provinceId}`), 404, 'not_found');

	const users = await admin.get('/api/v1/users?page_size=100');
	const names = users.json.items.map((u) => u.username);
	assert.ok(names.includes('handler') && names.includes('sysadmin') && names.includes('longsha.leader'));
	assert.ok(!names.includes('province.admin'), 'the province user is not the city\'s');
	const provUser = (await prov.get('/api/v1/users?q=province.admin')).json.items[0];
	assertError(await admin.get(`/api/v1/users/${provUser.id}`), 404, 'not_found');
	assertError(await admin.patch(`/api/v1/users/${provUser.id}`, { display_name: '改名' }), 404, 'not_found');
	// Nor can the city admin place a user in the province org.
	assertError(await admin.post('/api/v1/users', { username: 'sneaky', display_name: '越权', org_id: provinceId }),
		422, 'invalid_org', { field: 'org_id' });
	// The province admin sees both levels.
	assert.equal((await prov.get(`/api/v1/orgs/${provinceId}`)).status, 200);
	assert.ok((await prov.get('/api/v1/users?page_size=100')).json.items.some((u) => u.username === 'province.admin'));

	assertError(await admin.get('/api/v1/enterprises'), 403, 'permission_denied', { message: '您没有执行此操作的权限' });
	assertError(await admin.get(`/api/v1/enterprises/${(await firstOf('230202')).id}`), 403, 'permission_denied');
});

test('the audit admin reads the audit log, including the logins just made; a leader cannot', async () => {
	const before = Date.now();
	assert.equal((await login(srv, 'supervisor')).status, 200);
	assert.equal((await login(srv, 'supervisor', 'Wrong@2026')).status, 401);
	const audit = await srv.login('auditadmin');
	const rows = (await auditRows(audit, 'username=supervisor&entity=session')).items;
	const recent = rows.filter((r) => Date.parse(r.at) >= before - 2000);
	assert.deepEqual(recent.map((r) => r.result).slice(0, 2), ['failure', 'success']);
	assertError(await leader.get('/api/v1/audit'), 403, 'permission_denied');
	assertError(await leader.get('/api/v1/audit/export'), 403, 'permission_denied');
	for (const u of ['sysadmin', 'secadmin'])
		assertError(await (await srv.login(u)).get('/api/v1/audit'), 403, 'permission_denied');
	// And the audit admin has nothing else.
	assertError(await audit.get('/api/v1/users'), 403, 'permission_denied');
	assertError(await audit.get('/api/v1/enterprises'), 403, 'permission_denied');
	assertError(await audit.get('/api/v1/orgs'), 403, 'permission_denied');
});

test('the security admin assigns roles, never to itself, never mixing admin and business roles', async () => {
	const sec = await srv.login('secadmin');
	const admin = await srv.login('sysadmin');
	const users = (await sec.get('/api/v1/users?page_size=100')).json.items;
	const id = (name) => users.find((u) => u.username === name).id;
	const roleCodes = async (uid) => (await sec.get(`/api/v1/users/${uid}`)).json.roles.map((r) => r.code);

	const r = await sec.put(`/api/v1/users/${id('statistician')}/roles`, { roles: ['statistician', 'supervisor'] });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.roles.map((x) => x.code), ['supervisor', 'statistician']);
	// The new role is in force at the next request of that user.
	const st = await srv.login('statistician');
	assert.deepEqual(st.user.roles.map((x) => x.code).sort(), ['statistician', 'supervisor']);
	assert.ok(st.user.permissions.includes('org.read'));

	const self = await sec.put(`/api/v1/users/${id('secadmin')}/roles`, { roles: ['secadmin', 'leader'] });
	assertError(self, 409, 'own_roles', { message: '不能给自己授予或撤销角色，请由另一名安全管理员操作', field: 'roles' });
	assert.deepEqual(await roleCodes(id('secadmin')), ['secadmin']);

	const mix = await sec.put(`/api/v1/users/${id('leader')}/roles`, { roles: ['leader', 'auditadmin'] });
	assertError(mix, 422, 'separation_of_duties', { message: '管理员权限不能与业务数据权限同时授予（三员分立）', field: 'roles' });
	const twoAdmins = await sec.put(`/api/v1/users/${id('sysadmin')}/roles`, { roles: ['sysadmin', 'auditadmin'] });
	assertError(twoAdmins, 422, 'separation_of_duties', {
		message: '系统管理员、安全管理员、审计管理员的权限必须分别授予不同的人（三员分立）', field: 'roles' });
	const sysPlusBiz = await sec.put(`/api/v1/users/${id('sysadmin')}/roles`, { roles: ['sysadmin', 'handler'] });
	assertError(sysPlusBiz, 422, 'separation_of_duties', { field: 'roles' });
	assert.deepEqual(await roleCodes(id('leader')), ['leader']);
	assert.deepEqual(await roleCodes(id('sysadmin')), ['sysadmin']);

	assertError(await sec.put(`/api/v1/users/${id('leader')}/roles`, { roles: ['emperor'] }), 422, 'unknown_role',
		{ message: '没有这个角色：emperor', field: 'roles' });
	assertError(await sec.put('/api/v1/users/999999/roles', { roles: ['leader'] }), 404, 'not_found');

	// The system admin manages accounts, not grants.
	assertError(await admin.put(`/api/v1/users/${id('leader')}/roles`, { roles: ['supervisor'] }), 403, 'permission_denied');
	assertError(await admin.get('/api/v1/roles'), 403, 'permission_denied');
	assert.deepEqual(await roleCodes(id('leader')), ['leader']);
	// The security admin manages grants, not accounts.
	assertError(await sec.post('/api/v1/users', { username: 'secmade', display_name: '安管建', org_id: admin.user.org.id }),
		403, 'permission_denied');
	assertError(await sec.get('/api/v1/enterprises'), 403, 'permission_denied');
});
