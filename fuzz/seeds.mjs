// seeds.mjs: writes the seed corpora of fuzz/corpus/ (committed): node fuzz/seeds.mjs.
// Deterministic: the same files every time, each named by the SHA-1 of its bytes as libFuzzer
// names its own. fuzz_api gets one request per row of the authorization matrix (every route of
// every module, as a caller that may use it) and a few richer bodies per module.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { MATRIX } from '../tests/api/authz-matrix.mjs';
import { makeUscc, makeXlsx, makeZip, readZip } from '../tests/api/enterprises-lib.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const corpora = {};
const add = (target, data) => (corpora[target] ||= []).push(Buffer.isBuffer(data) ? data : Buffer.from(data));
const gb18030 = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });

/* ---- fuzz_api: every route, as someone who may use it ---- */
const USERS = ['sysadmin', 'secadmin', 'auditadmin', 'leader', 'supervisor', 'handler', 'cadre', 'enterprise', 'statistician'];
const req = (user, method, target, body = '', headers = '') =>
	`${user} ${method} ${target}\n${headers}\n${typeof body === 'string' ? body : JSON.stringify(body)}`;
for (const [key, row] of Object.entries(MATRIX)) {
	const [method, pattern] = key.split(' ');
	let user = USERS.find((u) => row.roles[u] === 'ok' || row.roles[u] === 'scope') ||
		(row.roles._ === 'ok' || row.roles._ === 'scope' ? 'leader' : row.roles.anon === 'ok' ? 'anon' : 'leader');
	const path = (row.path || pattern).replace(':id/attachments/:file', '3/attachments/1').replace(':id', '3');
	const body = row.raw ? row.raw.body : row.body === undefined ? '' : typeof row.body === 'function' ? '{}' : row.body;
	const headers = row.raw ? `Content-Type: ${row.raw.type}` : '';
	add('fuzz_api', req(user, method, path + (row.query || ''), body, headers));
}
const appeal = { title: '设备采购资金周转困难', content: '企业需要协调解决流动资金问题，请尽快办理。', category_id: 11, urgency: 'urgent', contact_ok: true, contact_via: 'phone', contact_phone: '13900001111' };
for (const [u, m, t, b, h] of [
	['enterprise', 'POST', '/api/v1/appeals', appeal],
	['cadre', 'POST', '/api/v1/appeals', { ...appeal, enterprise_id: 1, channel: 'visit' }],
	['handler', 'POST', '/api/v1/appeals/1/assign', { lead_org_id: 10, co_org_ids: [12], note: '请办理' }],
	['handler', 'POST', '/api/v1/appeals/1/reply', { outcome: 'not_yet', message: '正在协调', plan: '下月复查', follow_up_on: '2026-12-30' }],
	['handler', 'POST', '/api/v1/appeals/2/suspend', { reason: '等待企业补充材料', days: 5 }],
	['leader', 'POST', '/api/v1/appeals/2/supervise', { note: '请加快', due_date: '2026-02-30' }],
	['enterprise', 'POST', '/api/v1/appeals/1/evaluate', { rating: 'unsatisfied', comment: '没有解决' }],
	['enterprise', 'POST', '/api/v1/appeals/1/attachments?name=..%2F..%2Fetc%2Fpasswd.png', '\x89PNG\r\n\x1a\n', 'Content-Type: application/octet-stream'],
	['statistician', 'POST', '/api/v1/enterprises', { uscc: makeUscc(3, '230202'), name: '龙沙示范机械有限公司', region_code: '230202', industry_code: '34', ownership: 'private', scale: 'small', above_scale: true, founded_on: '2015-06-01', registered_capital: 35.5, employees: 120, address: '龙沙区卜奎大街1号', tags: [1], contacts: [{ name: '王经理', role: '总经理', mobile: '+86 139-0000-1111' }] }],
	['statistician', 'POST', '/api/v1/enterprises', { uscc: '91230202MA1234567X', name: '=HYPERLINK("x")', region_code: '230202', uscc_override_reason: '早期代码' }],
	['statistician', 'PATCH', '/api/v1/enterprises/2', { version: 1, employees: -1, founded_on: '2026-13-01', registered_capital: 1e300 }],
	['enterprise', 'PATCH', '/api/v1/enterprises/1', { version: 1, name: '改名' }],
	['leader', 'GET', '/api/v1/enterprises?q=%E9%BE%99%E6%B2%99%20lsjx%209123&region_code=230200&industry_code=C&scale=small&above_scale=true&tags=1,2&sort=-capital&page=2&page_size=100'],
	['statistician', 'POST', '/api/v1/enterprises/import?dry_run=1&valid_only=1&update=1', `统一社会信用代码,企业名称,所在地区代码,成立日期\n${makeUscc(5)},=SUM(A1),230202,2015年6月1日\n`, 'Content-Type: text/csv'],
	['sysadmin', 'POST', '/api/v1/orgs', { parent_id: 2, code: 'FZ-1', name: '测试科', kind: 'department', region_code: '230202', sort: 3 }],
	['sysadmin', 'PATCH', '/api/v1/orgs/3', { name: '办公室', status: 'disabled' }],
	['sysadmin', 'POST', '/api/v1/users', { username: 'fz.user', display_name: '测试', org_id: 10, mobile: '13900001111' }],
	['secadmin', 'PUT', '/api/v1/users/7/roles', { roles: ['handler', 'cadre'] }],
	['secadmin', 'POST', '/api/v1/roles', { code: 'viewer', name: '查看', scope: 'org', permissions: ['enterprise.read'] }],
	['auditadmin', 'GET', '/api/v1/audit?username=leader&entity=appeal&action=create&result=success&from=2026-01-01&to=2026-12-31'],
	['sysadmin', 'PUT', '/api/v1/calendar/2031', 'date,kind,name\n2031-01-01,holiday,元旦\n2031-01-04,workday,调休\n', 'Content-Type: text/csv'],
	['anon', 'GET', '/api/v1/calendar/deadline?from=2026-09-28&days=30'],
	['anon', 'POST', '/api/v1/auth/login', { username: 'leader', password: 'Demo@2026' }],
	['leader', 'POST', '/api/v1/me/password', { old_password: 'Demo@2026', new_password: 'Another#2027' }],
	['sysadmin', 'PUT', '/api/v1/notify/webhook', { url: 'http://127.0.0.1:9/hook', secret: 'abcdefghijklmnop', enabled: true, kinds: ['assigned'] }],
	['leader', 'POST', '/api/v1/cases', { appeal_id: 1, title: '典型案例', problem: '问题', solution: '办法' }],
	['leader', 'PUT', '/api/v1/appeal-deadlines', { items: [{ category_id: 1, urgency: 'urgent', accept_days: 1, close_days: 5 }] }],
	['anon', 'GET', '/assets/../../etc/passwd'],
	['anon', 'GET', '/enterprises/1'],
	['leader', 'GET', '/api/v1/me', '', 'Cookie: tj_session=$SESSION\nX-CSRF-Token: $CSRF'],
	['anon', 'POST', '/api/v1/orgs', {}, 'Authorization: Bearer $TOKEN\nOrigin: http://evil.example'],
]) add('fuzz_api', req(u, m, t, b || '', h || ''));

