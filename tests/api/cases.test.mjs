// cases.test.mjs: the typical case library: a solved and closed appeal is promoted to a case
// (nothing else is), anonymised on request (the enterprise's names, its contact, numbers that
// identify it), found by full-text search over Chinese with 2- and 3-character terms, edited,
// withdrawn; who may read and who may write.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError } from './helpers.mjs';
import { appealServer, cast, file, act, dispatch, uniquePhrase } from './appeals-helpers.mjs';

let srv, c, name, solved, named;
before(async () => {
	srv = await appealServer();
	c = await cast(srv);
	name = c.enterprise.user.enterprise.name;
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

/* An appeal taken all the way to "closed, solved". */
async function solve(fields, reply = '经协调，问题已解决。') {
	const a = await file(c, fields);
	await dispatch(c, a);
	await act(c.handler, a, 'start');
	await act(c.handler, a, 'reply', { outcome: 'solved', message: reply });
	await act(c.enterprise, a, 'evaluate', { rating: 'satisfied' });
	return a;
}

const search = async (s, q) => (await s.get('/api/v1/cases?q=' + encodeURIComponent(q))).json;

test('a solved appeal becomes a case; nothing else does', async () => {
	const u = uniquePhrase();
	named = await solve({ title: `供应链票据贴现难（${u}）`, content: `${name}持有大量商业承兑汇票，贴现困难，影响原材料采购。${u}` },
		'经协调，市融资担保公司提供增信，银行已办理票据贴现1200万元。');
	let r = await c.dispatcher.post('/api/v1/cases', { appeal_id: named.id });
	assert.equal(r.status, 201, r.text);
	const k = r.json;
	assert.equal(k.title, named.title);
	assert.equal(k.problem, named.content);
	assert.equal(k.solution, '经协调，市融资担保公司提供增信，银行已办理票据贴现1200万元。');
	assert.deepEqual(k.enterprise, { id: c.ownEnterprise, name });
	assert.equal(k.anonymised, false);
	assert.equal(k.status, 'published');
	assert.equal(k.appeal_id, named.id);
	assert.equal(k.appeal_number, named.number);
	assert.equal(k.category.id, c.cat['0101']);
	assertError(await c.dispatcher.post('/api/v1/cases', { appeal_id: named.id }), 409, 'duplicate_case', { field: 'appeal_id' });
	// not closed, or closed without solving it
	const open = await file(c, { topic: '未办结的诉求' });
	assertError(await c.dispatcher.post('/api/v1/cases', { appeal_id: open.id }), 409, 'not_solved', { field: 'appeal_id' });
	const explained = await file(c, { topic: '只作了解释的诉求' });
	await dispatch(c, explained);
	await act(c.handler, explained, 'start');
	await act(c.handler, explained, 'reply', { outcome: 'explained', message: '已解释' });
	await act(c.enterprise, explained, 'evaluate', { rating: 'satisfied' });
	assertError(await c.dispatcher.post('/api/v1/cases', { appeal_id: explained.id }), 409, 'not_solved', { field: 'appeal_id' });
	assertError(await c.dispatcher.post('/api/v1/cases', { appeal_id: 999999 }), 422, 'invalid_appeal', { field: 'appeal_id' });
	assertError(await c.dispatcher.post('/api/v1/cases', {}), 422, 'required', { field: 'appeal_id' });
	// who may write, who may read
	for (const u2 of ['handler', 'cadre', 'statistician'])
		assertError(await c[u2].post('/api/v1/cases', { appeal_id: named.id }), 403, 'permission_denied');
	for (const u2 of ['enterprise', 'sysadmin'])
		assertError(await c[u2].get('/api/v1/cases'), 403, 'permission_denied');
	r = await c.cadre.get(`/api/v1/cases/${k.id}`);
	assert.equal(r.status, 200);
	assert.equal(r.json.appeal_id, undefined, 'the way back to the appeal is for the library\'s keepers');
});

test('anonymised on request: names, contact and numbers masked, in the text and the index', async () => {
	const u = uniquePhrase();
	const short = name.replace(/^.*?市/, '').replace(/有限公司$/, '');
	solved = await solve({
		title: `${short}新厂房用电报装（${u}）`,
		content: `${name}（统一社会信用代码91230202MA1B2C3D4X）新厂房报装，联系人钱经理13904521234。${u}`,
		contact_name: '钱经理', contact_phone: '13904521234',
	}, `${short}的报装已完成，已通知钱经理。`);
	const r = await c.supervisor.post('/api/v1/cases', { appeal_id: solved.id, anonymised: true });
	assert.equal(r.status, 201, r.text);
	const k = r.json;
	assert.equal(k.anonymised, true);
	assert.deepEqual(k.enterprise, { id: null, name: '某企业' });
	for (const text of [k.title, k.problem, k.solution]) {
		assert.ok(!text.includes(short), text);
		assert.ok(!text.includes('钱经理'), text);
		assert.ok(!text.includes('13904521234'), text);
		assert.ok(!text.includes('91230202MA1B2C3D4X'), text);
	}
	assert.match(k.title, /^某企业新厂房用电报装/);
	assert.match(k.problem, /某企业（统一社会信用代码\*{18}）/);
	assert.match(k.problem, /联系人某某\*{8}/);
	assert.match(k.solution, /已通知某某。$/);
	// found by what it says, never by who it was
	assert.ok((await search(c.cadre, '报装')).items.some((x) => x.id === k.id));
	assert.ok(!(await search(c.cadre, short)).items.some((x) => x.id === k.id));
	assert.ok(!(await search(c.cadre, '钱经理')).items.some((x) => x.id === k.id));
});

test('search over Chinese: 2- and 3-character terms, several terms, category; edit and withdraw', async () => {
	let r = await search(c.cadre, '贴现');
	assert.ok(r.items.some((x) => x.title.startsWith('供应链票据贴现难')));
	r = await search(c.cadre, '票据贴现');
	assert.equal(r.total, r.items.length);
	assert.ok(r.items.some((x) => x.title.startsWith('供应链票据贴现难')));
	assert.ok(!(await search(c.cadre, '贴现 报装')).items.length);
	assert.ok((await search(c.cadre, '银行 贴现')).items.length >= 1);
	r = await c.cadre.get(`/api/v1/cases?category_id=${c.cat['01']}`);
	assert.ok(r.json.items.length >= 1 && r.json.items.every((x) => x.category.id === c.cat['0101']));
	assertError(await c.cadre.get('/api/v1/cases?q=a+b+c+d'), 422, 'invalid_query', { field: 'q' });
	// edit: the index follows the text
	const k = r.json.items.find((x) => x.title.startsWith('供应链票据贴现难'));
	let e = await c.supervisor.patch(`/api/v1/cases/${k.id}`, { title: '商业汇票贴现难的破解', solution: '担保增信后银行办理贴现' });
	assert.equal(e.status, 200, e.text);
	assert.equal(e.json.title, '商业汇票贴现难的破解');
	assert.ok((await search(c.cadre, '破解')).items.some((x) => x.id === k.id));
	assertError(await c.supervisor.patch(`/api/v1/cases/${k.id}`, { title: '' }), 422, 'required', { field: 'title' });
	assertError(await c.supervisor.patch(`/api/v1/cases/${k.id}`, { anonymised: true }), 422, 'unknown_field', { field: 'anonymised' });
	// anonymising an existing case masks its text; the name no longer finds it
	e = await c.supervisor.post(`/api/v1/cases/${k.id}/anonymise`);
	assert.equal(e.status, 200, e.text);
	assert.equal(e.json.enterprise.name, '某企业');
	assert.ok(!e.json.problem.includes(name));
	assert.ok(!(await search(c.cadre, name.slice(0, 4))).items.some((x) => x.id === k.id));
	// withdrawn: gone for readers, there for its keepers
	e = await c.supervisor.patch(`/api/v1/cases/${k.id}`, { status: 'withdrawn' });
	assert.equal(e.json.status, 'withdrawn');
	assertError(await c.cadre.get(`/api/v1/cases/${k.id}`), 404, 'not_found');
	assert.ok(!(await search(c.cadre, '破解')).items.some((x) => x.id === k.id));
	assertError(await c.cadre.get('/api/v1/cases?status=withdrawn'), 422, 'invalid_choice', { field: 'status' });
	r = await c.supervisor.get('/api/v1/cases?status=withdrawn');
	assert.ok(r.json.items.some((x) => x.id === k.id));
	// every change is audited
	const audit = await c.auditadmin.get(`/api/v1/audit?entity=case&entity_id=${k.id}`);
	assert.deepEqual(audit.json.items.map((x) => x.action).reverse(), ['create', 'update', 'anonymise', 'update']);
});
