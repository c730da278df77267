// settings.test.mjs: 个人设置: change one's own password, and API tokens whose secret shows once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, login, DEMO_PASSWORD } from './lib/browser.mjs';
import { startTarget } from './lib/target.mjs';

let server;
let browser;

before(async () => {
  server = await startTarget();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an API token is created with its secret shown once, works as a Bearer token, and is revoked', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'statistician');
    await page.goto('/#/settings?tab=tokens');
    await page.locator('[data-test="token-create"]').click();
    const dialog = page.locator('.el-dialog', { hasText: '新建 API 令牌' });
    await dialog.locator('input[name="token_name"]').fill('统计数据对接');
    await dialog.locator('[data-test="token-save"]').click();
    const secretBox = page.locator('.el-dialog', { hasText: '令牌只显示这一次' });
    await secretBox.waitFor();
    const secret = await secretBox.locator('[data-test="secret-value"]').inputValue();
    assert.ok(secret.length >= 20, 'a secret is shown');
    await secretBox.getByRole('button', { name: '我已记下，关闭' }).click();

    const row = page.locator('[data-test="token-table"] .el-table__body tr', { hasText: '统计数据对接' });
    await row.waitFor();
    assert.match(await row.innerText(), /从未使用/);
    assert.ok(!(await page.locator('body').innerText()).includes(secret), 'the secret is not shown again');

    const bearer = (s) => page.evaluate(async (t) => (await fetch('/api/v1/me', { headers: { Authorization: `Bearer ${t}` }, credentials: 'omit' })).status, s);
    assert.equal(await bearer(secret), 200, 'the token works');

    await row.getByRole('button', { name: '吊销' }).click();
    await page.locator('.el-message-box').getByRole('button', { name: '吊销' }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal(await bearer(secret), 401, 'the revoked token no longer works');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a user changes the password: the old one is checked, then the new one works', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  const next = 'Qiqihar#2027';
  try {
    await login(page, 'cadre');
    await page.goto('/#/settings?tab=password');
    await page.locator('input[name="old_password"]').fill('Wrong@2026x');
    await page.locator('input[name="new_password"]').fill(next);
    await page.locator('input[name="repeat_password"]').fill(next);
    await page.locator('[data-test="password-submit"]').click();
    // the server's answer lands on the old-password field
    const oldItem = page.locator('.el-form-item.is-error', { has: page.locator('input[name="old_password"]') });
    await oldItem.waitFor();

    await page.locator('input[name="old_password"]').fill(DEMO_PASSWORD);
    await page.locator('[data-test="password-submit"]').click();
    await page.locator('.el-message--success', { hasText: '密码已修改' }).waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
  const again = await openPage(browser, server.url);
  try {
    await login(again.page, 'cadre', next);
    await again.page.locator('[data-test="welcome"]').waitFor();
  } finally {
    await again.context.close();
  }
});
