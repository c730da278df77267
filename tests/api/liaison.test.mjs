// liaison.test.mjs: liaison assignment (包联): assign, refuse what cannot be, reassign keeping the
// history, an enterprise sees who its liaisons are and how to reach them, a person's own
// enterprises; bulk assignment by file (CSV in GB18030, .xlsx; the registry's row report: dry
// run, all or nothing, valid rows only) and by rule (every 规上 enterprise of a county gets one
// cadre of the county's bureau, balanced by load).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { assertError, auditRows, cliUser } from './helpers.mjs';
import { makeXlsx, readZip } from './enterprises-lib.mjs';
import { liaisonServer, people, enterprisesOf, mine, assign } from './liaison-lib.mjs';

let srv, c, longsha, free;

before(async () => {
	srv = await liaisonServer();
	c = await people(srv, [['auditor', 'auditadmin', '230200']]);
	longsha = await enterprisesOf(c.handler, '230202');
	const taken = new Set(await mine(c.cadre));
	free = longsha.filter((e) => !taken.has(e.id));
	assert.ok(free.length > 20);
});
after(() => srv?.stop());

test('assign a cadre: the cadre then sees the enterprise; refusals name the field', async () => {
	const e = free[0];
	assertError(await c.cadre2.get(`/api/v1/enterprises/${e.id}`), 404, 'not_found');
	const a = await assign(c.handler, e.id, c.cadre2, 'cadre', { note: '新招商企业' });
	assert.equal(a.kind, 'cadre');
	assert.equal(a.kind_name, '包联干部');
	assert.equal(a.status, 'current');
	assert.equal(a.enterprise.id, e.id);
	assert.equal(a.user.name, c.cadre2.user.display_name);
	assert.equal(a.source, 'manual');
	assert.equal((await c.cadre2.get(`/api/v1/enterprises/${e.id}`)).status, 200);
	assert.ok((await mine(c.cadre2)).includes(e.id));
	// the same person in the same capacity again: 409
	assertError(await c.handler.post('/api/v1/liaisons', { enterprise_id: e.id, user_id: c.cadre2.user.id, kind: 'cadre' }), 409, 'duplicate_liaison', { field: 'user_id' });
	// another capacity is another assignment
	assert.equal((await c.handler.post('/api/v1/liaisons', { enterprise_id: e.id, user_id: c.cadre2.user.id, kind: 'contact' })).status, 201);
	// refusals
	const jianhua = (await enterprisesOf(c.leader, '230203'))[0];
	assertError(await c.handler.post('/api/v1/liaisons', { enterprise_id: jianhua.id, user_id: c.cadre2.user.id, kind: 'cadre' }), 422, 'invalid_enterprise', { field: 'enterprise_id' });
	assertError(await c.handler.post('/api/v1/liaisons', { enterprise_id: e.id, user_id: c.enterprise.user.id, kind: 'cadre' }), 422, 'invalid_user', { field: 'user_id' });
	assertError(await c.handler.post('/api/v1/liaisons', { enterprise_id: e.id, user_id: c.statistician.user.id, kind: 'cadre' }), 422, 'invalid_user', { field: 'user_id' });
	assertError(await c.handler.post('/api/v1/liaisons', { enterprise_id: e.id, user_id: c.cadre2.user.id, kind: 'boss' }), 422, 'invalid_choice', { field: 'kind' });
	assertError(await c.handler.post('/api/v1/liaisons', { enterprise_id: e.id, user_id: c.cadre2.user.id, kind: 'leader', start_on: '2026-05-01', end_on: '2026-04-01' }), 422, 'invalid_date', { field: 'end_on' });
	assert.equal((await c.cadre.post('/api/v1/liaisons', { enterprise_id: e.id, user_id: c.cadre2.user.id, kind: 'cadre' })).status, 403);
	// audited
	const audit = await auditRows(c.auditor, `entity=liaison&entity_id=${a.id}`);
	assert.equal(audit.items[0].action, 'create');
	// the candidates: people who may log visits, with their loads
	const cand = await c.handler.get('/api/v1/liaisons/candidates?q=' + encodeURIComponent('吴'));
	assert.ok(cand.json.items.some((u) => u.id === c.cadre.user.id && u.load >= 16));
	assert.ok(!cand.json.items.some((u) => u.id === c.enterprise.user.id));
});