/* ---- fuzz_headers ---- */
for (const [k, h] of [[0, 'Cookie: tj_session=$SESSION'], [1, 'Cookie: tj_session=$SESSION\nX-CSRF-Token: $CSRF'],
	[1, 'Cookie: tj_session=$SESSION; tj_session=x\nX-CSRF-Token: $CSRFx'], [2, 'Authorization: Bearer $TOKEN'],
	[2, 'Authorization: bearer  $TOKEN\nOrigin: http://tiejian.test\nHost: tiejian.test'],
	[3, 'Cookie: a=1; tj_session="$SESSION"\nX-CSRF-Token: $CSRF\nOrigin: null'], [4, 'Authorization: Bearer tj_short'],
	[0, 'Cookie: tj_session=' + 'A'.repeat(200)], [1, 'X-Real-IP: 10.0.0.1\nCookie: tj_session=$SESSION\nX-CSRF-Token: $CSRF\nOrigin: https://tiejian.test']])
	add('fuzz_headers', Buffer.concat([Buffer.from([k]), Buffer.from(h)]));

/* ---- fuzz_router, fuzz_input ---- */
for (const key of Object.keys(MATRIX)) {
	const [m, p] = key.split(' ');
	add('fuzz_router', `${m} ${p.replace(/:[a-z]+/g, '12')}`);
}
for (const s of ['GET /api/v1/orgs/99999999999999999999', 'HEAD /api/v1/me', 'DELETE /api/v1/orgs', 'GET /api/v1//orgs', 'GET /', 'GET /api/v1/orgs/1%2F2',
	'GET /\xe9\xbe\x99\xe6\xb2\x99', 'GET /\xc0\xaf', 'GET /\xed\xa0\x80', 'GET /\xf4\x90\x80\x80', 'GET /a%_b\\c']) add('fuzz_router', Buffer.from(s, 'latin1'));
for (const s of ['12?n=5&q=%E9%BE%99&from=2026-02-28&page=2&page_size=50\n{"name":"龙沙","n":3,"b":true,"kind":"county","tags":["a","b"],"day":"2026-02-28"}',
	'0?n=-6\n{}', 'abc?page_size=101\n{"name":1}', '7?from=2026-02-30\n{"name":"x"}', '7?q=%ff%fe\n{"name":"x"}',
	'7\n{"name":"x","name":"y"}', '7\n{"name":"x\\u0000y"}', '7\n' + '['.repeat(40), '7\n{"name":"' + '长'.repeat(30) + '"}',
	'7\n{"tags":["1","2","3","4","5","6"],"name":"x"}', '7\n{"day":"2026-13-01","name":"x"}', '7\n{"extra":1,"name":"x"}', '99999999999999999999\n{}'])
	add('fuzz_input', s);

