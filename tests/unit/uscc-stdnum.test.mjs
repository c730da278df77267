// uscc-stdnum.test.mjs: the C USCC generator and checker (src/lib/uscc.c) against stdnum's CN.uscc validator.
//
// test_uscc, run with USCC_SAMPLES_OUT set, writes "origin code verdict" lines: codes it generated or
// knows to be valid, corruptions of them, and this checker's verdict on each (see write_samples()
// in test_uscc.c). Build it first (make unit); its folder is TIEJIAN_UNIT_DIR, default
// build/rel/tests under the project.
//
// stdnum is a second, independent reading of GB 32100. Where it differs from the standard the tests
// below say so and pin the difference, so that a change on either side is noticed:
//   - it wants digits in positions 1-8, so it refuses the authorities A, N and Y that GB 32100 has;
//   - it looks up alphabet[31 - sum % 31], which is past the end when the sum is 0 mod 31, so it
//     refuses every valid code whose check character is 0;
//   - it does not check the organisation code's own check character (position 17).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import stdnumPackage from 'stdnum';
import checksum from 'stdnum/lib/cjs/util/checksum.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const unitDir = process.env.TIEJIAN_UNIT_DIR
  ? path.resolve(process.env.TIEJIAN_UNIT_DIR)
  : path.join(root, 'build', 'rel', 'tests');
const helper = path.join(unitDir, 'test_uscc');

const uscc = stdnumPackage.stdnum.CN.uscc;
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

let cache;

// Run the C helper once and parse what it wrote.
function samples() {
  if (cache) return cache;
  assert.ok(existsSync(helper), `${helper} is missing: build the unit tests first (make unit)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'uscc-samples-'));
  try {
    const out = path.join(dir, 'samples.txt');
    const run = spawnSync(helper, [], {
      env: { ...process.env, USCC_SAMPLES_OUT: out },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, `${helper} failed: ${run.error ?? ''}${run.stderr}`);
    const lines = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '');
    cache = lines.map((line) => {
      const [origin, code, verdict, extra] = line.split(' ');
      assert.ok(origin && code && verdict && extra === undefined, `bad sample line: ${line}`);
      return { origin, code, verdict };
    });
    return cache;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function byOrigin(...origins) {
  return samples().filter((s) => origins.includes(s.origin));
}

const digitsFirst = (code) => /^[0-9]{8}/.test(code);

// The check character stdnum's own weighted sum calls for, done right: (31 - sum) mod 31.
function stdnumCheckChar(code) {
  const sum = checksum.weightedSum(code.slice(0, 17), { weights: WEIGHTS, modulus: 31, alphabet: ALPHABET });
  return ALPHABET[(31 - sum) % 31];
}

test('the helper writes every kind of sample', () => {
  const count = (origin) => byOrigin(origin).length;
  assert.ok(count('known') >= 10);
  assert.equal(count('generated'), 1000);
  assert.equal(count('corrupt'), 20 * 18 * 30);
  assert.equal(count('rechecked'), 200);
  assert.equal(samples().length, count('known') + 1000 + 20 * 18 * 30 + 200);
  for (const s of byOrigin('known', 'generated')) {
    assert.equal(s.verdict, 'valid', s.code);
    assert.match(s.code, /^[0-9A-HJ-NP-RTUW-Y]{18}$/);
  }
  // Generated codes are all different.
  const generated = byOrigin('generated').map((s) => s.code);
  assert.equal(new Set(generated).size, generated.length);
});

test('stdnum accepts every valid code with a numeric front and a check character other than 0', () => {
  const readable = byOrigin('known', 'generated').filter((s) => digitsFirst(s.code) && s.code[17] !== '0');
  assert.ok(readable.length > 700, `only ${readable.length} codes`);
  for (const { code } of readable) {
    const r = uscc.validate(code);
    assert.equal(r.isValid, true, `stdnum refuses ${code}: ${r.error?.name}`);
    assert.equal(r.compact, code);
  }
});

test('stdnum refuses the authorities A, N and Y by format, while its sum agrees with our check character', () => {
  const lettered = byOrigin('generated').filter((s) => !digitsFirst(s.code));
  assert.ok(lettered.length > 0);
  assert.deepEqual([...new Set(lettered.map((s) => s.code[0]))].sort(), ['A', 'N', 'Y']);
  for (const { code } of lettered) {
    const r = uscc.validate(code);
    assert.equal(r.isValid, false, code);
    assert.equal(r.error.name, 'InvalidFormat', code);
    assert.equal(stdnumCheckChar(code), code[17], code);
  }
});

test('stdnum refuses check character 0, though its own sum is 0 mod 31 for those codes', () => {
  const zero = byOrigin('known', 'generated').filter((s) => digitsFirst(s.code) && s.code[17] === '0');
  assert.ok(zero.length > 0, 'no generated code ends in 0; the sample set no longer covers this case');
  for (const { code } of zero) {
    const r = uscc.validate(code);
    assert.equal(r.isValid, false, code);
    assert.equal(r.error.name, 'InvalidChecksum', code);
    assert.equal(
      checksum.weightedSum(code.slice(0, 17), { weights: WEIGHTS, modulus: 31, alphabet: ALPHABET }),
      0,
      code,
    );
  }
});

test('stdnum and our checker both refuse every single-character corruption', () => {
  const corrupt = byOrigin('corrupt');
  const kinds = new Set();
  for (const { code, verdict } of corrupt) {
    assert.notEqual(verdict, 'valid', `our checker accepts ${code}`);
    const r = uscc.validate(code);
    assert.equal(r.isValid, false, `stdnum accepts ${code}`);
    // Where ours finds only the final check character wrong, stdnum must find it wrong too.
    if (verdict === 'check' && digitsFirst(code)) {
      assert.equal(r.error.name, 'InvalidChecksum', code);
      assert.notEqual(stdnumCheckChar(code), code[17], code);
    }
    kinds.add(verdict);
  }
  for (const kind of ['region', 'authority', 'category', 'org_check', 'check']) {
    assert.ok(kinds.has(kind), `no corruption gave ${kind}`);
  }
});

test('only our checker sees a wrong organisation code check character', () => {
  const rechecked = byOrigin('rechecked');
  let seen = 0;
  for (const { code, verdict } of rechecked) {
    assert.equal(verdict, 'org_check', code);
    assert.equal(stdnumCheckChar(code), code[17], code);
    if (digitsFirst(code) && code[17] !== '0') {
      assert.equal(uscc.validate(code).isValid, true, code);
      seen++;
    }
  }
  assert.ok(seen > 100, `only ${seen} rechecked codes readable by stdnum`);
});
