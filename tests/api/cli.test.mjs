// cli.test.mjs: the command line: user add (password from stdin, refused passwords, orgs and
// roles, forced change at first login), backup (a checked copy, never over a file), migrate twice,
// --help of every command, unknown options and commands, version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, run, freshDatabase, onPostgres } from '../lib/server.mjs';
import { assertError, login, sqlite, sqliteOnly } from './helpers.mjs';
import { uniquePhrase } from './appeals-helpers.mjs';

let srv, scratch;
before(async () => {
	srv = await startServer({ args: ['--login-rate', '500/60'] });
	scratch = mkdtempSync(join(tmpdir(), 'tiejian-cli-'));
});
after(async () => {
	assert.equal((await srv.stop()).code, 0);
	rmSync(scratch, { recursive: true, force: true });
});

const userAdd = (args, password) => run(['user', 'add', '--db', srv.db, ...args], { input: password + '\n' });

test('user add: the password comes from stdin; the user must change it at first login', async () => {
	const r = await userAdd(['--username', 'zhao.cli', '--role', 'handler', '--org', '230203', '--name', '赵命令'], 'Cli#Pass2026');
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, /^user zhao\.cli created \(id \d+\); the password must be changed at first login\n$/);
	assert.ok(!r.stdout.includes('Cli#Pass2026') && !r.stderr.includes('Cli#Pass2026'));

	const first = await login(srv, 'zhao.cli', 'Cli#Pass2026');
	assert.equal(first.status, 200, first.text);
	const u = first.json.user;
	assert.equal(u.must_change_password, true);
	assert.equal(u.display_name, '赵命令');
	assert.equal(u.org.code, '230203');
	assert.deepEqual(u.roles.map((x) => x.code), ['handler']);
	const s = await srv.login('zhao.cli', 'Cli#Pass2026');
	assertError(await s.get('/api/v1/enterprises'), 403, 'password_change_required');
	assert.equal((await s.post('/api/v1/me/password', { old_password: 'Cli#Pass2026', new_password: 'Cli#Pass2027' })).status, 204);
	const ents = await s.get('/api/v1/enterprises?page_size=100');
	assert.equal(ents.status, 200);
	assert.ok(ents.json.items.length > 0);
	assert.ok(ents.json.items.every((e) => e.region_code === '230203'), 'a county handler sees the county');
	const leader = await srv.login('leader');
	assert.equal(ents.json.total, (await leader.get('/api/v1/enterprises?region_code=230203')).json.total);

	// The command line's creation is audited as the command line.
	const audit = await srv.login('auditadmin');
	const row = (await audit.get(`/api/v1/audit?entity=user&entity_id=${u.id}&action=create`)).json.items[0];
	assert.equal(row.username, 'cli');
	assert.deepEqual(row.summary, { must_change_password: true, org: '230203', roles: ['handler'], username: 'zhao.cli' });
});

test('user add: several roles, and an enterprise by its credit code', async () => {
	const leader = await srv.login('leader');
	const ent = (await leader.get('/api/v1/enterprises?region_code=230221')).json.items[0];
	const r = await userAdd(['--username', 'lvyuan', '--role', 'enterprise', '--org', '230221', '--enterprise', ent.uscc], 'Green#Farm01');
	assert.equal(r.code, 0, r.stderr);
	const me = (await login(srv, 'lvyuan', 'Green#Farm01')).json.user;
	assert.deepEqual(me.enterprise, { id: ent.id, name: ent.name });
	const two = await userAdd(['--username', 'two.roles', '--role', 'leader,supervisor', '--org', '230200'], 'Two#Roles2026');
	assert.equal(two.code, 0, two.stderr);
	assert.deepEqual((await login(srv, 'two.roles', 'Two#Roles2026')).json.user.roles.map((x) => x.code), ['leader', 'supervisor']);
});

