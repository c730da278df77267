/* migrate_data.c: tiejian migrate-data: copy a SQLite database into PostgreSQL, all or nothing. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <unistd.h>

#include "app/migrate_data.h"
#include "app/module.h"
#include "audit/audit.h"
#include "db/migrate.h"
#include "lib/arena.h"
#include "lib/str.h"

/*
 * The tables and columns are read from the two catalogs, so a module added later is moved
 * without a change here. Statements over those names are built at run time (names quoted, no
 * value ever spliced); they live in the `meta` arena until both connections are closed,
 * because connections cache prepared statements by the address of their struct sql.
 */

/* ---- catalog statements: each runs on one side only ----------------------------------------- */

static const struct sql SQL_SRC_MIGRATIONS = SQL("SELECT module, version FROM schema_migrations");
static const struct sql SQL_SRC_TABLES =
	SQL("SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'table'"
	    " AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name");
static const struct sql SQL_SRC_COLUMNS =
	SQL("SELECT name FROM pragma_table_info($1) ORDER BY cid");

#define DST_SCHEMA "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
static const struct sql SQL_DST_TABLES =
	SQL("SELECT c.relname FROM pg_class c WHERE c.relnamespace = " DST_SCHEMA
	    " AND c.relkind IN ('r', 'p') ORDER BY c.relname");
/* Functions of the schema that no extension owns (the audit log's trigger function). */
static const struct sql SQL_DST_FUNCTIONS =
	SQL("SELECT CAST(CAST(p.oid AS regprocedure) AS TEXT) FROM pg_proc p"
	    " WHERE p.pronamespace = " DST_SCHEMA " AND NOT EXISTS (SELECT 1 FROM pg_depend d"
	    " WHERE d.objid = p.oid AND d.deptype = 'e')");
