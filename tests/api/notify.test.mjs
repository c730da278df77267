// notify.test.mjs: the in-app inbox (unread counts, marking read, nobody else's) and the outgoing
// webhook against a local receiver: its settings (system administrator only; the secret is never
// shown), the JSON body signed with HMAC-SHA256, retries with backoff from the outbox under the
// injected clock, failures visible to administrators and retried on demand, kinds filtered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { assertError, cliUser } from './helpers.mjs';
import { appealServer, cast, file, act, eventually } from './appeals-helpers.mjs';

let srv, c, receiver, received = [], answer = () => 200;
const SECRET = 'gateway-secret-0123456789';
before(async () => {
	srv = await appealServer();
	c = await cast(srv);
	receiver = createServer((req, res) => {
		const chunks = [];
		req.on('data', (d) => chunks.push(d));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			const status = answer(body);
			received.push({ method: req.method, url: req.url, headers: req.headers, body, status });
			res.writeHead(status, { 'Content-Type': 'text/plain' });
			res.end(status < 300 ? 'ok' : 'busy');
		});
	});
	await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
});
after(async () => {
	receiver.close();
	assert.equal((await srv.stop()).code, 0);
});

const hookUrl = () => `http://127.0.0.1:${receiver.address().port}/sms/send?channel=tiejian`;
const inbox = async (s, q = '') => (await s.get('/api/v1/notifications?page_size=100' + q)).json;

// A new appeal is told to whoever may accept it: a dispatcher of an org above its home (a subtree
// role), a handler of its home org itself (an org role), nobody with the permission elsewhere.
test('a filing is told to the dispatchers whose scope holds its home org, and to no one else', async () => {
	const other = (await cliUser(srv, { username: 'jianhua_desk', role: 'dispatcher', org: '230203' })).session;
	const a = await file(c, { topic: '受理通知' });
	const filed = async (s) => (await inbox(s)).items.some((x) => x.kind === 'filed' && x.entity_id === a.id);
	await eventually(() => filed(c.dispatcher), 'the city desk (subtree, above)');
	assert.ok(await filed(c.handler), "the home county's handler (org role, its own org)");
	assert.ok(!(await filed(c.yunxing)), 'a handler of another org');
	assert.ok(!(await filed(other)), "another county's desk");
	assert.ok(!(await filed(c.enterprise)), 'the enterprise that filed it');
});

// The server keeps the holders it looked up while nothing they depend on changed (SQLite): a
// handler added by the command line beside it is told of the next filing, and one whose role is
// taken away through the API is not.
test('who is told follows the people at once, whoever changed them', async () => {
	const filed = async (s, a) => (await inbox(s)).items.some((x) => x.kind === 'filed' && x.entity_id === a.id);
	const home = c.handler.user.org.code;
	const first = await file(c, { topic: '名单变动' }); // the home org's holders, looked up
	assert.ok(await filed(c.handler, first));
	const fresh = (await cliUser(srv, { username: 'longsha_new_desk', role: 'handler', org: home })).session;
	assert.ok(!(await filed(fresh, first)), 'not told of what was filed before');
	const second = await file(c, { topic: '名单变动' });
	assert.ok(await filed(fresh, second), 'the new handler is told of the next filing');
	const sec = await srv.login('secadmin');
	const r = await sec.put(`/api/v1/users/${fresh.user.id}/roles`, { roles: ['cadre'] });
	assert.equal(r.status, 200, r.text);
	const third = await file(c, { topic: '名单变动' });
	assert.ok(await filed(c.handler, third));
	assert.ok(!(await filed(fresh, third)), 'no longer a handler: not told');
});

