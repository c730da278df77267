// badinput-table.mjs: hostile inputs and what tiejian answers them, as data (badinput.test.mjs
// runs it). Each row is refused with its status, its error code and a Chinese message, and leaves
// the stored data as it was (the digest of the business tables before and after is the same).
// A module adds its rows here.
//
// A row: { name, as: USER | null, method, path,
//          json | body (string or Buffer) | raw: (ctx) => { body, type },  headers: {...},
//          csrf: false (omit the CSRF header),
//          setup: async (ctx) => {...} (before, may fill ctx for body/path functions),
//          want: status, code: error code (null: no JSON body, e.g. libmicrohttpd's own 431),
//          retryAfter: true (a Retry-After header is required), field: 'name' (optional),
//          changes: ['table', ...] (tables this row may change: login counters and the like) }
// Functions of ctx may stand for path, json, body and headers: ctx = { p: sessions, srv, big, ... }.
import { execFileSync } from 'node:child_process';
import { makeUscc, makeXlsx, makeZip, readZip } from './enterprises-lib.mjs';

const gb18030 = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
const cat = (...parts) => Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
const ORG = { parent_id: 2, code: 'BAD-1', name: '坏输入测试科', kind: 'department' };
const ENT = { uscc: makeUscc(4242, '230202'), name: '坏输入测试企业', region_code: '230202' };
const LOGIN_CHANGES = ['users', 'audit_log', 'sessions', 'login_throttle'];

/* A zip of 140 MB of blanks in a few hundred KB, named and shaped like an .xlsx. */
function zipBomb() {
	const book = makeXlsx([['统一社会信用代码', '企业名称', '所在地区代码']]);
	const z = readZip(book);
	const sheet = Buffer.alloc(140 * 1024 * 1024, 0x20);
	const name = Object.keys(z).find((n) => n.endsWith('sheet1.xml'));
	z[name].copy(sheet, 0);
	return makeZip(Object.entries(z).map(([n, data]) => ({ name: n, data: n === name ? sheet : data })));
}

