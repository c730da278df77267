// authz.test.mjs: runs the authorization matrix of authz-matrix.mjs: every route × every caller ×
// every scope relation (own, same org, child org, parent org, sibling org, another enterprise)
// against the status the matrix gives, with zero mismatches. Lists and statistics must show
// exactly the rows the caller's scope covers (no more: nothing leaks through a list or a count;
// no fewer), and walking ids one by one answers 200 or 404, never 403.
//
// The fixture: the demo city, a second city (鸡西, 230300) beside it under the province, a city
// district without a bureau of its own (230201, so an enterprise can belong to the city bureau),
// users in the province, the city, a county, a county department, another county and the other
// city, enterprises and appeals at each level, each appeal with an attachment and then refused
// (so an action on it is 409 once permission and scope pass, and nothing changes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, run, onPostgres } from '../lib/server.mjs';
import { cliUser } from './helpers.mjs';
import { makeUscc } from './enterprises-lib.mjs';
import { CALLERS, MATRIX, REL_VISIBLE, RELATIONS } from './authz-matrix.mjs';

let srv, fx;

/* Rows from the database (read-only), as objects. */
function query(sql) {
	if (onPostgres) {
		const out = execFileSync('psql', [srv.db, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c',
			`SELECT coalesce(json_agg(t), '[]'::json) FROM (${sql}) t`]).toString();
		return JSON.parse(out);
	}
	const out = execFileSync('sqlite3', ['-json', srv.db, sql]).toString().trim();
	return out ? JSON.parse(out) : [];
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
	'1f15c4890000000d49444154789c6360000002000154a24f5b0000000049454e44ae426082', 'hex');

async function ok(r, want, what) {
	const x = await r;
	assert.equal(x.status, want, `${what}: ${x.text}`);
	return x.json;
}

