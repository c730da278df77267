// sessions.test.mjs: idle expiry (30 minutes) and absolute expiry (12 hours) of a session, through
// the server's test clock; the idle clock moves with activity; an expired session is gone for good;
// the clock itself cannot be moved without --test-clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, request, BIN } from '../lib/server.mjs';
import { assertError } from './helpers.mjs';

let srv;
before(async () => {
	srv = await startServer({ args: ['--login-rate', '500/60'] });
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

const IDLE = '由于长时间未操作，登录已超时，请重新登录';
const ABSOLUTE = '登录时间已超过上限，请重新登录';

test('a session idle for 31 minutes answers 401 session_expired; activity keeps it alive', async () => {
	const busy = await srv.login('leader');
	const idle = await srv.login('supervisor');
	await srv.clock({ advance_s: 29 * 60 });
	assert.equal((await busy.get('/api/v1/me')).status, 200, 'within 30 minutes');
	await srv.clock({ advance_s: 2 * 60 });
	// 31 minutes since the supervisor's last request, 2 since the leader's.
	assertError(await idle.get('/api/v1/me'), 401, 'session_expired', { message: IDLE });
	assert.equal((await busy.get('/api/v1/me')).status, 200);
	// Once expired it stays expired, even if the clock comes back (the row is gone).
	await srv.clock({ advance_s: -31 * 60 });
	assertError(await idle.get('/api/v1/me'), 401, 'session_expired', { message: '登录已失效，请重新登录' });
	await srv.clock({ advance_s: 31 * 60 });
	// A mutation with the dead cookie is 401 too (not a CSRF 403, not a success).
	assertError(await idle.post('/api/v1/auth/logout'), 401, 'session_expired');
	// Logging in again gives a working session.
	const again = await srv.login('supervisor');
	assert.equal((await again.get('/api/v1/me')).status, 200);
});

test('the idle limit is 30 minutes: just under is alive, just over is expired', async () => {
	// (real seconds pass between requests too, hence a few seconds of margin)
	const s = await srv.login('statistician');
	await srv.clock({ advance_s: 30 * 60 - 10 });
	assert.equal((await s.get('/api/v1/me')).status, 200);
	// That request moved last_seen: another 30 minutes less a little still passes.
	await srv.clock({ advance_s: 30 * 60 - 10 });
	assert.equal((await s.get('/api/v1/me')).status, 200);
	await srv.clock({ advance_s: 30 * 60 });
	assertError(await s.get('/api/v1/me'), 401, 'session_expired', { message: IDLE });
});

test('a session kept active every 20 minutes still ends 12 hours after login', async () => {
	const s = await srv.login('cadre');
	let minutes = 0;
	while (minutes + 20 < 12 * 60) {
		await srv.clock({ advance_s: 20 * 60 });
		minutes += 20;
		const r = await s.get('/api/v1/me');
		assert.equal(r.status, 200, `alive after ${minutes} minutes: ${r.text}`);
	}
	assert.equal(minutes, 11 * 60 + 40);
	await srv.clock({ advance_s: 20 * 60 });
	assertError(await s.get('/api/v1/me'), 401, 'session_expired', { message: ABSOLUTE });
	assertError(await s.get('/api/v1/me'), 401, 'session_expired', { message: '登录已失效，请重新登录' });
});

test('--session-idle and --session-max change the limits', async () => {
	const short = await startServer({ args: ['--session-idle', '120', '--session-max', '300'] });
	try {
		const a = await short.login('leader');
		await short.clock({ advance_s: 110 });
		assert.equal((await a.get('/api/v1/me')).status, 200);
		await short.clock({ advance_s: 120 });
		assertError(await a.get('/api/v1/me'), 401, 'session_expired', { message: IDLE });
		const b = await short.login('leader');
		for (let t = 100; t < 300; t += 100) {
			await short.clock({ advance_s: 100 });
			assert.equal((await b.get('/api/v1/me')).status, 200, `alive at ${t} s`);
		}
		await short.clock({ advance_s: 100 });
		assertError(await b.get('/api/v1/me'), 401, 'session_expired', { message: ABSOLUTE });
	} finally {
		assert.equal((await short.stop()).code, 0);
	}
});

test('without --test-clock the clock endpoint does not exist', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'tiejian-test-'));
	const proc = spawn(BIN, ['serve', '--db', join(dir, 't.db'), '--listen', '127.0.0.1:0', '--no-jobs'],
		{ stdio: ['ignore', 'pipe', 'ignore'] });
	try {
		const url = await new Promise((resolve, reject) => {
			let out = '';
			proc.stdout.on('data', (d) => {
				out += d;
				const m = out.match(/listening on (http:\/\/\S+)/);
				if (m) resolve(m[1]);
			});
			proc.on('exit', (code) => reject(new Error(`server exited ${code}`)));
		});
		const r = await request(url, '/api/v1/test/clock', { method: 'POST', json: { advance_s: 86400 } });
		assertError(r, 404, 'no_such_endpoint', { message: '没有这个接口' });
	} finally {
		const done = new Promise((r) => proc.on('exit', (code) => r(code)));
		proc.kill('SIGTERM');
		assert.equal(await done, 0);
		rmSync(dir, { recursive: true, force: true });
	}
});