/* ---- small parsers ---- */
for (const s of ['2026-02-28', '2026-02-30', '2026-13-01', '0000-01-01', '9999-12-31', '2024-02-29', '2025-02-29',
	'2026-11-26T02:03:04Z', '2026-11-26T10:03:04+08:00', '2026-11-26T10:03:04-00:00', '2026-11-26T23:59:60Z', '2026-11-26T02:03:04.5Z',
	'2015/6/1', '2015.6.1', '2015年6月1日', '1899-12-31', '2100-12-31', '2015-6-1', ' 2015-06-01']) add('fuzz_date', s);
for (const s of ['91230202656688979M', '91230202656688979m', '９１２３０２０２６５６６８８９７９Ｍ', ' 91230202656688979M\u3000',
	'91230202656688979X', '9123020265668897', '912302026566889790', 'A1230202656688979M', '91230202MA1ABCDE0X', 'IOSVZ']) add('fuzz_uscc', s);
const sel = (k, s) => Buffer.concat([Buffer.from([k]), Buffer.from(s)]);
for (const [k, s] of [[0, '龙沙 机械 lsjx'], [0, 'a b c d'], [0, '％＿\'"'], [1, '资金 周转'], [1, '鹤'], [2, '35.5'], [2, '1e3'],
	[2, '-1'], [2, '12345678901234567890'], [2, '是'], [3, '+86 139-0000-1111'], [3, '230202'], [3, 'C'], [3, '34'], [4, '专精特新、高新技术企业;瞪羚企业|,'],
	[5, '../../申请书.PDF'], [5, 'C:\\a\\b.docx'], [5, '"\r\n.png'], [6, '%PDF-1.4'], [6, '\x89PNG\r\n\x1a\n'], [6, 'PK\x03\x04'], [6, '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'],
	[7, '重庆长安汽车'], [7, '齐齐哈尔'], [8, 'ＡＢＣ１２　x'], [8, '=SUM(A1)'], [8, '统一社会信用代码'], [9, 'SQ20261126-000123'], [9, 'SQ99999999-99999999999999999999']])
	add('fuzz_text', sel(k, Buffer.from(s, /[\x80-\xff]/.test(s) && !/[^\x00-\xff]/.test(s) ? 'latin1' : 'utf8')));

/* ---- files people upload ---- */
const HEAD = '统一社会信用代码,企业名称,所在地区代码,成立日期,注册资本（万元）';
const csv = `${HEAD}\n${makeUscc(1)},"龙沙""示范""机械",230202,2015/6/1,35.5\n${makeUscc(2)},=HYPERLINK(""http://x""),230203,2015年6月1日,\r\n`;
add('fuzz_csv', csv);
add('fuzz_csv', '\ufeffa,b\r\n"x\ny",2\n\n"unclosed,3\n');
add('fuzz_csv', 'a,"b"c,d\n' + 'x,'.repeat(70) + '\n');
add('fuzz_csv', gb18030(csv));
add('fuzz_textenc', gb18030(csv));
add('fuzz_textenc', '\ufeff' + csv);
add('fuzz_textenc', csv);
add('fuzz_textenc', Buffer.from([0x81, 0x30, 0x81, 0x30, 0xfe, 0xfe, 0x80, 0xff, 0x00, 0x41]));
const holidays = readFileSync(`${ROOT}data/holidays.csv`, 'utf8').split('\n').slice(0, 30).join('\n') + '\n';
add('fuzz_workday_csv', holidays);
add('fuzz_workday_csv', 'date,kind,name\n2026-01-01,holiday,元旦\n2026-01-04,workday,调休\n');
add('fuzz_workday_csv', 'date,kind,name\n2026-02-30,holiday,x\n2026-01-05,workday,"周一"\n2026-01-01,holiday,元旦\n2026-01-01,holiday,重复\n');
const rows = [HEAD.split(','), [makeUscc(1), '龙沙示范机械', '230202', '2015-06-01', '35.5'], [makeUscc(2), '=1+1', '230203', '', '']];
const book = makeXlsx(rows);
add('fuzz_xlsx', book);
const z = readZip(book);
const sheetName = Object.keys(z).find((n) => n.endsWith('sheet1.xml'));
const bomb = Buffer.alloc(8 * 1024 * 1024, 0x20);
z[sheetName].copy(bomb, 0);
add('fuzz_xlsx', makeZip(Object.entries(z).map(([name, data]) => ({ name, data: name === sheetName ? bomb : data }))));
add('fuzz_xlsx', makeZip(Object.entries(z).map(([name, data]) => ({ name, data: name === sheetName ? bomb : data, declaredSize: name === sheetName ? 1000 : undefined }))));
add('fuzz_xlsx', makeZip(Object.entries(z).map(([name, data]) => ({ name, data: name === sheetName ? Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><worksheet/>') : data }))));

for (const [target, files] of Object.entries(corpora)) {
	const dir = `${ROOT}fuzz/corpus/${target}`;
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	for (const f of files) writeFileSync(`${dir}/${createHash('sha1').update(f).digest('hex')}`, f);
	console.log(`${target}: ${files.length} seeds`);
}
