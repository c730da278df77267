#!/usr/bin/env node
// extract-holidays.mjs: build data/holidays.csv (the official holiday and 调休 calendar) from the
// npm package chinese-days, cross-checked day by day against the npm package holiday-calendar.
//
//   node scripts/extract-holidays.mjs           write data/holidays.csv
//   node scripts/extract-holidays.mjs --check   exit 1 unless data/holidays.csv equals a fresh extraction
//   node scripts/extract-holidays.mjs --stdout  print the CSV instead of writing it
//
// Output: header `date,kind,name`, one row per special day, sorted by date, LF line ends, for every
// year from FIRST_YEAR up to the last year chinese-days covers.
//   holiday  a day nobody works: every day of an announced break, weekend days inside it included
//   workday  an adjusted working day (调休上班) that falls on a Saturday or Sunday
// Any other day is a working day from Monday to Friday and a rest day on Saturday and Sunday; that
// rule lives in src/lib/workday.c, not here.
//
// chinese-days lists three maps: holidays, workdays and inLieuDays. inLieuDays are the weekdays
// given off in exchange for a working weekend day (调休休息日). For us they are holidays, since
// nobody works on them: each must fall on Monday..Friday, and it is written as a `holiday` row
// (today every inLieuDay is also in `holidays` with the same name, which the script verifies; one
// that was missing from `holidays` would still be added as a holiday).
//
// Names are the Chinese names of chinese-days with its short forms expanded to the names the
// State Council notice uses (清明 -> 清明节, 端午 -> 端午节, 中秋 -> 中秋节). A day keeps the name of
// the festival chinese-days gives it, so in 2025 the break 10-01..10-08 is 国庆节 except 10-06, 中秋节.
//
// Cross-check: for every year both packages cover within the output (at least 2024..2026 must be
// among them), the set of holiday dates and the set of workday dates must be equal, and each day's
// name must appear in holiday-calendar's name for it (which may be combined, "国庆节、中秋节").
// Any difference stops the script with exit status 1 unless it is listed in KNOWN_DIFFERENCES with
// the reason it was settled. Years before FIRST_YEAR are neither cross-checked nor written: the two
// packages disagree there in more than a dozen places, and no deadline of the platform reaches back.
// Years that only chinese-days covers are written with a warning on stderr.

import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'data', 'holidays.csv');
const FIRST_YEAR = 2020;
const MUST_CROSS_CHECK = [2024, 2025, 2026];

// Differences between the two packages that were checked against the State Council notices.
const KNOWN_DIFFERENCES = {
	// 国务院办公厅关于延长2020年春节假期的通知 (国办发明电〔2020〕1号) extended the Spring Festival
	// break to 2 February 2020 (a Sunday); holiday-calendar stops at 1 February. chinese-days is right,
	// and as a Sunday the day is a rest day either way.
	'2020-02-02': 'holiday only in chinese-days',
};

const NAME_FIX = { 清明: '清明节', 端午: '端午节', 中秋: '中秋节' };

function fail(msg) {
	process.stderr.write(`extract-holidays: ${msg}\n`);
	process.exit(1);
}

function readJson(rel) {
	const p = join(ROOT, 'node_modules', rel);
	try {
		return JSON.parse(readFileSync(p, 'utf8'));
	} catch (e) {
		fail(`cannot read node_modules/${rel} (${e.code || e.message}); run scripts/deps.sh first`);
	}
}

// 0 = Sunday .. 6 = Saturday, from the date alone (UTC, so no time zone plays in).
function weekday(date) {
	return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function isWeekend(date) {
	const w = weekday(date);
	return w === 0 || w === 6;
}

function checkDate(date, where) {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(date) ||
	    new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date)
		fail(`${where}: "${date}" is not a date`);
}

// chinese-days values look like "Spring Festival,春节,4": English name, Chinese name, day count.
function chineseName(value, date) {
	const parts = String(value).split(',');
	if (parts.length !== 3 || !parts[1])
		fail(`chinese-days: unexpected value "${value}" for ${date}`);
	return NAME_FIX[parts[1]] || parts[1];
}

function loadChineseDays() {
	const j = readJson('chinese-days/dist/chinese-days.json');
	for (const k of ['holidays', 'workdays', 'inLieuDays'])
		if (!j[k] || typeof j[k] !== 'object')
			fail(`chinese-days.json has no "${k}" map`);
	const days = new Map(); // date -> { kind, name }
	for (const [date, v] of Object.entries(j.holidays)) {
		checkDate(date, 'chinese-days holidays');
		days.set(date, { kind: 'holiday', name: chineseName(v, date) });
	}
	for (const [date, v] of Object.entries(j.workdays)) {
		checkDate(date, 'chinese-days workdays');
		if (days.has(date))
			fail(`chinese-days: ${date} is both a holiday and a workday`);
		if (!isWeekend(date))
			fail(`chinese-days: workday ${date} is not a Saturday or Sunday`);
		days.set(date, { kind: 'workday', name: chineseName(v, date) });
	}
	for (const [date, v] of Object.entries(j.inLieuDays)) {
		checkDate(date, 'chinese-days inLieuDays');
		const name = chineseName(v, date);
		if (isWeekend(date))
			fail(`chinese-days: day in lieu ${date} falls on a weekend`);
		const d = days.get(date);
		if (!d)
			days.set(date, { kind: 'holiday', name });
		else if (d.kind !== 'holiday' || d.name !== name)
			fail(`chinese-days: day in lieu ${date} (${name}) is listed as ${d.kind} ${d.name}`);
	}
	const years = new Set([...days.keys()].map((d) => Number(d.slice(0, 4))));
	return { days, years };
}

