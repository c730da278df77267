// badinput.test.mjs: runs the table of hostile inputs of badinput-table.mjs: each answers its
// status and error code with a Chinese message, and the business tables hold exactly what they
// held before (a digest of each, compared row by row of the table).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { startServer, onPostgres } from '../lib/server.mjs';
import { rawHttp } from './helpers.mjs';
import { BAD_INPUTS } from './badinput-table.mjs';

/* What a refused request must leave alone (sessions and the login throttle move by themselves). */
const TABLES = ['orgs', 'users', 'user_roles', 'roles', 'role_perms', 'api_tokens', 'enterprises', 'enterprise_contacts',
	'enterprise_history', 'enterprise_tags', 'enterprise_tag_links', 'appeals', 'appeal_events', 'appeal_attachments',
	'appeal_co_units', 'appeal_stats', 'appeal_settings', 'calendar_days', 'cases', 'notifications', 'audit_log'];
const LOGIN_RATE = 12;
let srv, p, ctx;

/* A digest of each table's rows, all tables in one call of the database's shell. */
function digests(skip = []) {
	const tables = TABLES.filter((t) => !skip.includes(t));
	if (onPostgres) {
		const sql = tables.map((t) => `SELECT '${t}', md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM ${t} x`).join(' UNION ALL ');
		const out = execFileSync('psql', [srv.db, '-qAt', '-F', ' ', '-v', 'ON_ERROR_STOP=1', '-c', sql]).toString();
		return Object.fromEntries(out.trim().split('\n').map((l) => l.split(' ')));
	}
	const sql = tables.map((t) => `SELECT '@@${t}'; SELECT * FROM ${t} ORDER BY 1;`).join('\n');
	const out = execFileSync('sqlite3', [srv.db], { input: sql, maxBuffer: 1 << 30 }).toString();
	const d = {};
	for (const part of out.split('@@').slice(1)) {
		const nl = part.indexOf('\n');
		d[part.slice(0, nl)] = createHash('sha256').update(part.slice(nl + 1)).digest('hex');
	}
	return d;
}

before(async () => {
	/* no background jobs: the clock job writes notifications and events of its own */
	srv = await startServer({ args: ['--login-rate', `${LOGIN_RATE}/60`, '--trust-proxy', '--upload-max', String(2 << 20), '--no-jobs'] });
	p = {};
	for (const u of ['sysadmin', 'leader', 'statistician', 'enterprise', 'handler']) p[u] = await srv.login(u, undefined);
	const cat = (await p.enterprise.get('/api/v1/appeal-categories')).json.items[0].children[0].id;
	const a = await p.enterprise.post('/api/v1/appeals', { title: '坏输入测试用诉求', content: '坏输入测试需要一件诉求挂附件', category_id: cat });
	assert.equal(a.status, 201, a.text);
	ctx = { srv, p, appeal: a.json.id, loginRate: LOGIN_RATE };
});
after(async () => {
	if (srv) assert.equal((await srv.stop()).code, 0);
});

const val = (v) => (typeof v === 'function' ? v(ctx) : v);

test(`the table of ${BAD_INPUTS.length} hostile inputs: status, code, a Chinese message, and nothing stored`, { timeout: 300000 }, async () => {
	const failures = [];
	for (const row of BAD_INPUTS) {
		if (row.setup) await row.setup(ctx);
		let session = row.as ? p[row.as] : srv.anon();
		if (row.as === 'expired') {
			session = await srv.login('supervisor');
			await srv.clock({ advance_s: 31 * 60 });
		}
		const before = digests(row.changes);
		let r;
		if (row.raw431) {
			const h = await rawHttp(srv.url, `GET ${row.path} HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(row.raw431 * 1024)}\r\nConnection: close\r\n\r\n`);
			let json = null;
			try { json = JSON.parse(h.body); } catch { json = null; }
			r = { status: h.status, json, text: h.body, headers: new Map(Object.entries(h.headers)) };
		} else {
			const opts = { headers: { ...val(row.headers) }, csrf: row.csrf !== false };
			if (row.json !== undefined) opts.json = val(row.json);
			else if (row.body !== undefined) {
				opts.body = val(row.body);
				opts.headers['Content-Type'] ||= 'application/json';
			}
			r = await session.req(row.method, val(row.path), opts);
		}
		const problems = [];
		if (r.status !== row.want) problems.push(`status ${r.status}, want ${row.want}`);
		if (row.code !== null) {
			const e = r.json && r.json.error;
			if (!e) problems.push('no JSON error body');
			else {
				if (row.code && e.code !== row.code) problems.push(`code ${e.code}, want ${row.code}`);
				if (!/[\u4e00-\u9fff]/.test(e.message || '')) problems.push(`message not for a person: ${e.message}`);
				if (row.field && e.field !== row.field) problems.push(`field ${e.field}, want ${row.field}`);
			}
		}
		if (row.retryAfter && !/^\d+$/.test(r.headers.get('retry-after') || '')) problems.push('no Retry-After');
		const after = digests(row.changes);
		for (const t of Object.keys(before))
			if (before[t] !== after[t]) problems.push(`table ${t} changed`);
		if (problems.length) failures.push(`${row.name}: ${problems.join('; ')} — ${String(r.text).slice(0, 160)}`);
	}
	assert.deepEqual(failures, [], 'every hostile input refused as written, nothing stored');
});
