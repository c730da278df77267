// enterprises.test.mjs: the enterprise record over HTTP: credit codes (valid, every one-character
// corruption, the override), the full record, versioned edits and their history, who sees and
// edits what (enterprise, county, city), tags, reference data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, run, ROOT } from '../lib/server.mjs';

import { ALPHABET, makeUscc } from './enterprises-lib.mjs';

let srv, stat, handler, cadre, leader, ent, sysadmin;
before(async () => {
	srv = await startServer();
	[stat, handler, cadre, leader, ent, sysadmin] = await Promise.all(
		['statistician', 'handler', 'cadre', 'leader', 'enterprise', 'sysadmin'].map((u) => srv.login(u)));
});
after(async () => { await srv.stop(); });

const base = (over = {}) => ({ uscc: makeUscc(over.n ?? 1), name: '齐齐哈尔测试机械有限公司', region_code: '230202', ...over, n: undefined });

test('the demo: 2,000 enterprises, the first in 龙沙区 with the enterprise user', async () => {
	const r = await leader.get('/api/v1/enterprises?page_size=1');
	assert.equal(r.status, 200);
	assert.equal(r.json.total, 2000);
	const one = await ent.get('/api/v1/enterprises/1');
	assert.equal(one.status, 200);
	assert.equal(one.json.region_code, '230202');
	assert.equal(one.json.name, '齐齐哈尔市龙沙示范机械制造有限公司');
	assert.equal(one.json.version, 1);
	assert.ok(one.json.name_initials.startsWith('qqheslssfjxzzyxgs'));
	assert.equal(one.json.region_name, '龙沙区');
	assert.equal(one.json.city_code, '230200');
	assert.equal(one.json.industry_section, 'C');
	assert.ok(Array.isArray(one.json.contacts));
	assert.equal(ent.user.enterprise.id, 1);
});

test('valid credit codes are accepted, lower case and full-width forms normalised', async () => {
	const code = makeUscc(4242);
	const r = await stat.post('/api/v1/enterprises', base({ n: 4242, uscc: ' ' + code.toLowerCase() + ' ' }));
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.uscc, code);
	const dup = await stat.post('/api/v1/enterprises', base({ n: 4242 }));
	assert.equal(dup.status, 409);
	assert.equal(dup.json.error.code, 'duplicate_uscc');
	assert.equal(dup.json.error.field, 'uscc');
});

test('every one-character corruption of a valid code is refused with 422 naming uscc in Chinese', async () => {
	const code = makeUscc(777);
	let refused = 0;
	const tried = [];
	for (let i = 0; i < 18; i++) {
		for (const c of ALPHABET) {
			if (c === code[i]) continue;
			tried.push(code.slice(0, i) + c + code.slice(i + 1));
		}
	}
	// every position, a sample of replacements per position (the unit tests try all of them)
	const sample = tried.filter((_, k) => k % 5 === 0);
	for (const bad of sample) {
		const r = await stat.post('/api/v1/enterprises', base({ uscc: bad }));
		assert.equal(r.status, 422, `${bad} accepted: ${r.text}`);
		assert.equal(r.json.error.field, 'uscc');
		assert.equal(r.json.error.code, 'invalid_uscc');
		assert.match(r.json.error.message, /[\u4e00-\u9fff]/);
		refused++;
	}
	assert.equal(refused, sample.length);
	const short = await stat.post('/api/v1/enterprises', base({ uscc: code.slice(0, 17) }));
	assert.equal(short.status, 422);
	assert.match(short.json.error.message, /18/);
});

test('an administrator may override a failing check character with a recorded reason', async () => {
	const code = makeUscc(31337);
	const bad = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
	// without a reason: refused
	let r = await stat.post('/api/v1/enterprises', base({ uscc: bad }));
	assert.equal(r.status, 422);
	// a handler may not override
	r = await handler.post('/api/v1/enterprises', base({ uscc: bad, uscc_override_reason: '早期赋码，经核实无误' }));
	assert.equal(r.status, 403);
	assert.equal(r.json.error.field, 'uscc_override_reason');
	// a wrong length is never overridable
	r = await stat.post('/api/v1/enterprises', base({ uscc: bad.slice(0, 16), uscc_override_reason: '早期赋码，经核实无误' }));
	assert.equal(r.status, 422);
	assert.equal(r.json.error.field, 'uscc');
	// a valid code needs no reason
	r = await stat.post('/api/v1/enterprises', base({ n: 31338, uscc_override_reason: '早期赋码，经核实无误' }));
	assert.equal(r.status, 422);
	assert.equal(r.json.error.field, 'uscc_override_reason');
	// the statistician (enterprise.admin) may
	r = await stat.post('/api/v1/enterprises', base({ uscc: bad, uscc_override_reason: '早期赋码，经核实无误' }));
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.uscc, bad);
	assert.equal(r.json.uscc_override_reason, '早期赋码，经核实无误');
	const h = await stat.get(`/api/v1/enterprises/${r.json.id}/history`);
	assert.equal(h.json.items[0].action, 'create');
	assert.equal(h.json.items[0].reason, '早期赋码，经核实无误');
});

