// enterprises.mjs: what the registry's browser tests share: valid credit codes made from a number,
// GB18030 text as Excel on a Chinese Windows saves a CSV, and small waits on the 企业库 page.
import { execFileSync } from 'node:child_process';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/* GB 32100 check character (weights 3^i mod 31). */
function checkChar(first17) {
  let sum = 0;
  let w = 1;
  for (let i = 0; i < 17; i++) {
    sum += ALPHABET.indexOf(first17[i]) * w;
    w = (w * 3) % 31;
  }
  return ALPHABET[(31 - (sum % 31)) % 31];
}

/* GB 11714 check of the 8-character organisation code body. */
function orgCheck(body8) {
  const W = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(body8[i]) * W[i];
  const r = 11 - (sum % 11);
  return r === 10 ? 'X' : r === 11 ? '0' : String(r);
}

/** A valid credit code registered in region, from a number (distinct numbers, distinct codes). */
export function makeUscc(n, region = '230202') {
  const body = String(70000000 + (n % 29999999));
  const first17 = `91${region}${body}${orgCheck(body)}`;
  return first17 + checkChar(first17);
}

/** The same code with a wrong check character (the only thing wrong with it). */
export function breakCheck(code) {
  const right = code[17];
  const wrong = ALPHABET[(ALPHABET.indexOf(right) + 1) % ALPHABET.length];
  return code.slice(0, 17) + wrong;
}

/** UTF-8 text as GB18030 bytes (Debian's iconv). */
export function gb18030(text) {
  return execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
}

/** A CSV line (quotes where needed). */
export function csvLine(cells) {
  return cells.map((c) => (/[",\r\n]/.test(String(c ?? '')) ? `"${String(c).replace(/"/g, '""')}"` : String(c ?? ''))).join(',');
}

/** Waits until the 企业库 list has answered for what is typed and filtered now (no request pending):
 * the table is there, has answered once (its empty text no longer says 加载中), and shows no
 * loading mask. Right after navigating, the table could be waited for before its first request
 * began, and the total read as 0 (seen once in the full suite on a busy machine). */
export async function listSettled(page) {
  const settled = () => {
    const t = document.querySelector('[data-test="ent-table"]');
    const empty = t && t.querySelector('.el-table__empty-text');
    return !!t && !t.querySelector('.el-loading-mask') && !(empty && empty.textContent.includes('加载中'));
  };
  await page.waitForFunction(settled);
  await page.waitForTimeout(50);
  await page.waitForFunction(settled);
}

/** The total the list shows ("共 1,234 家企业" → 1234). */
export async function shownTotal(page) {
  const t = await page.locator('[data-test="ent-total"] b').innerText();
  return Number(t.replace(/[^\d]/g, ''));
}

/** The enterprise names in the list's rows, in order. */
export async function shownNames(page) {
  return (await page.locator('[data-test="ent-table"] [data-test="ent-name"]').allInnerTexts()).map((s) => s.trim());
}
