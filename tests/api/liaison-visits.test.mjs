// liaison-visits.test.mjs: visits (走访): who sees which (a cadre its own enterprises', a county
// leader the county's, an enterprise its own; 404 otherwise); a problem found becomes an appeal
// in the same submit, linked both ways and in the dispatcher's queue; 无事不扰: the monthly cap
// across all units asks for a reason and shows who else came, a quiet period likewise; the
// enterprise rates a visit and the visitor is told.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError } from './helpers.mjs';
import { liaisonServer, people, enterprisesOf, mine, assign, visit } from './liaison-lib.mjs';

let srv, c, own, other, jianhua;

before(async () => {
	srv = await liaisonServer();
	c = await people(srv);
	// the demo cadre's enterprises; another 龙沙区 enterprise nobody liaises with, given to cadre2
	own = await mine(c.cadre);
	assert.ok(own.length >= 10, `the demo cadre has a sensible set (${own.length})`);
	assert.ok(own.includes(c.ownEnterprise), 'the demo enterprise is one of them');
	const longsha = await enterprisesOf(c.handler, '230202');
	other = longsha.find((e) => !own.includes(e.id));
	await assign(c.handler, other.id, c.cadre2);
	jianhua = (await enterprisesOf(c.leader, '230203'))[0];
});
after(() => srv?.stop());

const get = (s, id) => s.get(`/api/v1/visits/${id}`);
const listIds = async (s, q = '') => {
	const r = await s.get('/api/v1/visits?page_size=100' + q);
	assert.equal(r.status, 200, r.text);
	return r.json.items.map((v) => v.id);
};

test('a visit logged with defaults: today, on site, the caller as who went', async () => {
	const r = await visit(c.cadre, { enterprise_id: own[3] });
	const v = r.json;
	assert.equal(v.enterprise.id, own[3]);
	assert.equal(v.mode, 'onsite');
	assert.equal(v.mode_name, '实地');
	assert.match(v.visit_on, /^\d{4}-\d{2}-\d{2}$/);
	assert.deepEqual(v.people.map((p) => p.name), ['吴包联']);
	assert.equal(v.problems, 0);
	assert.deepEqual(v.appeals, []);
	assert.equal(v.over_cap, false);
	// only the summary is required; its refusals name the field in Chinese
	assertError(await c.cadre.post('/api/v1/visits', { enterprise_id: own[3] }), 422, 'required', { field: 'summary' });
	assertError(await c.cadre.post('/api/v1/visits', { enterprise_id: own[3], summary: 'x', mode: 'boat' }), 422, 'invalid_choice', { field: 'mode' });
	assertError(await c.cadre.post('/api/v1/visits', { enterprise_id: own[3], summary: 'x', visit_on: '2999-01-01' }), 422, 'invalid_date', { field: 'visit_on' });
	assertError(await c.cadre.post('/api/v1/visits', { enterprise_id: own[3], summary: 'x', visitor_ids: [999999] }), 422, 'invalid_user', { field: 'visitor_ids' });
	assertError(await c.cadre.post('/api/v1/visits', { enterprise_id: own[3], summary: 'x', problems: [{ title: '缺少分类' }] }), 422, 'required', { field: 'problems[0].category_id' });
});

