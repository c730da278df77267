// audit.test.mjs: the audit log. Every mutation leaves a row naming who, from where and which
// request; login failures too; no secret ever reaches it; the audit admin filters and exports it
// (the export is audited itself); a county audit admin sees the county only. Then the chain:
// the triggers refuse UPDATE and DELETE, and `tiejian audit verify` finds an edited row and a gap.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, run } from '../lib/server.mjs';
import { assertError, auditRows, cliUser, login, sqlite, sqliteOnly, DEMO_PASSWORD } from './helpers.mjs';

describe('the audit log over HTTP', () => {
	let srv, audit, admin;
	const secrets = new Set([DEMO_PASSWORD]);
	before(async () => {
		srv = await startServer({ args: ['--login-rate', '500/60'] });
		// A fixed day (10:00 in Shanghai), so the date filters have something exact to find.
		await srv.clock({ now: '2026-03-10T02:00:00Z' });
		audit = await srv.login('auditadmin');
		admin = await srv.login('sysadmin');
		secrets.add(audit.cookie.split('=')[1]).add(admin.cookie.split('=')[1]).add(audit.csrf).add(admin.csrf);
	});
	after(async () => {
		assert.equal((await srv.stop()).code, 0);
	});

	/* The row written by the request that got this response. */
	async function rowOf(r) {
		const rid = r.headers.get('x-request-id');
		assert.match(rid, /^[0-9a-f]{16}$/);
		const all = await allRows();
		const found = all.filter((x) => x.request_id === rid);
		assert.equal(found.length, 1, `one audit row for request ${rid} (${r.status} ${r.text})`);
		return found[0];
	}
	async function allRows(query = '') {
		const out = [];
		for (let page = 1; ; page++) {
			const r = await audit.get(`/api/v1/audit?page_size=100&page=${page}${query ? '&' + query : ''}`);
			assert.equal(r.status, 200, r.text);
			out.push(...r.json.items);
			if (out.length >= r.json.total || !r.json.items.length) return out;
		}
	}
	function assertRow(row, { entity, action, username, result = 'success', entity_id }) {
		assert.equal(row.entity, entity);
		assert.equal(row.action, action);
		assert.equal(row.username, username);
		assert.equal(row.result, result);
		assert.equal(row.ip, '127.0.0.1');
		assert.equal(row.at, '2026-03-10T02:00:00Z'.slice(0, 11) + row.at.slice(11), 'on the test clock\'s day');
		if (entity_id !== undefined) assert.equal(row.entity_id, entity_id);
	}

	test('each mutation leaves a row: entity, action, user, ip and the response\'s X-Request-Id', async () => {
		const city = admin.user.org.id;
		const org = await admin.post('/api/v1/orgs', { parent_id: city, code: 'AUD-1', name: '审计测试科', kind: 'department' });
		assertRow(await rowOf(org), { entity: 'org', action: 'create', username: 'sysadmin', entity_id: org.json.id });
		const orgEdit = await admin.patch(`/api/v1/orgs/${org.json.id}`, { name: '审计测试二科' });
		assertRow(await rowOf(orgEdit), { entity: 'org', action: 'update', username: 'sysadmin', entity_id: org.json.id });

		const user = await admin.post('/api/v1/users', { username: 'auditee', display_name: '被审计', org_id: city });
		secrets.add(user.json.initial_password);
		const uid = user.json.user.id;
		assertRow(await rowOf(user), { entity: 'user', action: 'create', username: 'sysadmin', entity_id: uid });
		assertRow(await rowOf(await admin.patch(`/api/v1/users/${uid}`, { mobile: '13700000000' })),
			{ entity: 'user', action: 'update', username: 'sysadmin', entity_id: uid });
		const reset = await admin.post(`/api/v1/users/${uid}/reset-password`);
		secrets.add(reset.json.initial_password);
		assertRow(await rowOf(reset), { entity: 'user', action: 'reset_password', username: 'sysadmin', entity_id: uid });
		assertRow(await rowOf(await admin.post(`/api/v1/users/${uid}/unlock`)),
			{ entity: 'user', action: 'unlock', username: 'sysadmin', entity_id: uid });
		const sec = await srv.login('secadmin');
		const roles = await sec.put(`/api/v1/users/${uid}/roles`, { roles: ['leader'] });
		const rr = await rowOf(roles);
		assertRow(rr, { entity: 'user', action: 'set_roles', username: 'secadmin', entity_id: uid });
		assert.deepEqual(rr.summary, { roles: ['leader'] });

		const s = await srv.login('auditee', reset.json.initial_password);
		const pw = await s.post('/api/v1/me/password', { old_password: reset.json.initial_password, new_password: 'Audited#2026' });
		secrets.add('Audited#2026');
		assertRow(await rowOf(pw), { entity: 'user', action: 'change_password', username: 'auditee', entity_id: uid });
		const tok = await s.post('/api/v1/me/tokens', { name: '审计令牌' });
		secrets.add(tok.json.secret);
		const tr = await rowOf(tok);
		assertRow(tr, { entity: 'api_token', action: 'create', username: 'auditee', entity_id: tok.json.token.id });
		assert.deepEqual(tr.summary, { expires_days: 365, name: '审计令牌' });
		assertRow(await rowOf(await s.del(`/api/v1/me/tokens/${tok.json.token.id}`)),
			{ entity: 'api_token', action: 'revoke', username: 'auditee', entity_id: tok.json.token.id });
		const out = await s.post('/api/v1/auth/logout');
		assertRow(await rowOf(out), { entity: 'session', action: 'logout', username: 'auditee' });

		const cal = await admin.req('PUT', '/api/v1/calendar/2031', { body: 'date,kind,name\n2031-01-01,holiday,元旦\n',
			headers: { 'Content-Type': 'text/csv' } });
		assert.equal(cal.status, 200, cal.text);
		const cr = await rowOf(cal);
		assertRow(cr, { entity: 'calendar', action: 'import', username: 'sysadmin' });
		assert.deepEqual(cr.summary, { days: 1, years: [2031] });

		const ent = await srv.login('enterprise');
		const record = (await ent.get(`/api/v1/enterprises/${ent.user.enterprise.id}`)).json;
		const e = await ent.patch(`/api/v1/enterprises/${record.id}`, { version: record.version, employees: record.employees + 1 });
		assert.equal(e.status, 200, e.text);
		const er = await rowOf(e);
		assertRow(er, { entity: 'enterprise', action: 'update', username: 'enterprise', entity_id: record.id });
		assert.match(JSON.stringify(er.summary), /employees/);
		// A login is a row too, with its session.
		const li = await login(srv, 'leader');
		assertRow(await rowOf(li), { entity: 'session', action: 'login', username: 'leader' });
		secrets.add(li.headers.get('set-cookie').split(';')[0].split('=')[1]).add(li.json.csrf_token);
	});

	test('a refused write leaves no row', async () => {
		const before = (await audit.get('/api/v1/audit?page_size=1')).json.total;
		const r = await admin.post('/api/v1/orgs', { parent_id: admin.user.org.id, code: 'AUD-1', name: '重复', kind: 'department' });
		assertError(r, 409, 'duplicate_code', { field: 'code' });
		assertError(await admin.post('/api/v1/users', { username: 'xyz' }), 422, 'required', { field: 'display_name' });
		assertError(await admin.post('/api/v1/orgs', {}, { csrf: false }), 403, 'csrf_failed');
		assert.equal((await audit.get('/api/v1/audit?page_size=1')).json.total, before + 0);
	});

	test('login failures are rows too: wrong password, unknown user, locked account', async () => {
		const wrong = await login(srv, 'handler', 'Wrong@Pass1');
		secrets.add('Wrong@Pass1');
		const w = await rowOf(wrong);
		assertRow(w, { entity: 'session', action: 'login', username: 'handler', result: 'failure' });
		assert.deepEqual(w.summary, { locked: false, reason: 'wrong_password' });
		assert.ok(w.user_id > 0);

		const unknown = await login(srv, 'intruder', 'Guess@2026x');
		secrets.add('Guess@2026x');
		const u = await rowOf(unknown);
		assertRow(u, { entity: 'session', action: 'login', username: 'intruder', result: 'failure' });
		assert.deepEqual(u.summary, { locked: false, reason: 'unknown_user' });
		assert.equal(u.user_id, null);

		for (let i = 0; i < 4; i++) await login(srv, 'cadre', 'Wrong@Pass1');
		const locked = await rowOf(await login(srv, 'cadre', 'Wrong@Pass1'));
		assertRow(locked, { entity: 'session', action: 'login', username: 'cadre', result: 'failure' });
		assert.deepEqual(locked.summary, { locked: true, reason: 'wrong_password' });
		const knock = await rowOf(await login(srv, 'cadre', DEMO_PASSWORD));
		assert.deepEqual(knock.summary, { locked: false, reason: 'locked' });
	});

	test('no password, token or session secret appears anywhere in the log or its export', async () => {
		const list = JSON.stringify(await allRows());
		const csv = (await audit.get('/api/v1/audit/export')).text;
		for (const s of secrets) {
			assert.ok(s && s.length >= 8, `secret ${s}`);
			assert.ok(!list.includes(s), `secret ${s.slice(0, 4)}… in the audit list`);
			assert.ok(!csv.includes(s), `secret ${s.slice(0, 4)}… in the export`);
		}
		assert.ok(!/\$argon2/.test(list + csv));
	});

	test('filters: username, entity, action, result, entity id, and dates in Shanghai time', async () => {
		const only = async (q, pred) => {
			const rows = await allRows(q);
			assert.ok(rows.length > 0, `rows for ${q}`);
			for (const r of rows) assert.ok(pred(r), `${q}: ${JSON.stringify(r)}`);
			return rows;
		};
		await only('username=sysadmin', (r) => r.username === 'sysadmin');
		await only('entity=org', (r) => r.entity === 'org');
		await only('action=set_roles', (r) => r.action === 'set_roles');
		const fails = await only('result=failure', (r) => r.result === 'failure');
		assert.ok(fails.some((r) => r.username === 'intruder'));
		await only('username=cadre&entity=session&result=failure', (r) => r.username === 'cadre' && r.result === 'failure');
		const org = (await allRows('entity=org&action=create')).find((r) => r.summary.code === 'AUD-1');
		assert.deepEqual((await allRows(`entity=org&entity_id=${org.entity_id}`)).map((r) => r.action), ['update', 'create']);
		assert.equal((await allRows('username=nobody-at-all')).length, 0);

		// Dates: 23:59:50 and 00:00:10 in Shanghai fall on two days. (The jump ends the audit
		// admin's session at its 12-hour limit: a new one is needed after it.)
		await srv.clock({ now: '2026-03-10T15:59:50Z' });
		const lateLogin = await login(srv, 'leader');
		await srv.clock({ now: '2026-03-10T16:00:10Z' });
		const earlyLogin = await login(srv, 'leader');
		audit = await srv.login('auditadmin');
		const late = await rowOf(lateLogin), early = await rowOf(earlyLogin);
		const day10 = await allRows('from=2026-03-10&to=2026-03-10');
		const day11 = await allRows('from=2026-03-11&to=2026-03-11');
		assert.ok(day10.some((r) => r.id === late.id) && !day10.some((r) => r.id === early.id));
		assert.ok(day11.some((r) => r.id === early.id) && !day11.some((r) => r.id === late.id));
		assert.ok(day10.every((r) => r.at >= '2026-03-09T16:00:00Z' && r.at < '2026-03-10T16:00:00Z'));
		assert.deepEqual(day11.map((r) => r.username), ['auditadmin', 'leader']);
		assert.equal(day11[1].id, early.id);
		assert.equal((await allRows('from=2026-03-12&to=2026-03-31')).length, 0);
		assert.ok((await allRows('to=2026-03-09')).every((r) => r.at < '2026-03-09T16:00:00Z'));
		await srv.clock({ now: '2026-03-10T02:10:00Z' });
		audit = await srv.login('auditadmin');

		assertError(await audit.get('/api/v1/audit?result=maybe'), 422, 'invalid_choice', { message: '结果应为 success 或 failure', field: 'result' });
		assertError(await audit.get('/api/v1/audit?from=2026-02-30'), 422, 'invalid_date', { field: 'from' });
		assertError(await audit.get('/api/v1/audit?from=2026-03-11&to=2026-03-10'), 422, 'invalid_range',
			{ message: '结束日期不能早于开始日期', field: 'to' });
		assertError(await audit.get('/api/v1/audit?entity_id=abc'), 422, 'out_of_range', { field: 'entity_id' });
	});

	test('export: CSV with a BOM and a header, the filtered rows, itself audited', async () => {
		const rows = await allRows('entity=user');
		const exports = (await allRows('entity=audit_log&action=export')).length;
		const res = await fetch(srv.url + '/api/v1/audit/export?entity=user', { headers: { Cookie: audit.cookie } });
		assert.equal(res.status, 200);
		assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
		assert.match(res.headers.get('content-disposition'), /^attachment; filename="audit-log\.csv"$/);
		assert.equal(res.headers.get('cache-control'), 'no-store');
		const bytes = Buffer.from(await res.arrayBuffer());
		assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
		const lines = bytes.subarray(3).toString('utf8').split('\r\n');
		assert.equal(lines.pop(), '', 'CRLF after the last line');
		assert.equal(lines[0], '编号,时间,用户ID,用户名,来源IP,请求ID,对象类型,对象编号,操作,摘要,结果');
		assert.equal(lines.length - 1, rows.length);
		const first = lines[1].split(',');
		assert.equal(Number(first[0]), rows[0].id);
		assert.equal(first[1], rows[0].at);
		assert.equal(first[3], rows[0].username);
		assert.equal(first[5], rows[0].request_id);
		assert.ok(lines.slice(1).every((l) => l.split(',')[6] === 'user'));
		assert.ok(lines.slice(1).every((l) => /,(success|failure)$/.test(l)));
		// A summary (commas, quotes) is one quoted CSV field.
		const create = rows.find((x) => x.action === 'create');
		const line = lines.find((l) => l.startsWith(`${create.id},`));
		assert.ok(line.includes(',"' + JSON.stringify(create.summary).replaceAll('"', '""') + '",'), line);

		// A cell that Excel would run as a formula is defused: a username typed at the login.
		assert.equal((await login(srv, '=HYPERLINK("http://x.example","点我")', 'Wrong@2026')).status, 401);
		const inj = await fetch(srv.url + '/api/v1/audit/export?result=failure', { headers: { Cookie: audit.cookie } });
		const injText = await inj.text();
		assert.ok(injText.includes(',"\'=HYPERLINK(""http://x.example"",""点我"")",'), 'formula quoted and prefixed');
		assert.ok(!/(^|,)=HYPERLINK/m.test(injText), 'no bare formula cell');

		const ex = (await allRows('entity=audit_log&action=export')).slice(1);
		assert.equal(ex.length, exports + 1, 'the export is a row itself');
		assert.equal(ex[0].username, 'auditadmin');
		assert.deepEqual(ex[0].summary, { action: null, entity: 'user', rows: rows.length, username: null });
		assert.equal(ex[0].request_id, res.headers.get('x-request-id'));
		assertError(await (await srv.login('leader')).get('/api/v1/audit/export'), 403, 'permission_denied');
		assert.equal((await allRows('entity=audit_log&action=export')).length, exports + 2, 'a refused export is no row');
	});

	test('a county audit admin sees the county\'s rows only; the city audit admin sees them too', async () => {
		const { session: county } = await cliUser(srv, { username: 'longsha.audit', role: 'auditadmin', org: '230202' });
		assert.equal((await login(srv, 'handler')).status, 200);
		const r = await county.get('/api/v1/audit?page_size=100');
		assert.equal(r.status, 200);
		const names = new Set(r.json.items.map((x) => x.username));
		assert.ok(names.has('handler') && names.has('longsha.audit'), [...names].join(','));
		for (const n of ['sysadmin', 'secadmin', 'leader', 'auditadmin'])
			assert.ok(!names.has(n), `${n} is not the county's`);
		assert.ok((await allRows('username=longsha.audit')).length > 0);
	});
});

