// appeals.mjs: what the appeal browser tests share: API sessions beside the browser (to set a scene and
// to check what the console shows against what the server says), a dispatcher account made the way
// an administrator makes one, a tiny PNG, and small helpers for Element Plus pickers.
import { Session } from '../../lib/server.mjs';
import { DEMO_PASSWORD } from './browser.mjs';

/**
 * Logs the browser context in through the API (the session cookie lands in the context) and opens
 * path: the login form has its own tests, and this saves loading it and the home page each time.
 */
export async function enter(page, username, path = '/', password = DEMO_PASSWORD) {
  const r = await page.context().request.post('/api/v1/auth/login', { data: { username, password } });
  if (r.status() !== 200) throw new Error(`login ${username}: ${r.status()} ${await r.text()}`);
  // a console already open would only change its hash: start it afresh so it asks who is logged in
  if (page.url() !== 'about:blank') await page.goto('about:blank');
  await page.goto(`/#${path}`);
  await page.locator('.app-shell').waitFor();
}

/** A logged-in API session on the server at url. */
export async function apiAs(url, username, password = DEMO_PASSWORD) {
  const s = new Session(url);
  const r = await s.login(username, password);
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
  return s;
}

/** Asserts an API answer's status and returns its JSON. */
export function ok(r, status = 200) {
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.text}`);
  return r.json;
}

/**
 * A dispatcher (诉求受理员) at the city bureau, made as administrators make accounts: the system
 * administrator creates it, the security administrator grants the role, and its first login changes
 * the initial password. Resolves { username, password }.
 */
export async function makeDispatcher(url, username = 'shouli') {
  const sys = await apiAs(url, 'sysadmin');
  const orgs = ok(await sys.get('/api/v1/orgs?q=230200&page_size=100'));
  const city = orgs.items.find((o) => o.code === '230200');
  const created = ok(await sys.post('/api/v1/users', { username, display_name: '冯受理', org_id: city.id }), 201);
  const sec = await apiAs(url, 'secadmin');
  ok(await sec.put(`/api/v1/users/${created.user.id}/roles`, { roles: ['dispatcher'] }));
  const password = 'Dispatch#2026';
  const first = await apiAs(url, username, created.initial_password);
  const r = await first.post('/api/v1/me/password', { old_password: created.initial_password, new_password: password });
  if (r.status !== 204 && r.status !== 200) throw new Error(`password change: ${r.status} ${r.text}`);
  return { username, password };
}

/** A valid 1×1 PNG (the server sniffs the content, so it must be a real one). */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** The category id of a subcategory code ("0101" 银行贷款). */
export async function categoryId(s, code) {
  const tree = ok(await s.get('/api/v1/appeal-categories'));
  for (const root of tree.items) for (const c of root.children || []) if (c.code === code) return c.id;
  throw new Error(`no category ${code}`);
}

/**
 * Picks root / child in an el-cascader (trigger: the cascader or an element around it). A cascader
 * that lets any level be chosen (checkStrictly) is picked by its radio, and stays open.
 */
export async function pickCascader(page, trigger, root, child, { strict = false } = {}) {
  const box = (await trigger.evaluate((el) => el.classList.contains('el-cascader'))) ? trigger : trigger.locator('.el-cascader');
  await box.click();
  const panel = page.locator('.el-cascader__dropdown:visible');
  await panel.locator('.el-cascader-node', { hasText: root }).first().click();
  const node = panel.locator('.el-cascader-node', { hasText: child }).first();
  if (strict) {
    await node.locator('.el-radio').click();
    await page.keyboard.press('Escape');
  } else {
    await node.click();
  }
  await panel.waitFor({ state: 'hidden' });
}

/** Picks a node (by its exact label) in an el-tree-select, typing to filter first. */
export async function pickTreeNode(page, trigger, label) {
  await trigger.click();
  await trigger.locator('input').first().fill(label);
  const node = page.locator('.el-tree-select__popper:visible .el-tree-node__content').filter({ hasText: new RegExp(`^${label}$`) });
  await node.first().click();
}

/** The action buttons an appeal's page offers, as action codes, in the page's order. */
export async function shownActions(page) {
  await page.locator('[data-test="appeal-actions"]').waitFor();
  const tests = await page.locator('[data-test="appeal-actions"] [data-test^="action-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-test')));
  return tests.map((t) => t.replace(/^action-/, '')).filter((c) => c !== 'promote');
}

/** Opens an action's dialog on the appeal page, fills its fields (fill(dialog)) and submits. */
export async function act(page, code, fill) {
  await page.locator(`[data-test="action-${code}"]`).click();
  const dialog = page.locator(`[data-test="action-dialog-${code}"]`);
  await dialog.waitFor();
  if (fill) await fill(dialog);
  await dialog.locator('[data-test="action-submit"]').click();
  await dialog.waitFor({ state: 'hidden' });
}
