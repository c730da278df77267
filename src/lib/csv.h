/* csv.h: an RFC 4180 reader over bytes in memory: quoted fields, CRLF or LF, a UTF-8 BOM. */
#ifndef TIEJIAN_CSV_H
#define TIEJIAN_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/status.h"

#define CSV_MAX_FIELDS 64

/*
 * Ownership: the reader points into the caller's bytes and into its own line buffer; a row's
 * fields are valid until the next csv_next() call. Fields are NUL-terminated copies with
 * quotes resolved. Limits: CSV_MAX_FIELDS fields a row, max_field_bytes a field.
 */
struct csv {
	const char *p, *end;
	long line;      /* physical line the reader is on (1-based) */
	long row_line;  /* physical line where the current (or failed) row started */
	long row;       /* rows returned so far (header included) */
	size_t max_field_bytes;
	char *buf;      /* fields of the current row, NUL-separated */
	size_t bufsize;
	int nfields;
	const char *field[CSV_MAX_FIELDS];
	const char *error; /* Chinese reason when csv_next() returned ST_INVALID/ST_TOO_LARGE */
};

/* Start reading data[0..len); skips a UTF-8 byte-order mark. No allocation yet. */
void csv_init(struct csv *c, const char *data, size_t len, size_t max_field_bytes);
void csv_release(struct csv *c);
/* The next row into c->field / c->nfields: ST_OK, ST_NOT_FOUND at the end, ST_INVALID for a
 * malformed row (an unclosed quote, text after a closing quote), ST_TOO_LARGE past a limit,
 * ST_NOMEM. Blank lines are skipped. */
enum status csv_next(struct csv *c);

#endif