test('reassignment ends the old assignment the day before and keeps it in the history', async () => {
	const e = free[1];
	const a = await assign(c.handler, e.id, c.cadre2);
	assertError(await c.handler.post(`/api/v1/liaisons/${a.id}/reassign`, { user_id: c.cadre.user.id }), 422, 'required', { field: 'reason' });
	const r = await c.handler.post(`/api/v1/liaisons/${a.id}/reassign`, { user_id: c.cadre.user.id, reason: '岗位调整' });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.user.id, c.cadre.user.id);
	assert.equal(r.json.source, 'reassign');
	const old = (await c.handler.get(`/api/v1/liaisons/${a.id}`)).json;
	assert.equal(old.replaced_by, r.json.id);
	assert.equal(old.end_reason, '岗位调整');
	assert.equal(old.active, false, 'an assignment that began today ends the day before: cancelled');
	// current liaisons only by default; with history=1 both
	const now = (await c.handler.get(`/api/v1/enterprises/${e.id}/liaisons`)).json.items;
	assert.deepEqual(now.map((x) => x.id), [r.json.id]);
	const hist = (await c.handler.get(`/api/v1/enterprises/${e.id}/liaisons?history=1`)).json.items;
	assert.deepEqual(hist.map((x) => x.id).sort(), [a.id, r.json.id].sort());
	// the replaced one can change no more; cadre2 no longer sees the enterprise
	assertError(await c.handler.patch(`/api/v1/liaisons/${a.id}`, { note: 'x' }), 409, 'liaison_replaced');
	assertError(await c.cadre2.get(`/api/v1/enterprises/${e.id}`), 404, 'not_found');
	assert.ok((await mine(c.cadre)).includes(e.id));
	// ending needs a reason, and takes effect at the day given
	const b = await assign(c.handler, e.id, c.cadre2, 'contact', { start_on: '2026-01-01' });
	assertError(await c.handler.patch(`/api/v1/liaisons/${b.id}`, { end_on: '2026-03-31' }), 422, 'required', { field: 'end_reason' });
	const ended = await c.handler.patch(`/api/v1/liaisons/${b.id}`, { end_on: '2026-03-31', end_reason: '企业迁出' });
	assert.equal(ended.status, 200, ended.text);
	assert.equal(ended.json.status, 'ended');
	assert.equal(ended.json.active, false);
	// the list filters
	const ended2 = await c.handler.get(`/api/v1/liaisons?enterprise_id=${e.id}&status=ended`);
	assert.deepEqual(ended2.json.items.map((x) => x.id).sort(), [a.id, b.id].sort());
	assertError(await c.handler.get('/api/v1/liaisons?status=gone'), 422, 'invalid_choice', { field: 'status' });
});

test('an enterprise sees who its liaisons are and how to reach them, and nobody else\'s', async () => {
	const r = await c.enterprise.get(`/api/v1/enterprises/${c.ownEnterprise}/liaisons`);
	assert.equal(r.status, 200, r.text);
	const kinds = r.json.items.map((x) => x.kind).sort();
	assert.deepEqual(kinds, ['cadre', 'contact', 'leader'], 'the demo enterprise has a leader, a cadre and a contact officer');
	for (const x of r.json.items) {
		assert.ok(x.user.name && x.user.org, 'a name and a unit');
		assert.ok('mobile' in x.user);
	}
	assertError(await c.enterprise.get(`/api/v1/enterprises/${free[0].id}/liaisons`), 404, 'not_found');
	const list = await c.enterprise.get('/api/v1/liaisons?page_size=100');
	assert.ok(list.json.items.every((x) => x.enterprise.id === c.ownEnterprise));
	// the enterprise cannot assign
	assert.equal((await c.enterprise.post('/api/v1/liaisons', {})).status, 403);
	// and its 360 page lists them
	const p = await c.enterprise.get(`/api/v1/enterprises/${c.ownEnterprise}/360`);
	assert.deepEqual(p.json.sections.find((s) => s.key === 'liaisons').items.map((x) => x.kind).sort(), kinds);
});

test('my enterprises: the cadre\'s list, least recently visited first, with what the form needs', async () => {
	const r = await c.cadre.get('/api/v1/liaisons/mine');
	assert.equal(r.status, 200, r.text);
	const items = r.json.items;
	assert.ok(items.length >= 16);
	assert.equal(r.json.visit_cap, 2);
	assert.equal(r.json.overdue_days, 90);
	// never visited first, then by the last visit
	const lasts = items.map((x) => x.last_visit_on);
	const firstVisited = lasts.findIndex((x) => x !== null);
	assert.ok(lasts.slice(0, firstVisited).every((x) => x === null));
	const visited = lasts.slice(firstVisited);
	assert.deepEqual(visited, [...visited].sort());
	assert.equal(r.json.overdue, items.filter((x) => x.overdue).length);
	assert.ok(r.json.overdue > 0, 'the demo leaves some overdue');
	assert.ok(items.some((x) => x.over_cap), 'the demo has one at this month\'s cap');
	const od = await c.cadre.get('/api/v1/liaisons/mine?overdue=1');
	assert.equal(od.json.items.length, r.json.overdue);
	// a search by name
	const name = items[0].enterprise.name;
	const q = await c.cadre.get('/api/v1/liaisons/mine?q=' + encodeURIComponent(name.slice(4, 8)));
	assert.ok(q.json.items.some((x) => x.enterprise.id === items[0].enterprise.id));
});