test('user add refuses weak passwords, unknown orgs, roles and enterprises, duplicates, missing flags', async () => {
	const cases = [
		[['--username', 'weak1', '--role', 'cadre', '--org', '230202'], 'short1A', /^tiejian: user add: password refused: 密码至少需要8个字符\n$/],
		[['--username', 'weak2', '--role', 'cadre', '--org', '230202'], 'alllowercase1', /password refused: 密码需包含大写字母、小写字母、数字、符号中的至少3类/],
		[['--username', 'weak3', '--role', 'cadre', '--org', '230202'], 'Weak3#weak3', /password refused: 密码不能包含用户名/],
		[['--username', 'noorg', '--role', 'cadre', '--org', '999999'], 'Good#Pass2026', /^tiejian: user add: no org with code 999999\n$/],
		[['--username', 'norole', '--role', 'king', '--org', '230202'], 'Good#Pass2026', /^tiejian: user add: no role king\n$/],
		[['--username', 'noent', '--role', 'enterprise', '--org', '230202', '--enterprise', '91230202000000000X'], 'Good#Pass2026',
			/^tiejian: user add: no enterprise with credit code 91230202000000000X\n$/],
		[['--username', 'leader', '--role', 'cadre', '--org', '230202'], 'Good#Pass2026', /^tiejian: user add: user leader already exists\n$/],
		[['--username', 'noflags'], 'Good#Pass2026', /user add needs --username, --role and --org/],
		[['--username', 'nopass', '--role', 'cadre', '--org', '230202'], '', /password refused/],
	];
	for (const [args, pw, message] of cases) {
		const r = await userAdd(args, pw);
		assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
		assert.match(r.stderr, message);
		assert.equal(r.stdout, '');
	}
	const empty = await run(['user', 'add', '--db', srv.db, '--username', 'nostdin', '--role', 'cadre', '--org', '230202']);
	assert.equal(empty.code, 1);
	assert.match(empty.stderr, /no password on stdin/);
	// None of them exists.
	const admin = await srv.login('sysadmin');
	for (const u of ['weak1', 'weak2', 'weak3', 'noorg', 'norole', 'noent', 'nopass', 'nostdin'])
		assert.equal((await admin.get(`/api/v1/users?q=${u}`)).json.total, 0, u);
	assertError(await login(srv, 'leader', 'Good#Pass2026'), 401, 'invalid_credentials');
});

test('backup OUT.db: a copy that opens and passes integrity_check; never over an existing file', { skip: sqliteOnly }, async () => {
	const out = join(scratch, 'copy.db');
	const r = await run(['backup', out, '--db', srv.db]);
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, new RegExp(`^backup written to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ pages, integrity_check ok\\)\\n$`));
	assert.equal(sqlite(out, 'PRAGMA integrity_check;'), 'ok\n');
	const users = sqlite(srv.db, 'SELECT username FROM users ORDER BY id;');
	assert.equal(sqlite(out, 'SELECT username FROM users ORDER BY id;'), users);
	assert.equal(sqlite(out, 'SELECT COUNT(*) FROM audit_log;'), sqlite(srv.db, 'SELECT COUNT(*) FROM audit_log;'));
	const verify = await run(['audit', 'verify', '--db', out]);
	assert.equal(verify.code, 0, verify.stdout);

	const size = statSync(out).size;
	const again = await run(['backup', out, '--db', srv.db]);
	assert.equal(again.code, 1);
	assert.match(again.stderr, /already exists; refusing to overwrite it/);
	assert.equal(statSync(out).size, size);
	writeFileSync(join(scratch, 'precious.txt'), 'keep me');
	const other = await run(['backup', join(scratch, 'precious.txt'), '--db', srv.db]);
	assert.equal(other.code, 1);
	assert.equal(readFileSync(join(scratch, 'precious.txt'), 'utf8'), 'keep me');
	const noArg = await run(['backup', '--db', srv.db]);
	assert.equal(noArg.code, 1);
	assert.match(noArg.stderr, /backup needs exactly one argument: the output file/);
});

