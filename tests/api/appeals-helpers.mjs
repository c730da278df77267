// appeals-helpers.mjs: what the appeal tests share (not a test file itself): a server whose
// sessions survive clock jumps, the demo's people, org and category ids, and one-line actions.
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { cliUser } from './helpers.mjs';

export const DAY = 86400;

/* A demo server whose sessions last as long as the clock jumps of the tests need; opts go to
 * startServer (a second server on the first one's database: { db, dir, demo: false, keep }). */
export async function appealServer(extra = [], opts = {}) {
	return startServer({
		...opts,
		args: ['--login-rate', '1000/60', '--session-idle', String(30 * DAY), '--session-max',
			String(365 * DAY), ...extra],
	});
}

/* Everyone the tests act as, logged in, with the org and category ids they need: the demo
 * users, and two made here: "dispatcher", the city's appeal desk (role dispatcher), and
 * "yunxing", a handler of the city's 运行监测协调科 (a co-unit or lead unit in the tests). */
export async function cast(srv) {
	const c = { srv, passwords: {} };
	for (const u of ['enterprise', 'handler', 'supervisor', 'leader', 'cadre', 'statistician', 'sysadmin',
		'auditadmin'])
		c[u] = await srv.login(u);
	for (const [u, role, org] of [['dispatcher', 'dispatcher', '230200'], ['yunxing', 'handler', '230200-02']]) {
		const made = await cliUser(srv, { username: u, role, org });
		c[u] = made.session;
		c.passwords[u] = made.password;
	}
	const units = await c.dispatcher.get('/api/v1/appeals/units');
	assert.equal(units.status, 200, units.text);
	c.org = Object.fromEntries(units.json.items.map((o) => [o.code, o.id]));
	const cats = await c.enterprise.get('/api/v1/appeal-categories');
	assert.equal(cats.status, 200, cats.text);
	c.cat = {};
	for (const root of cats.json.items) {
		c.cat[root.code] = root.id;
		for (const ch of root.children) c.cat[ch.code] = ch.id;
	}
	c.ownEnterprise = c.enterprise.user.enterprise.id;
	return c;
}

/* Log everyone in again (after the clock jumped past their sessions). */
export async function relogin(c) {
	for (const k of Object.keys(c))
		if (c[k] && typeof c[k] === 'object' && c[k].user && c[k].user.username)
			c[k] = await c.srv.login(c[k].user.username, c.passwords[c[k].user.username]);
}

let serial = 0;
const WORDS = ['鹤城', '北疆', '黑土', '嫩江', '扎龙', '丹顶', '金谷', '华安', '兴达', '宏远', '瑞丰', '恒通',
	'鑫源', '博睿', '启航', '中正', '长青', '东升', '天成', '丰泽', '康宁', '新元', '广厦', '青禾', '龙腾',
	'盛世', '合力', '振兴', '齐鑫', '北方', '卜奎', '明月', '松嫩', '雪原', '金穗', '沃野', '万通', '远航'];
/* A phrase no other test appeal shares, so the duplicate guard leaves test appeals alone. */
export function uniquePhrase() {
	serial++;
	let n = serial * 7919 + (Date.now() % 1000) * 104729, out = '';
	for (let i = 0; i < 5; i++) {
		out += WORDS[n % WORDS.length];
		n = Math.floor(n / WORDS.length) + i * 13;
	}
	return out + serial;
}

/* File an appeal as the enterprise user (or as `as` for an enterprise); resolves the appeal. */
export async function file(c, fields = {}, as = c.enterprise) {
	const u = uniquePhrase();
	const body = {
		title: `${fields.topic || '设备采购资金周转困难'}（${u}）`,
		content: `${u}项目${fields.topic || '企业资金'}需要协调解决，${u.split('').reverse().join('')}，请尽快办理。`,
		category_id: c.cat['0101'],
		...fields,
	};
	delete body.topic;
	const r = await as.post('/api/v1/appeals', body);
	assert.equal(r.status, 201, r.text);
	return r.json;
}

/* POST an action; expects 200 unless want says otherwise; resolves the response. */
export async function act(session, appeal, action, body = {}, want = 200) {
	const id = typeof appeal === 'object' ? appeal.id : appeal;
	const r = await session.post(`/api/v1/appeals/${id}/${action}`, body);
	assert.equal(r.status, want, `${action}: ${r.text}`);
	return r;
}

/* Accept and assign to the org with this code (default the handler's county bureau). */
export async function dispatch(c, appeal, lead = '230202', co = []) {
	await act(c.dispatcher, appeal, 'accept');
	const r = await act(c.dispatcher, appeal, 'assign', {
		lead_org_id: c.org[lead], co_org_ids: co.map((x) => c.org[x]) });
	return r.json;
}

/* The 409 of a refused action: its code and the allowed actions. */
export function assertRefused(r, code, allowed) {
	assert.equal(r.status, 409, r.text);
	assert.equal(r.json.error.code, code, r.text);
	assert.match(r.json.error.message, /[\u4e00-\u9fff]/);
	assert.ok(Array.isArray(r.json.error.allowed_actions), r.text);
	if (allowed) assert.deepEqual([...r.json.error.allowed_actions].sort(), [...allowed].sort(), r.text);
}

/* Wait until fn() resolves truthy (the job runner ticks every second in tests). */
export async function eventually(fn, what, ms = 15000) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) throw new Error('timed out waiting for ' + what);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/* Set the server clock to a local (UTC+8) date and hour. */
export function localTime(day, hour = 9) {
	const [y, m, d] = day.split('-').map(Number);
	return new Date(Date.UTC(y, m - 1, d, hour - 8)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
