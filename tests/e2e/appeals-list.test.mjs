// appeals-list.test.mjs: the appeal list against the API over the demo city plus 1,100 generated
// appeals (the whole queue is counted exactly; a filtered total past the server's cap is said as
// "超过 200 件", not as a number the server does not know); search by two Chinese characters, filters, sorting and paging, kept in the address;
// an enterprise's 诉求 tab and filing on its behalf; the inbox and its unread count in the header;
// routing rules that suggest the lead unit; the webhook page.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openPage } from './lib/browser.mjs';
import { startTarget } from './lib/target.mjs';
import { apiAs, ok, enter, makeDispatcher, categoryId, pickCascader, pickTreeNode } from './lib/appeals.mjs';

let server;
let browser;

before(async () => {
  const opts = {};
  if (!process.env.TIEJIAN_E2E_URL) {
    const { run, freshDatabase } = await import('../lib/server.mjs');
    const dir = mkdtempSync(join(tmpdir(), 'tiejian-test-'));
    const db = await freshDatabase(dir);
    const r = await run(['demo', '--db', db, '--appeals', '1100']);
    if (r.code !== 0) throw new Error(`demo: ${r.stderr}`);
    Object.assign(opts, { demo: false, db, dir });
  }
  server = await startTarget(opts);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// the list has answered for what the page asks now (the first load included)
const settled = async (page) => {
  await page.locator('[data-test="appeal-summary"][data-ready="true"]').waitFor();
  await page.waitForTimeout(60);
  await page.locator('[data-test="appeal-summary"][data-ready="true"]').waitFor();
};
const shownNumbers = (page) => page.locator('[data-test="appeal-table"] .el-table__body tr .mono').allInnerTexts();
const numbers = (res) => res.items.map((a) => a.number);
// the total line says what the API said: exact as 共 N 件, past the cap as 超过 N 件
const shownTotal = async (page, res) => {
  const total = await page.locator('[data-test="appeal-total"]').innerText();
  const n = res.total.toLocaleString('zh-CN');
  if (res.total_exact) assert.match(total, new RegExp(`共 ${n} 件`), total);
  else assert.match(total, new RegExp(`超过 ${n} 件`), `an inexact total is not shown as exact: ${total}`);
};

test('the list is the API\'s: honest totals, two-character search, filters, sorting, paging, the address', async () => {
  const leader = await apiAs(server.url, 'leader');
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await enter(page, 'leader', '/appeals');
    await settled(page);
    const all = ok(await leader.get('/api/v1/appeals?page_size=20'));
    assert.deepEqual(await shownNumbers(page), numbers(all), 'the first page, newest first');
    assert.equal(all.total_exact, true, 'the whole queue is counted by its counters');
    if (!process.env.TIEJIAN_E2E_URL) assert.ok(all.total > 1100, `the generated appeals are counted: ${all.total}`);
    await shownTotal(page, all);

    // two Chinese characters find what the API finds
    await page.locator('[data-test="appeal-q"]').fill('融资');
    await page.waitForURL(/q=%E8%9E%8D%E8%B5%84/);
    await settled(page);
    const found = ok(await leader.get(`/api/v1/appeals?q=${encodeURIComponent('融资')}&page_size=20`));
    assert.ok(found.items.length > 0, 'the demo has 融资 appeals');
    assert.deepEqual(await shownNumbers(page), numbers(found));
    for (const t of await page.locator('[data-test="appeal-row-title"]').allInnerTexts()) assert.ok(t.length > 0);

    // filters: state and colour, then sorted by deadline; each the API's answer
    await page.locator('[data-test="appeal-q"]').fill('');
    await page.locator('[data-test="appeal-f-state"]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: /^办理中$/ }).first().click();
    await page.waitForURL(/state=assigned/);
    await page.locator('[data-test="appeal-f-colour"]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: /^逾期$/ }).click();
    await page.waitForURL(/colour=red/);
    await page.locator('[data-test="appeal-sort"]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '截止日期最近在前' }).click();
    await page.waitForURL(/sort=due/);
    await settled(page);
    const state = 'assigned,in_progress,suspended,reopened,pending_approval';
    const red = ok(await leader.get(`/api/v1/appeals?state=${state}&colour=red&sort=due&page_size=20`));
    assert.deepEqual(await shownNumbers(page), numbers(red));
    for (const c of await page.locator('[data-test="appeal-table"] .colour').evaluateAll((els) => els.map((e) => e.dataset.colour))) assert.equal(c, 'red');

    // page 2 of a channel, and the address brings it back after a reload
    await page.goto('/#/appeals?channel=hotline&page=2');
    await settled(page);
    const p2 = ok(await leader.get('/api/v1/appeals?channel=hotline&page=2&page_size=20'));
    assert.ok(p2.items.length > 0);
    assert.deepEqual(await shownNumbers(page), numbers(p2));
    await shownTotal(page, p2);
    await page.reload();
    await settled(page);
    assert.deepEqual(await shownNumbers(page), numbers(p2), 'the same list after a reload');
    assert.equal(await page.locator('.el-pager li.is-active').innerText(), '2');

    // a filter that matches more than the server counts: the page says 超过, not a made-up number
    await page.goto('/#/appeals?urgency=normal');
    await settled(page);
    const many = ok(await leader.get('/api/v1/appeals?urgency=normal&page_size=20'));
    if (!process.env.TIEJIAN_E2E_URL) assert.equal(many.total_exact, false, 'past the cap with the generated appeals');
    await shownTotal(page, many);

    // a date range and a region
    await page.goto('/#/appeals?region_code=230202&from=2026-01-01&to=2026-06-30');
    await settled(page);
    const ranged = ok(await leader.get('/api/v1/appeals?region_code=230202&from=2026-01-01&to=2026-06-30&page_size=20'));
    assert.deepEqual(await shownNumbers(page), numbers(ranged));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// these three touch nothing the others read: side by side
describe('side by side', { concurrency: true }, () => {
  test("an enterprise's 诉求 tab lists its appeals, and a cadre files one on its behalf", async () => {
    const cadre = await apiAs(server.url, 'cadre');
    const entId = cadre.user.org ? ok(await cadre.get('/api/v1/enterprises?page_size=1')).items[0].id : null;
    const { context, page, problems } = await openPage(browser, server.url);
    try {
      await enter(page, 'cadre', `/enterprises/${entId}?tab=appeals`);
      const tab = page.locator('[data-test="ent-appeals"]');
      await tab.waitFor();
      const theirs = ok(await cadre.get(`/api/v1/appeals?enterprise_id=${entId}&page_size=50`));
      await page.locator('[data-test="ent-appeals-total"]', { hasText: `共 ${theirs.total} 件` }).waitFor();

      await page.locator('[data-test="ent-appeal-file"]').click();
      const dialog = page.locator('[data-test="file-dialog"]');
      await dialog.waitFor();
      await dialog.locator('[data-test="file-channel"] label', { hasText: '走访发现' }).click();
      await pickCascader(page, dialog.locator('[data-test="file-category"]'), '用工', '技能培训');
      await dialog.locator('[data-test="file-title"]').fill('走访发现：数控操作工技能培训需求');
      await dialog.locator('[data-test="file-content"]').fill('走访中企业反映，新引进的五轴加工中心缺少熟练操作工，希望组织专项技能培训。');
      await dialog.locator('[data-test="file-submit"]').click();
      await page.waitForURL(/#\/appeals\/\d+$/);
      const id = Number(page.url().match(/appeals\/(\d+)/)[1]);
      const a = ok(await cadre.get(`/api/v1/appeals/${id}`));
      assert.equal(a.enterprise.id, entId);
      assert.equal(a.channel, 'visit');
      assert.equal(a.created_by.name, cadre.user.display_name);
      await page.locator('[data-test="appeal-content"]', { hasText: '五轴加工中心' }).waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('a routing rule made in the settings suggests the lead unit of a new appeal', async () => {
    const dispatcher = await makeDispatcher(server.url, 'fenban');
    const { context, page, problems } = await openPage(browser, server.url);
    try {
      await enter(page, dispatcher.username, '/appeal-admin?tab=routes', dispatcher.password);
      await page.locator('[data-test="route-add"]').click();
      const dialog = page.locator('.el-dialog', { hasText: '新增分办规则' });
      await dialog.waitFor();
      await pickCascader(page, dialog.locator('.el-cascader'), '物流', '运输成本', { strict: true });
      await dialog.locator('[data-test="route-region"]').click();
      await page.locator('.el-select-dropdown__item:visible', { hasText: '龙沙区' }).click();
      await pickTreeNode(page, dialog.locator('[data-test="route-unit"]'), '企业服务股');
      await dialog.locator('[data-test="route-save"]').click();
      await dialog.waitFor({ state: 'hidden' });
      const row = page.locator('[data-test="route-table"] tr', { hasText: '运输成本' });
      await row.waitFor();
      assert.match(await row.innerText(), /龙沙区/);
      // what the form saved, said plainly if a pick went astray
      const d0 = await apiAs(server.url, dispatcher.username, dispatcher.password);
      const rule = ok(await d0.get('/api/v1/appeal-routes')).items.find((r) => r.category?.name === '运输成本');
      assert.ok(rule, 'the rule is saved under 运输成本');
      assert.equal(rule.region_code, '230202');
      assert.equal(rule.lead_unit.name, '企业服务股');
      // the enterprise of 龙沙区 files a 物流成本 appeal: the rule's unit is suggested
      const ent = await apiAs(server.url, 'enterprise');
      const a = ok(await ent.post('/api/v1/appeals', { title: '冷链运输费用上涨', content: '冬季冷链运输费用上涨三成，请求协调。', category_id: await categoryId(ent, '0501') }), 201);
      const d = await apiAs(server.url, dispatcher.username, dispatcher.password);
      assert.equal(ok(await d.get(`/api/v1/appeals/${a.id}`)).suggested_unit?.name, '企业服务股');

      // the other tabs load and save
      await page.goto('/#/appeal-admin?tab=settings');
      await page.locator('[data-test="setting-yellow_days"]').waitFor();
      await page.goto('/#/appeal-admin?tab=deadlines');
      await page.locator('[data-test="dl-table"] tr', { hasText: '默认（全部分类）' }).first().waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('the webhook page keeps the gateway and lists the deliveries', async () => {
    const { context, page, problems } = await openPage(browser, server.url);
    try {
      await enter(page, 'sysadmin', '/notify');
      await page.locator('.el-checkbox', { hasText: '测试消息' }).waitFor(); // the stored settings have loaded
      await page.locator('[data-test="hook-url"]').fill('http://127.0.0.1:9/push');
      await page.locator('[data-test="hook-secret"]').fill('short');
      await page.locator('[data-test="hook-enabled"]').click();
      await page.locator('[data-test="hook-save"]').click();
      await page.locator('.el-form-item__error', { hasText: '16' }).waitFor();
      await page.locator('[data-test="hook-secret"]').fill('a-long-enough-signing-secret');
      await page.locator('[data-test="hook-save"]').click();
      await page.locator('.el-message--success').waitFor();
      await page.locator('[data-test="hook-test"]').click();
      await page.locator('[data-test="deliveries-table"] tr', { hasText: '测试消息' }).waitFor({ timeout: 15000 });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});

// the inbox last: the filings above notify the handler
test('the inbox: the unread count in the header, opening a message reads it and leads to its appeal, read all', async () => {
  const handler = await apiAs(server.url, 'handler');
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await enter(page, 'handler', '/');
    const unread = ok(await handler.get('/api/v1/notifications/unread-count')).unread;
    assert.ok(unread > 0, 'the demo handler has unread messages');
    await page.locator('[data-test="inbox-unread"] sup', { hasText: String(Math.min(unread, 99) === unread ? unread : '99+') }).waitFor();
    await page.locator('[data-test="inbox-bell"]').click();
    await page.waitForURL(/#\/inbox/);
    const first = ok(await handler.get('/api/v1/notifications?unread=1&page_size=1')).items[0];
    await page.locator(`[data-test="inbox-item-${first.id}"]`).click();
    await page.waitForURL(new RegExp(`#/appeals/${first.entity_id}$`));
    await page.locator('[data-test="inbox-unread"] sup', { hasText: String(unread - 1) }).waitFor();
    assert.equal(ok(await handler.get('/api/v1/notifications/unread-count')).unread, unread - 1);
    await page.goto('/#/inbox');
    await page.locator('[data-test="inbox-read-all"]').click();
    await page.locator('[data-test="inbox-unread"] sup').waitFor({ state: 'hidden' });
    assert.equal(ok(await handler.get('/api/v1/notifications/unread-count')).unread, 0);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