// A desk's message (what the holders of appeal.dispatch, .handle or .supervise over a unit are
// told) is written once and read by whoever holds the desk: each reader's mark is their own,
// nobody outside the desk can mark it, and someone moved to another org reads that org's desk
// from then on, not the old one's and not what the new one was told before.
test('a desk is told once and read by each of its holders on their own', async () => {
	const a = await file(c, { topic: '岗位消息' });
	const mine = async (s) => (await inbox(s)).items.find((x) => x.kind === 'filed' && x.entity_id === a.id);
	const d = await eventually(() => mine(c.dispatcher), 'the city desk');
	const h = await mine(c.handler);
	assert.ok(h && h.id === d.id, 'one message, read by both desks');
	const outsider = (await cliUser(srv, { username: 'dongshan_desk', role: 'dispatcher', org: '230203' })).session;
	const before = (await outsider.get('/api/v1/notifications/unread-count')).json.unread;
	assertError(await outsider.post(`/api/v1/notifications/${d.id}/read`), 404, 'not_found');
	assert.equal((await outsider.get('/api/v1/notifications/unread-count')).json.unread, before);
	const handlerUnread = (await c.handler.get('/api/v1/notifications/unread-count')).json.unread;
	assert.equal((await c.dispatcher.post(`/api/v1/notifications/${d.id}/read`)).status, 204);
	assert.equal((await mine(c.dispatcher)).read, true);
	assert.equal((await mine(c.handler)).read, false, "the dispatcher's mark is the dispatcher's");
	assert.equal((await c.handler.get('/api/v1/notifications/unread-count')).json.unread, handlerUnread);

	const home = c.handler.user.org.code;
	const mover = (await cliUser(srv, { username: 'longsha_mover', role: 'handler', org: home })).session;
	const b = await file(c, { topic: '岗位调动' });
	assert.ok((await inbox(mover)).items.some((x) => x.entity_id === b.id), 'the home desk reads it');
	const r = await c.sysadmin.patch(`/api/v1/users/${mover.user.id}`, { org_id: c.org['230200-02'] });
	assert.equal(r.status, 200, r.text);
	const moved = (await inbox(mover)).items;
	assert.ok(!moved.some((x) => x.entity_id === b.id), 'the old desk is not theirs any more');
	assert.equal(moved.length, 0, 'nor what the new desk was told before they came');
	assert.equal((await mover.get('/api/v1/notifications/unread-count')).json.unread, 0);
});

test('the inbox: what concerns me, unread counts, marking read; nobody else\'s', async () => {
	const a = await file(c, { topic: '消息测试' });
	await act(c.handler, a, 'accept');
	const before = (await c.yunxing.get('/api/v1/notifications/unread-count')).json.unread;
	await act(c.handler, a, 'assign', { lead_org_id: c.org['230200-02'] });
	let n = await inbox(c.yunxing);
	assert.equal(n.unread, before + 1);
	assert.equal((await c.yunxing.get('/api/v1/notifications/unread-count')).json.unread, before + 1);
	const note = n.items[0];
	assert.equal(note.kind, 'assigned');
	assert.equal(note.kind_name, '交办给您');
	assert.equal(note.entity, 'appeal');
	assert.equal(note.entity_id, a.id);
	assert.match(note.title, new RegExp(a.number));
	assert.equal(note.read, false);
	// the actor is not told of their own action
	assert.ok(!(await inbox(c.handler)).items.some((x) => x.kind === 'assigned' && x.entity_id === a.id));
	// another user's notification is not found, and stays unread
	assertError(await c.handler.post(`/api/v1/notifications/${note.id}/read`), 404, 'not_found');
	assert.equal((await c.handler.post('/api/v1/notifications/abc/read')).status, 404);
	let r = await c.yunxing.post(`/api/v1/notifications/${note.id}/read`);
	assert.equal(r.status, 204);
	n = await inbox(c.yunxing);
	assert.equal(n.unread, before);
	assert.equal(n.items.find((x) => x.id === note.id).read, true);
	assert.ok(n.items.find((x) => x.id === note.id).read_at);
	// read twice is fine
	assert.equal((await c.yunxing.post(`/api/v1/notifications/${note.id}/read`)).status, 204);
	// unread only, then all read
	assert.ok((await inbox(c.yunxing, '&unread=1')).items.every((x) => !x.read));
	r = await c.handler.post('/api/v1/notifications/read-all');
	assert.equal(r.status, 200);
	assert.ok(r.json.marked >= 1);
	assert.equal((await c.handler.get('/api/v1/notifications/unread-count')).json.unread, 0);
	assert.deepEqual((await inbox(c.handler, '&unread=1')).items, []);
	// everyone has an inbox, administrators too; nobody logged out does
	assert.equal((await c.auditadmin.get('/api/v1/notifications')).status, 200);
	assert.equal((await srv.fetch('/api/v1/notifications')).status, 401);
});

