// appeals-flow.test.mjs: an appeal's whole way in Chromium. The enterprise files it on a phone (with an
// attachment, the duplicate warning and "file anyway" with a reason, then withdraws the duplicate); a
// dispatcher receives and assigns it; the handler signs for it, contacts the enterprise and replies
// 已解决; the enterprise reads the answer on its phone and rates it; the statistics page counts it, its
// numbers the API's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, login, PHONE } from './lib/browser.mjs';
import { startTarget } from './lib/target.mjs';
import { apiAs, ok, enter, makeDispatcher, PNG, pickCascader, pickTreeNode, shownActions, act } from './lib/appeals.mjs';

let server;
let browser;
let dispatcher;

before(async () => {
  server = await startTarget();
  browser = await launch();
  dispatcher = await makeDispatcher(server.url);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const sideways = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const TITLE = '新厂区双回路供电接入迟迟未批复';
const CONTENT = '我公司新建的3号厂房需要双回路供电，10千伏接入申请已提交60天，供电公司尚未答复接入方案，新生产线无法试产，请求协调加快。';

test('an enterprise files on a phone, a dispatcher assigns, a handler replies, the enterprise rates, the statistics count it', async () => {
  const stat = await apiAs(server.url, 'statistician');
  const statsBefore = ok(await stat.get('/api/v1/stats/appeals')).total;
  const unitBefore = ok(await stat.get('/api/v1/stats/appeals?group_by=unit')).items.find((i) => i.name === '龙沙区工业和信息化局');

  // ---- the enterprise, on a phone ------------------------------------------------------------
  const ent = await openPage(browser, server.url, { viewport: PHONE, isMobile: true });
  let appealId;
  try {
    const { page } = ent;
    await login(page, 'enterprise');
    await page.locator('[data-test="my-appeals-card"]').waitFor();
    await page.locator('[data-test="my-appeals-card-new"]').click();
    await page.waitForURL(/#\/my-appeals\/new/);
    await pickCascader(page, page.locator('[data-test="file-category"]'), '用电用能', '用电报装');
    await page.locator('[data-test="file-urgency"] label', { hasText: '紧急' }).click();
    await page.locator('[data-test="file-title"]').fill(TITLE);
    await page.locator('[data-test="file-content"]').fill(CONTENT);
    await page.locator('[data-test="file-contact-name"]').fill('钱企联');
    await page.locator('[data-test="file-contact-phone"]').fill('13904510000');
    await page.locator('[data-test="file-attachments"]').setInputFiles({ name: '供电申请回执.png', mimeType: 'image/png', buffer: PNG });
    assert.ok((await sideways(page)) <= 0, 'the form fits the phone');
    await page.locator('[data-test="file-submit"]').click();
    await page.waitForURL(/#\/my-appeals\/\d+$/);
    appealId = Number(page.url().match(/my-appeals\/(\d+)/)[1]);
    await page.locator('[data-test="my-appeal-state"]', { hasText: '待受理' }).waitFor();
    assert.equal(await page.locator('[data-test="appeal-title"]').innerText(), TITLE);
    await page.locator('[data-test="attachment-link"]', { hasText: '供电申请回执.png' }).waitFor();
    assert.ok((await sideways(page)) <= 0, 'the appeal fits the phone');

    // the same again: warned, shown the first, filed anyway with a reason, then withdrawn
    await page.goto('/#/my-appeals/new');
    await pickCascader(page, page.locator('[data-test="file-category"]'), '用电用能', '用电报装');
    await page.locator('[data-test="file-title"]').fill(TITLE);
    await page.locator('[data-test="file-content"]').fill(CONTENT);
    await page.locator('[data-test="file-submit"]').click();
    const dups = page.locator('[data-test="file-duplicates"]');
    await dups.waitFor();
    assert.match(await dups.innerText(), /近期已提交过内容相近的诉求/);
    assert.match(await dups.locator('[data-test="file-duplicate"]').first().innerText(), new RegExp(TITLE));
    await page.locator('[data-test="file-anyway"]').click();
    await page.locator('.el-form-item__error', { hasText: '理由' }).first().waitFor();
    await page.locator('[data-test="file-dup-reason"]').fill('上次提交时漏填了紧急程度');
    await page.locator('[data-test="file-anyway"]').click();
    await page.waitForURL((u) => /#\/my-appeals\/\d+$/.test(u.hash) && !u.hash.endsWith(`/${appealId}`));
    await page.locator('[data-test="action-withdraw"]').click();
    const wd = page.locator('[data-test="action-dialog-withdraw"]');
    await wd.locator('[data-test="field-reason"] textarea').fill('重复提交');
    await wd.locator('[data-test="action-submit"]').click();
    await page.locator('[data-test="my-appeal-state"]', { hasText: '已撤回' }).waitFor();
    assert.deepEqual(ent.problems, []);
  } finally {
    await ent.context.close();
  }

  // ---- the dispatcher receives and assigns -----------------------------------------------------
  const disp = await openPage(browser, server.url);
  try {
    const { page } = disp;
    await enter(page, dispatcher.username, '/appeals/work', dispatcher.password);
    const row = page.locator('[data-test="work-list"] tr', { hasText: TITLE });
    await row.waitFor();
    assert.match(await row.innerText(), /待受理交办/);
    assert.match(await row.locator('[data-test="work-next"]').innerText(), /受理/);
    await row.locator('[data-test="work-row-title"]').click();
    await page.waitForURL(new RegExp(`#/appeals/${appealId}$`));
    assert.deepEqual(await shownActions(page), ['accept', 'reject'], 'a submitted appeal: accept or refuse');
    // the enterprise's attachment comes through the API, as a download
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="attachment-link"]').click()]);
    assert.equal(download.suggestedFilename(), '供电申请回执.png');
    assert.match(new URL(download.url()).pathname, new RegExp(`^/api/v1/appeals/${appealId}/attachments/\\d+$`));

    await act(page, 'accept');
    await page.locator('[data-test="appeal-marks"] .state-tag', { hasText: '已受理待交办' }).waitFor();
    assert.ok((await shownActions(page)).includes('assign'));
    await act(page, 'assign', async (dialog) => {
      await pickTreeNode(page, dialog.locator('[data-test="input-lead_org_id"]'), '龙沙区工业和信息化局');
      await dialog.locator('[data-test="field-note"] textarea').fill('请3个工作日内联系企业');
    });
    await page.locator('[data-test="appeal-lead"]', { hasText: '龙沙区工业和信息化局' }).waitFor();
    await page.locator('[data-test="appeal-timeline"] [data-test="event-assign"]').waitFor();
    assert.deepEqual(disp.problems, []);
  } finally {
    await disp.context.close();
  }

  // ---- the handler signs for it, contacts the enterprise and replies --------------------------
  const hand = await openPage(browser, server.url);
  try {
    const { page } = hand;
    await enter(page, 'handler', '/appeals/work');
    await page.locator('[data-test="inbox-unread"] sup').waitFor();
    const row = page.locator('[data-test="work-list"] tr', { hasText: TITLE });
    await row.waitFor();
    assert.match(await row.locator('[data-test="work-next"]').innerText(), /签收办理/);
    await row.locator('[data-test="work-row-title"]').click();
    await page.waitForURL(new RegExp(`#/appeals/${appealId}$`));
    await act(page, 'start');
    await page.locator('[data-test="appeal-marks"] .state-tag', { hasText: '办理中' }).waitFor();
    await act(page, 'contact', async (dialog) => {
      await dialog.locator('[data-test="opt-via-phone"]').click();
      await dialog.locator('[data-test="field-note"] textarea').fill('与企业电话沟通了供电方案');
    });
    await page.locator('[data-test="deadline-contact"]', { hasText: '已完成' }).waitFor();
    await act(page, 'reply', async (dialog) => {
      await dialog.locator('[data-test="opt-outcome-solved"]').click();
      await dialog.locator('[data-test="field-message"] textarea').fill('经协调，供电公司已出具双回路接入方案，本周内完成施工接电。');
    });
    await page.locator('[data-test="appeal-marks"] .state-tag', { hasText: '已答复待评价' }).waitFor();
    await page.locator('[data-test="appeal-outcome"]', { hasText: '已解决' }).waitFor();
    assert.deepEqual(await shownActions(page), [], 'nothing left for the handler once answered');
    assert.deepEqual(hand.problems, []);
  } finally {
    await hand.context.close();
  }

  // ---- the enterprise reads the answer and rates it, on its phone -----------------------------
  const ent2 = await openPage(browser, server.url, { viewport: PHONE, isMobile: true });
  try {
    const { page } = ent2;
    await enter(page, 'enterprise', '/');
    await page.locator('[data-test="inbox-unread"] sup').waitFor();
    await page.locator('[data-test="inbox-bell"]').click();
    await page.waitForURL(/#\/inbox/);
    const note = page.locator('[data-test^="inbox-item-"]', { hasText: TITLE }).filter({ hasText: '诉求已答复' });
    await note.first().click();
    await page.waitForURL(new RegExp(`#/my-appeals/${appealId}$`));
    await page.locator('[data-test="my-appeal-outcome"]', { hasText: '已解决' }).waitFor();
    const timeline = await page.locator('[data-test="appeal-timeline"]').innerText();
    assert.match(timeline, /供电公司已出具双回路接入方案/, 'the answer is in its messages');
    assert.doesNotMatch(timeline, /请3个工作日内联系企业/, 'the internal note to the unit is not');
    await page.locator('[data-test="rate-unsatisfied"]').click();
    await page.locator('[data-test="rate-submit"]').click();
    await page.locator('[data-test="rate-error"]', { hasText: '原因' }).waitFor();
    await page.locator('[data-test="rate-satisfied"]').click();
    await page.locator('[data-test="rate-comment"]').fill('办得快，问题解决了');
    await page.locator('[data-test="rate-submit"]').click();
    await page.locator('[data-test="my-appeal-state"]', { hasText: '已办结' }).waitFor();
    await page.locator('[data-test="my-appeal-rated"]', { hasText: '满意' }).waitFor();
    assert.ok((await sideways(page)) <= 0);
    assert.deepEqual(ent2.problems, []);
  } finally {
    await ent2.context.close();
  }

  // ---- the statistics page counts it --------------------------------------------------------------
  const after = ok(await stat.get('/api/v1/stats/appeals')).total;
  assert.equal(after.received, statsBefore.received + 2, 'both filings are received');
  assert.equal(after.withdrawn, statsBefore.withdrawn + 1);
  assert.equal(after.closed, statsBefore.closed + 1);
  assert.equal(after.solved, statsBefore.solved + 1);
  assert.equal(after.satisfied, statsBefore.satisfied + 1);
  const st = await openPage(browser, server.url);
  try {
    const { page } = st;
    await enter(page, 'statistician', '/appeal-stats');
    await page.locator('[data-test="count-received"]', { hasText: String(after.received) }).waitFor();
    for (const k of ['closed', 'solved', 'satisfied', 'withdrawn']) {
      assert.equal(await page.locator(`[data-test="count-${k}"] b`).innerText(), String(after[k]), `${k} is the API's`);
    }
    const pct = (x) => (x === null ? '—' : `${(Math.round(x * 1000) / 10).toFixed(1)}%`);
    for (const r of ['close_rate', 'solve_rate', 'on_time_rate', 'satisfaction_rate', 'reopen_rate']) {
      assert.match(await page.locator(`[data-test="rate-${r}"]`).innerText(), new RegExp(pct(after.rates[r]).replace('.', '\\.')), `${r} is the API's`);
    }
    await page.locator('[data-test="chart-trend"] canvas').waitFor();
    await page.locator('[data-test="chart-units"] canvas').waitFor();
    // the unit that handled it, in the table
    const unitRow = page.locator('[data-test="stats-table"] .el-table__body tr', { hasText: '龙沙区工业和信息化局' }).first();
    await unitRow.waitFor();
    const unitAfter = ok(await stat.get('/api/v1/stats/appeals?group_by=unit')).items.find((i) => i.name === '龙沙区工业和信息化局');
    assert.equal(unitAfter.solved, (unitBefore?.solved || 0) + 1);
    const cells = await unitRow.locator('td').allInnerTexts();
    assert.equal(cells[4].trim(), String(unitAfter.solved), `the unit's 已解决 column: ${cells}`);
    assert.deepEqual(st.problems, []);
  } finally {
    await st.context.close();
  }
});
