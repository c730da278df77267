// enterprises-import.test.mjs: import from CSV (UTF-8 with and without BOM, GB18030 as Excel on
// a Chinese Windows saves it) and .xlsx (shared and inline strings, numbers, dates), the
// template, dry run, the per-row report, all-or-nothing and "valid rows only", updates by
// credit code, formula cells, bad files (corrupt, a zip bomb), 50,000 rows; export to .xlsx
// and CSV with the list's filters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer } from '../lib/server.mjs';
import { makeUscc, makeXlsx, makeZip, readZip } from './enterprises-lib.mjs';

const HEAD = '统一社会信用代码,企业名称,法定代表人,所在地区代码,行业代码,经济类型,企业规模,是否规上,成立日期,注册资本（万元）,从业人数,注册地址,企业标签,联系人,联系人职务,联系人手机';

let srv, stat, handler;
before(async () => {
	srv = await startServer();
	stat = await srv.login('statistician');
	handler = await srv.login('handler');
});
after(async () => { await srv.stop(); });

function upload(s, body, query = '') {
	return s.req('POST', '/api/v1/enterprises/import' + query, { body, headers: { 'Content-Type': 'application/octet-stream' } });
}
/* The body as bytes (fetch's text() drops a byte-order mark). */
async function raw(s, path) {
	const res = await fetch(srv.url + path, { headers: { Cookie: s.cookie } });
	const buf = Buffer.from(await res.arrayBuffer());
	return { status: res.status, headers: res.headers, buf, text: buf.toString('utf8') };
}
const BOM = '\ufeff';

const row = (n, name, extra = {}) => [makeUscc(n), name, extra.rep ?? '张三', extra.region ?? '230202', extra.ind ?? '34', extra.own ?? '民营', extra.scale ?? '小型',
	extra.above ?? '否', extra.founded ?? '2018-03-15', extra.cap ?? '500', extra.emp ?? '45', extra.addr ?? '龙沙区测试路1号', extra.tags ?? '',
	extra.contact ?? '', extra.role ?? '', extra.mobile ?? ''].join(',');

test('the template: .xlsx with Chinese headers and a frozen header row, and CSV with a BOM', async () => {
	const x = await stat.req('GET', '/api/v1/enterprises/import/template?format=xlsx');
	assert.equal(x.status, 200);
	const buf = Buffer.from(await (await fetch(srv.url + '/api/v1/enterprises/import/template?format=xlsx', { headers: { Cookie: stat.cookie } })).arrayBuffer());
	const z = readZip(buf);
	const sheet = z['xl/worksheets/sheet1.xml'].toString();
	assert.match(sheet, /<pane [^>]*ySplit="1"[^>]*state="frozen"/);
	const strings = (z['xl/sharedStrings.xml'] || Buffer.from('')).toString() + sheet;
	for (const h of ['统一社会信用代码', '企业名称', '所在地区代码', '注册资本（万元）'])
		assert.ok(strings.includes(h), h);
	const c = await raw(stat, '/api/v1/enterprises/import/template?format=csv');
	assert.ok(c.text.startsWith(BOM + '统一社会信用代码,企业名称'), c.text);
	assert.equal((await (await srv.login('enterprise')).get('/api/v1/enterprises/import/template')).status, 403);
});

test('CSV with a BOM and blank lines: dry run validates only, then the import creates', async () => {
	const csv = '\ufeff' + HEAD + '\r\n' + row(11001, '导入测试一号有限公司', { tags: '专精特新、高新技术企业', contact: '李四', role: '经理', mobile: '13800138000' }) + '\r\n\r\n,,,\r\n' +
		row(11002, '导入测试二号有限公司', { founded: '2020/1/5' }) + '\r\n\r\n';
	const dry = await upload(stat, csv, '?dry_run=1');
	assert.equal(dry.status, 200, dry.text);
	assert.equal(dry.json.dry_run, true);
	assert.equal(dry.json.committed, false);
	assert.equal(dry.json.total_rows, 2);
	assert.equal(dry.json.valid_rows, 2);
	assert.equal(dry.json.encoding, 'UTF-8 (BOM)');
	assert.equal((await stat.get('/api/v1/enterprises?q=' + encodeURIComponent('导入测试一号'))).json.total, 0);
	const real = await upload(stat, csv);
	assert.equal(real.status, 200, real.text);
	assert.equal(real.json.created, 2);
	const got = (await stat.get('/api/v1/enterprises?q=' + encodeURIComponent('导入测试一号'))).json.items[0];
	const one = (await stat.get('/api/v1/enterprises/' + got.id)).json;
	assert.deepEqual(one.tags.map((t) => t.name), ['专精特新', '高新技术企业']);
	assert.equal(one.registered_capital, 500);
	assert.deepEqual(one.contacts, [{ name: '李四', role: '经理', mobile: '13800138000' }]);
	const two = (await stat.get('/api/v1/enterprises?q=' + encodeURIComponent('导入测试二号'))).json.items[0];
	assert.equal(two.founded_on, '2020-01-05');
	const h = await stat.get(`/api/v1/enterprises/${got.id}/history`);
	assert.equal(h.json.items[0].action, 'import');
});