test('the full record: create with every field, read it back', async () => {
	const tags = (await stat.get('/api/v1/enterprise-tags')).json.items;
	assert.ok(tags.find((t) => t.name === '专精特新"小巨人"'));
	const body = base({
		n: 555, name: '齐齐哈尔全字段测试股份有限公司', legal_rep: '张三', address: '龙沙区卜奎大街1号',
		founded_on: '2015-06-01', registered_capital: 1234.5, employees: 321, ownership: 'mixed',
		scale: 'medium', above_scale: true, status: 'operating', industry_code: '34',
		tags: [tags[1].id, tags[0].id], contacts: [{ name: '李四', role: '办公室主任', mobile: '+86 138-0000-1234' }],
	});
	const r = await stat.post('/api/v1/enterprises', body);
	assert.equal(r.status, 201, r.text);
	const e = r.json;
	assert.equal(e.legal_rep, '张三');
	assert.equal(e.registered_capital, 1234.5);
	assert.equal(e.employees, 321);
	assert.equal(e.ownership_name, '混合所有制');
	assert.equal(e.scale_name, '中型');
	assert.equal(e.industry_name, '通用设备制造业');
	assert.deepEqual(e.tags.map((t) => t.id), [tags[0].id, tags[1].id]);
	assert.deepEqual(e.contacts, [{ name: '李四', role: '办公室主任', mobile: '13800001234' }]);
	assert.equal(e.org.name, '龙沙区工业和信息化局');
	for (const [field, value] of [['region_code', '999999'], ['region_code', '230200'], ['industry_code', '99'],
		['industry_code', 'C1'], ['founded_on', '2015-02-30'], ['registered_capital', -1], ['employees', 1.5],
		['ownership', '私营'], ['scale', 'huge'], ['contacts', [{ name: '王五', mobile: '12345' }]], ['tags', [99999]]]) {
		const bad = await stat.post('/api/v1/enterprises', base({ n: 556, [field]: value }));
		assert.equal(bad.status, 422, `${field}=${JSON.stringify(value)}: ${bad.text}`);
		assert.ok(bad.json.error.field.startsWith(field), bad.text);
		assert.match(bad.json.error.message, /[\u4e00-\u9fff]/);
	}
});

test('PATCH carries the version it edits; a stale one is 409, never a lost update; history keeps before and after', async () => {
	const created = await stat.post('/api/v1/enterprises', base({ n: 600, name: '版本测试有限公司', employees: 10 }));
	const id = created.json.id;
	const a = await stat.patch(`/api/v1/enterprises/${id}`, { version: 1, employees: 20, legal_rep: '赵六' });
	assert.equal(a.status, 200, a.text);
	assert.equal(a.json.version, 2);
	const stale = await handler.patch(`/api/v1/enterprises/${id}`, { version: 1, employees: 30 });
	assert.equal(stale.status, 409);
	assert.equal(stale.json.error.code, 'version_conflict');
	assert.match(stale.json.error.message, /已被他人修改/);
	const missing = await stat.patch(`/api/v1/enterprises/${id}`, { employees: 30 });
	assert.equal(missing.status, 422);
	assert.equal(missing.json.error.field, 'version');
	const now = await stat.get(`/api/v1/enterprises/${id}`);
	assert.equal(now.json.employees, 20);
	// concurrent edits of the same version: exactly one wins
	const results = await Promise.all([1, 2, 3, 4].map((k) => (k % 2 ? stat : handler).patch(`/api/v1/enterprises/${id}`, { version: 2, employees: 100 + k })));
	assert.equal(results.filter((r) => r.status === 200).length, 1, results.map((r) => r.status).join());
	assert.equal(results.filter((r) => r.status === 409).length, 3);
	const h = await stat.get(`/api/v1/enterprises/${id}/history`);
	assert.equal(h.status, 200);
	const emp = h.json.items.filter((x) => x.field === 'employees');
	assert.equal(emp.length, 2);
	assert.equal(emp[1].from, '10');
	assert.equal(emp[1].to, '20');
	assert.equal(emp[1].field_label, '从业人数');
	assert.equal(emp[1].user.username, 'statistician');
	assert.ok(h.json.items.find((x) => x.field === 'legal_rep' && x.to === '赵六' && x.from === null));
	// nothing changed: no new version
	const same = await stat.patch(`/api/v1/enterprises/${id}`, { version: 3, employees: emp[0].to | 0 });
	assert.equal(same.status, 200);
	assert.equal(same.json.version, 3);
	// the audit log has the update
	const audit = await (await srv.login('auditadmin')).get(`/api/v1/audit?entity=enterprise&entity_id=${id}`);
	assert.equal(audit.status, 200);
	assert.ok(audit.json.items.some((x) => x.action === 'update'));
});

