// liaison-coverage.test.mjs: coverage (走访覆盖) on a known fixture: a county nobody has visited,
// then visits at known distances from today: covered and 规上 covered per region, org and size
// class, for 90 and 120 days; the overdue list; per person (enterprises, visits this quarter,
// problems found, problems solved once its appeal is closed as solved, ratings); the .xlsx
// export; scope; the weekly reminder in the inbox of each person with overdue enterprises.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, cliUser } from './helpers.mjs';
import { readZip } from './enterprises-lib.mjs';
import { liaisonServer, people, enterprisesOf, assign, visit, daysBefore, DAY } from './liaison-lib.mjs';

const REGION = '230203'; /* 建华区: no demo visits */
let srv, c, all, above, jh, jhHandler, owner, today, a1, a2, n1, a3, v1;

/* tenths of a percent, rounded half up, as a number with one decimal (docs/liaison.md) */
const pct = (covered, total) => (total ? Math.floor((covered * 2000 + total) / (total * 2)) / 10 : null);

async function eventually(fn, what, ms = 20000) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) throw new Error('timed out waiting for ' + what);
		await new Promise((r) => setTimeout(r, 250));
	}
}

before(async () => {
	srv = await liaisonServer();
	c = await people(srv);
	all = [...await enterprisesOf(c.leader, REGION), ...await enterprisesOf(c.leader, REGION, 'suspended')];
	above = all.filter((e) => e.above_scale);
	const small = all.filter((e) => !e.above_scale);
	[a1, a2, a3] = above;
	n1 = small[0];
	jh = (await cliUser(srv, { username: 'jh.cadre', role: 'cadre', org: REGION })).session;
	jhHandler = (await cliUser(srv, { username: 'jh.handler', role: 'handler', org: REGION })).session;
	owner = (await cliUser(srv, { username: 'jh.owner', role: 'enterprise', org: REGION, enterprise: a1.uscc })).session;
	for (const e of [a1, a2, n1, a3]) await assign(c.leader, e.id, jh);
	today = (await c.leader.get('/api/v1/liaison/coverage')).json.today;
});
after(() => srv?.stop());

const cov = async (q = '') => {
	const r = await c.leader.get(`/api/v1/liaison/coverage?region_code=${REGION}${q}`);
	assert.equal(r.status, 200, r.text);
	return r.json;
};

test('a county nobody has visited: nothing covered', async () => {
	const r = await cov();
	assert.equal(r.days, 90);
	assert.equal(r.cutoff, daysBefore(today, 90));
	assert.deepEqual(r.total, {
		enterprises: all.length, covered: 0, coverage: 0, above_scale: above.length, above_scale_covered: 0,
		above_scale_coverage: 0, never_visited: all.length, overdue: all.length,
	});
	assert.equal(r.visits.total, 0);
});

