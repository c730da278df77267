/* calendar.c: the working-day calendar from the database, imports, and its HTTP routes. */
#include <pthread.h>

#include "app/module.h"
#include "audit/audit.h"
#include "http/input.h"
#include "lib/embed.h"
#include "lib/log.h"
#include "lib/workday.h"
#include "modules/calendar/calendar.h"
#include "modules/calendar/calendar_sql.h"

/* A calendar read from the database; rows malloc'd. */
struct loaded {
	struct workday_calendar cal;
	struct workday_special *rows;
	size_t count;
};

static void loaded_release(struct loaded *l)
{
	free(l->rows);
	l->rows = NULL;
}

/* Read the loaded years and the special days of years first..last (rows and, when row_years
 * is not NULL, the arrangement year of each row: malloc'd). */
static enum status read_db(struct db *db, int first, int last, struct workday_years *years,
			   struct workday_special **rows_out, size_t *count_out, int **row_years)
{
	workday_years_init(years);
	*rows_out = NULL;
	*count_out = 0;
	if (row_years)
		*row_years = NULL;
	struct db_res *r = db_query(db, &SQL_CAL_YEARS, DB_NOARGS);
	while (db_next(r))
		workday_years_add(years, (int)db_col_int(r, 0));
	enum status st = db_done(r);
	if (st)
		return st;
	struct workday_special *rows = NULL;
	int *ys = NULL;
	size_t alloc = 0, count = 0;
	r = db_query(db, &SQL_CAL_DAYS_RANGE, DB_ARGS(db_int(first), db_int(last)));
	while (db_next(r)) {
		if (count == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			struct workday_special *n = realloc(rows, alloc * sizeof(*n));
			int *ny = n ? realloc(ys, alloc * sizeof(*ny)) : NULL;
			if (n)
				rows = n;
			if (!ny) {
				db_done(r);
				free(rows);
				free(ys);
				return ST_NOMEM;
			}
			ys = ny;
		}
		struct workday_special *d = &rows[count];
		const char *day = db_col_text(r, 0), *kind = db_col_text(r, 1);
		if (date_parse(day, strlen(day), &d->date))
			continue;
		d->kind = strcmp(kind, "workday") == 0 ? WORKDAY_WORKDAY : WORKDAY_HOLIDAY;
		snprintf(d->name, sizeof(d->name), "%s", db_col_text(r, 2));
		ys[count] = (int)db_col_int(r, 3);
		count++;
	}
	if ((st = db_done(r))) {
		free(rows);
		free(ys);
		return st;
	}
	*rows_out = rows;
	*count_out = count;
	if (row_years)
		*row_years = ys;
	else
		free(ys);
	return ST_OK;
}

/*
 * The whole calendar, kept: every deadline and every clock of every appeal reads it, a few
 * hundred rows that change a few times a year. Each change moves calendar_version (migration 2),
 * whichever server or command made it; a use reads that one number and takes the copy while it
 * is the number the copy was read at.
 */
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool valid;
	int64_t version;
	struct workday_years years;
	struct workday_special *rows; /* malloc'd, ascending by date */
	int *row_years;		      /* the arrangement year of each row */
	size_t count;
} kept;

/* Copy the kept days of years first..last (malloc'd rows); false when the copy is not of this
 * version or memory ran out. */
static bool kept_range(int64_t version, int first, int last, struct workday_years *years,
		       struct workday_special **rows, size_t *count)
{
	bool hit = false;
	pthread_mutex_lock(&kept_lock);
	if (kept.valid && kept.version == version) {
		struct workday_special *copy =
			malloc((kept.count ? kept.count : 1) * sizeof(*copy));
		if (copy) {
			size_t n = 0;
			for (size_t i = 0; i < kept.count; i++)
				if (kept.row_years[i] >= first && kept.row_years[i] <= last)
					copy[n++] = kept.rows[i];
			*rows = copy;
			*count = n;
			*years = kept.years;
			hit = true;
		}
	}
	pthread_mutex_unlock(&kept_lock);
	return hit;
}

