/* uscc.h: the unified social credit code 统一社会信用代码 (GB 32100-2015). */
#ifndef TIEJIAN_USCC_H
#define TIEJIAN_USCC_H

#include <stddef.h>
#include <stdint.h>

#include "lib/status.h"

/*
 * Check, normalise and generate codes. A code is 18 characters from the 31-character alphabet
 * 0-9 A-H J-N P-R T-U W-Y (no I, O, Z, S, V):
 *
 *   1      登记管理部门码, registration authority: 1-9, A, N, Y
 *   2      机构类别代码, organisation category, valid for the authority (uscc_type_find())
 *   3-8    登记管理机关行政区划码: GB/T 2260 division of the registering office, digits
 *   9-17   组织机构代码 (GB 11714-1997): 8 body characters, then their check character,
 *          0-9 or X (weights 3 7 9 10 5 8 4 2, modulus 11, letters valued A=10 ... Z=35)
 *   18     校验码: weights 3^(i-1) mod 31, modulus 31, over the alphabet's indices
 *
 * Ownership: the caller owns every buffer; nothing here allocates or keeps a pointer. The type
 * table returned by uscc_type_at() and uscc_type_find() is static and read-only.
 * Positions are 1-based and count characters (a multi-byte UTF-8 character is one position).
 */

#define USCC_LEN	   18  /* characters in a code */
#define USCC_MESSAGE_BYTES 256 /* room for any message below, NUL included */

/* What is wrong with a code, in the order uscc_check() looks for it. */
enum uscc_problem_kind {
	USCC_PROBLEM_NONE = 0,
	/* Not 18 characters; position 0. */
	USCC_PROBLEM_LENGTH,
	/* A character outside the alphabet: I O Z S V, a space, a full-width form ... */
	USCC_PROBLEM_CHARACTER,
	/* Positions 3-8: a printable character that is not a digit. */
	USCC_PROBLEM_REGION,
	/* A lower-case letter whose upper case is valid; uscc_normalize() fixes it. */
	USCC_PROBLEM_LOWERCASE,
	/* Position 1: no such 登记管理部门码. */
	USCC_PROBLEM_AUTHORITY,
	/* Position 2: no such 机构类别代码 under that authority. */
	USCC_PROBLEM_CATEGORY,
	/* Position 17: the 组织机构代码's own check character is wrong. */
	USCC_PROBLEM_ORG_CHECK,
	/* Position 18: the final check character is wrong. */
	USCC_PROBLEM_CHECK,
};

/* Why a code was refused, for the person who typed it. */
struct uscc_problem {
	enum uscc_problem_kind kind;
	/* The 1-based position involved; 0 for a wrong length or no problem. */
	unsigned position;
	/* ORG_CHECK and CHECK: the character the other positions call for; else '\0'. */
	char expected;
	/* Chinese, UTF-8, NUL-terminated; "" when there is no problem. */
	char message[USCC_MESSAGE_BYTES];
};

/* One valid pair of registration authority and organisation category (GB 32100-2015 appendix A). */
struct uscc_type {
	char authority;		    /* 登记管理部门码, e.g. '9' */
	char category;		    /* 机构类别代码, e.g. '1' */
	const char *authority_name; /* e.g. "工商" */
	const char *category_name;  /* e.g. "企业" */
};

/*
 * Check the len bytes at s (no NUL needed) as a code exactly as stored: upper case, no spaces.
 * ST_OK, or ST_INVALID with the first problem found described in *out (out may be NULL). Looks
 * for, in order: the length; then position by position a character that is invalid, a non-digit
 * in 3-8, or lower case; then the authority, the category, the organisation code's check
 * character and the final check character. s may be NULL when len is 0.
 */
enum status uscc_check(const char *s, size_t len, struct uscc_problem *out);

/*
 * Normalise what a person typed or pasted: trim blanks at both ends (ASCII white space, U+00A0,
 * U+3000 ideographic space, U+FEFF), turn full-width ASCII forms (Ａ, ９ ...) into ASCII and
 * upper-case a-z; anything else is copied unchanged for uscc_check() to judge. Writes at most
 * outsize - 1 bytes and a NUL (when outsize > 0) and returns the full normalised length, like
 * snprintf: a result >= outsize means out was truncated. The result is never longer than len, so
 * outsize = len + 1 always suffices.
 */
size_t uscc_normalize(const char *s, size_t len, char *out, size_t outsize);

/*
 * uscc_normalize() then uscc_check(): on ST_OK out holds the 18-character code and a NUL; on
 * ST_INVALID out is "" and *problem (may be NULL) says why, with positions and the length
 * counted on the normalised text.
 */
enum status uscc_parse(const char *s, size_t len, char out[USCC_LEN + 1],
		       struct uscc_problem *problem);

/*
 * The check character (position 18) that the 17 characters at first17 call for, or '\0' when one
 * of them is not in the alphabet (lower case included) or the string ends early.
 */
char uscc_check_char(const char *first17);

/*
 * The GB 11714-1997 check character ('0'-'9' or 'X') for the 8-character organisation code body
 * at body8 (digits and upper-case letters A-Z), or '\0' if one is neither or the string ends early.
 */
char uscc_org_check_char(const char *body8);

/* The i-th valid authority and category pair, in table order, or NULL when i is past the end. */
const struct uscc_type *uscc_type_at(size_t i);

/* The pair for an authority and category code, or NULL if GB 32100 has no such pair. */
const struct uscc_type *uscc_type_find(char authority, char category);

/*
 * Write a valid code for demo data and tests into out (18 characters and a NUL): of the type2
 * given as authority and category (e.g. "91" 企业, "92" 个体工商户, "N2" 村级集体经济组织), made
 * from seed, registered in the division region6 (6 digits). The same arguments always give the same
 * code; seeds that differ modulo 100,000,000 give different codes. Even seeds give an 8-digit
 * organisation code body, odd seeds a body in the newer "MA" form with letters.
 * ST_OK, or ST_INVALID (out is then "") when type2 is not a pair of uscc_type_find() or region6
 * is not 6 digits.
 */
enum status uscc_generate_as(const char *type2, uint64_t seed, const char *region6,
			     char out[USCC_LEN + 1]);

/* uscc_generate_as() with type "91" (工商 企业). */
enum status uscc_generate(uint64_t seed, const char *region6, char out[USCC_LEN + 1]);

#endif
