// static.test.mjs: the console from web/dist: the shell for / and any console route (no-cache),
// hashed assets cached for a year with the right type, and no path that leaves the folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, mkdtempSync, cpSync, symlinkSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, ROOT } from '../lib/server.mjs';
import { assertError, assertSecurityHeaders, rawHttp } from './helpers.mjs';

const DIST = join(ROOT, 'web/dist');
let srv, index;
before(async () => {
	// Not a skip: without the built console these tests cannot say anything, and must say so.
	assert.ok(existsSync(join(DIST, 'index.html')),
		'web/dist/index.html is missing: build the console first (make web, or npx vite build --config web/vite.config.mjs)');
	index = readFileSync(join(DIST, 'index.html'), 'utf8');
	srv = await startServer({ demo: false });
});
after(async () => {
	if (srv) assert.equal((await srv.stop()).code, 0);
});

function assertShell(r, what) {
	assert.equal(r.status, 200, what);
	assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8', what);
	assert.equal(r.headers.get('cache-control'), 'no-cache', what);
	assert.equal(r.text, index, what);
}

test('/ and every console route answer index.html with Cache-Control: no-cache', async () => {
	for (const path of ['/', '/users', '/orgs/12', '/audit', '/settings/tokens', '/login?next=%2Fusers', '/deep/nested/route'])
		assertShell(await srv.fetch(path), path);
	assert.match(index, /<div id="app"><\/div>/);
	assertSecurityHeaders((await srv.fetch('/users')).headers, 'console route');
});

test('a hashed asset under /assets/ is cached for a year with its content type', async () => {
	const files = readdirSync(join(DIST, 'assets'));
	const js = files.find((f) => /^[\w.-]+-[\w-]{8}\.js$/.test(f));
	const css = files.find((f) => /^[\w.-]+-[\w-]{8}\.css$/.test(f));
	assert.ok(js && css, `hashed assets in web/dist/assets: ${files.slice(0, 5).join(', ')}`);
	for (const [file, type] of [[js, 'text/javascript; charset=utf-8'], [css, 'text/css; charset=utf-8']]) {
		const r = await srv.fetch(`/assets/${file}`);
		assert.equal(r.status, 200, file);
		assert.equal(r.headers.get('content-type'), type, file);
		assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable', file);
		assert.equal(r.text, readFileSync(join(DIST, 'assets', file), 'utf8'), file);
		assertSecurityHeaders(r.headers, file);
	}
	// The entry script named by index.html is served.
	const entry = index.match(/src="(\/assets\/[^"]+\.js)"/)[1];
	assert.equal((await srv.fetch(entry)).status, 200);
	// Files outside /assets/ are cached briefly.
	if (existsSync(join(DIST, 'favicon.svg'))) {
		const f = await srv.fetch('/favicon.svg');
		assert.equal(f.headers.get('content-type'), 'image/svg+xml');
		assert.equal(f.headers.get('cache-control'), 'public, max-age=3600');
	}
	// A missing file is a 404 (not the shell: a broken asset link must show).
	assertError(await srv.fetch('/assets/not-there-12345678.js'), 404, 'no_such_file', { message: '找不到该文件' });
	assert.equal((await srv.fetch('/assets/not-there-12345678.js')).headers.get('cache-control'), 'no-store');
});

const PASSWD = /root:.*:0:0:/;
test('/../etc/passwd and its disguises never leave web/dist', async () => {
	const get = (p) => rawHttp(srv.url, `GET ${p} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
	// Every way to spell "..": refused outright.
	const escapes = ['/../etc/passwd', '/../../../../etc/passwd', '/assets/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd',
		'/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/assets/..%2f..%2f..%2fetc%2fpasswd', '/..%5c..%5cetc%5cpasswd',
		'/assets/%2e%2e/%2e%2e/%2e%2e/etc/hosts.txt', '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/ld.so.conf',
		'/./index.html', '/.git/config', '/.env.js', '/assets/.hidden.js'];
	for (const p of escapes) {
		const r = await get(p);
		assert.equal(r.status, 404, `${p}: ${r.status} ${r.body.slice(0, 80)}`);
		assert.equal(JSON.parse(r.body).error.code, 'not_found', p);
		assert.doesNotMatch(r.body, PASSWD, p);
	}
	// Odd but harmless: at worst the console shell.
	for (const p of ['//etc/passwd', '/etc/passwd', '/index.html%00.js', '/assets/%00/x.js']) {
		const r = await get(p);
		assert.doesNotMatch(r.body, PASSWD, p);
		assert.ok(r.status === 404 || (r.status === 200 && r.body === index), `${p}: ${r.status} ${r.body.slice(0, 80)}`);
	}
	// The plain path too, as a browser would send it.
	assert.doesNotMatch((await srv.fetch('/../etc/passwd')).text, PASSWD);
});

test('only GET and HEAD reach the console; the API never falls back to the shell', async () => {
	const head = await srv.fetch('/users', { method: 'HEAD' });
	assert.equal(head.status, 200);
	assert.equal(head.text, '');
	assertError(await srv.fetch('/users', { method: 'POST', json: {} }), 404, 'no_such_endpoint');
	assertError(await srv.fetch('/api/v1/not-a-route'), 404, 'no_such_endpoint');
	assertError(await srv.fetch('/api/v1/not-a-route.js'), 404, 'no_such_endpoint');
});

test('symlinks, hidden files and folders in the web folder are not served', async () => {
	const web = mkdtempSync(join(tmpdir(), 'tiejian-web-'));
	cpSync(DIST, web, { recursive: true });
	symlinkSync('/etc/passwd', join(web, 'assets', 'link.js'));
	writeFileSync(join(web, '.secret.txt'), 'not for the web');
	mkdirSync(join(web, 'assets', 'folder.js'));
	const other = await startServer({ demo: false, args: ['--web', web] });
	try {
		assertShell(await other.fetch('/'), '/');
		const link = await other.fetch('/assets/link.js');
		assertError(link, 404, 'no_such_file');
		assert.doesNotMatch(link.text, PASSWD);
		assert.doesNotMatch((await other.fetch('/.secret.txt')).text, /not for the web/);
		assertError(await other.fetch('/assets/folder.js'), 404, 'no_such_file');
	} finally {
		assert.equal((await other.stop()).code, 0);
		rmSync(web, { recursive: true, force: true });
	}
});

test('without a built console the shell is a clear 404, the API still works', async () => {
	const empty = mkdtempSync(join(tmpdir(), 'tiejian-web-'));
	const other = await startServer({ demo: false, args: ['--web', empty] });
	try {
		assertError(await other.fetch('/'), 404, 'console_not_built', { message: '控制台尚未构建（请运行 make run 或 make web）' });
		assert.equal((await other.fetch('/healthz')).status, 200);
	} finally {
		assert.equal((await other.stop()).code, 0);
		rmSync(empty, { recursive: true, force: true });
	}
});
