// fault.test.mjs: against the fault build (make VARIANT=fault: ASan + UBSan, -DTIEJIAN_FAULT),
// replay each request of fault-cases.mjs failing its 1st, 2nd, ... Nth allocation, then its 1st,
// 2nd, ... Nth database call, until it runs without the fault firing. Every attempt must end in a
// clean answer: a success, or a status >= 400 with the one JSON error body and a Chinese message;
// the server never crashes, never reports a sanitizer error or a leak (checked when it stops),
// never logs a transaction left open; afterwards the database is whole (integrity_check, the audit
// chain, the appeal counters against a recount).
//
// FAULT_SWEEP=full (make test-reliability) tries every N of every case; the default (make test)
// runs the rows marked short, every N up to 24 and then a sample, so it stays within minutes.
// FAULT_ONLY=NAME replays one case; FAULT_FROM=NAME goes on from one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, BIN } from '../lib/server.mjs';
import { auditVerify, countersMatch, integrityCheck, LONG, people, SERVER_ARGS, uniqueText, uscc } from './lib.mjs';
import { FAULT_CASES } from './fault-cases.mjs';

const FULL = (process.env.FAULT_SWEEP || (LONG ? 'full' : 'short')) === 'full';
const skip = /\/fault\/tiejian$/.test(BIN) ? false : 'needs the fault build: make VARIANT=fault, TIEJIAN_BIN=build/fault/tiejian (make test-fault)';

/* The Ns tried: all of them in the full sweep; else 1..24, then about 24 more spread out. */
function* attempts() {
	let n = 1;
	for (;;) {
		yield n;
		n += FULL || n < 24 ? 1 : Math.max(1, Math.floor(n / 8));
	}
}

function assertClean(r, what, c) {
	if (r.status < 400) return;
	if (c.health && r.status === 503 && r.json && r.json.status === 'unavailable') return;
	assert.ok(r.json && r.json.error && typeof r.json.error.code === 'string', `${what}: ${r.status} without the JSON error body: ${r.text}`);
	assert.match(r.json.error.message || '', /[\u4e00-\u9fff]/, `${what}: the message is for a person: ${r.text}`);
	assert.ok(r.json.error.code !== 'out_of_memory' || r.status === 500, `${what}: out_of_memory with ${r.status}`);
	assert.ok(![502, 504].includes(r.status), `${what}: ${r.status}`);
}

test(`fault injection (${FULL ? 'every N' : 'a subset'}): every failed allocation and database call ends in a clean answer`, { skip, timeout: 4 * 3600 * 1000 }, async () => {
	const srv = await startServer({ args: SERVER_ARGS });
	const tally = { requests: 0, fired: 0, errors: 0, byStatus: {} };
	try {
		const p = await people(srv);
		const cats = (await p.enterprise.get('/api/v1/appeal-categories')).json.items;
		const ent = (await p.statistician.get('/api/v1/enterprises?region_code=230202&page_size=1')).json.items[0];
		let serial = Date.now() % 100000;
		const base = { p, cityId: p.sysadmin.user.org.id, countyId: p.handler.user.org.id, category: cats[0].children[0].id,
			enterprise: ent.id, uniq: () => uniqueText(10), uscc: () => uscc(10000000 + Math.floor(Math.random() * 89999999), '230203') };
		const only = process.env.FAULT_ONLY; /* a name, to replay one case */
		const from = FAULT_CASES.findIndex((c) => c.name === process.env.FAULT_FROM); /* or to go on from one */
		const cases = FAULT_CASES.filter((c, i) => (only ? c.name === only : (FULL || c.short) && i >= from));
		const report = [], unclean = [];
		for (const c of cases) {
			for (const kind of ['alloc', 'db']) {
				let last = 0;
				for (const n of attempts()) {
					const ctx = { ...base, n: serial++ };
					if (c.setup) Object.assign(ctx, await c.setup(ctx));
					const path = typeof c.path === 'function' ? c.path(ctx) : c.path;
					const body = typeof c.body === 'function' ? c.body(ctx) : c.body;
					const headers = { 'X-Tiejian-Fault': `${kind}=${n}` };
					const opts = { headers };
					if (body && body.raw !== undefined) {
						opts.body = body.raw;
						headers['Content-Type'] = body.type;
					} else if (body !== undefined) {
						opts.json = body;
					}
					const session = c.as ? p[c.as] : srv.anon();
					const r = await session.req(c.method, path, opts);
					const what = `${c.name} with ${kind} ${n} failing`;
					assert.equal(srv.exited(), null, `${what}: the server died`);
					try {
						assertClean(r, what, c);
					} catch (e) {
						/* go on: the whole sweep says everything it finds */
						if (unclean.length < 50) unclean.push(e.message.split('\n')[0]);
					}
					tally.requests++;
					tally.byStatus[r.status] = (tally.byStatus[r.status] || 0) + 1;
					const fired = r.headers.get('x-tiejian-fault');
					assert.ok(fired === 'fired' || fired === 'not-fired', `${what}: no X-Tiejian-Fault answer`);
					if (fired === 'not-fired') {
						assert.ok(r.status < 400 || ['password change refused', 'appeal refused action'].includes(c.name),
							`${c.name} without a fault: ${r.status} ${r.text}`);
						break;
					}
					tally.fired++;
					if (r.status >= 400) tally.errors++;
					last = n;
				}
				report.push(`${c.name}/${kind}: ${last}`);
			}
		}
		console.log(`fault: ${cases.length} cases, ${tally.requests} requests, ${tally.fired} with a fault fired ` +
			`(${tally.errors} answered an error), statuses ${JSON.stringify(tally.byStatus)}`);
		console.log(`fault: calls per case: ${report.join(', ')}`);
		assert.deepEqual(unclean, [], 'every answer a success or the error body');
		const log = srv.log();
		assert.doesNotMatch(log, /left a transaction open/, 'a handler left a transaction open');
		assert.doesNotMatch(log, /cannot register/, 'memory left without an owner');
		await countersMatch(p.leader, 'after the faults');
		integrityCheck(srv.db);
		await auditVerify(srv.db);
	} finally {
		// stopping runs LeakSanitizer; a report in the log fails the test (tests/lib/server.mjs)
		assert.equal((await srv.stop()).code, 0);
	}
});
