// shutdown.test.mjs: SIGTERM (and SIGINT) let the requests in flight finish, refuse new
// connections, and exit 0; the log says so in its own structured lines.
import { test } from 'node:test';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { login } from './helpers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const connectRefused = (u) => new Promise((resolve) => {
	const sock = connect(Number(u.port), u.hostname);
	sock.on('connect', () => { sock.destroy(); resolve(false); });
	sock.on('error', () => resolve(true));
});

test('a login in flight when SIGTERM arrives still gets its 200, and the process exits 0', async () => {
	// One hash at a time: five logins take several Argon2id rounds, so they are surely in flight.
	const srv = await startServer({ args: ['--pwhash-concurrency', '1'] });
	const t0 = Date.now();
	const pending = ['leader', 'supervisor', 'cadre', 'handler', 'statistician'].map((u) => login(srv, u));
	await sleep(50);
	srv.proc.kill('SIGTERM');
	const answers = await Promise.all(pending);
	for (const r of answers) {
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers.get('set-cookie'), /^tj_session=[\w-]{43};/);
		assert.ok(r.json.csrf_token);
	}
	const exit = await srv.stop();
	assert.deepEqual(exit, { code: 0, signal: null });
	assert.ok(Date.now() - t0 < 10000, 'no waiting for the grace period to run out');
});

test('after SIGTERM new connections are refused while the last request finishes', async () => {
	const srv = await startServer({ args: ['--pwhash-concurrency', '1'], keep: true });
	try {
		const pending = ['leader', 'supervisor', 'cadre', 'handler', 'statistician'].map((u) => login(srv, u));
		await sleep(50);
		srv.proc.kill('SIGTERM');
		let answered = 0;
		for (const p of pending) p.then(() => answered++);
		// A new TCP connection (not one kept alive from before, which fetch could reuse and the
		// server still serves) is refused once the signal is handled: within 2 s, while the
		// logins are still waiting their turn at the hash.
		let refused = false;
		for (let i = 0; i < 200 && !refused; i++) {
			refused = await connectRefused(new URL(srv.url));
			if (!refused) await sleep(10);
		}
		assert.ok(refused, 'new connections refused after SIGTERM');
		assert.ok(answered < pending.length, 'refused while logins were still in flight');
		for (const r of await Promise.all(pending)) assert.equal(r.status, 200);
		assert.equal((await srv.stop()).code, 0);
		// (the last lines may still be on their way through the pipe)
		let log = srv.log();
		for (let i = 0; i < 50 && !/stopped cleanly/.test(log); i++) {
			await sleep(20);
			log = srv.log();
		}
		assert.match(log, /received SIGTERM: finishing requests in flight/);
		assert.match(log, /stopped cleanly/);
		assert.doesNotMatch(log, /still in flight/);
		// Every line is ours, structured; the only warning is the test clock's.
		for (const line of log.split('\n').filter(Boolean)) {
			assert.match(line, /^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=(info|warn|error|access) /, line);
			if (/level=(warn|error)/.test(line)) assert.match(line, /--test-clock is on/, line);
		}
	} finally {
		await srv.stop();
		rmSync(srv.dir, { recursive: true, force: true });
	}
});

test('SIGINT stops it cleanly too', async () => {
	const srv = await startServer({ demo: false });
	assert.equal((await srv.fetch('/healthz')).status, 200);
	assert.deepEqual(await srv.stop('SIGINT'), { code: 0, signal: null });
});
