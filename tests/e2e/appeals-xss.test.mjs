// appeals-xss.test.mjs: markup typed into an appeal (its title reaches the queue, the list, the detail,
// the enterprise's pages, the home cards and the inbox of everyone it notifies) is shown as the text
// it is and never runs; and should markup ever reach the page, the Content-Security-Policy refuses
// to run it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, PHONE } from './lib/browser.mjs';
import { startTarget } from './lib/target.mjs';
import { apiAs, ok, enter, categoryId } from './lib/appeals.mjs';

const TITLE = '<script>__x=1</script><img src=x onerror=__x=2>';
const CONTENT = '情况说明<svg onload=__x=3></svg><a href="javascript:__x=4">点此</a><iframe src="https://example.com/"></iframe>';

let server;
let browser;
let appeal;

before(async () => {
  server = await startTarget();
  browser = await launch();
  const ent = await apiAs(server.url, 'enterprise');
  appeal = ok(await ent.post('/api/v1/appeals', { title: TITLE, content: CONTENT, category_id: await categoryId(ent, '0901') }), 201);
  const handler = await apiAs(server.url, 'handler');
  ok(await handler.post(`/api/v1/appeals/${appeal.id}/accept`, { note: '<b onmouseover=__x=5>受理</b>' }));
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Nothing ran, nothing was injected: the payload is text on the page. */
async function inert(page, where) {
  await page.getByText(TITLE).first().waitFor();
  const found = await page.evaluate(() => ({
    ran: typeof window.__x !== 'undefined',
    img: document.querySelectorAll('img[src="x"]').length,
    svg: document.querySelectorAll('svg[onload]').length,
    iframe: document.querySelectorAll('iframe').length,
    jsLink: document.querySelectorAll('a[href^="javascript:"]').length,
    bold: document.querySelectorAll('b[onmouseover]').length,
    scripts: [...document.scripts].filter((s) => s.textContent.includes('__x')).length,
  }));
  assert.deepEqual(found, { ran: false, img: 0, svg: 0, iframe: 0, jsLink: 0, bold: 0, scripts: 0 }, where);
}

test('markup in an appeal is shown as text and never runs, wherever the appeal appears', async () => {
  const staff = await openPage(browser, server.url);
  try {
    const { page } = staff;
    await enter(page, 'handler', '/');
    await page.locator('[data-test="work-card"]', { hasText: TITLE }).waitFor();
    await inert(page, 'home card');
    for (const [path, what] of [
      ['/appeals/work', 'my work'],
      ['/appeals', 'the list'],
      [`/appeals/${appeal.id}`, 'the detail'],
      ['/inbox', 'the inbox'],
      [`/enterprises/${appeal.enterprise.id}?tab=appeals`, "the enterprise's 诉求 tab"],
    ]) {
      await page.goto(`/#${path}`);
      await inert(page, what);
    }
    // the detail shows the content and the note as their text too
    await page.goto(`/#/appeals/${appeal.id}`);
    assert.equal(await page.locator('[data-test="appeal-content"]').innerText(), CONTENT);
    await page.locator('[data-test="appeal-timeline"]', { hasText: '<b onmouseover=__x=5>受理</b>' }).waitFor();
    await inert(page, 'the detail, again');
    assert.deepEqual(staff.problems, []);
  } finally {
    await staff.context.close();
  }

  const ent = await openPage(browser, server.url, { viewport: PHONE, isMobile: true });
  try {
    const { page } = ent;
    await enter(page, 'enterprise', '/');
    await inert(page, "the enterprise's home card");
    await page.goto('/#/my-appeals');
    await inert(page, "the enterprise's list");
    await page.goto(`/#/my-appeals/${appeal.id}`);
    await inert(page, "the enterprise's appeal");
    assert.equal(await page.locator('[data-test="appeal-content"]').innerText(), CONTENT);
    assert.deepEqual(ent.problems, []);
  } finally {
    await ent.context.close();
  }
});

test('the Content-Security-Policy refuses inline script even if markup reached the page', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    const res = await page.goto('/');
    const csp = res.headers()['content-security-policy'] || '';
    assert.match(csp, /script-src 'self'(;|$)/, `CSP: ${csp}`);
    assert.doesNotMatch(csp, /unsafe-inline[^;]*;?\s*$|script-src[^;]*unsafe/, 'no unsafe script sources');
    await enter(page, 'handler', `/appeals/${appeal.id}`);
    await page.locator('[data-test="appeal-title"]').waitFor();
    // what an XSS would do: put markup in the DOM
    await page.evaluate((html) => {
      const div = document.createElement('div');
      div.innerHTML = html;
      document.body.appendChild(div);
      const s = document.createElement('script');
      s.textContent = '__x = 7';
      document.body.appendChild(s);
    }, TITLE + '<img src="data:," onerror="__x=8">');
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => typeof window.__x), 'undefined', 'nothing ran');
    assert.ok(problems.some((p) => p.startsWith('CSP:')), `the browser reported the refusal: ${problems}`);
    assert.ok(problems.every((p) => p.startsWith('CSP:')), `nothing else went wrong: ${problems}`);
  } finally {
    await context.close();
  }
});
