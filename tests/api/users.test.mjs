// users.test.mjs: user accounts by the system admin: list and filters, create (initial password,
// forced change), validation, edit, disable (logged out everywhere), reset password; audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, auditRows, login } from './helpers.mjs';

let srv, admin, audit, cityId, longsha;
before(async () => {
	srv = await startServer({ args: ['--login-rate', '500/60'] });
	admin = await srv.login('sysadmin');
	audit = await srv.login('auditadmin');
	cityId = admin.user.org.id;
	longsha = (await admin.get('/api/v1/orgs?kind=county&q=230202')).json.items[0];
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
});

const total = async () => (await admin.get('/api/v1/users')).json.total;

test('the list: envelope, the user object, filters by search, org (and below), status and role', async () => {
	const r = await admin.get('/api/v1/users');
	assert.equal(r.status, 200);
	assert.equal(r.json.total, 9);
	const h = r.json.items.find((u) => u.username === 'handler');
	assert.deepEqual(Object.keys(h).sort(), ['created_at', 'display_name', 'enterprise', 'id', 'last_login_at', 'locked',
		'mobile', 'must_change_password', 'org', 'roles', 'status', 'username']);
	assert.deepEqual(h.org, { id: longsha.id, name: '龙沙区工业和信息化局' });
	assert.deepEqual(h.roles, [{ code: 'handler', name: '承办人' }]);
	assert.equal(h.status, 'active');
	assert.equal(h.locked, false);
	assert.ok(!JSON.stringify(r.json).includes('password_hash') && !JSON.stringify(r.json).includes('$argon2'));
	const e = r.json.items.find((u) => u.username === 'enterprise');
	assert.equal(e.enterprise.name, '齐齐哈尔市龙沙示范机械制造有限公司');

	const names = async (q) => (await admin.get('/api/v1/users?page_size=100&' + q)).json.items.map((u) => u.username).sort();
	assert.deepEqual(await names(`org_id=${longsha.id}`), ['cadre', 'enterprise', 'handler']);
	assert.deepEqual(await names(`org_id=${cityId}`), (await names('')), 'an org filter includes the orgs below');
	assert.deepEqual(await names('q=admin'), ['auditadmin', 'secadmin', 'sysadmin']);
	assert.deepEqual(await names(`q=${encodeURIComponent('统计')}`), ['statistician']);
	assert.deepEqual(await names('role=cadre'), ['cadre']);
	assert.deepEqual(await names('status=disabled'), []);
	assertError(await admin.get('/api/v1/users?org_id=999999'), 422, 'invalid_org', { field: 'org_id' });
	const paged = await admin.get('/api/v1/users?page_size=4&page=3');
	assert.equal(paged.json.items.length, 1);
	assert.equal(paged.json.total, 9);
});

