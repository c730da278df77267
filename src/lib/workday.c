/* workday.c: working-day arithmetic over a loaded holiday calendar, and its CSV reader. */
#include "lib/workday.h"

#include <stdarg.h>
#include <stdint.h>

/* ---- year sets ---- */

void workday_years_init(struct workday_years *ys)
{
	memset(ys, 0, sizeof(*ys));
}

enum status workday_years_add(struct workday_years *ys, int year)
{
	if (year < WORKDAY_YEAR_MIN || year > WORKDAY_YEAR_MAX)
		return ST_INVALID;
	ys->has[year - WORKDAY_YEAR_MIN] = 1;
	if (ys->first == 0 || year < ys->first)
		ys->first = year;
	if (year > ys->last)
		ys->last = year;
	return ST_OK;
}

bool workday_years_has(const struct workday_years *ys, int year)
{
	if (year < WORKDAY_YEAR_MIN || year > WORKDAY_YEAR_MAX)
		return false;
	return ys->has[year - WORKDAY_YEAR_MIN] != 0;
}

/* ---- calendar ---- */

static bool is_weekend(struct date d)
{
	return date_weekday(d) >= 6;
}

enum status workday_calendar_init(struct workday_calendar *cal, const struct workday_special *days,
				  size_t count, const struct workday_years *years)
{
	memset(cal, 0, sizeof(*cal));
	if (count > 0 && !days)
		return ST_INVALID;
	for (size_t i = 0; i < count; i++) {
		const struct workday_special *s = &days[i];
		if (!date_is_valid(s->date) || !workday_years_has(years, s->date.year))
			return ST_INVALID;
		if (i > 0 && date_compare(days[i - 1].date, s->date) >= 0)
			return ST_INVALID;
		if (s->kind != WORKDAY_HOLIDAY && s->kind != WORKDAY_WORKDAY)
			return ST_INVALID;
		if (s->kind == WORKDAY_WORKDAY && !is_weekend(s->date))
			return ST_INVALID;
		if (!memchr(s->name, '\0', sizeof(s->name)))
			return ST_INVALID;
	}
	cal->years = *years;
	cal->days = days;
	cal->count = count;
	return ST_OK;
}

/* Index of the first special day after d (count if none). */
static size_t first_after(const struct workday_calendar *cal, struct date d)
{
	size_t lo = 0, hi = cal->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (date_compare(cal->days[mid].date, d) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The day after d; d valid. */
static struct date next_day(struct date d)
{
	if (d.day < date_month_days(d.year, d.month)) {
		d.day++;
	} else if (d.month < 12) {
		d.month++;
		d.day = 1;
	} else {
		d.year++;
		d.month = 1;
		d.day = 1;
	}
	return d;
}

/*
 * Walk forward from the day after `from`, one day at a time, keeping the weekday and the index of
 * the next special day in step, so each step costs O(1) after one binary search.
 */
struct walk {
	const struct workday_calendar *cal;
	struct date day;
	int weekday;	/* of day, 1 = Monday */
	size_t special; /* index of the first special day after `day` */
};

static void walk_start(struct walk *w, const struct workday_calendar *cal, struct date from)
{
	w->cal = cal;
	w->day = from;
	w->weekday = date_weekday(from);
	w->special = first_after(cal, from);
}

/* Move to the next day; ST_INVALID if it lies in a year that is not loaded. */
static enum status walk_step(struct walk *w, bool *working)
{
	w->day = next_day(w->day);
	w->weekday = w->weekday % 7 + 1;
	if (!workday_years_has(&w->cal->years, w->day.year))
		return ST_INVALID;
	const struct workday_special *s = NULL;
	if (w->special < w->cal->count && date_compare(w->cal->days[w->special].date, w->day) == 0)
		s = &w->cal->days[w->special++];
	if (s)
		*working = s->kind == WORKDAY_WORKDAY;
	else
		*working = w->weekday <= 5;
	return ST_OK;
}

const struct workday_special *workday_special_find(const struct workday_calendar *cal,
						   struct date d)
{
	size_t i = first_after(cal, d);

	if (i > 0 && date_compare(cal->days[i - 1].date, d) == 0)
		return &cal->days[i - 1];
	return NULL;
}

enum status workday_is_working(const struct workday_calendar *cal, struct date d, bool *out)
{
	if (!date_is_valid(d) || !workday_years_has(&cal->years, d.year))
		return ST_INVALID;
	const struct workday_special *s = workday_special_find(cal, d);
	*out = s ? s->kind == WORKDAY_WORKDAY : !is_weekend(d);
	return ST_OK;
}

enum status workday_add(const struct workday_calendar *cal, struct date from, int n,
			struct date *out)
{
	struct walk w;

	if (!date_is_valid(from) || n < 0 || n > WORKDAY_ADD_MAX)
		return ST_INVALID;
	walk_start(&w, cal, from);
	for (int found = 0; found < n;) {
		bool working;
		enum status st = walk_step(&w, &working);
		if (st)
			return st;
		found += working;
	}
	*out = w.day;
	return ST_OK;
}

enum status workday_count_between(const struct workday_calendar *cal, struct date a, struct date b,
				  int *out)
{
	struct walk w;
	int count = 0;

	if (!date_is_valid(a) || !date_is_valid(b))
		return ST_INVALID;
	if (date_compare(b, a) <= 0) {
		*out = 0;
		return ST_OK;
	}
	/* Refuse before walking when a year on the way is missing. */
	for (int y = next_day(a).year; y <= b.year; y++)
		if (!workday_years_has(&cal->years, y))
			return ST_INVALID;
	walk_start(&w, cal, a);
	while (date_compare(w.day, b) < 0) {
		bool working;
		enum status st = walk_step(&w, &working);
		if (st)
			return st;
		count += working;
	}
	*out = count;
	return ST_OK;
}

enum status workday_year_list(const struct workday_calendar *cal, int year,
			      const struct workday_special **out, size_t *count)
{
	if (!workday_years_has(&cal->years, year))
		return ST_NOT_FOUND;
	size_t i = first_after(cal, (struct date){ .year = year - 1, .month = 12, .day = 31 });
	size_t j = first_after(cal, (struct date){ .year = year, .month = 12, .day = 31 });
	*out = cal->days + i;
	*count = j - i;
	return ST_OK;
}

/* ---- CSV reader ---- */

struct entry {
	struct workday_special s;
	size_t line;
};

struct parser {
	struct entry *rows;
	size_t count, cap;
	struct workday_csv_error *err;
};

/* Record the error (row, field, message formatted) and return ST_INVALID. */
__attribute__((format(printf, 4, 5))) static enum status
fail(struct parser *p, size_t row, const char *field, const char *fmt, ...)
{
	struct workday_csv_error *err = p->err;
	va_list ap;

	if (err) {
		err->row = row;
		err->field = field;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return ST_INVALID;
}

/* Length of the valid UTF-8 sequence at s[0..len), or 0 if there is none (overlong, surrogate). */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	if (s[0] < 0x80)
		return 1;
	size_t n;
	uint32_t c;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	if (c >= 0xd800 && c <= 0xdfff)
		return 0;
	return n;
}

/* A line that holds nothing: only spaces, tabs and commas (a spreadsheet's empty row). */
static bool is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != ',')
			return false;
	return true;
}

