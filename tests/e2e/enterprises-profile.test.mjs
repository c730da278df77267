// enterprises-profile.test.mjs: an enterprise user (企业用户) on a phone-sized window sees its own
// enterprise only (企业信息): it edits what an enterprise may change (address, employees, contacts), with the
// server's refusal under the field, reads the registration facts, and never reaches the registry or
// another enterprise.
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
const me = (page) => page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).user);
const record = (page, id) => page.evaluate(async (i) => {
  const r = await fetch(`/api/v1/enterprises/${i}`);
  return { status: r.status, json: r.ok ? await r.json() : null };
}, id);

test('an enterprise user keeps its own profile current on a phone, and sees nothing else', async () => {
  const { context, page, problems } = await openPage(browser, server.url, { viewport: PHONE, isMobile: true });
  try {
    await login(page, 'enterprise');
    const user = await me(page);
    assert.ok(user.enterprise, 'the demo enterprise user acts for an enterprise');
    const before = (await record(page, user.enterprise.id)).json;

    // the home card shows it, the menu leads to it
    await page.locator('[data-test="my-ent-card"]', { hasText: before.name }).waitFor();
    await page.getByRole('button', { name: '打开菜单' }).click();
    const drawer = page.locator('.menu-drawer');
    const items = (await drawer.locator('.el-menu-item').allInnerTexts()).map((t) => t.trim());
    assert.ok(items.includes('企业信息'), `menu: ${items}`);
    assert.ok(!items.includes('企业库') && !items.includes('企业导入'), 'no registry for an enterprise');
    await drawer.locator('.el-menu-item', { hasText: '企业信息' }).click();
    await page.waitForURL(/#\/my-enterprise/);
    await page.locator('[data-test="my-ent-form-card"]').waitFor();

    assert.equal(await page.locator('[data-test="my-ent-title"]').innerText(), before.name);
    assert.ok((await sideways(page)) <= 0, 'nothing scrolls sideways');
    // labels above the fields, fields the width of the phone
    const label = await page.locator('[data-test="my-ent-form-card"] .el-form-item__label').first().boundingBox();
    const address = await page.locator('[data-test="my-ent-address"]').boundingBox();
    assert.ok(label.y + label.height <= address.y + 1, 'label above the field');
    assert.ok(address.width >= PHONE.width * 0.7, `the field takes the width (${address.width}px)`);
    // registration facts are shown, not editable
    const facts = page.locator('[data-test="my-ent-facts"]');
    assert.match(await facts.innerText(), new RegExp(before.uscc));
    assert.equal(await facts.locator('input').count(), 0, 'the registration facts are read only');
    assert.match(await facts.innerText(), /请联系主管部门/);

    // a refused value is said under its field, then fixed and saved
    await page.locator('[data-test="my-ent-employees"]').fill('二百');
    await page.locator('[data-test="my-ent-address"]').fill('龙沙区卜奎大街100号');
    await page.locator('[data-test="my-ent-save"]').click();
    const employeesItem = page.locator('.el-form-item', { has: page.locator('[data-test="my-ent-employees"]') });
    await employeesItem.locator('.el-form-item__error').waitFor();
    assert.match(await employeesItem.locator('.el-form-item__error').innerText(), /从业人数.*整数/);
    assert.equal((await record(page, before.id)).json.version, before.version, 'nothing saved');

    await page.locator('[data-test="my-ent-employees"]').fill('210');
    await page.locator('[data-test="contact-add"]').click();
    const n = before.contacts.length;
    await page.locator(`[data-test="contact-${n}-name"]`).fill('孙办公');
    await page.locator(`[data-test="contact-${n}-mobile"]`).fill('139 0451 2345');
    assert.ok((await sideways(page)) <= 0, 'the contacts editor fits the phone');
    await page.locator('[data-test="my-ent-save"]').click();
    await page.locator('.el-message--success').waitFor();
    const after = (await record(page, before.id)).json;
    assert.equal(after.version, before.version + 1);
    assert.equal(after.employees, 210);
    assert.equal(after.address, '龙沙区卜奎大街100号');
    assert.equal(after.contacts[n].mobile, '13904512345', 'the mobile number stored as 11 digits');
    assert.equal(after.name, before.name);
    // the history below the form has the change
    await page.locator('[data-test="ent-history"]', { hasText: '龙沙区卜奎大街100号' }).waitFor();

    // the registry and another enterprise stay out of reach
    const other = before.id === 1 ? 2 : 1;
    assert.equal((await record(page, other)).status, 404);
    await page.goto('/#/enterprises');
    await page.waitForURL(/#\/my-enterprise/);
    await page.goto(`/#/enterprises/${other}`);
    await page.waitForURL(/#\/my-enterprise/);
    await page.locator('[data-test="my-ent-title"]', { hasText: before.name }).waitFor();
    const list = await page.evaluate(async () => (await (await fetch('/api/v1/enterprises')).json()).total);
    assert.equal(list, 1, 'the API lists its own enterprise only');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
