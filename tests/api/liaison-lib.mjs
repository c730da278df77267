// liaison-lib.mjs: what the liaison tests share (not a test file itself): a server with long
// sessions, the people they act as, enterprises of a county, and one-line visits.
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { cliUser } from './helpers.mjs';

export const DAY = 86400;

/* A demo server whose sessions survive clock jumps. */
export function liaisonServer(extra = []) {
	return startServer({
		args: ['--login-rate', '1000/60', '--session-idle', String(30 * DAY), '--session-max',
			String(365 * DAY), ...extra],
	});
}

/*
 * The demo people, logged in, and some made here: cadre2, a second 龙沙区 cadre with no
 * enterprises yet; countyLeader, a leader of the 龙沙区 bureau (scope: the county); the
 * dispatcher of the city. c.ownEnterprise is the demo enterprise user's enterprise.
 */
export async function people(srv, extra = []) {
	const c = { srv };
	for (const u of ['cadre', 'handler', 'leader', 'enterprise', 'statistician', 'supervisor'])
		c[u] = await srv.login(u);
	const made = [['cadre2', 'cadre', '230202'], ['countyLeader', 'leader', '230202'],
		['dispatcher', 'dispatcher', '230200'], ...extra];
	for (const [u, role, org] of made)
		c[u] = (await cliUser(srv, { username: u.toLowerCase(), role, org })).session;
	c.ownEnterprise = c.enterprise.user.enterprise.id;
	const cats = await c.enterprise.get('/api/v1/appeal-categories');
	assert.equal(cats.status, 200, cats.text);
	c.cat = {};
	for (const root of cats.json.items) {
		c.cat[root.code] = root.id;
		for (const ch of root.children) c.cat[ch.code] = ch.id;
	}
	return c;
}

/* Every enterprise of a region the session sees (in operation, or of the status given), id order. */
export async function enterprisesOf(s, region, status = 'operating') {
	const out = [];
	for (let page = 1; ; page++) {
		const r = await s.get(`/api/v1/enterprises?region_code=${region}&status=${status}&sort=name&page_size=100&page=${page}`);
		assert.equal(r.status, 200, r.text);
		out.push(...r.json.items);
		if (r.json.items.length < 100) break;
	}
	return out.sort((a, b) => a.id - b.id);
}

/* The ids of the enterprises a session liaises with. */
export async function mine(s) {
	const r = await s.get('/api/v1/liaisons/mine');
	assert.equal(r.status, 200, r.text);
	return r.json.items.map((x) => x.enterprise.id);
}

/* Assign (as `by`): resolves the assignment. */
export async function assign(by, enterprise_id, user, kind = 'cadre', extra = {}) {
	const r = await by.post('/api/v1/liaisons', { enterprise_id, user_id: user.user.id, kind, ...extra });
	assert.equal(r.status, 201, r.text);
	return r.json;
}

/* Log a visit; expects 201 unless want says otherwise; resolves the response. */
export async function visit(s, body, want = 201) {
	const r = await s.post('/api/v1/visits', { summary: '了解企业生产经营情况，企业运行平稳。', ...body });
	assert.equal(r.status, want, r.text);
	return r;
}

/* The local date n days before the server's today (YYYY-MM-DD). */
export function daysBefore(today, n) {
	const d = new Date(today + 'T00:00:00Z');
	d.setUTCDate(d.getUTCDate() - n);
	return d.toISOString().slice(0, 10);
}