static enum status days_of(struct db *db, int first, int last, struct workday_years *years,
			   struct workday_special **rows, size_t *count)
{
	int64_t version = 0;
	enum status st = db_int1(db, &SQL_CAL_VERSION, DB_NOARGS, &version);
	if (st)
		return st;
	if (kept_range(version, first, last, years, rows, count))
		return ST_OK;
	struct workday_years all_years;
	struct workday_special *all;
	int *all_years_of;
	size_t n;
	st = read_db(db, WORKDAY_YEAR_MIN, WORKDAY_YEAR_MAX, &all_years, &all, &n, &all_years_of);
	if (st)
		return st;
	pthread_mutex_lock(&kept_lock);
	free(kept.rows);
	free(kept.row_years);
	kept.valid = true;
	kept.version = version;
	kept.years = all_years;
	kept.rows = all;
	kept.row_years = all_years_of;
	kept.count = n;
	pthread_mutex_unlock(&kept_lock);
	if (kept_range(version, first, last, years, rows, count))
		return ST_OK;
	/* no memory for the copy: read just the range */
	return read_db(db, first, last, years, rows, count, NULL);
}

void calendar_release(void)
{
	pthread_mutex_lock(&kept_lock);
	free(kept.rows);
	free(kept.row_years);
	memset(&kept, 0, sizeof(kept));
	pthread_mutex_unlock(&kept_lock);
}

/* Every loaded year, and the special days of the years first..last. */
static enum status load(struct db *db, int first, int last, struct loaded *out)
{
	struct workday_years years;
	memset(out, 0, sizeof(*out));
	enum status st = days_of(db, first, last, &years, &out->rows, &out->count);
	if (st)
		return st;
	/* Only the years whose days we read count as loaded here. */
	struct workday_years in_range;
	workday_years_init(&in_range);
	for (int y = first; y <= last; y++)
		if (workday_years_has(&years, y))
			workday_years_add(&in_range, y);
	st = workday_calendar_init(&out->cal, out->rows, out->count, &in_range);
	if (st) {
		log_error("calendar in the database is inconsistent");
		loaded_release(out);
		return ST_DB;
	}
	return ST_OK;
}

static int first_missing(const struct workday_calendar *cal, int from_year)
{
	for (int y = from_year; y <= WORKDAY_YEAR_MAX; y++)
		if (!workday_years_has(&cal->years, y))
			return y;
	return 0;
}

enum status calendar_deadline(struct db *db, struct date from, int n, struct date *out,
			      int *missing_year)
{
	struct loaded l;
	int last = from.year + n / 200 + 2;
	if (last > WORKDAY_YEAR_MAX)
		last = WORKDAY_YEAR_MAX;
	enum status st = load(db, from.year, last, &l);
	if (st)
		return st;
	st = workday_add(&l.cal, from, n, out);
	if (st && missing_year)
		*missing_year = first_missing(&l.cal, from.year);
	loaded_release(&l);
	return st;
}

enum status calendar_workdays_between(struct db *db, struct date a, struct date b, int *out)
{
	struct loaded l;
	int first = a.year < b.year ? a.year : b.year, last = a.year < b.year ? b.year : a.year;
	enum status st = load(db, first, last, &l);
	if (st)
		return st;
	st = workday_count_between(&l.cal, a, b, out);
	loaded_release(&l);
	return st;
}

