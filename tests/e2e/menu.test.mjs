// menu.test.mjs: each demo role sees the menu its permissions give, and the route guard refuses the rest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, login, menuItems } from './lib/browser.mjs';
import { startTarget } from './lib/target.mjs';

// The whole menu each demo account sees, in order (三员分立: the system admin runs orgs and users,
// the security admin roles and grants, the audit admin the log; business roles see none of these).
// The registry (企业服务) comes first for those who work with enterprises: bureau users get 企业库 (and
// 企业导入 with enterprise.import), an enterprise user gets its own 企业信息 instead.
const ADMIN_PAGES = ['组织机构', '用户管理', '角色权限', '审计日志'];
const menu = (business, ...admin) => ['工作台', ...business, ...admin, '节假日安排', '个人设置'];
// 诉求办理 follows: 我的工作 for those who receive, handle, review or approve; the list, statistics, cases
// and settings by their permissions; an enterprise user gets 我的诉求 instead. 包联走访 follows that: my
// enterprises and the visit form for those who log visits, the visits, coverage and assignment by
// their permissions; an enterprise user gets 包联服务 (its liaisons, its visits to rate, quiet periods).
const LIAISON_ALL = ['我的包联企业', '登记走访', '走访记录', '走访覆盖', '包联分配'];
const ROLES = {
  sysadmin: menu([], '组织机构', '用户管理', '消息推送'),
  secadmin: menu([], '组织机构', '用户管理', '角色权限'),
  auditadmin: menu([], '审计日志'),
  leader: menu(['企业库', '我的工作', '诉求列表', '诉求统计', '典型案例', '诉求设置', ...LIAISON_ALL], '组织机构', '用户管理'),
  supervisor: menu(['企业库', '我的工作', '诉求列表', '诉求统计', '典型案例', '走访记录', '走访覆盖'], '组织机构'),
  handler: menu(['企业库', '企业导入', '我的工作', '诉求列表', '诉求统计', '典型案例', ...LIAISON_ALL]),
  cadre: menu(['企业库', '诉求列表', '典型案例', '我的包联企业', '登记走访', '走访记录']),
  statistician: menu(['企业库', '企业导入', '诉求列表', '诉求统计', '典型案例', '走访记录', '走访覆盖']),
  enterprise: menu(['企业信息', '我的诉求', '包联服务']),
};

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

for (const [username, want] of Object.entries(ROLES)) {
  test(`${username} sees the menu of its role`, async () => {
    const { context, page, problems } = await openPage(browser, server.url);
    try {
      await login(page, username);
      const items = await menuItems(page);
      assert.deepEqual(items, want, `${username}'s menu`);
      // and the menu agrees with the permissions the server gave
      const perms = await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).user.permissions);
      const PERM = { 组织机构: 'org.read', 用户管理: 'user.read', 角色权限: 'role.read', 审计日志: 'audit.read' };
      for (const p of ADMIN_PAGES) assert.equal(items.includes(p), perms.includes(PERM[p]), `${p} follows ${PERM[p]}`);
      const isEnterprise = !!(await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).user.enterprise));
      assert.equal(items.includes('企业库'), perms.includes('enterprise.read') && !isEnterprise, '企业库 follows enterprise.read, for bureau users');
      assert.equal(items.includes('企业导入'), perms.includes('enterprise.import') && !isEnterprise, '企业导入 follows enterprise.import');
      assert.equal(items.includes('企业信息'), isEnterprise, '企业信息 is for an enterprise user');
      // the top bar names the user and the org; the home page greets them
      const me = await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).user);
      const chip = await page.locator('[data-test="user-chip"]').innerText();
      assert.ok(chip.includes(me.display_name), `top bar shows ${me.display_name}: ${chip}`);
      assert.ok(chip.includes(me.org.name), `top bar shows ${me.org.name}: ${chip}`);
      const welcome = await page.locator('[data-test="welcome"]').innerText();
      assert.ok(welcome.includes(me.display_name));
      for (const r of me.roles) assert.ok(welcome.includes(r.name), `welcome lists role ${r.name}`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

test('the route guard refuses a page the menu does not offer', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'handler');
    for (const path of ['/users', '/audit', '/roles']) {
      await page.goto(`/#${path}`);
      await page.locator('[data-test="forbidden"]').waitFor();
      assert.match(await page.locator('[data-test="forbidden"]').innerText(), /无权访问/);
    }
    // and the page the handler may open still opens
    await page.goto('/#/calendar');
    await page.locator('[data-test="calendar-year"]').waitFor();
    assert.equal(await page.locator('[data-test="calendar-import"]').count(), 0, 'no import without calendar.write');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the deadline calculator on the home page counts working days', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'handler');
    const from = await page.locator('[data-test="deadline-from"] input').inputValue();
    const want = await page.evaluate(async (f) => (await (await fetch(`/api/v1/calendar/deadline?from=${f}&days=10`)).json()), from);
    await page.locator('[data-test="deadline-compute"]').click();
    const box = page.locator('[data-test="deadline-result"], [data-test="deadline-error"]').first();
    await box.waitFor();
    const text = await box.innerText();
    if (want.deadline) {
      const [y, m, d] = want.deadline.split('-').map(Number);
      assert.ok(text.includes(`${y}年${m}月${d}日`), `deadline ${want.deadline} shown: ${text}`);
    } else {
      assert.ok(text.includes(want.error.message), `the server's reason is shown: ${text}`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
