// lockout.test.mjs: five wrong passwords lock an account for fifteen minutes (423, Retry-After),
// the system admin can unlock it, and the login rate limit per source address (429, Retry-After).
// Time moves through the server's test clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, login, DEMO_PASSWORD } from './helpers.mjs';

let srv;
before(async () => {
	srv = await startServer({ args: ['--login-rate', '500/60'] });
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

/* Real seconds pass between requests too: Retry-After counts down from the lock. */
function assertBetween(text, lo, hi) {
	assert.match(text || '', /^\d+$/);
	assert.ok(Number(text) >= lo && Number(text) <= hi, `Retry-After ${text} not in ${lo}..${hi}`);
}

const LOCKED_NOW = '密码连续错误5次，账号已被锁定15分钟';

test('five wrong passwords lock the account: 423 with Retry-After, even for the right password', async () => {
	for (let i = 1; i <= 4; i++)
		assertError(await login(srv, 'statistician', 'Wrong@2026'), 401, 'invalid_credentials');
	const fifth = await login(srv, 'statistician', 'Wrong@2026');
	assertError(fifth, 423, 'account_locked', { message: LOCKED_NOW });
	assert.equal(fifth.headers.get('retry-after'), '900');

	const right = await login(srv, 'statistician', DEMO_PASSWORD);
	assertError(right, 423, 'account_locked', { message: '账号因连续密码错误已被锁定，请15分钟后再试' });
	assertBetween(right.headers.get('retry-after'), 890, 900);
	assert.equal(right.headers.get('set-cookie'), null);

	await srv.clock({ advance_s: 14 * 60 });
	const later = await login(srv, 'statistician', DEMO_PASSWORD);
	assertError(later, 423, 'account_locked', { message: '账号因连续密码错误已被锁定，请1分钟后再试' });
	assertBetween(later.headers.get('retry-after'), 50, 60);

	await srv.clock({ advance_s: 60 });
	const ok = await login(srv, 'statistician', DEMO_PASSWORD);
	assert.equal(ok.status, 200, ok.text);
});

test('attempts during a lock do not count against the next fifteen minutes', async () => {
	for (let i = 1; i <= 5; i++) await login(srv, 'supervisor', 'Wrong@2026');
	// Knocking on a locked account checks no password: it must not eat the next round's tries.
	for (let i = 1; i <= 3; i++)
		assertError(await login(srv, 'supervisor', 'Wrong@2026'), 423, 'account_locked');
	await srv.clock({ advance_s: 15 * 60 });
	for (let i = 1; i <= 4; i++)
		assertError(await login(srv, 'supervisor', 'Wrong@2026'), 401, 'invalid_credentials',
			{ message: '用户名或密码错误' });
	assertError(await login(srv, 'supervisor', 'Wrong@2026'), 423, 'account_locked', { message: LOCKED_NOW });
	await srv.clock({ advance_s: 15 * 60 });
	assert.equal((await login(srv, 'supervisor')).status, 200);
});

test('a successful login resets the failure count', async () => {
	for (let i = 1; i <= 4; i++) await login(srv, 'cadre', 'Wrong@2026');
	assert.equal((await login(srv, 'cadre')).status, 200);
	for (let i = 1; i <= 4; i++)
		assertError(await login(srv, 'cadre', 'Wrong@2026'), 401, 'invalid_credentials');
	assert.equal((await login(srv, 'cadre')).status, 200);
});

test('the system admin unlocks a locked account at once; the user list shows the lock', async () => {
	for (let i = 1; i <= 5; i++) await login(srv, 'handler', 'Wrong@2026');
	assertError(await login(srv, 'handler'), 423, 'account_locked');
	const admin = await srv.login('sysadmin');
	const list = await admin.get('/api/v1/users?q=handler');
	const handler = list.json.items.find((u) => u.username === 'handler');
	assert.equal(handler.locked, true);
	// Only user.write may unlock: the security admin cannot.
	const sec = await srv.login('secadmin');
	assertError(await sec.post(`/api/v1/users/${handler.id}/unlock`), 403, 'permission_denied');
	assertError(await login(srv, 'handler'), 423, 'account_locked');

	const r = await admin.post(`/api/v1/users/${handler.id}/unlock`);
	assert.equal(r.status, 204, r.text);
	assert.equal((await admin.get(`/api/v1/users/${handler.id}`)).json.locked, false);
	assert.equal((await login(srv, 'handler')).status, 200);
	assertError(await admin.post('/api/v1/users/99999/unlock'), 404, 'not_found');
});

test('an unknown username never locks anything and answers 401 each time', async () => {
	for (let i = 1; i <= 7; i++)
		assertError(await login(srv, 'ghost-user', 'Wrong@2026'), 401, 'invalid_credentials');
});

test('--login-rate 3/60: the 4th attempt from an address is 429 with Retry-After, until the window passes', async () => {
	const limited = await startServer({ args: ['--login-rate', '3/60', '--trust-proxy'] });
	try {
		const from = (ip) => ({ 'X-Real-IP': ip });
		assert.equal((await login(limited, 'leader', DEMO_PASSWORD, from('10.0.0.1'))).status, 200);
		assertError(await login(limited, 'leader', 'Wrong@2026', from('10.0.0.1')), 401, 'invalid_credentials');
		assertError(await login(limited, 'no-one', 'Wrong@2026', from('10.0.0.1')), 401, 'invalid_credentials');
		const fourth = await login(limited, 'leader', DEMO_PASSWORD, from('10.0.0.1'));
		assertError(fourth, 429, 'rate_limited', { message: '登录尝试过于频繁，请稍后再试' });
		const ra = Number(fourth.headers.get('retry-after'));
		assert.ok(ra >= 1 && ra <= 60, `Retry-After ${ra}`);
		assert.equal(fourth.headers.get('set-cookie'), null);

		// Another address is not limited by the first one's attempts.
		assert.equal((await login(limited, 'leader', DEMO_PASSWORD, from('10.0.0.2'))).status, 200);

		await limited.clock({ advance_s: 30 });
		const still = await login(limited, 'leader', DEMO_PASSWORD, from('10.0.0.1'));
		assertError(still, 429, 'rate_limited');
		assert.ok(Number(still.headers.get('retry-after')) <= 30);

		await limited.clock({ advance_s: 31 });
		assert.equal((await login(limited, 'leader', DEMO_PASSWORD, from('10.0.0.1'))).status, 200);
	} finally {
		assert.equal((await limited.stop()).code, 0);
	}
});