before(async () => {
	srv = await startServer({ args: ['--login-rate', '100000/60'] });
	const regions = join(srv.dir, 'regions.csv');
	writeFileSync(regions, 'code,name,level,parent_code\n230201,市辖区,county,230200\n');
	const imp = await run(['regions', 'import', regions, '--db', srv.db]);
	assert.equal(imp.code, 0, imp.stderr);
	const s = {};
	for (const n of Object.keys(CALLERS)) if (CALLERS[n] && n !== 'dispatcher') s[n] = await srv.login(n);
	const cityId = s.sysadmin.user.org.id, countyId = s.handler.user.org.id;
	const disp = await cliUser(srv, { username: 'dispatcher', role: 'dispatcher', org: '230200' });
	s.dispatcher = disp.session;
	const prov = (await cliUser(srv, { username: 'provadmin', role: 'sysadmin', org: '230000' })).session;
	const provstat = (await cliUser(srv, { username: 'provstat', role: 'statistician', org: '230000' })).session;
	const provdisp = (await cliUser(srv, { username: 'provdisp', role: 'dispatcher', org: '230000' })).session;
	const provinceId = prov.user.org.id;
	// the other city, and users everywhere
	const jx = await ok(prov.post('/api/v1/orgs', { parent_id: provinceId, code: '230300', name: '鸡西市工业和信息化局', kind: 'city', region_code: '230300' }), 201, 'city');
	const dept = (await s.sysadmin.get(`/api/v1/orgs?parent_id=${countyId}&kind=department`)).json.items[0];
	const jianhua = (await s.sysadmin.get('/api/v1/orgs?q=230203')).json.items.find((o) => o.code === '230203');
	for (const [name, org] of [['fx_prov', provinceId], ['fx_city', cityId], ['fx_county', countyId], ['fx_dept', dept.id],
		['fx_sibling', jianhua.id], ['fx_jixi', jx.id]])
		await ok(prov.post('/api/v1/users', { username: name, display_name: name, org_id: org }), 201, name);
	// enterprises of the city bureau (a district without a bureau) and of the other city
	const eCity = await ok(provstat.post('/api/v1/enterprises', { uscc: makeUscc(91001, '230201'), name: '齐齐哈尔市直属示范企业', region_code: '230201' }), 201, 'city enterprise');
	const eJx = await ok(provstat.post('/api/v1/enterprises', { uscc: makeUscc(91002, '230302'), name: '鸡西市示范企业', region_code: '230302' }), 201, 'jixi enterprise');
	assert.equal(eCity.org.id, cityId);
	assert.equal(eJx.org.id, jx.id);
	// a second enterprise user in the same county, and one in the sibling county
	const others = (await s.leader.get('/api/v1/enterprises?region_code=230202&page_size=5')).json.items
		.filter((e) => e.id !== s.enterprise.user.enterprise.id);
	const ent2 = (await cliUser(srv, { username: 'ent2', role: 'enterprise', org: '230202', enterprise: others[0].uscc })).session;
	const sibEnt = (await s.leader.get('/api/v1/enterprises?region_code=230203&page_size=1')).json.items[0];
	const ent3 = (await cliUser(srv, { username: 'ent3', role: 'enterprise', org: '230203', enterprise: sibEnt.uscc })).session;
	// appeals at every level, each with an attachment, then refused
	const cat = (await s.enterprise.get('/api/v1/appeal-categories')).json.items[0].children[0].id;
	let n = 0;
	async function appeal(filer, refuser, extra = {}) {
		n++;
		const words = ['鹤城北疆', '黑土嫩江', '扎龙丹顶', '金谷华安', '兴达宏远', '瑞丰恒通', '鑫源博睿'][n % 7] + n;
		const a = await ok(filer.post('/api/v1/appeals', { title: `${words}权限矩阵`, content: `${words}权限矩阵测试诉求第${n}件`, category_id: cat, ...extra }), 201, 'appeal');
		await ok(filer.req('POST', `/api/v1/appeals/${a.id}/attachments?name=a.png`, { body: PNG, headers: { 'Content-Type': 'application/octet-stream' } }), 201, 'attachment');
		await ok(refuser.post(`/api/v1/appeals/${a.id}/reject`, { reason: '权限矩阵测试，不予受理' }), 200, 'reject');
		return a.id;
	}
	await appeal(s.enterprise, s.handler);
	await appeal(ent2, s.handler);
	// a cadre files for an enterprise it liaises with (its scope, docs/liaison.md)
	const cadreEnts = (await s.cadre.get('/api/v1/liaisons/mine')).json.items.map((x) => x.enterprise.id);
	await appeal(s.cadre, s.handler, { enterprise_id: cadreEnts.find((id) => id !== s.enterprise.user.enterprise.id && id !== others[0].id), channel: 'visit' });
	await appeal(ent3, s.dispatcher);
	await appeal(s.dispatcher, s.dispatcher, { enterprise_id: eCity.id, channel: 'hotline' });
	await appeal(provdisp, provdisp, { enterprise_id: eJx.id, channel: 'hotline' });
	// a token and a notification for each caller to find
	for (const k of Object.keys(s)) await ok(s[k].post('/api/v1/me/tokens', { name: 'matrix' }), 201, 'token');
	fx = { s, ids: {}, passwords: { dispatcher: disp.password } };
	for (const k of Object.keys(s)) {
		const u = s[k].user;
		const org = query(`SELECT id, path FROM orgs WHERE id = ${u.org.id}`)[0];
		fx.ids[k] = { user: u.id, org: u.org.id, path: org.path, enterprise: u.enterprise ? u.enterprise.id : null };
	}
	fx.pools = pools();
	/* the liaison scope: the enterprises each caller liaises with today */
	fx.liaisons = {};
	for (const k of Object.keys(s))
		fx.liaisons[k] = new Set(query(`SELECT enterprise_id FROM liaisons WHERE user_id = ${fx.ids[k].user} AND active = 1`).map((r) => r.enterprise_id));
});

after(async () => {
	if (srv) assert.equal((await srv.stop()).code, 0);
});

/* Every record of each kind, with its ties, in the order of their ids (PostgreSQL gives rows
 * without ORDER BY in the order of its heap, where an updated row moves). */
