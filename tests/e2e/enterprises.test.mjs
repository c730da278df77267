// enterprises.test.mjs: the registry's console (企业库): a county cadre finds an enterprise by two Chinese
// characters, by pinyin initials and by credit code as they type; an edit is refused under the very field
// and saved once fixed, and its history shows the change; a version conflict keeps what was typed; an
// administrator accepts a failing credit code only with a reason; the filtered list is exported; and a
// county user never sees another county's enterprise, not even in a count.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, openPage, login } from './lib/browser.mjs';
import { startTarget } from './lib/target.mjs';
import { makeUscc, breakCheck, listSettled, shownTotal, shownNames } from './lib/enterprises.mjs';
import { parseCsvRows } from '../../web/src/views/enterprise/csvPreview.js';

let server;
let browser;
let api; // a logged-in API client per demo user: { cadre, handler, leader, statistician }

// A small client of the server for the checks (what the console should show, what was saved).
async function apiLogin(username) {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: 'Demo@2026' }),
  });
  assert.equal(res.status, 200, `API login ${username}`);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const { csrf_token: csrf } = await res.json();
  const call = async (method, path, body) => {
    const r = await fetch(server.url + path, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  };
  return {
    get: (path) => call('GET', path),
    patch: (path, body) => call('PATCH', path, body),
    list: async (query) => (await call('GET', `/api/v1/enterprises?${new URLSearchParams({ page_size: '50', ...query })}`)).json,
  };
}

