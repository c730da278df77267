// appeals-scope.test.mjs: who sees which appeal, attachment and count. An enterprise never sees
// another's appeal or counts; a county handler sees its county's; a co-unit what it co-handles;
// ids out of scope are 404, never 403, in the API, the files and the statistics. Attachments:
// type sniffed from the content (a disguise is 415), too large 413, too many 409, kept outside
// any served folder under a generated name. And a role × endpoint table of statuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertError, cliUser, onPostgres, sqlite, sqliteOnly } from './helpers.mjs';
import { startServer } from '../lib/server.mjs';
import { appealServer, cast, file, act, dispatch } from './appeals-helpers.mjs';

let srv, c, ent2, jianhua, countyLeader;
before(async () => {
	srv = await appealServer(['--upload-max', String(256 * 1024)]);
	c = await cast(srv);
	jianhua = (await c.leader.get('/api/v1/enterprises?region_code=230203')).json.items[0];
	ent2 = (await cliUser(srv, { username: 'jianhua.ent', role: 'enterprise', org: '230203', enterprise: jianhua.uscc })).session;
	countyLeader = (await cliUser(srv, { username: 'longsha.lead', role: 'leader', org: '230202' })).session;
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

const NF = '找不到该记录，或您无权查看';
const get = (s, a) => s.get(`/api/v1/appeals/${typeof a === 'object' ? a.id : a}`);
const all = async (s, q = '') => {
	const items = [];
	for (let page = 1; ; page++) {
		const r = await s.get(`/api/v1/appeals?page_size=100&page=${page}${q}`);
		assert.equal(r.status, 200, r.text);
		items.push(...r.json.items);
		if (r.json.items.length < 100) return items;
	}
};
const stats = async (s, q = '') => {
	const r = await s.get('/api/v1/stats/appeals?from=2020-01&to=2040-12' + q);
	assert.equal(r.status, 200, r.text);
	return r.json;
};

test('an enterprise sees its own appeals only: lists, search, details, ids, counts', async () => {
	const mine = await file(c, { topic: '本企业的诉求' });
	const theirs = await file(c, { topic: '建华区企业的诉求' }, ent2);
	assert.equal(theirs.enterprise.id, jianhua.id);
	assertError(await get(c.enterprise, theirs), 404, 'not_found', { message: NF });
	assertError(await get(ent2, mine), 404, 'not_found', { message: NF });
	const list = await all(c.enterprise);
	assert.ok(list.length > 0 && list.every((x) => x.enterprise.id === c.ownEnterprise));
	assert.ok(!(await all(c.enterprise, '&q=' + encodeURIComponent('建华区企业'))).some((x) => x.id === theirs.id));
	assert.ok(!(await all(c.enterprise, `&enterprise_id=${jianhua.id}`)).length);
	// no action, no attachment, no timeline through another's id
	assertError(await ent2.post(`/api/v1/appeals/${mine.id}/withdraw`, {}), 404, 'not_found');
	assertError(await ent2.get(`/api/v1/appeals/${mine.id}/attachments/1`), 404, 'not_found');
	// every id is its own or 404: never 403, nothing to learn by counting
	const top = Math.max(mine.id, theirs.id);
	const own = new Set(list.map((x) => x.id));
	for (let id = 1; id <= top; id++) {
		const r = await get(c.enterprise, id);
		assert.equal(r.status, own.has(id) ? 200 : 404, `id ${id}`);
	}
	// its counts are its own appeals, and equal a recount of them
	const s = await stats(c.enterprise);
	assert.equal(s.source, 'counters');
	assert.equal(s.total.received, list.length);
	assert.deepEqual((await stats(c.enterprise, '&source=recount')).total, s.total);
	const s2 = await stats(ent2);
	assert.equal(s2.total.received, (await all(ent2)).length);
	const byUnit = await stats(c.enterprise, '&group_by=region');
	assert.deepEqual(byUnit.items.map((x) => x.key), ['230202']);
});

test('a county handler and a county leader see their county\'s appeals; others are 404', async () => {
	const theirs = await file(c, { topic: '建华区第二件诉求' }, ent2);
	for (const s of [c.handler, countyLeader, c.cadre]) {
		assertError(await get(s, theirs), 404, 'not_found');
		const list = await all(s);
		assert.ok(list.length > 0);
		assert.ok(list.every((x) => x.region_code === '230202'), s.user.username);
		if (s === c.cadre)
			continue; /* a cadre files and follows; it has no statistics */
		const st = await stats(s);
		assert.equal(st.total.received, list.length, s.user.username);
		assert.deepEqual((await stats(s, '&source=recount')).total, st.total);
	}
	// the city sees both counties
	const city = await all(c.leader);
	assert.ok(city.some((x) => x.region_code === '230203') && city.some((x) => x.region_code === '230202'));
	assert.equal((await stats(c.leader)).total.received, city.length);
	// a county leader (subtree) and the county handler (its org) count the same county here
	assert.equal((await stats(countyLeader)).total.received, (await stats(c.handler)).total.received);
});

test('a co-unit sees what it co-handles, while it does, and counts it', async () => {
	const a = await file(c, { topic: '建华区需要龙沙协办的诉求' }, ent2);
	const before = (await stats(c.handler)).total;
	await act(c.dispatcher, a, 'accept');
	await act(c.dispatcher, a, 'assign', { lead_org_id: c.org['230203'], co_org_ids: [c.org['230202']] });
	let r = await get(c.handler, a);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.allowed_actions, ['co_opinion']);
	assert.ok((await all(c.handler)).some((x) => x.id === a.id));
	let now = (await stats(c.handler)).total;
	assert.equal(now.received, before.received + 1);
	assert.equal(now.accepted, before.accepted + 1);
	assert.deepEqual((await stats(c.handler, '&source=recount')).total, now);
	await act(c.handler, a, 'co_opinion', { message: '龙沙区可提供配套用地信息' });
	// the county's leader sees it too (a co-unit within its subtree)
	assert.equal((await get(countyLeader, a)).status, 200);
	// reassigned without the co-unit: gone, from the list and the counts
	await act(c.dispatcher, a, 'assign', { lead_org_id: c.org['230203'] });
	assertError(await get(c.handler, a), 404, 'not_found');
	now = (await stats(c.handler)).total;
	assert.equal(now.received, before.received);
	assert.deepEqual((await stats(c.handler, '&source=recount')).total, now);
});

/* ---- attachments ---------------------------------------------------------------------------- */

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
	'1f15c4890000000d49444154789c6360000002000154a24f5b0000000049454e44ae426082', 'hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 1)]);

const upload = (s, a, name, bytes, q = '') =>
	s.req('POST', `/api/v1/appeals/${a.id}/attachments?name=${encodeURIComponent(name)}${q}`,
		{ body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });

test('attachments: images, PDF and Office by their content; a disguise is 415; served only within scope', async () => {
	const a = await file(c, { topic: '附件测试' });
	let r = await upload(c.enterprise, a, '营业执照.png', PNG);
	assert.equal(r.status, 201, r.text);
	const png = r.json;
	assert.deepEqual([png.name, png.kind, png.mime, png.size_bytes, png.internal], ['营业执照.png', 'png', 'image/png', PNG.length, false]);
	r = await upload(c.enterprise, a, '../../申请书.PDF', PDF);
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.name, '申请书.PDF', 'only the last part of a path is kept');
	// the content decides: a PNG named .pdf, a program named .pdf, a program as itself
	assertError(await upload(c.enterprise, a, '合同.pdf', PNG), 415, 'disguised_type', { field: 'name' });
	assertError(await upload(c.enterprise, a, '合同.pdf', EXE), 415, 'unsupported_type');
	assertError(await upload(c.enterprise, a, 'setup.exe', EXE), 415, 'unsupported_type');
	assertError(await upload(c.enterprise, a, 'note.txt', Buffer.from('plain text')), 415, 'unsupported_type');
	assertError(await upload(c.enterprise, a, '', PNG), 422, 'required', { field: 'name' });
	assertError(await upload(c.enterprise, a, 'empty.png', Buffer.alloc(0)), 422, 'empty_file');
	// served to those who see the appeal, with its type and name; 404 to everyone else
	for (const s of [c.enterprise, c.handler, c.dispatcher, c.leader]) {
		const g = await s.get(png.url);
		assert.equal(g.status, 200, s.user.username);
		assert.equal(g.headers.get('content-type'), 'image/png');
		assert.match(g.headers.get('content-disposition'), /^attachment; .*filename\*=UTF-8''%E8%90%A5/);
		assert.equal(g.headers.get('x-content-type-options'), 'nosniff');
		assert.equal(Buffer.from(g.text, 'latin1').length > 0, true);
	}
	const raw = await fetch(srv.url + png.url, { headers: { Cookie: c.enterprise.cookie } });
	assert.deepEqual(Buffer.from(await raw.arrayBuffer()), PNG);
	for (const s of [ent2, c.yunxing])
		assertError(await s.get(png.url), 404, 'not_found');
	assertError(await c.enterprise.get(`/api/v1/appeals/${a.id}/attachments/999999`), 404, 'not_found');
	// an attachment of one appeal is not reachable through another
	const other = await file(c, { topic: '另一件附件测试' });
	assertError(await c.enterprise.get(`/api/v1/appeals/${other.id}/attachments/${png.id}`), 404, 'not_found');
	// the detail lists them, and the timeline says so
	const d = (await get(c.enterprise, a)).json;
	assert.deepEqual(d.attachments.map((x) => x.name), ['营业执照.png', '申请书.PDF']);
	assert.ok(d.timeline.some((e) => e.action === 'attach'));
	// stored outside any served folder, under a generated name
	if (!onPostgres) {
		const dir = srv.db + '.files';
		assert.ok(existsSync(dir));
		const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.includes('/'));
		assert.ok(files.every((f) => /^[0-9a-f]{2}\/[0-9a-f]{30}$/.test(f)), files.join(','));
		assert.ok(files.some((f) => readFileSync(join(dir, f)).equals(PNG)));
	}
	assert.equal((await srv.fetch('/' + png.url.split('/').pop())).headers.get('content-type').startsWith('image/'), false);
});