/* A CSV in GB18030, as Excel on a Chinese Windows saves it. */
const gbCsv = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });

test('bulk assignment by file: the row report, all or nothing, valid rows only', async () => {
	const tpl = await c.handler.get('/api/v1/liaisons/import/template?format=csv');
	assert.equal(tpl.status, 200);
	assert.match(tpl.text, /统一社会信用代码,企业名称,包联类型,用户名,姓名,开始日期,结束日期,备注/);
	const xt = await c.handler.req('GET', '/api/v1/liaisons/import/template');
	assert.match(xt.headers.get('content-disposition'), /filename\*=UTF-8''/);
	const [e1, e2, e3] = [free[5], free[6], free[7]];
	const jianhua = (await enterprisesOf(c.leader, '230203'))[0];
	const rows = [
		'统一社会信用代码,企业名称,包联类型,用户名,姓名,开始日期,结束日期,备注',
		`${e1.uscc},${e1.name},包联干部,cadre2,,2026/1/5,,导入`,
		`${e2.uscc},,联络员,handler,周承办,,,`,
		'911111111111111111,,包联干部,cadre2,,,,',
		`${e3.uscc},,包联专员,cadre2,,,,`,
		`${e3.uscc},,包联干部,nobody,,,,`,
		`${e1.uscc},,包联干部,cadre2,,,,`,
		`${jianhua.uscc},,包联干部,cadre2,,,,`,
		`${e3.uscc},,包联干部,cadre2,错名字,,,`,
	].join('\r\n') + '\r\n';
	const body = gbCsv(rows);
	const send = (q) => c.handler.req('POST', '/api/v1/liaisons/import' + q, { body, headers: { 'Content-Type': 'text/csv' } });
	// all or nothing: refused with the report
	const r = await send('');
	assert.equal(r.status, 422, r.text);
	assert.equal(r.json.error.code, 'import_rejected');
	const rep = r.json.error.report;
	assert.equal(rep.total_rows, 8);
	assert.equal(rep.error_rows, 6);
	assert.equal(rep.committed, false);
	const at = (row) => rep.errors.filter((x) => x.row === row).map((x) => x.code);
	assert.deepEqual(at(4), ['unknown_enterprise']);
	assert.deepEqual(at(5), ['invalid_choice']);
	assert.deepEqual(at(6), ['unknown_user']);
	assert.deepEqual(at(7), ['duplicate_in_file']);
	assert.deepEqual(at(8), ['out_of_scope']);
	assert.deepEqual(at(9), ['name_mismatch']);
	assert.ok(rep.errors.every((x) => /[\u4e00-\u9fff]/.test(x.message) && x.column));
	assert.ok(!(await mine(c.cadre2)).includes(e1.id), 'nothing written');
	// a dry run writes nothing either
	const dry = await send('?dry_run=1');
	assert.equal(dry.status, 200);
	assert.equal(dry.json.dry_run, true);
	assert.equal(dry.json.created, 0);
	// the valid rows only
	assert.equal(dry.json.encoding, 'GB18030');
	const ok = await send('?valid_only=1');
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.created, 2);
	assert.equal(ok.json.skipped, 6);
	assert.ok((await mine(c.cadre2)).includes(e1.id));
	const mineH = await c.handler.get(`/api/v1/enterprises/${e2.id}/liaisons`);
	assert.ok(mineH.json.items.some((x) => x.user.id === c.handler.user.id && x.kind === 'contact' && x.source === 'import'));
	const started = (await c.handler.get(`/api/v1/liaisons?enterprise_id=${e1.id}&user_id=${c.cadre2.user.id}`)).json.items[0];
	assert.equal(started.start_on, '2026-01-05', 'dates as people write them');
	// again: the same rows are now duplicates of what exists
	const again = await send('?dry_run=1');
	assert.ok(again.json.errors.some((x) => x.row === 2 && x.code === 'duplicate_liaison'));
	// an .xlsx
	const e4 = free[8];
	const x = makeXlsx([['统一社会信用代码', '包联类型', '用户名'], [e4.uscc, '包联干部', 'cadre2']]);
	const xr = await c.handler.req('POST', '/api/v1/liaisons/import', { body: x, headers: { 'Content-Type': 'application/octet-stream' } });
	assert.equal(xr.status, 200, xr.text);
	assert.equal(xr.json.format, 'xlsx');
	assert.equal(xr.json.created, 1);
	// files that cannot be read
	assertError(await c.handler.req('POST', '/api/v1/liaisons/import', { body: '用户名\ncadre2\n', headers: { 'Content-Type': 'text/csv' } }), 422, 'missing_column', { field: 'uscc' });
	assertError(await c.handler.req('POST', '/api/v1/liaisons/import', { body: '', headers: { 'Content-Type': 'text/csv' } }), 422, 'empty_file', { field: 'file' });
	assertError(await c.handler.req('POST', '/api/v1/liaisons/import', { body: Buffer.from('D0CF11E0A1B11AE1', 'hex'), headers: { 'Content-Type': 'application/octet-stream' } }), 422, 'unsupported_file', { field: 'file' });
	// the template is a workbook with its notes
	const zip = readZip(Buffer.from(await (await fetch(srv.url + '/api/v1/liaisons/import/template', { headers: { Cookie: c.handler.cookie } })).arrayBuffer()));
	assert.ok(Object.keys(zip).some((n) => n.startsWith('xl/worksheets/')));
});