test('coverage after visits at known distances: per region, org and size class, for 90 and 120 days', async () => {
	v1 = (await visit(jh, { enterprise_id: a1.id, summary: '走访了解融资需求', problems: [{ title: '流动资金贷款续贷难', category_id: c.cat['0101'] }] })).json;
	await visit(jh, { enterprise_id: a2.id, visit_on: daysBefore(today, 20), mode: 'phone' });
	await visit(jh, { enterprise_id: n1.id, visit_on: daysBefore(today, 100) });
	// 90 days: a1 and a2 (both 规上)
	let r = await cov();
	assert.deepEqual(r.total, {
		enterprises: all.length, covered: 2, coverage: pct(2, all.length), above_scale: above.length,
		above_scale_covered: 2, above_scale_coverage: pct(2, above.length), never_visited: all.length - 3,
		overdue: all.length - 2,
	});
	// the region's row and the bureau's row say the same; the size classes add up to it
	assert.equal(r.by_region.length, 1);
	assert.equal(r.by_region[0].key, REGION);
	assert.equal(r.by_region[0].name, '建华区');
	assert.equal(r.by_region[0].covered, 2);
	assert.equal(r.by_org.length, 1);
	assert.match(r.by_org[0].name, /建华区/);
	assert.equal(r.by_org[0].enterprises, all.length);
	const sum = (k) => r.by_scale.reduce((s, g) => s + g[k], 0);
	for (const k of ['enterprises', 'covered', 'above_scale', 'above_scale_covered', 'never_visited']) assert.equal(sum(k), r.total[k], k);
	const cls = r.by_scale.find((g) => g.key === a1.scale);
	assert.ok(cls.covered >= 1);
	assert.equal(cls.coverage, pct(cls.covered, cls.enterprises));
	// visits in the period (this quarter by default) with their problems
	const inQuarter = [today, daysBefore(today, 20), daysBefore(today, 100)].filter((d) => d >= r.period.from && d <= r.period.to).length;
	assert.equal(r.visits.total, inQuarter);
	assert.equal(r.visits.problems, 1);
	// 120 days: n1 as well, which is not 规上
	r = await cov('&days=120');
	assert.equal(r.total.covered, 3);
	assert.equal(r.total.above_scale_covered, 2);
	assert.equal(r.total.coverage, pct(3, all.length));
	// an explicit period
	r = await cov(`&from=${daysBefore(today, 120)}&to=${today}`);
	assert.equal(r.visits.total, 3);
	assertError(await c.leader.get(`/api/v1/liaison/coverage?from=${today}&to=${daysBefore(today, 1)}`), 422, 'invalid_period', { field: 'from' });
	assertError(await c.leader.get('/api/v1/liaison/coverage?days=0'), 422, 'out_of_range', { field: 'days' });
});

test('the overdue list: nobody visited in N days, the longest first, with their liaisons', async () => {
	const r = await c.leader.get(`/api/v1/liaison/coverage/overdue?region_code=${REGION}&page_size=100`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.total, all.length - 2);
	const ids = [];
	for (let page = 1; ; page++) {
		const p = await c.leader.get(`/api/v1/liaison/coverage/overdue?region_code=${REGION}&page_size=100&page=${page}`);
		ids.push(...p.json.items.map((x) => x.enterprise.id));
		if (p.json.items.length < 100) break;
	}
	assert.equal(ids.length, all.length - 2);
	assert.ok(!ids.includes(a1.id) && !ids.includes(a2.id));
	// never visited first; n1 (100 days) last
	assert.equal(ids[ids.length - 1], n1.id);
	const first = r.json.items.find((x) => x.enterprise.id === a3.id);
	assert.equal(first.last_visit_on, null);
	assert.match(first.liaisons, /jh\.cadre/);
	const above90 = await c.leader.get(`/api/v1/liaison/coverage/overdue?region_code=${REGION}&above_scale=1`);
	assert.equal(above90.json.total, above.length - 2);
});

test('per person: enterprises, overdue, visits this quarter, problems found and solved, ratings', async () => {
	const row = async () => {
		const r = await c.leader.get(`/api/v1/liaison/coverage/cadres?region_code=${REGION}&kind=cadre`);
		assert.equal(r.status, 200, r.text);
		return { all: r.json, me: r.json.items.find((x) => x.user.id === jh.user.id) };
	};
	let { all: resp, me } = await row();
	assert.equal(me.enterprises, 4);
	assert.equal(me.overdue, 2);
	assert.equal(me.covered, 2);
	assert.equal(me.coverage, 50);
	const inQuarter = [today, daysBefore(today, 20), daysBefore(today, 100)].filter((d) => d >= resp.period.from && d <= resp.period.to).length;
	assert.equal(me.visits, inQuarter);
	assert.equal(me.problems, 1);
	assert.equal(me.solved, 0);
	// the appeal goes its whole way: accepted, assigned to the county, answered as solved, rated
	const aid = v1.appeals[0].id;
	const units = (await c.dispatcher.get('/api/v1/appeals/units')).json.items;
	const bureau = units.find((u) => u.code === REGION).id;
	const act = async (s, action, body = {}) => {
		const x = await s.post(`/api/v1/appeals/${aid}/${action}`, body);
		assert.equal(x.status, 200, `${action}: ${x.text}`);
	};
	await act(c.dispatcher, 'accept');
	await act(c.dispatcher, 'assign', { lead_org_id: bureau });
	await act(jhHandler, 'start');
	await act(jhHandler, 'reply', { outcome: 'solved', message: '已协调银行办理续贷' });
	await act(owner, 'evaluate', { rating: 'satisfied' });
	// the owner rates the visit
	assert.equal((await owner.post(`/api/v1/visits/${v1.id}/rating`, { rating: 'helpful' })).status, 200);
	({ me } = await row());
	assert.equal(me.solved, 1);
	assert.deepEqual(me.ratings, { helpful: 1, neutral: 0, disturbing: 0 });
	assert.equal((await cov()).visits.ratings.helpful, 1);
});