test('attachments: internal ones stay inside; size and count limits; nothing after the end', async () => {
	const a = await file(c, { topic: '附件限制测试' });
	await dispatch(c, a);
	let r = await upload(c.handler, a, '内部意见.pdf', PDF, '&internal=1');
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.internal, true);
	assertError(await c.enterprise.get(r.json.url), 404, 'not_found');
	assert.equal((await c.handler.get(r.json.url)).status, 200);
	assert.deepEqual((await get(c.enterprise, a)).json.attachments, []);
	// the enterprise's own uploads are never internal
	r = await upload(c.enterprise, a, '补充.png', PNG, '&internal=1');
	assert.equal(r.json.internal, false);
	// a person not tied to the appeal may read it but not add to it
	assert.equal((await upload(c.statistician, a, 'x.png', PNG)).status, 409);
	// too large: the appeal's limit (a setting), and the server's upload limit
	let s = await c.dispatcher.patch('/api/v1/appeal-settings', { attachment_max_bytes: 2048 });
	assert.equal(s.status, 200, s.text);
	assertError(await upload(c.enterprise, a, '大图.png', Buffer.concat([PNG, Buffer.alloc(3000)])), 413, 'too_large');
	s = await c.dispatcher.patch('/api/v1/appeal-settings', { attachment_max_bytes: 10485760, attachment_max_count: 3 });
	assert.equal((await upload(c.enterprise, a, 'big.pdf', Buffer.concat([PDF, Buffer.alloc(300 * 1024)]))).status, 413);
	assert.equal((await upload(c.enterprise, a, '第三个.png', PNG)).status, 201);
	r = await upload(c.enterprise, a, '第四个.png', PNG);
	assert.equal(r.status, 409, r.text);
	assert.equal(r.json.error.code, 'too_many_attachments');
	await c.dispatcher.patch('/api/v1/appeal-settings', { attachment_max_count: 10 });
	// once it is over, nothing more is added
	await act(c.enterprise, a, 'withdraw', { reason: '已解决' });
	assert.equal((await upload(c.enterprise, a, '晚了.png', PNG)).json.error.code, 'wrong_state');
});

