// login.test.mjs: the login page explains each refusal in Chinese, and an ended session sends the user back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, submitLogin, login, loginAlert, DEMO_PASSWORD } from './lib/browser.mjs';
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

test('a wrong password is refused with a Chinese explanation and the form stays usable', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await submitLogin(page, 'leader', 'not-the-password');
    const text = await loginAlert(page);
    assert.match(text, /用户名或密码错误/);
    assert.match(page.url(), /#\/login/);
    assert.equal(await page.locator('input[name="password"]').inputValue(), '', 'the password field is cleared');
    // the right password still works from the same page
    await submitLogin(page, 'leader', DEMO_PASSWORD);
    await page.locator('[data-test="welcome"]').waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('five wrong passwords lock the account, and the lock message says for how long', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    const alert = page.locator('[data-test="login-alert"]');
    for (let i = 1; i <= 5; i++) {
      await submitLogin(page, 'statistician', `wrong-${i}`);
      // wait for this attempt's answer: the password field is emptied once it arrives
      await page.waitForFunction(() => document.querySelector('input[name="password"]').value === '');
      await alert.waitFor();
    }
    let text = await loginAlert(page);
    if (!/账号已锁定/.test(text)) {
      // a server may lock on the attempt after the fifth failure: the right password now meets the lock
      await submitLogin(page, 'statistician', DEMO_PASSWORD);
      await page.waitForFunction(() => document.querySelector('input[name="password"]').value === '');
      text = await loginAlert(page);
    }
    assert.match(text, /账号已锁定/);
    assert.match(text, /\d+\s*(分钟|秒|小时)/, `the lock message says how long: ${text}`);

    // even the right password is refused while locked
    await page.reload();
    await submitLogin(page, 'statistician', DEMO_PASSWORD);
    await page.waitForFunction(() => document.querySelector('input[name="password"]').value === '');
    assert.match(await loginAlert(page), /账号已锁定/);
    assert.match(page.url(), /#\/login/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a session that ends while the console is open leads back to login with an explanation', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'sysadmin');
    // the server-side session is gone (as after the idle timeout): drop the cookie
    await context.clearCookies();
    await page.locator('.side-menu .el-menu-item', { hasText: '用户管理' }).click();
    await page.waitForURL(/#\/login\?.*expired=1/);
    assert.match(await loginAlert(page), /登录已失效/);
    // logging in again returns to the page the user was going to
    await submitLogin(page, 'sysadmin', DEMO_PASSWORD);
    await page.waitForURL(/#\/users/);
    await page.locator('[data-test="user-table"]').waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('logout ends the session on the server', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'cadre');
    await page.locator('[data-test="logout"]').click();
    await page.waitForURL(/#\/login/);
    assert.match(await loginAlert(page), /已安全退出/);
    const status = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    assert.equal(status, 401);
    await page.goto('/#/settings');
    await page.waitForURL(/#\/login/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('after 30 idle minutes the console says the session expired', async (t) => {
  if (!server.clock) return t.skip('needs a server started with --test-clock');
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'supervisor');
    await page.locator('[data-test="welcome"]').waitFor();
    await server.clock({ advance_s: 31 * 60 });
    // a fresh load asks /me, which answers 401 session_expired
    await page.reload();
    await page.waitForURL(/#\/login\?.*expired=1/);
    assert.match(await loginAlert(page), /登录已失效/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
