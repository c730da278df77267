// appeals.test.mjs: every path of an appeal through the API: filing (by the enterprise, on its
// behalf, the duplicate guard, bad input), receiving and refusing, assigning with co-units,
// first-receiver returns, handling, answers with their outcomes, the supervisor's review of
// "not yet possible", ratings with the automatic and the supervised reopen, withdrawal,
// supervision, the timeline and the enterprise's view of it, notifications, 409 with the
// allowed actions, the administrators' categories, routing rules, limits and settings, search.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, cliUser } from './helpers.mjs';
import { appealServer, cast, file, act, dispatch, assertRefused } from './appeals-helpers.mjs';

let srv, c;
before(async () => {
	srv = await appealServer();
	c = await cast(srv);
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

const get = (s, a) => s.get(`/api/v1/appeals/${typeof a === 'object' ? a.id : a}`);
const notes = async (s, q = '') => (await s.get('/api/v1/notifications?page_size=100' + q)).json;

test('the enterprise files for itself: 企业自报, deadlines, suggested unit, timeline, dispatchers told', async () => {
	const before = await notes(c.dispatcher);
	const a = await file(c, { topic: '新建厂房用电报装', urgency: 'urgent', contact_via: 'phone',
		contact_name: '钱经理', contact_phone: '0452-2468135' });
	assert.match(a.number, /^SQ\d{8}-\d{6}$/);
	assert.equal(a.state, 'submitted');
	assert.equal(a.state_name, '待受理');
	assert.equal(a.channel, 'self');
	assert.equal(a.channel_name, '企业自报');
	assert.equal(a.urgency_name, '紧急');
	assert.equal(a.enterprise.id, c.ownEnterprise);
	assert.deepEqual(a.contact, { allowed: true, via: 'phone', name: '钱经理', phone: '0452-2468135' });
	assert.match(a.deadlines.accept, /^\d{4}-\d{2}-\d{2}$/);
	assert.equal(a.due_date, a.deadlines.accept);
	assert.ok(['green', 'yellow'].includes(a.colour));
	assert.equal(a.timeline.length, 1);
	assert.equal(a.timeline[0].action, 'file');
	assert.equal(a.timeline[0].action_name, '提交诉求');
	assert.deepEqual(a.allowed_actions.sort(), ['supplement', 'withdraw']);
	// the enterprise's view hides the routing suggestion
	assert.equal(a.suggested_unit, null);
	const d = await get(c.dispatcher, a);
	assert.equal(d.json.suggested_unit.id, c.org['230202'], 'no rule: the home bureau');
	assert.deepEqual(d.json.allowed_actions.sort(), ['accept', 'reject']);
	const after_ = await notes(c.dispatcher);
	assert.equal(after_.unread, before.unread + 1);
	assert.equal(after_.items[0].kind, 'filed');
	assert.equal(after_.items[0].entity_id, a.id);
});

test('filing: the enterprise only for itself and as 企业自报; others need an enterprise in scope and a channel', async () => {
	const base = { title: '标题', content: '内容', category_id: c.cat['0101'] };
	const other = (await c.leader.get('/api/v1/enterprises?region_code=230203')).json.items[0];
	assertError(await c.enterprise.post('/api/v1/appeals', { ...base, enterprise_id: other.id }), 422,
		'not_own_enterprise', { field: 'enterprise_id' });
	assertError(await c.enterprise.post('/api/v1/appeals', { ...base, channel: 'visit' }), 422,
		'invalid_choice', { field: 'channel' });
	assertError(await c.cadre.post('/api/v1/appeals', base), 422, 'required', { field: 'enterprise_id' });
	assertError(await c.cadre.post('/api/v1/appeals', { ...base, enterprise_id: c.ownEnterprise }), 422,
		'required', { field: 'channel' });
	// a 龙沙区 cadre cannot file for a 建华区 enterprise
	assertError(await c.cadre.post('/api/v1/appeals', { ...base, enterprise_id: other.id, channel: 'visit' }),
		422, 'invalid_enterprise', { field: 'enterprise_id' });
	assertError(await c.cadre.post('/api/v1/appeals', { ...base, enterprise_id: 99999999, channel: 'visit' }),
		422, 'invalid_enterprise', { field: 'enterprise_id' });
	// bad input names its field, in Chinese
	assertError(await c.enterprise.post('/api/v1/appeals', { ...base, title: '' }), 422, 'required',
		{ field: 'title', message: '诉求标题不能为空' });
	assertError(await c.enterprise.post('/api/v1/appeals', { ...base, title: '长'.repeat(61) }), 422,
		'too_long', { field: 'title' });
	assertError(await c.enterprise.post('/api/v1/appeals', { ...base, category_id: 999999 }), 422,
		'invalid_category', { field: 'category_id' });
	assertError(await c.enterprise.post('/api/v1/appeals', { ...base, urgency: 'asap' }), 422,
		'invalid_choice', { field: 'urgency' });
	assertError(await c.enterprise.post('/api/v1/appeals', { ...base, contact_phone: 'call me' }), 422,
		'invalid_phone', { field: 'contact_phone' });
	assertError(await c.enterprise.post('/api/v1/appeals', { ...base, surprise: 1 }), 422,
		'unknown_field', { field: 'surprise' });
	// roles without appeal.create
	for (const u of ['supervisor', 'statistician', 'sysadmin'])
		assertError(await c[u].post('/api/v1/appeals', base), 403, 'permission_denied');
	// a cadre files on the enterprise's behalf, found in a visit (走访发现)
	const a = await file(c, { enterprise_id: c.ownEnterprise, channel: 'visit', topic: '走访发现的招工问题' }, c.cadre);
	assert.equal(a.channel_name, '走访发现');
	assert.equal(a.created_by.id, c.cadre.user.id);
	// the filer may add to it and withdraw it, like the enterprise
	assert.deepEqual(a.allowed_actions.sort(), ['supplement', 'withdraw']);
});

test('the duplicate guard: a near-identical appeal within 30 days is shown, and filing anyway needs a reason', async () => {
	const body = { title: '园区污水管网堵塞影响生产', content: '园区东区污水管网多处堵塞，雨天倒灌进车间，请求协调尽快疏通。',
		category_id: c.cat['1002'] };
	const first = await c.enterprise.post('/api/v1/appeals', body);
	assert.equal(first.status, 201, first.text);
	const again = await c.enterprise.post('/api/v1/appeals', { ...body, title: '园区污水管网堵塞影响生产！' });
	assert.equal(again.status, 409, again.text);
	assert.equal(again.json.error.code, 'possible_duplicate');
	assert.equal(again.json.error.field, 'duplicate_reason');
	assert.equal(again.json.error.duplicates[0].id, first.json.id);
	assert.equal(again.json.error.duplicates[0].number, first.json.number);
	assert.ok(again.json.error.duplicates[0].similarity >= 80, 'a percentage');
	// another enterprise may say the same thing
	const other = (await c.leader.get('/api/v1/enterprises?region_code=230202')).json.items
		.find((e) => e.id !== c.ownEnterprise);
	if (other) {
		const r = await c.dispatcher.post('/api/v1/appeals', { ...body, enterprise_id: other.id, channel: 'hotline' });
		assert.equal(r.status, 201, r.text);
	}
	// different wording is not a duplicate
	const fresh = await c.enterprise.post('/api/v1/appeals', { ...body, title: '申请技改贷款贴息', content: '今年技改贷款贴息政策的申报时间和条件是什么？' });
	assert.equal(fresh.status, 201, fresh.text);
	// with a reason it is filed, pointing at the first
	const forced = await c.enterprise.post('/api/v1/appeals', { ...body, duplicate_reason: '上次反映后问题再次出现' });
	assert.equal(forced.status, 201, forced.text);
	const seen = await get(c.dispatcher, forced.json);
	assert.equal(seen.json.duplicate_of, first.json.id);
	assert.equal(seen.json.duplicate_reason, '上次反映后问题再次出现');
});

test('the duplicate guard reads what another server filed, and keeps its words right', async () => {
	// a server keeps a few words of each appeal it filed or read, and reads only the appeals those
	// words cannot rule out: one started after the filing has none of them, reads the text, and
	// from then on rules by the words it made of it (both must still see the duplicate)
	const body = { title: '厂区变压器容量不足无法扩产', content: '新购两条生产线需增容至2000千伏安，供电所答复排队，请协调加快办理。',
		category_id: c.cat['1002'] };
	const first = await c.enterprise.post('/api/v1/appeals', body);
	assert.equal(first.status, 201, first.text);
	const other = await appealServer([], { db: srv.db, dir: srv.dir, demo: false, keep: true });
	try {
		const ent = await other.login('enterprise');
		for (const title of ['厂区变压器容量不足无法扩产！', '厂区变压器容量不足，无法扩产']) {
			const r = await ent.post('/api/v1/appeals', { ...body, title });
			assert.equal(r.status, 409, r.text);
			assert.equal(r.json.error.code, 'possible_duplicate');
			assert.deepEqual(r.json.error.duplicates.map((d) => d.id), [first.json.id], title);
		}
		// unlike text is filed there, and the first server, which never read it, sees it
		const fresh = { ...body, title: '申请参加省级专精特新培育', content: '本企业拟申报省级专精特新中小企业，请告知申报材料和时间安排。' };
		const there = await ent.post('/api/v1/appeals', fresh);
		assert.equal(there.status, 201, there.text);
		const back = await c.enterprise.post('/api/v1/appeals', { ...fresh, title: '申请参加省级专精特新培育。' });
		assert.equal(back.status, 409, back.text);
		assert.deepEqual(back.json.error.duplicates.map((d) => d.id), [there.json.id]);
	} finally {
		assert.equal((await other.stop()).code, 0);
	}
});

test('a filing answers with the appeal as GET then shows it, to the enterprise and to officials', async () => {
	// the answer is built from what the filing wrote, not read back: every member must match
	const same = async (as, fields, why) => {
		const a = await file(c, fields, as);
		const seen = await get(as, a);
		assert.equal(seen.status, 200, seen.text);
		assert.deepEqual(a, seen.json, why);
		return a;
	};
	const own = await same(c.enterprise, { urgency: 'urgent', contact_via: 'phone', contact_name: '钱经理',
		contact_phone: '0452-2468135' }, 'the enterprise, for itself');
	assert.equal(own.suggested_unit, null, 'the enterprise view');
	const mine = await same(c.cadre, { enterprise_id: c.ownEnterprise, channel: 'visit', contact_ok: false,
		category_id: c.cat['1002'], topic: '走访发现的用地问题' }, 'a cadre, on its behalf');
	assert.equal(mine.contact.allowed, false);
	assert.ok(mine.suggested_unit && mine.supervisions, 'the officials\' view');
	// a duplicate filed anyway: duplicate_of and the reason in the answer and in its timeline row
	const body = { enterprise_id: c.ownEnterprise, channel: 'hotline', title: `同一件事（${own.id}）`,
		content: `园区道路破损严重影响运输，编号${own.id}，请求尽快维修。`, category_id: c.cat['0101'] };
	const first = await c.dispatcher.post('/api/v1/appeals', body);
	assert.equal(first.status, 201, first.text);
	assert.deepEqual(first.json, (await get(c.dispatcher, first.json)).json);
	const again = await c.dispatcher.post('/api/v1/appeals', { ...body, duplicate_reason: '企业再次来电' });
	assert.equal(again.status, 201, again.text);
	assert.equal(again.json.duplicate_of, first.json.id);
	assert.equal(again.json.timeline[0].detail.duplicate_of, first.json.id);
	assert.deepEqual(again.json, (await get(c.dispatcher, again.json)).json, 'a duplicate with its reason');
});

test('a filer who may not read appeals still gets back what it filed, not a 404 for a saved appeal', async () => {
	const sec = await c.srv.login('secadmin');
	const role = await sec.post('/api/v1/roles', { code: 'filer.only', name: '仅登记诉求', scope: 'all',
		permissions: ['appeal.create'] });
	assert.equal(role.status, 201, role.text);
	const { session: filer } = await cliUser(c.srv, { username: 'fileronly', role: 'filer.only', org: '230200' });
	const r = await filer.post('/api/v1/appeals', { enterprise_id: c.ownEnterprise, channel: 'hotline',
		title: `热线登记的诉求（${Date.now()}）`, content: '企业来电反映用工问题，热线登记后转办。', category_id: c.cat['0101'] });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.state, 'submitted');
	assert.equal(r.json.created_by.id, filer.user.id);
	assert.equal(r.json.timeline[0].action, 'file');
	assertError(await get(filer, r.json), 403, 'permission_denied');
	const seen = await get(c.dispatcher, r.json);
	assert.equal(seen.status, 200, seen.text);
	assert.equal(seen.json.number, r.json.number);
	assert.equal(seen.json.title, r.json.title);
});

test('the whole path: file, accept, assign, start, contact, interim reply, reply solved, rate 满意 → closed', async () => {
	const a = await file(c, { topic: '技改项目贷款审批慢' });
	// the enterprise cannot receive its own appeal: no permission (403), not a state question
	assertError(await c.enterprise.post(`/api/v1/appeals/${a.id}/accept`, {}), 403, 'permission_denied');
	let r = await act(c.dispatcher, a, 'accept', { note: '已受理' });
	assert.equal(r.json.state, 'accepted');
	assert.match(r.json.deadlines.close, /^\d{4}-\d{2}-\d{2}$/);
	assert.equal(r.json.due_date, r.json.deadlines.close);
	assert.equal(r.json.deadlines.close_workdays, 7);
	// the county's handler receives its county's appeals too, so it could assign it; it is
	// not its unit's to handle yet
	const h = await get(c.handler, a);
	assert.equal(h.status, 200);
	assert.deepEqual(h.json.allowed_actions, ['assign']);
	const before = (await notes(c.handler)).unread;
	r = await act(c.dispatcher, a, 'assign', { lead_org_id: c.org['230202'], co_org_ids: [c.org['230200-02']], note: '请尽快办理' });
	assert.equal(r.json.state, 'assigned');
	assert.equal(r.json.lead_unit.id, c.org['230202']);
	assert.deepEqual(r.json.co_units.map((u) => u.id), [c.org['230200-02']]);
	const told = await notes(c.handler);
	assert.equal(told.unread, before + 1);
	assert.equal(told.items[0].kind, 'assigned');
	assert.equal(told.items[0].kind_name, '交办给您');
	// the co-unit's handler was told too, and may only give its opinion
	const co = await get(c.yunxing, a);
	assert.deepEqual(co.json.allowed_actions, ['co_opinion']);
	assertRefused(await c.yunxing.post(`/api/v1/appeals/${a.id}/start`, {}), 'not_your_role', ['co_opinion']);
	await act(c.yunxing, a, 'co_opinion', { message: '可协调电力部门配合' });
	assert.deepEqual((await get(c.handler, a)).json.allowed_actions.sort(), ['assign', 'return', 'start']);
	r = await act(c.handler, a, 'start');
	assert.equal(r.json.state, 'in_progress');
	assert.ok(r.json.started_at);
	assertError(await c.handler.post(`/api/v1/appeals/${a.id}/contact`, {}), 422, 'required', { field: 'via' });
	r = await act(c.handler, a, 'contact', { via: 'visit', note: '上门了解情况' });
	assert.ok(r.json.contacted_at);
	r = await act(c.handler, a, 'interim_reply', { message: '已对接两家银行，正在补充材料' });
	assert.ok(r.json.interim_at);
	assertError(await c.handler.post(`/api/v1/appeals/${a.id}/reply`, { message: '好了' }), 422, 'required', { field: 'outcome' });
	assertError(await c.handler.post(`/api/v1/appeals/${a.id}/reply`, { outcome: 'done', message: '好了' }), 422, 'invalid_choice', { field: 'outcome' });
	assertError(await c.handler.post(`/api/v1/appeals/${a.id}/reply`, { outcome: 'solved' }), 422, 'required', { field: 'message' });
	r = await act(c.handler, a, 'reply', { outcome: 'solved', message: '贷款已批复800万元' });
	assert.equal(r.json.state, 'replied');
	assert.equal(r.json.outcome_name, '已解决');
	assert.equal(r.json.on_time, true);
	assert.match(r.json.deadlines.rate, /^\d{4}-\d{2}-\d{2}$/);
	assert.equal(r.json.colour, 'none');
	// the enterprise was told and is asked to rate
	const en = await notes(c.enterprise);
	assert.ok(en.items.some((n) => n.kind === 'replied' && n.entity_id === a.id));
	const mine = await get(c.enterprise, a);
	assert.deepEqual(mine.json.allowed_actions, ['evaluate']);
	assertError(await c.enterprise.post(`/api/v1/appeals/${a.id}/evaluate`, { rating: 'great' }), 422, 'invalid_choice', { field: 'rating' });
	r = await act(c.enterprise, a, 'evaluate', { rating: 'satisfied', comment: '非常及时' });
	assert.equal(r.json.state, 'closed');
	assert.equal(r.json.rating_name, '满意');
	assert.ok(r.json.closed_at);
	// the whole timeline, in order, with who did what
	const full = await get(c.dispatcher, a);
	assert.deepEqual(full.json.timeline.map((e) => e.action),
		['file', 'accept', 'assign', 'co_opinion', 'start', 'contact', 'interim_reply', 'reply', 'evaluate']);
	const assign = full.json.timeline[2];
	assert.equal(assign.actor.name, c.dispatcher.user.display_name);
	assert.match(assign.message, /交办至/);
	assert.equal(assign.detail.lead.id, c.org['230202']);
	assert.equal(assign.to_state, 'assigned');
	// the enterprise sees every message to it, not the internal work
	const view = (await get(c.enterprise, a)).json;
	assert.deepEqual(view.timeline.map((e) => e.action),
		['file', 'accept', 'assign', 'start', 'contact', 'interim_reply', 'reply', 'evaluate']);
	assert.ok(view.timeline.every((e) => e.public));
	assert.equal(view.supervisions, undefined);
	assert.equal(view.return_count, undefined);
	// nothing more to do
	assertRefused(await c.handler.post(`/api/v1/appeals/${a.id}/reply`, { outcome: 'solved', message: 'x' }), 'wrong_state', []);
	// every step is in the audit log
	const audit = await c.auditadmin.get(`/api/v1/audit?entity=appeal&entity_id=${a.id}&page_size=100`);
	assert.deepEqual(audit.json.items.map((x) => x.action).reverse(),
		['create', 'accept', 'assign', 'co_opinion', 'start', 'contact', 'interim_reply', 'reply', 'evaluate']);
});

test('a wrong action answers 409 with the actions allowed now', async () => {
	const a = await file(c);
	let r = await c.handler.post(`/api/v1/appeals/${a.id}/start`, {});
	assertRefused(r, 'wrong_state', ['accept', 'reject']);
	// a unit that is not tied to it does not even see it
	assert.equal((await c.yunxing.post(`/api/v1/appeals/${a.id}/start`, {})).status, 404);
	assert.match(r.json.error.message, /待受理/);
	r = await c.dispatcher.post(`/api/v1/appeals/${a.id}/assign`, { lead_org_id: c.org['230202'] });
	assertRefused(r, 'wrong_state', ['accept', 'reject']);
	r = await c.supervisor.post(`/api/v1/appeals/${a.id}/approve_close`, {});
	assertRefused(r, 'wrong_state', ['supervise', 'escalate']);
	// unknown and malformed
	assert.equal((await c.dispatcher.post('/api/v1/appeals/999999/accept', {})).status, 404);
	assert.equal((await c.dispatcher.post('/api/v1/appeals/abc/accept', {})).status, 404);
	assert.equal((await c.dispatcher.post(`/api/v1/appeals/${a.id}/close`, {})).status, 404, 'the system closes, never a person');
	assertError(await c.dispatcher.post(`/api/v1/appeals/${a.id}/accept`, { note: 'x', extra: 1 }), 422, 'unknown_field', { field: 'extra' });
});

test('不予受理 needs a reason and tells the enterprise why', async () => {
	const a = await file(c, { topic: '希望减免企业所得税' });
	assertError(await c.dispatcher.post(`/api/v1/appeals/${a.id}/reject`, {}), 422, 'required', { field: 'reason' });
	const r = await act(c.dispatcher, a, 'reject', { reason: '税收减免不属于工信部门职责，请向税务部门咨询' });
	assert.equal(r.json.state, 'rejected');
	assert.equal(r.json.due_date, null);
	const view = (await get(c.enterprise, a)).json;
	assert.equal(view.state_name, '不予受理');
	assert.equal(view.timeline.at(-1).message, '税收减免不属于工信部门职责，请向税务部门咨询');
	assert.deepEqual(view.allowed_actions, []);
	const n = await notes(c.enterprise);
	assert.ok(n.items.some((x) => x.kind === 'rejected' && x.entity_id === a.id && x.body.includes('税务部门')));
});

test('first-receiver responsibility: a lead unit returns only to the dispatcher, with a reason; returns are counted', async () => {
	const a = await file(c, { topic: '职业技能培训补贴' });
	await dispatch(c, a, '230202', ['230200-02']);
	assertError(await c.handler.post(`/api/v1/appeals/${a.id}/return`, {}), 422, 'required', { field: 'reason' });
	// no sideways hand-over: a return carries no unit
	assertError(await c.handler.post(`/api/v1/appeals/${a.id}/return`, { reason: '不属本单位', lead_org_id: c.org['230203'] }),
		422, 'unknown_field', { field: 'lead_org_id' });
	const dBefore = (await notes(c.dispatcher)).unread;
	let r = await act(c.handler, a, 'return', { reason: '技能培训由人社部门负责，请重新交办' });
	assert.equal(r.json.state, 'returned');
	assert.equal(r.json.lead_unit, null);
	assert.deepEqual(r.json.co_units, []);
	assert.equal(r.json.return_count, 1);
	assert.equal((await notes(c.dispatcher)).unread, dBefore + 1);
	// back with the dispatcher, who assigns again
	r = await get(c.dispatcher, a);
	assert.deepEqual(r.json.allowed_actions.sort(), ['assign']);
	const ret = r.json.timeline.find((e) => e.action === 'return');
	assert.equal(ret.detail.unit_id, c.org['230202']);
	assert.equal(ret.public, false);
	await act(c.dispatcher, a, 'assign', { lead_org_id: c.org['230202'] });
	await act(c.handler, a, 'return', { reason: '仍不属本单位' });
	r = await get(c.dispatcher, a);
	assert.equal(r.json.return_count, 2);
	// the enterprise does not see the returns, only that it is being routed
	const view = (await get(c.enterprise, a)).json;
	assert.ok(!view.timeline.some((e) => e.action === 'return'));
	// returns are a number in the queue and the statistics
	const list = await c.dispatcher.get('/api/v1/appeals?state=returned&page_size=100');
	assert.ok(list.json.items.some((x) => x.id === a.id && x.return_count === 2));
});

test('暂不具备条件 needs a plan and a date, and a supervisor approves it before the enterprise sees it', async () => {
	const a = await file(c, { topic: '拖欠货款协调' });
	await dispatch(c, a);
	await act(c.handler, a, 'start');
	assertError(await c.handler.post(`/api/v1/appeals/${a.id}/reply`, { outcome: 'not_yet', message: '暂不具备条件' }),
		422, 'required', { field: 'plan' });
	assertError(await c.handler.post(`/api/v1/appeals/${a.id}/reply`, { outcome: 'not_yet', message: '暂不具备条件', plan: '分期' }),
		422, 'required', { field: 'follow_up_on' });
	assertError(await c.handler.post(`/api/v1/appeals/${a.id}/reply`, { outcome: 'not_yet', message: 'x', plan: 'y', follow_up_on: '2026-02-30' }),
		422, 'invalid_date', { field: 'follow_up_on' });
	let r = await act(c.handler, a, 'reply', { outcome: 'not_yet', message: '欠款方债务重组中，暂不具备一次性支付条件', plan: '按重组方案分期支付，每月跟踪', follow_up_on: '2027-03-31' });
	assert.equal(r.json.state, 'pending_approval');
	// the enterprise does not see the answer yet
	let view = (await get(c.enterprise, a)).json;
	assert.equal(view.reply, null);
	assert.equal(view.outcome, null);
	assert.ok(!view.timeline.some((e) => e.action === 'reply'));
	assert.ok((await notes(c.supervisor)).items.some((n) => n.kind === 'approval_needed' && n.entity_id === a.id));
	// a supervisor sends it back, the unit answers again, the supervisor approves
	r = await act(c.supervisor, a, 'deny_close', { reason: '请先协调欠款方给出首期付款时间' });
	assert.equal(r.json.state, 'in_progress');
	assert.equal(r.json.reply, null);
	await act(c.handler, a, 'reply', { outcome: 'not_yet', message: '首期款12月底支付，其余分期', plan: '每月跟踪付款', follow_up_on: '2027-03-31' });
	r = await act(c.supervisor, a, 'approve_close', { note: '同意' });
	assert.equal(r.json.state, 'replied');
	view = (await get(c.enterprise, a)).json;
	assert.equal(view.reply, '首期款12月底支付，其余分期');
	assert.equal(view.outcome_name, '暂不具备条件');
	assert.equal(view.plan, '每月跟踪付款');
	assert.equal(view.follow_up_on, '2027-03-31');
	const shown = view.timeline.find((e) => e.action === 'approve_close');
	assert.equal(shown.message, '首期款12月底支付，其余分期');
	// closed as rated, but not solved
	r = await act(c.enterprise, a, 'evaluate', { rating: 'basically_satisfied' });
	assert.equal(r.json.state, 'closed');
	assert.equal(r.json.outcome, 'not_yet');
});

test('不满意 reopens once by itself; a second 不满意 closes, and only a supervisor reopens again', async () => {
	const a = await file(c, { topic: '专利侵权维权' });
	await dispatch(c, a);
	await act(c.handler, a, 'start');
	await act(c.handler, a, 'reply', { outcome: 'explained', message: '请向市场监管部门投诉' });
	assertError(await c.enterprise.post(`/api/v1/appeals/${a.id}/evaluate`, { rating: 'unsatisfied' }), 422, 'required', { field: 'comment' });
	const hBefore = (await notes(c.handler)).unread;
	let r = await act(c.enterprise, a, 'evaluate', { rating: 'unsatisfied', comment: '没有解决问题' });
	assert.equal(r.json.state, 'reopened');
	assert.equal(r.json.reopen_count, 1);
	assert.ok((await notes(c.handler)).unread > hBefore);
	assert.ok((await notes(c.handler)).items.some((n) => n.kind === 'reopened' && n.entity_id === a.id));
	await act(c.handler, a, 'start');
	await act(c.handler, a, 'reply', { outcome: 'explained', message: '已再次协调' });
	r = await act(c.enterprise, a, 'evaluate', { rating: 'unsatisfied', comment: '还是没解决' });
	assert.equal(r.json.state, 'closed');
	assert.equal(r.json.rating, 'unsatisfied');
	// the enterprise cannot reopen; a handler has no permission; a supervisor can, with a reason
	assertError(await c.enterprise.post(`/api/v1/appeals/${a.id}/reopen`, { reason: 'x' }), 403, 'permission_denied');
	assertError(await c.supervisor.post(`/api/v1/appeals/${a.id}/reopen`, {}), 422, 'required', { field: 'reason' });
	r = await act(c.supervisor, a, 'reopen', { reason: '企业两次不满意，督查要求重新办理' });
	assert.equal(r.json.state, 'reopened');
	assert.equal(r.json.reopen_count, 2);
	await act(c.handler, a, 'start');
	await act(c.handler, a, 'reply', { outcome: 'solved', message: '联合执法，侵权产品已下架' });
	r = await act(c.enterprise, a, 'evaluate', { rating: 'satisfied' });
	assert.equal(r.json.state, 'closed');
	assert.equal(r.json.outcome, 'solved');
});

test('withdrawal before the answer; none after it', async () => {
	const a = await file(c, { topic: '展会补贴咨询' });
	await act(c.dispatcher, a, 'accept');
	let r = await act(c.enterprise, a, 'withdraw', { reason: '已自行解决' });
	assert.equal(r.json.state, 'withdrawn');
	assert.deepEqual(r.json.allowed_actions, []);
	const b = await file(c, { topic: '展会补贴咨询二' });
	await dispatch(c, b);
	await act(c.handler, b, 'start');
	await act(c.handler, b, 'reply', { outcome: 'solved', message: '已解决' });
	assertRefused(await c.enterprise.post(`/api/v1/appeals/${b.id}/withdraw`, {}), 'wrong_state', ['evaluate']);
});

test('supervision: a note with its own deadline that the lead unit answers', async () => {
	const a = await file(c, { topic: '审批材料多次退回' });
	// before assignment: the dispatcher holds it and answers
	await act(c.dispatcher, a, 'accept');
	assertError(await c.supervisor.post(`/api/v1/appeals/${a.id}/supervise`, {}), 422, 'required', { field: 'note' });
	assertError(await c.supervisor.post(`/api/v1/appeals/${a.id}/supervise`, { note: 'x', due_date: '2000-01-01' }),
		422, 'out_of_range', { field: 'due_date' });
	let r = await act(c.supervisor, a, 'supervise', { note: '请当日交办' });
	assert.equal(r.json.supervision_open, 1);
	assert.match(r.json.supervisions[0].due_date, /^\d{4}-\d{2}-\d{2}$/);
	assert.ok(r.json.allowed_actions.includes('supervise'));
	r = await get(c.dispatcher, a);
	assert.ok(r.json.allowed_actions.includes('answer_supervision'));
	await act(c.dispatcher, a, 'answer_supervision', { answer: '已交办区工信局' });
	r = await act(c.dispatcher, a, 'assign', { lead_org_id: c.org['230202'] });
	assert.equal(r.json.supervision_open, 0);
	// a leader supervises too; the handler is told and answers
	await act(c.leader, a, 'supervise', { note: '请三日内说明情况', due_date: '2099-12-31' });
	assert.ok((await notes(c.handler)).items.some((n) => n.kind === 'supervised' && n.entity_id === a.id));
	assertRefused(await c.enterprise.post(`/api/v1/appeals/${a.id}/answer_supervision`, { answer: 'x' }), 'not_your_role');
	r = await act(c.handler, a, 'answer_supervision', { answer: '已约企业面谈，周五前办结' });
	const s = r.json.supervisions.at(-1);
	assert.equal(s.answer, '已约企业面谈，周五前办结');
	assert.equal(s.answered_by, '周承办');
	assert.ok((await notes(c.leader)).items.some((n) => n.kind === 'supervision_answered' && n.entity_id === a.id));
	assertRefused(await c.handler.post(`/api/v1/appeals/${a.id}/answer_supervision`, { answer: 'again' }), 'not_allowed_now');
	// the enterprise never sees supervision
	const view = (await get(c.enterprise, a)).json;
	assert.equal(view.supervisions, undefined);
	assert.ok(!view.timeline.some((e) => e.action === 'supervise'));
});

test('manual escalation goes to the responsible leader (the lead unit\'s, else up the tree)', async () => {
	const a = await file(c, { topic: '天然气供应不足' });
	await dispatch(c, a);
	assertError(await c.handler.post(`/api/v1/appeals/${a.id}/escalate`, { note: 'x' }), 403, 'permission_denied');
	const r = await act(c.supervisor, a, 'escalate', { note: '影响冬季生产，请领导协调' });
	assert.equal(r.json.escalation.level, 1);
	assert.equal(r.json.escalation.to.id, c.leader.user.id, 'no leader in the county: the city\'s');
	assert.ok((await notes(c.leader)).items.some((n) => n.kind === 'escalated' && n.entity_id === a.id));
	const work = await c.leader.get('/api/v1/appeals/work');
	assert.ok(work.json.items.some((x) => x.id === a.id && x.reasons.includes('approve')));
});

test('"my work" lists what needs each person now, by deadline, with colour counts', async () => {
	const a = await file(c, { topic: '待办测试' });
	let w = (await c.dispatcher.get('/api/v1/appeals/work')).json;
	const mine = w.items.find((x) => x.id === a.id);
	assert.deepEqual(mine.reasons, ['dispatch']);
	assert.equal(w.counts.total, w.total);
	assert.equal(w.counts.red + w.counts.yellow + w.counts.green + w.counts.paused + w.counts.none, w.total);
	const dues = w.items.map((x) => x.due_date || x.rate_due || '9999');
	assert.deepEqual(dues, [...dues].sort(), 'by deadline');
	await dispatch(c, a);
	w = (await c.handler.get('/api/v1/appeals/work')).json;
	assert.deepEqual(w.items.find((x) => x.id === a.id).reasons, ['handle']);
	w = (await c.dispatcher.get('/api/v1/appeals/work')).json;
	assert.ok(!w.items.some((x) => x.id === a.id));
	await act(c.handler, a, 'start');
	await act(c.handler, a, 'reply', { outcome: 'solved', message: '已解决' });
	w = (await c.enterprise.get('/api/v1/appeals/work')).json;
	const rate = w.items.find((x) => x.id === a.id);
	assert.deepEqual(rate.reasons, ['enterprise']);
	assert.ok(rate.rate_due);
	// a statistician has nothing to do
	assert.equal((await c.statistician.get('/api/v1/appeals/work')).json.total, 0);
});

test('the queue: filters, sorts, capped counts, search over 2- and 3-character Chinese terms and numbers', async () => {
	const a = await file(c, { title: '申请数字化车间改造专家诊断', content: '企业计划建设数字化车间，希望组织专家免费诊断并提出改造方案。', category_id: c.cat['0803'] });
	const b = await file(c, { title: '冷链物流运费上涨', content: '入冬后冷链运输费用明显上涨，希望协调物流园区集中配送。', category_id: c.cat['0501'] });
	const q = (s, query) => s.get('/api/v1/appeals?page_size=100&' + query);
	let r = await q(c.dispatcher, 'q=' + encodeURIComponent('数字化'));
	assert.ok(r.json.items.some((x) => x.id === a.id));
	assert.ok(!r.json.items.some((x) => x.id === b.id));
	r = await q(c.dispatcher, 'q=' + encodeURIComponent('冷链'));
	assert.deepEqual(r.json.items.filter((x) => [a.id, b.id].includes(x.id)).map((x) => x.id), [b.id]);
	r = await q(c.dispatcher, 'q=' + encodeURIComponent('车间 诊断'));
	assert.ok(r.json.items.some((x) => x.id === a.id));
	r = await q(c.dispatcher, 'q=' + encodeURIComponent('车间 运费'));
	assert.ok(!r.json.items.some((x) => x.id === a.id || x.id === b.id));
	r = await q(c.dispatcher, 'q=' + encodeURIComponent('链'));
	assert.ok(r.json.items.some((x) => x.id === b.id));
	r = await q(c.dispatcher, 'q=' + a.number);
	assert.deepEqual(r.json.items.map((x) => x.id), [a.id]);
	assertError(await q(c.dispatcher, 'q=a%20b%20c%20d'), 422, 'invalid_query', { field: 'q' });
	// filters
	r = await q(c.dispatcher, `category_id=${c.cat['08']}`);
	assert.ok(r.json.items.some((x) => x.id === a.id) && r.json.items.every((x) => x.category.id !== c.cat['0501']));
	r = await q(c.dispatcher, 'state=submitted');
	assert.ok(r.json.items.every((x) => x.state === 'submitted'));
	r = await q(c.dispatcher, 'state=submitted,accepted');
	assert.ok(r.json.items.every((x) => ['submitted', 'accepted'].includes(x.state)));
	assertError(await q(c.dispatcher, 'state=lost'), 422, 'invalid_choice', { field: 'state' });
	r = await q(c.dispatcher, `enterprise_id=${c.ownEnterprise}&channel=self&urgency=normal`);
	assert.ok(r.json.items.length > 0 && r.json.items.every((x) => x.enterprise.id === c.ownEnterprise && x.channel === 'self'));
	r = await q(c.dispatcher, 'sort=due&state=accepted');
	const dues = r.json.items.map((x) => x.due_date);
	assert.deepEqual(dues, [...dues].sort());
	r = await q(c.dispatcher, 'sort=old');
	const ids = r.json.items.map((x) => x.id);
	assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
	assertError(await q(c.dispatcher, 'sort=random'), 422, 'invalid_choice', { field: 'sort' });
	assertError(await q(c.dispatcher, 'colour=blue'), 422, 'invalid_choice', { field: 'colour' });
	assertError(await q(c.dispatcher, 'from=2026-13-01'), 422, 'invalid_date', { field: 'from' });
	r = await q(c.dispatcher, 'colour=red');
	assert.ok(r.json.items.every((x) => x.colour === 'red'));
	r = await q(c.dispatcher, 'late=1');
	assert.ok(r.json.items.every((x) => x.late === true));
	// text that JSON must escape comes back as it went in
	const odd = await file(c, { title: '含"引号"\\反斜杠\t制表和</script>的标题', topic: 'x' });
	r = await q(c.dispatcher, 'q=' + encodeURIComponent('反斜杠'));
	assert.equal(r.json.items.find((x) => x.id === odd.id).title, '含"引号"\\反斜杠\t制表和</script>的标题');
	assert.equal((await c.dispatcher.get('/api/v1/appeals/work')).json.items.find((x) => x.id === odd.id).title, odd.title);
	// a search's first page counts its own hits (to the cap); a later page asks a count
	// statement: both say the same, and the first page holds no more than its size
	for (const term of ['数字化', '企业', '冷链']) {
		const page = (n) => c.dispatcher.get(`/api/v1/appeals?q=${encodeURIComponent(term)}&page_size=1&page=${n}`);
		const [one, two] = [(await page(1)).json, (await page(2)).json];
		assert.equal(one.items.length, Math.min(1, one.total), term);
		assert.deepEqual([one.total, one.total_exact], [two.total, two.total_exact], term);
		const all = (await q(c.dispatcher, 'q=' + encodeURIComponent(term))).json;
		if (all.total_exact)
			assert.equal(all.items.length, one.total, term);
	}
	// counts are exact here, and say so
	r = await c.dispatcher.get('/api/v1/appeals?page_size=1');
	assert.equal(r.json.total_exact, true);
	assert.ok(r.json.total > 10);
});

test('administrators keep the category tree, routing rules, time limits and settings', async () => {
	// the default tree: ten top-level categories with their subcategories
	const tree = (await c.enterprise.get('/api/v1/appeal-categories')).json.items;
	assert.deepEqual(tree.map((x) => x.name),
		['融资', '用地', '用电用能', '用工', '物流', '审批', '市场开拓', '技术创新', '政策咨询', '其他']);
	assert.ok(tree.every((x) => x.children.length >= 3));
	assertError(await c.handler.post('/api/v1/appeal-categories', { code: 'x', name: 'x' }), 403, 'permission_denied');
	let r = await c.dispatcher.post('/api/v1/appeal-categories', { parent_id: c.cat['01'], code: '0105', name: '供应链金融', sort: 5 });
	assert.equal(r.status, 201, r.text);
	const sub = r.json;
	assertError(await c.dispatcher.post('/api/v1/appeal-categories', { parent_id: sub.id, code: '010501', name: '三级' }), 422, 'too_deep', { field: 'parent_id' });
	assertError(await c.dispatcher.post('/api/v1/appeal-categories', { code: '0105', name: '重复' }), 409, 'duplicate_code', { field: 'code' });
	assertError(await c.dispatcher.post('/api/v1/appeal-categories', { code: '中文', name: 'x' }), 422, 'invalid_code', { field: 'code' });
	// a routing rule: 供应链金融 anywhere → the city's 民营经济科
	r = await c.dispatcher.post('/api/v1/appeal-routes', { category_id: sub.id, lead_org_id: c.org['230200-05'], note: '供应链金融由民营经济科牵头' });
	assert.equal(r.status, 201, r.text);
	const rule = r.json;
	assertError(await c.dispatcher.post('/api/v1/appeal-routes', { category_id: sub.id, lead_org_id: c.org['230200-03'] }), 409, 'duplicate_rule', { field: 'category_id' });
	assertError(await c.dispatcher.post('/api/v1/appeal-routes', { region_code: '2302', lead_org_id: c.org['230200-03'] }), 422, 'invalid_region', { field: 'region_code' });
	assertError(await c.dispatcher.post('/api/v1/appeal-routes', { lead_org_id: 99999 }), 422, 'invalid_unit', { field: 'lead_org_id' });
	// a more specific rule (the same category in this county) wins
	r = await c.dispatcher.post('/api/v1/appeal-routes', { category_id: sub.id, region_code: '230202', lead_org_id: c.org['230202-01'] });
	assert.equal(r.status, 201, r.text);
	let a = await file(c, { category_id: sub.id, topic: '应收账款融资' });
	assert.equal((await get(c.dispatcher, a)).json.suggested_unit.id, c.org['230202-01']);
	await c.dispatcher.del(`/api/v1/appeal-routes/${r.json.id}`);
	a = await file(c, { category_id: sub.id, topic: '应收账款融资二' });
	assert.equal((await get(c.dispatcher, a)).json.suggested_unit.id, c.org['230200-05']);
	// assigning without a unit takes the suggestion
	await act(c.dispatcher, a, 'accept');
	r = await act(c.dispatcher, a, 'assign', {});
	assert.equal(r.json.lead_unit.id, c.org['230200-05']);
	r = await c.dispatcher.patch(`/api/v1/appeal-routes/${rule.id}`, { lead_org_id: c.org['230200-03'] });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.lead_unit.id, c.org['230200-03']);
	assert.ok((await c.dispatcher.get('/api/v1/appeal-routes')).json.items.some((x) => x.id === rule.id));
	// a disabled category can no longer be chosen
	r = await c.dispatcher.patch(`/api/v1/appeal-categories/${sub.id}`, { status: 'disabled' });
	assert.equal(r.json.status, 'disabled');
	assertError(await c.enterprise.post('/api/v1/appeals', { title: 't', content: 'c', category_id: sub.id }), 422, 'invalid_category', { field: 'category_id' });
	assert.ok(!(await c.enterprise.get('/api/v1/appeal-categories')).json.items[0].children.some((x) => x.id === sub.id));
	assert.ok((await c.enterprise.get('/api/v1/appeal-categories?all=1')).json.items[0].children.some((x) => x.id === sub.id));
	// time limits per category and urgency
	r = await c.dispatcher.get('/api/v1/appeal-deadlines');
	assert.deepEqual(r.json.items.filter((x) => !x.category).map((x) => [x.urgency, x.accept_days, x.contact_days, x.interim_days, x.close_days]),
		[['normal', 1, 1, 3, 7], ['urgent', 1, 1, 2, 5]]);
	assertError(await c.dispatcher.put('/api/v1/appeal-deadlines', { category_id: c.cat['06'], urgency: 'normal', accept_days: 1, contact_days: 1, interim_days: 10, close_days: 5 }),
		422, 'out_of_range', { field: 'close_days' });
	r = await c.dispatcher.put('/api/v1/appeal-deadlines', { category_id: c.cat['06'], urgency: 'normal', accept_days: 1, contact_days: 2, interim_days: 5, close_days: 10 });
	assert.equal(r.status, 200, r.text);
	a = await file(c, { category_id: c.cat['0601'], topic: '项目审批时限测试' });
	r = await act(c.dispatcher, a, 'accept');
	assert.equal(r.json.deadlines.close_workdays, 10, 'the subcategory takes its parent\'s limit');
	r = await c.dispatcher.put('/api/v1/appeal-deadlines', { category_id: c.cat['06'], urgency: 'normal', remove: true });
	assert.ok(!r.json.items.some((x) => x.category && x.category.id === c.cat['06']));
	// the next filing takes every category's limit again, though the server keeps the limits in memory
	a = await file(c, { category_id: c.cat['0601'], topic: '项目审批时限恢复' });
	r = await act(c.dispatcher, a, 'accept');
	assert.equal(r.json.deadlines.close_workdays, 7, 'the removed limit no longer applies');
	assertError(await c.dispatcher.put('/api/v1/appeal-deadlines', { urgency: 'normal', remove: true }), 422, 'not_removable', { field: 'category_id' });
	// settings
	r = await c.handler.get('/api/v1/appeal-settings');
	assert.equal(r.json.values.yellow_days, 1);
	assert.equal(r.json.values.escalate_after_days, 3);
	assert.equal(r.json.values.rate_days, 5);
	assertError(await c.handler.patch('/api/v1/appeal-settings', { rate_days: 3 }), 403, 'permission_denied');
	assertError(await c.dispatcher.patch('/api/v1/appeal-settings', { rate_days: 0 }), 422, 'out_of_range', { field: 'rate_days' });
	assertError(await c.dispatcher.patch('/api/v1/appeal-settings', { nope: 1 }), 422, 'unknown_field', { field: 'nope' });
	r = await c.dispatcher.patch('/api/v1/appeal-settings', { rate_days: 6 });
	assert.equal(r.json.values.rate_days, 6);
	// read by everyone at once, though the server keeps the settings in memory
	assert.equal((await c.handler.get('/api/v1/appeal-settings')).json.values.rate_days, 6);
	await c.dispatcher.patch('/api/v1/appeal-settings', { rate_days: 5 });
	const audit = await c.auditadmin.get('/api/v1/audit?entity=appeal_settings');
	assert.ok(audit.json.items.length >= 2);
});

test('the demo city has appeals in every state, with timelines', async () => {
	const r = await c.leader.get('/api/v1/appeals?page_size=100&sort=old');
	const states = new Set(r.json.items.map((x) => x.state));
	for (const s of ['submitted', 'accepted', 'assigned', 'in_progress', 'returned', 'pending_approval',
		'replied', 'closed', 'rejected', 'withdrawn'])
		assert.ok(states.has(s), s);
	const first = (await get(c.leader, r.json.items[1])).json;
	assert.ok(first.timeline.length >= 3);
	// the demo enterprise user follows its own
	const own = await c.enterprise.get('/api/v1/appeals?page_size=100');
	assert.ok(own.json.items.length >= 5);
	assert.ok(own.json.items.every((x) => x.enterprise.id === c.ownEnterprise));
});