test('an enterprise user sees and edits only its own enterprise, only some fields', async () => {
	const mine = await ent.get('/api/v1/enterprises/1');
	assert.equal(mine.status, 200);
	const list = await ent.get('/api/v1/enterprises');
	assert.equal(list.json.total, 1);
	assert.equal(list.json.items[0].id, 1);
	assert.equal((await ent.get('/api/v1/enterprises/2')).status, 404);
	assert.equal((await ent.patch('/api/v1/enterprises/2', { version: 1, employees: 5 })).status, 404);
	const v = mine.json.version;
	const ok = await ent.patch('/api/v1/enterprises/1', { version: v, address: '龙沙区新地址8号', employees: 333,
		contacts: [{ name: '钱企联', role: '总经理', mobile: '13912345678' }] });
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.address, '龙沙区新地址8号');
	for (const field of ['name', 'uscc', 'legal_rep', 'region_code', 'industry_code', 'ownership', 'scale', 'above_scale', 'status', 'registered_capital', 'founded_on', 'tags']) {
		const r = await ent.patch('/api/v1/enterprises/1', { version: ok.json.version, [field]: mine.json[field] ?? null });
		assert.equal(r.status, 403, `${field}: ${r.text}`);
		assert.equal(r.json.error.code, 'field_not_editable');
		assert.equal(r.json.error.field, field);
	}
	assert.equal((await ent.post('/api/v1/enterprises', base({ n: 9 }))).status, 403);
	assert.equal((await ent.get('/api/v1/enterprises/export?format=csv')).status, 403);
});

test('a county sees its county, the city the city; out of scope is 404', async () => {
	const county = await handler.get('/api/v1/enterprises?page_size=100');
	const city = await leader.get('/api/v1/enterprises?page_size=1');
	assert.ok(county.json.total > 0 && county.json.total < city.json.total);
	assert.ok(county.json.items.every((e) => e.region_code === '230202'));
	// a cadre (包联干部) sees the enterprises it liaises with, all of its county (docs/liaison.md)
	const cadreList = await cadre.get('/api/v1/enterprises?page_size=100');
	const mine = new Set((await cadre.get('/api/v1/liaisons/mine')).json.items.map((x) => x.enterprise.id));
	assert.equal(cadreList.json.total, mine.size);
	assert.ok(cadreList.json.total > 0 && cadreList.json.total < county.json.total);
	assert.ok(cadreList.json.items.every((e) => e.region_code === '230202' && mine.has(e.id)));
	const other = await leader.get('/api/v1/enterprises?region_code=230203&page_size=1');
	const otherId = other.json.items[0].id;
	assert.equal((await handler.get(`/api/v1/enterprises/${otherId}`)).status, 404);
	assert.equal((await handler.get(`/api/v1/enterprises/${otherId}/history`)).status, 404);
	assert.equal((await handler.patch(`/api/v1/enterprises/${otherId}`, { version: 1, employees: 1 })).status, 404);
	// a county bureau does not register enterprises of another county
	const outside = await handler.post('/api/v1/enterprises', base({ n: 610, region_code: '230203' }));
	assert.equal(outside.status, 422);
	assert.equal(outside.json.error.field, 'region_code');
	// filters by region: a county, or the city meaning its counties
	const byCity = await leader.get('/api/v1/enterprises?region_code=230200&page_size=1');
	assert.equal(byCity.json.total, city.json.total);
	// the three administrators see no business data
	assert.equal((await sysadmin.get('/api/v1/enterprises')).status, 403);
	// the leader reads but does not edit
	assert.equal((await leader.patch(`/api/v1/enterprises/${otherId}`, { version: 1, employees: 1 })).status, 403);
});