describe('the audit chain', { skip: sqliteOnly }, () => {
	let dir, db;
	before(async () => {
		const srv = await startServer({ keep: true });
		await srv.login('leader');
		await login(srv, 'leader', 'Wrong@2026');
		const s = await srv.login('sysadmin');
		await s.post('/api/v1/orgs', { parent_id: s.user.org.id, code: 'CHAIN', name: '链', kind: 'department' });
		assert.equal((await srv.stop()).code, 0);
		dir = srv.dir;
		db = srv.db;
		assert.ok(!existsSync(db + '-wal') || sqlite(db, 'PRAGMA wal_checkpoint(TRUNCATE);'));
	});
	after(() => rmSync(dir, { recursive: true, force: true }));

	const copy = (name) => {
		const to = join(dir, name);
		copyFileSync(db, to);
		return to;
	};
	const rows = (file) => Number(sqlite(file, 'SELECT COUNT(*) FROM audit_log;').trim());

	test('an intact log verifies: exit 0', async () => {
		const r = await run(['audit', 'verify', '--db', db]);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, new RegExp(`^audit log intact: ${rows(db)} rows, head [0-9a-f]{64}\\n$`));
	});

	test('the triggers refuse UPDATE and DELETE while they exist', () => {
		const file = copy('guarded.db');
		const before = sqlite(file, 'SELECT id, summary, hash FROM audit_log ORDER BY id;');
		assert.throws(() => sqlite(file, "UPDATE audit_log SET summary = '{}' WHERE id = 4;"), /audit_log is append-only/);
		assert.throws(() => sqlite(file, 'DELETE FROM audit_log WHERE id = 4;'), /audit_log is append-only/);
		assert.throws(() => sqlite(file, 'DELETE FROM audit_log;'), /audit_log is append-only/);
		assert.equal(sqlite(file, 'SELECT id, summary, hash FROM audit_log ORDER BY id;'), before);
	});

	test('an edited summary is found: exit 2 naming the row', async () => {
		const file = copy('edited.db');
		const n = rows(file);
		const target = 5;
		sqlite(file, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET summary = '{\"reason\":\"nothing\"}' WHERE id = " + target + ';');
		const r = await run(['audit', 'verify', '--db', file]);
		assert.equal(r.code, 2, r.stdout + r.stderr);
		assert.equal(r.stdout, `audit log BROKEN at row ${target}: its content does not match its hash (edited) (${n} rows checked)\n`);
	});

	test('a deleted middle row is found: exit 2 naming the row after the gap', async () => {
		const file = copy('deleted.db');
		const n = rows(file);
		sqlite(file, 'DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 4;');
		const r = await run(['audit', 'verify', '--db', file]);
		assert.equal(r.code, 2, r.stdout + r.stderr);
		assert.equal(r.stdout, `audit log BROKEN at row 5: row 5 follows row 3: rows are missing (deleted) (${n - 1} rows checked)\n`);
	});

	test('a row re-hashed after an edit still breaks the chain at the next row', async () => {
		const file = copy('rehashed.db');
		// Whoever edits row 4 and also rewrites its hash leaves row 5's prev_hash pointing at the old one.
		sqlite(file, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET summary = '{}', hash = '" + 'ab'.repeat(32) + "' WHERE id = 4;");
		const r = await run(['audit', 'verify', '--db', file]);
		assert.equal(r.code, 2);
		assert.match(r.stdout, /^audit log BROKEN at row 4: /);
	});
});