enum status calendar_import_csv(struct db *db, const struct audit_actor *who, int64_t now,
				const char *text, size_t len, int only_year, int *years_out,
				int *days_out, char *err, size_t errlen)
{
	struct workday_csv csv;
	struct workday_csv_error e;
	enum status st = workday_csv_parse(text, len, &csv, &e);
	if (st) {
		if (e.row)
			snprintf(err, errlen, "第%zu行：%s", e.row, e.message);
		else
			snprintf(err, errlen, "%s", e.message);
		return st;
	}
	if (only_year && (csv.years.first != only_year || csv.years.last != only_year)) {
		snprintf(err, errlen,
			 "文件中有不属于%d年的日期（%d年至%d年），每次只能导入一个年度", only_year,
			 csv.years.first, csv.years.last);
		workday_csv_release(&csv);
		return ST_INVALID;
	}
	int years = 0;
	if ((st = db_begin(db))) {
		snprintf(err, errlen, "数据库暂时不可用");
		workday_csv_release(&csv);
		return st;
	}
	json_t *list = json_array();
	for (int y = csv.years.first; !st && y && y <= csv.years.last; y++) {
		if (!workday_years_has(&csv.years, y))
			continue;
		int64_t count = 0;
		for (size_t i = 0; i < csv.count; i++)
			if (csv.rows[i].date.year == y)
				count++;
		st = db_exec(db, &SQL_CAL_UPSERT_YEAR,
			     DB_ARGS(db_int(y), db_text(who->username ? who->username : "import"),
				     db_int(count), db_int(now)),
			     NULL);
		if (!st)
			st = db_exec(db, &SQL_CAL_VERSION_BUMP, DB_NOARGS, NULL);
		if (!st)
			st = db_exec(db, &SQL_CAL_DELETE_YEAR, DB_ARGS(db_int(y)), NULL);
		for (size_t i = 0; !st && i < csv.count; i++) {
			if (csv.rows[i].date.year != y)
				continue;
			char day[DATE_TEXT_SIZE];
			date_format(csv.rows[i].date, day, sizeof(day));
			st = db_exec(
				db, &SQL_CAL_INSERT_DAY,
				DB_ARGS(db_text(day), db_int(y),
					db_text(csv.rows[i].kind == WORKDAY_WORKDAY ? "workday"
										    : "holiday"),
					db_text(csv.rows[i].name)),
				NULL);
		}
		json_array_append_new(list, json_integer(y));
		years++;
	}
	if (!st)
		st = audit_append(
			db, who, now, "calendar", 0, "import",
			json_pack("{s:o, s:I}", "years", list, "days", (json_int_t)csv.count),
			true);
	else
		json_decref(list);
	if (!st)
		st = db_commit(db);
	else
		db_rollback(db);
	if (st)
		snprintf(err, errlen, "保存失败：%s", status_message(st));
	if (years_out)
		*years_out = years;
	if (days_out)
		*days_out = (int)csv.count;
	workday_csv_release(&csv);
	return st;
}

/* The calendar shipped in data/holidays.csv: years not in the database yet are loaded; a year
 * an administrator already loaded is left as it is. Runs inside the caller's transaction. */
