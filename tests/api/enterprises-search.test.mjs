// enterprises-search.test.mjs: Chinese substring search (1, 2 and 3+ characters), pinyin
// initials, mixed Chinese and digits, LIKE wildcards taken literally; every answer checked
// against a reference computed here from the full list. With TIEJIAN_TEST_PG set (make api-pg),
// the same fixture is loaded into SQLite and PostgreSQL and many queries must answer the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer } from '../lib/server.mjs';
import { makeUscc } from './enterprises-lib.mjs';

/* The fixture added to the demo: names mixing Chinese, digits and Latin letters, and the
 * characters LIKE treats specially. */
const EXTRA = [
	{ n: 901, name: '龙沙2号机械厂有限公司', legal_rep: '欧阳建国', address: '龙沙区工业园区2号' },
	{ n: 902, name: '鹤城88食品有限公司', legal_rep: '司马光', address: '建华区50%股权大楼' },
	{ n: 903, name: 'ABC智能装备（齐齐哈尔）有限公司', legal_rep: '王_五', address: '龙沙区A座_3层' },
	{ n: 904, name: '重庆长安汽车齐齐哈尔分公司', legal_rep: '长孙无忌', address: '龙沙区银行路1号' },
	{ n: 905, name: '齐齐哈尔第一机床厂', legal_rep: '李"引号"', address: '龙沙区＂全角＂路１２号' },
];

export const QUERIES = [
	'鹤', '龙', '机', '2', 'a', // one character
	'龙沙', '鹤城', '机械', '88', '股权', '建国', 'ab', // two
	'龙沙区', '机械制造', '齐齐哈尔', '有限公司', 'abc智能', '欧阳建国', // three and more
	'qqhe', 'lsjx', 'QQHE', 'hc', 'cqca', 'zqca', 'qqhedyjcc', // pinyin initials (长 zhǎng/cháng, 重 zhòng/chóng)
	'龙沙2', '鹤城88', '2号机械', '１２号', 'ＡＢＣ', // mixed Chinese and digits, full-width forms
	'50%', '%', '_', '王_五', 'a_3', '"引号"', // wildcards and quotes are literal
	'齐齐哈尔 机械', '龙沙 2', '鹤 食品 88', // several terms: all must match
	'9123', makeUscc(901).slice(0, 10), makeUscc(902), // the credit code
	'不存在的企业名称', 'zzzzqqq',
];

function fold(s) {
	return (s || '').replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
		.replace(/\u3000/g, ' ').replace(/[A-Z]/g, (c) => c.toLowerCase());
}
function searchText(e) {
	return [e.name, e.uscc, e.legal_rep, e.address, e.name_initials].map(fold).join('\x1f');
}
function expected(all, q) {
	const terms = fold(q).split(/[ \t]+/).filter(Boolean);
	return all.filter((e) => terms.every((t) => searchText(e).includes(t))).map((e) => e.id).sort((a, b) => a - b);
}

async function loadFixture(s) {
	for (const x of EXTRA) {
		const r = await s.post('/api/v1/enterprises', { uscc: makeUscc(x.n), name: x.name, legal_rep: x.legal_rep, address: x.address, region_code: '230202', industry_code: '34', scale: 'small' });
		assert.equal(r.status, 201, r.text);
	}
}
async function everything(s) {
	const out = [];
	for (let p = 1; ; p++) {
		const r = await s.get(`/api/v1/enterprises?page=${p}&page_size=100&sort=updated`);
		out.push(...r.json.items);
		if (r.json.items.length < 100) return out;
	}
}
async function allIds(s, q, extra = '') {
	const ids = [];
	let total = -1;
	for (let p = 1; ; p++) {
		const r = await s.get(`/api/v1/enterprises?q=${encodeURIComponent(q)}&page=${p}&page_size=100${extra}`);
		assert.equal(r.status, 200, `${q}: ${r.text}`);
		total = r.json.total;
		ids.push(...r.json.items.map((e) => e.id));
		if (r.json.items.length < 100) break;
	}
	assert.equal(ids.length, total, `${q}: the total matches the rows`);
	return ids;
}

let srv, stat, all;
before(async () => {
	srv = await startServer();
	stat = await srv.login('statistician');
	await loadFixture(stat);
	all = await everything(stat);
});
after(async () => { await srv.stop(); });

test('every query answers exactly the enterprises whose name, code, legal representative, address or initials contain each term', async () => {
	for (const q of QUERIES) {
		const got = (await allIds(stat, q)).sort((a, b) => a - b);
		assert.deepEqual(got, expected(all, q), `q=${q}`);
	}
});

test('a cadre finds an enterprise by two Chinese characters or its pinyin initials', async () => {
	const cadre = await srv.login('cadre');
	const two = await cadre.get('/api/v1/enterprises?q=' + encodeURIComponent('示范'));
	assert.equal(two.json.items[0].name, '齐齐哈尔市龙沙示范机械制造有限公司');
	const py = await cadre.get('/api/v1/enterprises?q=lssf');
	assert.equal(py.json.items[0].id, 1);
	// polyphones: each name keeps its initials by the most common readings (重 zhòng, 长 cháng)
	// and by the other readings (重 chóng, 长 zhǎng)
	const cq = await stat.get('/api/v1/enterprises?q=cqza');
	const zq = await stat.get('/api/v1/enterprises?q=zqca');
	assert.equal(cq.json.total, 1);
	assert.equal(zq.json.total, 1);
	// search within scope: the county cadre never sees another county's enterprise
	const other = await cadre.get('/api/v1/enterprises?q=' + encodeURIComponent('建华') + '&page_size=100');
	assert.ok(other.json.items.every((e) => e.region_code === '230202'));
});