function pools() {
	const orgPaths = Object.fromEntries(query('SELECT id, path FROM orgs ORDER BY id').map((o) => [o.id, o.path]));
	const co = {};
	for (const c of query('SELECT appeal_id, org_id FROM appeal_co_units ORDER BY appeal_id, org_id')) (co[c.appeal_id] ||= []).push(c.org_id);
	return {
		org: query('SELECT id, path, id AS org FROM orgs ORDER BY id').map((r) => ({ id: r.id, path: r.path, orgs: [r.id], paths: [r.path] })),
		user: query('SELECT u.id, u.username, u.org_id, o.path FROM users u JOIN orgs o ON o.id = u.org_id ORDER BY u.id')
			.map((r) => ({ id: r.id, username: r.username, path: r.path, orgs: [r.org_id], paths: [r.path], user: r.id })),
		enterprise: query('SELECT e.id, e.org_id, o.path FROM enterprises e JOIN orgs o ON o.id = e.org_id ORDER BY e.id')
			.map((r) => ({ id: r.id, path: r.path, orgs: [r.org_id], paths: [r.path], enterprise: r.id })),
		appeal: query('SELECT id, enterprise_id, created_by, home_org_id, home_path, lead_org_id, lead_path FROM appeals ORDER BY id')
			.map((r) => {
				const orgs = [r.home_org_id, r.lead_org_id, ...(co[r.id] || [])].filter(Boolean);
				return { id: r.id, path: r.home_path, orgs, paths: orgs.map((o) => orgPaths[o]), enterprise: r.enterprise_id,
					user: r.created_by, tied: orgs.length > 1 };
			}),
		attachment: query('SELECT f.id, f.appeal_id FROM appeal_attachments f ORDER BY f.id'),
		/* visits and liaison assignments: tied to their enterprise's bureau (and their user) */
		visit: query('SELECT v.id, v.enterprise_id, v.created_by, e.org_id, o.path FROM visits v JOIN enterprises e ON e.id = v.enterprise_id JOIN orgs o ON o.id = e.org_id ORDER BY v.id')
			.map((r) => ({ id: r.id, path: r.path, orgs: [r.org_id], paths: [r.path], enterprise: r.enterprise_id, user: r.created_by })),
		liaison: query('SELECT l.id, l.enterprise_id, l.user_id, e.org_id, o.path FROM liaisons l JOIN enterprises e ON e.id = l.enterprise_id JOIN orgs o ON o.id = e.org_id ORDER BY l.id')
			.map((r) => ({ id: r.id, path: r.path, orgs: [r.org_id], paths: [r.path], enterprise: r.enterprise_id, user: r.user_id })),
		token: query('SELECT id, user_id FROM api_tokens WHERE revoked_at IS NULL ORDER BY id'),
		notification: query('SELECT id, user_id FROM notifications ORDER BY id'),
	};
}

/* Whether the caller's scope covers a record (the tie rule of SCOPE_PRED, written again). */
function visible(caller, rec) {
	const c = CALLERS[caller], me = fx.ids[caller];
	if (c.scope === 'subtree') return rec.paths.some((p) => p.startsWith(me.path));
	if (c.scope === 'org') return rec.orgs.includes(me.org);
	if (c.scope === 'enterprise') return rec.enterprise === me.enterprise;
	if (c.scope === 'liaison') return rec.user === me.user || fx.liaisons[caller].has(rec.enterprise);
	return false;
}

/* How a record stands to the caller (see authz-matrix.mjs). */
function relation(caller, kind, rec) {
	const me = fx.ids[caller];
	if (kind === 'org' && rec.id === me.org) return 'own';
	if (kind === 'user' && rec.id === me.user) return 'own';
	if (kind === 'enterprise' && me.enterprise && rec.id === me.enterprise) return 'own';
	if (['appeal', 'visit', 'liaison'].includes(kind) && ((me.enterprise && rec.enterprise === me.enterprise) || rec.user === me.user)) return 'own';
	if (me.enterprise && rec.enterprise && rec.path === me.path) return 'other_enterprise';
	if (rec.path === me.path) return 'same_org';
	if (rec.path.startsWith(me.path)) return 'child_org';
	if (me.path.startsWith(rec.path)) return 'parent_org';
	const parent = (p) => p.replace(/[0-9]+\/$/, '');
	if (parent(rec.path) === parent(me.path)) return 'sibling_org';
	return 'unrelated';
}

const CALLER_NAMES = new Set(Object.keys(CALLERS));