static enum status calendar_seed(struct app *app, struct db *db)
{
	const struct embedded_file *f = embed_find("data/holidays.csv");
	if (!f)
		return ST_OK;
	struct workday_csv csv;
	struct workday_csv_error e;
	enum status st = workday_csv_parse(f->data, f->len, &csv, &e);
	if (st) {
		log_error("data/holidays.csv is invalid: row %zu: %s", e.row, e.message);
		return ST_INTERNAL;
	}
	int64_t now = app_now(app);
	for (int y = csv.years.first; !st && y && y <= csv.years.last; y++) {
		int64_t have;
		if (!workday_years_has(&csv.years, y))
			continue;
		st = db_int1(db, &SQL_CAL_YEAR_HAS, DB_ARGS(db_int(y)), &have);
		if (st == ST_OK)
			continue; /* already loaded */
		if (st != ST_NOT_FOUND)
			break;
		int64_t count = 0;
		for (size_t i = 0; i < csv.count; i++)
			count += csv.rows[i].date.year == y;
		st = db_exec(db, &SQL_CAL_UPSERT_YEAR,
			     DB_ARGS(db_int(y), db_text("data/holidays.csv"), db_int(count),
				     db_int(now)),
			     NULL);
		if (!st)
			st = db_exec(db, &SQL_CAL_VERSION_BUMP, DB_NOARGS, NULL);
		for (size_t i = 0; !st && i < csv.count; i++) {
			if (csv.rows[i].date.year != y)
				continue;
			char day[DATE_TEXT_SIZE];
			date_format(csv.rows[i].date, day, sizeof(day));
			st = db_exec(
				db, &SQL_CAL_INSERT_DAY,
				DB_ARGS(db_text(day), db_int(y),
					db_text(csv.rows[i].kind == WORKDAY_WORKDAY ? "workday"
										    : "holiday"),
					db_text(csv.rows[i].name)),
				NULL);
		}
		if (!st)
			log_info("calendar: loaded %d from data/holidays.csv", y);
	}
	workday_csv_release(&csv);
	return st;
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

static enum status cal_deadline(struct request *req)
{
	struct date from, out;
	bool has_from;
	int64_t days;
	struct db *db;
	enum status st;
	if ((st = q_date(req, "from", "起始日期", &from, &has_from)))
		return st;
	if (!has_from)
		return req_fail(req, ST_INVALID, "required", "起始日期不能为空（from=YYYY-MM-DD）",
				"from");
	if (!req_query(req, "days"))
		return req_fail(req, ST_INVALID, "required", "工作日天数不能为空（days=N）",
				"days");
	if ((st = q_int(req, "days", "工作日天数", 0, WORKDAY_ADD_MAX, 0, &days)) ||
	    (st = req_db(req, &db)))
		return st;
	int missing = 0;
	st = calendar_deadline(db, from, (int)days, &out, &missing);
	if (st == ST_INVALID)
		return req_failf(req, ST_INVALID, "calendar_not_loaded", "days",
				 "%d年的节假日安排尚未导入，无法计算截止日期，请联系系统管理员导入",
				 missing ? missing : from.year);
	if (st)
		return st;
	char from_text[DATE_TEXT_SIZE], out_text[DATE_TEXT_SIZE];
	date_format(from, from_text, sizeof(from_text));
	date_format(out, out_text, sizeof(out_text));
	return reply_json(req, 200,
			  json_pack("{s:s, s:I, s:s}", "from", from_text, "days", (json_int_t)days,
				    "deadline", out_text));
}

static enum status year_param(struct request *req, int *year)
{
	int64_t y;
	if (!span_to_i64(req_param(req, "year"), WORKDAY_YEAR_MIN, WORKDAY_YEAR_MAX, &y))
		return req_failf(req, ST_NOT_FOUND, "no_such_year", NULL, "年份应在%d到%d之间",
				 WORKDAY_YEAR_MIN, WORKDAY_YEAR_MAX);
	*year = (int)y;
	return ST_OK;
}

static enum status cal_year(struct request *req)
{
	int year;
	struct db *db;
	struct loaded l;
	enum status st;
	if ((st = year_param(req, &year)) || (st = req_db(req, &db)) ||
	    (st = load(db, year, year, &l)))
		return st;
	const struct workday_special *days;
	size_t n;
	bool loaded = workday_year_list(&l.cal, year, &days, &n) == ST_OK;
	json_t *items = json_array();
	for (size_t i = 0; loaded && i < n; i++) {
		char d[DATE_TEXT_SIZE];
		date_format(days[i].date, d, sizeof(d));
		json_array_append_new(
			items, json_pack("{s:s, s:s, s:s}", "date", d, "kind",
					 days[i].kind == WORKDAY_WORKDAY ? "workday" : "holiday",
					 "name", days[i].name));
	}
	loaded_release(&l);
	return reply_json(
		req, 200,
		json_pack("{s:i, s:b, s:o}", "year", year, "loaded", loaded, "days", items));
}

static enum status cal_import(struct request *req)
{
	int year;
	struct db *db;
	enum status st;
	if ((st = year_param(req, &year)))
		return st;
	const char *ct = req_header(req, "Content-Type");
	if (!ct || (strncmp(ct, "text/csv", 8) != 0 && strncmp(ct, "text/plain", 10) != 0))
		return req_fail(req, ST_MEDIA_TYPE, "unsupported_media_type",
				"请上传CSV文件（Content-Type: text/csv）", NULL);
	if ((st = req_db(req, &db)))
		return st;
	struct audit_actor who;
	audit_actor_of(req, NULL, &who);
	char err[300];
	int years = 0, days = 0;
	st = calendar_import_csv(db, &who, req->now, req->body.p, req->body.len, year, &years,
				 &days, err, sizeof(err));
	if (st == ST_INVALID || st == ST_TOO_LARGE)
		return req_fail(req, st, "invalid_calendar", arena_strdup(&req->arena, err),
				"file");
	if (st)
		return st;
	return reply_json(req, 200, json_pack("{s:i, s:i}", "year", year, "days", days));
}

static const struct route calendar_routes[] = {
	{ "GET", "/api/v1/calendar/deadline", cal_deadline, PERM_PUBLIC, 0 },
	{ "GET", "/api/v1/calendar/:year", cal_year, PERM_PUBLIC, 0 },
	{ "PUT", "/api/v1/calendar/:year", cal_import, PERM_CALENDAR_WRITE, ROUTE_RAW_BODY },
};

const struct module calendar_module = {
	.name = "calendar",
	.routes = calendar_routes,
	.nroutes = COUNT_OF(calendar_routes),
	.migrations = calendar_migrations,
	.seed = calendar_seed,
	.release = calendar_release,
};