test('search combines with filters and sorting; the total is exact', async () => {
	const q = '机械';
	for (const extra of ['&scale=small', '&region_code=230202', '&industry_code=C', '&sort=-employees', '&status=operating&above_scale=false']) {
		const ids = await allIds(stat, q, extra);
		const params = new URLSearchParams(extra.slice(1));
		let ref = all.filter((e) => expected([e], q).length);
		if (params.get('scale')) ref = ref.filter((e) => e.scale === params.get('scale'));
		if (params.get('region_code')) ref = ref.filter((e) => e.region_code === params.get('region_code') || e.city_code === params.get('region_code'));
		if (params.get('industry_code')) ref = ref.filter((e) => e.industry_section === params.get('industry_code') || e.industry_code === params.get('industry_code'));
		if (params.get('status')) ref = ref.filter((e) => e.status === params.get('status'));
		if (params.get('above_scale')) ref = ref.filter((e) => String(e.above_scale) === params.get('above_scale'));
		assert.deepEqual(ids.slice().sort((a, b) => a - b), ref.map((e) => e.id).sort((a, b) => a - b), extra);
	}
	assert.equal((await stat.get('/api/v1/enterprises?q=' + encodeURIComponent('a b c d'))).status, 422);
	// a page past the last match still knows the total
	const first = await stat.get('/api/v1/enterprises?q=' + encodeURIComponent('龙沙'));
	const past = await stat.get('/api/v1/enterprises?page=999&q=' + encodeURIComponent('龙沙'));
	assert.equal(past.json.items.length, 0);
	assert.equal(past.json.total, first.json.total);
});

test('an edit keeps the index in step', async () => {
	const r = await stat.get('/api/v1/enterprises?q=' + encodeURIComponent('欧阳建国'));
	const e = r.json.items[0];
	const p = await stat.patch(`/api/v1/enterprises/${e.id}`, { version: e.version, name: '龙沙改名后精密仪器有限公司', legal_rep: '诸葛亮' });
	assert.equal(p.status, 200, p.text);
	assert.equal((await stat.get('/api/v1/enterprises?q=' + encodeURIComponent('欧阳建国'))).json.total, 0);
	assert.equal((await stat.get('/api/v1/enterprises?q=' + encodeURIComponent('改名后精密'))).json.total, 1);
	assert.equal((await stat.get('/api/v1/enterprises?q=' + encodeURIComponent('诸葛'))).json.total, 1);
	assert.equal((await stat.get('/api/v1/enterprises?q=lsgmhjmyq')).json.total, 1);
});

/* A PostgreSQL database on the test cluster, whichever database this run uses otherwise. */
function pgDatabase() {
	const admin = process.env.TIEJIAN_TEST_PG;
	const name = 't_' + randomBytes(6).toString('hex');
	execFileSync('psql', [admin, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`]);
	const u = new URL(admin);
	u.pathname = '/' + name;
	return u.toString();
}

test('SQLite and PostgreSQL answer the same', { skip: process.env.TIEJIAN_TEST_PG ? false : 'needs TIEJIAN_TEST_PG (make api-pg)' }, async () => {
	const dir = mkdtempSync(join(tmpdir(), 'tiejian-parity-'));
	const lite = await startServer({ db: join(dir, 'lite.db') });
	const pg = await startServer({ db: pgDatabase() });
	try {
		const a = await lite.login('statistician'), b = await pg.login('statistician');
		await loadFixture(a);
		await loadFixture(b);
		const sorts = ['name', '-name', 'founded', '-capital', 'employees', '-updated'];
		let k = 0;
		for (const q of QUERIES) {
			const sort = sorts[k++ % sorts.length];
			for (const extra of [`&sort=${sort}&page_size=25`, `&sort=${sort}&page=2&page_size=7&scale=small`]) {
				const path = `/api/v1/enterprises?q=${encodeURIComponent(q)}${extra}`;
				const [x, y] = await Promise.all([a.get(path), b.get(path)]);
				assert.equal(x.status, 200, x.text);
				assert.equal(y.status, 200, y.text);
				assert.equal(x.json.total, y.json.total, path);
				assert.deepEqual(x.json.items.map((e) => [e.id, e.uscc, e.name, e.tags.map((t) => t.id)]),
					y.json.items.map((e) => [e.id, e.uscc, e.name, e.tags.map((t) => t.id)]), path);
			}
		}
		for (const f of ['region_code=230200', 'region_code=230281', 'industry_code=C', 'industry_code=35', 'ownership=state', 'above_scale=true', 'status=suspended', 'tags=1', 'tags=1,3', 'sort=-founded&page=3']) {
			const path = `/api/v1/enterprises?${f}&page_size=50`;
			const [x, y] = await Promise.all([a.get(path), b.get(path)]);
			assert.equal(x.json.total, y.json.total, path);
			assert.deepEqual(x.json.items.map((e) => e.id), y.json.items.map((e) => e.id), path);
		}
	} finally {
		await lite.stop();
		await pg.stop();
	}
});
