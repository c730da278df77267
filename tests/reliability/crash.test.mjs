// crash.test.mjs: 8 concurrent writers against a tiejian process, SIGKILL at a random moment,
// restart, and check: PRAGMA integrity_check (and foreign_key_check) ok, `tiejian audit verify`
// passes, every write answered 2xx is there, and nothing is half there (a change without its
// audit row, history or counters, or an audit row without its change). Appeals are the main
// write path (filed, accepted, assigned, started, answered, rated); enterprises (created, edited
// with their version), orgs, users and API tokens are the others.
//
// Rounds: CRASH_ROUNDS (make test: 4; make test-reliability: 50). On PostgreSQL with
// TIEJIAN_TEST_DB=postgres (scripts/pg-test.sh), where integrity_check has no equivalent to run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, onPostgres } from '../lib/server.mjs';
import { auditVerify, countersMatch, integrityCheck, num, people, SERVER_ARGS, sleep, uniqueText, uscc } from './lib.mjs';

const ROUNDS = num('CRASH_ROUNDS', 4, 50);
const WRITERS = 8;

/* One appeal's way, each step [who, action, body, state after]. */
const LIFE = (leadOrg) => [
	['handler', 'accept', {}, 'accepted'],
	['handler', 'assign', { lead_org_id: leadOrg }, 'assigned'],
	['handler', 'start', {}, 'in_progress'],
	['handler', 'reply', { outcome: 'solved', message: '已协调解决' }, 'replied'],
	['enterprise', 'evaluate', { rating: 'satisfied' }, 'closed'],
];

class Killed extends Error {}

/* A request that either answers 2xx (acknowledged), or fails because the server died. Any other
 * answer while the server lives is a failure of the test. */
async function ack(promise, what, round) {
	let r;
	try {
		r = await promise;
	} catch (e) {
		if (round.killed) throw new Killed();
		throw e;
	}
	if (r.status >= 200 && r.status < 300) return r;
	throw new Error(`${what}: ${r.status} ${r.text}`);
}

async function appealWriter(p, round, ctx) {
	for (;;) {
		const words = uniqueText(10);
		const a = { id: null, acked: null, pending: 'submitted', actions: [] };
		round.appeals.push(a);
		const r = await ack(p.enterprise.post('/api/v1/appeals', {
			title: `${words.slice(0, 8)}资金周转`, content: `${words}项目需要协调解决，请尽快办理。`,
			category_id: ctx.category }), 'file', round);
		a.id = r.json.id;
		a.acked = 'submitted';
		a.actions.push('file');
		for (const [who, action, body, next] of LIFE(ctx.leadOrg)) {
			a.pending = next;
			const x = await ack(p[who].post(`/api/v1/appeals/${a.id}/${action}`, body), action, round);
			assert.equal(x.json.state, next);
			a.acked = next;
			a.actions.push(action);
		}
		a.pending = null;
	}
}

async function registryWriter(p, round, ctx) {
	for (;;) {
		const e = { id: null, uscc: uscc(10000000 + Math.floor(Math.random() * 89999999), '230203'), version: 0, pending: 1 };
		round.enterprises.push(e);
		const body = { uscc: e.uscc, name: `${uniqueText(6)}机械有限公司`, region_code: '230203' };
		const first = await p.statistician.post('/api/v1/enterprises', body).catch(() => null);
		if (first && first.status === 409 && first.json.error.code === 'duplicate_uscc') {
			round.enterprises.pop(); /* a random code already taken: draw again */
			continue;
		}
		const r = await ack(first ? Promise.resolve(first) : Promise.reject(new Error('fetch failed')), 'create enterprise', round);
		e.id = r.json.id;
		e.version = r.json.version;
		for (let k = 0; k < 3; k++) {
			e.pending = e.version + 1;
			const x = await ack(p.statistician.patch(`/api/v1/enterprises/${e.id}`,
				{ version: e.version, employees: 10 + k, address: `${uniqueText(4)}路${k}号` }), 'edit enterprise', round);
			e.version = x.json.version;
		}
		e.pending = null;
	}
}

async function adminWriter(p, round, ctx) {
	for (;;) {
		const n = ctx.serial++;
		const o = { kind: 'org', code: `CR${ctx.base}-${n}`, id: null };
		round.others.push(o);
		let r = await ack(p.sysadmin.post('/api/v1/orgs', { parent_id: ctx.cityId, code: o.code,
			name: `崩溃测试科${n}`, kind: 'department' }), 'create org', round);
		o.id = r.json.id;
		const u = { kind: 'user', username: `crash${ctx.base}u${n}`, id: null };
		round.others.push(u);
		r = await ack(p.sysadmin.post('/api/v1/users', { username: u.username, display_name: `测试${n}`, org_id: o.id }),
			'create user', round);
		u.id = r.json.user.id;
		const t = { kind: 'token', name: `crash-${ctx.base}-${n}`, id: null };
		round.others.push(t);
		r = await ack(p.leader.post('/api/v1/me/tokens', { name: t.name, expires_days: 30 }), 'create token', round);
		t.id = r.json.token.id;
	}
}

