// queries.test.mjs: no N+1. The access log says how many statements each request ran
// (queries=N); a list runs as many for 50 rows as for 5, and a detail page no more for a record
// with a long history than for one with none. A handler that looked up something per row would
// show here as a count that grows with the rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, Session } from '../lib/server.mjs';
import { assertError, onPostgres } from './helpers.mjs';

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

/*
 * A token's row and its user's roles are kept in the process (auth.c) and dropped only by a
 * commit that changed what they are read from (users, roles, tokens, ...; on PostgreSQL by
 * every commit): a flood of filings leaves them, a renamed or disabled account shows at the
 * very next request.
 */
test('a token stays in memory across filings, and not across a change to its user', async () => {
	const admin = await srv.login('sysadmin');
	const made = await admin.post('/api/v1/users', { username: 'kept', display_name: '缓存甲', org_id: admin.user.org.id });
	assert.equal(made.status, 201, made.text);
	const uid = made.json.user.id;
	const s = new Session(srv.url);
	assert.equal((await s.login('kept', made.json.initial_password)).status, 200);
	const pw = await s.post('/api/v1/me/password', { old_password: made.json.initial_password, new_password: 'Cache#2026ok' });
	assert.equal(pw.status, 204, pw.text);
	const tok = await s.post('/api/v1/me/tokens', { name: '缓存' });
	assert.equal(tok.status, 201, tok.text);
	const me = () => request(srv.url, '/api/v1/me', { headers: { Authorization: `Bearer ${tok.json.secret}` } });

	const cold = await queriesOf(await me());
	let warm = Infinity;
	for (let i = 0; i < 3; i++) warm = Math.min(warm, await queriesOf(await me()));
	assert.ok(warm + 2 <= cold, `the token's row and roles read once: ${cold} statements cold, ${warm} warm`);

	// filings commit appeals, timelines, audit rows, notifications and counters: the copy stays
	const ent = await srv.login('enterprise');
	const category = (await ent.get('/api/v1/appeal-categories')).json.items[1].children[0].id;
	const texts = [
		['设备进口关税咨询', '进口一台检测设备，想了解关税减免政策和办理流程。'],
		['厂区道路积水严重', '雨后厂区门口道路积水，货车无法进出，请协调市政维修排水。'],
		['招聘技术工人困难', '新生产线缺少焊工和电工，希望对接职业院校和人力资源市场。'],
	];
	let afterFiling = Infinity;
	for (const [title, content] of texts) {
		const f = await ent.post('/api/v1/appeals', { title, content, category_id: category });
		assert.equal(f.status, 201, f.text);
		afterFiling = Math.min(afterFiling, await queriesOf(await me()));
	}
	// (SQLite tells which tables a commit changed; on PostgreSQL every commit drops the copies)
	if (onPostgres) assert.ok(afterFiling > warm, 'read again after each commit');
	else assert.equal(afterFiling, warm, 'a filing leaves the token and its roles in memory');

	// a change to the user is seen at once, not after the copy's two seconds
	assert.equal((await me()).json.user.display_name, '缓存甲');
	const renamed = await admin.patch(`/api/v1/users/${uid}`, { display_name: '缓存乙' });
	assert.equal(renamed.status, 200, renamed.text);
	assert.equal((await me()).json.user.display_name, '缓存乙');
	const off = await admin.patch(`/api/v1/users/${uid}`, { status: 'disabled' });
	assert.equal(off.status, 200, off.text);
	assertError(await me(), 401, 'invalid_token');
});
