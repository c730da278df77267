// auth.test.mjs: login, the session cookie, logout, a new token at each login, the forced password
// change, the password policy, and API tokens (Bearer).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, Session } from '../lib/server.mjs';
import { assertError, login, DEMO_PASSWORD } from './helpers.mjs';

let srv;
before(async () => {
	srv = await startServer({ args: ['--login-rate', '500/60'] });
});
after(async () => {
	const r = await srv.stop();
	assert.equal(r.code, 0, 'clean exit');
});

function cookieParts(setCookie) {
	const [pair, ...attrs] = setCookie.split(';').map((s) => s.trim());
	const eq = pair.indexOf('=');
	return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs };
}

test('login answers the user object, a CSRF token and a hardened session cookie', async () => {
	const r = await login(srv, 'leader');
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(Object.keys(r.json).sort(), ['csrf_token', 'user']);
	const u = r.json.user;
	assert.deepEqual(Object.keys(u).sort(), ['display_name', 'enterprise', 'id', 'last_login_at',
		'must_change_password', 'org', 'permissions', 'roles', 'username'].sort());
	assert.equal(u.username, 'leader');
	assert.equal(u.display_name, '赵振兴');
	assert.deepEqual(u.org, { id: u.org.id, code: '230200', name: '齐齐哈尔市工业和信息化局', kind: 'city', region_code: '230200' });
	assert.equal(u.enterprise, null);
	assert.deepEqual(u.roles, [{ code: 'leader', name: '领导', scope: 'subtree' }]);
	for (const p of ['org.read', 'user.read', 'enterprise.read']) assert.ok(u.permissions.includes(p), p);
	for (const p of ['org.write', 'user.write', 'role.write', 'audit.read', 'calendar.write'])
		assert.ok(!u.permissions.includes(p), `a leader holds no administrator permission: ${p}`);
	assert.equal(u.must_change_password, false);
	assert.match(u.last_login_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
	assert.match(r.json.csrf_token, /^[A-Za-z0-9_-]{43}$/);

	const c = cookieParts(r.headers.get('set-cookie'));
	assert.equal(c.name, 'tj_session');
	assert.match(c.value, /^[A-Za-z0-9_-]{43}$/, '256-bit token, base64url');
	assert.notEqual(c.value, r.json.csrf_token);
	assert.ok(c.attrs.includes('HttpOnly'), c.attrs.join('; '));
	assert.ok(c.attrs.includes('SameSite=Strict'), c.attrs.join('; '));
	assert.ok(c.attrs.includes('Path=/'), c.attrs.join('; '));
	assert.ok(!c.attrs.some((a) => /^secure$/i.test(a)), 'no Secure without --tls');
	assert.ok(!c.attrs.some((a) => /^(domain|expires|max-age)=/i.test(a)), 'a host-only session cookie');

	// The cookie is the session: /me answers the same user and the same CSRF token.
	const me = await request(srv.url, '/api/v1/me', { headers: { Cookie: `tj_session=${c.value}` } });
	assert.equal(me.status, 200);
	assert.equal(me.json.user.id, u.id);
	assert.equal(me.json.csrf_token, r.json.csrf_token);
});

test('a wrong password and an unknown user get the same 401 answer, and no cookie', async () => {
	const wrong = await login(srv, 'leader', 'Wrong@2026');
	assertError(wrong, 401, 'invalid_credentials', { message: '用户名或密码错误' });
	assert.equal(wrong.headers.get('set-cookie'), null);
	const unknown = await login(srv, 'no-such-user', 'Wrong@2026');
	assertError(unknown, 401, 'invalid_credentials', { message: '用户名或密码错误' });
	assert.equal(unknown.headers.get('set-cookie'), null);
	assert.deepEqual(unknown.json, wrong.json);
	// The username is not case-folded into another account.
	assertError(await login(srv, 'LEADER'), 401, 'invalid_credentials');
});

test('login refuses missing fields by name', async () => {
	const r1 = await srv.fetch('/api/v1/auth/login', { method: 'POST', json: { password: 'x' } });
	assertError(r1, 422, 'required', { message: '用户名不能为空', field: 'username' });
	const r2 = await srv.fetch('/api/v1/auth/login', { method: 'POST', json: { username: 'leader', password: '' } });
	assertError(r2, 422, 'required', { message: '密码不能为空', field: 'password' });
	const r3 = await srv.fetch('/api/v1/auth/login', { method: 'POST', json: { username: 'leader', password: 12345678 } });
	assertError(r3, 422, 'wrong_type', { field: 'password' });
});

test('without a session every private route answers 401', async () => {
	assertError(await srv.fetch('/api/v1/me'), 401, 'unauthorized', { message: '请先登录' });
	assertError(await srv.fetch('/api/v1/orgs'), 401, 'unauthorized');
	const forged = await request(srv.url, '/api/v1/me', { headers: { Cookie: 'tj_session=' + 'A'.repeat(43) } });
	assertError(forged, 401, 'session_expired', { message: '登录已失效，请重新登录' });
});

test('logout ends the session on the server: the old cookie then answers 401', async () => {
	const s = await srv.login('supervisor');
	const saved = s.cookie;
	const out = await s.post('/api/v1/auth/logout');
	assert.equal(out.status, 204);
	const clear = cookieParts(out.headers.get('set-cookie'));
	assert.equal(clear.name, 'tj_session');
	assert.equal(clear.value, '');
	assert.ok(clear.attrs.includes('Max-Age=0'));
	// A client that ignores the clearing cookie and replays the old one is refused.
	const replay = await request(srv.url, '/api/v1/me', { headers: { Cookie: saved } });
	assertError(replay, 401, 'session_expired');
	const again = await request(srv.url, '/api/v1/auth/logout', {
		method: 'POST', headers: { Cookie: saved, 'X-CSRF-Token': s.csrf } });
	assertError(again, 401, 'session_expired');
});

test('logging in again with a session cookie issues a new token and kills the old one', async () => {
	const s = await srv.login('statistician');
	const oldCookie = s.cookie, oldCsrf = s.csrf;
	const r = await request(srv.url, '/api/v1/auth/login', {
		method: 'POST', json: { username: 'statistician', password: DEMO_PASSWORD }, headers: { Cookie: oldCookie } });
	assert.equal(r.status, 200);
	const newCookie = r.headers.get('set-cookie').split(';')[0];
	assert.notEqual(newCookie, oldCookie, 'a new token at every login (no session fixation)');
	assert.notEqual(r.json.csrf_token, oldCsrf, 'a new CSRF token too');
	assertError(await request(srv.url, '/api/v1/me', { headers: { Cookie: oldCookie } }), 401, 'session_expired');
	const me = await request(srv.url, '/api/v1/me', { headers: { Cookie: newCookie } });
	assert.equal(me.status, 200);
	assert.equal(me.json.user.username, 'statistician');
	// Two logins without a cookie are two independent sessions.
	const a = await srv.login('statistician'), b = await srv.login('statistician');
	assert.notEqual(a.cookie, b.cookie);
	assert.equal((await a.get('/api/v1/me')).status, 200);
	assert.equal((await b.get('/api/v1/me')).status, 200);
});

test('an account created by an admin must change its password before anything else', async () => {
	const admin = await srv.login('sysadmin');
	const created = await admin.post('/api/v1/users', { username: 'newcomer', display_name: '新同事', org_id: admin.user.org.id });
	assert.equal(created.status, 201, created.text);
	const initial = created.json.initial_password;
	assert.match(initial, /^.{16}$/);
	assert.equal(created.json.user.must_change_password, true);

	const s = new Session(srv.url);
	const r = await s.login('newcomer', initial);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.user.must_change_password, true);
	// /me and the password change itself are allowed; everything else is 403.
	const me = await s.get('/api/v1/me');
	assert.equal(me.status, 200);
	assert.equal(me.json.user.must_change_password, true);
	for (const [method, path] of [['GET', '/api/v1/me/tokens'], ['POST', '/api/v1/me/tokens'], ['GET', '/api/v1/orgs']]) {
		const x = await s.req(method, path, { json: method === 'POST' ? { name: 't' } : undefined });
		assertError(x, 403, 'password_change_required', { message: '首次登录或密码已被重置，请先修改密码' });
	}
	// The policy applies: 422 naming new_password, and nothing changes.
	const weak = await s.post('/api/v1/me/password', { old_password: initial, new_password: 'short1A' });
	assertError(weak, 422, 'weak_password', { message: '密码至少需要8个字符', field: 'new_password' });
	assert.equal((await s.get('/api/v1/me')).json.user.must_change_password, true);

	const ok = await s.post('/api/v1/me/password', { old_password: initial, new_password: 'Fresh#Start9' });
	assert.equal(ok.status, 204, ok.text);
	const me2 = await s.get('/api/v1/me');
	assert.equal(me2.json.user.must_change_password, false);
	assert.equal((await s.get('/api/v1/me/tokens')).status, 200, 'the session works on');
	// The old password is gone; the new one logs in without the flag.
	assertError(await login(srv, 'newcomer', initial), 401, 'invalid_credentials');
	const again = await login(srv, 'newcomer', 'Fresh#Start9');
	assert.equal(again.status, 200);
	assert.equal(again.json.user.must_change_password, false);
});

