// appeals-actions.test.mjs: the detail page offers exactly the actions the server allows the user now
// (a handler, a leader), a state changed by someone else meanwhile answers 409 and the page shows the
// new allowed actions; and every dialog of the lifecycle works against the server: return, extension
// and its approval, supervision and its answer, suspension and the enterprise's supplement, a
// "暂不具备条件" answer that needs a supervisor's approval, the enterprise's 不满意 that reopens it,
// and promotion of the solved appeal to an anonymised typical case.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from './lib/browser.mjs';
import { startTarget } from './lib/target.mjs';
import { apiAs, ok, enter, categoryId, shownActions, act } from './lib/appeals.mjs';

let server;
let browser;
let api; // { enterprise, handler, supervisor, leader } API sessions
let countyId;

before(async () => {
  server = await startTarget();
  browser = await launch();
  api = {};
  for (const u of ['enterprise', 'handler', 'supervisor', 'leader']) api[u] = await apiAs(server.url, u);
  countyId = api.handler.user.org.id;
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A fresh appeal of the demo enterprise, received and assigned to the handler's county bureau. */
async function assignedAppeal(title, { start = false } = {}) {
  const a = ok(
    await api.enterprise.post('/api/v1/appeals', {
      title,
      content: `${title}：具体情况说明，请协调解决。${Math.random()}`,
      category_id: await categoryId(api.enterprise, '0102'),
    }),
    201,
  );
  ok(await api.handler.post(`/api/v1/appeals/${a.id}/accept`, {}));
  ok(await api.handler.post(`/api/v1/appeals/${a.id}/assign`, { lead_org_id: countyId }));
  if (start) ok(await api.handler.post(`/api/v1/appeals/${a.id}/start`, {}));
  return a.id;
}

/** Opens the appeal's page afresh (a page already on it is reloaded). */
async function visit(page, id) {
  const hash = `#/appeals/${id}`;
  if (new URL(page.url()).hash === hash) await page.reload();
  else await page.goto(`/${hash}`);
  await page.locator('[data-test="appeal-actions"]').waitFor();
}

const allowedOf = async (s, id) => ok(await s.get(`/api/v1/appeals/${id}`)).allowed_actions;
const state = (page, name) => page.locator('[data-test="appeal-marks"] .state-tag', { hasText: name }).waitFor();

test('the detail page offers exactly the actions the server allows: a handler, a leader', async () => {
  ok(await api.enterprise.post('/api/v1/appeals', { title: '申请参加省级展会补贴', content: '希望了解参展补贴的申请条件和流程。', category_id: await categoryId(api.enterprise, '0701') }), 201);
  await assignedAppeal('厂区道路破损影响货车通行');
  for (const user of ['handler', 'leader']) {
    const { context, page, problems } = await openPage(browser, server.url);
    try {
      await enter(page, user, '/appeals');
      const list = ok(await api[user].get('/api/v1/appeals?page_size=100')).items;
      // one appeal of each state is enough to see every combination the demo has
      const seen = new Set();
      const sample = list.filter((a) => !seen.has(a.state) && seen.add(a.state));
      assert.ok(sample.length >= 3, `${user} sees appeals in several states`);
      for (const a of sample) {
        await page.goto(`/#/appeals/${a.id}`);
        await page.locator('[data-test="appeal-title"]', { hasText: a.title }).waitFor();
        const want = await allowedOf(api[user], a.id);
        assert.deepEqual((await shownActions(page)).sort(), [...want].sort(), `${user}, appeal ${a.id} (${a.state})`);
      }
      // an appeal that came from a visit says so, and leads to the visit
      const fromVisit = list.find((a) => a.channel === 'visit' && a.state === 'submitted');
      const detail = fromVisit && ok(await api[user].get(`/api/v1/appeals/${fromVisit.id}`));
      if (detail?.source) {
        await page.goto(`/#/appeals/${fromVisit.id}`);
        const src = page.locator('[data-test="appeal-source"]');
        await src.waitFor();
        assert.match(await src.innerText(), new RegExp(`#${detail.source.id}$`));
      }
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }
});

// the next two work on appeals of their own, side by side
describe('dialogs', { concurrency: true }, () => {
  test('an action on a state changed meanwhile answers 409, and the page shows what is allowed now; 回退 with a reason', async () => {
    const id = await assignedAppeal('原材料进口通关时间长');
    const { context, page, problems } = await openPage(browser, server.url);
    try {
      await enter(page, 'handler', `/appeals/${id}`);
      await state(page, '已交办待签收');
      assert.ok((await shownActions(page)).includes('start'));
      // a colleague signs for it meanwhile
      ok(await api.handler.post(`/api/v1/appeals/${id}/start`, {}));
      await act(page, 'start');
      const alert = page.locator('[data-test="appeal-conflict"]');
      await alert.waitFor();
      assert.match(await alert.innerText(), /已被他人处理/);
      await state(page, '办理中');
      const now = await allowedOf(api.handler, id);
      assert.deepEqual((await shownActions(page)).sort(), [...now].sort(), 'the buttons follow the server');
      assert.ok(!now.includes('start'));
      assert.match(await alert.innerText(), /答复/, 'the alert names what can be done now');

      // 回退: a reason is required, the return is counted and shown
      await page.locator('[data-test="action-return"]').click();
      const dialog = page.locator('[data-test="action-dialog-return"]');
      await dialog.locator('[data-test="action-submit"]').click();
      await dialog.locator('.el-form-item__error', { hasText: '回退理由' }).waitFor();
      await dialog.locator('[data-test="field-reason"] textarea').fill('进口通关属海关职责，本单位无法办理');
      await dialog.locator('[data-test="action-submit"]').click();
      await state(page, '已回退待重新交办');
      await page.locator('[data-test="mark-returns"]', { hasText: '回退 1 次' }).waitFor();
      assert.ok((await shownActions(page)).includes('assign'), 'back with the dispatcher (the county handler receives too)');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('every dialog of the lifecycle against the server, to a solved appeal promoted to an anonymised case', async () => {
    const id = await assignedAppeal('流动资金贷款续贷需要过桥资金', { start: true });
    const ctx = {};
    const open = async (user) => {
      if (ctx[user]) return ctx[user].page;
      ctx[user] = await openPage(browser, server.url);
      await enter(ctx[user].page, user, '/');
      return ctx[user].page;
    };
    try {
      // the handler asks for an extension; the leader grants it
      let page = await open('handler');
      await visit(page, id);
      await act(page, 'request_extension', async (d) => {
        await d.locator('[data-test="opt-days-15"]').click();
        await d.locator('[data-test="field-reason"] textarea').fill('需银行、担保公司联合评审');
      });
      await page.locator('[data-test="mark-extension"]', { hasText: '延期待审批' }).waitFor();
      page = await open('leader');
      await visit(page, id);
      await act(page, 'approve_extension');
      await page.locator('[data-test="mark-extension"]', { hasText: '已延期（15个工作日）' }).waitFor();

      // the supervisor supervises; the handler answers
      page = await open('supervisor');
      await visit(page, id);
      await act(page, 'supervise', async (d) => d.locator('[data-test="field-note"] textarea').fill('请加快与担保公司对接，两日内报告进展'));
      await page.locator('[data-test="mark-supervised"]').waitFor();
      page = await open('handler');
      await visit(page, id);
      await act(page, 'answer_supervision', async (d) => d.locator('[data-test="field-answer"] textarea').fill('已约担保公司明日上门评审'));
      await page.locator('[data-test="appeal-supervisions"]', { hasText: '已答复' }).waitFor();
      assert.equal(await page.locator('[data-test="mark-supervised"]').count(), 0);

      // suspended while waiting for the enterprise; the enterprise adds information and it resumes
      await act(page, 'suspend', async (d) => d.locator('[data-test="field-reason"] textarea').fill('请企业补充近三个月的银行流水'));
      await state(page, '已挂起');
      await page.locator('[data-test="appeal-colour"][data-colour="paused"]').waitFor();
      const entPage = await open('enterprise');
      await entPage.goto(`/#/my-appeals/${id}`);
      await entPage.locator('[data-test="my-appeal-suspended"]', { hasText: '银行流水' }).waitFor();
      await entPage.locator('[data-test="supplement-text"]').fill('已补充上传近三个月银行流水');
      await entPage.locator('[data-test="supplement-submit"]').click();
      await entPage.locator('[data-test="my-appeal-state"]', { hasText: '办理中' }).waitFor();

      // 暂不具备条件 needs a plan and a date, and a supervisor's approval before the enterprise sees it
      await page.reload();
      await state(page, '办理中');
      await page.locator('[data-test="action-reply"]').click();
      const reply = page.locator('[data-test="action-dialog-reply"]');
      await reply.locator('[data-test="opt-outcome-not_yet"]').click();
      await reply.locator('[data-test="field-message"] textarea').fill('过桥资金需市级应急转贷资金池审批，本月暂不具备条件。');
      await reply.locator('[data-test="action-submit"]').click();
      await reply.locator('[data-test="field-plan"] .el-form-item__error').waitFor();
      await reply.locator('[data-test="field-follow_up_on"] .el-form-item__error').waitFor();
      await reply.locator('[data-test="field-plan"] textarea').fill('下月资金池额度下达后优先安排');
      await reply.locator('[data-test="field-follow_up_on"] input').fill('2027-01-29');
      await reply.locator('[data-test="field-follow_up_on"] input').press('Enter');
      await reply.locator('[data-test="action-submit"]').click();
      await reply.waitFor({ state: 'hidden' });
      await state(page, '待审核');
      const hidden = ok(await api.enterprise.get(`/api/v1/appeals/${id}`));
      assert.equal(hidden.reply, null, 'the enterprise does not see the answer under review');
      page = await open('supervisor');
      await visit(page, id);
      assert.deepEqual((await shownActions(page)).filter((c) => c.endsWith('_close')).sort(), ['approve_close', 'deny_close']);
      await act(page, 'approve_close');
      await state(page, '已答复待评价');

      // 不满意 reopens it by itself; the handler answers again; 满意 closes it
      ok(await api.enterprise.post(`/api/v1/appeals/${id}/evaluate`, { rating: 'unsatisfied', comment: '希望尽快解决' }));
      page = await open('handler');
      await visit(page, id);
      await state(page, '重办待签收');
      await page.locator('[data-test="mark-reopens"]', { hasText: '重办 1 次' }).waitFor();
      await act(page, 'start');
      await act(page, 'interim_reply', async (d) => d.locator('[data-test="field-message"] textarea').fill('已协调应急转贷资金提前安排'));
      await act(page, 'reply', async (d) => {
        await d.locator('[data-test="opt-outcome-solved"]').click();
        await d.locator('[data-test="field-message"] textarea').fill('应急转贷资金已到位，续贷已办理完毕。');
      });
      await state(page, '已答复待评价');
      ok(await api.enterprise.post(`/api/v1/appeals/${id}/evaluate`, { rating: 'satisfied' }));

      // closed and solved: the supervisor may reopen it, the leader promotes it to a case, anonymised
      page = await open('leader');
      await visit(page, id);
      await state(page, '已办结');
      assert.ok((await shownActions(page)).includes('reopen'));
      await page.locator('[data-test="action-promote"]').click();
      const promote = page.locator('[data-test="promote-dialog"]');
      await promote.waitFor();
      assert.equal(await promote.locator('[data-test="case-anonymised"] input').isChecked(), true, 'anonymised unless chosen otherwise');
      await promote.locator('[data-test="case-save"]').click();
      await page.waitForURL(/#\/cases\/\d+$/);
      await page.locator('[data-test="case-detail-title"]').waitFor();
      assert.equal(await page.locator('[data-test="case-enterprise"]').innerText(), '某企业');
      const entName = api.enterprise.user.enterprise.name;
      assert.doesNotMatch(await page.locator('[data-test="case-detail"]').innerText(), new RegExp(entName));
      // found by a two-character search in the library
      await page.goto('/#/cases');
      await page.locator('[data-test="case-q"]').fill('续贷');
      await page.locator('[data-test="case-item"]', { hasText: '过桥资金' }).waitFor();

      // the whole timeline, with the enterprise's messages marked
      await visit(page, id);
      const timeline = page.locator('[data-test="appeal-timeline"]');
      for (const ev of ['file', 'accept', 'assign', 'start', 'request_extension', 'approve_extension', 'supervise', 'answer_supervision', 'suspend', 'supplement', 'reply', 'approve_close', 'evaluate', 'interim_reply']) {
        assert.ok((await timeline.locator(`[data-test="event-${ev}"]`).count()) > 0, `the timeline has ${ev}`);
      }
      assert.ok((await timeline.locator('[data-test="event-supervise"] [data-test="event-internal"]').count()) > 0, 'supervision is internal');
      assert.ok((await timeline.locator('[data-test="event-reply"] [data-test="event-public"]').count()) > 0, 'the answer is said to the enterprise');
      for (const c of Object.values(ctx)) assert.deepEqual(c.problems, []);
    } finally {
      for (const c of Object.values(ctx)) await c.context.close();
    }
  });
});
