// calendar.test.mjs: the holiday calendar of a year, and its import from CSV with the server's row errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, login } from './lib/browser.mjs';
import { startTarget } from './lib/target.mjs';

let server;
let browser;
const YEAR = 2031; // a year the demo does not ship

before(async () => {
  server = await startTarget();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const csv = (lines) => ({ name: `holidays-${YEAR}.csv`, mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) });

test('the system admin imports a year: a bad row is named, a good file loads', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await login(page, 'sysadmin');
    await page.goto(`/#/calendar?year=${YEAR}`);
    await page.locator('[data-test="calendar-not-loaded"]').waitFor();

    await page.locator('[data-test="calendar-import"]').click();
    const dialog = page.locator('.el-dialog', { hasText: `导入 ${YEAR} 年节假日安排` });
    await dialog.waitFor();
    await dialog.locator('[data-test="calendar-file"]').setInputFiles(
      csv(['date,kind,name', `${YEAR}-01-01,holiday,元旦`, `${YEAR}-02-30,holiday,春节`]),
    );
    await dialog.locator('[data-test="calendar-upload"]').click();
    const err = dialog.locator('[data-test="calendar-import-error"]');
    await err.waitFor();
    assert.match(await err.innerText(), /第\s*3\s*行/, 'the bad row is named');
    assert.match(await dialog.locator('li.bad').innerText(), /02-30/, 'the bad line is marked in the preview');

    await dialog.locator('[data-test="calendar-file"]').setInputFiles(
      csv([
        'date,kind,name',
        `${YEAR}-01-01,holiday,元旦`,
        `${YEAR}-10-01,holiday,国庆节`,
        `${YEAR}-10-02,holiday,国庆节`,
        `${YEAR}-09-28,workday,国庆节`,
      ]),
    );
    await dialog.locator('[data-test="calendar-upload"]').click();
    await dialog.locator('[data-test="calendar-import-ok"]').waitFor();
    await dialog.locator('.el-dialog__footer').getByRole('button', { name: '关闭' }).click();

    const fest = page.locator('[data-test="calendar-festivals"]');
    await fest.waitFor();
    const text = await fest.innerText();
    assert.ok(text.includes('元旦') && text.includes('国庆节'), text);
    assert.ok(text.includes('9月28日'), 'the 调休 working day is listed');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
