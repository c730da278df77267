// appeals-counters.test.mjs: the statistics are read from counters kept in the same
// transaction as each change; after a random mix of every action by every role (and the clock
// job marking late, escalating and closing unrated appeals) they equal a full recount from the
// appeals themselves, for every scope key and every grouping, and a rebuild changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cliUser, onPostgres } from './helpers.mjs';
import { appealServer, cast, relogin, file, eventually, DAY } from './appeals-helpers.mjs';

let srv, c, ent2, countyLeader, jhHandler;
before(async () => {
	srv = await appealServer();
	c = await cast(srv);
	const jianhua = (await c.leader.get('/api/v1/enterprises?region_code=230203')).json.items[0];
	const e2 = await cliUser(srv, { username: 'jianhua.ent', role: 'enterprise', org: '230203', enterprise: jianhua.uscc });
	ent2 = e2.session;
	c.passwords['jianhua.ent'] = e2.password;
	const cl = await cliUser(srv, { username: 'longsha.lead', role: 'leader', org: '230202' });
	countyLeader = cl.session;
	c.passwords['longsha.lead'] = cl.password;
	const jh = await cliUser(srv, { username: 'jianhua.h', role: 'handler', org: '230203' });
	jhHandler = jh.session;
	c.passwords['jianhua.h'] = jh.password;
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

/* A small deterministic generator, so a failure can be replayed. */
let seed = 20261126;
const rnd = (n) => { /* mulberry32 */
	seed = (seed + 0x6d2b79f5) | 0;
	let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
	t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
	return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
};
const pick = (xs) => xs[rnd(xs.length)];

function clockRuns() {
	const q = "SELECT COUNT(*) FROM job_runs WHERE name = 'appeals_clock' AND ok = 1";
	const out = onPostgres ? execFileSync('psql', [srv.db, '-qAt', '-c', q]) : execFileSync('sqlite3', [srv.db, q]);
	return Number(out.toString().trim());
}

/* Move the clock on and wait for the clock job to have run at the new time. */
async function passTime(days) {
	const before = clockRuns();
	await srv.clock({ advance_s: days * DAY });
	await eventually(async () => clockRuns() > before, 'a run of the clock job');
	await relogin(c);
	ent2 = await srv.login('jianhua.ent', c.passwords['jianhua.ent']);
	countyLeader = await srv.login('longsha.lead', c.passwords['longsha.lead']);
	jhHandler = await srv.login('jianhua.h', c.passwords['jianhua.h']);
}

const WEIGHT = { accept: 6, assign: 6, start: 6, reply: 6, evaluate: 6, approve_close: 4, resume: 3,
	approve_extension: 3, answer_supervision: 2, contact: 2, return: 1, reopen: 1, deny_close: 1,
	deny_extension: 1, interim_reply: 1, co_opinion: 1, suspend: 1, supplement: 0.5, request_extension: 1,
	supervise: 0.5, escalate: 0.3, withdraw: 0.2, reject: 0.2 };

function bodyFor(action) {
	switch (action) {
	case 'assign': {
		const units = ['230202', '230203', '230200-02'];
		const lead = pick(units);
		const co = units.filter((u) => u !== lead && rnd(3) === 0);
		return { lead_org_id: c.org[lead], co_org_ids: co.map((u) => c.org[u]) };
	}
	case 'reject': case 'return': case 'withdraw': case 'deny_extension': case 'deny_close': case 'reopen':
		return { reason: '随机测试：' + action };
	case 'contact': return { via: pick(['phone', 'visit', 'online']) };
	case 'interim_reply': case 'supplement': case 'co_opinion': return { message: '随机测试：' + action };
	case 'reply': {
		const outcome = pick(['solved', 'solved', 'explained', 'not_yet']);
		return outcome === 'not_yet'
			? { outcome, message: '暂不具备条件', plan: '分步推进', follow_up_on: '2037-06-30' }
			: { outcome, message: '随机测试答复' };
	}
	case 'suspend': return { reason: '等待企业补充材料', days: 1 + rnd(3) };
	case 'request_extension': return { days: pick([15, 30]), reason: '随机测试延期' };
	case 'evaluate': {
		const rating = pick(['satisfied', 'basically_satisfied', 'unsatisfied']);
		return { rating, comment: '随机测试评价' };
	}
	case 'supervise': return { note: '随机测试督办' };
	case 'answer_supervision': return { answer: '随机测试督办答复' };
	case 'escalate': return { note: '随机测试升级' };
	default: return {};
	}
}

async function compare(label) {
	const people = { leader: c.leader, dispatcher: c.dispatcher, handler: c.handler, yunxing: c.yunxing,
		countyLeader, jhHandler, enterprise: c.enterprise, ent2, statistician: c.statistician,
		supervisor: c.supervisor };
	let checked = 0;
	for (const [who, s] of Object.entries(people))
		for (const g of ['', 'unit', 'region', 'category', 'month']) {
			const q = `/api/v1/stats/appeals?from=2020-01&to=2040-12${g ? '&group_by=' + g : ''}`;
			const kept = await s.get(q);
			const counted = await s.get(q + '&source=recount');
			assert.equal(kept.status, 200, kept.text);
			assert.equal(kept.json.source, 'counters', `${who}: read from the counters`);
			assert.equal(counted.json.source, 'recount');
			assert.deepEqual(kept.json.total, counted.json.total, `${label}: ${who} total (${g || 'none'})`);
			assert.deepEqual(kept.json.items, counted.json.items, `${label}: ${who} by ${g || 'none'}`);
			checked++;
		}
	return checked;
}

test('after a random mix of every action by every role, the counters equal a recount for every scope', async (ctx) => {
	const appeals = [];
	const actors = () => [c.enterprise, ent2, c.dispatcher, c.handler, jhHandler, c.yunxing, c.supervisor, c.leader];
	const done = {};
	for (let step = 0; step < 260; step++) {
		if (appeals.length < 6 || rnd(7) === 0) {
			const by = pick([c.enterprise, ent2, c.enterprise]);
			appeals.push((await file(c, { topic: '随机组合', category_id: pick([c.cat['0101'], c.cat['0301'], c.cat['0602'], c.cat['0901']]),
				urgency: pick(['normal', 'normal', 'urgent']) }, by)).id);
			continue;
		}
		if (step % 60 === 59)
			await passTime(1 + rnd(6));
		const id = pick(appeals);
		// who can do what now, from the API itself
		const options = [];
		let state = null;
		for (const s of actors()) {
			const r = await s.get(`/api/v1/appeals/${id}`);
			if (r.status === 200) {
				state = r.json.state;
				for (const a of r.json.allowed_actions)
					options.push([s, a]);
			}
		}
		if (!options.length)
			continue;
		// the actions that move an appeal along are likelier than the side-steps
		const actions = [...new Set(options.map((o) => o[1]))];
		const weight = (a) => (a === 'assign' && state === 'assigned' ? 0.3 : WEIGHT[a] || 1);
		const total = actions.reduce((n, a) => n + weight(a), 0);
		let x = (rnd(100000) / 100000) * total, action = actions[0];
		for (const a of actions) {
			x -= weight(a);
			if (x <= 0) { action = a; break; }
		}
		const [s] = pick(options.filter((o) => o[1] === action));
		const r = await s.post(`/api/v1/appeals/${id}/${action}`, bodyFor(action));
		assert.equal(r.status, 200, `${s.user.username} ${action} on ${id}: ${r.text}`);
		done[action] = (done[action] || 0) + 1;
		if (['rejected', 'withdrawn'].includes(r.json.state))
			appeals.splice(appeals.indexOf(id), 1);
	}
	await passTime(8); // late, escalated, unrated
	ctx.diagnostic('actions taken: ' + JSON.stringify(done));
	// the mix covered the lifecycle
	for (const a of ['accept', 'assign', 'start', 'reply', 'evaluate'])
		assert.ok(done[a] > 0, `${a} happened: ${JSON.stringify(done)}`);
	const checked = await compare('after the mix');
	// the scope keys (the queue's access path) follow the appeals: each key says whether its
	// appeal is open, and every appeal has its keys
	const q = (sql) => Number((onPostgres ? execFileSync('psql', [srv.db, '-qAt', '-c', sql])
		: execFileSync('sqlite3', [srv.db, sql])).toString().trim());
	assert.equal(q('SELECT COUNT(*) FROM appeal_keys k JOIN appeals a ON a.id = k.appeal_id WHERE k.open <> a.is_open'), 0);
	assert.equal(q('SELECT COUNT(*) FROM appeals a WHERE NOT EXISTS (SELECT 1 FROM appeal_keys k WHERE k.appeal_id = a.id AND k.kind = 3)'), 0);
	assert.equal(checked, 10 * 5);
	const t = (await c.leader.get('/api/v1/stats/appeals?from=2020-01&to=2040-12')).json.total;
	assert.ok(t.received >= appeals.length);
	assert.ok(t.closed + t.rejected + t.withdrawn + t.open === t.received, 'each appeal is final or open');
	// rebuilding from the appeals changes nothing
	const before = (await c.leader.get('/api/v1/stats/appeals?from=2020-01&to=2040-12&group_by=unit')).json;
	const rb = await c.leader.post('/api/v1/stats/appeals/rebuild', {});
	assert.equal(rb.status, 200, rb.text);
	assert.ok(rb.json.appeals >= appeals.length);
	assert.deepEqual((await c.leader.get('/api/v1/stats/appeals?from=2020-01&to=2040-12&group_by=unit')).json, before);
	await compare('after a rebuild');
});

test('the numbers: received, closed, solved, on time, rated, satisfied, reopened, returned and their rates', async () => {
	const s = (await c.leader.get('/api/v1/stats/appeals?from=2020-01&to=2040-12&group_by=month')).json;
	const t = s.total;
	for (const k of ['received', 'accepted', 'closed', 'solved', 'closed_on_time', 'rated', 'satisfied', 'reopened',
		'returned', 'returns', 'escalated', 'late', 'open', 'unrated', 'avg_workdays_to_close'])
		assert.ok(k in t, k);
	const rate = (n, d) => (d ? Math.round((n / d) * 10000) / 10000 : null);
	assert.equal(t.rates.close_rate, rate(t.closed, t.accepted));
	assert.equal(t.rates.solve_rate, rate(t.solved, t.closed));
	assert.equal(t.rates.on_time_rate, rate(t.closed_on_time, t.closed));
	assert.equal(t.rates.satisfaction_rate, rate(t.satisfied, t.rated));
	assert.equal(t.rates.reopen_rate, rate(t.reopened, t.replied));
	assert.ok(t.solved <= t.closed && t.satisfied <= t.rated && t.rated <= t.closed);
	assert.equal(t.unrated, t.closed - t.rated);
	// the months add up to the total
	const sum = (k) => s.items.reduce((n, x) => n + x[k], 0);
	for (const k of ['received', 'closed', 'satisfied', 'returns'])
		assert.equal(sum(k), t[k], k);
	assert.ok(s.items.every((x) => /^\d{4}-\d{2}$/.test(x.key)));
	// bad input
	const bad = await c.leader.get('/api/v1/stats/appeals?group_by=week');
	assert.equal(bad.status, 422);
	assert.equal(bad.json.error.field, 'group_by');
	assert.equal((await c.leader.get('/api/v1/stats/appeals?from=2026-13')).status, 422);
	assert.equal((await c.leader.get('/api/v1/stats/appeals?from=2026-06&to=2026-01')).status, 422);
});

test('filings at the same moment share a commit: each answered once durable, near-identical ones among them caught, the counters still a recount', async () => {
	const before = (await c.leader.get('/api/v1/stats/appeals?from=2020-01&to=2040-12')).json.total.received;
	// twenty-four different filings by two enterprises and the county desk, all at once
	const distinct = Array.from({ length: 24 }, (_, i) => file(c, { topic: '同时提交', urgency: i % 5 ? 'normal' : 'urgent' },
		[c.enterprise, ent2, c.enterprise][i % 3]));
	// six identical ones of one enterprise among them, without a reason: one is filed, the
	// others are warned of it
	const same = { title: '同一时刻重复提交的诉求（并发）', content: '同一时刻重复提交的诉求内容，用于检验并发时的重复提醒。', category_id: c.cat['0101'] };
	const twins = Array.from({ length: 6 }, () => c.enterprise.post('/api/v1/appeals', same));
	const filed = await Promise.all(distinct);
	const answers = await Promise.all(twins);
	const ids = filed.map((a) => a.id);
	const won = answers.filter((r) => r.status === 201);
	assert.equal(won.length, 1, answers.map((r) => r.status).join(','));
	for (const r of answers.filter((x) => x.status !== 201)) {
		assert.equal(r.status, 409, r.text);
		assert.equal(r.json.error.code, 'possible_duplicate');
		assert.ok(r.json.error.duplicates.some((d) => d.id === won[0].json.id), r.text);
	}
	ids.push(won[0].json.id);
	assert.equal(new Set(ids).size, ids.length);
	// each is there, with its filing on its timeline, once
	for (const id of ids) {
		const r = await c.leader.get(`/api/v1/appeals/${id}`);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.timeline.filter((e) => e.action === 'file').length, 1);
	}
	const after = (await c.leader.get('/api/v1/stats/appeals?from=2020-01&to=2040-12')).json.total.received;
	assert.equal(after - before, 25);
	await compare('after filings at the same moment');
});