static const struct sql SQL_DST_COLUMNS =
	SQL("SELECT a.attname FROM pg_attribute a WHERE a.attrelid = CAST(quote_ident($1) AS"
	    " regclass) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
static const struct sql SQL_DST_FKEYS =
	SQL("SELECT t.relname, r.relname, a.attname FROM pg_constraint c"
	    " JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid"
	    " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
	    " WHERE c.contype = 'f' AND t.relnamespace = " DST_SCHEMA);
static const struct sql SQL_DST_PKEY =
	SQL("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
	    " AND a.attnum = ANY (i.indkey) WHERE i.indrelid = CAST(quote_ident($1) AS regclass)"
	    " AND i.indisprimary");
static const struct sql SQL_DST_IDENTITY =
	SQL("SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
	    " WHERE c.relnamespace = " DST_SCHEMA " AND a.attidentity IN ('a', 'd')"
	    " AND NOT a.attisdropped ORDER BY c.relname");

/* ---- state ---------------------------------------------------------------------------------- */

#define MAX_TABLES 256
#define MAX_COLS 128

struct table {
	const char *name;
	const char *cols[MAX_COLS];
	int ncols;
	bool self_ref[MAX_COLS]; /* a foreign key to the table itself: set in a second pass */
	bool has_self_ref;
	const struct sql *fix_sql[MAX_COLS]; /* UPDATE t SET col = $2 WHERE pk = $1 */
	int deps[MAX_TABLES]; /* indexes of tables it refers to */
	int ndeps;
	bool placed;
	int64_t rows;
};

struct move {
	struct db *src, *dst;
	struct arena meta;  /* names and statements, until the end */
	struct arena batch; /* values of the rows being inserted */
	struct table *tables;
	int ntables;
	int *order; /* dependency order: a table after every table it refers to */
	FILE *out;
};

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tiejian: migrate-data: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* "name" with embedded quotes doubled. */
static char *quote_name(struct arena *a, const char *name)
{
	struct str s;
	str_init(&s, 0);
	str_putc(&s, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			str_putc(&s, '"');
		str_putc(&s, *p);
	}
	str_putc(&s, '"');
	char *q = str_ok(&s) ? arena_strndup(a, s.p, s.len) : NULL;
	str_release(&s);
	return q;
}

/* A statement over names from the catalogs; it lives as long as the meta arena. */
static const struct sql *dyn_sql(struct move *m, const char *text)
{
	struct sql *q = arena_alloc(&m->meta, sizeof(*q));
	if (!q || !text)
		return NULL;
	q->sqlite = text;
	q->pg = NULL;
	return q;
}

static int find_table(const struct move *m, const char *name)
{
	for (int i = 0; i < m->ntables; i++)
		if (strcmp(m->tables[i].name, name) == 0)
			return i;
	return -1;
}

/* ---- checks before copying ------------------------------------------------------------------ */

/* The source must hold exactly the migrations this tiejian knows. */
static enum status check_source_migrations(struct move *m)
{
	int known = 0, found = 0;
	for (size_t i = 0; i < app_nmodules; i++)
		for (const struct migration *g = app_modules[i]->migrations; g && g->version; g++)
			known++;
	struct db_res *r = db_query(m->src, &SQL_SRC_MIGRATIONS, DB_NOARGS);
	bool unknown = false;
	char what[160] = "";
	while (db_next(r)) {
		const char *mod = db_col_text(r, 0);
		int64_t v = db_col_int(r, 1);
		bool ok = false;
		for (size_t i = 0; i < app_nmodules && !ok; i++) {
			if (strcmp(app_modules[i]->name, mod) != 0)
				continue;
			for (const struct migration *g = app_modules[i]->migrations; g && g->version;
			     g++)
				ok = ok || g->version == v;
		}
		if (ok) {
			found++;
		} else if (!unknown) {
			unknown = true;
			snprintf(what, sizeof(what), "%s/%" PRId64, mod, v);
		}
	}
	enum status st = db_done(r);
	if (st) {
		complain("cannot read the source's schema_migrations (is it a tiejian database?): %s",
			 db_errmsg(m->src));
		return st;
	}
	if (unknown) {
		complain("the source has migration %s, which this tiejian does not know: use the "
			 "tiejian that wrote it",
			 what);
		return ST_CONFLICT;
	}
	if (found != known) {
		complain("the source lacks %d of this tiejian's migrations: run `tiejian migrate "
			 "--db SOURCE` with this version first",
			 known - found);
		return ST_CONFLICT;
	}
	return ST_OK;
}

/* Empty the target when told to: drop every table and function of its schema. */
static enum status check_target_empty(struct move *m, bool force)
{
	struct str names;
	str_init(&names, 1u << 20);
	int n = 0;
	struct db_res *r = db_query(m->dst, &SQL_DST_TABLES, DB_NOARGS);
	while (db_next(r)) {
		str_appendf(&names, "%s%s", n ? ", " : "", db_col_text(r, 0));
		n++;
	}
	enum status st = db_done(r);
	if (st || !str_ok(&names)) {
		complain("cannot list the target's tables: %s", db_errmsg(m->dst));
		str_release(&names);
		return st ? st : ST_NOMEM;
	}
	if (n && !force) {
		complain("the target is not empty: it has %d tables (%.300s). Give a new database, "
			 "or --force to drop every table and function in its schema first",
			 n, names.p);
		str_release(&names);
		return ST_CONFLICT;
	}
	str_release(&names);
	if (!n)
		return ST_OK;
	fprintf(m->out, "--force: dropping the %d tables of the target's schema\n", n);
	const struct sql *q[2] = {&SQL_DST_TABLES, &SQL_DST_FUNCTIONS};
	for (int k = 0; k < 2 && !st; k++) {
		struct str script;
		str_init(&script, 0);
		r = db_query(m->dst, q[k], DB_NOARGS);
		while (db_next(r)) {
			const char *name = db_col_text(r, 0);
			/* function signatures come quoted already; table names do not */
			const char *target = k ? name : quote_name(&m->batch, name);
			str_appendf(&script, "DROP %s IF EXISTS %s CASCADE;\n",
				    k ? "FUNCTION" : "TABLE", target ? target : "\"\"");
		}
		st = db_done(r);
		if (!st && !str_ok(&script))
			st = ST_NOMEM;
		if (!st && script.len)
			st = db_exec_script(m->dst, script.p, script.p);
		str_release(&script);
		arena_reset(&m->batch);
	}
	if (st)
		complain("cannot empty the target: %s", db_errmsg(m->dst));
	return st;
}

/* ---- what to copy, and in which order ------------------------------------------------------- */

static bool in_list(const char *const *list, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

static enum status read_columns(struct db *db, const struct sql *q, const char *table,
				struct arena *a, const char **cols, int *n)
{
	*n = 0;
	struct db_res *r = db_query(db, q, DB_ARGS(db_text(table)));
	while (db_next(r)) {
		if (*n == MAX_COLS) {
			db_done(r);
			complain("table %s has more than %d columns", table, MAX_COLS);
			return ST_INTERNAL;
		}
		cols[(*n)++] = arena_strdup(a, db_col_text(r, 0));
	}
	return db_done(r);
}

static enum status plan_tables(struct move *m)
{
	/* the source's tables, less derived ones: full-text indexes are rebuilt by the target */
	const char *virt[32];
	int nvirt = 0;
	struct db_res *r = db_query(m->src, &SQL_SRC_TABLES, DB_NOARGS);
	while (db_next(r)) {
		const char *name = db_col_text(r, 0), *sql = db_col_text(r, 1);
		if (strncmp(sql, "CREATE VIRTUAL TABLE", 20) == 0) {
			if (nvirt < 32)
				virt[nvirt++] = arena_strdup(&m->meta, name);
			continue;
		}
		bool shadow = false;
		for (int i = 0; i < nvirt && !shadow; i++) {
			size_t n = strlen(virt[i]);
			shadow = strncmp(name, virt[i], n) == 0 && name[n] == '_';
		}
		if (shadow || strcmp(name, "schema_migrations") == 0)
			continue;
		if (m->ntables == MAX_TABLES) {
			db_done(r);
			complain("more than %d tables", MAX_TABLES);
			return ST_INTERNAL;
		}
		m->tables[m->ntables++].name = arena_strdup(&m->meta, name);
	}
	enum status st = db_done(r);
	if (st) {
		complain("cannot list the source's tables: %s", db_errmsg(m->src));
		return st;
	}
	for (int i = 0; i < nvirt; i++)
		fprintf(m->out, "  %-24s skipped: a full-text index, rebuilt on PostgreSQL\n",
			virt[i]);

	/* columns: every source column must exist on the target */
	for (int i = 0; i < m->ntables; i++) {
		struct table *t = &m->tables[i];
		const char *dcols[MAX_COLS];
		int nd;
		if ((st = read_columns(m->src, &SQL_SRC_COLUMNS, t->name, &m->meta, t->cols,
				       &t->ncols)))
			return st;
		st = read_columns(m->dst, &SQL_DST_COLUMNS, t->name, &m->meta, dcols, &nd);
		if (st) {
			complain("table %s is not on the target after its migrations: %s", t->name,
				 db_errmsg(m->dst));
			return st;
		}
		for (int c = 0; c < t->ncols; c++) {
			if (!t->cols[c])
				return ST_NOMEM;
			if (!in_list(dcols, nd, t->cols[c])) {
				complain("column %s.%s is not on the target", t->name, t->cols[c]);
				return ST_CONFLICT;
			}
		}
	}

	/* foreign keys: the order, and the columns that point into their own table */
	r = db_query(m->dst, &SQL_DST_FKEYS, DB_NOARGS);
	while (db_next(r)) {
		int from = find_table(m, db_col_text(r, 0));
		int to = find_table(m, db_col_text(r, 1));
		const char *col = db_col_text(r, 2);
		if (from < 0 || to < 0)
			continue;
		struct table *t = &m->tables[from];
		if (from == to) {
			for (int c = 0; c < t->ncols; c++)
				if (strcmp(t->cols[c], col) == 0)
					t->self_ref[c] = t->has_self_ref = true;
		} else if (t->ndeps < MAX_TABLES) {
			t->deps[t->ndeps++] = to;
		}
	}
	if ((st = db_done(r))) {
		complain("cannot read the target's foreign keys: %s", db_errmsg(m->dst));
		return st;
	}
	int placed = 0;
	while (placed < m->ntables) {
		bool progress = false;
		for (int i = 0; i < m->ntables; i++) {
			struct table *t = &m->tables[i];
			if (t->placed)
				continue;
			bool ready = true;
			for (int d = 0; d < t->ndeps && ready; d++)
				ready = m->tables[t->deps[d]].placed;
			if (ready) {
				t->placed = progress = true;
				m->order[placed++] = i;
			}
		}
		if (!progress) {
			complain("the foreign keys between tables form a cycle; cannot order the copy");
			return ST_INTERNAL;
		}
	}
	return ST_OK;
}

/* ---- copying -------------------------------------------------------------------------------- */

static const char *insert_text(struct move *m, const struct table *t, int rows)
{
	struct str s;
	str_init(&s, 0);
	str_appendf(&s, "INSERT INTO %s (", quote_name(&m->meta, t->name));
	for (int c = 0; c < t->ncols; c++)
		str_appendf(&s, "%s%s", c ? ", " : "", quote_name(&m->meta, t->cols[c]));
	str_puts(&s, ") VALUES ");
	int k = 1;
	for (int row = 0; row < rows; row++) {
		str_puts(&s, row ? ", (" : "(");
		for (int c = 0; c < t->ncols; c++)
			str_appendf(&s, "%s$%d", c ? ", " : "", k++);
		str_putc(&s, ')');
	}
	const char *text = str_ok(&s) ? arena_strndup(&m->meta, s.p, s.len) : NULL;
	str_release(&s);
	return text;
}

/* A copy of a source value that outlives the source row (in the batch arena). */
static struct db_val keep_value(struct move *m, struct db_res *r, int col)
{
	switch (db_col_type(r, col)) {
	case DB_T_INT:
		return db_int(db_col_int(r, col));
	case DB_T_REAL:
		return db_real(db_col_real(r, col));
	case DB_T_BLOB: {
		size_t n = db_col_len(r, col);
		const char *p = db_col_text(r, col);
		char *copy = arena_alloc(&m->batch, n ? n : 1);
		if (!copy)
			return (struct db_val){.type = DB_T_BLOB, .p = NULL};
		if (n)
			memcpy(copy, p, n);
		return db_blob(copy, n);
	}
	case DB_T_TEXT: {
		size_t n = db_col_len(r, col);
		char *copy = arena_strndup(&m->batch, db_col_text(r, col), n);
		return copy ? db_textn(copy, n) : (struct db_val){.type = DB_T_TEXT, .p = NULL};
	}
	default:
		return db_null();
	}
}

static bool value_lost(const struct db_val *v)
{
	return (v->type == DB_T_TEXT || v->type == DB_T_BLOB) && !v->p;
}

/* The later pass for columns that point into their own table (an org's parent). */
struct fixup {
	struct db_val pk;
	struct db_val val;
	int col;
};

static enum status copy_table(struct move *m, struct table *t)
{
	enum status st = ST_OK;
	int per_batch = 30000 / (t->ncols ? t->ncols : 1);
	if (per_batch > 500)
		per_batch = 500;
	if (per_batch < 1)
		per_batch = 1;
	struct str sel;
	str_init(&sel, 0);
	str_puts(&sel, "SELECT ");
	for (int c = 0; c < t->ncols; c++)
		str_appendf(&sel, "%s%s", c ? ", " : "", quote_name(&m->meta, t->cols[c]));
	str_appendf(&sel, " FROM %s", quote_name(&m->meta, t->name));
	const struct sql *q_select =
		str_ok(&sel) ? dyn_sql(m, arena_strndup(&m->meta, sel.p, sel.len)) : NULL;
	str_release(&sel);
	const struct sql *q_full = dyn_sql(m, insert_text(m, t, per_batch));
	if (!q_select || !q_full)
		return ST_NOMEM;

	/* the primary key, for the self-reference pass */
	int pk_col = -1;
	struct arena fix_arena;
	arena_init(&fix_arena, 1u << 16, 0);
	struct fixup *fix = NULL;
	size_t nfix = 0, fix_cap = 0;
	if (t->has_self_ref) {
		const char *pk[4];
		int npk = 0;
		if ((st = read_columns(m->dst, &SQL_DST_PKEY, t->name, &m->meta, pk, &npk)))
			return st;
		for (int c = 0; npk == 1 && c < t->ncols; c++)
			if (strcmp(t->cols[c], pk[0]) == 0)
				pk_col = c;
		if (pk_col < 0) {
			complain("table %s refers to itself but has no one-column primary key",
				 t->name);
			return ST_INTERNAL;
		}
	}

	size_t nvals = (size_t)per_batch * (size_t)t->ncols;
	struct db_val *vals = calloc(nvals ? nvals : 1, sizeof(*vals));
	if (!vals)
		return ST_NOMEM;
	int in_batch = 0;
	struct db_res *r = db_query(m->src, q_select, DB_NOARGS);
	for (;;) {
		bool row = db_next(r);
		if (row) {
			struct db_val *v = &vals[(size_t)in_batch * (size_t)t->ncols];
			for (int c = 0; c < t->ncols; c++) {
				v[c] = keep_value(m, r, c);
				if (value_lost(&v[c]))
					st = ST_NOMEM;
			}
			for (int c = 0; t->has_self_ref && c < t->ncols && !st; c++) {
				if (!t->self_ref[c] || v[c].type == DB_T_NULL)
					continue;
				if (nfix == fix_cap) {
					size_t cap = fix_cap ? fix_cap * 2 : 256;
					struct fixup *nf = realloc(fix, cap * sizeof(*nf));
					if (!nf) {
						st = ST_NOMEM;
						break;
					}
					fix = nf;
					fix_cap = cap;
				}
				/* the batch arena is reset per batch: keep these in their own */
				struct db_val pk = v[pk_col], val = v[c];
				if (pk.type == DB_T_TEXT)
					pk = db_textn(arena_strndup(&fix_arena, pk.p, pk.len), pk.len);
				if (val.type == DB_T_TEXT)
					val = db_textn(arena_strndup(&fix_arena, val.p, val.len),
						       val.len);
				if (value_lost(&pk) || value_lost(&val))
					st = ST_NOMEM;
				fix[nfix++] = (struct fixup){pk, val, c};
				v[c] = db_null();
			}
			if (st)
				break;
			in_batch++;
			t->rows++;
		}
		if (in_batch == per_batch || (!row && in_batch)) {
			const struct sql *q = q_full;
			if (in_batch < per_batch)
				q = dyn_sql(m, insert_text(m, t, in_batch));
			st = q ? db_exec(m->dst, q, vals, (size_t)in_batch * (size_t)t->ncols, NULL)
			       : ST_NOMEM;
			arena_reset(&m->batch);
			in_batch = 0;
			if (st) {
				complain("inserting into %s failed: %s", t->name, db_errmsg(m->dst));
				break;
			}
		}
		if (!row)
			break;
	}
	enum status rst = db_done(r);
	if (!st && rst) {
		complain("reading %s from the source failed: %s", t->name, db_errmsg(m->src));
		st = rst;
	}
	for (size_t i = 0; i < nfix && !st; i++) {
		int c = fix[i].col;
		if (!t->fix_sql[c]) {
			struct str u;
			str_init(&u, 0);
			str_appendf(&u, "UPDATE %s SET %s = $2 WHERE %s = $1",
				    quote_name(&m->meta, t->name), quote_name(&m->meta, t->cols[c]),
				    quote_name(&m->meta, t->cols[pk_col]));
			if (str_ok(&u))
				t->fix_sql[c] = dyn_sql(m, arena_strndup(&m->meta, u.p, u.len));
			str_release(&u);
		}
		st = t->fix_sql[c] ? db_exec(m->dst, t->fix_sql[c], DB_ARGS(fix[i].pk, fix[i].val),
					     NULL)
				   : ST_NOMEM;
		if (st)
			complain("linking %s rows to their own table failed: %s", t->name,
				 db_errmsg(m->dst));
	}
	free(fix);
	arena_release(&fix_arena);
	free(vals);
	return st;
}

/* Tables the target's migrations filled (the built-in roles): the source's rows replace them. */
static enum status clear_seeded(struct move *m)
{
	for (int k = m->ntables - 1; k >= 0; k--) {
		struct table *t = &m->tables[m->order[k]];
		char text[600];
		snprintf(text, sizeof(text), "DELETE FROM %s", quote_name(&m->batch, t->name));
		enum status st = db_exec_script(m->dst, text, text);
		arena_reset(&m->batch);
		if (st) {
			complain("cannot clear %s on the target: %s", t->name, db_errmsg(m->dst));
			return st;
		}
	}
	return ST_OK;
}

/* The target's own triggers (a desk's holders started afresh at a new role: notify's migration
 * 4) off while rows are copied, and on again after: a copy writes the rows as they are, not what
 * writing them anew would set off. The tables are the tool's, made in its transaction. */
static enum status set_triggers(struct move *m, const char *how)
{
	for (int k = 0; k < m->ntables; k++) {
		struct table *t = &m->tables[m->order[k]];
		char text[600];
		snprintf(text, sizeof(text), "ALTER TABLE %s %s TRIGGER USER",
			 quote_name(&m->batch, t->name), how);
		enum status st = db_exec_script(m->dst, text, text);
		arena_reset(&m->batch);
		if (st) {
			complain("cannot %s the triggers of %s on the target: %s", how, t->name,
				 db_errmsg(m->dst));
			return st;
		}
	}
	return ST_OK;
}

static enum status count_rows(struct move *m, struct db *db, const char *table, int64_t *out)
{
	char text[600];
	snprintf(text, sizeof(text), "SELECT COUNT(*) FROM %s", quote_name(&m->meta, table));
	const struct sql *q = dyn_sql(m, arena_strdup(&m->meta, text));
	return q ? db_int1(db, q, DB_NOARGS, out) : ST_NOMEM;
}

/* Identity columns continue after the highest copied id. */
static enum status move_sequences(struct move *m)
{
	struct db_res *r = db_query(m->dst, &SQL_DST_IDENTITY, DB_NOARGS);
	const char *tables[MAX_TABLES], *cols[MAX_TABLES];
	int n = 0;
	while (db_next(r) && n < MAX_TABLES) {
		tables[n] = arena_strdup(&m->meta, db_col_text(r, 0));
		cols[n++] = arena_strdup(&m->meta, db_col_text(r, 1));
	}
	enum status st = db_done(r);
	for (int i = 0; i < n && !st; i++) {
		if (!tables[i] || !cols[i])
			return ST_NOMEM;
		char text[1200];
		const char *qt = quote_name(&m->meta, tables[i]);
		snprintf(text, sizeof(text),
			 "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(%s), 0) + 1,"
			 " false) FROM %s",
			 quote_name(&m->meta, cols[i]), qt);
		const struct sql *q = dyn_sql(m, arena_strdup(&m->meta, text));
		int64_t next;
		st = q ? db_int1(m->dst, q, DB_ARGS(db_text(qt), db_text(cols[i])), &next) : ST_NOMEM;
		if (!st)
			fprintf(m->out, "  %-24s next %s: %" PRId64 "\n", tables[i], cols[i], next);
	}
	if (st)
		complain("cannot move the identity sequences: %s", db_errmsg(m->dst));
	return st;
}

static enum status run(struct move *m, bool force)
{
	enum status st;
	struct audit_verify_result before, after;
	if ((st = db_begin(m->src))) {
		complain("cannot lock the source (is a server writing to it?): %s",
			 db_errmsg(m->src));
		return st;
	}
	if ((st = check_source_migrations(m)))
		return st;
	st = audit_verify(m->src, &before);
	if (st == ST_CONFLICT) {
		complain("the source's audit log is broken at row %" PRId64 " (%s): investigate "
			 "before moving it",
			 before.broken_id, before.reason);
		return st;
	}
	if (st) {
		complain("cannot verify the source's audit log: %s", db_errmsg(m->src));
		return st;
	}
	if ((st = db_begin(m->dst))) {
		complain("cannot start the target's transaction: %s", db_errmsg(m->dst));
		return st;
	}
	if ((st = check_target_empty(m, force)))
		return st;
	struct migration_set sets[64];
	size_t nsets = 0;
	for (size_t i = 0; i < app_nmodules && nsets < 64; i++)
		if (app_modules[i]->migrations)
			sets[nsets++] = (struct migration_set){app_modules[i]->name,
							       app_modules[i]->migrations};
	int applied = 0;
	if ((st = migrate_apply(m->dst, sets, nsets, &applied))) {
		complain("migrating the target failed: %s", db_errmsg(m->dst));
		return st;
	}
	fprintf(m->out, "target schema created: %d migrations\n", applied);
	if ((st = plan_tables(m)) || (st = set_triggers(m, "DISABLE")) || (st = clear_seeded(m)))
		return st;

	fprintf(m->out, "  %-24s %10s %10s\n", "table", "source", "target");
	int64_t total = 0;
	for (int k = 0; k < m->ntables; k++) {
		struct table *t = &m->tables[m->order[k]];
		if ((st = copy_table(m, t)))
			return st;
		int64_t src_n = 0, dst_n = 0;
		if ((st = count_rows(m, m->src, t->name, &src_n)) ||
		    (st = count_rows(m, m->dst, t->name, &dst_n))) {
			complain("cannot count %s: %s / %s", t->name, db_errmsg(m->src),
				 db_errmsg(m->dst));
			return st;
		}
		fprintf(m->out, "  %-24s %10" PRId64 " %10" PRId64 "  %s\n", t->name, src_n, dst_n,
			src_n == dst_n && src_n == t->rows ? "ok" : "MISMATCH");
		if (src_n != dst_n || src_n != t->rows) {
			complain("row counts of %s differ: nothing was written", t->name);
			return ST_CONFLICT;
		}
		total += dst_n;
	}
	if ((st = move_sequences(m)) || (st = set_triggers(m, "ENABLE")))
		return st;
	st = audit_verify(m->dst, &after);
	if (st && st != ST_CONFLICT) {
		complain("cannot verify the audit log on the target: %s", db_errmsg(m->dst));
		return st;
	}
	if (st || after.rows != before.rows || strcmp(after.last_hash, before.last_hash) != 0) {
		complain("the audit log does not verify on the target (%s): nothing was written",
			 st ? after.reason : "another head");
		return ST_CONFLICT;
	}
	if ((st = db_commit(m->dst))) {
		complain("commit on the target failed: %s", db_errmsg(m->dst));
		return st;
	}
	fprintf(m->out,
		"moved %d tables, %" PRId64 " rows, in one transaction\n"
		"audit log intact on the target: %" PRId64 " rows, head %s\n",
		m->ntables, total, after.rows, after.last_hash);
	return ST_OK;
}

enum status migrate_data(const char *from_path, const char *to_url, bool force, FILE *out)
{
	if (db_url_is_postgres(from_path)) {
		complain("--from is a SQLite file; to copy PostgreSQL use pg_dump and pg_restore");
		return ST_INVALID;
	}
	if (!db_url_is_postgres(to_url)) {
		complain("--to must be a postgres:// URL");
		return ST_INVALID;
	}
	if (access(from_path, R_OK) != 0) {
		complain("cannot read %s: %s", from_path, strerror(errno));
		return ST_NOT_FOUND;
	}
	struct move m = {.out = out};
	arena_init(&m.meta, 1u << 16, 0);
	arena_init(&m.batch, 1u << 20, 0);
	struct table *tables = calloc(MAX_TABLES, sizeof(*tables));
	int *order = calloc(MAX_TABLES, sizeof(*order));
	m.tables = tables;
	m.order = order;
	char err[300];
	enum status st = tables && order ? ST_OK : ST_NOMEM;
	if (!st && (st = db_open(from_path, &m.src, err, sizeof(err))))
		complain("source: %s", err);
	if (!st && (st = db_open(to_url, &m.dst, err, sizeof(err))))
		complain("target: %s", err);
	if (!st)
		st = run(&m, force);
	if (m.dst) {
		db_rollback(m.dst); /* all or nothing: a no-op after the commit */
		db_close(m.dst);
	}
	if (m.src) {
		db_rollback(m.src); /* the source is only read */
		db_close(m.src);
	}
	/* only now: the connections cached statements by these addresses */
	arena_release(&m.meta);
	arena_release(&m.batch);
	free(tables);
	free(order);
	return st;
}