// The unread count is kept per user beside the rows (notify_unread): after filings told to
// several desks (filed at once: written in batches), a single read, a read twice, someone else's refused and a read-all, it equals
// the unread rows counted one by one, for every user of the cast.
test('the unread count kept per user equals the unread rows, after any mix of reads', async () => {
	const unreadRows = async (s) => {
		let n = 0;
		for (let page = 1; ; page++) {
			const r = await inbox(s, `&unread=1&page=${page}`);
			assert.ok(r.items.every((x) => !x.read));
			n += r.items.length;
			if (r.items.length < 100) return n;
		}
	};
	// the clock job may tell a desk of a deadline while its rows are counted (an appeal due
	// tomorrow is due soon): the count is read before and after the rows, again if it moved
	const unreadCount = async (s) => (await s.get('/api/v1/notifications/unread-count')).json.unread;
	const check = async (what) => {
		for (const [name, s] of Object.entries(c).filter(([, s]) => s && s.get && s.user)) {
			let count, rows;
			for (let tries = 0; tries < 3; tries++) {
				count = await unreadCount(s);
				rows = await unreadRows(s);
				if (count === await unreadCount(s)) break;
			}
			assert.equal(count, rows, `${what}: ${name}`);
		}
	};
	// filed together, so that the server writes them in batches (the desks counted once a batch)
	const filed = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => file(c, { topic: `未读计数${i}` })));
	const a = filed[5];
	await check('after filings');
	const first = (await inbox(c.dispatcher, '&unread=1')).items.find((x) => x.entity_id === a.id);
	assert.ok(first, 'the city desk was told');
	assert.ok((await inbox(c.handler)).items.some((x) => x.id === first.id), 'one message, two desks');
	assert.equal((await c.dispatcher.post(`/api/v1/notifications/${first.id}/read`)).status, 204);
	assert.equal((await c.dispatcher.post(`/api/v1/notifications/${first.id}/read`)).status, 204);
	assert.equal((await c.handler.post(`/api/v1/notifications/${first.id}/read`)).status, 204,
		'the same message, the county desk\'s own copy');
	await check('after single reads');
	assert.equal((await c.dispatcher.post('/api/v1/notifications/read-all')).status, 200);
	const last = await file(c, { topic: '未读计数再来' });
	await check('after read-all and a new filing');
	const unread = (await inbox(c.dispatcher, '&unread=1')).items.filter((x) => x.kind !== 'due_soon');
	assert.deepEqual(unread.map((x) => [x.kind, x.entity_id]), [['filed', last.id]]);
});

test('the webhook\'s settings: the system administrator\'s, checked, the secret never shown', async () => {
	let r = await c.sysadmin.get('/api/v1/notify/webhook');
	assert.equal(r.status, 200, r.text);
	assert.deepEqual([r.json.url, r.json.enabled, r.json.secret_set], ['', false, false]);
	assert.ok(r.json.available_kinds.some((k) => k.code === 'assigned' && k.name === '交办给您'));
	for (const u of ['leader', 'dispatcher', 'secadmin'])
		if (c[u]) assertError(await c[u].get('/api/v1/notify/webhook'), 403, 'permission_denied');
	const put = (body) => c.sysadmin.put('/api/v1/notify/webhook', body);
	assertError(await put({ url: 'ftp://gateway/x', secret: SECRET, enabled: true }), 422, 'invalid_url', { field: 'url' });
	assertError(await put({ url: 'http://user:pw@gateway/x', secret: SECRET, enabled: true }), 422, 'invalid_url', { field: 'url' });
	assertError(await put({ url: 'http://gateway:99999/x', secret: SECRET, enabled: true }), 422, 'invalid_url', { field: 'url' });
	assertError(await put({ url: hookUrl(), secret: 'short', enabled: true }), 422, 'weak_secret', { field: 'secret' });
	assertError(await put({ url: hookUrl(), enabled: true }), 422, 'weak_secret', { field: 'secret' });
	assertError(await put({ url: hookUrl(), secret: SECRET, enabled: true, kinds: ['nope'] }), 422, 'invalid_choice', { field: 'kinds' });
	r = await put({ url: hookUrl(), secret: SECRET, enabled: false });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual([r.json.url, r.json.enabled, r.json.secret_set], [hookUrl(), false, true]);
	assert.ok(!JSON.stringify(r.json).includes(SECRET));
	// changing the URL keeps the secret
	r = await put({ url: hookUrl(), enabled: false });
	assert.equal(r.json.secret_set, true);
	const audit = await c.auditadmin.get('/api/v1/audit?entity=notify_webhook&page_size=10');
	assert.ok(audit.json.items.length >= 2);
	assert.ok(!JSON.stringify(audit.json).includes(SECRET), 'the secret is not in the audit log');
});