test('the password policy refuses weak passwords with field new_password', async () => {
	const s = await srv.login('cadre');
	const cases = [
		['Ab1@xyz', 'weak_password', '密码至少需要8个字符', 'new_password'],
		['abcdefgh1', 'weak_password', '密码需包含大写字母、小写字母、数字、符号中的至少3类', 'new_password'],
		['ABCDEFGH', 'weak_password', '密码需包含大写字母、小写字母、数字、符号中的至少3类', 'new_password'],
		['Xcadre@2026', 'weak_password', '密码不能包含用户名', 'new_password'],
		[DEMO_PASSWORD, 'same_password', '新密码不能与原密码相同', 'new_password'],
	];
	for (const [pw, code, message, field] of cases) {
		const r = await s.post('/api/v1/me/password', { old_password: DEMO_PASSWORD, new_password: pw });
		assertError(r, 422, code, { message, field });
	}
	const wrongOld = await s.post('/api/v1/me/password', { old_password: 'Nope@2026', new_password: 'Good#Pass77' });
	assertError(wrongOld, 422, 'wrong_password', { message: '原密码不正确', field: 'old_password' });
	const missing = await s.post('/api/v1/me/password', { old_password: DEMO_PASSWORD });
	assertError(missing, 422, 'required', { field: 'new_password' });
	const extra = await s.post('/api/v1/me/password', { old_password: DEMO_PASSWORD, new_password: 'Good#Pass77', force: true });
	assertError(extra, 422, 'unknown_field', { field: 'force' });
	// None of the refusals changed the password.
	assert.equal((await login(srv, 'cadre')).status, 200);
});

