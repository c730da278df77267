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

