// errors.test.mjs: every error status of DESIGN.md produced by a real request, each with the one
// JSON error body {"error":{"code","message","field?"}} (431 excepted: libmicrohttpd answers it),
// and no stored change after a refused write.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request } from '../lib/server.mjs';
import { assertError, login, rawHttp } from './helpers.mjs';

const BODY_MAX = 4096;
let srv, admin, cityId, orgTotal, userTotal;
before(async () => {
	srv = await startServer({ args: ['--body-max', String(BODY_MAX), '--login-rate', '8/60', '--trust-proxy'] });
	admin = await srv.login('sysadmin');
	cityId = admin.user.org.id;
	orgTotal = (await admin.get('/api/v1/orgs')).json.total;
	userTotal = (await admin.get('/api/v1/users')).json.total;
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

/* Nothing was created by a refused write. */
async function unchanged() {
	assert.equal((await admin.get('/api/v1/orgs')).json.total, orgTotal, 'orgs unchanged');
	assert.equal((await admin.get('/api/v1/users')).json.total, userTotal, 'users unchanged');
}

const postRaw = (path, body, contentType = 'application/json') =>
	admin.req('POST', path, { body, headers: { 'Content-Type': contentType } });

test('400: malformed JSON, duplicate keys, too deep, invalid UTF-8, a raw NUL, empty, not an object', async () => {
	assertError(await postRaw('/api/v1/orgs', '{"code": "A1", "name": '), 400, 'malformed_json',
		{ match: /^请求内容不是有效的JSON（第1行第\d+列）$/ });
	assertError(await postRaw('/api/v1/orgs', '{"code":"A1","code":"A2"}'), 400, 'duplicate_key',
		{ message: 'JSON中有重复的字段名' });
	assertError(await postRaw('/api/v1/orgs', '{"a":'.repeat(33) + '1' + '}'.repeat(33)), 400, 'too_deep',
		{ message: 'JSON嵌套层数超过32层' });
	assertError(await postRaw('/api/v1/orgs', '['.repeat(40) + ']'.repeat(40)), 400, 'too_deep');
	// 32 levels is still fine for the parser (then refused as not an object).
	assertError(await postRaw('/api/v1/orgs', '['.repeat(32) + ']'.repeat(32)), 400, 'malformed_json',
		{ message: '请求内容应为JSON对象' });
	const badUtf8 = Buffer.concat([Buffer.from('{"code":"A1","name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
	assertError(await postRaw('/api/v1/orgs', badUtf8), 400, 'invalid_utf8', { message: '请求内容不是有效的UTF-8编码' });
	const overlong = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]);
	assertError(await postRaw('/api/v1/orgs', overlong), 400, 'invalid_utf8');
	const nul = Buffer.concat([Buffer.from('{"code":"A1'), Buffer.from([0]), Buffer.from('","name":"x"}')]);
	assertError(await postRaw('/api/v1/orgs', nul), 400, 'malformed_json', { message: '请求内容含有空字符（NUL），不是有效的JSON' });
	assertError(await postRaw('/api/v1/orgs', '{"code":"A\\u0000B","name":"x","kind":"department"}'), 400, 'malformed_json');
	assertError(await postRaw('/api/v1/orgs', ''), 400, 'empty_body', { message: '请求内容不能为空' });
	assertError(await postRaw('/api/v1/orgs', '[1,2]'), 400, 'malformed_json', { message: '请求内容应为JSON对象' });
	assertError(await postRaw('/api/v1/orgs', '"text"'), 400, 'malformed_json');
	// The same checks guard the public login.
	const loginDup = await request(srv.url, '/api/v1/auth/login', {
		method: 'POST', body: '{"username":"leader","username":"sysadmin","password":"Demo@2026"}',
		headers: { 'Content-Type': 'application/json' } });
	assertError(loginDup, 400, 'duplicate_key');
	// Invalid UTF-8 in a query string is a 400 naming the parameter.
	assertError(await admin.get('/api/v1/orgs?q=%ff%fe'), 400, 'invalid_utf8', { field: 'q' });
	await unchanged();
});

test('401: no session', async () => {
	assertError(await srv.fetch('/api/v1/users'), 401, 'unauthorized', { message: '请先登录' });
	assertError(await srv.fetch('/api/v1/orgs', { method: 'POST', json: {} }), 401, 'unauthorized');
});

test('403: CSRF and permission', async () => {
	assertError(await admin.post('/api/v1/orgs', {}, { csrf: false }), 403, 'csrf_failed');
	const leader = await srv.login('leader');
	assertError(await leader.post('/api/v1/orgs', { parent_id: cityId, code: 'E403', name: '无权', kind: 'department' }),
		403, 'permission_denied', { message: '您没有执行此操作的权限' });
	assertError(await leader.get('/api/v1/audit'), 403, 'permission_denied');
	await unchanged();
});

test('404: unknown id, out-of-scope id, non-numeric id, unknown endpoint', async () => {
	const NF = '找不到该记录，或您无权查看';
	assertError(await admin.get('/api/v1/orgs/999999'), 404, 'not_found', { message: NF });
	assertError(await admin.get('/api/v1/users/999999'), 404, 'not_found', { message: NF });
	// The province org exists (it is the city's parent) but is outside the city admin's scope.
	const provinceId = (await admin.get(`/api/v1/orgs/${cityId}`)).json.parent_id;
	assert.ok(provinceId);
	assertError(await admin.get(`/api/v1/orgs/${provinceId}`), 404, 'not_found', { message: NF });
	assertError(await admin.patch(`/api/v1/orgs/${provinceId}`, { name: '改省厅' }), 404, 'not_found');
	for (const id of ['abc', '0', '-1', '1.5', '1e3', '99999999999999999999'])
		assertError(await admin.get(`/api/v1/orgs/${id}`), 404, 'not_found', { message: NF });
	assertError(await srv.fetch('/api/v1/no-such-thing'), 404, 'no_such_endpoint', { message: '没有这个接口' });
	assertError(await srv.fetch('/api/v2/orgs'), 404, 'no_such_endpoint');
	assertError(await srv.fetch('/api'), 404, 'no_such_endpoint');
});

test('405: a known path with another method, with an Allow header', async () => {
	const r = await admin.del('/api/v1/orgs');
	assertError(r, 405, 'method_not_allowed', { message: '不支持该请求方法' });
	assert.equal(r.headers.get('allow'), 'GET, POST');
	const r2 = await admin.req('PUT', `/api/v1/orgs/${cityId}`, { json: {} });
	assertError(r2, 405, 'method_not_allowed');
	assert.equal(r2.headers.get('allow'), 'GET, PATCH');
	const r3 = await srv.fetch('/api/v1/auth/login');
	assertError(r3, 405, 'method_not_allowed');
	assert.equal(r3.headers.get('allow'), 'POST');
	await unchanged();
});

test('409: a duplicate username, a duplicate org code', async () => {
	const u = await admin.post('/api/v1/users', { username: 'leader', display_name: '重名', org_id: cityId });
	assertError(u, 409, 'duplicate_username', { message: '用户名已被使用', field: 'username' });
	const o = await admin.post('/api/v1/orgs', { parent_id: cityId, code: '230200-01', name: '重复', kind: 'department' });
	assertError(o, 409, 'duplicate_code', { message: '机构代码已被使用', field: 'code' });
	// Renaming an org's code onto another's is a conflict too, and leaves it as it was.
	const sections = (await admin.get(`/api/v1/orgs?parent_id=${cityId}&kind=department`)).json.items;
	const [a, b] = sections;
	assertError(await admin.patch(`/api/v1/orgs/${a.id}`, { code: b.code, name: '改名' }), 409, 'duplicate_code', { field: 'code' });
	const after = (await admin.get(`/api/v1/orgs/${a.id}`)).json;
	assert.equal(after.code, a.code);
	assert.equal(after.name, a.name);
	await unchanged();
});

test('413: a body over --body-max, read or announced by Content-Length, or chunked', async () => {
	const big = { parent_id: cityId, code: 'BIG', name: 'x'.repeat(BODY_MAX), kind: 'department' };
	assertError(await admin.post('/api/v1/orgs', big), 413, 'too_large', { message: '提交的内容超过4 KB上限' });
	// Announced: refused before the body is read, and the connection is closed.
	const head = `POST /api/v1/orgs HTTP/1.1\r\nHost: ${new URL(srv.url).host}\r\nCookie: ${admin.cookie}\r\n` +
		`X-CSRF-Token: ${admin.csrf}\r\nContent-Type: application/json\r\n`;
	const announced = await rawHttp(srv.url, head + 'Content-Length: 10000000\r\n\r\n{"code":');
	assert.equal(announced.status, 413, announced.text);
	assert.equal(announced.headers.connection, 'close');
	assert.deepEqual(JSON.parse(announced.body), { error: { code: 'too_large', message: '提交的内容超过4 KB上限' } });
	// Chunked, with no length announced: counted while read.
	const chunk = JSON.stringify(big);
	const chunked = await rawHttp(srv.url, head + 'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
		`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n0\r\n\r\n`);
	assert.equal(chunked.status, 413, chunked.text);
	assert.equal(JSON.parse(chunked.body).error.code, 'too_large');
	// Just under the limit is read and judged on its content.
	const fits = await admin.post('/api/v1/orgs', { parent_id: cityId, code: 'FITS', name: 'x'.repeat(3900), kind: 'department' });
	assertError(fits, 422, 'too_long', { field: 'name', message: '机构名称不能超过60个字符' });
	await unchanged();
});

test('415: text/plain (or nothing) to a JSON route', async () => {
	const body = JSON.stringify({ parent_id: cityId, code: 'T415', name: '纯文本', kind: 'department' });
	const MSG = '请求内容类型不受支持，应为 application/json';
	assertError(await postRaw('/api/v1/orgs', body, 'text/plain'), 415, 'unsupported_media_type', { message: MSG });
	assertError(await postRaw('/api/v1/orgs', body, 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
	assertError(await postRaw('/api/v1/orgs', body, 'application/jsonp'), 415, 'unsupported_media_type');
	assertError(await admin.req('POST', '/api/v1/orgs', { body }), 415, 'unsupported_media_type');
	// A charset parameter is fine.
	const ok = await postRaw('/api/v1/orgs', body, 'application/json; charset=utf-8');
	assert.equal(ok.status, 201, ok.text);
	orgTotal++;
	await unchanged();
});

test('422: an invalid value, with the field named', async () => {
	const base = { parent_id: cityId, code: 'V422', name: '校验', kind: 'department' };
	assertError(await admin.post('/api/v1/orgs', { ...base, code: 'has space' }), 422, 'invalid_code',
		{ message: '机构代码只能包含字母、数字、连字符和下划线', field: 'code' });
	assertError(await admin.post('/api/v1/orgs', { ...base, name: '' }), 422, 'required', { message: '机构名称不能为空', field: 'name' });
	assertError(await admin.post('/api/v1/orgs', { ...base, kind: 'planet' }), 422, 'invalid_choice',
		{ message: '机构类型应为以下之一：province、city、county、department', field: 'kind' });
	assertError(await admin.post('/api/v1/orgs', { ...base, sort: 'first' }), 422, 'wrong_type', { message: '排序应为整数', field: 'sort' });
	assertError(await admin.post('/api/v1/orgs', { ...base, region_code: '23' }), 422, 'invalid_region', { field: 'region_code' });
	assertError(await admin.post('/api/v1/orgs', { ...base, color: 'red' }), 422, 'unknown_field', { message: '不认识的字段"color"', field: 'color' });
	assertError(await admin.post('/api/v1/orgs', { ...base, name: '控制\u0001字符' }), 422, 'invalid_character', { field: 'name' });
	assertError(await admin.get('/api/v1/orgs?page_size=101'), 422, 'out_of_range', { field: 'page_size' });
	await unchanged();
});

test('423: a locked account, with Retry-After', async () => {
	const ip = { 'X-Real-IP': '10.9.9.1' };
	for (let i = 0; i < 4; i++) await login(srv, 'enterprise', 'Wrong@2026', ip);
	const r = await login(srv, 'enterprise', 'Wrong@2026', ip);
	assertError(r, 423, 'account_locked');
	assert.equal(r.headers.get('retry-after'), '900');
});

test('429: too many logins from one address, with Retry-After', async () => {
	const ip = { 'X-Real-IP': '10.9.9.2' };
	for (let i = 0; i < 8; i++) assertError(await login(srv, 'nobody', 'x', ip), 401, 'invalid_credentials');
	const r = await login(srv, 'nobody', 'x', ip);
	assertError(r, 429, 'rate_limited', { message: '登录尝试过于频繁，请稍后再试' });
	assert.match(r.headers.get('retry-after') || '', /^\d+$/);
});

test('431: a 40 KB header is refused by libmicrohttpd', async () => {
	const r = await srv.fetch('/api/v1/me', { headers: { 'X-Padding': 'a'.repeat(40 * 1024) } });
	assert.equal(r.status, 431);
	// The server is still fine afterwards.
	assert.equal((await admin.get('/api/v1/me')).status, 200);
});