test('changing the password ends the other sessions of the user, not this one', async () => {
	const a = await srv.login('handler');
	const b = await srv.login('handler');
	// b's session has been read (and is kept by the server): the change must still end it
	assert.equal((await b.get('/api/v1/me')).status, 200);
	const r = await a.post('/api/v1/me/password', { old_password: DEMO_PASSWORD, new_password: 'Handle#2027x' });
	assert.equal(r.status, 204, r.text);
	assert.equal((await a.get('/api/v1/me')).status, 200);
	assertError(await b.get('/api/v1/me'), 401, 'session_expired');
	assertError(await login(srv, 'handler'), 401, 'invalid_credentials');
	assert.equal((await login(srv, 'handler', 'Handle#2027x')).status, 200);
});

test('API tokens: the secret is shown once, works as Bearer without CSRF, is scoped like the user, and dies when revoked', async () => {
	const owner = await srv.login('enterprise');
	const made = await owner.post('/api/v1/me/tokens', { name: '数据对接', expires_days: 30 });
	assert.equal(made.status, 201, made.text);
	const secret = made.json.secret;
	assert.match(secret, /^tj_[A-Za-z0-9_-]{43}$/);
	assert.equal(made.json.token.name, '数据对接');
	assert.equal(made.json.token.last_used_at, null);
	const days = (Date.parse(made.json.token.expires_at) - Date.parse(made.json.token.created_at)) / 86400e3;
	assert.equal(days, 30);
	// The list never shows the secret again.
	const list = await owner.get('/api/v1/me/tokens');
	assert.equal(list.status, 200);
	assert.equal(list.json.total, 1);
	assert.deepEqual(Object.keys(list.json.items[0]).sort(), ['created_at', 'expires_at', 'id', 'last_used_at', 'name']);
	assert.ok(!list.text.includes(secret.slice(3)));

	const bearer = (path, opts = {}) => request(srv.url, path, { ...opts, headers: { Authorization: `Bearer ${secret}`, ...(opts.headers || {}) } });
	const me = await bearer('/api/v1/me');
	assert.equal(me.status, 200);
	assert.equal(me.json.user.username, 'enterprise');
	// Scoped like the user: its own enterprise only, out-of-scope ids are 404.
	const ents = await bearer('/api/v1/enterprises');
	assert.equal(ents.json.total, 1);
	const own = ents.json.items[0].id;
	assertError(await bearer(`/api/v1/enterprises/${own + 1}`), 404, 'not_found');
	assertError(await bearer('/api/v1/orgs'), 403, 'permission_denied');
	// A mutation with no CSRF header works with a token.
	const record = ents.json.items[0];
	const patched = await bearer(`/api/v1/enterprises/${own}`, { method: 'PATCH', json: { version: record.version, employees: 321 } });
	assert.equal(patched.status, 200, patched.text);
	assert.equal(patched.json.employees, 321);
	// A token cannot make tokens or change the password.
	assertError(await bearer('/api/v1/me/tokens', { method: 'POST', json: { name: 'x' } }), 403, 'token_not_allowed');
	assertError(await bearer('/api/v1/me/password', { method: 'POST', json: { old_password: DEMO_PASSWORD, new_password: 'Other#2026x' } }), 403, 'token_not_allowed');
	// Another user cannot revoke it.
	const other = await srv.login('leader');
	assertError(await other.del(`/api/v1/me/tokens/${made.json.token.id}`), 404, 'not_found');
	assert.equal((await bearer('/api/v1/me')).status, 200);

	const rev = await owner.del(`/api/v1/me/tokens/${made.json.token.id}`);
	assert.equal(rev.status, 204);
	assertError(await bearer('/api/v1/me'), 401, 'invalid_token', { message: '访问令牌无效或已被吊销' });
	assertError(await owner.del(`/api/v1/me/tokens/${made.json.token.id}`), 404, 'not_found');
	assert.equal((await owner.get('/api/v1/me/tokens')).json.total, 0);
	// Garbage and unknown tokens are 401 as well.
	assertError(await request(srv.url, '/api/v1/me', { headers: { Authorization: 'Bearer short' } }), 401, 'invalid_token');
	assertError(await request(srv.url, '/api/v1/me', { headers: { Authorization: 'Bearer tj_' + 'x'.repeat(43) } }), 401, 'invalid_token');
});

