// mobile.test.mjs: on a phone-sized window (375 px) the menu folds into a drawer, nothing scrolls sideways
// and forms stack their labels above the fields.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, login, PHONE } from './lib/browser.mjs';
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

const sideways = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('the login page fits a phone', async () => {
  const { context, page, problems } = await openPage(browser, server.url, { viewport: PHONE, isMobile: true });
  try {
    await page.goto('/#/login');
    const box = await page.locator('.login-box').boundingBox();
    assert.ok(box.width <= PHONE.width, `login box ${box.width}px wide`);
    assert.ok((await sideways(page)) <= 0, 'no sideways scrolling');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the menu is a drawer on a phone and the pages stack', async () => {
  const { context, page, problems } = await openPage(browser, server.url, { viewport: PHONE, isMobile: true });
  try {
    await login(page, 'enterprise');
    await page.locator('[data-test="welcome"]').waitFor();
    assert.equal(await page.locator('.app-aside').count(), 0, 'no side menu on a phone');
    assert.equal(await page.locator('.side-menu').isVisible().catch(() => false), false, 'menu hidden until asked');
    assert.ok((await sideways(page)) <= 0, 'home page does not scroll sideways');

    // the deadline calculator stacks: the label sits above its field
    const label = await page.locator('[data-test="deadline-card"] .el-form-item__label').first().boundingBox();
    const field = await page.locator('[data-test="deadline-from"]').first().boundingBox();
    assert.ok(label.y + label.height <= field.y + 1, 'label above the field');

    await page.getByRole('button', { name: '打开菜单' }).click();
    const drawer = page.locator('.menu-drawer');
    await drawer.locator('.el-menu-item', { hasText: '个人设置' }).waitFor();
    const items = (await drawer.locator('.el-menu-item').allInnerTexts()).map((t) => t.trim());
    assert.ok(items.includes('工作台') && items.includes('节假日安排'), `drawer menu: ${items}`);
    assert.ok(!items.includes('用户管理'), 'an enterprise sees no user management');
    await drawer.locator('.el-menu-item', { hasText: '个人设置' }).click();
    await page.waitForURL(/#\/settings/);
    await drawer.waitFor({ state: 'hidden' });

    await page.getByRole('tab', { name: '修改密码' }).click();
    const pwLabel = await page.locator('.password-form .el-form-item__label').first().boundingBox();
    const pwField = await page.locator('input[name="old_password"]').boundingBox();
    assert.ok(pwLabel.y + pwLabel.height <= pwField.y + 1, 'password form labels sit above the fields');
    assert.ok(pwField.width >= PHONE.width * 0.6, `the field takes the width (${pwField.width}px)`);
    assert.ok((await sideways(page)) <= 0, 'settings page does not scroll sideways');

    await page.goto('/#/calendar');
    await page.locator('[data-test="calendar-year"]').waitFor();
    assert.ok((await sideways(page)) <= 0, 'calendar page does not scroll sideways');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
