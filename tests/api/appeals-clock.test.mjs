// appeals-clock.test.mjs: the working-day clock of appeals under the injected clock: deadlines
// across the 2026 Spring Festival and National Day with their 调休 days (each counted by hand
// from data/holidays.csv), pause and resume, the one extension with a leader's approval, and the
// clock job: provisional deadlines recomputed once a year's calendar is loaded, "due soon",
// late, escalation after N working days to the responsible leader, 未评价 after the rating
// period, suspensions that reach their limit, overdue supervision notes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError } from './helpers.mjs';
import { appealServer, cast, relogin, file, act, dispatch, assertRefused, eventually, localTime } from './appeals-helpers.mjs';

let srv, c;
before(async () => {
	srv = await appealServer();
	c = await cast(srv);
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

const get = async (s, a) => (await s.get(`/api/v1/appeals/${a.id}`)).json;
const setClock = (day, hour = 9) => srv.clock({ now: localTime(day, hour) });

test('the 2026 Spring Festival: 02-14 (Sat) worked, 02-15..02-23 off, 02-28 (Sat) worked', async () => {
	await setClock('2026-02-13', 9); // Friday
	const a = await file(c, { topic: '春节前的诉求' });
	assert.equal(a.deadlines.accept, '2026-02-14', 'one working day: the adjusted Saturday');
	const r = await act(c.handler, a, 'accept');
	assert.deepEqual(
		[r.json.deadlines.contact, r.json.deadlines.interim, r.json.deadlines.close, r.json.deadlines.provisional],
		['2026-02-14', '2026-02-25', '2026-03-02', false],
		'1: 02-14; 3: 02-14, 02-24, 02-25; 7: then 02-26, 02-27, 02-28 (Sat, worked), 03-02');
	const u = await file(c, { topic: '春节前的紧急诉求', urgency: 'urgent' });
	const ru = await act(c.handler, u, 'accept');
	assert.equal(ru.json.deadlines.close, '2026-02-27', 'urgent: 5 working days');
	assert.equal(ru.json.deadlines.interim, '2026-02-24', 'urgent: 2 working days');
	// on the last day before the holiday the "yellow" line is the adjusted Saturday
	assert.equal(ru.json.colour, 'green');
	await setClock('2026-02-14', 10);
	assert.equal((await get(c.handler, u)).colour, 'green');
	await setClock('2026-02-26', 10);
	const y = await get(c.handler, u);
	assert.equal(y.colour, 'yellow', 'due tomorrow (Fri 02-27)');
	assert.equal(y.workdays_left, 1);
	// the queue by colour: each appeal in its own, in deadline order
	const ids = async (colour) => (await c.handler.get(`/api/v1/appeals?colour=${colour}&page_size=100`)).json.items.map((x) => x.id);
	assert.ok((await ids('yellow')).includes(u.id) && !(await ids('yellow')).includes(a.id));
	assert.ok((await ids('green')).includes(a.id) && !(await ids('green')).includes(u.id));
	assert.ok(!(await ids('red')).includes(u.id));
	await setClock('2026-03-02', 10);
	const red = await get(c.handler, u);
	assert.equal(red.colour, 'red');
	assert.ok((await ids('red')).includes(u.id));
	const dues = (await c.dispatcher.get('/api/v1/appeals?colour=red&page_size=100')).json.items.map((x) => x.due_date);
	assert.deepEqual(dues, [...dues].sort());
	assert.equal(red.workdays_left, -2, 'Sat 02-28 worked, Mon 03-02');
});

test('2026 National Day: 09-20 (Sun) worked, 09-25..09-27 and 10-01..10-07 off, 10-10 (Sat) worked', async () => {
	await setClock('2026-09-23', 10); // Wednesday
	const a = await file(c, { topic: '国庆前的诉求' });
	assert.equal(a.deadlines.accept, '2026-09-24');
	const r = await act(c.handler, a, 'accept');
	assert.deepEqual([r.json.deadlines.contact, r.json.deadlines.interim, r.json.deadlines.close],
		['2026-09-24', '2026-09-29', '2026-10-10'],
		'1: 09-24; 3: 09-24, 09-28, 09-29; 7: then 09-30, 10-08, 10-09, 10-10 (Sat, worked)');
	await setClock('2026-09-30', 15);
	const b = await file(c, { topic: '节前最后一天的诉求' });
	assert.equal(b.deadlines.accept, '2026-10-08', 'the whole week of National Day skipped');
	await setClock('2026-09-19', 9); // Saturday before the adjusted Sunday
	const s = await file(c, { topic: '周六提交的诉求' });
	assert.equal(s.deadlines.accept, '2026-09-20', 'Sun 09-20 is worked');
});

test('pause and resume: the suspended working days move every deadline; the colour says paused', async () => {
	await setClock('2026-02-13', 9);
	const a = await file(c, { topic: '挂起测试' });
	await dispatch(c, a);
	await act(c.handler, a, 'start');
	assertError(await c.handler.post(`/api/v1/appeals/${a.id}/suspend`, {}), 422, 'required', { field: 'reason' });
	assertError(await c.handler.post(`/api/v1/appeals/${a.id}/suspend`, { reason: '等待企业补充材料', days: 11 }),
		422, 'out_of_range', { field: 'days' });
	let r = await act(c.handler, a, 'suspend', { reason: '等待企业补充营业执照和审计报告', days: 5 });
	assert.equal(r.json.state, 'suspended');
	assert.equal(r.json.colour, 'paused');
	assert.deepEqual(r.json.suspension, { since: '2026-02-13', until: '2026-02-27', reason: '等待企业补充营业执照和审计报告' });
	assert.equal(r.json.deadlines.close, '2026-03-02');
	// the enterprise is told what is missing; suspended appeals are in its "work"
	const view = await get(c.enterprise, a);
	assert.equal(view.timeline.at(-1).message, '等待企业补充营业执照和审计报告');
	assert.deepEqual(view.allowed_actions.sort(), ['supplement', 'withdraw']);
	// resumed after the holiday: 02-14, 02-24 and 02-25 were paused
	await setClock('2026-02-25', 11);
	r = await act(c.handler, a, 'resume');
	assert.equal(r.json.state, 'in_progress');
	assert.equal(r.json.paused_workdays, 3);
	assert.deepEqual([r.json.deadlines.interim, r.json.deadlines.close], ['2026-02-28', '2026-03-05']);
	assert.equal(r.json.timeline.at(-1).detail.paused_workdays, 3);
	// the enterprise's supplement resumes it too
	await act(c.handler, a, 'suspend', { reason: '请企业提供用地红线图' });
	await setClock('2026-02-27', 9);
	r = await act(c.enterprise, a, 'supplement', { message: '红线图已上传' });
	assert.equal(r.json.state, 'in_progress');
	assert.equal(r.json.paused_workdays, 5, '3 before, then 02-26 and 02-27');
	assert.equal(r.json.deadlines.close, '2026-03-09');
});

test('one extension, with a leader\'s approval: the close deadline becomes 15 or 30 working days', async () => {
	await setClock('2026-09-23', 10);
	const a = await file(c, { topic: '延期测试' });
	await dispatch(c, a);
	assertRefused(await c.handler.post(`/api/v1/appeals/${a.id}/request_extension`, { days: 15, reason: 'x' }),
		'wrong_state', ['assign', 'return', 'start']);
	await act(c.handler, a, 'start');
	assertError(await c.handler.post(`/api/v1/appeals/${a.id}/request_extension`, { reason: '涉及多部门' }), 422, 'required', { field: 'days' });
	assertError(await c.handler.post(`/api/v1/appeals/${a.id}/request_extension`, { days: 20, reason: '涉及多部门' }), 422, 'invalid_choice', { field: 'days' });
	const before = (await c.leader.get('/api/v1/notifications')).json.unread;
	let r = await act(c.handler, a, 'request_extension', { days: 15, reason: '涉及财政、发改两部门联合审核' });
	assert.equal(r.json.extension.pending, true);
	assert.equal(r.json.deadlines.close, '2026-10-10', 'unchanged until approved');
	assert.ok((await c.leader.get('/api/v1/notifications')).json.unread > before);
	assertRefused(await c.handler.post(`/api/v1/appeals/${a.id}/request_extension`, { days: 30, reason: 'again' }), 'not_allowed_now');
	// only a leader approves: the supervisor has no such permission
	assertError(await c.supervisor.post(`/api/v1/appeals/${a.id}/approve_extension`, {}), 403, 'permission_denied');
	const w = (await c.leader.get('/api/v1/appeals/work')).json;
	assert.ok(w.items.some((x) => x.id === a.id && x.reasons.includes('approve')));
	r = await act(c.leader, a, 'approve_extension', { note: '同意' });
	assert.deepEqual(r.json.extension, { granted: true, pending: false, days: 15, reason: '涉及财政、发改两部门联合审核' });
	assert.equal(r.json.deadlines.close_workdays, 15);
	assert.equal(r.json.deadlines.close, '2026-10-21', '15 working days from 09-23, across National Day');
	// the enterprise is told the new deadline
	const view = await get(c.enterprise, a);
	assert.match(view.timeline.at(-1).message, /2026-10-21/);
	assert.equal(view.extension.reason, null, 'the internal reason stays internal');
	// once only
	assertRefused(await c.handler.post(`/api/v1/appeals/${a.id}/request_extension`, { days: 30, reason: '再延' }), 'not_allowed_now');
	// a refused request is not the one extension
	const b = await file(c, { topic: '延期被拒测试' });
	await dispatch(c, b);
	await act(c.handler, b, 'start');
	await act(c.handler, b, 'request_extension', { days: 30, reason: '需要更多时间' });
	assertError(await c.leader.post(`/api/v1/appeals/${b.id}/deny_extension`, {}), 422, 'required', { field: 'reason' });
	r = await act(c.leader, b, 'deny_extension', { reason: '7个工作日内应能办结' });
	assert.deepEqual([r.json.extension.granted, r.json.extension.pending], [false, false]);
	await act(c.handler, b, 'request_extension', { days: 15, reason: '确需延期' });
});

test('the clock job under the injected clock: provisional deadlines, due soon, late, escalation, 未评价, suspensions, supervision', async () => {
	// 2036 has no announced calendar yet: Monday to Friday, marked provisional
	await setClock('2036-03-03', 9); // Monday
	await relogin(c);
	const a = await file(c, { topic: '逾期升级测试' });
	assert.equal(a.deadlines.provisional, true);
	await dispatch(c, a);
	let r = await act(c.handler, a, 'start');
	assert.equal(r.json.deadlines.close, '2036-03-12');
	// the year is announced (a holiday on Wed 03-05): the job recomputes
	const put = await c.sysadmin.req('PUT', '/api/v1/calendar/2036', {
		body: 'date,kind,name\n2036-03-05,holiday,测试假日\n', headers: { 'Content-Type': 'text/csv' } });
	assert.equal(put.status, 200, put.text);
	await srv.clock({ advance_s: 120 });
	r = await eventually(async () => {
		const x = await get(c.handler, a);
		return x.deadlines.provisional === false && x;
	}, 'the recomputation');
	assert.deepEqual([r.deadlines.contact, r.deadlines.interim, r.deadlines.close], ['2036-03-04', '2036-03-07', '2036-03-13']);

	// due soon: the day before (the yellow line is one working day)
	await setClock('2036-03-12', 9);
	await relogin(c);
	assert.equal((await get(c.handler, a)).colour, 'yellow');
	await eventually(async () => (await c.handler.get('/api/v1/notifications?unread=1')).json.items
		.some((n) => n.kind === 'due_soon' && n.entity_id === a.id), 'the due-soon notice');
	// late by one working day: marked and told, not yet escalated
	await setClock('2036-03-14', 9);
	await relogin(c);
	await eventually(async () => (await get(c.handler, a)).late, 'the late mark');
	r = await get(c.handler, a);
	assert.equal(r.colour, 'red');
	assert.equal(r.escalation, null);
	assert.ok((await c.handler.get('/api/v1/notifications')).json.items.some((n) => n.kind === 'late' && n.entity_id === a.id));
	assert.ok(r.timeline.some((e) => e.action === 'late' && !e.public));
	// late by three working days (Fri 03-14, Mon 03-17, Tue 03-18): escalated to the leader
	await setClock('2036-03-17', 9);
	await relogin(c);
	await new Promise((res) => setTimeout(res, 2500));
	assert.equal((await get(c.handler, a)).escalation, null, 'two working days late is not enough');
	await setClock('2036-03-18', 9);
	await relogin(c);
	r = await eventually(async () => {
		const x = await get(c.leader, a);
		return x.escalation && x;
	}, 'the escalation');
	assert.equal(r.escalation.level, 1);
	assert.equal(r.escalation.to.id, c.leader.user.id);
	const esc = r.timeline.find((e) => e.action === 'escalate');
	assert.equal(esc.actor.name, '系统');
	assert.match(esc.message, /逾期超过3个工作日/);
	assert.ok((await c.leader.get('/api/v1/notifications')).json.items.some((n) => n.kind === 'escalated' && n.entity_id === a.id));
	assert.ok((await c.leader.get('/api/v1/appeals/work')).json.items.some((x) => x.id === a.id));
	// once per deadline: another run does not escalate again
	await srv.clock({ advance_s: 120 });
	await new Promise((res) => setTimeout(res, 2500));
	assert.equal((await get(c.leader, a)).escalation.level, 1);

	// answered late: closed on time is false; then nobody rates it within 5 working days
	r = await act(c.handler, a, 'reply', { outcome: 'solved', message: '已办结' });
	assert.equal(r.json.on_time, false);
	assert.equal(r.json.deadlines.rate, '2036-03-25');
	// meanwhile: a suspension that reaches its limit, a supervision note left unanswered
	const s = await file(c, { topic: '挂起期满测试' });
	await dispatch(c, s);
	await act(c.handler, s, 'start');
	r = await act(c.handler, s, 'suspend', { reason: '等企业回复', days: 2 });
	assert.equal(r.json.suspension.until, '2036-03-20');
	const v = await file(c, { topic: '督办逾期测试' });
	await dispatch(c, v);
	await act(c.supervisor, v, 'supervise', { note: '请明日答复', due_date: '2036-03-19' });

	await setClock('2036-03-26', 9);
	await relogin(c);
	r = await eventually(async () => {
		const x = await get(c.handler, a);
		return x.state === 'closed' && x;
	}, 'the closing as 未评价');
	assert.equal(r.rating, 'unrated');
	assert.equal(r.rating_name, '未评价');
	assert.equal(r.timeline.at(-1).actor.name, '系统');
	r = await eventually(async () => {
		const x = await get(c.handler, s);
		return x.state === 'in_progress' && x;
	}, 'the automatic resumption');
	assert.equal(r.paused_workdays, 6, '03-19, 03-20, 03-21, 03-24, 03-25, 03-26');
	assert.match(r.timeline.at(-1).message, /挂起期满/);
	await eventually(async () => (await c.supervisor.get('/api/v1/notifications')).json.items
		.some((n) => n.kind === 'supervised' && n.entity_id === v.id), 'the supervision reminder');
	assert.ok((await get(c.handler, v)).supervisions[0].late);
	// 未评价 counts neither way: closed, not rated
	const st = (await c.handler.get('/api/v1/stats/appeals?from=2036-03&to=2036-03')).json.total;
	assert.equal(st.closed, 1);
	assert.equal(st.rated, 0);
	assert.equal(st.unrated, 1);
	assert.equal(st.closed_on_time, 0);
	assert.equal(st.rates.satisfaction_rate, null);
	assert.equal(st.escalated, 1);
	assert.ok(st.late >= 1);
});
