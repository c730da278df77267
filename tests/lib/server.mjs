// server.mjs: start a real tiejian binary on an ephemeral loopback port over a fresh database,
// and talk to it. Shared by the API tests (tests/api) and the browser tests (tests/e2e).
//
//   const srv = await startServer({ demo: true });
//   const s = await srv.login('sysadmin');          // a session: cookie + CSRF token
//   const r = await s.get('/api/v1/me');            // { status, headers, json, text }
//   await srv.stop();
//
// Environment: TIEJIAN_BIN (default build/rel/tiejian). TIEJIAN_TEST_DB=postgres with
// TIEJIAN_TEST_PG (a postgres:// URL of a maintenance database on a test cluster that the
// Makefile started) runs the same tests on PostgreSQL: every server gets its own database.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const BIN = resolve(ROOT, process.env.TIEJIAN_BIN || 'build/rel/tiejian');
export const DEMO_PASSWORD = 'Demo@2026';
export const onPostgres = process.env.TIEJIAN_TEST_DB === 'postgres';

/* Secrets the tests send or are given (passwords, session cookies, CSRF tokens, API token secrets,
 * initial passwords): a server's stop() fails when any of them is in its log (security.md). */
const SECRETS = new Set();
const SECRET_KEY = /password|secret|csrf_token/;
function rememberSecrets(v) {
	if (!v || typeof v !== 'object') return;
	for (const [k, x] of Object.entries(v)) {
		if (typeof x === 'string' && SECRET_KEY.test(k) && x.length >= 8) SECRETS.add(x);
		else if (x && typeof x === 'object') rememberSecrets(x);
	}
}

/* A fresh database: a file in a temporary folder, or a new PostgreSQL database. */
export async function freshDatabase(dir) {
	if (!onPostgres) return join(dir, 'tiejian.db');
	const admin = process.env.TIEJIAN_TEST_PG;
	if (!admin) throw new Error('TIEJIAN_TEST_DB=postgres needs TIEJIAN_TEST_PG (see Makefile api-pg)');
	const name = 't_' + randomBytes(6).toString('hex');
	execFileSync('psql', [admin, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`]);
	const u = new URL(admin);
	u.pathname = '/' + name;
	return u.toString();
}

/* Run the binary with arguments; resolves { code, stdout, stderr }. */
export function run(args, { input, env } = {}) {
	return new Promise((resolvePromise, reject) => {
		const p = spawn(BIN, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
		let stdout = '', stderr = '';
		p.stdout.on('data', (d) => (stdout += d));
		p.stderr.on('data', (d) => (stderr += d));
		p.on('error', reject);
		p.on('close', (code) => resolvePromise({ code, stdout, stderr }));
		if (input !== undefined) p.stdin.end(input);
		else p.stdin.end();
	});
}

export async function startServer({ demo = true, args = [], db, dir, keep = false } = {}) {
	dir = dir || mkdtempSync(join(tmpdir(), 'tiejian-test-'));
	db = db || (await freshDatabase(dir));
	if (demo) {
		const r = await run(['demo', '--db', db]);
		if (r.code !== 0) throw new Error('tiejian demo failed: ' + r.stderr);
	}
	const logPath = join(dir, 'server.log');
	const log = createWriteStream(logPath);
	const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--web', join(ROOT, 'web/dist'),
		'--test-clock', '--job-interval', '1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
	proc.stderr.pipe(log);
	const url = await new Promise((resolvePromise, reject) => {
		let out = '';
		const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 20000);
		proc.stdout.on('data', (d) => {
			out += d;
			const m = out.match(/listening on (http:\/\/[^ ]+)/);
			if (m) { clearTimeout(timer); resolvePromise(m[1]); }
		});
		proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}): ` + readFileSync(logPath, 'utf8'))); });
	});
	proc.removeAllListeners('exit');
	let exited = null;
	const exitPromise = new Promise((r) => proc.on('exit', (code, signal) => { exited = { code, signal }; r(exited); }));
	const srv = {
		url, db, dir, proc, logPath,
		log: () => readFileSync(logPath, 'utf8'),
		async stop(signal = 'SIGTERM') {
			if (!exited) proc.kill(signal);
			const r = await exitPromise;
			await new Promise((done) => log.end(done));
			// Under make san: a sanitizer report anywhere in the server's life fails the test.
			const text = readFileSync(logPath, 'utf8');
			const report = text.match(/(AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error:)[^\n]*/);
			if (report) {
				const keepDir = dir;
				throw new Error(`sanitizer report in the server log (${keepDir}): ${report[0]}`);
			}
			for (const secret of SECRETS)
				if (text.includes(secret))
					throw new Error(`a secret the test sent or received is in the server log (${dir}): ${secret.slice(0, 4)}…`);
			if (!keep && !onPostgres) rmSync(dir, { recursive: true, force: true });
			return r;
		},
		kill(signal = 'SIGKILL') { proc.kill(signal); return exitPromise; },
		exited: () => exited,
		fetch: (path, opts = {}) => request(url, path, opts),
		anon() { return new Session(url); },
		async login(username, password = DEMO_PASSWORD) {
			const s = new Session(url);
			const r = await s.login(username, password);
			if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
			return s;
		},
		/* Move the server's clock (it was started with --test-clock). */
		async clock(body) {
			const r = await request(url, '/api/v1/test/clock', { method: 'POST', json: body });
			if (r.status !== 200) throw new Error('clock: ' + r.text);
			return r.json.now;
		},
	};
	return srv;
}