test('upkeep: a daily job, and a command that merges the appeal search index beside a running server; searches answer the same; a second run has nothing to do', { skip: sqliteOnly }, async () => {
	const leader = await srv.login('leader');
	const searches = ['用电', '融资', '数字化车间', '链'];
	const answers = async () => {
		const out = [];
		for (const q of searches) {
			const r = await leader.get('/api/v1/appeals?page_size=50&q=' + encodeURIComponent(q));
			assert.equal(r.status, 200, r.text);
			out.push(JSON.stringify(r.json));
		}
		return out;
	};
	// the server runs the same as a daily job, once at start
	const ran = "SELECT COUNT(*) FROM job_runs WHERE name = 'appeals_search_upkeep' AND ok = 1;";
	for (let i = 0; i < 50 && Number(sqlite(srv.db, ran)) === 0; i++)
		await new Promise((r) => setTimeout(r, 100));
	assert.equal(Number(sqlite(srv.db, ran)), 1, 'the daily upkeep job ran once');
	const before = await answers();
	assert.ok(before.some((a) => JSON.parse(a).items.length > 0), 'the demo has appeals these find');
	// three more segments, one per transaction (rowids no appeal has: no search shows them)
	for (let k = 1; k <= 3; k++)
		sqlite(srv.db, `INSERT INTO appeals_fts (rowid, grams) VALUES (${900000 + k}, 'aa bb');`);
	const pages = () => Number(sqlite(srv.db, 'SELECT COUNT(*) FROM appeals_fts_idx;'));
	const spread = pages();
	const first = await run(['upkeep', '--db', srv.db]);
	assert.equal(first.code, 0, first.stderr);
	const steps = Number(/merged in (\d+) step/.exec(first.stdout)?.[1]);
	assert.ok(steps >= 1, first.stdout);
	assert.ok(pages() < spread, `index pages ${spread} -> ${pages()}`);
	assert.deepEqual(await answers(), before);
	const second = await run(['upkeep', '--db', srv.db]);
	assert.equal(second.code, 0, second.stderr);
	assert.equal(second.stdout, 'upkeep: the appeal search index merged in 0 step(s)\n');
	const stray = await run(['upkeep', 'now', '--db', srv.db]);
	assert.equal(stray.code, 1);
	assert.match(stray.stderr, /upkeep takes no arguments|unexpected argument 'now'/);
});

test('search: a new appeal is found while its terms wait for the index and after they move in; one page reads both', { skip: sqliteOnly }, async () => {
	const ent = await srv.login('enterprise');
	const leader = await srv.login('leader');
	const cats = await ent.get('/api/v1/appeal-categories');
	assert.equal(cats.status, 200, cats.text);
	const cat = cats.json.items[0].children[0].id;
	const fileOne = async () => {
		const u = uniquePhrase();
		const r = await ent.post('/api/v1/appeals', {
			title: `扎龙雪原冷库用地（${u}）`,
			content: `${u}项目扎龙雪原冷库用地需要协调解决，${u.split('').reverse().join('')}，请尽快办理。`,
			category_id: cat,
		});
		assert.equal(r.status, 201, r.text);
		return r.json.id;
	};
	const waiting = () => Number(sqlite(srv.db, 'SELECT COUNT(*) FROM appeals_fts_waiting;'));
	// the minute's job moves them too; the counts below hold unless it ran meanwhile
	const jobRuns = () => Number(sqlite(srv.db, "SELECT COUNT(*) FROM job_runs WHERE name = 'appeals_search_terms';"));
	const runs = jobRuns();
	const waited = (n) => assert.ok(waiting() === n || jobRuns() > runs, `${waiting()} waiting, ${n} expected`);
	const page = async (n) => {
		const r = await leader.get(`/api/v1/appeals?page_size=2&page=${n}&q=${encodeURIComponent('扎龙雪原')}`);
		assert.equal(r.status, 200, r.text);
		return { ids: r.json.items.map((a) => a.id), total: r.json.total };
	};
	const a1 = await fileOne();
	const a2 = await fileOne();
	waited(2);
	assert.deepEqual(await page(1), { ids: [a2, a1], total: 2 });
	const moved = await run(['upkeep', '--db', srv.db]);
	assert.equal(moved.code, 0, moved.stderr);
	assert.equal(waiting(), 0);
	assert.deepEqual(await page(1), { ids: [a2, a1], total: 2 });
	const a3 = await fileOne();
	waited(1);
	// the newest from the waiting table, then the index's, one order across both
	assert.deepEqual(await page(1), { ids: [a3, a2], total: 3 });
	assert.deepEqual(await page(2), { ids: [a1], total: 3 });
	assert.deepEqual(await page(3), { ids: [], total: 3 });
	// with no more filings, the job of every minute moves it in
	await srv.clock({ advance_s: 61 });
	for (let i = 0; i < 100 && waiting() > 0; i++)
		await new Promise((r) => setTimeout(r, 100));
	assert.equal(waiting(), 0, 'moved by the job appeals_search_terms');
	assert.ok(jobRuns() > runs);
	assert.deepEqual(await page(1), { ids: [a3, a2], total: 3 });
});