test('scope: a cadre sees its own enterprises\' visits, a county leader the county\'s, an enterprise its own', async () => {
	const a = (await visit(c.cadre, { enterprise_id: c.ownEnterprise, mode: 'phone', summary: '电话了解复工复产情况' })).json;
	const b = (await visit(c.cadre2, { enterprise_id: other.id, summary: '走访了解用工情况' })).json;
	const j = (await visit(c.leader, { enterprise_id: jianhua.id, summary: '市领导走访建华区企业' })).json;
	// the cadres: each its own enterprises' visits only
	assert.equal((await get(c.cadre, a.id)).status, 200);
	assertError(await get(c.cadre, b.id), 404, 'not_found');
	assertError(await get(c.cadre, j.id), 404, 'not_found');
	assert.equal((await get(c.cadre2, b.id)).status, 200);
	assertError(await get(c.cadre2, a.id), 404, 'not_found');
	const cadreList = await listIds(c.cadre);
	assert.ok(cadreList.includes(a.id) && !cadreList.includes(b.id) && !cadreList.includes(j.id));
	// a cadre cannot log a visit to an enterprise that is not its own
	assertError(await c.cadre2.post('/api/v1/visits', { enterprise_id: c.ownEnterprise, summary: 'x' }), 422, 'invalid_enterprise', { field: 'enterprise_id' });
	// the county leader: both 龙沙区 visits, not 建华区's
	for (const id of [a.id, b.id]) assert.equal((await get(c.countyLeader, id)).status, 200);
	assertError(await get(c.countyLeader, j.id), 404, 'not_found');
	const county = await listIds(c.countyLeader);
	assert.ok(county.includes(a.id) && county.includes(b.id) && !county.includes(j.id));
	// the city leader sees all three
	for (const id of [a.id, b.id, j.id]) assert.equal((await get(c.leader, id)).status, 200);
	// the enterprise: its own visits only, and the count says the same
	assert.equal((await get(c.enterprise, a.id)).status, 200);
	assertError(await get(c.enterprise, b.id), 404, 'not_found');
	const ent = await c.enterprise.get('/api/v1/visits?page_size=100');
	assert.ok(ent.json.items.length > 0 && ent.json.items.every((v) => v.enterprise.id === c.ownEnterprise));
	assert.equal(ent.json.total, ent.json.items.length);
	// the 360 page carries the same: the enterprise sees its visits, cadre2 not the enterprise at all
	assertError(await c.cadre2.get(`/api/v1/enterprises/${c.ownEnterprise}/360`), 404, 'not_found');
	const p = await c.enterprise.get(`/api/v1/enterprises/${c.ownEnterprise}/360`);
	assert.equal(p.status, 200, p.text);
	const visits = p.json.sections.find((s) => s.key === 'visits');
	assert.ok(visits.items.some((v) => v.id === a.id));
});

test('a problem found on a visit is an appeal (走访发现) in the same submit, linked both ways, in the queue', async () => {
	const r = await visit(c.cadre, {
		enterprise_id: own[4],
		summary: '走访企业，了解到新厂房用电报装进度滞后。',
		problems: [
			{ title: '新厂房用电报装滞后', content: '新厂房10千伏专线报装已两个月未接电，影响设备调试。', category_id: c.cat['0301'], urgency: 'urgent' },
			{ title: '缺少熟练焊工', category_id: c.cat['0401'] },
		],
	});
	const v = r.json;
	assert.equal(v.problems, 2);
	assert.equal(v.appeals.length, 2);
	const [first, second] = v.appeals;
	assert.match(first.number, /^SQ\d{8}-\d{6}$/);
	assert.equal(first.state, 'submitted');
	assert.ok(['green', 'yellow', 'red'].includes(first.colour), first.colour);
	// appeal → visit
	const a = await c.cadre.get(`/api/v1/appeals/${first.id}`);
	assert.equal(a.status, 200, a.text);
	assert.deepEqual(a.json.source, { kind: 'visit', id: v.id });
	assert.equal(a.json.channel, 'visit');
	assert.equal(a.json.channel_name, '走访发现');
	assert.equal(a.json.urgency, 'urgent');
	assert.equal(a.json.created_by.id, c.cadre.user.id);
	const b = await c.cadre.get(`/api/v1/appeals/${second.id}`);
	assert.equal(b.json.content, '缺少熟练焊工', 'the title stands for the content when none is given');
	// visit → appeals, for whoever sees the visit
	const back = await c.countyLeader.get(`/api/v1/visits/${v.id}`);
	assert.deepEqual(back.json.appeals.map((x) => x.id), [first.id, second.id]);
	// routed like any other: in the county's queue with its clock running
	const queue = await c.handler.get('/api/v1/appeals?state=submitted&channel=visit&page_size=100');
	assert.equal(queue.status, 200, queue.text);
	const inQueue = queue.json.items.find((x) => x.id === first.id);
	assert.ok(inQueue, 'in the handler\'s queue');
	assert.ok(inQueue.due_date, 'its clock runs');
	// the enterprise sees the appeal filed on its behalf
	const own4 = own[4];
	if (own4 === c.ownEnterprise) assert.equal((await c.enterprise.get(`/api/v1/appeals/${first.id}`)).status, 200);
	// one refused problem refuses the whole visit: nothing is written
	const before = (await c.cadre.get(`/api/v1/visits?enterprise_id=${own[5]}`)).json.total;
	const bad = await c.cadre.post('/api/v1/visits', { enterprise_id: own[5], summary: '走访', problems: [{ title: '问题', category_id: 99999999 }] });
	assertError(bad, 422, 'invalid_category', { field: 'problems[0].category_id' });
	assert.equal((await c.cadre.get(`/api/v1/visits?enterprise_id=${own[5]}`)).json.total, before);
	// a visitor without appeal.create files no problems (a supervisor cannot log visits at all)
	assert.equal((await c.supervisor.post('/api/v1/visits', { enterprise_id: own[5], summary: 'x' })).status, 403);
});

