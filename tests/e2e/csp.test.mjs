// csp.test.mjs: the console's defences in a real browser. Markup stored in records (an org's name,
// an enterprise's name and address, an appeal's title and content) shows as text and never runs;
// the Content-Security-Policy itself refuses inline script and inline event handlers even when
// markup reaches the page (injected here on purpose); the session cookie is HttpOnly and
// SameSite=Strict (and Secure with the __Host- prefix behind TLS), so page script never reads it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, login } from './lib/browser.mjs';
import { startTarget } from './lib/target.mjs';
import { startServer } from '../lib/server.mjs';

const SCRIPT = '<script>window.__pwned = "script"</script>';
const IMG = '<img src=x onerror="window.__pwned = \'img\'">';
const SVG = '<svg onload="window.__pwned = \'svg\'"></svg>';
let server, browser, ids;

before(async () => {
	server = await startTarget({ args: ['--login-rate', '1000/60'] });
	browser = await launch();
	const admin = await server.login('sysadmin');
	const stat = await server.login('statistician');
	const ent = await server.login('enterprise');
	const org = await admin.post('/api/v1/orgs', { parent_id: admin.user.org.id, code: 'XSS-1', name: `科${SCRIPT}`, kind: 'department' });
	assert.equal(org.status, 201, org.text);
	const mine = (await ent.get('/api/v1/me')).json.user.enterprise.id;
	const cur = (await stat.get(`/api/v1/enterprises/${mine}`)).json;
	const e = await stat.patch(`/api/v1/enterprises/${mine}`, { version: cur.version, name: `示范${IMG}公司`, address: `${SVG}${SCRIPT}` });
	assert.equal(e.status, 200, e.text);
	const cats = (await ent.get('/api/v1/appeal-categories')).json.items;
	const a = await ent.post('/api/v1/appeals', { title: `注入测试${SCRIPT}`, content: `内容${IMG}${SVG}结束`, category_id: cats[0].children[0].id });
	assert.equal(a.status, 201, a.text);
	ids = { org: org.json.id, enterprise: mine, appeal: a.json.id };
});
after(async () => {
	await browser?.close();
	await server?.stop();
});

/* Whether anything injected ran, and the CSP violations the page reported. */
async function verdict(page) {
	return page.evaluate(() => ({ pwned: window.__pwned || null, violations: window.__violations || [] }));
}
async function watchViolations(context) {
	await context.addInitScript(() => {
		window.__violations = [];
		document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
	});
}

test('markup in records is shown as text and never runs: orgs, enterprises, appeals', async () => {
	for (const [user, path, text] of [
		['sysadmin', '/#/orgs', '<script>'],
		['statistician', `/#/enterprises/${ids.enterprise}`, 'onerror'],
		['enterprise', `/#/my-appeals/${ids.appeal}`, '<script>'],
		['handler', `/#/appeals/${ids.appeal}`, '<script>'],
	]) {
		const { context, page } = await openPage(browser, server.url);
		try {
			await watchViolations(context);
			await login(page, user);
			await page.goto(path);
			await page.getByText(text, { exact: false }).first().waitFor({ timeout: 15000 });
			const v = await verdict(page);
			assert.equal(v.pwned, null, `${user} ${path}: injected markup ran`);
			assert.equal(await page.locator('script:not([src])').count(), 0, `${path}: no inline script element in the page`);
			assert.equal(await page.locator('[onerror], [onload]').count(), 0, `${path}: no inline handler in the page`);
		} finally {
			await context.close();
		}
	}
});

test('the Content-Security-Policy refuses inline script and inline handlers that reach the page', async () => {
	const { context, page, problems } = await openPage(browser, server.url);
	try {
		await watchViolations(context);
		await login(page, 'leader');
		await page.evaluate(([script, img, svg]) => {
			const s = document.createElement('script');
			s.textContent = 'window.__pwned = "inline script"';
			document.body.appendChild(s);
			document.body.insertAdjacentHTML('beforeend', img + svg);
			const d = document.createElement('div');
			d.innerHTML = '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onload="window.__pwned = \'handler\'">';
			document.body.appendChild(d);
			const a = document.createElement('a');
			a.href = 'javascript:window.__pwned = "javascript url"';
			document.body.appendChild(a);
			a.click();
			void script;
		}, [SCRIPT, IMG, SVG]);
		await page.waitForTimeout(500);
		const v = await verdict(page);
		assert.equal(v.pwned, null, 'nothing injected ran');
		assert.ok(v.violations.some((x) => /^script-src/.test(x)), `the policy reported the refusals: ${v.violations.join(', ')}`);
		assert.ok(problems.some((x) => /^CSP:/.test(x)), 'Chromium said why');
		// the policy the page was served with: script from this site only, no inline, no eval
		const res = await page.request.get('/');
		const csp = res.headers()['content-security-policy'];
		assert.match(csp, /script-src 'self'(;|$)/);
		assert.doesNotMatch(csp.match(/script-src[^;]*/)[0], /unsafe/);
	} finally {
		await context.close();
	}
});

test('the session cookie: HttpOnly, SameSite=Strict, Path=/, never visible to page script', async () => {
	const { context, page } = await openPage(browser, server.url);
	try {
		await login(page, 'leader');
		const cookies = await context.cookies();
		const c = cookies.find((x) => x.name === 'tj_session');
		assert.ok(c, 'the session cookie is set');
		assert.equal(c.httpOnly, true);
		assert.equal(c.sameSite, 'Strict');
		assert.equal(c.path, '/');
		assert.equal(await page.evaluate(() => document.cookie.includes('tj_session')), false, 'page script cannot read it');
	} finally {
		await context.close();
	}
});

test('behind TLS (--tls): the __Host- prefix and Secure, with HSTS', async () => {
	const tls = await startServer({ args: ['--tls'] });
	try {
		const r = await tls.fetch('/api/v1/auth/login', { method: 'POST', json: { username: 'leader', password: 'Demo@2026' } });
		assert.equal(r.status, 200, r.text);
		const set = r.headers.get('set-cookie');
		assert.match(set, /^__Host-tj_session=[^;]+; /);
		for (const flag of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) assert.ok(set.split('; ').includes(flag), `${flag} in ${set}`);
		assert.doesNotMatch(set, /Domain=/i, '__Host- cookies carry no Domain');
		assert.match(r.headers.get('strict-transport-security') || '', /max-age=\d+/);
	} finally {
		await tls.stop();
	}
});
