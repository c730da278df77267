// csvPreview.js: reads a chosen CSV in the browser only to show, beside each reported error, what that row
// says (the server does the real reading). UTF-8 (with or without BOM), else GB18030 as Excel saves it on a
// Chinese Windows.

export function decodeText(buf) {
  const bytes = new Uint8Array(buf);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/**
 * Rows of a CSV text keyed by the line each row starts on (1 = the header line), as the server numbers
 * them in its report: Map(line → cells). Quoted fields may hold commas, doubled quotes and line breaks.
 * Stops after maxRows rows.
 */
export function parseCsvRows(text, maxRows = 200000) {
  const rows = new Map();
  let line = 1;
  let start = 1;
  let cells = [];
  let cell = '';
  let quoted = false;
  let any = false;
  const endRow = () => {
    cells.push(cell);
    if (any || cells.length > 1 || cell !== '') rows.set(start, cells);
    cells = [];
    cell = '';
    any = false;
  };
  for (let i = 0; i < text.length && rows.size < maxRows; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"') {
      quoted = true;
      any = true;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
      any = true;
    } else if (ch === '\r') {
      // part of CRLF, or a lone CR line end
      if (text[i + 1] !== '\n') {
        endRow();
        line++;
        start = line;
      }
    } else if (ch === '\n') {
      endRow();
      line++;
      start = line;
    } else {
      cell += ch;
    }
  }
  if (cell !== '' || cells.length) endRow();
  return rows;
}
