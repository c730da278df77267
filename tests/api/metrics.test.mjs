// metrics.test.mjs: /healthz, and /metrics in the Prometheus text format: request counters by
// route and status that move with requests, latency histograms, database connections, and the
// slow lane that password hashing runs on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';

let srv;
before(async () => {
	srv = await startServer({ demo: false });
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

/* Samples of the exposition as { 'name{labels}': value }, checking each line's syntax. */
async function scrape() {
	const r = await srv.fetch('/metrics');
	assert.equal(r.status, 200);
	assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
	assert.equal(r.headers.get('cache-control'), 'no-store');
	const samples = {}, types = {};
	for (const line of r.text.split('\n')) {
		if (!line) continue;
		let m;
		if ((m = line.match(/^# TYPE (\w+) (counter|gauge|histogram)$/))) {
			types[m[1]] = m[2];
			continue;
		}
		if (/^# HELP \w+ .+$/.test(line)) continue;
		m = line.match(/^(\w+)(\{(\w+="[^"\\\n]*",?)*\})? (-?\d+(\.\d+)?(e[+-]?\d+)?)$/);
		assert.ok(m, `not a Prometheus sample line: ${line}`);
		samples[m[1] + (m[2] || '')] = Number(m[4]);
	}
	return { samples, types, text: r.text };
}
const reqs = (s, method, route, status) =>
	s.samples[`tiejian_http_requests_total{method="${method}",route="${route}",status="${status}"}`] || 0;

/* A request is counted when it completes, just after its answer went out, so a scrape right
 * after the answer may come first (seen on a slow build): scrape until ready(s) or 5 s. */
async function scrapeUntil(ready) {
	let s;
	for (let i = 0; i < 100; i++) {
		if (ready((s = await scrape()))) return s;
		await new Promise((r) => setTimeout(r, 50));
	}
	return s;
}

test('/healthz answers ok with the database, without a login', async () => {
	const r = await srv.fetch('/healthz');
	assert.equal(r.status, 200);
	assert.deepEqual(r.json, { status: 'ok', database: 'ok' });
	assert.equal((await srv.fetch('/healthz', { method: 'POST' })).status, 405);
});

test('tiejian_http_requests_total counts by route and status, and moves with requests', async () => {
	const before = await scrape();
	assert.equal(before.types.tiejian_http_requests_total, 'counter');
	for (let i = 0; i < 3; i++) assert.equal((await srv.fetch('/api/v1/me')).status, 401);
	for (let i = 0; i < 2; i++) assert.equal((await srv.fetch('/api/v1/calendar/deadline?from=2026-03-02&days=1')).status, 200);
	assert.equal((await srv.fetch('/api/v1/calendar/deadline?from=2026-02-30&days=1')).status, 422);
	assert.equal((await srv.fetch('/api/v1/orgs/tree')).status, 401);
	assert.equal((await srv.fetch('/api/v1/nope')).status, 404);
	assert.equal((await srv.fetch('/users')).status, 200);
	const moved = (s, m, route, st) => reqs(s, m, route, st) - reqs(before, m, route, st);
	// The route is the pattern, not the path: ids never explode the label set.
	const expected = [
		['GET', '/api/v1/me', 401, 3], ['GET', '/api/v1/calendar/deadline', 200, 2],
		['GET', '/api/v1/calendar/deadline', 422, 1], ['GET', '/api/v1/orgs/tree', 401, 1],
		['-', 'unmatched', 404, 1], ['GET', 'static', 200, 1],
	];
	const after = await scrapeUntil((s) => expected.every(([m, route, st, n]) => moved(s, m, route, st) >= n));
	for (const [m, route, st, n] of expected)
		assert.equal(moved(after, m, route, st), n, `${m} ${route} ${st}`);
	assert.doesNotMatch(after.text, /route="\/api\/v1\/orgs\/\d+"/);
	await srv.fetch('/api/v1/orgs/12345');
	const byId = /route="\/api\/v1\/orgs\/:id",status="401"\} 1\n/;
	assert.match((await scrapeUntil((s) => byId.test(s.text))).text, byId);
	// /healthz and /metrics count themselves too.
	assert.ok(reqs(after, 'GET', '/metrics', 200) >= 1);
});

test('latency histograms: cumulative buckets up to +Inf, with sum and count', async () => {
	await srv.fetch('/api/v1/calendar/2026');
	const { samples, types } = await scrape();
	assert.equal(types.tiejian_http_request_duration_seconds, 'histogram');
	const base = 'tiejian_http_request_duration_seconds';
	const lbl = 'method="GET",route="/api/v1/calendar/:year"';
	const buckets = Object.entries(samples)
		.filter(([k]) => k.startsWith(`${base}_bucket{${lbl},le=`))
		.map(([k, v]) => [k.match(/le="([^"]+)"/)[1], v]);
	assert.ok(buckets.length >= 5, 'several buckets');
	assert.equal(buckets.at(-1)[0], '+Inf');
	const les = buckets.slice(0, -1).map(([le]) => Number(le));
	assert.deepEqual(les, [...les].sort((a, b) => a - b), 'bucket bounds ascend');
	for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i][1] >= buckets[i - 1][1], 'cumulative');
	assert.equal(buckets.at(-1)[1], samples[`${base}_count{${lbl}}`]);
	assert.ok(samples[`${base}_count{${lbl}}`] >= 1);
	assert.ok(samples[`${base}_sum{${lbl}}`] > 0);
	assert.ok(samples[`${base}_sum{${lbl}}`] < 10, 'seconds, not milliseconds');
});

test('database connections and requests in flight are gauges', async () => {
	const { samples, types } = await scrape();
	assert.equal(types.tiejian_db_connections, 'gauge');
	const open = samples['tiejian_db_connections{state="open"}'];
	const inUse = samples['tiejian_db_connections{state="in_use"}'];
	assert.ok(open >= 1, `open ${open}`);
	assert.ok(inUse >= 0 && inUse <= open, `in use ${inUse} of ${open}`);
	assert.equal(types.tiejian_http_requests_in_flight, 'gauge');
	assert.equal(samples.tiejian_http_requests_in_flight, 1, 'the scrape itself');
	assert.ok('tiejian_jobs_total{result="ok"}' in samples);
});

test('a login runs on the slow lane (it hashes a password), a plain request does not', async () => {
	const lane = (s) => s.samples.tiejian_slow_lane_requests_total;
	const before = await scrape();
	assert.equal(before.types.tiejian_slow_lane_requests_total, 'counter');
	assert.equal(before.types.tiejian_slow_lane_waiting, 'gauge');
	assert.equal(before.samples.tiejian_slow_lane_waiting, 0);
	const r = await srv.fetch('/api/v1/auth/login', { method: 'POST', json: { username: 'nobody', password: 'Wrong@2026' } });
	assert.equal(r.status, 401, r.text);
	assert.equal(r.json.error.code, 'invalid_credentials');
	assert.equal((await srv.fetch('/healthz')).status, 200);
	const after = await scrape();
	assert.equal(lane(after), lane(before) + 1, 'the login, and nothing else');
	assert.equal(after.samples.tiejian_slow_lane_waiting, 0);
});

test('writes and exports run on the write lane; reads, logins and unknown paths do not', async () => {
	const lane = (s) => s.samples.tiejian_write_lane_requests_total;
	const before = await scrape();
	assert.equal(before.types.tiejian_write_lane_requests_total, 'counter');
	assert.equal(before.types.tiejian_write_lane_waiting, 'gauge');
	// on the lane: a write (refused for want of a session, but routed) and an export
	assert.equal((await srv.fetch('/api/v1/auth/logout', { method: 'POST', json: {} })).status, 401);
	assert.equal((await srv.fetch('/api/v1/enterprises/export')).status, 401);
	// not on it: a read, a login (the slow lane), a write to no route, a health check
	assert.equal((await srv.fetch('/api/v1/me')).status, 401);
	const login = await srv.fetch('/api/v1/auth/login', { method: 'POST', json: { username: 'nobody', password: 'Wrong@2026' } });
	assert.equal(login.status, 401, login.text);
	assert.equal((await srv.fetch('/api/v1/no-such-thing', { method: 'POST', json: {} })).status, 404);
	assert.equal((await srv.fetch('/healthz')).status, 200);
	const after = await scrape();
	assert.equal(lane(after), lane(before) + 2, 'the write and the export, and nothing else');
	assert.equal(after.samples.tiejian_write_lane_waiting, 0);
});
