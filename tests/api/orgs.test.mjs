// orgs.test.mjs: the org tree over HTTP: list envelope and paging, tree, create with the kind
// rules and a materialized path, edit, and refused writes that change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, auditRows } from './helpers.mjs';

let srv, admin, audit, city;
before(async () => {
	srv = await startServer({ args: ['--login-rate', '500/60'] });
	admin = await srv.login('sysadmin');
	audit = await srv.login('auditadmin');
	city = (await admin.get(`/api/v1/orgs/${admin.user.org.id}`)).json;
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

const orgRows = async () => (await auditRows(audit, 'entity=org')).total;

test('the list answers the envelope, pages, and caps page_size at 100', async () => {
	const r = await admin.get('/api/v1/orgs');
	assert.equal(r.status, 200);
	assert.deepEqual(Object.keys(r.json).sort(), ['items', 'page', 'page_size', 'total']);
	assert.equal(r.json.page, 1);
	assert.equal(r.json.page_size, 20);
	assert.equal(r.json.items.length, 20);
	const total = r.json.total;
	assert.equal(total, 1 + 7 + 16 * 2, 'the city, its 7 sections, 16 counties with a section each');
	assert.deepEqual(Object.keys(r.json.items[0]).sort(),
		['code', 'created_at', 'id', 'kind', 'name', 'parent_id', 'path', 'region_code', 'sort', 'status', 'updated_at']);
	const p2 = await admin.get('/api/v1/orgs?page=2&page_size=15');
	assert.equal(p2.json.page, 2);
	assert.equal(p2.json.items.length, 15);
	const all = await admin.get('/api/v1/orgs?page_size=100');
	assert.equal(all.json.items.length, total);
	assert.deepEqual(p2.json.items.map((o) => o.id), all.json.items.slice(15, 30).map((o) => o.id));
	assertError(await admin.get('/api/v1/orgs?page_size=101'), 422, 'out_of_range', { message: '每页条数应为1到100之间的整数', field: 'page_size' });
	assertError(await admin.get('/api/v1/orgs?page=0'), 422, 'out_of_range', { field: 'page' });
	assert.equal((await admin.get('/api/v1/orgs?page=99')).json.items.length, 0);
	// Filters: kind, parent, search by name or code prefix.
	assert.equal((await admin.get('/api/v1/orgs?kind=county')).json.total, 16);
	assert.equal((await admin.get(`/api/v1/orgs?parent_id=${city.id}&kind=department`)).json.total, 7);
	const q = await admin.get(`/api/v1/orgs?q=${encodeURIComponent('龙沙')}`);
	assert.deepEqual(q.json.items.map((o) => o.code), ['230202']);
	// A LIKE wildcard in the search is taken literally.
	assert.equal((await admin.get('/api/v1/orgs?q=%25')).json.total, 0);
	assert.equal((await admin.get('/api/v1/orgs?q=_')).json.total, 0);
});

test('the tree nests every visible org under its parent', async () => {
	const r = await admin.get('/api/v1/orgs/tree');
	assert.equal(r.status, 200);
	assert.equal(r.json.items.length, 1);
	const root = r.json.items[0];
	assert.equal(root.id, city.id);
	assert.equal(root.children.length, 7 + 16);
	let count = 0;
	const walk = (n, parent) => {
		count++;
		if (parent) {
			assert.equal(n.parent_id, parent.id);
			assert.ok(n.path.startsWith(parent.path) && n.path === `${parent.path}${n.id}/`, n.path);
		}
		n.children.forEach((c) => walk(c, n));
	};
	walk(root, null);
	assert.equal(count, 40);
});

test('create: 201 with a path under the parent, audited', async () => {
	const county = (await admin.get('/api/v1/orgs?kind=county&q=230203')).json.items[0];
	const rows = await orgRows();
	const r = await admin.post('/api/v1/orgs', { parent_id: county.id, code: '230203-02', name: '  项目服务股 ', kind: 'department', sort: 2 });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.name, '项目服务股', 'trimmed');
	assert.equal(r.json.parent_id, county.id);
	assert.equal(r.json.path, `${county.path}${r.json.id}/`);
	assert.equal(r.json.status, 'active');
	assert.equal(r.json.sort, 2);
	assert.deepEqual((await admin.get(`/api/v1/orgs/${r.json.id}`)).json, r.json);
	const a = (await auditRows(audit, `entity=org&entity_id=${r.json.id}`)).items;
	assert.equal(a.length, 1);
	assert.equal(a[0].action, 'create');
	assert.equal(a[0].username, 'sysadmin');
	assert.equal(a[0].request_id, r.headers.get('x-request-id'));
	assert.deepEqual(a[0].summary, { code: '230203-02', kind: 'department', name: '项目服务股', parent_id: county.id });
	assert.equal(await orgRows(), rows + 1);
	// A department below a department is allowed.
	const sub = await admin.post('/api/v1/orgs', { parent_id: r.json.id, code: '230203-02-1', name: '一组', kind: 'department' });
	assert.equal(sub.status, 201);
	assert.equal(sub.json.path, `${r.json.path}${sub.json.id}/`);
});

test('create: the kind rules, the parent in scope, required fields; nothing is stored', async () => {
	const county = (await admin.get('/api/v1/orgs?kind=county&q=230204')).json.items[0];
	const total = (await admin.get('/api/v1/orgs')).json.total;
	const rows = await orgRows();
	assertError(await admin.post('/api/v1/orgs', { parent_id: county.id, code: 'X-1', name: '县下设县', kind: 'county' }),
		422, 'invalid_kind', { message: '县区级下不能设立县区级机构', field: 'kind' });
	assertError(await admin.post('/api/v1/orgs', { parent_id: city.id, code: 'X-2', name: '市下设市', kind: 'city' }),
		422, 'invalid_kind', { message: '市级下不能设立市级机构', field: 'kind' });
	assertError(await admin.post('/api/v1/orgs', { parent_id: city.parent_id, code: 'X-3', name: '省厅科室', kind: 'department' }),
		422, 'invalid_parent', { message: '上级机构不存在或不在您的管理范围内', field: 'parent_id' });
	assertError(await admin.post('/api/v1/orgs', { parent_id: 999999, code: 'X-4', name: '无上级', kind: 'department' }),
		422, 'invalid_parent', { field: 'parent_id' });
	assertError(await admin.post('/api/v1/orgs', { code: 'X-5', name: '顶层', kind: 'city' }),
		422, 'required', { message: '请选择上级机构', field: 'parent_id' });
	assertError(await admin.post('/api/v1/orgs', { parent_id: city.id, name: '无代码', kind: 'department' }),
		422, 'required', { message: '机构代码不能为空', field: 'code' });
	assertError(await admin.post('/api/v1/orgs', { parent_id: city.id, code: 'X-6', kind: 'department' }),
		422, 'required', { message: '机构名称不能为空', field: 'name' });
	assertError(await admin.post('/api/v1/orgs', { parent_id: city.id, code: 'X-7', name: 'n'.repeat(61), kind: 'department' }),
		422, 'too_long', { message: '机构名称不能超过60个字符', field: 'name' });
	assertError(await admin.post('/api/v1/orgs', { parent_id: city.id, code: '230202', name: '重复', kind: 'department' }),
		409, 'duplicate_code', { field: 'code' });
	// The default limits: one string at most 64 KB, a body at most 1 MB.
	assertError(await admin.post('/api/v1/orgs', { parent_id: city.id, code: 'X-9', name: '长'.repeat(30000), kind: 'department' }),
		422, 'too_long', { message: '内容过长（单个字段不能超过65536字节）', field: 'name' });
	assertError(await admin.post('/api/v1/orgs', { parent_id: city.id, code: 'X-10', name: 'n', kind: 'department', pad: 'x'.repeat(1 << 20) }),
		413, 'too_large', { message: '提交的内容超过1024 KB上限' });
	assert.equal((await admin.get('/api/v1/orgs')).json.total, total);
	assert.equal(await orgRows(), rows, 'a refused write leaves no audit row');
	// Others than the system admin cannot create.
	const leader = await srv.login('leader');
	assertError(await leader.post('/api/v1/orgs', { parent_id: city.id, code: 'X-8', name: '领导建', kind: 'department' }),
		403, 'permission_denied');
	assert.equal((await admin.get('/api/v1/orgs')).json.total, total);
});

test('edit: name, code, sort and status change; parent and kind cannot; audited with the change', async () => {
	const sec = (await admin.get(`/api/v1/orgs?parent_id=${city.id}&kind=department&q=230200-07`)).json.items[0];
	const r = await admin.patch(`/api/v1/orgs/${sec.id}`, { name: '信息化和软件服务业科', sort: 9 });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.name, '信息化和软件服务业科');
	assert.equal(r.json.sort, 9);
	assert.equal(r.json.code, sec.code, 'untouched fields stay');
	assert.equal(r.json.path, sec.path);
	const a = (await auditRows(audit, `entity=org&entity_id=${sec.id}&action=update`)).items;
	assert.equal(a.length, 1);
	assert.deepEqual(a[0].summary, { name: '信息化和软件服务业科', sort: 9 });
	assert.equal(a[0].request_id, r.headers.get('x-request-id'));

	const dis = await admin.patch(`/api/v1/orgs/${sec.id}`, { status: 'disabled' });
	assert.equal(dis.json.status, 'disabled');
	assertError(await admin.patch(`/api/v1/orgs/${sec.id}`, { status: 'gone' }), 422, 'invalid_choice', { field: 'status' });
	assertError(await admin.patch(`/api/v1/orgs/${sec.id}`, { parent_id: city.id }), 422, 'not_editable',
		{ message: '机构的上级和类型创建后不能修改', field: 'parent_id' });
	assertError(await admin.patch(`/api/v1/orgs/${sec.id}`, { kind: 'county' }), 422, 'not_editable', { field: 'kind' });
	assertError(await admin.patch(`/api/v1/orgs/${sec.id}`, { name: '' }), 422, 'required', { message: '机构名称不能为空', field: 'name' });
	assertError(await admin.patch(`/api/v1/orgs/${sec.id}`, { name: '   ' }), 422, 'required', { field: 'name' });
	assertError(await admin.patch(`/api/v1/orgs/${sec.id}`, { code: 'a b' }), 422, 'invalid_code', { field: 'code' });
	const now = (await admin.get(`/api/v1/orgs/${sec.id}`)).json;
	assert.equal(now.name, '信息化和软件服务业科');
	assert.equal(now.kind, 'department');
	assert.equal(now.parent_id, city.id);
	assertError(await admin.patch('/api/v1/orgs/999999', { name: 'x' }), 404, 'not_found');
});