test('filters, sorting, paging; the total matches the filter', async () => {
	const all = await leader.get('/api/v1/enterprises?page_size=100&scale=large&sort=-capital');
	assert.equal(all.status, 200);
	assert.ok(all.json.items.every((e) => e.scale === 'large'));
	for (let i = 1; i < all.json.items.length; i++)
		assert.ok(all.json.items[i - 1].registered_capital >= all.json.items[i].registered_capital);
	let seen = 0, pages = 0;
	for (let p = 1; ; p++) {
		const r = await leader.get(`/api/v1/enterprises?scale=large&page=${p}&page_size=30&sort=founded`);
		seen += r.json.items.length;
		pages++;
		if (r.json.items.length < 30) { assert.equal(seen, r.json.total); break; }
	}
	assert.ok(pages >= 2);
	const combo = await leader.get('/api/v1/enterprises?industry_code=C&ownership=private&above_scale=true&status=operating&page_size=100');
	assert.ok(combo.json.items.every((e) => e.industry_section === 'C' && e.ownership === 'private' && e.above_scale && e.status === 'operating'));
	const div = await leader.get('/api/v1/enterprises?industry_code=35&page_size=100');
	assert.ok(div.json.total > 0 && div.json.items.every((e) => e.industry_code === '35'));
	const tag = (await leader.get('/api/v1/enterprise-tags')).json.items[0];
	const tagged = await leader.get(`/api/v1/enterprises?tags=${tag.id}&page_size=100`);
	assert.ok(tagged.json.total > 0);
	assert.ok(tagged.json.items.every((e) => e.tags.some((t) => t.id === tag.id)));
	for (const bad of ['scale=huge', 'sort=price', 'region_code=abc', 'industry_code=ZZ', 'above_scale=maybe', 'tags=a'])
		assert.equal((await leader.get('/api/v1/enterprises?' + bad)).status, 422, bad);
});

test('tags are an editable list (enterprise.admin)', async () => {
	const r = await stat.post('/api/v1/enterprise-tags', { name: '数字化车间', sort: 90 });
	assert.equal(r.status, 201, r.text);
	assert.equal((await stat.post('/api/v1/enterprise-tags', { name: '数字化车间' })).status, 409);
	assert.equal((await stat.post('/api/v1/enterprise-tags', { name: 'a|b' })).status, 422);
	assert.equal((await handler.post('/api/v1/enterprise-tags', { name: '不许' })).status, 403);
	const off = await stat.patch(`/api/v1/enterprise-tags/${r.json.id}`, { status: 'disabled' });
	assert.equal(off.status, 200);
	assert.equal(off.json.status, 'disabled');
	const use = await stat.post('/api/v1/enterprises', base({ n: 620, tags: [r.json.id] }));
	assert.equal(use.status, 422);
	assert.equal(use.json.error.field, 'tags');
});

test('reference data: regions and industries', async () => {
	const r = await handler.get('/api/v1/regions?parent_code=230200');
	assert.equal(r.status, 200);
	assert.ok(r.json.items.find((x) => x.code === '230202' && x.name === '龙沙区'));
	const i = await handler.get('/api/v1/industries');
	assert.equal(i.json.items.filter((x) => x.level === 'section').length, 20);
	assert.equal(i.json.items.filter((x) => x.level === 'division').length, 97);
});

