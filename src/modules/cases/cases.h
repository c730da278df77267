/* cases.h: the typical case library (典型案例): solved appeals promoted to cases, anonymised on
 * request, found by full-text search over Chinese (the appeals' bigram index). */
#ifndef TIEJIAN_CASES_H
#define TIEJIAN_CASES_H

#include <stddef.h>

#include "lib/str.h"

struct module;

/* ---- pure rules (cases_rules.c) ---------------------------------------------------------- */

/* The names to hide for an enterprise: its full name, the name without the company form
 * (有限公司 ...), and the name without the place before it (齐齐哈尔市 ...), longest first, each
 * at least two characters; written into out (n slots of size bytes); returns how many. */
int cases_name_variants(const char *name, char out[][256], int n);

/* What to hide and what to write instead. */
struct cases_mask {
	const char *needle; /* NULL or empty: skipped */
	const char *replacement;
};

/* text with every occurrence of each needle replaced (the first mask that matches at a place
 * wins, so list longer needles first), and every 11-digit mainland mobile number and
 * 18-character credit code masked, appended to out. */
void cases_anonymise(const char *text, const struct cases_mask *masks, int n, struct str *out);

extern const struct module cases_module;

#endif
