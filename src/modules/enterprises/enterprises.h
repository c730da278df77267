/* enterprises.h: the enterprise registry (统一社会信用代码, region, industry, ownership, scale,
 * tags, contacts, history), its pure rules, and what other modules may call. */
#ifndef TIEJIAN_ENTERPRISES_H
#define TIEJIAN_ENTERPRISES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "lib/uscc.h"

struct module;
struct audit_actor;

/* Stored codes and their Chinese names, NULL-terminated and index-aligned. */
extern const char *const enterprise_ownership_codes[];
extern const char *const enterprise_ownership_names[];
extern const char *const enterprise_scale_codes[];
extern const char *const enterprise_scale_names[];
extern const char *const enterprise_status_codes[];
extern const char *const enterprise_status_names[];

/* The id of the enterprise with this credit code: ST_NOT_FOUND if none. */
enum status enterprises_id_by_uscc(struct db *db, const char *uscc, int64_t *out);

/* Load a region file (code,name,level,parent_code as data/regions.csv; another province from
 * scripts/extract-regions.mjs --province NN) into the regions table, inside the caller's
 * transaction; existing codes are updated. *count receives the rows loaded; err a reason. */
enum status enterprises_regions_import(struct db *db, const struct audit_actor *who, int64_t now,
				       const char *text, size_t len, int *count, char *err,
				       size_t errlen);

/* Add n generated enterprises to the demo city (deterministic), inside the caller's
 * transaction. Used by `tiejian demo --enterprises N` for the benchmark. */
struct app;
enum status enterprises_demo_generate(struct app *app, struct db *db, long n);

extern const struct module enterprises_module;

/* ---- rules (enterprises_rules.c): pure, no I/O ------------------------------------------- */

/* The fields of an enterprise record as the API, the import file and the history name them. */
enum ent_field {
	EF_USCC,
	EF_NAME,
	EF_LEGAL_REP,
	EF_REGION,
	EF_INDUSTRY,
	EF_OWNERSHIP,
	EF_SCALE,
	EF_ABOVE_SCALE,
	EF_STATUS,
	EF_FOUNDED,
	EF_CAPITAL,
	EF_EMPLOYEES,
	EF_ADDRESS,
	EF_TAGS,
	EF_CONTACTS,
	EF__COUNT
};

struct ent_field_def {
	const char *key;          /* JSON key, "legal_rep" */
	const char *label;        /* 中文, "法定代表人" */
	bool enterprise_editable; /* an enterprise user may change it on its own record */
};
extern const struct ent_field_def ent_fields[EF__COUNT];

/* The field with this JSON key, or -1. */
int ent_field_by_key(const char *key);

/* Import and export columns: the Chinese header and the field it carries. CONTACT columns carry
 * the first contact (name, role, mobile). */
enum ent_column {
	EC_USCC, EC_NAME, EC_LEGAL_REP, EC_REGION, EC_INDUSTRY, EC_OWNERSHIP, EC_SCALE,
	EC_ABOVE_SCALE, EC_STATUS, EC_FOUNDED, EC_CAPITAL, EC_EMPLOYEES, EC_ADDRESS, EC_TAGS,
	EC_CONTACT_NAME, EC_CONTACT_ROLE, EC_CONTACT_MOBILE, EC__COUNT
};
struct ent_column_def {
	const char *header; /* "统一社会信用代码" */
	const char *key;    /* "uscc": also accepted as a header */
	const char *note;   /* what the template says about it */
	bool required;
	double width;       /* column width in the .xlsx export */
};
extern const struct ent_column_def ent_columns[EC__COUNT];
/* The column a header names (Chinese header or key, surrounding blanks and a BOM ignored), or -1. */
int ent_column_by_header(const char *header);

