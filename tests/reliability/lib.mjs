// lib.mjs: what the reliability tests share (not a test file itself): how long they run, the
// demo people logged in, unique texts for appeals, and the checks that say a database is whole
// (integrity_check, the audit chain, the appeal counters against a recount).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { run, onPostgres } from '../lib/server.mjs';

/* make test runs the short form, make test-reliability the long one (TIEJIAN_RELIABILITY=long). */
export const LONG = process.env.TIEJIAN_RELIABILITY === 'long';
export const num = (name, short, long) => Number(process.env[name] || (LONG ? long : short));

/* Server flags for a test that logs in many times and moves no clock. */
export const SERVER_ARGS = ['--login-rate', '100000/60', '--session-idle', '86400', '--session-max', '864000'];

/* The demo users, logged in. */
export const DEMO = ['sysadmin', 'secadmin', 'auditadmin', 'leader', 'supervisor', 'handler', 'cadre',
	'statistician', 'enterprise'];
export async function people(srv, names = DEMO) {
	const p = {};
	for (const n of names) p[n] = await srv.login(n);
	return p;
}

/* Chinese text that no other call of this process repeats (the appeal duplicate guard compares
 * bigrams of title and content, so every appeal needs words of its own). */
const CHARS = '鹤城北疆黑土嫩江扎龙丹顶金谷华安兴达宏远瑞丰恒通鑫源博睿启航中正长青东升天成丰泽康宁新元广厦青禾' +
	'龙腾盛世合力振兴齐鑫北方卜奎明月松嫩雪原金穗沃野万通远航甜菜大豆玉米稻谷机床铸造轴承阀门钢材焦炭电力乳业';
let serial = 0;
export function uniqueText(len = 8) {
	serial++;
	let n = serial * 7919 + Math.floor(Math.random() * 1e9), out = '';
	for (let i = 0; i < len; i++) {
		out += CHARS[n % CHARS.length];
		n = Math.floor(n / CHARS.length) + Math.floor(Math.random() * 997) + i * 31;
	}
	return out + serial;
}

/* A valid unified social credit code (GB 32100) registered in region6, from a number. */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
export function uscc(n, region6 = '230202') {
	const body = String(n % 1e8).padStart(8, '0');
	const ow = [3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 8; i++) s += Number(body[i]) * ow[i];
	const c = 11 - (s % 11);
	const orgCheck = c === 11 ? '0' : c === 10 ? 'X' : String(c);
	const first = '91' + region6 + body + orgCheck;
	let t = 0;
	for (let i = 0; i < 17; i++) t += ALPHABET.indexOf(first[i]) * WEIGHTS[i];
	return first + ALPHABET[(31 - (t % 31)) % 31];
}

/* `tiejian audit verify` on the database: { rows, head }; fails the test when broken. */
export async function auditVerify(db) {
	const r = await run(['audit', 'verify', '--db', db]);
	assert.equal(r.code, 0, `audit verify: ${r.stdout}${r.stderr}`);
	const m = r.stdout.match(/audit log intact: (\d+) rows, head ([0-9a-f]{64})/);
	assert.ok(m, r.stdout);
	return { rows: Number(m[1]), head: m[2] };
}

/* PRAGMA integrity_check on a SQLite file (nothing to do on PostgreSQL). */
export function integrityCheck(db) {
	if (onPostgres) return;
	const out = execFileSync('sqlite3', [db, 'PRAGMA integrity_check; PRAGMA foreign_key_check;']).toString().trim();
	assert.equal(out, 'ok', `integrity_check: ${out}`);
}

/* The appeal counters (kept in each transaction) equal a recount from the rows, for a session. */
export async function countersMatch(session, what = '') {
	const q = '/api/v1/stats/appeals?from=2020-01&to=2040-12';
	for (const g of ['', '&group_by=region', '&group_by=category', '&group_by=unit']) {
		const a = await session.get(q + g);
		const b = await session.get(q + g + '&source=recount');
		assert.equal(a.status, 200, a.text);
		assert.equal(b.status, 200, b.text);
		assert.deepEqual(a.json.total, b.json.total, `${what} counters ${g}: ${a.text} vs ${b.text}`);
		assert.deepEqual(a.json.items, b.json.items, `${what} counters ${g}`);
	}
}

/* Resident memory of a process, in KB (/proc/PID/status). */
export function rssKb(pid) {
	const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
	return m ? Number(m[1]) : 0;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
