// liaison.test.mjs: 包联走访 in the browser. A cadre logs a visit with one problem from the home page in
// under a minute, by keyboard, and the problem is in the dispatcher's queue as an appeal (走访发现)
// linked to the visit; on a phone-sized window a quick phone visit, and the enterprise rates it
// 打扰 on its phone; the enterprise 360 page from the registry's tab; the coverage page's charts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, login, PHONE } from './lib/browser.mjs';
import { startTarget } from './lib/target.mjs';
import { apiAs, enter, ok, makeDispatcher, pickCascader } from './lib/appeals.mjs';

let server, browser, dispatcher, cadre, ownEnterprise;
const TITLE = '新车间环评批复迟迟未下达';

before(async () => {
  server = await startTarget();
  browser = await launch();
  dispatcher = await makeDispatcher(server.url, 'zoufang');
  cadre = await apiAs(server.url, 'cadre');
  ownEnterprise = (await apiAs(server.url, 'enterprise')).user.enterprise.id;
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const sideways = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('a cadre logs a visit with one problem in under a minute; the problem is in the dispatcher\'s queue', async () => {
  // an enterprise of the cadre's nobody visited this month and not in a quiet period
  const mine = ok(await cadre.get('/api/v1/liaisons/mine')).items;
  const target = mine.find((m) => m.month_visits === 0 && !m.quiet_now && m.enterprise.id !== ownEnterprise);
  assert.ok(target, 'a free enterprise among the cadre\'s');
  const typed = target.enterprise.name.replace(/^齐齐哈尔/, '').slice(0, 6);

  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'cadre');
    const started = Date.now();
    // from the home page's card, straight into the form
    await page.locator('[data-test="liaison-card-new"]').click();
    await page.waitForURL(/#\/visits\/new/);
    await page.locator('[data-test="visit-enterprise"] input').waitFor();
    // the enterprise field has the focus: type, Enter
    await page.keyboard.type(typed);
    await page.locator('.el-select-dropdown__item:visible', { hasText: target.enterprise.name }).first().waitFor();
    await page.keyboard.press('Enter');
    // the focus moves on to what was learned
    await page.locator('textarea[data-test="visit-summary"]:focus').waitFor();
    await page.keyboard.type('与企业负责人座谈，新车间主体已完工，设备陆续进场，环评批复尚未下达，影响试生产。');
    // one problem
    await page.locator('[data-test="visit-add-problem"]').click();
    await page.locator('input[data-test="problem-title"]:focus').waitFor();
    await page.keyboard.type(TITLE);
    await pickCascader(page, page.locator('[data-test="visit-problem-0"] .el-cascader'), '审批', '环评安评');
    await page.locator('input[data-test="problem-title"]').click();
    await page.keyboard.press('Control+Enter');
    await page.locator('[data-test="visit-done"]').waitFor();
    const seconds = (Date.now() - started) / 1000;
    console.log(`liaison e2e: a visit with one problem logged in ${seconds.toFixed(1)} s`);
    assert.ok(seconds < 60, `under a minute (${seconds} s)`);
    const done = await page.locator('[data-test="visit-done-appeals"]').innerText();
    assert.match(done, /SQ\d{8}-\d{6}/);
    assert.match(done, new RegExp(TITLE));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }

  // the server: one visit with one problem, the appeal linked back to it
  const visits = ok(await cadre.get(`/api/v1/visits?enterprise_id=${target.enterprise.id}&page_size=5`)).items;
  const v = ok(await cadre.get(`/api/v1/visits/${visits[0].id}`));
  assert.equal(v.problems, 1);
  assert.equal(v.mode, 'onsite');
  const appeal = ok(await cadre.get(`/api/v1/appeals/${v.appeals[0].id}`));
  assert.equal(appeal.title, TITLE);
  assert.equal(appeal.channel, 'visit');
  assert.deepEqual(appeal.source, { kind: 'visit', id: v.id });

  // the dispatcher's queue
  const disp = await openPage(browser, server.url);
  try {
    const { page } = disp;
    await enter(page, dispatcher.username, '/appeals/work', dispatcher.password);
    const row = page.locator('[data-test="work-list"] tr', { hasText: TITLE });
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(target.enterprise.name.slice(0, 8)));
    await row.locator('[data-test="work-row-title"]').click();
    await page.waitForURL(new RegExp(`#/appeals/${appeal.id}$`));
    await page.locator('text=走访发现').first().waitFor();
    assert.deepEqual(disp.problems, []);
  } finally {
    await disp.context.close();
  }
});