test('deliveries: signed JSON posted to the gateway; nothing while it is off', async () => {
	// while off, nothing is queued
	const off = await file(c, { topic: '推送关闭时的诉求' });
	await new Promise((r) => setTimeout(r, 1500));
	assert.equal(received.length, 0);
	let r = await c.sysadmin.put('/api/v1/notify/webhook', { url: hookUrl(), secret: SECRET, enabled: true });
	assert.equal(r.json.enabled, true);
	const a = await file(c, { topic: '推送测试' });
	await srv.clock({ advance_s: 6 });
	// its filing (the clock job may tell of its deadline too, wherever the test runs)
	const got = await eventually(() => received.find((x) => JSON.parse(x.body).notification.entity_id === a.id
		&& JSON.parse(x.body).notification.kind === 'filed'), 'a delivery');
	assert.equal(got.method, 'POST');
	assert.equal(got.url, '/sms/send?channel=tiejian');
	assert.match(got.headers['content-type'], /^application\/json/);
	const ts = got.headers['x-tiejian-timestamp'];
	const want = 'sha256=' + createHmac('sha256', SECRET).update(`${ts}.${got.body}`).digest('hex');
	assert.equal(got.headers['x-tiejian-signature'], want, 'HMAC-SHA256 of "timestamp.body"');
	assert.match(got.headers['x-tiejian-delivery'], /^\d+$/);
	const body = JSON.parse(got.body);
	assert.equal(body.event, 'notification');
	assert.equal(body.notification.kind, 'filed');
	assert.equal(body.notification.kind_name, '新诉求待受理');
	assert.equal(body.notification.entity, 'appeal');
	assert.ok(body.user.username && body.user.display_name);
	assert.ok(!received.some((x) => JSON.parse(x.body).notification.entity_id === off.id));
	// the job writes the outcome after the gateway has answered
	await eventually(async () => (await c.sysadmin.get('/api/v1/notify/deliveries?status=delivered')).json.items
		.some((x) => String(x.id) === got.headers['x-tiejian-delivery'] && x.last_status === 200 && x.attempts === 1),
	'the delivery recorded once, delivered');
	assertError(await c.sysadmin.get('/api/v1/notify/deliveries?status=lost'), 422, 'invalid_choice', { field: 'status' });
});