test('bulk assignment by rule: every 规上 enterprise of a county gets one cadre of its bureau, balanced', async () => {
	// 建华区: three cadres (one in its 企业服务股) with loads 2, 0, 0 before
	const made = [];
	for (const [name, org] of [['jh.cadre1', '230203'], ['jh.cadre2', '230203'], ['jh.cadre3', '230203-01']])
		made.push((await cliUser(srv, { username: name, role: 'cadre', org })).session);
	// the rule covers every enterprise not deregistered: in operation or suspended (停产)
	const jianhua = [...await enterprisesOf(c.leader, '230203'), ...await enterprisesOf(c.leader, '230203', 'suspended')];
	const above = jianhua.filter((e) => e.above_scale).sort((a, b) => a.id - b.id);
	for (const e of above.slice(0, 2)) await assign(c.leader, e.id, made[0]);
	const rule = { region_code: '230203', above_scale: true, kind: 'cadre' };
	// a county handler of another county may not
	assertError(await c.handler.post('/api/v1/liaisons/rule', rule), 422, 'out_of_scope', { field: 'region_code' });
	assertError(await c.leader.post('/api/v1/liaisons/rule', { ...rule, region_code: '23020' }), 422, 'invalid_region', { field: 'region_code' });
	assertError(await c.leader.post('/api/v1/liaisons/rule', { ...rule, role: 'statistician' }), 422, 'no_candidates', { field: 'role' });
	// a dry run: the plan, nothing written
	const dry = await c.leader.post('/api/v1/liaisons/rule', { ...rule, dry_run: true });
	assert.equal(dry.status, 200, dry.text);
	assert.equal(dry.json.committed, false);
	assert.equal(dry.json.enterprises, above.length - 2, 'the 规上 enterprises without a cadre');
	assert.equal(dry.json.people.length, 3);
	const after = dry.json.people.map((p) => p.load_after);
	assert.ok(Math.max(...after) - Math.min(...after) <= 1, `balanced: ${after}`);
	assert.equal(dry.json.people.reduce((s, p) => s + p.added, 0), above.length - 2);
	assert.equal(dry.json.people.find((p) => p.id === made[0].user.id).load_before, 2);
	assert.equal((await mine(made[1])).length, 0);
	// for real
	const real = await c.leader.post('/api/v1/liaisons/rule', rule);
	assert.equal(real.status, 201, real.text);
	assert.deepEqual(real.json.people.map((p) => p.load_after), after);
	const counts = await Promise.all(made.map(async (s) => (await mine(s)).length));
	assert.equal(counts.reduce((a, b) => a + b, 0), above.length);
	// every 规上 enterprise of the county has exactly one cadre, each of the county's bureau
	const everyone = new Map();
	for (const [i, s] of made.entries()) for (const id of await mine(s)) everyone.set(id, (everyone.get(id) || []).concat(i));
	for (const e of above) assert.equal((everyone.get(e.id) || []).length, 1, e.name);
	assert.ok(jianhua.filter((e) => !e.above_scale).every((e) => !everyone.has(e.id)));
	// a second run finds nothing left to do
	const again = await c.leader.post('/api/v1/liaisons/rule', { ...rule, dry_run: true });
	assert.equal(again.json.enterprises, 0);
	// audited as one row
	const audit = await auditRows(c.auditor, 'entity=liaison&action=assign_by_rule');
	assert.equal(audit.items.length, 1);
	assert.equal(audit.items[0].summary.assigned, above.length - 2);
});