test('on a phone: a quick phone visit, and the enterprise rates it 打扰 on its phone', async () => {
  const cadreSide = await openPage(browser, server.url, { viewport: PHONE, isMobile: true });
  let visitId;
  try {
    const { page } = cadreSide;
    await enter(page, 'cadre', `/visits/new?enterprise_id=${ownEnterprise}`);
    await page.locator('textarea[data-test="visit-summary"]').waitFor();
    assert.ok((await sideways(page)) <= 0, 'nothing scrolls sideways');
    const started = Date.now();
    await page.locator('[data-test="visit-mode"] label', { hasText: '电话' }).click();
    await page.locator('textarea[data-test="visit-summary"]').fill('电话了解企业订单交付情况，暂无需要协调的问题。');
    // 无事不扰: when the month or a quiet period asks for it, a reason
    if (await page.locator('[data-test="visit-reason"]').count()) await page.locator('input[data-test="visit-reason"]').fill('企业约请电话沟通');
    await page.locator('[data-test="visit-submit"]').click();
    await page.locator('[data-test="visit-done"]').waitFor();
    console.log(`liaison e2e: a phone visit logged on a phone in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const v = ok(await cadre.get(`/api/v1/visits?enterprise_id=${ownEnterprise}&mode=phone&page_size=1`)).items[0];
    visitId = v.id;
    assert.deepEqual(cadreSide.problems, []);
  } finally {
    await cadreSide.context.close();
  }

  const ent = await openPage(browser, server.url, { viewport: PHONE, isMobile: true });
  try {
    const { page } = ent;
    await login(page, 'enterprise');
    await page.locator('[data-test="ent-liaison-card"]').waitFor();
    await page.getByRole('button', { name: '打开菜单' }).click();
    await page.locator('.menu-drawer .el-menu-item', { hasText: '包联服务' }).click();
    await page.waitForURL(/#\/my-liaisons/);
    // its liaisons, with how to reach them
    await page.locator('[data-test="ent-liaison"]', { hasText: '吴包联' }).waitFor();
    await page.locator(`[data-test="ent-rate-${visitId}"] label`, { hasText: '打扰' }).click();
    await page.locator('.el-message--success').waitFor();
    assert.ok((await sideways(page)) <= 0, 'nothing scrolls sideways');
    assert.deepEqual(ent.problems, []);
  } finally {
    await ent.context.close();
  }
  const v = ok(await cadre.get(`/api/v1/visits/${visitId}`));
  assert.equal(v.rating, 'disturbing');
  const inbox = ok(await cadre.get('/api/v1/notifications?page_size=50')).items;
  assert.ok(inbox.some((n) => n.kind === 'visit_rated' && n.entity_id === visitId), 'the cadre is told');
});

test('the enterprise 360 page from the registry\'s tab; the coverage page draws its charts', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await enter(page, 'handler', `/enterprises/${ownEnterprise}?tab=panorama`);
    await page.locator('[data-test="ent-panorama-tab"] [data-test="pano-visits"]').waitFor();
    await page.locator('[data-test="ent-panorama-open"]').click();
    await page.waitForURL(new RegExp(`#/enterprises/${ownEnterprise}/360$`));
    for (const s of ['pano-profile', 'pano-appeals', 'pano-liaisons', 'pano-visits'])
      await page.locator(`[data-test="${s}"]`).waitFor();
    assert.ok(await page.locator('[data-test="pano-visit"]').count() >= 1);
    assert.match(await page.locator('[data-test="pano-appeals"]').innerText(), /在办/);
    // coverage, as the city leader
    await enter(page, 'leader', '/liaison/coverage');
    await page.locator('[data-test="cov-rate"]').filter({ hasText: '%' }).waitFor();
    await page.locator('[data-test="cov-region-chart"] canvas').waitFor();
    await page.locator('[data-test="cov-overdue"] tbody tr').first().waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
