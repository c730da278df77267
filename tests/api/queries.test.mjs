// queries.test.mjs: no N+1. The access log says how many statements each request ran
// (queries=N); a list runs as many for 50 rows as for 5, and a detail page no more for a record
// with a long history than for one with none. A handler that looked up something per row would
// show here as a count that grows with the rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';

let srv;
before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* The statements the request ran, from its access-log line (written once the answer is sent). */
async function queriesOf(res) {
	assert.equal(res.status, 200, res.text);
	const rid = res.headers.get('x-request-id');
	const re = new RegExp(`rid=${rid} .* queries=(\\d+)`);
	for (let i = 0; i < 50; i++) {
		const m = srv.log().match(re);
		if (m) return Number(m[1]);
		await sleep(20);
	}
	throw new Error(`no access-log line for ${rid}`);
}

/*
 * The statements of one page with a warm session: the fewest of three tries, each right after
 * a request of its own. The session and the roles are kept in the process (auth.c) but dropped
 * at any commit, the session's touch or a job's among them, and read again then: two more
 * statements that say nothing of the page. A page that read per row would need more every time.
 */
async function count(s, path) {
	let fewest = Infinity;
	for (let i = 0; i < 3; i++) {
		await s.get(path); // the session's touch and the roles' first read happen here, not below
		fewest = Math.min(fewest, await queriesOf(await s.get(path)));
	}
	return fewest;
}

test('lists: as many statements for 50 rows as for 5', async () => {
	const cases = [
		['leader', '/api/v1/appeals?page_size=PS'],
		['leader', '/api/v1/appeals?state=closed&sort=due&page_size=PS'],
		['leader', '/api/v1/appeals/work?page_size=PS'],
		['leader', '/api/v1/enterprises?page_size=PS'],
		['leader', '/api/v1/enterprises?q=%E6%9C%BA%E6%A2%B0&page_size=PS'],
		['leader', '/api/v1/liaisons?page_size=PS'],
		['leader', '/api/v1/visits?page_size=PS'],
		['cadre', '/api/v1/liaisons/mine?page_size=PS'],
		['leader', '/api/v1/cases?page_size=PS'],
		['secadmin', '/api/v1/users?page_size=PS'],
		['auditadmin', '/api/v1/audit?page_size=PS'],
		['handler', '/api/v1/notifications?page_size=PS'],
	];
	for (const [who, path] of cases) {
		const s = await srv.login(who);
		const few = await s.get(path.replace('PS', '5'));
		const many = await s.get(path.replace('PS', '50'));
		const rows = (r) => (r.json.items || []).length;
		const small = await count(s, path.replace('PS', '5'));
		const large = await count(s, path.replace('PS', '50'));
		// the comparison means something only where the larger page has more rows
		if (rows(many) > rows(few))
			assert.equal(large, small, `${path} as ${who}: ${small} statements for ${rows(few)} rows, ${large} for ${rows(many)}`);
		assert.ok(small <= 12, `${path} as ${who}: ${small} statements`);
	}
});

test('details: no more statements for a long history than for none', async () => {
	const leader = await srv.login('leader');
	// the appeal with the longest timeline in the demo, and one just filed
	const appeals = (await leader.get('/api/v1/appeals?state=closed&page_size=50')).json.items;
	let longest = null;
	let steps = -1;
	for (const a of appeals) {
		const d = (await leader.get(`/api/v1/appeals/${a.id}`)).json;
		if ((d.timeline || []).length > steps) {
			steps = d.timeline.length;
			longest = a.id;
		}
	}
	const ent = await srv.login('enterprise');
	const filed = await ent.post('/api/v1/appeals', {
		title: '新建厂房用电增容申请',
		content: '新厂房投产需要增加变压器容量，请协调供电部门办理增容。',
		category_id: (await ent.get('/api/v1/appeal-categories')).json.items[2].children[0].id,
	});
	assert.equal(filed.status, 201, filed.text);
	const fresh = (await leader.get(`/api/v1/appeals/${filed.json.id}`)).json;
	assert.ok(steps > fresh.timeline.length + 2, `a long timeline (${steps}) against a short one (${fresh.timeline.length})`);
	// a closed appeal may need fewer statements than a new one (no actions to weigh), never more
	const long = await count(leader, `/api/v1/appeals/${longest}`);
	const short = await count(leader, `/api/v1/appeals/${filed.json.id}`);
	assert.ok(long <= short, `an appeal: ${long} statements for ${steps} steps, ${short} for ${fresh.timeline.length}`);

	// the enterprise 360 page: the one with the most appeals in the demo against one with none
	const byEnt = new Map();
	for (const a of (await leader.get('/api/v1/appeals?page_size=100')).json.items)
		byEnt.set(a.enterprise.id, (byEnt.get(a.enterprise.id) || 0) + 1);
	const busy = [...byEnt.entries()].sort((x, y) => y[1] - x[1])[0][0];
	const quiet = (await leader.get('/api/v1/enterprises?page_size=100&sort=-updated')).json.items.map((e) => e.id).find((id) => !byEnt.has(id));
	assert.ok(quiet, 'an enterprise without appeals on the first pages');
	const busy360 = await count(leader, `/api/v1/enterprises/${busy}/360`);
	const quiet360 = await count(leader, `/api/v1/enterprises/${quiet}/360`);
	assert.ok(busy360 <= quiet360, `360: ${busy360} statements for a busy enterprise, ${quiet360} for a quiet one`);
	const busyEnt = await count(leader, `/api/v1/enterprises/${busy}`);
	const quietEnt = await count(leader, `/api/v1/enterprises/${quiet}`);
	assert.ok(busyEnt <= quietEnt, `an enterprise: ${busyEnt} statements for a busy one, ${quietEnt} for a quiet one`);
});