static bool is_ymd_shape(const char *s, size_t len)
{
	if (len != 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		bool dash = i == 4 || i == 7;
		if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	}
	return true;
}

static bool span_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

static enum status push(struct parser *p, const struct entry *e)
{
	if (p->count == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct entry *rows = realloc(p->rows, cap * sizeof(*rows));
		if (!rows)
			return ST_NOMEM;
		p->rows = rows;
		p->cap = cap;
	}
	p->rows[p->count++] = *e;
	return ST_OK;
}

/* Check one data row (fields f[0..3) of lengths n[0..3)) and append it. */
static enum status parse_row(struct parser *p, size_t line, const char *const f[3],
			     const size_t n[3])
{
	struct entry e;

	memset(&e, 0, sizeof(e));
	e.line = line;
	if (!is_ymd_shape(f[0], n[0]))
		return fail(p, line, "date", "日期格式错误，应为 YYYY-MM-DD，例如 2026-10-01");
	if (date_parse(f[0], n[0], &e.s.date))
		return fail(p, line, "date", "日期不存在：%.10s", f[0]);
	if (e.s.date.year < WORKDAY_YEAR_MIN || e.s.date.year > WORKDAY_YEAR_MAX)
		return fail(p, line, "date", "年份超出支持范围（%d 至 %d 年）", WORKDAY_YEAR_MIN,
			    WORKDAY_YEAR_MAX);

	if (span_is(f[1], n[1], "holiday"))
		e.s.kind = WORKDAY_HOLIDAY;
	else if (span_is(f[1], n[1], "workday"))
		e.s.kind = WORKDAY_WORKDAY;
	else
		return fail(p, line, "kind", "类型必须是 holiday（放假）或 workday（调休上班）");
	if (e.s.kind == WORKDAY_WORKDAY && !is_weekend(e.s.date))
		return fail(p, line, "kind",
			    "%.10s 不是周六或周日，本来就要上班，不能标为 workday（调休上班）",
			    f[0]);

	if (n[2] == 0)
		return fail(p, line, "name", "名称不能为空，例如 春节、国庆节");
	const unsigned char *s = (const unsigned char *)f[2];
	for (size_t i = 0; i < n[2];) {
		size_t k = utf8_seq(s + i, n[2] - i);
		if (k == 0)
			return fail(p, line, "name",
				    "名称不是有效的 UTF-8 文字，请把文件另存为 UTF-8 编码");
		if (s[i] < 0x20 || s[i] == 0x7f || s[i] == '"')
			return fail(p, line, "name", "名称不能包含引号或控制字符");
		i += k;
	}
	if (n[2] >= WORKDAY_NAME_SIZE)
		return fail(p, line, "name", "名称过长（最多 %d 个汉字）",
			    (WORKDAY_NAME_SIZE - 1) / 3);
	memcpy(e.s.name, f[2], n[2]);
	e.s.name[n[2]] = '\0';
	return push(p, &e);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = date_compare(x->s.date, y->s.date);

	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Sort the rows and report the earliest (in file order) second occurrence of a date, if any.
 * Every row read so far lies before any later error, so this error comes first.
 */
static enum status check_duplicates(struct parser *p)
{
	size_t best = 0;

	if (p->count < 2)
		return ST_OK;
	qsort(p->rows, p->count, sizeof(*p->rows), entry_cmp);
	for (size_t i = 1; i < p->count; i++)
		if (date_compare(p->rows[i - 1].s.date, p->rows[i].s.date) == 0 &&
		    (best == 0 || p->rows[i].line < p->rows[best].line))
			best = i;
	if (best == 0)
		return ST_OK;
	/* rows[best - 1] is the earlier row with this date: same date, smaller line. */
	char text[DATE_TEXT_SIZE];
	if (date_format(p->rows[best].s.date, text, sizeof(text)))
		return ST_INTERNAL;
	return fail(p, p->rows[best].line, "date", "日期重复：%s 已在第 %zu 行出现", text,
		    p->rows[best - 1].line);
}

static enum status parse_lines(struct parser *p, const char *text, size_t len)
{
	size_t pos = 0, line = 0;
	bool header = false;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos += n + (nl != NULL);
		line++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (is_blank(s, n))
			continue;
		if (!header) {
			if (!span_is(s, n, "date,kind,name"))
				return fail(p, line, NULL,
					    "第一行必须是表头 date,kind,name（日期,类型,名称）");
			header = true;
			continue;
		}
		const char *f[3];
		size_t fn[3];
		size_t nf = 0, start = 0;
		for (size_t i = 0; i <= n; i++) {
			if (i < n && s[i] != ',')
				continue;
			if (nf == 3)
				return fail(p, line, NULL, "每行必须正好 3 列：日期,类型,名称");
			f[nf] = s + start;
			fn[nf++] = i - start;
			start = i + 1;
		}
		if (nf != 3)
			return fail(p, line, NULL, "每行必须正好 3 列：日期,类型,名称");
		enum status st = parse_row(p, line, f, fn);
		if (st)
			return st;
	}
	if (!header)
		return fail(p, 0, NULL, "文件是空的，第一行必须是表头 date,kind,name");
	if (p->count == 0)
		return fail(p, 0, NULL, "文件中没有任何日期");
	return ST_OK;
}

