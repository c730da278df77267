// enterprises.test.mjs: the enterprise registry: a role made by the security admin that may write
// enterprises, create with the credit code checked (both check characters), the responsible
// bureau from the region, duplicates, edits, and refused writes that change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, auditRows, cliUser } from './helpers.mjs';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/* A valid unified social credit code (GB 32100-2015) of an enterprise in region, from 8 digits. */
function uscc(region, digits) {
	const org = String(digits).padStart(8, '0');
	const w = [3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 8; i++) s += Number(org[i]) * w[i];
	const c9 = 11 - (s % 11);
	const body = '91' + region + org + (c9 === 10 ? 'X' : c9 === 11 ? '0' : String(c9));
	let t = 0;
	for (let i = 0; i < 17; i++) t += ALPHABET.indexOf(body[i]) * (3 ** i % 31);
	return body + ALPHABET[(31 - (t % 31)) % 31];
}

let srv, clerk, audit, leader;
before(async () => {
	srv = await startServer({ args: ['--login-rate', '500/60'] });
	// No built-in role but the enterprise's own may write enterprises: the security admin makes one.
	const sec = await srv.login('secadmin');
	const role = await sec.post('/api/v1/roles', { code: 'registry_clerk', name: '企业库管理员', scope: 'subtree',
		permissions: ['enterprise.read', 'enterprise.write'] });
	assert.equal(role.status, 201, role.text);
	const made = await cliUser(srv, { username: 'clerk', role: 'handler', org: '230200' });
	const r = await sec.put(`/api/v1/users/${made.session.user.id}/roles`, { roles: ['registry_clerk'] });
	assert.equal(r.status, 200, r.text);
	clerk = await srv.login('clerk', made.password);
	audit = await srv.login('auditadmin');
	leader = await srv.login('leader');
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

const count = async () => (await leader.get('/api/v1/enterprises')).json.total;

test('create: 201, the county bureau of the region becomes responsible, audited', async () => {
	const code = uscc('230203', 12345678);
	const r = await clerk.post('/api/v1/enterprises', { uscc: code.toLowerCase(), name: '建华区测试精密仪器有限公司',
		region_code: '230203', industry_code: '4011', ownership: 'private', scale: 'small', above_scale: true });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.uscc, code, 'normalised to upper case');
	assert.equal(r.json.org.name, '建华区工业和信息化局');
	assert.equal(r.json.status, 'operating');
	assert.equal(r.json.above_scale, true);
	const a = (await auditRows(audit, `entity=enterprise&entity_id=${r.json.id}`)).items;
	assert.equal(a.length, 1);
	assert.deepEqual(a[0].summary, { name: '建华区测试精密仪器有限公司', region_code: '230203', uscc: code });
	assert.equal(a[0].request_id, r.headers.get('x-request-id'));
	// The county's own users now see it.
	const { session: county } = await cliUser(srv, { username: 'jianhua.cadre', role: 'cadre', org: '230203' });
	assert.ok((await county.get('/api/v1/enterprises')).json.items.some((x) => x.id === r.json.id));
});

test('create: a wrong credit code, region or choice is 422 on its field; a duplicate is 409; nothing stored', async () => {
	const n = await count();
	const good = uscc('230204', 87654321);
	const bad18 = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
	const base = { uscc: good, name: '铁锋区测试有限公司', region_code: '230204' };
	assertError(await clerk.post('/api/v1/enterprises', { ...base, uscc: bad18 }), 422, 'invalid_uscc',
		{ message: `第18位校验码错误，按前17位计算应为“${good[17]}”，请对照证照逐位核对`, field: 'uscc' });
	const bad17 = good.slice(0, 16) + (good[16] === '0' ? '1' : '0') + good[17];
	assertError(await clerk.post('/api/v1/enterprises', { ...base, uscc: bad17 }), 422, 'invalid_uscc',
		{ match: /^组织机构代码校验码错误/, field: 'uscc' });
	assertError(await clerk.post('/api/v1/enterprises', { ...base, uscc: good.slice(0, 17) }), 422, 'invalid_uscc',
		{ message: '统一社会信用代码应为18位，实际17位', field: 'uscc' });
	assertError(await clerk.post('/api/v1/enterprises', { ...base, region_code: '110101' }), 422, 'invalid_region',
		{ message: '该行政区划没有对应的工信部门，请检查所在地区', field: 'region_code' });
	assertError(await clerk.post('/api/v1/enterprises', { ...base, scale: 'huge' }), 422, 'invalid_choice', { field: 'scale' });
	assertError(await clerk.post('/api/v1/enterprises', { ...base, above_scale: 'yes' }), 422, 'wrong_type', { field: 'above_scale' });
	assertError(await clerk.post('/api/v1/enterprises', { ...base, name: '' }), 422, 'required', { field: 'name' });
	const demo = (await leader.get('/api/v1/enterprises')).json.items[0];
	assertError(await clerk.post('/api/v1/enterprises', { ...base, uscc: demo.uscc }), 409, 'duplicate_uscc',
		{ message: '该统一社会信用代码的企业已存在', field: 'uscc' });
	assert.equal(await count(), n);
});

test('edit: fields change and are audited; the code and region cannot; an empty name is refused', async () => {
	const e = (await leader.get('/api/v1/enterprises?region_code=230281')).json.items[0];
	const r = await clerk.patch(`/api/v1/enterprises/${e.id}`, { scale: 'large', status: 'suspended' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.scale, 'large');
	assert.equal(r.json.status, 'suspended');
	assert.equal(r.json.name, e.name);
	const a = (await auditRows(audit, `entity=enterprise&entity_id=${e.id}&action=update`)).items;
	assert.deepEqual(a[0].summary, { scale: 'large', status: 'suspended' });
	assertError(await clerk.patch(`/api/v1/enterprises/${e.id}`, { uscc: uscc('230281', 1) }), 422, 'not_editable', { field: 'uscc' });
	assertError(await clerk.patch(`/api/v1/enterprises/${e.id}`, { name: '' }), 422, 'required', { message: '企业名称不能为空', field: 'name' });
	assertError(await clerk.patch(`/api/v1/enterprises/${e.id}`, { name: '  ' }), 422, 'required', { field: 'name' });
	const now = (await leader.get(`/api/v1/enterprises/${e.id}`)).json;
	assert.equal(now.name, e.name);
	assert.equal(now.uscc, e.uscc);
	assertError(await clerk.patch('/api/v1/enterprises/999999', { scale: 'small' }), 404, 'not_found');
});
