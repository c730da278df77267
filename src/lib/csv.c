/* csv.c: RFC 4180 reader (see csv.h). */
#include "lib/csv.h"
#include "lib/fault.h"

void csv_init(struct csv *c, const char *data, size_t len, size_t max_field_bytes)
{
	memset(c, 0, sizeof(*c));
	c->p = data;
	c->end = data + len;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		c->p += 3;
	c->line = 1;
	c->max_field_bytes = max_field_bytes ? max_field_bytes : 65536;
}

void csv_release(struct csv *c)
{
	free(c->buf);
	c->buf = NULL;
	c->bufsize = 0;
}

static bool reserve(struct csv *c, size_t need)
{
	if (need <= c->bufsize)
		return true;
	size_t n = c->bufsize ? c->bufsize : 256;
	while (n < need)
		n *= 2;
	char *b = fault_alloc() ? NULL : realloc(c->buf, n);
	if (!b)
		return false;
	/* fields already stored point into the old buffer: rebase them */
	for (int i = 0; i < c->nfields; i++)
		c->field[i] = b + (c->field[i] - c->buf);
	c->buf = b;
	c->bufsize = n;
	return true;
}

enum status csv_next(struct csv *c)
{
	/* skip blank lines */
	while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
		if (*c->p == '\n')
			c->line++;
		c->p++;
	}
	if (c->p >= c->end)
		return ST_NOT_FOUND;
	c->nfields = 0;
	size_t used = 0;
	long start_line = c->line;
	c->row_line = start_line; /* every refusal below names the line where the row starts */
	for (;;) {
		if (c->nfields == CSV_MAX_FIELDS) {
			c->error = "列数过多";
			return ST_TOO_LARGE;
		}
		size_t field_start = used;
		if (!reserve(c, used + 1))
			return ST_NOMEM;
		c->field[c->nfields++] = c->buf + field_start;
		if (c->p < c->end && *c->p == '"') {
			c->p++;
			for (;;) {
				if (c->p >= c->end) {
					c->error = "引号没有闭合";
					return ST_INVALID;
				}
				char ch = *c->p++;
				if (ch == '"') {
					if (c->p < c->end && *c->p == '"') {
						c->p++;
					} else {
						break;
					}
				} else if (ch == '\n') {
					c->line++;
				}
				if (used - field_start >= c->max_field_bytes) {
					c->error = "单元格内容过长";
					return ST_TOO_LARGE;
				}
				if (!reserve(c, used + 2))
					return ST_NOMEM;
				c->buf[used++] = ch;
			}
			if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
				c->error = "引号后面有多余的字符";
				return ST_INVALID;
			}
		} else {
			while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
				if (used - field_start >= c->max_field_bytes) {
					c->error = "单元格内容过长";
					return ST_TOO_LARGE;
				}
				if (!reserve(c, used + 2))
					return ST_NOMEM;
				c->buf[used++] = *c->p++;
			}
		}
		if (!reserve(c, used + 1))
			return ST_NOMEM;
		c->buf[used++] = '\0';
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		/* end of row */
		if (c->p < c->end && *c->p == '\r')
			c->p++;
		if (c->p < c->end && *c->p == '\n') {
			c->p++;
			c->line++;
		}
		break;
	}
	c->row++;
	return ST_OK;
}
