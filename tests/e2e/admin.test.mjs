// admin.test.mjs: the system admin creates an org and a user; the new user must change the initial password
// before anything else; the audit admin finds both changes in the log and exports them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, openPage, login, submitLogin } from './lib/browser.mjs';
import { startTarget } from './lib/target.mjs';

let server;
let browser;
const stamp = Date.now().toString(36).slice(-5);
const ORG = { name: `测试科室${stamp}`, code: `T${stamp.toUpperCase()}` };
const USER = { username: `e2e_${stamp}`, display_name: `测试员${stamp}`, mobile: '13912345678' };
const NEW_PASSWORD = 'Xin-Mima2026';
let initialPassword = '';

before(async () => {
  server = await startTarget();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Picks an org by name in an el-tree-select inside `scope`. */
async function pickOrg(page, scope, name) {
  await scope.locator('.el-tree-select, .org-select').first().click();
  await page.keyboard.type(name);
  const option = page.locator('.el-tree-select__popper:visible .el-tree-node__content, .el-select-dropdown:visible .el-tree-node__content', { hasText: name }).first();
  await option.click();
}

test('the system admin creates an org under the city, with field errors from the server', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'sysadmin');
    await page.locator('.side-menu .el-menu-item', { hasText: '组织机构' }).click();
    const tree = page.locator('[data-test="org-tree"]');
    await tree.locator('.el-tree-node__content').first().waitFor();
    // the city bureau: the first node tagged 市
    const city = tree.locator('.node[data-kind="city"]').first();
    await city.click();
    const cityName = (await page.locator('.detail-title').innerText()).trim();

    await page.locator('[data-test="org-add-child"]').click();
    const dialog = page.locator('.el-dialog', { hasText: '新建下级机构' });
    await dialog.waitFor();
    assert.ok((await dialog.innerText()).includes(cityName), 'the dialog names the parent org');
    await dialog.locator('input[name="name"]').fill(ORG.name);
    // a code that already exists: the server's answer lands on the code field
    const existing = (await page.locator('[data-test="org-detail"] .mono').first().innerText()).trim();
    await dialog.locator('input[name="code"]').fill(existing);
    await dialog.locator('[data-test="org-save"]').click();
    const codeError = dialog.locator('.el-form-item.is-error .el-form-item__error').first();
    await codeError.waitFor();
    assert.ok((await codeError.innerText()).length > 0);

    await dialog.locator('input[name="code"]').fill(ORG.code);
    await dialog.locator('[data-test="org-save"]').click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('.detail-title', { hasText: ORG.name }).waitFor();
    await tree.locator('.el-tree-node__content', { hasText: ORG.name }).waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the system admin creates a user in that org and is shown the initial password once', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'sysadmin');
    await page.goto('/#/users');
    await page.locator('[data-test="user-table"]').waitFor();
    await page.locator('[data-test="user-create"]').click();
    const dialog = page.locator('.el-dialog', { hasText: '新建用户' });
    await dialog.waitFor();
    await dialog.locator('input[name="username"]').fill(USER.username);
    await dialog.locator('input[name="display_name"]').fill(USER.display_name);
    await pickOrg(page, dialog, ORG.name);
    await dialog.locator('input[name="mobile"]').fill(USER.mobile);
    await dialog.locator('[data-test="user-save"]').click();

    const secret = page.locator('.el-dialog', { hasText: '初始密码只显示这一次' });
    await secret.waitFor();
    assert.match(await secret.innerText(), /首次登录时必须修改密码/);
    initialPassword = await secret.locator('[data-test="secret-value"]').inputValue();
    assert.ok(initialPassword.length >= 8, 'an initial password is shown');
    await secret.getByRole('button', { name: '我已记下，关闭' }).click();

    // the new user is in the list, flagged as waiting for a password change
    await page.locator('[data-test="user-q"]').fill(USER.username);
    await page.locator('[data-test="user-search"]').click();
    const row = page.locator('[data-test="user-table"] .el-table__body tr', { hasText: USER.username });
    await row.first().waitFor();
    const rowText = await row.first().innerText();
    assert.ok(rowText.includes(ORG.name), `row shows the org: ${rowText}`);
    assert.ok(rowText.includes('待改密'), `row shows 待改密: ${rowText}`);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the security admin grants the new user a role; the system admin may not', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'secadmin');
    await page.goto('/#/users');
    await page.locator('[data-test="user-q"]').fill(USER.username);
    await page.locator('[data-test="user-search"]').click();
    const row = page.locator('[data-test="user-table"] .el-table__body tr', { hasText: USER.username }).first();
    await row.waitFor();
    assert.equal(await row.getByText('编辑', { exact: true }).count(), 0, 'the security admin does not edit accounts');
    await row.locator('[data-test="user-roles"]').click();
    const dialog = page.locator('.el-dialog', { hasText: '分配角色' });
    await dialog.locator('.el-checkbox', { hasText: '承办人' }).click();
    await dialog.locator('[data-test="user-roles-save"]').click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('[data-test="user-table"] .el-table__body tr', { hasText: USER.username }).filter({ hasText: '承办人' }).first().waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
  const admin = await openPage(browser, server.url);
  try {
    await login(admin.page, 'sysadmin');
    await admin.page.goto('/#/users');
    await admin.page.locator('[data-test="user-table"] .el-table__body tr').first().waitFor();
    assert.equal(await admin.page.locator('[data-test="user-roles"]').count(), 0, 'no role assignment without role.write');
  } finally {
    await admin.context.close();
  }
});