/* The record of kind standing in relation rel to the caller (newest first), or null. */
function pick(caller, kind, rel) {
	const me = fx.ids[caller];
	if (kind === 'token' || kind === 'notification') {
		const rows = fx.pools[kind];
		const r = rel === 'own' ? rows.filter((x) => x.user_id === me.user) : rel === 'same_org' ? rows.filter((x) => x.user_id !== me.user) : [];
		return r.length ? r[r.length - 1].id : null;
	}
	if (kind === 'attachment') {
		const a = pick(caller, 'appeal', rel);
		const f = a && fx.pools.attachment.find((x) => x.appeal_id === a);
		return f ? `${a}/attachments/${f.id}` : null;
	}
	const rows = fx.pools[kind].filter((r) => !r.tied && relation(caller, kind, r) === rel &&
		(kind !== 'user' || rel === 'own' || !CALLER_NAMES.has(r.username)));
	return rows.length ? rows[rows.length - 1].id : null;
}

/* The expected status of one call (id: the record picked, for a caller of the liaison scope). */
function expected(row, caller, rel, id) {
	let v = row.roles[caller] ?? (caller === 'anon' ? undefined : row.roles._);
	if (caller === 'anon' && v === undefined) return 401;
	if (v === 'ok') return row.ok;
	if (v === 'scope' && CALLERS[caller].scope === 'liaison' && id != null &&
		['enterprise', 'appeal', 'attachment', 'visit', 'liaison'].includes(row.kind)) {
		const kind = row.kind === 'attachment' ? 'appeal' : row.kind;
		const rec = fx.pools[kind].find((r) => r.id === parseInt(String(id), 10));
		return rec && visible(caller, rec) ? row.ok : 404;
	}
	if (v === 'scope') {
		const vis = REL_VISIBLE[row.kind];
		const rels = typeof vis === 'string' ? [vis] : vis[caller] || [];
		return rels.includes(rel) ? row.ok : 404;
	}
	return v;
}

async function call(caller, method, path, row) {
	const session = caller === 'anon' ? srv.anon() : fx.s[caller];
	const opts = {};
	if (row.raw) opts.body = row.raw.body, opts.headers = { 'Content-Type': row.raw.type };
	else if (row.body !== undefined) opts.json = typeof row.body === 'function' ? row.body(fx, caller) : row.body;
	else if (method !== 'GET' && method !== 'DELETE') opts.json = {};
	return session.req(method, path, opts);
}

test('every route of every module has a row in the matrix, and every row a route', async () => {
	const r = await run(['routes']);
	assert.equal(r.code, 0, r.stderr);
	const routes = r.stdout.trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' '));
	const missing = routes.filter((k) => !MATRIX[k]);
	const extra = Object.keys(MATRIX).filter((k) => !routes.includes(k));
	assert.deepEqual(missing, [], 'routes without a row in tests/api/authz-matrix.mjs');
	assert.deepEqual(extra, [], 'rows of tests/api/authz-matrix.mjs without a route');
});