/* After the restart: every acknowledged write is there, in a state it was in or moving to. */
async function verifyRound(p, round) {
	for (const a of round.appeals) {
		if (a.id === null) continue; /* the filing was in flight: may or may not be there */
		const r = await p.leader.get(`/api/v1/appeals/${a.id}`);
		assert.equal(r.status, 200, `acknowledged appeal ${a.id} lost: ${r.text}`);
		const ok = [a.acked, a.pending].filter(Boolean);
		assert.ok(ok.includes(r.json.state), `appeal ${a.id}: state ${r.json.state}, acknowledged ${a.acked}`);
		const done = r.json.timeline.map((e) => e.action);
		for (const act of a.actions) assert.ok(done.includes(act), `appeal ${a.id}: ${act} lost from the timeline`);
		// the change and its audit rows: one per timeline step, no more, no less
		const audit = await p.auditadmin.get(`/api/v1/audit?entity=appeal&entity_id=${a.id}&page_size=100`);
		assert.equal(audit.status, 200, audit.text);
		const audited = audit.json.items.map((x) => x.action).sort();
		const steps = done.map((x) => (x === 'file' ? 'create' : x)).sort();
		assert.deepEqual(audited, steps, `appeal ${a.id}: audit rows and timeline differ`);
	}
	for (const e of round.enterprises) {
		if (e.id === null) continue;
		const r = await p.statistician.get(`/api/v1/enterprises/${e.id}`);
		assert.equal(r.status, 200, `acknowledged enterprise ${e.id} lost`);
		assert.equal(r.json.uscc, e.uscc);
		assert.ok(r.json.version === e.version || r.json.version === e.pending,
			`enterprise ${e.id}: version ${r.json.version}, acknowledged ${e.version}`);
		const h = await p.statistician.get(`/api/v1/enterprises/${e.id}/history?page_size=100`);
		assert.equal(Math.max(...h.json.items.map((x) => x.version)), r.json.version,
			`enterprise ${e.id}: history and record disagree`);
		const audit = await p.auditadmin.get(`/api/v1/audit?entity=enterprise&entity_id=${e.id}&page_size=100`);
		assert.equal(audit.json.total, r.json.version, `enterprise ${e.id}: one audit row per version`);
	}
	for (const o of round.others) {
		if (o.id === null) continue;
		const path = { org: '/api/v1/orgs/', user: '/api/v1/users/' }[o.kind];
		if (path) {
			const r = await p.sysadmin.get(path + o.id);
			assert.equal(r.status, 200, `acknowledged ${o.kind} ${o.id} lost`);
			const audit = await p.auditadmin.get(`/api/v1/audit?entity=${o.kind}&entity_id=${o.id}&action=create`);
			assert.equal(audit.json.total, 1, `${o.kind} ${o.id}: its audit row`);
		} else {
			const r = await p.leader.get('/api/v1/me/tokens');
			assert.ok(r.json.items.some((x) => x.id === o.id), `acknowledged token ${o.id} lost`);
		}
	}
}

/* Whole-database checks: nothing half-written anywhere, not only in what this round acknowledged. */
async function verifyWhole(p) {
	await countersMatch(p.leader, 'city');
	await countersMatch(p.handler, 'county');
	await countersMatch(p.enterprise, 'enterprise');
	// every appeal has its filing in the audit log and the timeline (the newest ones: what a crash may have cut)
	const list = await p.leader.get('/api/v1/appeals?page_size=30&sort=new');
	assert.equal(list.status, 200, list.text);
	for (const a of list.json.items) {
		const d = await p.leader.get(`/api/v1/appeals/${a.id}`);
		assert.equal(d.json.timeline[0].action, 'file', `appeal ${a.id} without its filing`);
		assert.equal(d.json.timeline.at(-1).to_state ?? d.json.state, d.json.state, `appeal ${a.id}: timeline ends elsewhere`);
	}
}

test(`crash safety: ${ROUNDS} rounds of ${WRITERS} writers killed with SIGKILL${onPostgres ? ' (PostgreSQL)' : ''}`, { timeout: 60 * 60 * 1000 }, async () => {
	let srv = await startServer({ args: SERVER_ARGS, keep: true });
	const { db, dir } = srv;
	const p = await people(srv);
	const cats = (await p.enterprise.get('/api/v1/appeal-categories')).json.items;
	const ctx = { category: cats[0].children[0].id, leadOrg: p.handler.user.org.id, cityId: p.sysadmin.user.org.id,
		base: Date.now() % 100000, serial: 0 };
	const totals = { appeals: 0, actions: 0, enterprises: 0, others: 0 };
	try {
		for (let i = 0; i < ROUNDS; i++) {
			const round = { killed: false, appeals: [], enterprises: [], others: [] };
			const writers = [];
			for (let w = 0; w < WRITERS; w++) {
				const fn = w < 5 ? appealWriter : w < 7 ? registryWriter : adminWriter;
				writers.push(fn(p, round, ctx).catch((e) => (e instanceof Killed ? null : e)));
			}
			await sleep(300 + Math.floor(Math.random() * 2200));
			round.killed = true;
			await srv.kill('SIGKILL');
			const errors = (await Promise.all(writers)).filter(Boolean);
			assert.deepEqual(errors.map(String), [], 'writers saw only 2xx until the kill');
			// the files as the crash left them
			integrityCheck(db);
			await auditVerify(db);
			srv = await startServer({ db, dir, demo: false, args: SERVER_ARGS, keep: true });
			// the sessions live in the database: the same people carry on, at the new address
			for (const s of Object.values(p)) s.url = srv.url;
			await verifyRound(p, round);
			await verifyWhole(p);
			totals.appeals += round.appeals.filter((a) => a.id !== null).length;
			totals.actions += round.appeals.reduce((n, a) => n + a.actions.length, 0);
			totals.enterprises += round.enterprises.filter((e) => e.id !== null).length;
			totals.others += round.others.filter((o) => o.id !== null).length;
		}
		integrityCheck(db);
		const chain = await auditVerify(db);
		console.log(`crash: ${ROUNDS} rounds, acknowledged ${totals.appeals} appeals with ${totals.actions} steps, ` +
			`${totals.enterprises} enterprises, ${totals.others} orgs/users/tokens; audit chain ${chain.rows} rows intact`);
	} finally {
		await srv.stop();
		if (!onPostgres) rmSync(dir, { recursive: true, force: true });
	}
});