test('create: 201 with a one-time initial password; the account must change it; audited without it', async () => {
	const r = await admin.post('/api/v1/users', { username: 'wang.fang', display_name: '王芳', org_id: longsha.id, mobile: '13900000001' });
	assert.equal(r.status, 201, r.text);
	const pw = r.json.initial_password;
	assert.match(pw, /^[A-Za-z0-9@#%+=]{16}$/);
	assert.ok(/[A-Z]/.test(pw) && /[a-z]/.test(pw) && /[0-9]/.test(pw), 'meets the policy');
	const u = r.json.user;
	assert.equal(u.username, 'wang.fang');
	assert.equal(u.mobile, '13900000001');
	assert.equal(u.must_change_password, true);
	assert.deepEqual(u.roles, [], 'no roles until the security admin grants them');
	assert.equal(u.last_login_at, null);
	// The password is never shown again.
	const again = await admin.get(`/api/v1/users/${u.id}`);
	assert.ok(!again.text.includes(pw));
	assert.equal(again.json.must_change_password, true);
	const rows = (await auditRows(audit, `entity=user&entity_id=${u.id}`)).items;
	assert.equal(rows.length, 1);
	assert.equal(rows[0].action, 'create');
	assert.equal(rows[0].request_id, r.headers.get('x-request-id'));
	assert.deepEqual(rows[0].summary, { display_name: '王芳', org_id: longsha.id, username: 'wang.fang' });
	// The new user logs in and is held at the password change.
	const s = await srv.login('wang.fang', pw);
	assert.equal(s.user.must_change_password, true);
	assertError(await s.get('/api/v1/me/tokens'), 403, 'password_change_required');
});

test('create: refused values name their field and store nothing', async () => {
	const n = await total();
	const base = { username: 'li.qiang', display_name: '李强', org_id: cityId };
	const cases = [
		[{ ...base, username: 'ab' }, 'invalid_username', 'username', '用户名应为3到32位字母、数字或 . _ - @'],
		[{ ...base, username: '李强' }, 'invalid_username', 'username'],
		[{ ...base, username: 'has space' }, 'invalid_username', 'username'],
		[{ ...base, display_name: '' }, 'required', 'display_name', '姓名不能为空'],
		[{ ...base, org_id: undefined }, 'required', 'org_id', '所属机构不能为空'],
		[{ ...base, org_id: '2' }, 'wrong_type', 'org_id', '所属机构应为整数'],
		[{ ...base, org_id: 999999 }, 'invalid_org', 'org_id', '所属机构不存在或不在您的管理范围内'],
		[{ ...base, mobile: '12345' }, 'invalid_mobile', 'mobile', '手机号码应为11位数字，以1开头'],
		[{ ...base, mobile: '2390000000x' }, 'invalid_mobile', 'mobile'],
		[{ ...base, enterprise_id: 999999 }, 'invalid_enterprise', 'enterprise_id', '所属企业不存在'],
		[{ ...base, status: 'disabled' }, 'not_editable', 'status'],
		[{ ...base, password: 'Mine@2026x' }, 'unknown_field', 'password'],
		[{ ...base, roles: ['leader'] }, 'unknown_field', 'roles'],
	];
	for (const [body, code, field, message] of cases)
		assertError(await admin.post('/api/v1/users', body), 422, code, { field, message });
	assertError(await admin.post('/api/v1/users', { ...base, username: 'cadre' }), 409, 'duplicate_username', { field: 'username' });
	assert.equal(await total(), n);
	assert.equal((await auditRows(audit, 'entity=user&username=sysadmin&action=create')).items
		.filter((r) => r.summary.username === 'li.qiang').length, 0);
	// Only user.write creates accounts.
	assertError(await (await srv.login('leader')).post('/api/v1/users', base), 403, 'permission_denied');
	assert.equal(await total(), n);
});

test('edit: display name, mobile, org; username cannot change; audited with the change', async () => {
	const u = (await admin.get('/api/v1/users?q=statistician')).json.items[0];
	const r = await admin.patch(`/api/v1/users/${u.id}`, { display_name: '郑统', mobile: '13811112222', org_id: longsha.id });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.display_name, '郑统');
	assert.equal(r.json.mobile, '13811112222');
	assert.equal(r.json.org.id, longsha.id);
	const a = (await auditRows(audit, `entity=user&entity_id=${u.id}&action=update`)).items[0];
	assert.deepEqual(a.summary, { display_name: '郑统', mobile: '13811112222', org_id: longsha.id });
	assert.equal(a.request_id, r.headers.get('x-request-id'));
	assertError(await admin.patch(`/api/v1/users/${u.id}`, { username: 'renamed' }), 422, 'not_editable', { field: 'username' });
	assertError(await admin.patch(`/api/v1/users/${u.id}`, { display_name: ' ' }), 422, 'required', { field: 'display_name' });
	assertError(await admin.patch(`/api/v1/users/${u.id}`, { org_id: 1 }), 422, 'invalid_org', { field: 'org_id' });
	const now = (await admin.get(`/api/v1/users/${u.id}`)).json;
	assert.equal(now.username, 'statistician');
	assert.equal(now.display_name, '郑统');
	assert.equal(now.org.id, longsha.id);
});

test('disable: the account is logged out everywhere and cannot log in; the admin cannot disable itself', async () => {
	const s = await srv.login('supervisor');
	const t = await s.post('/api/v1/me/tokens', { name: 'bot' });
	const uid = s.user.id;
	// the session has been read (and is kept by the server): disabling must still end it
	assert.equal((await s.get('/api/v1/me')).status, 200);
	const r = await admin.patch(`/api/v1/users/${uid}`, { status: 'disabled' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.status, 'disabled');
	assertError(await s.get('/api/v1/me'), 401, 'session_expired');
	assertError(await srv.fetch('/api/v1/me', { headers: { Authorization: `Bearer ${t.json.secret}` } }), 401, 'invalid_token');
	assertError(await login(srv, 'supervisor'), 403, 'account_disabled', { message: '账号已停用，请联系系统管理员' });
	// A wrong password to a disabled account says nothing more than to any other.
	assertError(await login(srv, 'supervisor', 'Wrong@2026'), 401, 'invalid_credentials');
	assert.deepEqual((await admin.get('/api/v1/users?status=disabled')).json.items.map((u) => u.username), ['supervisor']);

	assertError(await admin.patch(`/api/v1/users/${admin.user.id}`, { status: 'disabled' }), 409, 'cannot_disable_self',
		{ message: '不能停用自己的账号', field: 'status' });
	assert.equal((await admin.get('/api/v1/me')).status, 200);

	assert.equal((await admin.patch(`/api/v1/users/${uid}`, { status: 'active' })).json.status, 'active');
	assert.equal((await login(srv, 'supervisor')).status, 200);
});

test('reset password: a new initial password, the old one and the sessions die, a change is forced', async () => {
	const s = await srv.login('cadre');
	const r = await admin.post(`/api/v1/users/${s.user.id}/reset-password`);
	assert.equal(r.status, 200, r.text);
	const pw = r.json.initial_password;
	assert.match(pw, /^.{16}$/);
	assertError(await s.get('/api/v1/me'), 401, 'session_expired');
	assertError(await login(srv, 'cadre'), 401, 'invalid_credentials');
	const fresh = await login(srv, 'cadre', pw);
	assert.equal(fresh.status, 200);
	assert.equal(fresh.json.user.must_change_password, true);
	const a = (await auditRows(audit, `entity=user&entity_id=${s.user.id}&action=reset_password`)).items;
	assert.equal(a.length, 1);
	assert.ok(!JSON.stringify(a).includes(pw));
	assertError(await admin.post(`/api/v1/users/${admin.user.id}/reset-password`), 409, 'use_change_password');
	assertError(await admin.post('/api/v1/users/999999/reset-password'), 404, 'not_found');
});

test('三员分立: administrators\' accounts are kept on the command line, never over the API', async () => {
	const sec = await srv.login('secadmin');
	const users = (await admin.get('/api/v1/users?page_size=100')).json.items;
	const id = (name) => users.find((u) => u.username === name).id;
	for (const name of ['secadmin', 'auditadmin']) {
		const target = id(name);
		assertError(await admin.post(`/api/v1/users/${target}/reset-password`), 403, 'admin_account_protected',
			{ message: '管理员账号只能在服务器上用命令行维护（三员分立）' });
		assertError(await admin.post(`/api/v1/users/${target}/unlock`), 403, 'admin_account_protected');
		assertError(await admin.patch(`/api/v1/users/${target}`, { status: 'disabled' }), 403, 'admin_account_protected');
	}
	// The security admin neither grants an administrator's role nor changes an administrator's roles.
	assertError(await sec.put(`/api/v1/users/${id('statistician')}/roles`, { roles: ['auditadmin'] }), 422,
		'admin_role_cli_only', { field: 'roles' });
	assertError(await sec.put(`/api/v1/users/${id('sysadmin')}/roles`, { roles: [] }), 403, 'admin_account_protected');
	const me = (await (await srv.login('auditadmin')).get('/api/v1/me')).json.user;
	assert.equal(me.roles[0].code, 'auditadmin');
	assert.deepEqual((await admin.get(`/api/v1/users/${id('sysadmin')}`)).json.roles.map((r) => r.code), ['sysadmin']);
	// The old password still works: nothing was reset.
	assert.equal((await login(srv, 'secadmin')).status, 200);
});

test('tiejian user passwd sets an administrator\'s password from the command line', async () => {
	const { run } = await import('../lib/server.mjs');
	const weak = await run(['user', 'passwd', '--username', 'auditadmin', '--db', srv.db], { input: 'short\n' });
	assert.notEqual(weak.code, 0);
	assert.match(weak.stderr, /password refused/);
	const none = await run(['user', 'passwd', '--username', 'nobody', '--db', srv.db], { input: 'Audit#2027x\n' });
	assert.notEqual(none.code, 0);
	assert.match(none.stderr, /no user nobody/);
	const ok = await run(['user', 'passwd', '--username', 'auditadmin', '--db', srv.db], { input: 'Audit#2027x\n' });
	assert.equal(ok.code, 0, ok.stderr);
	assert.equal((await login(srv, 'auditadmin')).status, 401, 'the old password no longer works');
	const s = await srv.login('auditadmin', 'Audit#2027x');
	assert.equal(s.user.must_change_password, true);
	assertError(await s.get('/api/v1/audit'), 403, 'password_change_required');
	// Its sessions ended with the new password; it changes the password and reads its own log.
	assertError(await audit.get('/api/v1/audit'), 401, 'session_expired');
	assert.equal((await s.post('/api/v1/me/password', { old_password: 'Audit#2027x', new_password: 'Audit#2028y' })).status, 204);
	const rows = (await auditRows(s, 'entity=user&action=set_password')).items;
	assert.equal(rows[0].username, 'cli');
	assert.equal(JSON.stringify(rows[0].summary).includes('Audit#2027x'), false);
});
