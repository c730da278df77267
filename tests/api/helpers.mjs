// helpers.mjs: assertions and small tools shared by the API tests (not a test file itself).
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { run, DEMO_PASSWORD, onPostgres } from '../lib/server.mjs';

export { DEMO_PASSWORD, onPostgres };

/* Only on SQLite: these tests open the database file with the sqlite3 command-line shell. */
export const sqliteOnly = onPostgres ? 'opens the SQLite file directly' : false;

/* The one error body of DESIGN.md: {"error":{"code","message","field?"}}, and the status. */
export function assertError(r, status, code, { message, field, match } = {}) {
	assert.equal(r.status, status, `want ${status} ${code}, got ${r.status}: ${r.text}`);
	assert.ok(r.json && typeof r.json === 'object', `JSON error body expected: ${r.text}`);
	assert.deepEqual(Object.keys(r.json), ['error'], r.text);
	const e = r.json.error;
	for (const k of Object.keys(e))
		assert.ok(['code', 'message', 'field'].includes(k), `unexpected member ${k} in ${r.text}`);
	assert.equal(e.code, code, r.text);
	assert.equal(typeof e.message, 'string');
	assert.match(e.message, /[\u4e00-\u9fff]/, `the message is for a person, in Chinese: ${e.message}`);
	if (message !== undefined) assert.equal(e.message, message);
	if (match !== undefined) assert.match(e.message, match);
	if (field === undefined) assert.equal(e.field, undefined, `no field expected: ${r.text}`);
	else assert.equal(e.field, field, r.text);
	assert.match(r.headers.get('content-type') || '', /^application\/json/);
	return e;
}

/* POST a login without keeping anything. */
export function login(srv, username, password = DEMO_PASSWORD, headers = {}) {
	return srv.fetch('/api/v1/auth/login', { method: 'POST', json: { username, password }, headers });
}

/* Send bytes on a fresh socket and collect the whole answer (the server closes, or we do after ms). */
export function rawHttp(url, data, ms = 2000) {
	return new Promise((resolve, reject) => {
		const u = new URL(url);
		const c = net.connect(Number(u.port), u.hostname);
		const chunks = [];
		const timer = setTimeout(() => c.end(), ms);
		c.on('data', (d) => chunks.push(d));
		c.on('close', () => {
			clearTimeout(timer);
			const text = Buffer.concat(chunks).toString('utf8');
			const [head, ...rest] = text.split('\r\n\r\n');
			const lines = head.split('\r\n');
			const status = Number((lines[0] || '').split(' ')[1]);
			const headers = {};
			for (const l of lines.slice(1)) {
				const i = l.indexOf(':');
				if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
			}
			resolve({ status, headers, body: rest.join('\r\n\r\n'), text });
		});
		c.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		c.write(data);
	});
}

/* A statement through the sqlite3 shell; resolves its output, throws with stderr on failure.
 * It waits up to 10 s for a running server's write lock, as the server's connections do: the
 * shell's default of not waiting failed a test once ("database is locked") when its insert met
 * one of the server's commits. */
export function sqlite(db, sql) {
	return execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, sql], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/* The audit admin's view: every row matching the query (newest first). */
export async function auditRows(session, query = '') {
	const r = await session.get('/api/v1/audit?page_size=100' + (query ? '&' + query : ''));
	assert.equal(r.status, 200, r.text);
	return r.json;
}

/*
 * A user made from the command line (tiejian user add) on the server's database, logged in, and
 * past the forced password change: a session ready for use. Returns { session, password }.
 */
export async function cliUser(srv, { username, role, org, enterprise }) {
	const args = ['user', 'add', '--db', srv.db, '--username', username, '--role', role, '--org', org];
	if (enterprise) args.push('--enterprise', enterprise);
	const first = 'First@' + username.length + 'x9Q';
	const r = await run(args, { input: first + '\n' });
	assert.equal(r.code, 0, r.stderr);
	const s = await srv.login(username, first);
	assert.equal(s.user.must_change_password, true);
	const password = 'Next#2026' + username.length;
	const c = await s.post('/api/v1/me/password', { old_password: first, new_password: password });
	assert.equal(c.status, 204, c.text);
	return { session: s, password };
}

/* Response headers that every answer of the server carries (DESIGN.md, security defaults). */
export function assertSecurityHeaders(h, what = '') {
	const get = (n) => (typeof h.get === 'function' ? h.get(n) : h[n]);
	const csp = get('content-security-policy') || '';
	assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP frame-ancestors`);
	// Scripts from this site only (a page), or from nowhere (a JSON answer: default-src 'none').
	const scripts = (csp.match(/script-src[^;]*/) || csp.match(/default-src[^;]*/) || [''])[0];
	assert.match(scripts, /^(script-src 'self'|default-src 'none')$/, `${what}: CSP scripts (${csp})`);
	assert.doesNotMatch(csp, /unsafe-eval/, `${what}: no unsafe-eval`);
	assert.equal(get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
	assert.equal(get('cross-origin-resource-policy'), 'same-origin', `${what}: CORP`);
	assert.equal(get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
	assert.ok(get('referrer-policy'), `${what}: Referrer-Policy`);
	assert.match(get('x-request-id') || '', /^[0-9a-f]{16}$/, `${what}: X-Request-Id`);
	const server = get('server');
	assert.ok(!server || !/\d/.test(server), `${what}: no version banner (Server: ${server})`);
	assert.ok(!get('x-powered-by'), `${what}: no X-Powered-By`);
}