test('a GB18030 file, as Excel on a Chinese Windows saves it, is detected and converted', async () => {
	const text = HEAD + '\r\n' + row(12001, '鹤城国标编码测试有限公司', { rep: '欧阳修', addr: '建华区中华路３号' }) + '\r\n';
	const gb = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
	assert.notDeepEqual(gb, Buffer.from(text));
	const r = await upload(stat, gb);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.encoding, 'GB18030');
	const e = (await stat.get('/api/v1/enterprises?q=' + encodeURIComponent('国标编码'))).json.items[0];
	assert.equal(e.name, '鹤城国标编码测试有限公司');
	assert.equal(e.legal_rep, '欧阳修');
	const plain = await upload(stat, HEAD + '\n' + row(12002, '无BOM的UTF8文件有限公司') + '\n');
	assert.equal(plain.status, 200);
	assert.equal(plain.json.encoding, 'UTF-8');
});

test('errors are reported per row and field; all-or-nothing unless valid rows only is chosen', async () => {
	const existing = (await stat.get('/api/v1/enterprises/1')).json.uscc;
	const bad = makeUscc(13002).slice(0, 17) + (makeUscc(13002)[17] === '0' ? '1' : '0');
	const lines = [HEAD,
		row(13001, '正确的一行有限公司'),                      // line 2 ok
		[bad, '校验位错误有限公司', '', '230202'].join(','),   // line 3 uscc
		row(13001, '文件内重复有限公司'),                      // line 4 duplicate of line 2
		[existing, '已在名录中有限公司', '', '230202'].join(','), // line 5 already registered
		row(13005, '地区错误有限公司', { region: '999999' }),   // line 6 region
		row(13006, '手机错误有限公司', { contact: '王五', mobile: '12345' }), // line 7 mobile
		row(13007, '另一正确行有限公司', { scale: '中' }),      // line 8 ok
		row(13008, '', {}),                                      // line 9 name
		row(13009, '规模错误有限公司', { scale: '超大', emp: '-3' }), // line 10 scale + employees
	];
	const r = await upload(stat, lines.join('\n'));
	assert.equal(r.status, 422, r.text);
	assert.equal(r.json.error.code, 'import_rejected');
	const rep = r.json.error.report;
	assert.equal(rep.committed, false);
	assert.equal(rep.total_rows, 9);
	assert.equal(rep.error_rows, 7);
	const at = (line, field) => rep.errors.find((e) => e.row === line && e.field === field);
	assert.ok(at(3, 'uscc'));
	assert.match(at(4, 'uscc').message, /与第2行重复/);
	assert.match(at(5, 'uscc').message, /已在名录中/);
	assert.ok(at(6, 'region_code'));
	assert.equal(at(7, 'contact_mobile').column, '联系人手机');
	assert.ok(at(9, 'name'));
	assert.ok(at(10, 'scale') && at(10, 'employees'));
	for (const e of rep.errors) assert.match(e.message, /[\u4e00-\u9fff]/);
	assert.equal((await stat.get('/api/v1/enterprises?q=' + encodeURIComponent('正确的一行'))).json.total, 0);
	const partial = await upload(stat, lines.join('\n'), '?valid_only=1');
	assert.equal(partial.status, 200, partial.text);
	assert.equal(partial.json.created, 2);
	assert.equal(partial.json.skipped, 7);
	assert.equal((await stat.get('/api/v1/enterprises?q=' + encodeURIComponent('正确的一行'))).json.total, 1);
});

