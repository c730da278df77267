// calendar.test.mjs: working-day deadlines across the 2025 and 2026 Spring Festival and National
// Day (each case counted by hand from data/holidays.csv), the year view, the import of a new year
// over HTTP (system admin only) and from the command line, and refused imports changing nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, run, ROOT } from '../lib/server.mjs';
import { assertError } from './helpers.mjs';

let srv, admin;
before(async () => {
	srv = await startServer({ args: ['--login-rate', '500/60'] });
	admin = await srv.login('sysadmin');
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

const deadline = (from, days) => srv.fetch(`/api/v1/calendar/deadline?from=${from}&days=${days}`);
async function assertDeadline(from, days, want, why) {
	const r = await deadline(from, days);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, { from, days, deadline: want }, `${from} + ${days}: ${why}`);
}
const putCsv = (session, year, body) =>
	session.req('PUT', `/api/v1/calendar/${year}`, { body, headers: { 'Content-Type': 'text/csv' } });

test('deadlines across the 2025 Spring Festival and National Day', async () => {
	await assertDeadline('2025-01-24', 1, '2025-01-26', 'Sat 01-25 off, Sun 01-26 an adjusted working day');
	await assertDeadline('2025-01-27', 1, '2025-02-05', '01-28..02-04 is the holiday');
	await assertDeadline('2025-01-24', 5, '2025-02-07', '01-26, 01-27, then 02-05, 02-06, 02-07');
	await assertDeadline('2025-02-06', 2, '2025-02-08', 'Fri 02-07, then Sat 02-08 worked');
	await assertDeadline('2025-09-26', 2, '2025-09-29', 'Sun 09-28 worked, Mon 09-29');
	await assertDeadline('2025-09-30', 1, '2025-10-09', '10-01..10-08 off');
	await assertDeadline('2025-10-09', 2, '2025-10-11', 'Fri 10-10, Sat 10-11 worked');
});

test('deadlines across the 2026 Spring Festival and National Day, and over New Year', async () => {
	await assertDeadline('2026-02-12', 3, '2026-02-24', 'Fri 02-13, Sat 02-14 worked, 02-15..02-23 off, Tue 02-24');
	await assertDeadline('2026-02-13', 1, '2026-02-14', 'Sat 02-14 is a working day');
	await assertDeadline('2026-02-14', 1, '2026-02-24', 'the whole holiday skipped');
	await assertDeadline('2026-02-26', 2, '2026-02-28', 'Fri 02-27, Sat 02-28 worked');
	await assertDeadline('2026-09-18', 1, '2026-09-20', 'Sat 09-19 off, Sun 09-20 worked');
	await assertDeadline('2026-09-24', 1, '2026-09-28', '09-25..09-27 Mid-Autumn off');
	await assertDeadline('2026-09-30', 1, '2026-10-08', '10-01..10-07 off');
	await assertDeadline('2026-09-30', 3, '2026-10-10', 'Thu 10-08, Fri 10-09, Sat 10-10 worked');
	await assertDeadline('2025-12-31', 1, '2026-01-04', '01-01..01-03 off, Sun 01-04 worked');
	await assertDeadline('2026-03-02', 10, '2026-03-16', 'two plain weeks');
});

test('days=0 is the start day; a deadline past the last loaded year is 422 calendar_not_loaded', async () => {
	await assertDeadline('2026-02-12', 0, '2026-02-12', 'no working day to add');
	await assertDeadline('2026-12-31', 0, '2026-12-31', 'nothing of 2027 needed');
	const r = await deadline('2026-12-30', 5);
	assertError(r, 422, 'calendar_not_loaded', {
		message: '2027年的节假日安排尚未导入，无法计算截止日期，请联系系统管理员导入', field: 'days' });
	assertError(await deadline('2027-03-01', 1), 422, 'calendar_not_loaded', { match: /^2027年/, field: 'days' });
	assertError(await deadline('2019-12-30', 1), 422, 'calendar_not_loaded', { match: /^2019年/, field: 'days' });
});

test('bad input: an impossible date is 422 on from; days must be 0..1000', async () => {
	const FROM = '起始日期不是有效的日期（应为YYYY-MM-DD，如2026-03-05）';
	for (const from of ['2026-02-30', '2026-13-01', '2025-02-29', '2026-2-1', '2026/02/01', '20260201', 'today'])
		assertError(await deadline(from, 1), 422, 'invalid_date', { message: FROM, field: 'from' });
	assertError(await srv.fetch('/api/v1/calendar/deadline?days=1'), 422, 'required', { field: 'from' });
	assertError(await srv.fetch('/api/v1/calendar/deadline?from=2026-03-02'), 422, 'required',
		{ message: '工作日天数不能为空（days=N）', field: 'days' });
	for (const days of ['-1', '1001', 'abc', '1.5'])
		assertError(await deadline('2026-03-02', days), 422, 'out_of_range', { message: '工作日天数应为0到1000之间的整数', field: 'days' });
	await assertDeadline('2024-02-28', 1, '2024-02-29', 'a leap day exists in 2024');
});

test('GET /api/v1/calendar/2026 lists exactly the year\'s rows of data/holidays.csv', async () => {
	const csv = readFileSync(join(ROOT, 'data/holidays.csv'), 'utf8').trim().split('\n').slice(1)
		.map((l) => l.split(',')).filter(([d]) => d.startsWith('2026-'))
		.map(([date, kind, name]) => ({ date, kind, name }));
	const r = await srv.fetch('/api/v1/calendar/2026');
	assert.equal(r.status, 200);
	assert.equal(r.json.year, 2026);
	assert.equal(r.json.loaded, true);
	assert.deepEqual(r.json.days, csv);
	assert.ok(r.json.days.some((d) => d.date === '2026-02-14' && d.kind === 'workday' && d.name === '春节'));
	const none = await srv.fetch('/api/v1/calendar/2029');
	assert.deepEqual(none.json, { year: 2029, loaded: false, days: [] });
	assertError(await srv.fetch('/api/v1/calendar/1999'), 404, 'no_such_year', { message: '年份应在2000到2199之间' });
	assertError(await srv.fetch('/api/v1/calendar/20x6'), 404, 'no_such_year');
});

const CAL_2027 = 'date,kind,name\n2027-01-01,holiday,元旦\n' +
	['05', '06', '07', '08', '09', '10', '11'].map((d) => `2027-02-${d},holiday,春节`).join('\n') +
	'\n2027-02-13,workday,春节\n';

test('PUT /api/v1/calendar/2027 (CSV, system admin) makes 2027 deadlines work', async () => {
	assertError(await deadline('2026-12-30', 5), 422, 'calendar_not_loaded', { field: 'days' });
	const r = await putCsv(admin, 2027, CAL_2027);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, { year: 2027, days: 9 });
	await assertDeadline('2026-12-30', 5, '2027-01-07', 'Thu 12-31, 01-01 off, weekend, 01-04..01-07');
	await assertDeadline('2027-02-04', 1, '2027-02-12', '02-05..02-11 off');
	await assertDeadline('2027-02-04', 2, '2027-02-13', 'Sat 02-13 worked');
	const y = await srv.fetch('/api/v1/calendar/2027');
	assert.equal(y.json.loaded, true);
	assert.equal(y.json.days.length, 9);
	assert.deepEqual(y.json.days[0], { date: '2027-01-01', kind: 'holiday', name: '元旦' });
});

