/* ceiling.c: what SQLite alone does on this machine, for the benchmark's ratios: a raw loop of
 * the statements a request runs (captured from the server with TIEJIAN_SQL_TRACE, bound with
 * the same values), and durable single-row commits, on one thread against the same file.
 *
 *   ceiling DB FILE SECONDS
 *
 * FILE holds blocks: a line "# LABEL", then the block's statements, one a line as the server's
 * trace writes them (text, a tab, the text with its values in place), or the single line
 * "@commit" for durable commits (BEGIN IMMEDIATE, one INSERT into a scratch table, COMMIT,
 * synchronous=FULL in WAL mode; the table is dropped after). Each block runs SECONDS after a
 * short warm-up; a pass runs every statement of the block to its last row, reading every
 * column. Prints "LABEL<TAB>passes per second" for each block, or "LABEL<TAB>error: ..." .
 * The connection is set up as the server sets up its own (src/db/sqlite.c). */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_STMTS 32
#define MAX_LINE (1 << 20)

struct block {
	char label[128];
	bool commit;
	int n;
	char *text[MAX_STMTS];     /* the statement as prepared */
	char *expanded[MAX_STMTS]; /* the same with its values in place */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || (unsigned char)c >= 0x80;
}

/* Read one literal of sqlite3_expanded_sql() at e and bind it to parameter idx. Returns the
 * length read, or 0 when it is not a literal. */
static size_t bind_literal(sqlite3_stmt *st, int idx, const char *e)
{
	if (strncmp(e, "NULL", 4) == 0) {
		sqlite3_bind_null(st, idx);
		return 4;
	}
	if (e[0] == '\'') {
		size_t cap = strlen(e), n = 0, i = 1;
		char *buf = malloc(cap + 1);
		if (!buf)
			return 0;
		for (;;) {
			if (!e[i]) {
				free(buf);
				return 0;
			}
			if (e[i] == '\'') {
				if (e[i + 1] != '\'')
					break;
				i++;
			}
			buf[n++] = e[i++];
		}
		sqlite3_bind_text(st, idx, buf, (int)n, SQLITE_TRANSIENT);
		free(buf);
		return i + 1;
	}
	if ((e[0] == 'x' || e[0] == 'X') && e[1] == '\'') {
		size_t i = 2, n = 0;
		unsigned char *buf = malloc(strlen(e) / 2 + 1);
		if (!buf)
			return 0;
		while (e[i] && e[i] != '\'' && e[i + 1]) {
			char hex[3] = {e[i], e[i + 1], 0};
			buf[n++] = (unsigned char)strtoul(hex, NULL, 16);
			i += 2;
		}
		sqlite3_bind_blob(st, idx, buf, (int)n, SQLITE_TRANSIENT);
		free(buf);
		return e[i] == '\'' ? i + 1 : 0;
	}
	char *end;
	long long v = strtoll(e, &end, 10);
	if (end == e)
		return 0;
	if (*end == '.' || *end == 'e' || *end == 'E') {
		double d = strtod(e, &end);
		sqlite3_bind_double(st, idx, d);
	} else {
		sqlite3_bind_int64(st, idx, v);
	}
	return (size_t)(end - e);
}

/* Bind the values that the expanded text shows in place of the parameters of text: the two
 * agree character by character outside the parameters and string literals. */
static bool bind_from_expanded(sqlite3_stmt *st, const char *u, const char *e)
{
	while (*u) {
		if (*u == '\'' || *u == '"') { /* a literal or quoted name: the same in both */
			char q = *u;
			if (*e != q)
				return false;
			u++, e++;
			for (;;) {
				if (!*u || *u != *e)
					return false;
				if (*u == q && u[1] == q) { /* a doubled quote inside */
					if (e[1] != q)
						return false;
					u += 2, e += 2;
					continue;
				}
				u++, e++;
				if (u[-1] == q)
					break;
			}
			continue;
		}
		if ((*u == '$' || *u == '?' || *u == ':' || *u == '@') && ident_char(u[1])) {
			const char *p = u + 1;
			while (ident_char(*p))
				p++;
			char name[64];
			size_t len = (size_t)(p - u);
			if (len >= sizeof(name))
				return false;
			memcpy(name, u, len);
			name[len] = 0;
			int idx = sqlite3_bind_parameter_index(st, name);
			if (!idx)
				return false;
			size_t used = bind_literal(st, idx, e);
			if (!used)
				return false;
			u = p;
			e += used;
			continue;
		}
		if (*u != *e)
			return false;
		u++, e++;
	}
	return *e == 0;
}

static int setup(sqlite3 *db)
{
	return sqlite3_exec(db,
			    "PRAGMA busy_timeout=10000; PRAGMA journal_mode=WAL;"
			    " PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			    " PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000;"
			    " PRAGMA trusted_schema=OFF",
			    NULL, NULL, NULL);
}

/* One pass over the statements: every row, every column read as text or number. */
static int pass(sqlite3_stmt **st, int n)
{
	for (int i = 0; i < n; i++) {
		int rc;
		while ((rc = sqlite3_step(st[i])) == SQLITE_ROW) {
			int cols = sqlite3_column_count(st[i]);
			for (int c = 0; c < cols; c++) {
				if (sqlite3_column_type(st[i], c) == SQLITE_INTEGER)
					(void)sqlite3_column_int64(st[i], c);
				else
					(void)sqlite3_column_text(st[i], c);
			}
		}
		sqlite3_reset(st[i]);
		if (rc != SQLITE_DONE)
			return rc;
	}
	return SQLITE_OK;
}