test('the new user must change the initial password before using the console', async () => {
  assert.ok(initialPassword, 'the previous test created the user');
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await submitLogin(page, USER.username, initialPassword);
    await page.waitForURL(/#\/change-password/);
    assert.match(await page.locator('[data-test="force-why"]').innerText(), /修改密码后才能继续使用/);
    // nothing else opens until the password is changed
    await page.goto('/#/calendar');
    await page.waitForURL(/#\/change-password/);
    assert.equal(await page.locator('.side-menu').count(), 0);

    await page.locator('input[name="old_password"]').fill(initialPassword);
    // a password the policy refuses is explained
    await page.locator('input[name="new_password"]').fill('abcdefgh');
    await page.locator('input[name="repeat_password"]').fill('abcdefgh');
    await page.locator('[data-test="password-submit"]').click();
    await page.locator('.el-form-item.is-error', { hasText: '三类' }).first().waitFor();

    await page.locator('input[name="new_password"]').fill(NEW_PASSWORD);
    await page.locator('input[name="repeat_password"]').fill(NEW_PASSWORD);
    await page.locator('[data-test="password-submit"]').click();
    await page.locator('[data-test="welcome"]').waitFor();
    const welcome = await page.locator('[data-test="welcome"]').innerText();
    assert.ok(welcome.includes(USER.display_name), welcome);
    assert.ok(welcome.includes('承办人'), 'the role the security admin granted');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
  // and the new password is the one that works from now on
  const again = await openPage(browser, server.url);
  try {
    await login(again.page, USER.username, NEW_PASSWORD);
    await again.page.locator('[data-test="welcome"]').waitFor();
  } finally {
    await again.context.close();
  }
});

test('the audit admin finds the org and the user just created, and exports them', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'auditadmin');
    await page.locator('.side-menu .el-menu-item', { hasText: '审计日志' }).click();
    await page.locator('[data-test="audit-table"]').waitFor();
    await page.locator('[data-test="audit-username"]').fill('sysadmin');
    await page.locator('[data-test="audit-search"]').click();
    const table = page.locator('[data-test="audit-table"] .el-table__body');
    const orgRow = table.locator('tr', { hasText: '机构' }).filter({ hasText: '新建' }).first();
    const userRow = table.locator('tr', { hasText: '用户' }).filter({ hasText: '新建' }).first();
    await orgRow.waitFor();
    await userRow.waitFor();
    // the summary names what was created
    const all = await table.innerText();
    assert.ok(all.includes(ORG.code) || all.includes(ORG.name), 'the org entry names the new org');
    assert.ok(all.includes(USER.username), 'the user entry names the new user');
    // expanding a row shows the whole summary
    await userRow.locator('.el-table__expand-icon').click();
    await page.locator('.summary', { hasText: USER.username }).first().waitFor();

    // export with the same filter: a CSV download holding the same entries
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="audit-export"]').click()]);
    const csv = await readFile(await download.path(), 'utf8');
    assert.ok(csv.includes(USER.username), 'the export holds the user entry');
    assert.ok(csv.split(/\r?\n/).filter(Boolean).length >= 3, 'a header and at least two entries');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the system admin unlocks a locked account and resets its password', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await page.goto('/#/login');
    // five wrong passwords lock the handler's account
    const statuses = await page.evaluate(async () => {
      const out = [];
      for (let i = 0; i < 5; i++) {
        const r = await fetch('/api/v1/auth/login', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: 'handler', password: `wrong-${i}` }),
        });
        out.push(r.status);
      }
      return out;
    });
    assert.equal(statuses[statuses.length - 1], 423, `locked: ${statuses}`);

    await login(page, 'sysadmin');
    await page.goto('/#/users');
    await page.locator('[data-test="user-q"]').fill('handler');
    await page.locator('[data-test="user-search"]').click();
    const row = () => page.locator('[data-test="user-table"] .el-table__body tr', { hasText: 'handler' }).first();
    await row().filter({ hasText: '已锁定' }).waitFor();

    await row().getByRole('button', { name: '更多' }).click();
    await page.locator('.el-dropdown-menu:visible .el-dropdown-menu__item', { hasText: '解除锁定' }).click();
    await page.locator('.el-message--success', { hasText: '解除' }).waitFor();
    await page.waitForFunction(() => {
      const r = [...document.querySelectorAll('[data-test="user-table"] .el-table__body tr')].find((tr) => tr.innerText.includes('handler'));
      return r && !r.innerText.includes('已锁定');
    });

    await row().getByRole('button', { name: '更多' }).click();
    await page.locator('.el-dropdown-menu:visible .el-dropdown-menu__item', { hasText: '重置密码' }).click();
    await page.locator('.el-message-box').getByRole('button', { name: '重置' }).click();
    const secret = page.locator('.el-dialog', { hasText: '初始密码只显示这一次' });
    await secret.waitFor();
    const initial = await secret.locator('[data-test="secret-value"]').inputValue();
    assert.ok(initial.length >= 8);
    await secret.getByRole('button', { name: '我已记下，关闭' }).click();
    await row().filter({ hasText: '待改密' }).waitFor();
    assert.deepEqual(problems, []);

    // the handler logs in with it and meets the forced change
    const other = await openPage(browser, server.url);
    try {
      await login(other.page, 'handler', initial);
      await other.page.waitForURL(/#\/change-password/);
    } finally {
      await other.context.close();
    }
  } finally {
    await context.close();
  }
});