before(async () => {
  server = await startTarget();
  browser = await launch();
  api = {};
  for (const u of ['cadre', 'handler', 'leader', 'statistician']) api[u] = await apiLogin(u);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Types into the search box key by key and waits for the list's answer to the whole query. */
async function typeSearch(page, text) {
  const answered = page.waitForResponse((r) => {
    const u = new URL(r.url());
    return u.pathname === '/api/v1/enterprises' && u.searchParams.get('q') === text;
  });
  const box = page.locator('[data-test="ent-q"]');
  await box.fill('');
  await box.pressSequentially(text, { delay: 40 });
  await answered;
  await listSettled(page);
}

/** The list shows exactly what the API answers the same user for the same query. */
async function assertListIs(page, want, what) {
  assert.equal(await shownTotal(page), want.total, `${what}: the total is the API's`);
  assert.deepEqual(await shownNames(page), want.items.map((e) => e.name), `${what}: the rows are the API's, in its order`);
}

test('a county cadre finds an enterprise by two Chinese characters, by pinyin initials and by credit code, as they type', async () => {
  const target = (await api.cadre.get('/api/v1/enterprises/1')).json;
  assert.ok(target.name.includes('示范'), `the demo's first enterprise: ${target.name}`);
  const initials = target.name_initials.split(' ')[0];
  const pinyin = initials.slice(initials.indexOf('sfjx'), initials.indexOf('sfjx') + 4);
  assert.equal(pinyin, 'sfjx', `示范机械 in the initials ${initials}`);

  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'cadre');
    await page.locator('.side-menu .el-menu-item', { hasText: '企业库' }).click();
    await page.waitForURL(/#\/enterprises/);
    await listSettled(page);
    await assertListIs(page, await api.cadre.list({}), 'the opening list');

    const queries = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/api/v1/enterprises' && u.searchParams.has('q')) queries.push(u.searchParams.get('q'));
    });

    // two Chinese characters: the trigram index cannot answer these, the search still must
    await typeSearch(page, '示范');
    const two = await api.cadre.list({ q: '示范' });
    assert.ok(two.items.some((e) => e.id === target.id), 'the API finds it by 示范');
    await assertListIs(page, two, '示范');
    assert.ok((await shownNames(page)).includes(target.name), `${target.name} is listed`);
    assert.ok(queries.length <= 2, `typing is debounced: ${JSON.stringify(queries)}`);
    // the characters typed are marked in the names
    const marked = await page.locator('[data-test="ent-table"] [data-test="ent-name"] mark').first().innerText();
    assert.equal(marked, '示范');
    assert.match(page.url(), /q=%E7%A4%BA%E8%8C%83|q=示范/, 'the search is kept in the address');

    // pinyin initials, typed key by key: one request for the whole word, not one per key
    queries.length = 0;
    await typeSearch(page, pinyin);
    assert.deepEqual(queries, [pinyin], 'one request once typing pauses');
    const py = await api.cadre.list({ q: pinyin });
    assert.ok(py.items.some((e) => e.id === target.id), 'the API finds it by sfjx');
    await assertListIs(page, py, pinyin);

    // the credit code, and Enter opens the only result
    await typeSearch(page, target.uscc);
    assert.equal(await shownTotal(page), 1);
    await page.locator('[data-test="ent-q"]').press('Enter');
    await page.waitForURL(new RegExp(`#/enterprises/${target.id}`));
    await page.locator('[data-test="fact-uscc"]').waitFor();
    assert.equal(await page.locator('[data-test="ent-title"]').innerText(), target.name);
    assert.equal(await page.locator('[data-test="fact-uscc"]').innerText(), target.uscc);

    // Back returns to the list as it was
    await page.locator('[data-test="ent-back"]').click();
    await page.waitForURL(/#\/enterprises\?/);
    await listSettled(page);
    assert.equal(await page.locator('[data-test="ent-q"]').inputValue(), target.uscc);
    assert.equal(await shownTotal(page), 1);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('filters, sorting and paging show exactly what the API counts', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'leader');
    // a city leader: one county, manufacturing (section C), 规上, largest registered capital first, second page of 20
    await page.goto('/#/enterprises?region_code=230203&industry_code=C&above_scale=true&sort=-capital&size=20&page=2');
    await listSettled(page);
    const want = await api.leader.list({ region_code: '230203', industry_code: 'C', above_scale: 'true', sort: '-capital', page_size: '20', page: '2' });
    assert.ok(want.total > 20, `enough for two pages: ${want.total}`);
    await assertListIs(page, want, '建华区 manufacturing 规上 by capital, page 2');
    await page.locator('.el-select[data-test="ent-f-industry"]', { hasText: 'C 制造业' }).waitFor(); // the address's filters show in the controls
    await page.locator('[data-test="ent-f-region"]', { hasText: '建华区' }).waitFor();

    // a filter chosen on the page: 小型 within the same list
    const scale = page.locator('[data-test="ent-f-scale"]');
    await scale.click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '小型' }).click();
    await listSettled(page);
    const small = await api.leader.list({ region_code: '230203', industry_code: 'C', above_scale: 'true', scale: 'small', sort: '-capital', page_size: '20' });
    await assertListIs(page, small, 'and 小型');
    assert.match(page.url(), /scale=small/);
    assert.doesNotMatch(page.url(), /page=2/, 'a new filter starts at the first page');

    // sorting by a column header: from the lowest capital up
    await page.locator('[data-test="ent-table"] th', { hasText: '注册资本' }).locator('.sort-caret.ascending').click();
    await listSettled(page);
    await assertListIs(page, await api.leader.list({ region_code: '230203', industry_code: 'C', above_scale: 'true', scale: 'small', sort: 'capital', page_size: '20' }), 'by capital, ascending');

    // clearing the conditions brings the whole city back
    await page.locator('[data-test="ent-reset"]').click();
    await listSettled(page);
    assert.equal(await shownTotal(page), (await api.leader.list({})).total);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the filtered list is exported as CSV and as Excel', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'leader');
    await page.goto('/#/enterprises?region_code=230204&above_scale=true');
    await listSettled(page);
    const want = await api.leader.list({ region_code: '230204', above_scale: 'true' });
    assert.equal(await shownTotal(page), want.total);

    await page.locator('[data-test="ent-export"]').click();
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="ent-export-csv"]').click()]);
    assert.match(csvDownload.suggestedFilename(), /^企业名录_\d{8}\.csv$/);
    const csv = await readFile(await csvDownload.path());
    assert.equal(csv.subarray(0, 3).toString('hex'), 'efbbbf', 'UTF-8 with a BOM, so Excel reads the Chinese');
    const rows = [...parseCsvRows(csv.toString('utf8').replace(/^\uFEFF/, '')).values()];
    const header = rows[0];
    assert.equal(rows.length - 1, want.total, 'one line per enterprise of the filter');
    const region = header.indexOf('所在地区代码');
    const above = header.indexOf('是否规上');
    const name = header.indexOf('企业名称');
    assert.ok(region >= 0 && above >= 0 && name >= 0, `Chinese headers: ${header}`);
    for (const cells of rows.slice(1)) {
      assert.equal(cells[region], '230204');
      assert.equal(cells[above], '是');
    }
    assert.deepEqual(rows.slice(1, 1 + want.items.length).map((c) => c[name]), want.items.map((e) => e.name), 'in the list\'s order');

    await page.locator('[data-test="ent-export"]').click();
    const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="ent-export-xlsx"]').click()]);
    assert.match(xlsxDownload.suggestedFilename(), /\.xlsx$/);
    const xlsx = await readFile(await xlsxDownload.path());
    assert.equal(xlsx.subarray(0, 2).toString(), 'PK', 'an .xlsx (zip) file');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('an edit refused under its field is fixed and saved, and the history shows each field before and after', async () => {
  const list = await api.cadre.list({ sort: 'name' });
  const target = (await api.cadre.get(`/api/v1/enterprises/${list.items[3].id}`)).json;
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'cadre');
    await page.goto(`/#/enterprises/${target.id}`);
    await page.locator('[data-test="ent-edit"]').click();
    const dialog = page.locator('[data-test="ent-edit-dialog"]');
    await dialog.waitFor();
    assert.ok(await dialog.locator('[data-test="ent-uscc-input"]').isDisabled(), 'only an administrator corrects a credit code');

    await dialog.locator('[data-test="ent-employees-input"]').fill('356');
    if (!(await dialog.locator('[data-test="contact-0-name"]').count())) {
      await dialog.locator('[data-test="contact-add"]').click();
      await dialog.locator('[data-test="contact-0-name"]').fill('测试联系人');
    }
    await dialog.locator('[data-test="contact-0-mobile"]').fill('1380013800'); // ten digits
    await dialog.locator('[data-test="ent-save"]').click();

    const mobileItem = dialog.locator('.el-form-item', { has: page.locator('[data-test="contact-0-mobile"]') });
    const error = mobileItem.locator('.el-form-item__error');
    await error.waitFor();
    assert.match(await error.innerText(), /手机号码.*1380013800.*11位/, 'the server says what is wrong, under the field');
    assert.ok(await dialog.isVisible(), 'the dialog stays open with what was typed');
    assert.equal(await dialog.locator('[data-test="ent-employees-input"]').inputValue(), '356');
    assert.equal((await api.cadre.get(`/api/v1/enterprises/${target.id}`)).json.version, target.version, 'nothing saved');

    await dialog.locator('[data-test="contact-0-mobile"]').fill('13800138000');
    await error.waitFor({ state: 'detached' }); // the error goes once the field is edited
    await dialog.locator('[data-test="ent-save"]').click();
    await dialog.waitFor({ state: 'hidden' });

    const saved = (await api.cadre.get(`/api/v1/enterprises/${target.id}`)).json;
    assert.equal(saved.version, target.version + 1);
    assert.equal(saved.employees, 356);
    assert.equal(saved.contacts[0].mobile, '13800138000');
    assert.equal(saved.name, target.name, 'what was not touched is not sent');
    await page.locator('[data-test="ent-facts"]', { hasText: '356 人' }).waitFor();

    await page.getByRole('tab', { name: '变更记录' }).click();
    const entry = page.locator(`[data-test="history-v${saved.version}"]`);
    await entry.waitFor();
    const employees = await entry.locator('[data-test="history-field-employees"]').innerText();
    assert.match(employees, new RegExp(`从业人数\\s+${target.employees ?? '（空）'}\\s+→\\s+356`));
    assert.match(await entry.locator('[data-test="history-field-contacts"]').innerText(), /13800138000/);
    assert.match(await entry.innerText(), /cadre/, 'who changed it');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a version conflict is explained, and loading the latest version keeps what the user typed', async () => {
  const list = await api.cadre.list({ sort: 'name' });
  const target = (await api.cadre.get(`/api/v1/enterprises/${list.items[5].id}`)).json;
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'cadre');
    await page.goto(`/#/enterprises/${target.id}`);
    await page.locator('[data-test="ent-edit"]').click();
    const dialog = page.locator('[data-test="ent-edit-dialog"]');
    await dialog.locator('[data-test="ent-address-input"]').fill('龙沙区测试大街8号');

    // meanwhile a colleague changes the same record: the address and the employees
    const other = await api.handler.patch(`/api/v1/enterprises/${target.id}`, { version: target.version, address: '龙沙区他人改的地址1号', employees: 999 });
    assert.equal(other.status, 200);

    await dialog.locator('[data-test="ent-save"]').click();
    const banner = dialog.locator('[data-test="ent-conflict"]');
    await banner.waitFor();
    assert.match(await banner.innerText(), /已被他人修改.*第\s*\d+\s*版/);
    assert.equal(await dialog.locator('[data-test="ent-address-input"]').inputValue(), '龙沙区测试大街8号', 'what was typed is still there');

    await dialog.locator('[data-test="ent-conflict-reload"]').click();
    await dialog.locator('[data-test="ent-rebased"]').waitFor();
    assert.equal(await dialog.locator('[data-test="ent-address-input"]').inputValue(), '龙沙区测试大街8号', 'the user’s change is kept');
    assert.equal(await dialog.locator('[data-test="ent-employees-input"]').inputValue(), '999', 'the colleague’s other change is taken');
    assert.match(await dialog.locator('[data-test="clash-address"]').innerText(), /龙沙区他人改的地址1号/, 'the colliding value is shown');

    await dialog.locator('[data-test="ent-save"]').click();
    await dialog.waitFor({ state: 'hidden' });
    const saved = (await api.cadre.get(`/api/v1/enterprises/${target.id}`)).json;
    assert.equal(saved.version, target.version + 2);
    assert.equal(saved.address, '龙沙区测试大街8号');
    assert.equal(saved.employees, 999);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('an administrator accepts a credit code that fails its check only with a written reason', async () => {
  const target = (await api.statistician.list({ region_code: '230205' })).items[0];
  const broken = breakCheck(makeUscc(4242, '230205'));
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'statistician');
    await page.goto(`/#/enterprises/${target.id}`);
    await page.locator('[data-test="ent-edit"]').click();
    const dialog = page.locator('[data-test="ent-edit-dialog"]');
    const uscc = dialog.locator('[data-test="ent-uscc-input"]');
    await uscc.fill(broken);
    await dialog.locator('[data-test="ent-save"]').click();
    const error = dialog.locator('.el-form-item', { has: page.locator('[data-test="ent-uscc-input"]') }).locator('.el-form-item__error');
    await error.waitFor();
    assert.match(await error.innerText(), /第18位校验码错误/);

    await dialog.locator('[data-test="ent-override"]').click();
    await dialog.locator('[data-test="ent-override-reason"]').fill('早');
    await dialog.locator('[data-test="ent-save"]').click();
    const reasonError = dialog.locator('.el-form-item', { has: page.locator('[data-test="ent-override-reason"]') }).locator('.el-form-item__error');
    await reasonError.waitFor();
    assert.match(await reasonError.innerText(), /至少4个字/);

    await dialog.locator('[data-test="ent-override-reason"]').fill('早期赋码，营业执照上即为此代码');
    await dialog.locator('[data-test="ent-save"]').click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('[data-test="fact-uscc"]', { hasText: broken }).waitFor();
    assert.match(await page.locator('[data-test="ent-facts"]').innerText(), /例外登记[\s\S]*早期赋码，营业执照上即为此代码/);
    const saved = (await api.statistician.get(`/api/v1/enterprises/${target.id}`)).json;
    assert.equal(saved.uscc, broken);
    assert.equal(saved.uscc_override_reason, '早期赋码，营业执照上即为此代码');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a county user never sees another county’s enterprise: not in the list, a search, a count or by its address', async () => {
  const elsewhere = (await api.leader.list({ region_code: '230203' })).items[0];
  const own = await api.cadre.list({});
  const city = await api.leader.list({});
  assert.ok(own.total > 0 && own.total < city.total, `the county sees part of the city (${own.total} of ${city.total})`);
  assert.ok(own.items.every((e) => e.region_code === '230202'));

  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'cadre');
    // the home card counts the county only
    const card = page.locator('[data-test="ent-stat-all"] .n');
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-test="ent-stat-all"] .n')?.textContent || ''));
    assert.equal(Number((await card.innerText()).replace(/\D/g, '')), own.total);

    await page.goto('/#/enterprises');
    await listSettled(page);
    assert.equal(await shownTotal(page), own.total);
    // the region filter offers the own county only
    await page.locator('[data-test="ent-f-region"]').click();
    await page.locator('.el-select-dropdown__item:visible').first().waitFor();
    const options = (await page.locator('.el-select-dropdown__item:visible').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual(options, ['龙沙区']);
    await page.keyboard.press('Escape');

    for (const q of [elsewhere.name, elsewhere.uscc]) {
      await typeSearch(page, q);
      assert.equal(await shownTotal(page), 0, `${q} is not found`);
      await page.locator('[data-test="ent-table"] .el-table__empty-text', { hasText: '没有符合条件的企业' }).waitFor();
    }
    // typing the address of its page answers "not found or not yours", showing nothing of it
    await page.goto(`/#/enterprises/${elsewhere.id}`);
    await page.locator('[data-test="ent-missing"]').waitFor();
    assert.ok(!(await page.locator('body').innerText()).includes(elsewhere.name));
    const answer = await page.evaluate(async (id) => (await fetch(`/api/v1/enterprises/${id}`)).status, elsewhere.id);
    assert.equal(answer, 404);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
