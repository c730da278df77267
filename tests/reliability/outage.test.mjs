// outage.test.mjs: PostgreSQL stopped under a running tiejian: every route that needs the
// database answers 503 database_unavailable (in Chinese), /healthz says "unavailable", what needs
// no database (the console's files) is still served; when PostgreSQL is back, the same process
// serves again by itself (the same sessions, reads and writes), and the audit chain verifies.
// tests/api/postgres.test.mjs covers connections cut by the server; this stops the server.
// Needs the cluster of scripts/pg-test.sh (TIEJIAN_PG_DIR), which it stops and starts again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, onPostgres } from '../lib/server.mjs';
import { assertError } from '../api/helpers.mjs';
import { auditVerify, countersMatch, people, SERVER_ARGS, sleep, uniqueText } from './lib.mjs';

const dir = process.env.TIEJIAN_PG_DIR;
const skip = !onPostgres || !dir ? 'needs the PostgreSQL cluster of scripts/pg-test.sh (make test-reliability)' : false;

/* pg_ctl of the test cluster, as its owner. */
function pgctl(args) {
	const owner = readFileSync(join(dir, 'owner'), 'utf8').trim();
	const bin = readFileSync(join(dir, 'bin'), 'utf8').trim();
	const cmd = [join(bin, 'pg_ctl'), `--pgdata=${join(dir, 'data')}`, ...args];
	const asOwner = process.getuid() === 0 ? ['runuser', '-u', owner, '--', ...cmd] : cmd;
	execFileSync(asOwner[0], asOwner.slice(1), { cwd: '/', stdio: ['ignore', 'ignore', 'pipe'] });
}

/* The options the cluster was started with (postmaster.opts), to start it the same way again. */
function startOptions() {
	const opts = readFileSync(join(dir, 'data', 'postmaster.opts'), 'utf8').trim();
	const args = [...opts.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
	const out = [];
	for (let i = 0; i < args.length; i++) {
		if (args[i] === '-D') { i++; continue; }
		out.push(args[i]);
	}
	return out.join(' ');
}

test('PostgreSQL stopped: 503 where the database is needed, /healthz says so, back by itself', { skip, timeout: 180000 }, async () => {
	const srv = await startServer({ args: SERVER_ARGS });
	const options = startOptions();
	let stopped = false;
	try {
		const p = await people(srv, ['enterprise', 'leader', 'sysadmin', 'auditadmin']);
		const cat = (await p.enterprise.get('/api/v1/appeal-categories')).json.items[0].children[0].id;
		assert.equal((await srv.fetch('/healthz')).status, 200);

		pgctl(['--mode=fast', '--wait', 'stop']);
		stopped = true;
		const h = await srv.fetch('/healthz');
		assert.equal(h.status, 503, h.text);
		assert.deepEqual(h.json, { status: 'unavailable', database: 'unavailable' });
		const MSG = '数据库暂时不可用，请稍后再试';
		const started = Date.now();
		for (const [s, method, path, body] of [
			[p.leader, 'GET', '/api/v1/appeals', null],
			[p.leader, 'GET', '/api/v1/me', null],
			[p.enterprise, 'POST', '/api/v1/appeals', { title: '停库测试', content: '数据库停止时提交', category_id: cat }],
			[p.sysadmin, 'GET', '/api/v1/orgs/tree', null],
			[srv.anon(), 'POST', '/api/v1/auth/login', { username: 'leader', password: 'Demo@2026' }],
			[srv.anon(), 'GET', '/api/v1/calendar/deadline?from=2026-03-02&days=3', null],
		]) {
			const r = await s.req(method, path, body ? { json: body } : {});
			assertError(r, 503, 'database_unavailable', { message: MSG });
		}
		assert.ok(Date.now() - started < 30000, 'refused quickly, not after long timeouts');
		// what needs no database is still served
		assert.equal((await srv.fetch('/')).status, 200);

		pgctl(['--wait', '--timeout=60', '-o', options, 'start']);
		stopped = false;
		// the same process, by itself: health, the same sessions, reads and writes
		let ok = false;
		for (let i = 0; i < 100 && !ok; i++) {
			ok = (await srv.fetch('/healthz')).status === 200;
			if (!ok) await sleep(100);
		}
		assert.ok(ok, '/healthz is 200 again');
		assert.equal((await p.leader.get('/api/v1/me')).status, 200);
		const w = uniqueText(10);
		const filed = await p.enterprise.post('/api/v1/appeals', { title: `${w.slice(0, 8)}恢复测试`, content: `${w}，数据库恢复后提交。`, category_id: cat });
		assert.equal(filed.status, 201, filed.text);
		assert.equal((await srv.anon().login('leader', 'Demo@2026')).status, 200);
		await countersMatch(p.leader, 'after the outage');
		assert.match(srv.log(), /database connection failed|reconnecting/);
		await auditVerify(srv.db);
	} finally {
		if (stopped) pgctl(['--wait', '--timeout=60', '-o', options, 'start']);
		assert.equal((await srv.stop()).code, 0);
	}
});