export const BAD_INPUTS = [
	// ---- the body
	{ name: 'malformed JSON', as: 'sysadmin', method: 'POST', path: '/api/v1/orgs', body: '{"code": "A1", "name": ', want: 400, code: 'malformed_json' },
	{ name: 'duplicate keys', as: 'sysadmin', method: 'POST', path: '/api/v1/orgs', body: '{"code":"A1","code":"A2","name":"x","kind":"department","parent_id":2}', want: 400, code: 'duplicate_key' },
	{ name: 'nesting too deep', as: 'statistician', method: 'POST', path: '/api/v1/enterprises', body: '{"a":'.repeat(40) + '1' + '}'.repeat(40), want: 400, code: 'too_deep' },
	{ name: 'arrays nested too deep', as: 'enterprise', method: 'POST', path: '/api/v1/appeals', body: '['.repeat(100) + ']'.repeat(100), want: 400, code: 'too_deep' },
	{ name: 'invalid UTF-8', as: 'sysadmin', method: 'POST', path: '/api/v1/orgs', body: cat('{"code":"A1","name":"', Buffer.from([0xc3, 0x28]), '"}'), want: 400, code: 'invalid_utf8' },
	{ name: 'an overlong UTF-8 form', as: 'enterprise', method: 'POST', path: '/api/v1/appeals', body: cat('{"title":"', Buffer.from([0xc0, 0xaf]), '"}'), want: 400, code: 'invalid_utf8' },
	{ name: 'a UTF-16 surrogate encoded as UTF-8', as: 'statistician', method: 'POST', path: '/api/v1/enterprises', body: cat('{"name":"', Buffer.from([0xed, 0xa0, 0x80]), '"}'), want: 400, code: 'invalid_utf8' },
	{ name: 'a raw NUL byte', as: 'sysadmin', method: 'POST', path: '/api/v1/orgs', body: cat('{"code":"A1', Buffer.from([0]), '","name":"x"}'), want: 400, code: 'malformed_json' },
	{ name: 'an escaped NUL', as: 'enterprise', method: 'POST', path: '/api/v1/appeals', json: { title: '标题\u0000截断', content: '内容', category_id: 11 }, want: 400, code: 'malformed_json' },
	{ name: 'a control character in a name', as: 'sysadmin', method: 'POST', path: '/api/v1/orgs', json: { ...ORG, name: '控制\u0007字符' }, want: 422, code: 'invalid_character', field: 'name' },
	{ name: 'an overlong string (70 KB)', as: 'enterprise', method: 'POST', path: '/api/v1/appeals', json: { title: '长', content: '长'.repeat(24000), category_id: 11 }, want: 422, code: 'too_long' },
	{ name: 'a name over its length', as: 'statistician', method: 'POST', path: '/api/v1/enterprises', json: { ...ENT, name: '企'.repeat(101) }, want: 422, code: 'too_long', field: 'name' },
	{ name: 'a body over the limit (read)', as: 'enterprise', method: 'POST', path: '/api/v1/appeals', body: JSON.stringify({ title: 'x', content: 'y'.repeat(1100 * 1024) }), want: 413, code: 'too_large' },
	{ name: 'an upload over the limit', as: 'statistician', method: 'POST', path: '/api/v1/enterprises/import', body: Buffer.alloc(2100 * 1024, 0x41), headers: { 'Content-Type': 'text/csv' }, want: 413, code: 'too_large' },
	{ name: 'text/plain to a JSON route', as: 'sysadmin', method: 'POST', path: '/api/v1/orgs', body: JSON.stringify(ORG), headers: { 'Content-Type': 'text/plain' }, want: 415, code: 'unsupported_media_type' },
	{ name: 'a form to a JSON route', as: 'enterprise', method: 'POST', path: '/api/v1/appeals', body: 'title=a&content=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, want: 415, code: 'unsupported_media_type' },
	{ name: 'not an object', as: 'sysadmin', method: 'POST', path: '/api/v1/orgs', body: '[1,2,3]', want: 400, code: 'malformed_json' },
	{ name: 'an unknown field', as: 'sysadmin', method: 'POST', path: '/api/v1/orgs', json: { ...ORG, admin: true }, want: 422, code: 'unknown_field', field: 'admin' },
	{ name: 'a wrong type', as: 'sysadmin', method: 'POST', path: '/api/v1/orgs', json: { ...ORG, parent_id: '2' }, want: 422, code: 'wrong_type', field: 'parent_id' },
	// ---- who is asking
	{ name: 'a mutation without the CSRF token', as: 'sysadmin', method: 'POST', path: '/api/v1/orgs', json: ORG, csrf: false, want: 403, code: 'csrf_failed' },
	{ name: 'a wrong CSRF token', as: 'enterprise', method: 'POST', path: '/api/v1/appeals', json: { title: 'x', content: 'y', category_id: 11 }, csrf: false, headers: { 'X-CSRF-Token': 'not-the-token' }, want: 403, code: 'csrf_failed' },
	{ name: 'another site\'s Origin', as: 'sysadmin', method: 'POST', path: '/api/v1/orgs', json: ORG, headers: { Origin: 'https://evil.example' }, want: 403, code: 'origin_mismatch' },
	{ name: 'a look-alike Origin', as: 'statistician', method: 'PATCH', path: '/api/v1/enterprises/1', json: { version: 1, address: '跨站' }, headers: (ctx) => ({ Origin: `http://${new URL(ctx.srv.url).host}.evil.example` }), want: 403, code: 'origin_mismatch' },
	{ name: 'a login from another site', as: null, method: 'POST', path: '/api/v1/auth/login', json: { username: 'leader', password: 'Demo@2026' }, headers: { Origin: 'null' }, want: 403, code: 'origin_mismatch' },
	{ name: 'no session', as: null, method: 'GET', path: '/api/v1/enterprises', want: 401, code: 'unauthorized' },
	{ name: 'a forged session cookie', as: null, method: 'GET', path: '/api/v1/me', headers: { Cookie: 'tj_session=' + 'A'.repeat(43) }, want: 401, code: 'session_expired' },
	{ name: 'an overlong session cookie', as: null, method: 'GET', path: '/api/v1/me', headers: { Cookie: 'tj_session=' + 'A'.repeat(300) }, want: 401, code: 'session_expired' },
	{ name: 'a forged API token', as: null, method: 'GET', path: '/api/v1/appeals', headers: { Authorization: 'Bearer tj_' + 'x'.repeat(43) }, want: 401, code: 'invalid_token' },
	{ name: 'a wrong method', as: 'sysadmin', method: 'DELETE', path: '/api/v1/orgs/2', want: 405, code: 'method_not_allowed' },
	{ name: 'a wrong method on a public route', as: null, method: 'PUT', path: '/api/v1/auth/login', json: {}, want: 405, code: 'method_not_allowed' },
	// ---- values
	{ name: 'a credit code with a wrong check character', as: 'statistician', method: 'POST', path: '/api/v1/enterprises', json: { ...ENT, uscc: ENT.uscc.slice(0, 17) + (ENT.uscc[17] === '0' ? '1' : '0') }, want: 422, code: 'invalid_uscc', field: 'uscc' },
	{ name: 'a credit code of 17 characters', as: 'statistician', method: 'POST', path: '/api/v1/enterprises', json: { ...ENT, uscc: ENT.uscc.slice(0, 17) }, want: 422, code: 'invalid_uscc', field: 'uscc' },
	{ name: 'a credit code with I, O, S, V, Z', as: 'statistician', method: 'POST', path: '/api/v1/enterprises', json: { ...ENT, uscc: '91230202MAIOSVZ00X' }, want: 422, code: 'invalid_uscc', field: 'uscc' },
	{ name: '2026-02-30', as: 'statistician', method: 'POST', path: '/api/v1/enterprises', json: { ...ENT, founded_on: '2026-02-30' }, want: 422, code: 'invalid_date', field: 'founded_on' },
	{ name: 'month 13', as: 'statistician', method: 'POST', path: '/api/v1/enterprises', json: { ...ENT, founded_on: '2026-13-01' }, want: 422, code: 'invalid_date', field: 'founded_on' },
	{ name: 'month 13 in a query', as: null, method: 'GET', path: '/api/v1/calendar/deadline?from=2026-13-01&days=3', want: 422, code: 'invalid_date', field: 'from' },
	{ name: '2026-02-30 in a query', as: 'leader', method: 'GET', path: '/api/v1/stats/appeals?from=2026-02-30', want: 422 },
	{ name: 'negative employees', as: 'statistician', method: 'POST', path: '/api/v1/enterprises', json: { ...ENT, employees: -1 }, want: 422, code: 'out_of_range', field: 'employees' },
	/* an integer JSON cannot hold is a malformed body (jansson refuses it while parsing) */
	{ name: 'an overflowing number', as: 'statistician', method: 'POST', path: '/api/v1/enterprises', body: JSON.stringify(ENT).replace('}', ',"employees":99999999999999999999999}'), want: 400, code: 'malformed_json' },
	{ name: 'a number past int64 by one', as: 'sysadmin', method: 'POST', path: '/api/v1/orgs', body: JSON.stringify(ORG).replace('"parent_id":2', '"parent_id":9223372036854775808'), want: 400, code: 'malformed_json' },
	{ name: 'the largest int64 as an id', as: 'sysadmin', method: 'POST', path: '/api/v1/orgs', body: JSON.stringify(ORG).replace('"parent_id":2', '"parent_id":9223372036854775807'), want: 422, field: 'parent_id' },
	{ name: 'an overflowing capital', as: 'statistician', method: 'POST', path: '/api/v1/enterprises', json: { ...ENT, registered_capital: 1e300 }, want: 422, field: 'registered_capital' },
	{ name: 'a negative page size', as: 'leader', method: 'GET', path: '/api/v1/appeals?page_size=-1', want: 422, code: 'out_of_range', field: 'page_size' },
	{ name: 'an overflowing page', as: 'leader', method: 'GET', path: '/api/v1/enterprises?page=99999999999999999999', want: 422, field: 'page' },
	{ name: 'an overflowing id', as: 'leader', method: 'GET', path: '/api/v1/appeals/99999999999999999999', want: 404, code: 'not_found' },
	{ name: 'a negative id', as: 'sysadmin', method: 'PATCH', path: '/api/v1/orgs/-2', json: { name: 'x' }, want: 404, code: 'not_found' },
	{ name: 'invalid UTF-8 in a query', as: 'leader', method: 'GET', path: '/api/v1/enterprises?q=%ff%fe', want: 400, code: 'invalid_utf8', field: 'q' },
	{ name: 'a search of too many terms', as: 'leader', method: 'GET', path: '/api/v1/enterprises?q=a%20b%20c%20d', want: 422, code: 'too_many_terms' },
	// ---- files
	{ name: 'a GB18030 CSV with a formula cell and a bad row, all or nothing', as: 'statistician', method: 'POST', path: '/api/v1/enterprises/import',
		body: gb18030(`统一社会信用代码,企业名称,所在地区代码,成立日期\n${makeUscc(5151, '230202')},=HYPERLINK("http://evil.example"),230202,2015/6/1\n${makeUscc(5152, '230202').slice(0, 17)}0,坏代码企业,230202,2015-02-30\n`),
		headers: { 'Content-Type': 'text/csv' }, want: 422, code: 'import_rejected' },
	{ name: 'a calendar CSV with a formula name and an impossible day', as: 'sysadmin', method: 'PUT', path: '/api/v1/calendar/2031',
		body: gb18030('date,kind,name\n2031-01-01,holiday,=CMD()\n2031-02-30,holiday,不存在\n'), headers: { 'Content-Type': 'text/csv' }, want: 422 },
	{ name: 'a zip bomb posing as .xlsx', as: 'statistician', method: 'POST', path: '/api/v1/enterprises/import', body: () => zipBomb(), headers: { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, want: 413, code: 'file_too_large', field: 'file' },
	{ name: 'a corrupt .xlsx', as: 'statistician', method: 'POST', path: '/api/v1/enterprises/import', body: cat('PK\x03\x04', Buffer.alloc(3000, 7)), headers: { 'Content-Type': 'application/octet-stream' }, want: 422, code: 'invalid_file', field: 'file' },
	{ name: 'a path-traversal attachment name with a program inside', as: 'enterprise', method: 'POST', path: (ctx) => `/api/v1/appeals/${ctx.appeal}/attachments?name=${encodeURIComponent('../../../../etc/cron.d/job.pdf')}`,
		body: cat('MZ', Buffer.alloc(300, 1)), headers: { 'Content-Type': 'application/octet-stream' }, want: 415, code: 'unsupported_type' },
	{ name: 'a path-traversal attachment name disguising a PNG as PDF', as: 'enterprise', method: 'POST', path: (ctx) => `/api/v1/appeals/${ctx.appeal}/attachments?name=${encodeURIComponent('..\\..\\windows\\合同.pdf')}`,
		body: Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5b0000000049454e44ae426082', 'hex'),
		headers: { 'Content-Type': 'application/octet-stream' }, want: 415, code: 'disguised_type' },
	{ name: 'a path-traversal file path', as: null, method: 'GET', path: '/assets/..%2f..%2f..%2fetc%2fpasswd', want: 404 },
	{ name: 'a dotted path', as: null, method: 'GET', path: '/.env', want: 404 },
	// ---- login abuse (run last: they change counters of their own)
	{ name: 'the 6th failed login locks the account', as: null, method: 'POST', path: '/api/v1/auth/login', json: { username: 'cadre', password: 'Wrong@2026' },
		headers: { 'X-Real-IP': '10.20.0.6' }, changes: LOGIN_CHANGES, want: 423, code: 'account_locked', retryAfter: true,
		setup: async (ctx) => { for (let i = 0; i < 5; i++) await ctx.srv.fetch('/api/v1/auth/login', { method: 'POST', json: { username: 'cadre', password: 'Wrong@2026' }, headers: { 'X-Real-IP': '10.20.0.6' } }); } },
	{ name: 'login flooding from one address', as: null, method: 'POST', path: '/api/v1/auth/login', json: { username: 'nobody', password: 'x' },
		headers: { 'X-Real-IP': '10.20.0.7' }, changes: LOGIN_CHANGES, want: 429, code: 'rate_limited', retryAfter: true,
		setup: async (ctx) => { for (let i = 0; i < ctx.loginRate; i++) await ctx.srv.fetch('/api/v1/auth/login', { method: 'POST', json: { username: 'nobody', password: 'x' }, headers: { 'X-Real-IP': '10.20.0.7' } }); } },
	{ name: 'an oversized header', as: null, method: 'GET', path: '/api/v1/me', raw431: 20, want: 431, code: 'headers_too_large' },
	{ name: 'a header over what the HTTP library holds', as: null, method: 'GET', path: '/api/v1/me', raw431: 40, want: 431, code: null },
	{ name: 'an expired session', as: 'expired', method: 'GET', path: '/api/v1/appeals', want: 401, code: 'session_expired', changes: ['sessions'] },
];
