// smoke.test.mjs: the binary starts, answers health, and a demo user logs in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';

test('health, login, me', async () => {
	const srv = await startServer();
	try {
		const h = await srv.fetch('/healthz');
		assert.equal(h.status, 200);
		assert.deepEqual(h.json, { status: 'ok', database: 'ok' });
		const s = await srv.login('leader');
		const me = await s.get('/api/v1/me');
		assert.equal(me.status, 200);
		assert.equal(me.json.user.username, 'leader');
		assert.ok(me.json.user.permissions.includes('enterprise.read'));
	} finally {
		const r = await srv.stop();
		assert.equal(r.code, 0, 'clean exit on SIGTERM');
	}
});