test('migrate twice is idempotent; TIEJIAN_DB names the database', async () => {
	const db = await freshDatabase(scratch);
	const first = await run(['migrate', '--db', db]);
	assert.equal(first.code, 0, first.stderr);
	assert.equal(first.stdout, 'database is up to date\n');
	assert.match(first.stderr, /database migrated: \d+ migrations applied/);
	const schema = onPostgres ? null : sqlite(db, '.schema');
	const applied = onPostgres ? null : sqlite(db, 'SELECT module, version FROM schema_migrations ORDER BY 1, 2;');
	const second = await run(['migrate'], { env: { TIEJIAN_DB: db } });
	assert.equal(second.code, 0, second.stderr);
	assert.equal(second.stdout, 'database is up to date\n');
	assert.doesNotMatch(second.stderr, /applied/);
	if (!onPostgres) {
		assert.equal(sqlite(db, '.schema'), schema);
		assert.equal(sqlite(db, 'SELECT module, version FROM schema_migrations ORDER BY 1, 2;'), applied);
		assert.ok(existsSync(db));
	}
});

test('--help on every command: exit 0 and its usage on stdout', async () => {
	const cmds = [
		[['--help'], /^tiejian \d+\.\d+\.\d+ — 铁肩/],
		[['serve', '--help'], /^usage: tiejian serve \[options\]\n(.*\n)*  --tls (.*\n)*  --login-rate N\/S (.*\n)*  --lock N\/S (.*\n)*  --session-idle S (.*\n)*  --session-max S (.*\n)*  --body-max BYTES (.*\n)*  --test-clock /],
		[['migrate', '--help'], /^usage: tiejian migrate /],
		[['user', 'add', '--help'], /^usage: tiejian user add --username U --role ROLE/],
		[['demo', '--help'], /^usage: tiejian demo /],
		[['audit', 'verify', '--help'], /^usage: tiejian audit verify /],
		[['backup', '--help'], /^usage: tiejian backup OUT/],
		[['calendar', 'import', '--help'], /^usage: tiejian calendar import FILE/],
		[['upkeep', '--help'], /^usage: tiejian upkeep /],
		[['version', '--help'], /^tiejian \d+\.\d+\.\d+ /],
	];
	for (const [args, want] of cmds) {
		const r = await run(args);
		assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
		assert.match(r.stdout, want, args.join(' '));
		assert.equal(r.stderr, '', args.join(' '));
	}
	// Without a command: the usage on stderr, exit 2.
	const bare = await run([]);
	assert.equal(bare.code, 2);
	assert.match(bare.stderr, /^tiejian \d+\.\d+\.\d+ — 铁肩[\s\S]*commands:/);
});

test('unknown options, commands and stray arguments exit non-zero with a clear message', async () => {
	const cases = [
		[['serve', '--bogus'], 1, /^tiejian: serve: unknown option or missing value: --bogus \(see tiejian serve --help\)\n$/],
		[['serve', '--login-rate', 'fast'], 1, /--login-rate wants N\/SECONDS, e\.g\. 30\/60/],
		[['serve', '--body-max', '12'], 1, /--body-max wants a number from 1024 to/],
		[['serve', '--listen'], 1, /unknown option or missing value: --listen/],
		[['migrate', '--listen', '127.0.0.1:1'], 1, /^tiejian: migrate: option --listen does not apply here \(see tiejian migrate --help\)\n$/],
		[['migrate', 'extra'], 1, /^tiejian: migrate: unexpected argument 'extra'\n$/],
		[['user', 'add', '--tls'], 1, /option --tls does not apply here/],
		[['user'], 1, /'user' needs a subcommand/],
		[['audit'], 1, /'audit' needs a subcommand/],
		[['frobnicate'], 2, /^tiejian: unknown command 'frobnicate'\n/],
		[['user', 'delete'], 2, /^tiejian: unknown command 'user delete'\n/],
	];
	for (const [args, code, want] of cases) {
		const r = await run(args, { env: { TIEJIAN_DB: join(scratch, 'never.db') } });
		assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
		assert.match(r.stderr, want, args.join(' '));
	}
	assert.ok(!existsSync(join(scratch, 'never.db')), 'a refused command touches no database');
});

test('version names the program and its libraries', async () => {
	const r = await run(['version']);
	assert.equal(r.code, 0);
	assert.match(r.stdout, /^tiejian \d+\.\d+\.\d+ \(sqlite 3\.\d+\.\d+, libmicrohttpd 0\.9\.\d+, jansson 2\.\d+, libsodium 1\.0\.\d+\)\n$/);
});