test('a bad CSV is 422 naming its row, and the year stays as it was', async () => {
	const before = (await srv.fetch('/api/v1/calendar/2027')).json;
	const cases = [
		['date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n', '第3行：日期不存在：2027-02-30'],
		['date,kind,name\n2027-01-01,holidays,元旦\n', '第2行：类型必须是 holiday（放假）或 workday（调休上班）'],
		['date,kind,name\n2027-01-01,holiday,元旦\n01/02/2027,holiday,元旦\n', /^第3行：/],
		['date,kind,name\n2028-01-01,holiday,元旦\n', '文件中有不属于2027年的日期（2028年至2028年），每次只能导入一个年度'],
	];
	for (const [body, message] of cases) {
		const r = await putCsv(admin, 2027, body);
		assertError(r, 422, 'invalid_calendar', typeof message === 'string' ? { message, field: 'file' } : { match: message, field: 'file' });
	}
	assert.deepEqual((await srv.fetch('/api/v1/calendar/2027')).json, before);
	await assertDeadline('2027-02-04', 1, '2027-02-12', 'unchanged');
});

test('importing a year again replaces that year, and only that year', async () => {
	const r = await putCsv(admin, 2027, 'date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n');
	assert.deepEqual(r.json, { year: 2027, days: 2 });
	const y = (await srv.fetch('/api/v1/calendar/2027')).json;
	assert.deepEqual(y.days.map((d) => d.date), ['2027-01-01', '2027-01-02']);
	await assertDeadline('2027-02-04', 1, '2027-02-05', 'the Spring Festival of the first import is gone');
	await assertDeadline('2026-02-12', 3, '2026-02-24', '2026 untouched');
	assert.equal((await putCsv(admin, 2027, CAL_2027)).status, 200);
	await assertDeadline('2027-02-04', 1, '2027-02-12', 'back again');
});