static void run_reads(sqlite3 *db, const struct block *b, double seconds)
{
	sqlite3_stmt *st[MAX_STMTS] = {0};
	int rc = SQLITE_OK;
	for (int i = 0; i < b->n && rc == SQLITE_OK; i++) {
		rc = sqlite3_prepare_v3(db, b->text[i], -1, SQLITE_PREPARE_PERSISTENT, &st[i], NULL);
		if (rc == SQLITE_OK && !bind_from_expanded(st[i], b->text[i], b->expanded[i])) {
			printf("%s\terror: cannot read the values of statement %d\n", b->label, i + 1);
			goto out;
		}
	}
	if (rc != SQLITE_OK) {
		printf("%s\terror: %s\n", b->label, sqlite3_errmsg(db));
		goto out;
	}
	double t0 = now_s();
	while (now_s() - t0 < 0.5 && rc == SQLITE_OK) /* warm-up: the page cache */
		rc = pass(st, b->n);
	long passes = 0;
	t0 = now_s();
	double t;
	while ((t = now_s()) - t0 < seconds && rc == SQLITE_OK) {
		rc = pass(st, b->n);
		passes++;
	}
	if (rc != SQLITE_OK)
		printf("%s\terror: %s\n", b->label, sqlite3_errmsg(db));
	else
		printf("%s\t%.0f\n", b->label, (double)passes / (t - t0));
out:
	for (int i = 0; i < b->n; i++)
		sqlite3_finalize(st[i]);
}

static void run_commits(sqlite3 *db, const char *label, double seconds)
{
	sqlite3_stmt *ins = NULL;
	static const char body[] =
		"企业反映：用电报装方面办理进度慢，影响正常生产。企业已自行沟通多次，希望主管部门了解"
		"情况后协调相关单位尽快解决，并在办理过程中及时告知进展。";
	int rc = sqlite3_exec(db,
			      "CREATE TABLE IF NOT EXISTS bench_ceiling_commit (id INTEGER PRIMARY"
			      " KEY, at INTEGER NOT NULL, body TEXT NOT NULL)",
			      NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db,
					"INSERT INTO bench_ceiling_commit (at, body) VALUES (?1, ?2)",
					-1, &ins, NULL);
	long commits = 0;
	double t0 = now_s(), t = t0;
	while (rc == SQLITE_OK && (t = now_s()) - t0 < seconds) {
		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			break;
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)commits);
		sqlite3_bind_text(ins, 2, body, -1, SQLITE_STATIC);
		rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (rc != SQLITE_DONE) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			break;
		}
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		commits++;
	}
	if (rc != SQLITE_OK)
		printf("%s\terror: %s\n", label, sqlite3_errmsg(db));
	else
		printf("%s\t%.0f\n", label, (double)commits / (t - t0));
	sqlite3_finalize(ins);
	sqlite3_exec(db, "DROP TABLE IF EXISTS bench_ceiling_commit", NULL, NULL, NULL);
}

/* Run the block read so far, then forget it. */
static void flush(sqlite3 *db, struct block *b, double seconds)
{
	if (b->label[0]) {
		if (b->commit)
			run_commits(db, b->label, seconds);
		else if (b->n)
			run_reads(db, b, seconds);
		else
			printf("%s\terror: no statements\n", b->label);
		fflush(stdout);
	}
	for (int i = 0; i < b->n; i++)
		free(b->text[i]);
	memset(b, 0, sizeof(*b));
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: ceiling DB FILE SECONDS\n");
		return 2;
	}
	double seconds = strtod(argv[3], NULL);
	if (seconds <= 0)
		seconds = 1;
	FILE *f = fopen(argv[2], "r");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
		    SQLITE_OK ||
	    setup(db) != SQLITE_OK) {
		fprintf(stderr, "ceiling: %s: %s\n", argv[1], db ? sqlite3_errmsg(db) : "no memory");
		sqlite3_close(db);
		fclose(f);
		return 1;
	}
	char *line = malloc(MAX_LINE);
	if (!line) {
		sqlite3_close(db);
		fclose(f);
		return 1;
	}
	struct block b;
	memset(&b, 0, sizeof(b));
	while (fgets(line, MAX_LINE, f)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0] == '#') {
			flush(db, &b, seconds);
			const char *l = line + 1;
			while (*l == ' ')
				l++;
			snprintf(b.label, sizeof(b.label), "%s", l);
		} else if (strcmp(line, "@commit") == 0) {
			b.commit = true;
		} else if (line[0] && b.n < MAX_STMTS) {
			char *tab = strchr(line, '\t');
			if (!tab)
				continue;
			*tab = 0;
			size_t n1 = strlen(line), n2 = strlen(tab + 1);
			char *both = malloc(n1 + n2 + 2);
			if (!both)
				break;
			memcpy(both, line, n1 + 1);
			memcpy(both + n1 + 1, tab + 1, n2 + 1);
			b.text[b.n] = both;
			b.expanded[b.n] = both + n1 + 1;
			b.n++;
		}
	}
	flush(db, &b, seconds);
	free(line);
	fclose(f);
	sqlite3_close(db);
	return 0;
}