test('existing enterprises are updated by credit code only when chosen', async () => {
	const csv = HEAD + '\n' + row(14001, '更新前有限公司', { emp: '10' }) + '\n';
	assert.equal((await upload(stat, csv)).status, 200);
	const again = HEAD + '\n' + row(14001, '更新后有限公司', { emp: '99' }) + '\n';
	const refused = await upload(stat, again);
	assert.equal(refused.status, 422);
	const r = await upload(stat, again, '?update=1');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.updated, 1);
	assert.equal(r.json.created, 0);
	const e = (await stat.get('/api/v1/enterprises?q=' + encodeURIComponent('更新后'))).json.items[0];
	assert.equal(e.employees, 99);
	assert.equal(e.version, 2);
	const h = (await stat.get(`/api/v1/enterprises/${e.id}/history`)).json.items;
	assert.ok(h.find((x) => x.field === 'name' && x.from === '更新前有限公司' && x.to === '更新后有限公司' && x.action === 'import'));
	// nor update, even in a dry run, an enterprise outside its scope
	const elsewhere = (await stat.get('/api/v1/enterprises?region_code=230203&page_size=1')).json.items[0];
	const dry = await upload(handler, HEAD + '\n' + [elsewhere.uscc, '越权更新有限公司'].join(',') + '\n', '?dry_run=1&update=1');
	assert.equal(dry.status, 200, dry.text);
	assert.equal(dry.json.error_rows, 1);
	assert.equal(dry.json.errors[0].code, 'out_of_scope');
	// a county bureau cannot import enterprises of another county
	const other = await upload(handler, HEAD + '\n' + row(14002, '别的县区有限公司', { region: '230203' }) + '\n');
	assert.equal(other.status, 422);
	assert.equal(other.json.error.report.errors[0].field, 'region_code');
});

test('a formula is stored as text and neutralised on export', async () => {
	const csv = HEAD + '\n' + row(15001, '"=HYPERLINK(""http://x"",""点我"")"', { addr: '+1+2', rep: '@SUM(1)' }) + '\n';
	const r = await upload(stat, csv);
	assert.equal(r.status, 200, r.text);
	const e = (await stat.get('/api/v1/enterprises?q=' + encodeURIComponent(makeUscc(15001)))).json.items[0];
	assert.equal(e.name, '=HYPERLINK("http://x","点我")');
	assert.equal(e.address, '+1+2');
	const c = await raw(stat, '/api/v1/enterprises/export?format=csv&q=' + encodeURIComponent(makeUscc(15001)));
	assert.equal(c.status, 200);
	assert.ok(c.text.startsWith(BOM + '统一社会信用代码'));
	assert.ok(c.text.includes(`"'=HYPERLINK(""http://x"",""点我"")"`), c.text);
	assert.ok(c.text.includes(`'@SUM(1)`) && c.text.includes(`'+1+2`));
	const x = Buffer.from(await (await fetch(srv.url + '/api/v1/enterprises/export?format=xlsx&q=' + makeUscc(15001), { headers: { Cookie: stat.cookie } })).arrayBuffer());
	const z = readZip(x);
	const sheet = z['xl/worksheets/sheet1.xml'].toString();
	assert.ok(!sheet.includes('<f>'), 'no formula in the export');
	const text = sheet + (z['xl/sharedStrings.xml'] || '').toString();
	assert.ok(text.includes('=HYPERLINK(&quot;http://x&quot;,&quot;点我&quot;)') || text.includes('=HYPERLINK("http://x","点我")'), sheet);
});

test('.xlsx: shared and inline strings, numbers and dates', async () => {
	const head = HEAD.split(',');
	const file = makeXlsx([
		head,
		[makeUscc(16001), '表格共享字符串有限公司', '孙七', '230202', '35', '国有', '大型', '是', { date: 43466 }, 12000.5, 1500, '龙沙区表格路1号', '瞪羚企业'],
		[{ inline: makeUscc(16002) }, { inline: '表格内联字符串有限公司' }, null, { inline: '230203' }, 27, null, null, null, { date: 36526 }, null, 88],
		[],
		[makeUscc(16003), { formula: 'CONCAT("公式","有限公司")', value: '公式结果有限公司' }, null, '230204'],
	]);
	const r = await upload(stat, file);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.format, 'xlsx');
	assert.equal(r.json.created, 3);
	const a = (await stat.get('/api/v1/enterprises?q=' + makeUscc(16001))).json.items[0];
	assert.equal(a.founded_on, '2019-01-01');
	assert.equal(a.registered_capital, 12000.5);
	assert.equal(a.employees, 1500);
	assert.equal(a.ownership, 'state');
	assert.equal(a.above_scale, true);
	assert.deepEqual(a.tags.map((t) => t.name), ['瞪羚企业']);
	const b = (await stat.get('/api/v1/enterprises?q=' + makeUscc(16002))).json.items[0];
	assert.equal(b.name, '表格内联字符串有限公司');
	assert.equal(b.founded_on, '2000-01-01');
	assert.equal(b.industry_code, '27');
	assert.equal((await stat.get('/api/v1/enterprises?q=' + makeUscc(16003))).json.items[0].name, '公式结果有限公司');
	// a credit code Excel turned into a number gets a precise reason
	const num = makeXlsx([head, [914403001922038216, '数字代码有限公司', null, '230202']]);
	const n = await upload(stat, num);
	assert.equal(n.status, 422);
	assert.match(n.json.error.report.errors[0].message, /文本格式/);
});