/* A value of a vocabulary given as its code ("private") or its Chinese name ("民营"); -1 if neither. */
int ent_choice(const char *const *codes, const char *const *names, const char *s);
/* 是/否, true/false, 1/0, Y/N (case-insensitive); false when it is none of them. */
bool ent_parse_bool(const char *s, bool *out);
/* Registered capital in 万元 with up to 4 decimals ("1200", "35.5") into 元; 0..10^12 万元. */
bool ent_parse_capital(const char *s, int64_t *yuan_out);
/* Text of a capital in 元 as 万元 ("35.5"), into out (at least 32 bytes). */
void ent_format_capital(int64_t yuan, char *out, size_t outsize);
/* Employees: a whole number 0..10,000,000. */
bool ent_parse_employees(const char *s, int64_t *out);
/* A date written YYYY-MM-DD, YYYY/M/D, YYYY.M.D or YYYY年M月D日 into "YYYY-MM-DD"; a real day of
 * 1900..2100. */
bool ent_parse_date(const char *s, char out[11]);
/* A mainland mobile number: 11 digits starting 13..19 (a leading +86 or 86 and blanks or
 * hyphens are dropped into out, at least 12 bytes). */
bool ent_mobile_normalize(const char *s, char out[12]);
/* A county-level region code: 6 digits, not ending in 00. */
bool ent_region_code_valid(const char *s);
/* An industry code of GB/T 4754: a section letter A..T or a 2-digit division. */
bool ent_industry_code_valid(const char *s);
/* A tag name: 1..20 characters, none of | : , ; 、 and no control character. */
bool ent_tag_name_valid(const char *s);
/* Split a cell of tag names ("专精特新、高新技术企业;瞪羚企业") in place into at most max names;
 * returns how many. Separators: 、 , ， ; ； | and blanks at the ends of each name. */
int ent_split_tags(char *s, char **names, int max);

/* May an administrator override a code with this problem (some early codes fail the check
 * characters)? Only the check characters and the authority/category pair: never the length,
 * the alphabet or the region digits. */
bool ent_uscc_overridable(const struct uscc_problem *p);

/* Fold text for search: full-width ASCII forms to ASCII, A-Z to a-z, U+3000 to a space; the
 * rest unchanged. Writes at most outsize - 1 bytes and a NUL; returns the full length. */
size_t ent_fold(const char *s, char *out, size_t outsize);

/* The initials stored with a name: the most common readings, then (when a character has
 * another reading and it differs) a space and the other ("zqzb" / "zqzb cqcb"). */
void ent_name_initials(const char *name, char *out, size_t outsize);

/* The compact search column: the folded name, code, legal representative, address and the
 * name's initials joined by U+001F (so no term matches across two fields). */
#define ENT_SEARCH_SEP "\x1f"
size_t ent_search_text(const char *name, const char *uscc, const char *legal_rep,
		       const char *address, const char *initials, char *out, size_t outsize);

/* A search query split into at most ENT_QUERY_TERMS folded terms (blank-separated); each term
 * is 1..50 characters. fts is the term to drive an index by (the longest of at least 3
 * characters), -1 when every term is shorter. */
#define ENT_QUERY_TERMS 3
#define ENT_TERM_BYTES 204
struct ent_query {
	int nterms;
	char term[ENT_QUERY_TERMS][ENT_TERM_BYTES];
	int chars[ENT_QUERY_TERMS];
	int fts;
};
/* ST_OK (nterms may be 0 for a blank query), ST_INVALID when there are too many terms. */
enum status ent_query_parse(const char *q, struct ent_query *out);
/* The FTS5 MATCH expression for a term of 3+ characters: its trigrams, each quoted (quotes
 * doubled), joined by AND ("机械制造" → "\"机械制\" AND \"械制造\""). The index holds no
 * positions (detail=none), so this finds a superset that instr() then narrows to the exact
 * substring. False when out is too small or the term is shorter than 3 characters. */
bool ent_fts_query(const char *term, char *out, size_t outsize);

/* The characters that make a spreadsheet read a cell as a formula: = + - @ (and a tab or CR
 * before them). True when s starts with one, so exports neutralise it. */
bool ent_formula_like(const char *s);

#endif
