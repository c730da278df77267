/* xlsx.h: a small, bounded reader of the first worksheet of an .xlsx file in memory (libzip +
 * expat). It never inflates more than the limits allow, so a zip bomb is refused, not expanded. */
#ifndef TIEJIAN_XLSX_H
#define TIEJIAN_XLSX_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/status.h"

/*
 * Every limit is checked before or while the bytes arrive: the file size before opening it, the
 * number of zip entries when opening, each entry's declared uncompressed size before inflating
 * it and the bytes actually inflated while streaming (a lying header is caught too), then rows,
 * columns and cell length while parsing. Zero in a field means the default below.
 */
struct xlsx_limits {
	size_t max_file_bytes;     /* default 20 MB */
	size_t max_entries;        /* default 1000 */
	size_t max_entry_bytes;    /* uncompressed bytes of one part, default 200 MB */
	long max_rows;             /* default 200,000 */
	int max_cols;              /* default 64 */
	size_t max_cell_bytes;     /* default 32,767 (Excel's own limit) */
	size_t max_shared_strings; /* default 1,000,000 */
};

#define XLSX_MAX_COLS_HARD 256

/*
 * One row as the callback sees it: the sheet's 1-based row number and its cells by column
 * (0 = A), ncols the last non-empty column + 1; empty cells are NULL. Values are text: shared and
 * inline strings as written, booleans "TRUE"/"FALSE", numbers in their shortest exact form
 * ("1200", "3.5"), numbers formatted as dates "YYYY-MM-DD" (Excel serial days, the 1900 or
 * 1904 system), a formula cell its cached value. Strings are valid only during the call.
 * Rows without any value are not passed. Return 0 to go on, non-zero to stop reading (ST_OK).
 */
typedef int (*xlsx_row_fn)(void *ctx, long row, const char *const *cells, int ncols);

/*
 * Read the first worksheet of the workbook in data[0..len). ST_OK; ST_TOO_LARGE past a limit;
 * ST_INVALID when it is not an .xlsx (not a zip, a corrupt zip, no worksheet, malformed XML);
 * ST_NOMEM. On failure err receives a Chinese reason for the person who uploaded the file.
 */
enum status xlsx_read(const void *data, size_t len, const struct xlsx_limits *limits,
		      xlsx_row_fn fn, void *ctx, char *err, size_t errlen);

/* Excel serial day (1900 system unless date1904) to a date; false outside 1900..9999. */
bool xlsx_serial_to_date(double serial, bool date1904, int *y, int *m, int *d);

/* True when a number format code formats a date ("yyyy-mm-dd", "m/d/yy", "[$-804]yyyy年m月d日"). */
bool xlsx_format_is_date(const char *code);

/*
 * Write a workbook with libxlsxwriter (constant-memory mode): fill() adds its sheets. The library
 * writes to a file, so the file is made in a fresh directory only this process can read, read
 * back into *out (malloc'd, the caller frees it) and removed with its directory. ST_OK, fill()'s
 * own status, ST_NOMEM, or ST_INTERNAL when the file could not be made or read.
 */
struct lxw_workbook;
typedef enum status (*xlsx_fill_fn)(struct lxw_workbook *wb, void *ctx);
enum status xlsx_write(xlsx_fill_fn fill, void *ctx, char **out, size_t *len);

#endif