test('only the system admin imports: 401, 403, 415', async () => {
	const leader = await srv.login('leader');
	assertError(await putCsv(leader, 2030, 'date,kind,name\n2030-01-01,holiday,元旦\n'), 403, 'permission_denied');
	assertError(await srv.fetch('/api/v1/calendar/2030', { method: 'PUT', body: 'date,kind,name\n', headers: { 'Content-Type': 'text/csv' } }),
		401, 'unauthorized');
	assertError(await admin.req('PUT', '/api/v1/calendar/2030', { json: { days: [] } }), 415, 'unsupported_media_type',
		{ message: '请上传CSV文件（Content-Type: text/csv）' });
	assert.equal((await srv.fetch('/api/v1/calendar/2030')).json.loaded, false);
});

test('tiejian calendar import FILE loads a year into the running server\'s database', async () => {
	const good = join(srv.dir, '2028.csv'), bad = join(srv.dir, 'bad.csv');
	writeFileSync(good, 'date,kind,name\n2028-01-01,holiday,元旦\n2028-01-02,holiday,元旦\n2028-01-03,holiday,元旦\n');
	writeFileSync(bad, 'date,kind,name\n2028-01-01,holiday,元旦\n2028-13-01,holiday,元旦\n');
	assertError(await deadline('2027-12-30', 2), 422, 'calendar_not_loaded', { match: /^2028年/, field: 'days' });

	const refused = await run(['calendar', 'import', bad, '--db', srv.db]);
	assert.equal(refused.code, 1);
	assert.match(refused.stderr, /^tiejian: calendar import: 第3行：/);
	assertError(await deadline('2027-12-30', 2), 422, 'calendar_not_loaded', { field: 'days' });

	const ok = await run(['calendar', 'import', good, '--db', srv.db]);
	assert.equal(ok.code, 0, ok.stderr);
	assert.equal(ok.stdout, 'calendar imported: 1 year(s), 3 special days\n');
	await assertDeadline('2027-12-30', 2, '2028-01-04', 'Fri 12-31, then 01-01..01-03 off, Tue 01-04');
	assert.equal((await srv.fetch('/api/v1/calendar/2028')).json.days.length, 3);

	const missing = await run(['calendar', 'import', join(srv.dir, 'nope.csv'), '--db', srv.db]);
	assert.equal(missing.code, 1);
	assert.match(missing.stderr, /cannot open .*nope\.csv/);
});