test('无事不扰: past the month\'s cap a visit asks for a reason and shows who else came', async () => {
	const ent = own[6];
	const check0 = await c.cadre.get(`/api/v1/enterprises/${ent}/visit-check`);
	assert.equal(check0.status, 200, check0.text);
	assert.equal(check0.json.cap, 2);
	const already = check0.json.month_count;
	// fill the month up to the cap, from two units
	for (let i = already; i < 2; i++)
		await visit(i === already ? c.leader : c.cadre, { enterprise_id: ent, summary: `本月第${i + 1}次走访` });
	const check = await c.cadre.get(`/api/v1/enterprises/${ent}/visit-check`);
	assert.equal(check.json.month_count, 2);
	assert.equal(check.json.over_cap, true);
	assert.equal(check.json.needs_reason, true);
	assert.equal(check.json.warnings[0].code, 'cap_reached');
	// without a reason: 409, the visits of the month with who made them
	const r = await c.cadre.post('/api/v1/visits', { enterprise_id: ent, summary: '第三次走访' });
	assert.equal(r.status, 409, r.text);
	assert.equal(r.json.error.code, 'visit_cap_reached');
	assert.equal(r.json.error.field, 'reason');
	assert.match(r.json.error.message, /本月已被走访2次/);
	assert.equal(r.json.error.month_visits.length, 2);
	assert.ok(r.json.error.month_visits.every((x) => x.by.name && x.org));
	assert.match(r.json.error.message, new RegExp(r.json.error.month_visits[0].by.name));
	// with one, logged and marked
	const ok = await visit(c.cadre, { enterprise_id: ent, summary: '第三次走访', reason: '企业主动邀请协调停电事宜' });
	assert.equal(ok.json.over_cap, true);
	assert.equal(ok.json.reason, '企业主动邀请协调停电事宜');
	// the cap is a setting: raised to 5, a fourth needs no reason
	assertError(await c.cadre.patch('/api/v1/liaison/settings', { visit_cap: 5 }), 403, 'permission_denied');
	const set = await c.leader.patch('/api/v1/liaison/settings', { visit_cap: 5 });
	assert.equal(set.status, 200, set.text);
	assert.equal(set.json.items.find((x) => x.key === 'visit_cap').value, 5);
	assertError(await c.leader.patch('/api/v1/liaison/settings', { visit_cap: -1 }), 422, 'out_of_range', { field: 'visit_cap' });
	assert.equal((await visit(c.cadre, { enterprise_id: ent, mode: 'video' })).json.over_cap, false);
	await c.leader.patch('/api/v1/liaison/settings', { visit_cap: 2 });
});

