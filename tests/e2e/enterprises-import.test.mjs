// enterprises-import.test.mjs: the import wizard. A CSV saved as Excel on a Chinese Windows saves it
// (GB18030), with a bad credit code and a code twice, is reported row by row and nothing is written; the
// fixed file imports. Then "import the valid rows" skips a bad row, "update existing enterprises" turns a
// registered code from an error into an update, and an .xlsx holding only the header says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launch, openPage, login } from './lib/browser.mjs';
import { startTarget } from './lib/target.mjs';
import { makeUscc, breakCheck, gb18030, csvLine } from './lib/enterprises.mjs';

let server;
let browser;
let dir;
let handler; // the API as the 龙沙区 handler sees it

async function apiLogin(username) {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: 'Demo@2026' }),
  });
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  return {
    async find(q) {
      const r = await fetch(`${server.url}/api/v1/enterprises?${new URLSearchParams({ q })}`, { headers: { Cookie: cookie } });
      return (await r.json()).items;
    },
  };
}

before(async () => {
  server = await startTarget();
  browser = await launch();
  dir = mkdtempSync(path.join(tmpdir(), 'tiejian-e2e-import-'));
  handler = await apiLogin('handler');
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Writes a file for the chooser; CSV text is saved in GB18030 unless utf8. */
function saveFile(name, header, rows, { utf8 = false } = {}) {
  const text = [header, ...rows.map(csvLine)].join('\r\n') + '\r\n';
  const file = path.join(dir, name);
  writeFileSync(file, utf8 ? Buffer.from(text, 'utf8') : gb18030(text));
  return file;
}

/** Chooses a file; the page checks it at once (a dry run) and shows the report. */
async function choose(page, file) {
  const checked = page.waitForResponse((r) => r.url().includes('/api/v1/enterprises/import') && r.url().includes('dry_run=1'));
  await page.locator('[data-test="imp-file"]').setInputFiles(file);
  await checked;
  await page.locator('[data-test="imp-ok"], [data-test="imp-errors-summary"], [data-test="imp-empty"], [data-test="imp-failure"]').first().waitFor();
}

/** The report's rows: [{row, column, message}]. */
async function reported(page) {
  const rows = page.locator('[data-test="imp-errors"] .el-table__body tr');
  const out = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const r = rows.nth(i);
    out.push({
      row: Number(await r.locator('[data-test="imp-err-row"]').innerText()),
      column: (await r.locator('[data-test="imp-err-column"]').innerText()).trim(),
      message: (await r.locator('[data-test="imp-err-message"]').innerText()).trim(),
    });
  }
  return out;
}

const number = async (page, what) => Number(await page.locator(`[data-test="imp-${what}"]`).innerText());

/** The header line of the CSV template, as downloaded from the page. */
async function templateHeader(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="imp-template-csv"]').click()]);
  assert.match(download.suggestedFilename(), /企业导入模板\.csv$/);
  const text = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
  return text.split(/\r?\n/)[0];
}

const row = (code, name, extra = {}) => ({
  统一社会信用代码: code,
  企业名称: name,
  法定代表人: extra.rep ?? '王五',
  所在地区代码: '230202',
  行业代码: '34',
  经济类型: '民营',
  企业规模: '小型',
  是否规上: extra.above ?? '否',
  从业人数: extra.employees ?? '40',
  注册地址: '龙沙区测试路1号',
  企业标签: extra.tags ?? '',
});

function cellsFor(header, r) {
  return header.split(',').map((h) => r[h] ?? '');
}