test('a failing gateway: retried with backoff, then failed for an administrator to see and retry', async () => {
	// filings only: the clock moved by hours below, or passing a working day's end wherever the
	// test runs, tells of deadlines too, and those deliveries would crowd the list and the job
	await c.sysadmin.put('/api/v1/notify/webhook', { url: hookUrl(), enabled: true, kinds: ['filed'] });
	const deliveries = async () => (await c.sysadmin.get('/api/v1/notify/deliveries?page_size=100')).json.items;
	received = [];
	answer = () => 503;
	const a = await file(c, { topic: '推送失败测试' });
	await srv.clock({ advance_s: 6 });
	await eventually(() => received.length >= 1, 'the first attempt');
	let d = await eventually(async () => (await c.sysadmin.get('/api/v1/notify/deliveries?status=pending')).json.items
		.find((x) => x.attempts === 1 && x.last_status === 503), 'the failure recorded');
	assert.match(d.last_error, /503/);
	// a filing tells several people, and the job sends their deliveries one after another:
	// count once every one of them has had its first attempt
	await eventually(async () => (await c.sysadmin.get('/api/v1/notify/deliveries?status=pending')).json.items
		.every((x) => x.attempts >= 1), 'every first attempt');
	// not again before the backoff (60 s) is over
	const n = received.length;
	await srv.clock({ advance_s: 30 });
	await new Promise((r) => setTimeout(r, 2000));
	assert.equal(received.length, n);
	// the gateway recovers; the retry gets through
	answer = () => 200;
	await srv.clock({ advance_s: 40 });
	await eventually(async () => (await c.sysadmin.get('/api/v1/notify/deliveries?status=delivered')).json.items
		.some((x) => x.id === d.id && x.attempts === 2), 'the retry');
	// a gateway that stays down: eight attempts, the waits doubling, then failed
	answer = () => 500;
	received = [];
	const last = (await c.sysadmin.get('/api/v1/notify/deliveries?page_size=1')).json.items[0].id;
	await file(c, { topic: '推送始终失败测试' });
	// the deliveries of this filing
	const ids = new Set((await deliveries()).filter((x) => x.id > last).map((x) => x.id));
	assert.ok(ids.size > 0);
	// the job runs every 5 s of the clock, which also moves with real time: the first attempt
	// may come before the clock is moved, so each move is the wait after the attempt before
	// (60 s, doubling, at most an hour) and a few seconds more, never two waits
	for (let attempt = 1; attempt <= 8; attempt++) {
		await srv.clock({ advance_s: (attempt === 1 ? 0 : Math.min(60 * 2 ** (attempt - 2), 3600)) + 6 });
		d = await eventually(async () => {
			const mine = (await deliveries()).filter((x) => ids.has(x.id));
			return mine.length === ids.size && mine.every((x) => x.attempts === attempt) && mine[0];
		}, `attempt ${attempt}`);
	}
	assert.equal(d.status, 'failed');
	assert.equal(d.last_status, 500);
	const failed = (await c.sysadmin.get('/api/v1/notify/deliveries?status=failed')).json;
	assert.ok(failed.items.some((x) => x.id === d.id));
	assert.ok(d.recipient);
	assert.equal((await c.sysadmin.get('/api/v1/notify/webhook')).json.deliveries.failed >= 1, true);
	// no further attempts by itself
	await srv.clock({ advance_s: 7200 });
	await new Promise((r) => setTimeout(r, 2000));
	assert.equal(received.filter((x) => x.status === 500).length >= 8, true);
	const count = received.length;
	await new Promise((r) => setTimeout(r, 1500));
	assert.equal(received.length, count);
	// an administrator retries it once the gateway is back
	answer = () => 200;
	assertError(await c.sysadmin.post('/api/v1/notify/deliveries/999999/retry'), 404, 'not_found');
	assert.equal((await c.sysadmin.post(`/api/v1/notify/deliveries/${d.id}/retry`)).status, 204);
	await srv.clock({ advance_s: 6 });
	await eventually(async () => (await c.sysadmin.get('/api/v1/notify/deliveries?status=delivered')).json.items
		.some((x) => x.id === d.id), 'the manual retry');
	assert.ok(a.id > 0);
});

test('only the kinds asked for; a test message on demand', async () => {
	let r = await c.sysadmin.put('/api/v1/notify/webhook', { url: hookUrl(), enabled: true, kinds: ['escalated', 'test'] });
	assert.deepEqual(r.json.kinds, ['escalated', 'test']);
	received = [];
	const a = await file(c, { topic: '只推送升级' });
	await act(c.handler, a, 'accept');
	await act(c.handler, a, 'assign', { lead_org_id: c.org['230202'] });
	await act(c.supervisor, a, 'escalate', { note: '请领导协调' });
	await srv.clock({ advance_s: 6 });
	await eventually(() => received.some((x) => JSON.parse(x.body).notification.kind === 'escalated'), 'the escalation');
	assert.ok(received.every((x) => ['escalated'].includes(JSON.parse(x.body).notification.kind)));
	r = await c.sysadmin.post('/api/v1/notify/webhook/test');
	assert.equal(r.status, 202, r.text);
	await srv.clock({ advance_s: 6 });
	await eventually(() => received.some((x) => JSON.parse(x.body).notification.kind === 'test'), 'the test message');
	await c.sysadmin.put('/api/v1/notify/webhook', { url: hookUrl(), enabled: false });
	assertError(await c.sysadmin.post('/api/v1/notify/webhook/test'), 409, 'webhook_disabled');
});
