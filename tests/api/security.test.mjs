// security.test.mjs: CSRF and Origin checks on mutations, Bearer tokens without CSRF, and the
// security headers on every kind of answer (API, errors, static files, health, metrics).
import { test, before, after } from 'node:test';
import net from 'node:net';
import assert from 'node:assert/strict';
import { startServer, request } from '../lib/server.mjs';
import { assertError, assertSecurityHeaders, rawHttp } from './helpers.mjs';

let srv, admin, orgCount;
before(async () => {
	srv = await startServer({ args: ['--login-rate', '500/60', '--body-max', '4096'] });
	admin = await srv.login('sysadmin');
	orgCount = (await admin.get('/api/v1/orgs')).json.total;
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

const CSRF_MESSAGE = '安全校验失败（缺少或错误的CSRF令牌），请刷新页面后重试';
const newOrg = (code) => ({ parent_id: admin.user.org.id, code, name: '测试科室', kind: 'department' });

async function assertNoOrg(code) {
	const r = await admin.get(`/api/v1/orgs?q=${code}`);
	assert.equal(r.json.total, 0, `org ${code} must not exist: ${r.text}`);
	assert.equal((await admin.get('/api/v1/orgs')).json.total, orgCount);
}

test('a cookie mutation without X-CSRF-Token is 403 csrf_failed and changes nothing', async () => {
	const r = await admin.post('/api/v1/orgs', newOrg('CSRF-1'), { csrf: false });
	assertError(r, 403, 'csrf_failed', { message: CSRF_MESSAGE });
	await assertNoOrg('CSRF-1');
	// PATCH and PUT and DELETE are mutations too.
	const orgId = (await admin.get('/api/v1/orgs?page_size=1')).json.items[0].id;
	assertError(await admin.patch(`/api/v1/orgs/${orgId}`, { name: '改名' }, { csrf: false }), 403, 'csrf_failed');
	assert.notEqual((await admin.get(`/api/v1/orgs/${orgId}`)).json.name, '改名');
	assertError(await admin.req('PUT', '/api/v1/calendar/2030', { body: 'date,kind,name\n', headers: { 'Content-Type': 'text/csv' }, csrf: false }), 403, 'csrf_failed');
	assertError(await admin.del('/api/v1/me/tokens/1', { csrf: false }), 403, 'csrf_failed');
	// Logout too: a cross-site page cannot log the user out.
	assertError(await admin.post('/api/v1/auth/logout', undefined, { csrf: false }), 403, 'csrf_failed');
	assert.equal((await admin.get('/api/v1/me')).status, 200);
});

test('a wrong CSRF token, or another session\'s token, is 403 csrf_failed', async () => {
	const other = await srv.login('sysadmin');
	for (const token of ['', 'x', admin.csrf.slice(0, -1) + (admin.csrf.endsWith('A') ? 'B' : 'A'), admin.csrf + 'A', other.csrf]) {
		const r = await admin.post('/api/v1/orgs', newOrg('CSRF-2'), { csrf: false, headers: { 'X-CSRF-Token': token } });
		assertError(r, 403, 'csrf_failed', { message: CSRF_MESSAGE });
	}
	await assertNoOrg('CSRF-2');
	// The right one passes (and reaches validation).
	const ok = await admin.post('/api/v1/orgs', { ...newOrg('CSRF-2'), kind: 'province' });
	assertError(ok, 422, 'invalid_kind', { field: 'kind' });
});

test('reads need no CSRF token', async () => {
	const r = await admin.get('/api/v1/orgs', { csrf: false });
	assert.equal(r.status, 200);
});

test('an Origin of another site is 403 origin_mismatch; our own Origin passes', async () => {
	const evil = await admin.post('/api/v1/orgs', newOrg('ORIGIN-1'), { headers: { Origin: 'https://evil.example' } });
	assertError(evil, 403, 'origin_mismatch', { message: '请求来源与本站不一致，已拒绝' });
	const host = new URL(srv.url).host;
	const lookalike = await admin.post('/api/v1/orgs', newOrg('ORIGIN-1'), { headers: { Origin: `http://${host}.evil.example` } });
	assertError(lookalike, 403, 'origin_mismatch');
	const nullOrigin = await admin.post('/api/v1/orgs', newOrg('ORIGIN-1'), { headers: { Origin: 'null' } });
	assertError(nullOrigin, 403, 'origin_mismatch');
	await assertNoOrg('ORIGIN-1');
	// Public mutations (login) check the Origin as well: no login CSRF from another site.
	const loginEvil = await request(srv.url, '/api/v1/auth/login', {
		method: 'POST', json: { username: 'leader', password: 'Demo@2026' }, headers: { Origin: 'https://evil.example' } });
	assertError(loginEvil, 403, 'origin_mismatch');
	assert.equal(loginEvil.headers.get('set-cookie'), null);
	// Same origin is fine.
	const same = await admin.post('/api/v1/orgs', newOrg('ORIGIN-1'), { headers: { Origin: `http://${host}` } });
	assert.equal(same.status, 201, same.text);
});

test('Bearer tokens need no CSRF token, but a cross-site Origin is still refused', async () => {
	const t = await admin.post('/api/v1/me/tokens', { name: 'sync' });
	assert.equal(t.status, 201);
	const h = { Authorization: `Bearer ${t.json.secret}` };
	const r = await request(srv.url, '/api/v1/orgs', { method: 'POST', json: newOrg('BEARER-1'), headers: h });
	assert.equal(r.status, 201, r.text);
	const evil = await request(srv.url, '/api/v1/orgs', { method: 'POST', json: newOrg('BEARER-2'), headers: { ...h, Origin: 'https://evil.example' } });
	assertError(evil, 403, 'origin_mismatch');
	assert.equal((await admin.get('/api/v1/orgs?q=BEARER-2')).json.total, 0);
});

test('security headers on API answers, errors, static files, /healthz and /metrics', async () => {
	const cases = [
		['API 200', await admin.get('/api/v1/me')],
		['API 201', await admin.post('/api/v1/orgs', newOrg('HDR-1'))],
		['API 204', await (await srv.login('leader')).post('/api/v1/auth/logout')],
		['login 401', await request(srv.url, '/api/v1/auth/login', { method: 'POST', json: { username: 'x', password: 'y' } })],
		['API 401', await srv.fetch('/api/v1/me')],
		['API 403', await admin.get('/api/v1/enterprises')],
		['API 404', await srv.fetch('/api/v1/nothing-here')],
		['API 405', await srv.fetch('/api/v1/me', { method: 'DELETE' })],
		['API 413', await admin.post('/api/v1/orgs', { name: 'x'.repeat(5000) })],
		['API 415', await admin.req('POST', '/api/v1/orgs', { body: 'x', headers: { 'Content-Type': 'text/plain' } })],
		['API 422', await admin.post('/api/v1/orgs', {})],
		['public', await srv.fetch('/api/v1/calendar/deadline?from=2026-03-02&days=1')],
		['healthz', await srv.fetch('/healthz')],
		['metrics', await srv.fetch('/metrics')],
		['static index', await srv.fetch('/')],
		['static route', await srv.fetch('/users')],
		['static asset', await srv.fetch('/favicon.svg')],
		['static 404', await srv.fetch('/assets/missing-file.js')],
	];
	const ids = new Set();
	for (const [what, r] of cases) {
		assertSecurityHeaders(r.headers, what);
		ids.add(r.headers.get('x-request-id'));
	}
	assert.equal(ids.size, cases.length, 'X-Request-Id is unique per request');
	// A JSON answer is never a page: its policy refuses everything, and the headers only a page
	// reads stay off it; the console's pages keep them.
	for (const [what, r] of cases) {
		const json = (r.headers.get('content-type') || '').startsWith('application/json');
		const csp = r.headers.get('content-security-policy');
		if (json) {
			assert.equal(csp, "default-src 'none'; frame-ancestors 'none'", what);
			assert.equal(r.headers.get('permissions-policy'), null, what);
		} else {
			assert.match(csp, /^default-src 'self'; script-src 'self';/, what);
			assert.equal(r.headers.get('cross-origin-opener-policy'), 'same-origin', what);
			assert.match(r.headers.get('permissions-policy') || '', /camera=\(\)/, what);
		}
	}
	assert.ok(cases.some(([, r]) => (r.headers.get('content-type') || '').startsWith('text/html')), 'a page among them');
	// The early 413 (Content-Length announced, body never read) has them too.
	const early = await rawHttp(srv.url, 'POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
		'Content-Length: 99999999\r\nConnection: close\r\n\r\n');
	assert.equal(early.status, 413);
	assertSecurityHeaders(early.headers, 'early 413');
});

test('API answers are Cache-Control: no-store, errors included; the console shell is no-cache', async () => {
	for (const r of [await admin.get('/api/v1/me'), await srv.fetch('/api/v1/me'), await srv.fetch('/api/v1/calendar/2026'),
		await admin.post('/api/v1/orgs', {}), await srv.fetch('/healthz')])
		assert.equal(r.headers.get('cache-control'), 'no-store', r.text);
	assert.equal((await srv.fetch('/')).headers.get('cache-control'), 'no-cache');
});

test('the X-Request-Id of a response names the request in the access log', async () => {
	const r = await admin.get('/api/v1/orgs/tree');
	const rid = r.headers.get('x-request-id');
	await new Promise((res) => setTimeout(res, 100));
	const line = srv.log().split('\n').find((l) => l.includes(`rid=${rid}`));
	assert.ok(line, `access line for ${rid}`);
	assert.match(line, /method=GET path="\/api\/v1\/orgs\/tree" route="\/api\/v1\/orgs\/tree" status=200/);
	assert.doesNotMatch(srv.log(), new RegExp(admin.cookie.split('=')[1]), 'the session token never reaches the log');
});

/* Requests one after another on one keep-alive connection (so on one of the server's threads),
 * each answer read whole (by its Content-Length) before the next is sent. */
function oneConnection(url, requests) {
	return new Promise((resolve, reject) => {
		const u = new URL(url);
		const c = net.connect(Number(u.port), u.hostname);
		const answers = [];
		let buf = Buffer.alloc(0);
		const next = () => {
			if (answers.length === requests.length) return c.end(), resolve(answers);
			c.write(requests[answers.length]);
		};
		c.on('data', (d) => {
			buf = Buffer.concat([buf, d]);
			for (;;) {
				const end = buf.indexOf('\r\n\r\n');
				if (end < 0) return;
				const head = buf.subarray(0, end).toString('latin1').split('\r\n');
				const headers = {};
				for (const l of head.slice(1)) {
					const i = l.indexOf(':');
					(headers[l.slice(0, i).toLowerCase()] ??= []).push(l.slice(i + 1).trim());
				}
				const len = Number((headers['content-length'] || ['0'])[0]);
				if (buf.length < end + 4 + len) return;
				answers.push({ status: Number(head[0].split(' ')[1]), headers, body: buf.subarray(end + 4, end + 4 + len).toString() });
				buf = buf.subarray(end + 4 + len);
				next();
			}
		});
		c.on('error', reject);
		next();
	});
}

test('an answer carries only its own headers: nothing of the answer before it on the same thread', async () => {
	// A thread keeps the request it freed last for its next one (server.c): what the login set
	// (its session cookie) and what the 405 set (Allow) must not reach the answers after them.
	const body = JSON.stringify({ username: 'leader', password: 'Demo@2026' });
	const host = new URL(srv.url).host;
	const [login, notAllowed, health, missing] = await oneConnection(srv.url, [
		`POST /api/v1/auth/login HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
		`DELETE /api/v1/calendar/deadline HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\n\r\n`,
		`GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
		`GET /api/v1/nothing-here HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
	]);
	assert.equal(login.status, 200, login.body);
	assert.equal(login.headers['set-cookie'].length, 1);
	assert.equal(notAllowed.status, 405, notAllowed.body);
	assert.equal(notAllowed.headers.allow.length, 1);
	assert.equal(notAllowed.headers['set-cookie'], undefined, 'no session cookie on the next answer');
	for (const r of [health, missing]) {
		assert.equal(r.headers['set-cookie'], undefined);
		assert.equal(r.headers.allow, undefined);
		assert.equal(r.headers['content-length'].length, 1);
		assert.equal(r.headers['x-request-id'].length, 1);
	}
	assert.equal(JSON.parse(health.body).status, 'ok');
	assert.equal(JSON.parse(missing.body).error.code, 'no_such_endpoint');
	const ids = [login, notAllowed, health, missing].map((r) => r.headers['x-request-id'][0]);
	assert.equal(new Set(ids).size, 4);
});
