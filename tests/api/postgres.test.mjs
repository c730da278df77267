// postgres.test.mjs: what only PostgreSQL has: moving a SQLite deployment into it (tiejian
// migrate-data), backup through pg_dump and a restore with pg_restore, and a server that comes
// back by itself when its connections are cut. Needs the test cluster of make api-pg.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, freshDatabase, run, onPostgres } from '../lib/server.mjs';
import { login } from './helpers.mjs';

const skip = onPostgres ? false : 'needs the PostgreSQL test cluster (make api-pg)';

/* A new, empty PostgreSQL database; its URL. */
function newDatabase() {
	return freshDatabase(tmpdir());
}

function psql(url, sql) {
	return execFileSync('psql', [url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql]).toString().trim();
}

function auditHead(out) {
	const m = out.match(/audit log intact: (\d+) rows, head ([0-9a-f]{64})/);
	assert.ok(m, 'audit verify output: ' + out);
	return { rows: Number(m[1]), head: m[2] };
}

test('migrate-data moves the demo city from SQLite to PostgreSQL, all or nothing', { skip }, async () => {
	const dir = mkdtempSync(join(tmpdir(), 'tiejian-move-'));
	try {
		// a SQLite deployment that has been used: the demo city, logins, a new org
		const file = join(dir, 'tiejian.db');
		const src = await startServer({ db: file, dir, keep: true });
		const admin = await src.login('sysadmin');
		const county = (await admin.get('/api/v1/orgs?kind=county')).json.items[0];
		const made = await admin.post('/api/v1/orgs', { parent_id: county.id, code: 'MOVE-1', name: '迁移前科室', kind: 'department' });
		assert.equal(made.status, 201, made.text);
		assert.equal((await login(src, 'leader', 'Wrong@2026')).status, 401);
		// a filing told to the county's desk, read there before the move and after it
		const ent = await src.login('enterprise');
		const cats = (await ent.get('/api/v1/appeal-categories')).json.items;
		const filed = await ent.post('/api/v1/appeals', {
			title: '迁移前提交的诉求（岗位消息）',
			content: '迁移之前提交，受理岗位在迁移之后应当照样看到这条消息。',
			category_id: cats[0].children[0].id,
		});
		assert.equal(filed.status, 201, filed.text);
		const deskView = async (s) => {
			const r = (await s.get('/api/v1/notifications?page_size=100')).json;
			return { unread: r.unread, total: r.total, filed: r.items.filter((x) => x.entity_id === filed.json.id).map((x) => x.id) };
		};
		const desk = await deskView(await src.login('handler'));
		assert.equal(desk.filed.length, 1, 'the county desk was told');
		assert.equal((await src.stop()).code, 0);
		const before = auditHead((await run(['audit', 'verify', '--db', file])).stdout);
		assert.ok(before.rows >= 4, 'demo load, logins and the org are audited');

		// into an empty PostgreSQL database
		const url = await newDatabase();
		const moved = await run(['migrate-data', '--from', file, '--to', url]);
		assert.equal(moved.code, 0, moved.stderr);
		for (const table of ['orgs', 'users', 'enterprises', 'audit_log', 'sessions', 'calendar_days', 'roles'])
			assert.match(moved.stdout, new RegExp(`^  ${table} +(\\d+) +\\1  ok$`, 'm'), `${table} counted: ${moved.stdout}`);
		assert.doesNotMatch(moved.stdout, /MISMATCH/);
		assert.match(moved.stdout, new RegExp(`audit log intact on the target: ${before.rows} rows, head ${before.head}`));

		// the chain verifies there with the same head, from a separate command
		const verify = await run(['audit', 'verify', '--db', url]);
		assert.equal(verify.code, 0, verify.stdout + verify.stderr);
		assert.deepEqual(auditHead(verify.stdout), before);
		assert.equal(psql(url, `SELECT name FROM orgs WHERE code = 'MOVE-1'`), '迁移前科室');
		assert.equal(psql(url, `SELECT parent_id FROM orgs WHERE code = 'MOVE-1'`), String(county.id), 'self-references kept');

		// the moved deployment serves: logins, and new rows continue after the copied ids
		const dst = await startServer({ db: url, demo: false });
		try {
			const a2 = await dst.login('sysadmin');
			const next = await a2.post('/api/v1/orgs', { parent_id: county.id, code: 'MOVE-2', name: '迁移后科室', kind: 'department' });
			assert.equal(next.status, 201, next.text);
			assert.ok(next.json.id > made.json.id, `identity moved past the copied ids: ${next.json.id}`);
			assert.equal((await a2.get(`/api/v1/orgs/${made.json.id}`)).json.name, '迁移前科室');
			assert.deepEqual(await deskView(await dst.login('handler')), desk, 'the desk reads the same after the move');
		} finally {
			assert.equal((await dst.stop()).code, 0);
		}
		const after = auditHead((await run(['audit', 'verify', '--db', url])).stdout);
		assert.ok(after.rows > before.rows, 'the chain goes on from the moved head');

		// a target that has tables is refused, and left as it was
		const again = await run(['migrate-data', '--from', file, '--to', url]);
		assert.notEqual(again.code, 0);
		assert.match(again.stderr, /target is not empty/);
		assert.equal(psql(url, `SELECT COUNT(*) FROM orgs WHERE code = 'MOVE-2'`), '1');

		// --force replaces it
		const forced = await run(['migrate-data', '--from', file, '--to', url, '--force']);
		assert.equal(forced.code, 0, forced.stderr);
		assert.equal(psql(url, `SELECT COUNT(*) FROM orgs WHERE code = 'MOVE-2'`), '0');
		assert.deepEqual(auditHead((await run(['audit', 'verify', '--db', url])).stdout), before);

		// a source that this version has not migrated is refused before anything is written
		const empty = join(dir, 'empty.db');
		execFileSync('sh', ['-c', `: > '${empty}'`]);
		const url2 = await newDatabase();
		const refused = await run(['migrate-data', '--from', empty, '--to', url2]);
		assert.notEqual(refused.code, 0);
		assert.match(refused.stderr, /schema_migrations/);
		assert.equal(psql(url2, `SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'`), '0', 'nothing written');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('backup calls pg_dump, refuses to overwrite, and pg_restore brings it back', { skip }, async () => {
	const dir = mkdtempSync(join(tmpdir(), 'tiejian-dump-'));
	try {
		const url = await newDatabase();
		assert.equal((await run(['demo', '--db', url])).code, 0);
		const before = auditHead((await run(['audit', 'verify', '--db', url])).stdout);
		const out = join(dir, 'tiejian.dump');
		const b = await run(['backup', '--db', url, out]);
		assert.equal(b.code, 0, b.stderr);
		assert.match(b.stdout, /pg_dump/);
		assert.ok(existsSync(out));
		const again = await run(['backup', '--db', url, out]);
		assert.notEqual(again.code, 0);
		assert.match(again.stderr, /refusing to overwrite/);

		const restored = await newDatabase();
		execFileSync('pg_restore', ['--no-owner', '--exit-on-error', '--dbname', restored, out]);
		const v = await run(['audit', 'verify', '--db', restored]);
		assert.equal(v.code, 0, v.stdout + v.stderr);
		assert.deepEqual(auditHead(v.stdout), before);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('a server whose connections are cut reconnects by itself', { skip }, async () => {
	const srv = await startServer();
	try {
		const s = await srv.login('leader');
		assert.equal((await srv.fetch('/healthz')).status, 200);
		const name = new URL(srv.db).pathname.slice(1);
		const cut = psql(process.env.TIEJIAN_TEST_PG,
			`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${name}'`);
		assert.ok(Number(cut) >= 1, 'connections were cut');
		await new Promise((r) => setTimeout(r, 200));
		// every request after the cut succeeds: idle connections are checked before use
		for (let i = 0; i < 5; i++) {
			const h = await srv.fetch('/healthz');
			assert.equal(h.status, 200, h.text);
			assert.equal((await s.get('/api/v1/me')).status, 200);
		}
		assert.match(srv.log(), /reconnecting/);
	} finally {
		assert.equal((await srv.stop()).code, 0);
	}
});
