#!/usr/bin/env node
// extract-pinyin.mjs: build data/pinyin-initials.csv, the initials of the pinyin of every CJK
// character, from the npm package pinyin-pro. The registry stores the initials of each
// enterprise name with the name, so a cadre finds 齐齐哈尔龙沙机械 by typing "lsjx".
//
//   node scripts/extract-pinyin.mjs           write data/pinyin-initials.csv
//   node scripts/extract-pinyin.mjs --check   exit 1 unless the committed file equals a fresh extraction
//
// Output: header `char,initials`, LF line ends, one row per character in code-point order, for
// 〇 (U+3007) and the CJK Unified Ideographs block U+4E00..U+9FFF. `initials` holds the first
// letter of each reading, the most common reading first, without repeats: 长 → cz (cháng,
// zhǎng), 行 → xh (xíng, háng). Characters pinyin-pro has no reading for are left out.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { pinyin } from 'pinyin-pro';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'data', 'pinyin-initials.csv');
const version = createRequire(import.meta.url)('pinyin-pro/package.json').version;

function build() {
	const lines = ['char,initials'];
	const points = [0x3007];
	for (let cp = 0x4e00; cp <= 0x9fff; cp++) points.push(cp);
	for (const cp of points) {
		const ch = String.fromCodePoint(cp);
		const all = pinyin(ch, { pattern: 'first', toneType: 'none', multiple: true, type: 'array' });
		const seen = [];
		for (const p of all) {
			const c = (p || '').toLowerCase();
			if (/^[a-z]$/.test(c) && !seen.includes(c)) seen.push(c);
		}
		if (seen.length) lines.push(`${ch},${seen.join('')}`);
	}
	return lines.join('\n') + '\n';
}

const text = build();
if (process.argv.includes('--check')) {
	let old = '';
	try { old = readFileSync(OUT, 'utf8'); } catch { /* missing counts as different */ }
	if (old !== text) {
		console.error(`data/pinyin-initials.csv differs from a fresh extraction (pinyin-pro ${version}); run node scripts/extract-pinyin.mjs`);
		process.exit(1);
	}
	console.log(`data/pinyin-initials.csv matches pinyin-pro ${version} (${text.split('\n').length - 2} characters)`);
} else {
	writeFileSync(OUT + '.tmp', text);
	renameSync(OUT + '.tmp', OUT);
	console.log(`wrote data/pinyin-initials.csv from pinyin-pro ${version} (${text.split('\n').length - 2} characters)`);
}