test('a corrupt .xlsx, a zip bomb and an old .xls are refused without harm', async () => {
	const corrupt = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(2000, 7)]);
	let r = await upload(stat, corrupt);
	assert.equal(r.status, 422);
	assert.equal(r.json.error.field, 'file');
	assert.match(r.json.error.message, /[\u4e00-\u9fff]/);
	const good = makeXlsx([HEAD.split(',')]);
	const truncated = good.subarray(0, good.length - 40);
	r = await upload(stat, truncated);
	assert.equal(r.status, 422);
	// 140 MB of spaces compress to a few hundred KB; the reader refuses to inflate past its limit
	const bomb = makeXlsx([HEAD.split(',')], { extra: [] });
	const z = readZip(bomb);
	const sheet = Buffer.alloc(140 * 1024 * 1024, 0x20);
	z['xl/worksheets/sheet1.xml'].copy(sheet, 0);
	const bombZip = makeZip(Object.entries(z).map(([name, data]) => ({ name, data: name.endsWith('sheet1.xml') ? sheet : data })));
	assert.ok(bombZip.length < 2 * 1024 * 1024);
	const t0 = Date.now();
	r = await upload(stat, bombZip);
	assert.equal(r.status, 413, r.text);
	assert.equal(r.json.error.code, 'file_too_large');
	assert.ok(Date.now() - t0 < 5000);
	// an entry whose header claims a small size but inflates past the limit is stopped too
	const liar = makeZip(Object.entries(z).map(([name, data]) => ({ name, data: name.endsWith('sheet1.xml') ? sheet : data, declaredSize: name.endsWith('sheet1.xml') ? 1000 : undefined })));
	r = await upload(stat, liar);
	assert.ok(r.status === 413 || r.status === 422, r.text);
	r = await upload(stat, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0]), Buffer.alloc(100)]));
	assert.equal(r.status, 422);
	assert.match(r.json.error.message, /xls/);
	r = await upload(stat, Buffer.alloc(0));
	assert.equal(r.status, 422);
});

test('export: the list\'s filters, .xlsx that opens (frozen Chinese header, widths) and CSV with a BOM; audited', async () => {
	const list = await stat.get('/api/v1/enterprises?region_code=230281&scale=medium&page_size=1');
	const x = Buffer.from(await (await fetch(srv.url + '/api/v1/enterprises/export?format=xlsx&region_code=230281&scale=medium', { headers: { Cookie: stat.cookie } })).arrayBuffer());
	const z = readZip(x);
	const sheet = z['xl/worksheets/sheet1.xml'].toString();
	assert.match(sheet, /state="frozen"/);
	assert.match(sheet, /<col [^>]*width="/);
	assert.equal((sheet.match(/<row /g) || []).length, list.json.total + 1);
	assert.ok((sheet + (z['xl/sharedStrings.xml'] || '').toString()).includes('统一社会信用代码'));
	const c = await raw(stat, '/api/v1/enterprises/export?format=csv&region_code=230281&scale=medium');
	assert.ok(c.text.startsWith(BOM));
	assert.equal(c.text.trim().split('\r\n').length, list.json.total + 1);
	assert.match(c.headers.get('content-disposition'), /attachment/);
	const audit = await (await srv.login('auditadmin')).get('/api/v1/audit?entity=enterprise&action=export');
	assert.ok(audit.json.total >= 2);
	// the exported CSV imports again as updates
	const again = await upload(stat, c.buf, '?dry_run=1&update=1');
	assert.equal(again.status, 200, again.text);
	assert.equal(again.json.error_rows, 0);
});

test('50,000 rows import in one go', { timeout: 300000 }, async () => {
	const lines = [HEAD];
	const counties = ['230202', '230203', '230204', '230205', '230206', '230207', '230208', '230221', '230223', '230224', '230225', '230227', '230229', '230230', '230231', '230281'];
	for (let i = 0; i < 50000; i++)
		lines.push(row(2000000 + i, `批量导入${i}号制造有限公司`, { region: counties[i % counties.length], emp: String(10 + (i % 500)), mobile: '', tags: i % 10 === 0 ? '专精特新' : '' }));
	const body = lines.join('\r\n') + '\r\n';
	const t0 = Date.now();
	const r = await upload(stat, body);
	const ms = Date.now() - t0;
	assert.equal(r.status, 200, r.text.slice(0, 500));
	assert.equal(r.json.created, 50000);
	test.diagnostic?.(`50,000 rows (${(body.length / 1048576).toFixed(1)} MB) imported in ${ms} ms`);
	console.log(`# import: 50,000 rows (${(body.length / 1048576).toFixed(1)} MB CSV) in ${ms} ms`);
	const found = await stat.get('/api/v1/enterprises?q=' + encodeURIComponent('批量导入49999号'));
	assert.equal(found.json.total, 1);
});
