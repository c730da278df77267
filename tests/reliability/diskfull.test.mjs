// diskfull.test.mjs: the database (SQLite) and the uploads on a small tmpfs that fills up. Writes
// answer 507 storage_full with a Chinese message (never a 500, never a crash), reads keep working
// (sessions included, whose idle clock is kept by a write now and then), nothing is corrupted
// (integrity_check, the audit chain, the counters against a recount), a refused write leaves
// nothing behind, and writes succeed again, without a restart, once space is freed.
//
// Mounting a tmpfs needs root (CI runs as root); otherwise the test is skipped and says why.
// On PostgreSQL the disk is the database server's, outside tiejian: a full disk there maps
// SQLSTATE 53100 to the same 507 (src/db/postgres.c), and this test does not run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, openSync, writeSync, closeSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, run, onPostgres } from '../lib/server.mjs';
import { assertError } from '../api/helpers.mjs';
import { auditVerify, countersMatch, integrityCheck, people, SERVER_ARGS, uniqueText } from './lib.mjs';

const root = process.getuid && process.getuid() === 0;
const skip = onPostgres ? 'SQLite only: PostgreSQL keeps its files on its own server'
	: !root ? 'needs root to mount a tmpfs (mount -t tmpfs); run make test-reliability as root' : false;

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
	'1f15c4890000000d49444154789c6360000002000154a24f5b0000000049454e44ae426082', 'hex');

/* Fill the file system at dir: write a file until ENOSPC. */
function fill(dir) {
	const fd = openSync(join(dir, 'filler'), 'w');
	const chunk = Buffer.alloc(64 * 1024, 7);
	try {
		for (;;) writeSync(fd, chunk);
	} catch (e) {
		assert.equal(e.code, 'ENOSPC', String(e));
	}
	// the last bytes too
	try {
		for (;;) writeSync(fd, chunk, 0, 512);
	} catch (e) {
		assert.equal(e.code, 'ENOSPC', String(e));
	}
	closeSync(fd);
}

test('disk full: 507 with a Chinese message, reads go on, nothing corrupted, writes come back', { skip, timeout: 300000 }, async () => {
	const mnt = mkdtempSync(join(tmpdir(), 'tiejian-full-'));
	const logs = mkdtempSync(join(tmpdir(), 'tiejian-full-log-'));
	execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m,mode=0700', 'tmpfs', mnt]);
	let srv;
	try {
		const db = join(mnt, 'tiejian.db');
		mkdirSync(join(mnt, 'files'));
		const d = await run(['demo', '--db', db, '--enterprises', '60']);
		assert.equal(d.code, 0, d.stderr);
		srv = await startServer({ db, dir: logs, demo: false, keep: true, args: [...SERVER_ARGS, '--files', join(mnt, 'files')] });
		const p = await people(srv, ['enterprise', 'handler', 'leader', 'sysadmin', 'statistician', 'auditadmin']);
		const cat = (await p.enterprise.get('/api/v1/appeal-categories')).json.items[0].children[0].id;
		const file = (w) => p.enterprise.post('/api/v1/appeals', { title: `${w.slice(0, 8)}用电报装`, content: `${w}，用电报装需要协调。`, category_id: cat });
		// before: an appeal with an attachment, written while there is room
		const before = await file(uniqueText(10));
		assert.equal(before.status, 201, before.text);
		const baseline = (await p.enterprise.get('/api/v1/stats/appeals?from=2020-01&to=2040-12')).json.total.received;

		fill(mnt);
		assert.ok(statfsSync(mnt).bavail * statfsSync(mnt).bsize < 64 * 1024, 'the disk is full');

		// writes: 507 storage_full, sooner or later (SQLite reuses the room its log already has)
		let refused = 0, accepted = 0;
		for (let i = 0; i < 3000 && refused < 5; i++) {
			const r = await file(uniqueText(12) + 'x'.repeat(2000));
			if (r.status === 201) { accepted++; continue; }
			assertError(r, 507, 'storage_full', { message: '服务器存储空间已满，暂时无法保存，请联系管理员' });
			refused++;
		}
		assert.ok(refused >= 5, `writes were refused (accepted ${accepted} first)`);
		// other writes: an org, an enterprise edit, an attachment, a login (a session row)
		const org = await p.sysadmin.post('/api/v1/orgs', { parent_id: p.sysadmin.user.org.id, code: 'FULL-1', name: '磁盘满测试科', kind: 'department' });
		assertError(org, 507, 'storage_full');
		const ent = (await p.statistician.get('/api/v1/enterprises?page_size=1')).json.items[0];
		assertError(await p.statistician.patch(`/api/v1/enterprises/${ent.id}`, { version: ent.version, address: '满了路1号' }), 507, 'storage_full');
		const up = await p.enterprise.req('POST', `/api/v1/appeals/${before.json.id}/attachments?name=${encodeURIComponent('照片.png')}`,
			{ body: Buffer.concat([PNG, Buffer.alloc(200 * 1024)]), headers: { 'Content-Type': 'application/octet-stream' } });
		assert.equal(up.status, 507, up.text);
		assert.match(up.json.error.message, /[\u4e00-\u9fff]/);
		const login = await srv.anon().login('cadre', 'Demo@2026');
		assertError(login, 507, 'storage_full');

		// reads keep working, also when a session's idle clock is due for its write
		await srv.clock({ advance_s: 120 });
		for (const [s, path] of [[p.leader, '/api/v1/appeals?page_size=50'], [p.enterprise, `/api/v1/appeals/${before.json.id}`],
			[p.statistician, '/api/v1/enterprises?q=%E9%BE%99%E6%B2%99'], [p.leader, '/api/v1/stats/appeals'], [p.sysadmin, '/api/v1/orgs/tree'],
			[p.auditadmin, '/api/v1/audit?page_size=5'], [p.handler, '/api/v1/me']]) {
			const r = await s.get(path);
			assert.equal(r.status, 200, `${path}: ${r.text}`);
		}
		assert.equal((await srv.fetch('/healthz')).status, 200);
		await countersMatch(p.leader, 'while full');
		const during = (await p.enterprise.get('/api/v1/stats/appeals?from=2020-01&to=2040-12')).json.total.received;
		assert.equal(during - baseline, accepted, 'refused filings left nothing behind');
		assert.equal((await p.sysadmin.get('/api/v1/orgs?q=FULL-1')).json.total, 0);

		// space again: writes succeed without a restart, and nothing was damaged
		rmSync(join(mnt, 'filler'));
		const again = await file(uniqueText(10));
		assert.equal(again.status, 201, again.text);
		const up2 = await p.enterprise.req('POST', `/api/v1/appeals/${again.json.id}/attachments?name=${encodeURIComponent('照片.png')}`,
			{ body: PNG, headers: { 'Content-Type': 'application/octet-stream' } });
		assert.equal(up2.status, 201, up2.text);
		assert.equal((await p.sysadmin.post('/api/v1/orgs', { parent_id: p.sysadmin.user.org.id, code: 'FULL-2', name: '磁盘恢复科', kind: 'department' })).status, 201);
		assert.equal((await srv.anon().login('cadre', 'Demo@2026')).status, 200);
		await countersMatch(p.leader, 'after');
		integrityCheck(db);
		await auditVerify(db);
		console.log(`disk full: ${accepted} filings fit in what was left, then 507; reads and sessions went on; recovered without a restart`);
	} finally {
		if (srv) await srv.stop();
		execFileSync('umount', [mnt]);
		rmSync(mnt, { recursive: true, force: true });
		rmSync(logs, { recursive: true, force: true });
	}
});
