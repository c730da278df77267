// shared-state.test.mjs: two tiejian processes on one database share everything a user or a job
// needs: a session made on one works on the other (and a logout on one ends it on the other
// within 2 seconds), failed logins lock the account on both, the
// login rate limit counts attempts on both, and a once-per-period job runs once per period in
// all (claimed through the jobs table). Runs on SQLite (two processes on one file) and, under
// make api-pg, on PostgreSQL, where it is the point: several servers behind nginx.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, onPostgres, Session } from '../lib/server.mjs';
import { login } from './helpers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Successful runs of auth.purge, the job this test watches, by any server (other modules' jobs
 * run more often, so /metrics' total of all jobs cannot tell). */
async function purgeRuns(srv) {
	const q = "SELECT COUNT(*) FROM job_runs WHERE name = 'auth.purge' AND ok = 1";
	const out = onPostgres ? execFileSync('psql', [srv.db, '-qAt', '-c', q]) : execFileSync('sqlite3', [srv.db, q]);
	return Number(out.toString().trim());
}

async function until(fn, ms, what) {
	const end = Date.now() + ms;
	for (;;) {
		if (await fn()) return;
		if (Date.now() > end) throw new Error('timed out waiting for ' + what);
		await sleep(100);
	}
}

test('two servers on one database: sessions, lockout, rate limit and jobs are shared', async () => {
	// 8 attempts per address per minute, counted in the database for both servers
	const args = ['--login-rate', '8/60'];
	const a = await startServer({ args });
	let b;
	try {
		b = await startServer({ db: a.db, dir: a.dir, demo: false, args, keep: true });

		// a session made on A works on B, and a logout on B ends it there at once and on A
		// within 2 seconds (each process keeps a session's row as it keeps the roles, below)
		const s = await a.login('leader'); // attempt 1
		const onB = new Session(b.url);
		onB.cookie = s.cookie;
		onB.csrf = s.csrf;
		const me = await onB.get('/api/v1/me');
		assert.equal(me.status, 200, me.text);
		assert.equal(me.json.user.username, 'leader');
		assert.equal((await s.get('/api/v1/me')).status, 200, 'A has read the session');
		assert.equal((await onB.post('/api/v1/auth/logout', {})).status, 204);
		assert.equal((await onB.get('/api/v1/me')).status, 401, 'logged out at once on B');
		const t0 = Date.now();
		while ((await s.get('/api/v1/me')).status !== 401) {
			assert.ok(Date.now() - t0 < 2500, 'logged out on A within 2 seconds');
			await sleep(100);
		}

		// five wrong passwords spread over both servers lock the account on both
		for (let i = 0; i < 5; i++) { // attempts 2..6
			const r = await login(i % 2 ? b : a, 'cadre', 'Wrong@2026');
			assert.equal(r.status, i < 4 ? 401 : 423, r.text);
		}
		assert.equal((await login(b, 'cadre')).status, 423, 'locked on B too'); // 7
		assert.equal((await login(a, 'cadre')).status, 423, 'and on A'); // 8

		// the ninth attempt from this address within the minute is refused, whichever server
		const limited = await login(b, 'statistician');
		assert.equal(limited.status, 429, limited.text);
		assert.ok(Number(limited.headers.get('retry-after')) >= 1);

		// auth.purge runs every 600 s: at start-up once, then once per period, never twice
		await until(async () => (await purgeRuns(a)) >= 1, 10000, 'the first run');
		const rounds = 5;
		const base = Date.now();
		for (let k = 1; k <= rounds; k++) {
			const now = new Date(base + k * 601 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
			await Promise.all([a.clock({ now }), b.clock({ now })]);
			await until(async () => (await purgeRuns(a)) >= k + 1, 10000, `run ${k + 1}`);
			await sleep(1500); // both runners look every second: time for a second, wrong run
			assert.equal(await purgeRuns(a), k + 1, `period ${k} ran once`);
		}
		if (onPostgres) {
			const rows = execFileSync('psql', [a.db, '-qAt', '-F', ' ', '-c',
				"SELECT started_at, instance FROM job_runs WHERE name = 'auth.purge' ORDER BY started_at"])
				.toString().trim().split('\n').map((l) => l.split(' '));
			assert.equal(rows.length, rounds + 1, 'one job_runs row per period');
			for (let i = 1; i < rows.length; i++)
				assert.ok(Number(rows[i][0]) - Number(rows[i - 1][0]) >= 600,
					`runs ${i - 1} and ${i} are a period apart: ${rows[i - 1][0]}, ${rows[i][0]}`);
		}
	} finally {
		if (b) assert.equal((await b.stop()).code, 0);
		assert.equal((await a.stop()).code, 0);
	}
});

// Each process keeps a caller's roles for at most 2 seconds, and drops them at its own commits
// (docs/operations.md): a role given through A is in force on A at the next request, and on B
// within 2 seconds, both while the user's session stays the same.
test('a role changed through one server: in force there at once, on the other within 2 seconds', async () => {
	const a = await startServer();
	let b;
	try {
		b = await startServer({ db: a.db, dir: a.dir, demo: false, keep: true });
		const sec = await a.login('secadmin');
		const users = (await sec.get('/api/v1/users?page_size=100')).json.items;
		const uid = users.find((u) => u.username === 'statistician').id;
		const onA = await a.login('statistician');
		const onB = new Session(b.url);
		onB.cookie = onA.cookie;
		onB.csrf = onA.csrf;
		const perms = async (s) => {
			const r = await s.get('/api/v1/me');
			assert.equal(r.status, 200, r.text);
			return r.json.user.permissions;
		};
		// both servers have read the roles now (and keep them)
		assert.ok(!(await perms(onA)).includes('appeal.supervise'));
		assert.ok(!(await perms(onB)).includes('appeal.supervise'));

		const r = await sec.put(`/api/v1/users/${uid}/roles`, { roles: ['statistician', 'supervisor'] });
		assert.equal(r.status, 200, r.text);
		assert.ok((await perms(onA)).includes('appeal.supervise'), 'at once on the server that wrote it');
		const t0 = Date.now();
		while (!(await perms(onB)).includes('appeal.supervise')) {
			assert.ok(Date.now() - t0 < 2500, 'on the other server within 2 seconds');
			await sleep(100);
		}

		// taken away again through B: at once on B, within 2 seconds on A
		const back = await (await b.login('secadmin')).put(`/api/v1/users/${uid}/roles`, { roles: ['statistician'] });
		assert.equal(back.status, 200, back.text);
		assert.ok(!(await perms(onB)).includes('appeal.supervise'), 'at once on B');
		const t1 = Date.now();
		while ((await perms(onA)).includes('appeal.supervise')) {
			assert.ok(Date.now() - t1 < 2500, 'on A within 2 seconds');
			await sleep(100);
		}
	} finally {
		await b?.stop();
		await a.stop();
	}
});
