// screenshot.test.mjs: with TIEJIAN_SCREENSHOT=1, saves docs/screenshot.png (the logged-in console) for the README.
//   TIEJIAN_SCREENSHOT=1 node --test tests/e2e/screenshot.test.mjs
// TIEJIAN_SCREENSHOT_USER (default sysadmin) and TIEJIAN_SCREENSHOT_PAGE (default orgs; "" for the home page)
// choose what it shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { launch, openPage, login, ROOT } from './lib/browser.mjs';
import { startTarget } from './lib/target.mjs';

const wanted = process.env.TIEJIAN_SCREENSHOT === '1';
const user = process.env.TIEJIAN_SCREENSHOT_USER || 'sysadmin';
const where = process.env.TIEJIAN_SCREENSHOT_PAGE ?? 'orgs';

test('docs/screenshot.png shows the logged-in console', { skip: !wanted && 'set TIEJIAN_SCREENSHOT=1' }, async () => {
  const server = await startTarget();
  const browser = await launch();
  try {
    const { context, page, problems } = await openPage(browser, server.url, { viewport: { width: 1440, height: 860 } });
    await login(page, user);
    if (where) {
      await page.goto(`/#/${where}`);
      await page.waitForLoadState('networkidle');
      // on the org page, show a county bureau with its departments
      const county = page.locator('[data-test="org-tree"] .node[data-kind="county"]').first();
      if (where === 'orgs' && (await county.count())) await county.click();
    } else {
      await page.locator('[data-test="deadline-compute"]').click();
      await page.locator('[data-test="deadline-result"], [data-test="deadline-error"]').first().waitFor();
    }
    await page.mouse.move(1, 1);
    await page.waitForTimeout(400); // let transitions settle
    const out = path.join(ROOT, 'docs', 'screenshot.png');
    await page.screenshot({ path: out });
    assert.ok((await stat(out)).size > 10000);
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
});