/* One HTTP request; body from `json` (sent as JSON) or `body` (raw). */
export async function request(base, path, { method = 'GET', json, body, headers = {} } = {}) {
	const h = { ...headers };
	if (json !== undefined) {
		h['Content-Type'] = h['Content-Type'] || 'application/json';
		body = typeof json === 'string' ? json : JSON.stringify(json);
	}
	if (json !== undefined && typeof json === 'object') rememberSecrets(json);
	const res = await fetch(base + path, { method, headers: h, body, redirect: 'manual' });
	const text = await res.text();
	let parsed = null;
	try { parsed = text ? JSON.parse(text) : null; } catch { parsed = null; }
	rememberSecrets(parsed);
	const cookie = res.headers.get('set-cookie');
	if (cookie) {
		const value = cookie.split(';')[0].split('=')[1];
		if (value && value.length >= 8) SECRETS.add(value);
	}
	return { status: res.status, headers: res.headers, json: parsed, text };
}

/* A logged-in (or anonymous) client: keeps the session cookie and sends the CSRF token. */
export class Session {
	constructor(url) { this.url = url; this.cookie = null; this.csrf = null; this.user = null; this.setCookie = null; }
	async login(username, password) {
		const r = await request(this.url, '/api/v1/auth/login', { method: 'POST', json: { username, password } });
		if (r.status === 200) {
			this.setCookie = r.headers.get('set-cookie');
			this.cookie = this.setCookie.split(';')[0];
			this.csrf = r.json.csrf_token;
			this.user = r.json.user;
		}
		return r;
	}
	req(method, path, { json, body, headers = {}, csrf = true } = {}) {
		const h = { ...headers };
		if (this.cookie) h.Cookie = this.cookie;
		if (csrf && this.csrf && method !== 'GET' && method !== 'HEAD') h['X-CSRF-Token'] = this.csrf;
		return request(this.url, path, { method, json, body, headers: h });
	}
	get(path, opts) { return this.req('GET', path, opts); }
	post(path, json, opts = {}) { return this.req('POST', path, { ...opts, json }); }
	patch(path, json, opts = {}) { return this.req('PATCH', path, { ...opts, json }); }
	put(path, json, opts = {}) { return this.req('PUT', path, { ...opts, json }); }
	del(path, opts) { return this.req('DELETE', path, opts); }
}
