// enterprises-lib.mjs: credit codes made for the enterprise API tests (not a test file itself).
export const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/* GB 32100 check character, computed here again from the standard (weights 3^(i-1) mod 31). */
function checkChar(first17) {
	let sum = 0;
	for (let i = 0; i < 17; i++) {
		let w = 1;
		for (let k = 0; k < i; k++) w = (w * 3) % 31;
		sum += ALPHABET.indexOf(first17[i]) * w;
	}
	return ALPHABET[(31 - (sum % 31)) % 31];
}
/* GB 11714 check of the 8-character organisation code body. */
function orgCheck(body8) {
	const W = [3, 7, 9, 10, 5, 8, 4, 2];
	let sum = 0;
	for (let i = 0; i < 8; i++) {
		const c = body8[i];
		sum += (c >= '0' && c <= '9' ? +c : c.charCodeAt(0) - 55) * W[i];
	}
	const r = 11 - (sum % 11);
	return r === 10 ? 'X' : r === 11 ? '0' : String(r);
}
/* A valid code registered in region, from a number. */
export function makeUscc(n, region = '230202') {
	const body = String(10000000 + (n % 89999999)).slice(0, 8);
	const first17 = '91' + region + body + orgCheck(body);
	return first17 + checkChar(first17);
}


/* ---- a small zip writer and reader, so the tests need no zip tools --------------------------- */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

const CRC_TABLE = (() => {
	const t = new Int32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c;
	}
	return t;
})();
export function crc32(buf) {
	let c = -1;
	for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
	return (c ^ -1) >>> 0;
}

/* entries: [{ name, data (Buffer or string), declaredSize? (lie about the size) }] */
export function makeZip(entries) {
	const locals = [], centrals = [];
	let offset = 0;
	for (const e of entries) {
		const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
		const comp = deflateRawSync(data);
		const name = Buffer.from(e.name, 'utf8');
		const crc = crc32(data), size = e.declaredSize ?? data.length;
		const lh = Buffer.alloc(30);
		lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt16LE(20, 4); lh.writeUInt16LE(0x0800, 6);
		lh.writeUInt16LE(8, 8); lh.writeUInt32LE(crc, 14); lh.writeUInt32LE(comp.length, 18);
		lh.writeUInt32LE(size, 22); lh.writeUInt16LE(name.length, 26);
		const ch = Buffer.alloc(46);
		ch.writeUInt32LE(0x02014b50, 0); ch.writeUInt16LE(20, 4); ch.writeUInt16LE(20, 6);
		ch.writeUInt16LE(0x0800, 8); ch.writeUInt16LE(8, 10); ch.writeUInt32LE(crc, 16);
		ch.writeUInt32LE(comp.length, 20); ch.writeUInt32LE(size, 24); ch.writeUInt16LE(name.length, 28);
		ch.writeUInt32LE(offset, 42);
		locals.push(lh, name, comp);
		centrals.push(ch, name);
		offset += 30 + name.length + comp.length;
	}
	const cd = Buffer.concat(centrals);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
	end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
	return Buffer.concat([...locals, cd, end]);
}

/* { name: Buffer } of every entry of a zip (deflated or stored). */
export function readZip(buf) {
	let eocd = buf.length - 22;
	while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
	if (eocd < 0) throw new Error('not a zip');
	const n = buf.readUInt16LE(eocd + 10);
	let p = buf.readUInt32LE(eocd + 16);
	const out = {};
	for (let i = 0; i < n; i++) {
		const method = buf.readUInt16LE(p + 10), csize = buf.readUInt32LE(p + 20);
		const nlen = buf.readUInt16LE(p + 28), xlen = buf.readUInt16LE(p + 30), clen = buf.readUInt16LE(p + 32);
		const off = buf.readUInt32LE(p + 42);
		const name = buf.subarray(p + 46, p + 46 + nlen).toString('utf8');
		const lnlen = buf.readUInt16LE(off + 26), lxlen = buf.readUInt16LE(off + 28);
		const data = buf.subarray(off + 30 + lnlen + lxlen, off + 30 + lnlen + lxlen + csize);
		out[name] = method === 8 ? inflateRawSync(data) : Buffer.from(data);
		p += 46 + nlen + xlen + clen;
	}
	return out;
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const colName = (i) => { let s = ''; i++; while (i > 0) { const r = (i - 1) % 26; s = String.fromCharCode(65 + r) + s; i = Math.floor((i - 1) / 26); } return s; };

/*
 * An .xlsx of one sheet from rows of cells: a string goes to the shared strings (or inline
 * with {inline: 'text'}), a number is a number, {date: serial} a number in the date format,
 * {formula: 'A1+1', value: '2'} a formula with its cached value.
 */
export function makeXlsx(rows, { extra = [] } = {}) {
	const shared = [], index = new Map();
	const si = (s) => { if (!index.has(s)) { index.set(s, shared.length); shared.push(s); } return index.get(s); };
	const body = rows.map((cells, r) => `<row r="${r + 1}">` + cells.map((v, c) => {
		const ref = colName(c) + (r + 1);
		if (v === null || v === undefined) return '';
		if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
		if (v.inline !== undefined) return `<c r="${ref}" t="inlineStr"><is><t>${esc(v.inline)}</t></is></c>`;
		if (v.date !== undefined) return `<c r="${ref}" s="1"><v>${v.date}</v></c>`;
		if (v.formula !== undefined) return `<c r="${ref}" t="str"><f>${esc(v.formula)}</f><v>${esc(v.value)}</v></c>`;
		return `<c r="${ref}" t="s"><v>${si(String(v))}</v></c>`;
	}).join('') + '</row>').join('');
	const ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
	return makeZip([
		{ name: '[Content_Types].xml', data: '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>' },
		{ name: 'xl/workbook.xml', data: `<?xml version="1.0" encoding="UTF-8"?><workbook ${ns} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="企业" sheetId="1" r:id="rId1"/></sheets></workbook>` },
		{ name: 'xl/_rels/workbook.xml.rels', data: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>' },
		{ name: 'xl/styles.xml', data: `<?xml version="1.0" encoding="UTF-8"?><styleSheet ${ns}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>` },
		{ name: 'xl/sharedStrings.xml', data: `<?xml version="1.0" encoding="UTF-8"?><sst ${ns} count="${shared.length}">` + shared.map((s) => `<si><t xml:space="preserve">${esc(s)}</t></si>`).join('') + '</sst>' },
		{ name: 'xl/worksheets/sheet1.xml', data: `<?xml version="1.0" encoding="UTF-8"?><worksheet ${ns}><sheetData>${body}</sheetData></worksheet>` },
		...extra,
	]);
}