test('an expired API token answers 401 token_expired', async () => {
	const s = await srv.login('supervisor');
	const made = await s.post('/api/v1/me/tokens', { name: '短期', expires_days: 1 });
	assert.equal(made.status, 201);
	const h = { Authorization: `Bearer ${made.json.secret}` };
	assert.equal((await request(srv.url, '/api/v1/me', { headers: h })).status, 200);
	await srv.clock({ advance_s: 86400 + 1 });
	try {
		assertError(await request(srv.url, '/api/v1/me', { headers: h }), 401, 'token_expired', { message: '访问令牌已过期' });
	} finally {
		await srv.clock({ advance_s: -(86400 + 1) });
	}
});

test('behind TLS the cookie is __Host- prefixed and Secure, and HSTS is sent', async () => {
	const tls = await startServer({ args: ['--tls'] });
	try {
		const r = await login(tls, 'leader');
		assert.equal(r.status, 200);
		const c = cookieParts(r.headers.get('set-cookie'));
		assert.equal(c.name, '__Host-tj_session');
		assert.ok(c.attrs.includes('Secure'), c.attrs.join('; '));
		assert.ok(c.attrs.includes('HttpOnly'));
		assert.ok(c.attrs.includes('SameSite=Strict'));
		assert.ok(c.attrs.includes('Path=/'));
		assert.ok(!c.attrs.some((a) => /^domain=/i.test(a)), '__Host- forbids Domain');
		assert.match(r.headers.get('strict-transport-security') || '', /max-age=\d{7,}/);
		const me = await request(tls.url, '/api/v1/me', { headers: { Cookie: `__Host-tj_session=${c.value}` } });
		assert.equal(me.status, 200);
		// The plain name is not read behind TLS.
		assertError(await request(tls.url, '/api/v1/me', { headers: { Cookie: `tj_session=${c.value}` } }), 401, 'unauthorized');
	} finally {
		assert.equal((await tls.stop()).code, 0);
	}
	const plain = await srv.fetch('/healthz');
	assert.equal(plain.headers.get('strict-transport-security'), null, 'no HSTS without --tls');
});