test('无事不扰: an enterprise declares a quiet period; a visit in it asks for a reason', async () => {
	const ent = c.ownEnterprise;
	const today = (await c.cadre.get(`/api/v1/enterprises/${ent}/visit-check`)).json.date;
	const plus = (n) => { const d = new Date(today + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() + n); return d.toISOString().slice(0, 10); };
	// the enterprise's own rules
	assertError(await c.enterprise.post('/api/v1/quiet-periods', { start_on: today, end_on: plus(120), reason: '生产旺季' }), 422, 'invalid_period', { field: 'end_on' });
	assertError(await c.enterprise.post('/api/v1/quiet-periods', { start_on: plus(5), end_on: plus(1), reason: '生产旺季' }), 422, 'invalid_period', { field: 'end_on' });
	assertError(await c.enterprise.post('/api/v1/quiet-periods', { start_on: today, end_on: plus(3) }), 422, 'required', { field: 'reason' });
	assert.equal((await c.cadre.post('/api/v1/quiet-periods', { start_on: today, end_on: plus(3), reason: 'x' })).status, 403);
	const q = await c.enterprise.post('/api/v1/quiet-periods', { start_on: today, end_on: plus(10), reason: '年底赶工，生产高峰' });
	assert.equal(q.status, 201, q.text);
	assert.equal(q.json.now, true);
	// the bureau sees it
	const list = await c.cadre.get(`/api/v1/enterprises/${ent}/quiet-periods`);
	assert.ok(list.json.items.some((x) => x.id === q.json.id && x.now));
	// a visit today meets it
	const check = await c.cadre.get(`/api/v1/enterprises/${ent}/visit-check`);
	assert.ok(check.json.warnings.some((w) => w.code === 'quiet_period'));
	const r = await c.cadre.post('/api/v1/visits', { enterprise_id: ent, summary: '例行走访' });
	assert.equal(r.status, 409, r.text);
	assert.ok(['quiet_period', 'visit_cap_reached'].includes(r.json.error.code));
	assert.ok(r.json.error.quiet_periods.some((x) => x.id === q.json.id));
	assert.match(r.json.error.warnings.map((w) => w.message).join(' '), /免打扰/);
	// a visit on a day outside it does not (yesterday)
	const y = await c.cadre.get(`/api/v1/enterprises/${ent}/visit-check?date=${plus(-1)}`);
	assert.ok(!y.json.warnings.some((w) => w.code === 'quiet_period'));
	const ok = await visit(c.cadre, { enterprise_id: ent, summary: '企业要求当面协调', reason: '企业主动约请' });
	assert.equal(ok.json.in_quiet, true);
	// cancelled by the enterprise: gone
	assert.equal((await c.enterprise.del(`/api/v1/quiet-periods/${q.json.id}`)).status, 204);
	assertError(await c.enterprise.del(`/api/v1/quiet-periods/${q.json.id}`), 404, 'not_found');
	const after = await c.cadre.get(`/api/v1/enterprises/${ent}/visit-check`);
	assert.ok(!after.json.warnings.some((w) => w.code === 'quiet_period'));
});

test('the enterprise rates a visit; the visitor is told; the ratings count in the statistics', async () => {
	const v = (await visit(c.cadre, { enterprise_id: c.ownEnterprise, summary: '了解企业诉求办理进展', reason: '跟进诉求' })).json;
	const before = (await c.leader.get('/api/v1/liaison/coverage')).json.visits.ratings;
	// only the enterprise visited
	assert.equal((await c.cadre.post(`/api/v1/visits/${v.id}/rating`, { rating: 'helpful' })).status, 403);
	assertError(await c.enterprise.post(`/api/v1/visits/${v.id}/rating`, { rating: 'great' }), 422, 'invalid_choice', { field: 'rating' });
	const seen = await c.enterprise.get(`/api/v1/visits/${v.id}`);
	assert.equal(seen.json.can_rate, true);
	const r = await c.enterprise.post(`/api/v1/visits/${v.id}/rating`, { rating: 'disturbing', comment: '一周内第三次来人，影响生产' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.rating, 'disturbing');
	assert.equal(r.json.rating_name, '打扰');
	const inbox = await c.cadre.get('/api/v1/notifications?page_size=50');
	assert.ok(inbox.json.items.some((n) => n.kind === 'visit_rated' && n.entity === 'visit' && n.entity_id === v.id), inbox.text);
	const after = (await c.leader.get('/api/v1/liaison/coverage')).json.visits.ratings;
	assert.equal(after.disturbing, before.disturbing + 1);
	assert.equal(after.unrated, before.unrated - 1);
	// another enterprise cannot even see it
	const { session: ent2 } = await (await import('./helpers.mjs')).cliUser(srv, { username: 'jianhua.ent', role: 'enterprise', org: '230203', enterprise: jianhua.uscc });
	assertError(await ent2.post(`/api/v1/visits/${v.id}/rating`, { rating: 'helpful' }), 404, 'not_found');
	// filters
	const dist = await c.leader.get('/api/v1/visits?rating=disturbing&page_size=100');
	assert.ok(dist.json.items.some((x) => x.id === v.id) && dist.json.items.every((x) => x.rating === 'disturbing'));
});
