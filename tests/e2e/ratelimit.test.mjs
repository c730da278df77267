// ratelimit.test.mjs: too many login attempts from one address: the page says so and holds the button.
// Its own server, started with a low limit (--login-rate 3/60), so the other files are not slowed down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, submitLogin, loginAlert } from './lib/browser.mjs';
import { startTarget } from './lib/target.mjs';

let server;
let browser;

before(async () => {
  if (process.env.TIEJIAN_E2E_URL) return;
  server = await startTarget({ args: ['--login-rate', '3/60'] });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the fourth attempt within a minute is refused with the wait stated', { skip: !!process.env.TIEJIAN_E2E_URL && 'needs its own server' }, async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await page.goto('/#/login');
    const button = page.locator('[data-test="login-submit"]');
    await button.waitFor();
    let text = '';
    for (let i = 1; i <= 6 && !/过于频繁/.test(text); i++) {
      // a busy server may ask for a short pause (429 with Retry-After: 2) that holds the button
      await page.waitForFunction(() => !document.querySelector('[data-test="login-submit"]').disabled);
      await submitLogin(page, 'leader', `wrong-${i}`);
      await page.waitForFunction(() => document.querySelector('input[name="password"]').value === '');
      text = await loginAlert(page);
    }
    assert.match(text, /登录尝试过于频繁/);
    assert.match(text, /\d+\s*(秒|分钟)后再试/, `the wait is stated: ${text}`);
    assert.ok(await button.isDisabled(), 'the login button waits');
    assert.match(await button.innerText(), /后再试/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