test('a GB18030 CSV with a bad credit code and a duplicate is reported by row, nothing is written, and the fixed file imports', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'handler');
    await page.locator('.side-menu .el-menu-item', { hasText: '企业导入' }).click();
    await page.waitForURL(/#\/enterprises\/import/);
    const header = await templateHeader(page);
    assert.ok(header.startsWith('统一社会信用代码,企业名称'), `the template's header: ${header}`);

    const a = makeUscc(801);
    const b = makeUscc(802);
    const c = makeUscc(803);
    const rows = [
      row(a, '龙沙导入甲机械制造有限公司', { tags: '专精特新、高新技术企业' }),
      row(breakCheck(b), '龙沙导入乙食品有限公司'),
      row(a, '龙沙导入丙化工有限公司'),
    ];
    await choose(page, saveFile('企业名录.csv', header, rows.map((r) => cellsFor(header, r))));

    // the report: each bad row by its line in the file (the header is line 1), in Chinese
    await page.locator('[data-test="imp-errors-summary"]').waitFor();
    assert.equal(await number(page, 'total'), 3);
    assert.equal(await number(page, 'valid'), 1);
    assert.equal(await number(page, 'error-rows'), 2);
    const errs = await reported(page);
    assert.equal(errs.length, 2, JSON.stringify(errs));
    assert.deepEqual(errs.map((e) => [e.row, e.column]), [[3, '统一社会信用代码'], [4, '统一社会信用代码']]);
    assert.match(errs[0].message, /第18位校验码错误/);
    assert.match(errs[1].message, new RegExp(`${a}.*与第2行重复`));
    assert.match(await page.locator('[data-test="imp-result-card"]').innerText(), /编码：GB18030/, 'the encoding was recognised');
    assert.match(await page.locator('[data-test="imp-errors"]').innerText(), /龙沙导入乙食品有限公司/, 'the row’s own content beside its problem');
    assert.ok(await page.locator('[data-test="imp-run"]').isDisabled(), 'all or nothing: no import while a row is wrong');
    assert.deepEqual(await handler.find(a), [], 'a dry run writes nothing');

    // fix the file and choose it again
    rows[1]['统一社会信用代码'] = b;
    rows[2]['统一社会信用代码'] = c;
    await choose(page, saveFile('企业名录.csv', header, rows.map((r) => cellsFor(header, r))));
    await page.locator('[data-test="imp-ok"]').waitFor();
    assert.equal(await number(page, 'error-rows'), 0);
    assert.equal(await page.locator('[data-test="imp-errors"]').count(), 0);
    await page.locator('[data-test="imp-run"]').click();
    const done = page.locator('[data-test="imp-done"]');
    await done.waitFor();
    assert.match(await done.innerText(), /新增 3 家，更新 0 家/);

    const [got] = await handler.find(a);
    assert.equal(got.name, '龙沙导入甲机械制造有限公司', 'the Chinese survived GB18030');
    assert.deepEqual(got.tags.map((t) => t.name), ['专精特新', '高新技术企业']);
    assert.equal(got.region_code, '230202');
    assert.equal((await handler.find(b)).length, 1);
    assert.equal((await handler.find(c)).length, 1);

    // and the new enterprises are in the list, newest first
    await done.getByRole('button', { name: '在企业库中查看' }).click();
    await page.waitForURL(/#\/enterprises\?sort=-updated/);
    await page.locator('[data-test="ent-table"] [data-test="ent-name"]', { hasText: '龙沙导入甲机械制造有限公司' }).waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('"import the valid rows" skips a bad row; "update existing enterprises" turns a registered code into an update', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'handler');
    await page.goto('/#/enterprises/import');
    const header = await templateHeader(page);
    const fresh = makeUscc(901);
    const [existing] = await handler.find('齐齐哈尔龙沙');
    assert.ok(existing, 'a registered enterprise of the county');

    // one good row, one with an unknown region: only the good one goes in when chosen so
    const rows = [row(fresh, '龙沙有效行科技有限公司'), { ...row(makeUscc(902), '龙沙无效行科技有限公司'), 所在地区代码: '239999' }];
    await choose(page, saveFile('部分有误.csv', header, rows.map((r) => cellsFor(header, r)), { utf8: true }));
    const errs = await reported(page);
    assert.deepEqual(errs.map((e) => [e.row, e.column]), [[3, '所在地区代码']]);
    assert.ok(await page.locator('[data-test="imp-run"]').isDisabled());
    await page.locator('[data-test="imp-mode-valid"]').click();
    assert.match(await page.locator('[data-test="imp-run"]').innerText(), /只导入正确的 1 行/);
    await page.locator('[data-test="imp-run"]').click();
    await page.locator('[data-test="imp-done"]').waitFor();
    assert.match(await page.locator('[data-test="imp-done"]').innerText(), /新增 1 家，更新 0 家，跳过 1 行/);
    assert.equal((await handler.find(fresh)).length, 1);
    assert.equal((await handler.find(makeUscc(902))).length, 0);

    // a code already registered is an error, unless updating is chosen
    await page.getByRole('button', { name: '导入另一个文件' }).click();
    await page.locator('[data-test="imp-mode-all"]').click();
    const update = [{ ...row(existing.uscc, existing.name, { employees: '4321' }), 法定代表人: existing.legal_rep ?? '' }];
    await choose(page, saveFile('更新.csv', header, update.map((r) => cellsFor(header, r))));
    const dup = await reported(page);
    assert.equal(dup.length, 1);
    assert.match(dup[0].message, /已在名录中/);
    const rechecked = page.waitForResponse((r) => r.url().includes('dry_run=1') && r.url().includes('update=1'));
    await page.locator('[data-test="imp-update"]').click();
    await rechecked;
    await page.locator('[data-test="imp-ok"]').waitFor();
    await page.locator('[data-test="imp-run"]').click();
    await page.locator('[data-test="imp-done"]').waitFor();
    assert.match(await page.locator('[data-test="imp-done"]').innerText(), /新增 0 家，更新 1 家/);
    const [after] = await handler.find(existing.uscc);
    assert.equal(after.employees, 4321);
    assert.equal(after.version, existing.version + 1);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('an Excel template with only its header is read and said to hold no enterprises', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'handler');
    await page.goto('/#/enterprises/import');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="imp-template-xlsx"]').click()]);
    assert.match(download.suggestedFilename(), /企业导入模板\.xlsx$/);
    const file = path.join(dir, '模板.xlsx');
    writeFileSync(file, await readFile(await download.path()));
    await choose(page, file);
    await page.locator('[data-test="imp-empty"]').waitFor();
    assert.match(await page.locator('[data-test="imp-result-card"]').innerText(), /Excel（\.xlsx）/);
    assert.ok(await page.locator('[data-test="imp-run"]').isDisabled());

    // a file that is neither: refused with the server's reason, in Chinese
    const junk = path.join(dir, 'junk.csv');
    writeFileSync(junk, Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81, 0xfe, 0xff]));
    await choose(page, junk);
    const failure = page.locator('[data-test="imp-failure"]');
    await failure.waitFor();
    assert.match(await failure.innerText(), /[\u4e00-\u9fff]/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