test('another province\'s regions load with tiejian regions import', async () => {
	const before = await stat.post('/api/v1/enterprises', base({ n: 700, region_code: '220102' }));
	assert.equal(before.status, 422);
	assert.match(before.json.error.message, /不是已登记的县级行政区划/);
	const file = join(srv.dir, 'regions-22.csv');
	writeFileSync(file, execFileSync('node', [join(ROOT, 'scripts/extract-regions.mjs'), '--province', '22']));
	const r = await run(['regions', 'import', file, '--db', srv.db]);
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, /regions imported: 70/);
	const listed = await stat.get('/api/v1/regions?parent_code=220100');
	assert.ok(listed.json.items.find((x) => x.code === '220102' && x.name === '南关区'));
	// a valid region now, but no bureau of this deployment is responsible for it
	const after = await stat.post('/api/v1/enterprises', base({ n: 700, region_code: '220102' }));
	assert.equal(after.status, 422);
	assert.equal(after.json.error.field, 'region_code');
	assert.match(after.json.error.message, /工信部门/);
	const bad = join(srv.dir, 'bad.csv');
	writeFileSync(bad, 'code,name\n1,2\n');
	assert.equal((await run(['regions', 'import', bad, '--db', srv.db])).code, 1);
});

test('the demo is the same on every run', async () => {
	const other = await startServer();
	try {
		const b = await other.login('statistician');
		const pick = (e) => [e.id, e.uscc, e.name, e.legal_rep, e.region_code, e.industry_code, e.ownership, e.scale,
			e.above_scale, e.status, e.founded_on, e.registered_capital, e.employees, e.address,
			e.tags.map((t) => t.name).join(), e.contacts.map((c) => c.name + c.mobile).join()];
		let compared = 0;
		for (const id of [2, 3, 6, 7, 100, 555, 777, 1234, 1500, 1999, 2000]) {
			const [x, y] = await Promise.all([stat.get(`/api/v1/enterprises/${id}`), b.get(`/api/v1/enterprises/${id}`)]);
			assert.equal(y.status, 200);
			if (x.json.version !== 1) continue; // changed by a test above
			assert.deepEqual(pick(x.json), pick(y.json), `enterprise ${id}`);
			compared++;
		}
		assert.ok(compared >= 8);
		assert.equal((await b.get('/api/v1/enterprises?page_size=1')).json.total, 2000);
	} finally {
		await other.stop();
	}
});

test('a tag\'s enterprise count is counted within the caller\'s scope, like the list it stands for', async () => {
	const cityTags = (await leader.get('/api/v1/enterprise-tags')).json.items;
	const countyTags = (await handler.get('/api/v1/enterprise-tags')).json.items;
	let differs = false;
	for (const t of countyTags) {
		const listed = (await handler.get(`/api/v1/enterprises?tags=${t.id}&page_size=1`)).json.total;
		assert.equal(t.enterprises, listed, `county count of ${t.name}`);
		const city = cityTags.find((c) => c.id === t.id);
		assert.equal(city.enterprises, (await leader.get(`/api/v1/enterprises?tags=${t.id}&page_size=1`)).json.total);
		differs ||= city.enterprises > t.enterprises;
	}
	assert.ok(differs, 'the city counts more than one county for some tag');
	const own = (await ent.get('/api/v1/enterprise-tags')).json.items;
	for (const t of own)
		assert.ok(t.enterprises <= 1, 'an enterprise sees at most itself');
});

test('a record says which fields its reader may change; history names people; exports have a Chinese file name', async () => {
	const mine = (await ent.get('/api/v1/enterprises/1')).json;
	assert.deepEqual(mine.editable.sort(), ['address', 'contacts', 'employees']);
	const official = (await handler.get('/api/v1/enterprises/1')).json;
	assert.ok(official.editable.includes('name') && official.editable.includes('legal_rep'));
	assert.ok(!official.editable.includes('uscc'), 'the credit code needs enterprise.admin');
	const admin = (await stat.get('/api/v1/enterprises/1')).json;
	assert.ok(admin.editable.includes('uscc'));
	assert.deepEqual((await sysadmin.get('/api/v1/enterprises/1')).status, 403);
	// An edit by the enterprise user shows its person's name in the history.
	const r = await ent.patch('/api/v1/enterprises/1', { version: mine.version, employees: 321 });
	assert.equal(r.status, 200, r.text);
	const h = (await handler.get('/api/v1/enterprises/1/history')).json.items[0];
	assert.deepEqual(h.user, { id: ent.user.id, username: 'enterprise', display_name: '钱企联' });
	const x = await leader.get('/api/v1/enterprises/export?format=csv&region_code=230202');
	assert.equal(x.status, 200);
	assert.match(x.headers.get('content-disposition'),
		/^attachment; filename="_+\d{8}\.csv"; filename\*=UTF-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%BD%95_\d{8}\.csv$/);
});