/* ---- who may call what --------------------------------------------------------------------- */

test('the role × endpoint table: permission 403, scope 404, state 409', async () => {
	const a = await file(c, { topic: '权限矩阵' });
	const p = (path) => `/api/v1/appeals/${a.id}${path}`;
	const rows = [
		// [user, method, path, body, want]
		['sysadmin', 'GET', '/api/v1/appeals', null, 403],
		['auditadmin', 'GET', '/api/v1/appeals', null, 403],
		['statistician', 'GET', '/api/v1/appeals', null, 200],
		['statistician', 'GET', p(''), null, 200],
		['statistician', 'POST', p('/accept'), {}, 403],
		['statistician', 'GET', '/api/v1/stats/appeals', null, 200],
		['sysadmin', 'GET', '/api/v1/stats/appeals', null, 403],
		['cadre', 'GET', '/api/v1/stats/appeals', null, 403],
		['enterprise', 'GET', '/api/v1/stats/appeals', null, 200],
		['enterprise', 'GET', '/api/v1/appeals/units', null, 403],
		['enterprise', 'GET', '/api/v1/appeal-routes', null, 403],
		['enterprise', 'GET', '/api/v1/appeal-categories', null, 200],
		['enterprise', 'POST', p('/assign'), {}, 403],
		['enterprise', 'POST', p('/evaluate'), { rating: 'satisfied' }, 409],
		['handler', 'POST', p('/evaluate'), { rating: 'satisfied' }, 409],
		['yunxing', 'GET', p(''), null, 404],
		['yunxing', 'POST', p('/accept'), {}, 404],
		['dispatcher', 'POST', p('/start'), {}, 403],
		['supervisor', 'POST', p('/accept'), {}, 403],
		['supervisor', 'POST', p('/supervise'), { note: '请加快' }, 200],
		['leader', 'POST', '/api/v1/appeal-routes', { lead_org_id: 1, region_code: 'bad' }, 422],
		['handler', 'POST', '/api/v1/appeal-routes', { lead_org_id: 1 }, 403],
		['sysadmin', 'GET', '/api/v1/notify/webhook', null, 200],
		['leader', 'GET', '/api/v1/notify/webhook', null, 403],
		['sysadmin', 'GET', '/api/v1/cases', null, 403],
		['enterprise', 'GET', '/api/v1/cases', null, 403],
		['cadre', 'GET', '/api/v1/cases', null, 200],
		['cadre', 'POST', '/api/v1/cases', { appeal_id: a.id }, 403],
	];
	const people = { ...c, jianhua: ent2 };
	for (const [u, method, path, body, want] of rows) {
		const r = await people[u].req(method, path, body ? { json: body } : {});
		assert.equal(r.status, want, `${u} ${method} ${path}: ${r.text}`);
	}
	// anonymous: 401 everywhere
	for (const path of ['/api/v1/appeals', p(''), '/api/v1/stats/appeals', '/api/v1/notifications'])
		assert.equal((await srv.fetch(path)).status, 401, path);
});

test('the scope keys of appeals filed before the keys table are written at start-up', { skip: sqliteOnly }, async () => {
	const first = await startServer({ keep: true });
	const ent = await first.login('enterprise');
	const before = (await ent.get('/api/v1/appeals?page_size=100')).json;
	assert.ok(before.total > 0);
	assert.equal((await first.stop()).code, 0);
	sqlite(first.db, 'DELETE FROM appeal_keys');
	const again = await startServer({ demo: false, db: first.db, dir: first.dir });
	try {
		const e2 = await again.login('enterprise');
		const after = (await e2.get('/api/v1/appeals?page_size=100')).json;
		assert.deepEqual(after.items.map((x) => x.id), before.items.map((x) => x.id));
		assert.ok(Number(sqlite(first.db, 'SELECT COUNT(*) FROM appeal_keys').trim()) > 0);
	} finally {
		assert.equal((await again.stop()).code, 0);
	}
});