enum status workday_csv_parse(const char *text, size_t len, struct workday_csv *out,
			      struct workday_csv_error *err)
{
	struct parser p = { .err = err };
	enum status st;

	memset(out, 0, sizeof(*out));
	workday_years_init(&out->years);
	if (err)
		memset(err, 0, sizeof(*err));
	if (len > WORKDAY_CSV_MAX_BYTES) {
		fail(&p, 0, NULL, "文件过大（最大 %zu KB）", WORKDAY_CSV_MAX_BYTES / 1024);
		return ST_TOO_LARGE;
	}
	if (!text || len == 0)
		return fail(&p, 0, NULL, "文件是空的，第一行必须是表头 date,kind,name");

	st = parse_lines(&p, text, len);
	if (st == ST_INVALID || st == ST_OK) {
		/*
		 * The rows read lie before any row error, so a duplicate among them comes first in
		 * the file: it replaces the row error. Without one, *err is left as it is.
		 */
		enum status dup = check_duplicates(&p);
		if (dup)
			st = dup;
	}
	if (st)
		goto out;

	out->rows = malloc(p.count * sizeof(*out->rows));
	if (!out->rows) {
		st = ST_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < p.count; i++) {
		out->rows[i] = p.rows[i].s;
		/* Years are within range: parse_row checked them. */
		workday_years_add(&out->years, p.rows[i].s.date.year);
	}
	out->count = p.count;
out:
	free(p.rows);
	if (st)
		workday_years_init(&out->years);
	return st;
}

void workday_csv_release(struct workday_csv *csv)
{
	if (!csv)
		return;
	free(csv->rows);
	csv->rows = NULL;
	csv->count = 0;
	workday_years_init(&csv->years);
}