function loadHolidayCalendar() {
	const index = readJson('holiday-calendar/data/index.json');
	const cn = (index.regions || []).find((r) => r.name === 'CN');
	if (!cn)
		fail('holiday-calendar: no CN region in data/index.json');
	const days = new Map();
	const years = new Set();
	for (let y = cn.startYear; y <= cn.endYear; y++) {
		const f = readJson(`holiday-calendar/data/CN/${y}.json`);
		if (f.year !== y || f.region !== 'CN' || !Array.isArray(f.dates))
			fail(`holiday-calendar: CN/${y}.json is not the CN calendar of ${y}`);
		years.add(y);
		// A year's file may hold the last days of December before it (元旦 breaks).
		for (const d of f.dates) {
			checkDate(d.date, `holiday-calendar CN/${y}.json`);
			let kind;
			if (d.type === 'public_holiday')
				kind = 'holiday';
			else if (d.type === 'transfer_workday')
				kind = 'workday';
			else
				fail(`holiday-calendar: unknown type "${d.type}" on ${d.date}`);
			const prev = days.get(d.date);
			if (prev && prev.kind !== kind)
				fail(`holiday-calendar: ${d.date} is both ${prev.kind} and ${kind}`);
			days.set(d.date, { kind, name: String(d.name_cn || '').replace(/补班$/, '') });
		}
	}
	return { days, years };
}

function crossCheck(cd, hc, lastYear) {
	const checked = [];
	for (let y = FIRST_YEAR; y <= lastYear; y++)
		if (cd.years.has(y) && hc.years.has(y))
			checked.push(y);
	for (const y of MUST_CROSS_CHECK)
		if (!checked.includes(y))
			fail(`holiday-calendar does not cover ${y}; cannot cross-check it`);
	const inChecked = (date) => checked.includes(Number(date.slice(0, 4)));
	const problems = [];
	const all = new Set([...cd.days.keys(), ...hc.days.keys()].filter(inChecked));
	for (const date of [...all].sort()) {
		const a = cd.days.get(date);
		const b = hc.days.get(date);
		let problem = null;
		if (!a)
			problem = `${b.kind} only in holiday-calendar`;
		else if (!b)
			problem = `${a.kind} only in chinese-days`;
		else if (a.kind !== b.kind)
			problem = `chinese-days says ${a.kind}, holiday-calendar says ${b.kind}`;
		else if (!b.name.includes(a.name))
			problem = `name ${a.name} (chinese-days) vs ${b.name} (holiday-calendar)`;
		if (problem && KNOWN_DIFFERENCES[date] !== problem)
			problems.push(`${date}: ${problem}`);
	}
	for (const [date, why] of Object.entries(KNOWN_DIFFERENCES)) {
		const a = cd.days.get(date);
		const b = hc.days.get(date);
		// A settled difference that has gone away must be removed from the list.
		if (inChecked(date) && ((a && b && a.kind === b.kind) || (!a && !b)))
			problems.push(`${date}: listed as a known difference (${why}) but both packages agree now`);
	}
	if (problems.length)
		fail(`chinese-days and holiday-calendar disagree:\n  ${problems.join('\n  ')}`);
	return checked;
}

function extract() {
	const cd = loadChineseDays();
	const hc = loadHolidayCalendar();
	const lastYear = Math.max(...cd.years);
	if (lastYear < FIRST_YEAR)
		fail(`chinese-days covers nothing from ${FIRST_YEAR} on`);
	for (let y = FIRST_YEAR; y <= lastYear; y++)
		if (!cd.years.has(y))
			fail(`chinese-days has no day in ${y}`);
	const checked = crossCheck(cd, hc, lastYear);
	for (let y = FIRST_YEAR; y <= lastYear; y++)
		if (!checked.includes(y))
			process.stderr.write(`extract-holidays: warning: ${y} is only in chinese-days, not cross-checked\n`);
	const rows = [...cd.days.entries()]
		.filter(([date]) => Number(date.slice(0, 4)) >= FIRST_YEAR)
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	let csv = 'date,kind,name\n';
	for (const [date, d] of rows) {
		if (/[,"\r\n]/.test(d.name))
			fail(`name "${d.name}" of ${date} cannot be written unquoted`);
		csv += `${date},${d.kind},${d.name}\n`;
	}
	return { csv, first: FIRST_YEAR, last: lastYear, checked, count: rows.length };
}

const args = process.argv.slice(2);
for (const a of args)
	if (!['--check', '--stdout'].includes(a))
		fail(`unknown argument ${a} (use --check or --stdout)`);

const r = extract();
if (args.includes('--check')) {
	let have;
	try {
		have = readFileSync(OUT, 'utf8');
	} catch (e) {
		fail(`cannot read data/holidays.csv (${e.code || e.message})`);
	}
	if (have !== r.csv) {
		const a = have.split('\n');
		const b = r.csv.split('\n');
		let i = 0;
		while (i < a.length && i < b.length && a[i] === b[i])
			i++;
		fail(`data/holidays.csv differs from a fresh extraction at line ${i + 1}: ` +
		     `committed "${a[i] ?? ''}", fresh "${b[i] ?? ''}"; run node scripts/extract-holidays.mjs`);
	}
	process.stdout.write(`data/holidays.csv is up to date (${r.count} rows, ${r.first}..${r.last})\n`);
} else if (args.includes('--stdout')) {
	process.stdout.write(r.csv);
} else {
	writeFileSync(`${OUT}.tmp`, r.csv);
	renameSync(`${OUT}.tmp`, OUT);
	process.stdout.write(`wrote data/holidays.csv: ${r.count} rows, ${r.first}..${r.last}, ` +
			     `cross-checked ${r.checked.join(' ')}\n`);
}
