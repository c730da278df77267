// browser.mjs: the one place the browser tests start Chromium, open pages and log in.
// Debian's chromium and playwright-core move together (see DESIGN.md); CHROMIUM_PATH overrides the binary.
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const DEMO_PASSWORD = 'Demo@2026';
export const DESKTOP = { width: 1366, height: 860 };
export const PHONE = { width: 375, height: 812 };

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** Builds the console once if web/dist is missing (make e2e builds it first; a lone `node --test` may not). */
export function ensureConsoleBuilt() {
  if (existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.mjs', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

/**
 * A fresh context and page on baseURL. `problems` collects what must never happen in the console:
 * uncaught exceptions and Content-Security-Policy refusals (inline script, eval, outside resources).
 */
export async function openPage(browser, baseURL, options = {}) {
  const context = await browser.newContext({
    baseURL,
    viewport: options.viewport || DESKTOP,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
    isMobile: options.isMobile || false,
    hasTouch: options.isMobile || false,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(options.timeout || 10000);
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(text)) problems.push(`CSP: ${text}`);
  });
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (!['data:', 'blob:'].includes(u.protocol) && u.origin !== new URL(baseURL).origin) {
      problems.push(`outside request: ${req.url()}`);
    }
  });
  return { context, page, problems };
}

/** Fills the login form and submits it with Enter. Does not wait for the outcome. */
export async function submitLogin(page, username, password) {
  if (!page.url().includes('#/login')) await page.goto('/#/login');
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('input[name="password"]').press('Enter');
}

/** Logs in and waits for the console's home page (or the forced password change page). */
export async function login(page, username, password = DEMO_PASSWORD) {
  await page.goto('/#/login');
  await submitLogin(page, username, password);
  await page.waitForURL(/#\/(change-password)?(\?.*)?$/);
  await page.locator('.app-shell, .force-page').first().waitFor();
}

/** The menu entries the user sees, in order (desktop layout). */
export async function menuItems(page) {
  await page.locator('.side-menu .el-menu-item').first().waitFor();
  return (await page.locator('.side-menu .el-menu-item').allInnerTexts()).map((t) => t.trim());
}

/** The text of the login page's alert, once it shows. */
export async function loginAlert(page) {
  const alert = page.locator('[data-test="login-alert"]');
  await alert.waitFor();
  return (await alert.innerText()).replace(/\s+/g, ' ');
}