test('the matrix: every route × caller × scope relation answers as written', { timeout: 600000 }, async () => {
	const mismatches = [];
	let calls = 0;
	for (const [key, row] of Object.entries(MATRIX)) {
		const [method, pattern] = key.split(' ');
		for (const caller of Object.keys(CALLERS)) {
			const rels = row.kind ? (row.rels || RELATIONS) : [null];
			for (const rel of rels) {
				let path = row.path || pattern, picked = null;
				if (row.kind) {
					if (caller === 'anon') {
						if (rel !== 'same_org') continue;
						const id = pick('leader', row.kind, 'child_org') || pick('leader', row.kind, 'same_org');
						path = pattern.replace(':id/attachments/:file', id).replace(':id', id);
					} else {
						const id = pick(caller, row.kind, rel);
						if (id === null) continue; /* no such record for this caller */
						picked = id;
						path = row.kind === 'attachment' ? pattern.replace(':id/attachments/:file', id) : pattern.replace(':id', id);
					}
				}
				const want = expected(row, caller, rel, picked);
				if (row.fresh && caller !== 'anon' && want !== 401) {
					/* a session of its own, since the call ends it (or what it uses) */
					const s = await srv.login(fx.s[caller].user.username, fx.passwords[caller]);
					if (row.kind === 'token') {
						const t = await s.post('/api/v1/me/tokens', { name: 'fresh' });
						path = pattern.replace(':id', rel === 'own' ? t.json.token.id : pick(caller, 'token', 'same_org'));
					}
					const r = await s.req(method, path + (row.query || ''), {});
					calls++;
					if (r.status !== want) mismatches.push(`${key} as ${caller}${rel ? ` (${rel})` : ''}: want ${want}, got ${r.status} ${r.text.slice(0, 120)}`);
					continue;
				}
				const r = await call(caller, method, path + (row.query || ''), row);
				calls++;
				if (r.status !== want) mismatches.push(`${key} as ${caller}${rel ? ` (${rel})` : ''}: want ${want}, got ${r.status} ${r.text.slice(0, 120)}`);
				if (want >= 400 && r.status === want && r.json)
					assert.match(r.json.error.message, /[\u4e00-\u9fff]/, `${key}: a message for a person`);
			}
		}
	}
	console.log(`authz: ${calls} calls, ${mismatches.length} mismatches`);
	assert.deepEqual(mismatches, [], 'the matrix');
});

test('lists show exactly the rows in scope, totals included; statistics count only them', { timeout: 600000 }, async () => {
	for (const [key, row] of Object.entries(MATRIX)) {
		if (!row.list && !row.stats) continue;
		const [, pattern] = key.split(' ');
		for (const caller of Object.keys(CALLERS)) {
			if (expected(row, caller, null) !== row.ok || caller === 'anon') continue;
			const kind = row.list || row.stats;
			const want = new Set(fx.pools[kind].filter((r) => visible(caller, r)).map((r) => r.id));
			if (row.stats) {
				const st = await fx.s[caller].get(pattern + row.query);
				assert.equal(st.status, 200, st.text);
				assert.equal(st.json.total.received, want.size, `${key} as ${caller}: counts only what is in scope`);
				continue;
			}
			const seen = new Set();
			let total = null;
			for (let page = 1; ; page++) {
				const r = await fx.s[caller].get(`${pattern}?page_size=100&page=${page}`);
				assert.equal(r.status, 200, r.text);
				total = r.json.total;
				for (const it of r.json.items) seen.add(it.id);
				if (r.json.items.length < 100) break;
			}
			const leaked = [...seen].filter((id) => !want.has(id));
			const lost = [...want].filter((id) => !seen.has(id));
			assert.deepEqual(leaked, [], `${key} as ${caller}: rows out of scope`);
			assert.deepEqual(lost, [], `${key} as ${caller}: rows in scope missing`);
			assert.equal(total, want.size, `${key} as ${caller}: total`);
		}
	}
});

test('walking ids one by one: 200 in scope, 404 otherwise, never 403', { timeout: 600000 }, async () => {
	const kinds = { org: '/api/v1/orgs/', user: '/api/v1/users/', enterprise: '/api/v1/enterprises/', appeal: '/api/v1/appeals/' };
	let calls = 0;
	for (const [kind, base] of Object.entries(kinds)) {
		const row = MATRIX[`GET ${base}:id`];
		const maxId = Math.max(...fx.pools[kind].map((r) => r.id));
		/* enterprises: the first 150 ids and the fixture's; the rest are alike */
		const ids = kind === 'enterprise'
			? [...Array(150).keys()].map((i) => i + 1).concat(fx.pools.enterprise.slice(-4).map((r) => r.id), [maxId + 1, maxId + 2])
			: [...Array(maxId + 3).keys()].map((i) => i + 1);
		const byId = new Map(fx.pools[kind].map((r) => [r.id, r]));
		for (const caller of Object.keys(CALLERS)) {
			if (caller === 'anon' || row.roles[caller] !== 'scope') continue;
			for (const id of ids) {
				const rec = byId.get(id);
				const want = rec && visible(caller, rec) ? 200 : 404;
				const r = await fx.s[caller].get(base + id);
				calls++;
				assert.equal(r.status, want, `${kind} ${id} as ${caller}`);
			}
		}
	}
	console.log(`authz: ${calls} ids walked`);
});