test('export: an .xlsx of every view; scope: a county sees its county, an enterprise nothing', async () => {
	const r = await c.leader.req('GET', `/api/v1/liaison/coverage/export?region_code=${REGION}`);
	assert.equal(r.status, 200, r.text.slice(0, 200));
	assert.match(r.headers.get('content-type'), /spreadsheetml/);
	assert.match(decodeURIComponent(r.headers.get('content-disposition')), /走访覆盖统计_\d{4}-\d{2}-\d{2}\.xlsx/);
	const res = await fetch(srv.url + `/api/v1/liaison/coverage/export?region_code=${REGION}`, { headers: { Cookie: c.leader.cookie } });
	const zip = readZip(Buffer.from(await res.arrayBuffer()));
	const wb = zip['xl/workbook.xml'].toString();
	for (const name of ['按单位', '按地区', '按企业规模', '按包联人员', '超期未走访企业']) assert.match(wb, new RegExp(name));
	const strings = zip['xl/sharedStrings.xml'] ? zip['xl/sharedStrings.xml'].toString() : Object.values(zip).map((b) => b.toString()).join('');
	assert.match(strings, new RegExp(a3.name));
	// scope
	const county = await c.countyLeader.get('/api/v1/liaison/coverage');
	assert.equal(county.status, 200);
	assert.deepEqual(county.json.by_region.map((g) => g.key), ['230202']);
	assert.equal((await c.countyLeader.get(`/api/v1/liaison/coverage?region_code=${REGION}`)).json.total.enterprises, 0);
	assert.equal((await c.enterprise.get('/api/v1/liaison/coverage')).status, 403);
	assert.equal((await c.cadre.get('/api/v1/liaison/coverage')).status, 403);
});

test('the weekly reminder: each person with overdue enterprises finds them in the inbox, once a week', async () => {
	const reminders = async (s) => (await s.get('/api/v1/notifications?page_size=100')).json.items.filter((n) => n.kind === 'visit_overdue');
	// the job ran at start: the demo cadre has overdue enterprises
	const first = await eventually(async () => (await reminders(c.cadre)).length === 1 && await reminders(c.cadre), 'the demo cadre\'s reminder');
	assert.match(first[0].title, /您包联的\d+家企业已超过90天未走访/);
	assert.match(first[0].body, /从未走访|最近走访/);
	assert.equal(first[0].kind_name, '走访提醒');
	// jh's overdue enterprises, at the next run (a county cadre assigned since)
	await srv.clock({ advance_s: 400 });
	await eventually(async () => (await reminders(jh)).length >= 1 || (await reminders(jh)).length, 'jh\'s reminder');
	const before = (await reminders(c.cadre)).length;
	// a week later, again
	await srv.clock({ advance_s: 7 * DAY });
	await eventually(async () => (await reminders(c.cadre)).length === before + 1, 'next week\'s reminder');
	// someone with nothing overdue is not told
	assert.equal((await reminders(c.cadre2)).length, 0);
});
