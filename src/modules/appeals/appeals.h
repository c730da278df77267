/* appeals.h: enterprise appeals (诉求): the lifecycle state machine, the statistics counters,
 * the bigram search text, attachment sniffing (all pure, in appeals_rules.c), and what other
 * modules may call. */
#ifndef TIEJIAN_APPEALS_H
#define TIEJIAN_APPEALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "lib/str.h"

struct module;
struct app;
struct arena;

/*
 * Ownership: everything here works on caller-owned memory; nothing keeps a pointer after it
 * returns. Strings are UTF-8. The rules are pure: no I/O, no clock, no allocation except where
 * a struct str is passed in.
 */

/* ---- the lifecycle ------------------------------------------------------------------------ */

enum appeal_state {
	AS_SUBMITTED,        /* 待受理 */
	AS_ACCEPTED,         /* 已受理，待交办 */
	AS_ASSIGNED,         /* 已交办，待签收 */
	AS_IN_PROGRESS,      /* 办理中 */
	AS_SUSPENDED,        /* 已挂起（等待企业，计时暂停） */
	AS_RETURNED,         /* 已回退，待重新交办 */
	AS_PENDING_APPROVAL, /* 暂不具备条件的答复，待督查审核 */
	AS_REPLIED,          /* 已答复，待企业评价 */
	AS_REOPENED,         /* 重办，待签收 */
	AS_CLOSED,           /* 已办结 */
	AS_REJECTED,         /* 不予受理 */
	AS_WITHDRAWN,        /* 已撤回 */
	AS__COUNT
};

enum appeal_action {
	AA_ACCEPT,             /* 受理 */
	AA_REJECT,             /* 不予受理 */
	AA_ASSIGN,             /* 交办 */
	AA_RETURN,             /* 回退 */
	AA_START,              /* 签收办理 */
	AA_CONTACT,            /* 联系企业 */
	AA_INTERIM_REPLY,      /* 阶段性答复 */
	AA_REPLY,              /* 答复 */
	AA_CO_OPINION,         /* 协办意见 */
	AA_SUSPEND,            /* 挂起 */
	AA_RESUME,             /* 恢复办理 */
	AA_SUPPLEMENT,         /* 补充材料 */
	AA_WITHDRAW,           /* 撤回 */
	AA_REQUEST_EXTENSION,  /* 申请延期 */
	AA_APPROVE_EXTENSION,  /* 批准延期 */
	AA_DENY_EXTENSION,     /* 不批准延期 */
	AA_APPROVE_CLOSE,      /* 同意“暂不具备条件”答复 */
	AA_DENY_CLOSE,         /* 不同意，退回办理 */
	AA_EVALUATE,           /* 评价 */
	AA_CLOSE,              /* 逾期未评价，办结 */
	AA_REOPEN,             /* 重办 */
	AA_SUPERVISE,          /* 督办 */
	AA_ANSWER_SUPERVISION, /* 答复督办 */
	AA_ESCALATE,           /* 升级 */
	AA__COUNT
};

/* The caller's capacities towards one appeal (a bit set): computed from the caller's
 * permissions and data scopes and the appeal's ties (appeals_core.c). */
enum appeal_cap {
	CAP_ENTERPRISE = 1,  /* the enterprise the appeal is about */
	CAP_FILER = 2,       /* the user who filed it (a cadre on the enterprise's behalf) */
	CAP_DISPATCHER = 4,  /* appeal.dispatch over the appeal's home org */
	CAP_LEAD = 8,        /* appeal.handle over the lead unit */
	CAP_CO = 16,         /* appeal.handle over a co-unit */
	CAP_SUPERVISOR = 32, /* appeal.supervise over the appeal */
	CAP_LEADER = 64,     /* appeal.approve over the appeal */
	CAP_SYSTEM = 128,    /* the clock job */
};
#define CAP__ALL 255u

/* A reply's outcome: so closed and solved are separate numbers. */
enum appeal_outcome { AO_NONE, AO_SOLVED, AO_EXPLAINED, AO_NOT_YET, AO__COUNT };
/* The enterprise's rating; AR_UNRATED is "no rating by the deadline" (未评价). */
enum appeal_rating { AR_NONE, AR_SATISFIED, AR_BASIC, AR_UNSATISFIED, AR_UNRATED, AR__COUNT };

/* Codes (API and database) and Chinese names, indexed by the enums, NULL-terminated. */
extern const char *const appeal_state_codes[];
extern const char *const appeal_state_names[];
extern const char *const appeal_action_codes[];
extern const char *const appeal_action_names[];
extern const char *const appeal_outcome_codes[]; /* [AO_NONE] is "" */
extern const char *const appeal_outcome_names[];
extern const char *const appeal_rating_codes[]; /* [AR_NONE] is "" */
extern const char *const appeal_rating_names[];

/* The code's index in a NULL-terminated table, or -1. */
int appeal_code_index(const char *const *codes, const char *code);

/* What the machine needs to know of an appeal besides its state. */
struct appeal_facts {
	enum appeal_state state;
	int reopen_count;       /* reopens so far */
	bool extended;          /* the one extension was granted */
	bool extension_pending; /* an extension waits for a leader */
	int supervision_open;   /* supervision notes not yet answered */
};

enum appeal_verdict {
	AV_OK,
	AV_WRONG_STATE, /* nobody may do this in the current state */
	AV_NOT_YOURS,   /* someone may, but not with the caller's capacities */
	AV_NOT_NOW,     /* the state allows it but a condition does not (extension used ...) */
};

/*
 * The next state for action a by a caller with capacities caps. arg is the action's input
 * where the next state depends on it: the outcome of AA_REPLY (AO_NOT_YET goes to
 * pending_approval) and the rating of AA_EVALUATE (不满意 reopens once by itself; after a
 * reopen it closes and only a supervisor reopens again); 0 otherwise. *next is written only
 * on AV_OK.
 */
enum appeal_verdict appeal_next(const struct appeal_facts *f, enum appeal_action a,
				unsigned caps, int arg, enum appeal_state *next);

/* The actions appeal_next allows this caller now, as a bit set (1u << action). */
uint32_t appeal_allowed(const struct appeal_facts *f, unsigned caps);

/* Whether the state is final (closed, rejected, withdrawn). */
bool appeal_state_final(enum appeal_state s);
/* Whether the enterprise sees this action in its timeline (messages to the enterprise,
 * decisions about its appeal) rather than it being internal work. */
bool appeal_action_public(enum appeal_action a);

/* ---- statistics counters -------------------------------------------------------------------- */

/* The numbers kept per counter cell. Each appeal contributes a 0/1 (or a count) to each. */
enum appeal_metric {
	AM_RECEIVED,   /* 受理量: filed */
	AM_ACCEPTED,   /* accepted (受理) at some point */
	AM_REJECTED,   /* 不予受理 */
	AM_WITHDRAWN,  /* 撤回 */
	AM_REPLIED,    /* answered at least once */
	AM_CLOSED,     /* 办结 */
	AM_SOLVED,     /* closed with the outcome 已解决 */
	AM_ON_TIME,    /* closed, its last reply within the deadline then in force */
	AM_RATED,      /* closed with a rating (未评价 is not one) */
	AM_SATISFIED,  /* closed as 满意 or 基本满意 */
	AM_REOPENED,   /* reopened at least once */
	AM_RETURNED,   /* returned by a lead unit at least once */
	AM_RETURNS,    /* returns, counted each time */
	AM_ESCALATED,  /* escalated at least once */
	AM_LATE,       /* overdue at least once */
	AM_OPEN,       /* not final */
	AM_CLOSE_DAYS, /* working days from acceptance to the last reply, suspensions excluded, of
			* closed appeals (the average is this over AM_CLOSED) */
	AM__COUNT
};
extern const char *const appeal_metric_codes[];

/* The columns of an appeal the metrics derive from. */
struct appeal_stat_in {
	enum appeal_state state;
	enum appeal_outcome outcome;
	enum appeal_rating rating;
	bool accepted, replied, on_time, escalated, late;
	int reopen_count, return_count, close_workdays;
};
void appeal_metrics(const struct appeal_stat_in *in, int64_t out[AM__COUNT]);

/* Counter cells are kept per scope key, so that the numbers a caller sees are read from the
 * one key its data scope names, and never leak across it. */
enum appeal_stat_kind {
	SK_ALL = 0,        /* every appeal */
	SK_SUBTREE = 1,    /* appeals tied to an org at or below the key's org */
	SK_ORG = 2,        /* appeals tied to the key's org itself */
	SK_ENTERPRISE = 3, /* one enterprise's appeals */
};
/* The dimension a cell is cut by; each partitions the appeals, so any of them sums to the
 * totals. */
enum appeal_stat_dim { SD_UNIT = 0, SD_REGION = 1, SD_CATEGORY = 2, SD__COUNT };

#define APPEAL_MAX_TIES 8 /* home org, lead unit and up to 6 co-units */

/* What ties an appeal to scopes and dimensions. Paths are borrowed. */
struct appeal_ties {
	int64_t enterprise_id;
	int month;            /* yyyymm the appeal was filed (the cohort) */
	int64_t region;       /* the enterprise's region code as a number (230202) */
	int64_t category;     /* the top-level category */
	int64_t lead_org_id;  /* 0 before assignment */
	int norgs;            /* home, lead, co-units (duplicates allowed) */
	int64_t org_id[APPEAL_MAX_TIES];
	const char *org_path[APPEAL_MAX_TIES];
};

struct appeal_stat_cell {
	int kind; /* enum appeal_stat_kind */
	int64_t scope_id;
	int dim; /* enum appeal_stat_dim */
	int64_t value;
	int month;
	int64_t v[AM__COUNT];
};
#define APPEAL_MAX_CELLS 384

/*
 * The cells to change when an appeal goes from (old_t, old_v) to (new_t, new_v): the old
 * contribution taken out, the new one added, merged per cell and without the cells whose
 * change is zero. old_t NULL: a new appeal. Returns the number of cells written to out (at
 * most max), or (size_t)-1 when a path is malformed or out is too small.
 */
size_t appeal_stat_diff(const struct appeal_ties *old_t, const int64_t old_v[AM__COUNT],
			const struct appeal_ties *new_t, const int64_t new_v[AM__COUNT],
			struct appeal_stat_cell *out, size_t max);

/*
 * Cells summed over several appeals' changes, so that a batch of filings writes each counter
 * once: appeal_stat_sum() adds n cells into acc, a cell of a key already there added to it.
 * acc grows as needed (free acc->cells when done); false when it cannot grow.
 */
struct appeal_stat_acc {
	struct appeal_stat_cell *cells;
	size_t n, cap;
};
bool appeal_stat_sum(struct appeal_stat_acc *acc, const struct appeal_stat_cell *c, size_t n);

/* The scope keys an appeal belongs to, other than SK_ALL (every appeal has that one): what the
 * appeal_keys table holds, so a list for one key reads only its appeals. Returns how many were
 * written to kinds/ids (at most max), or -1 when a path is malformed or max is too small. */
int appeal_scope_keys(const struct appeal_ties *t, int *kinds, int64_t *ids, int max);

/* The rates of docs/appeals.md, from summed metrics; negative when the denominator is 0. */
enum appeal_rate {
	RATE_CLOSE,     /* 办结率 = closed / accepted */
	RATE_SOLVE,     /* 解决率 = solved / closed */
	RATE_ON_TIME,   /* 按时办结率 = on_time / closed */
	RATE_SATISFIED, /* 满意率 = satisfied / rated */
	RATE_REOPEN,    /* 重办率 = reopened / replied */
	RATE__COUNT
};
extern const char *const appeal_rate_codes[];
double appeal_rate(const int64_t v[AM__COUNT], enum appeal_rate r);

/* ---- search text and duplicates ---------------------------------------------------------- */

/*
 * The search tokens of text, appended to out separated by spaces: every pair of adjacent
 * characters (a bigram) within each run of letters and digits, and the last character of each
 * run alone, so that any substring of two or more characters is a phrase of bigrams and a
 * single character is a prefix. ASCII letters and full-width forms are folded (Ａ → a).
 */
void appeal_grams(const char *text, struct str *out);

/* A search query split into terms (blank-separated), folded. */
#define APPEAL_QUERY_TERMS 3
#define APPEAL_TERM_BYTES 160
struct appeal_query {
	int nterms;
	char term[APPEAL_QUERY_TERMS][APPEAL_TERM_BYTES]; /* folded, for the substring check */
	char match[512];  /* SQLite FTS5 expression over the bigram tokens */
	char grams[512];  /* PostgreSQL: the bigrams every hit has, space-separated ("" none) */
};
/* ST_OK (nterms 0 for a blank query), ST_INVALID when a term is too long or there are too
 * many terms. */
enum status appeal_query_parse(const char *q, struct appeal_query *out);

/* How alike two texts are: the Dice coefficient of their bigram sets after folding and
 * dropping everything but letters and digits (1.0 identical, 0.0 nothing shared). */
double appeal_similarity(const char *a, const char *b);
/* The same, for comparing one text with many: the sorted distinct bigrams of a (*n of them;
 * free() them; NULL when out of memory), and the similarity of two texts from theirs. */
uint64_t *appeal_bigrams(const char *a, size_t *n);
double appeal_dice(const uint64_t *x, size_t nx, const uint64_t *y, size_t ny);

/* An appeal filed, in a few words: how many bigrams its title and content have, and a bit for
 * each (128 of them for the title, 512 for the content). From it, a bound on how alike a new
 * appeal's title and content can be to its (at least what appeal_dice() finds for either),
 * without its text: a new bigram whose bit is not set is not one of its bigrams. */
#define APPEAL_SIG_TITLE_BITS	 7 /* 128 bits */
#define APPEAL_SIG_CONTENT_BITS	 9 /* 512 */
#define APPEAL_SIG_TITLE_WORDS	 (1 << (APPEAL_SIG_TITLE_BITS - 6))
#define APPEAL_SIG_CONTENT_WORDS (1 << (APPEAL_SIG_CONTENT_BITS - 6))
struct appeal_sig {
	int64_t id;
	uint32_t nt, nc;
	uint64_t title[APPEAL_SIG_TITLE_WORDS], content[APPEAL_SIG_CONTENT_WORDS];
};
void appeal_sig_make(const uint64_t *title, size_t nt, const uint64_t *content, size_t nc,
		     struct appeal_sig *s);
double appeal_sig_bound(const struct appeal_sig *s, const uint64_t *title, size_t nt,
			const uint64_t *content, size_t nc);

/* ---- attachments ------------------------------------------------------------------------- */

enum appeal_file_kind {
	AF_UNKNOWN,
	AF_JPEG,
	AF_PNG,
	AF_GIF,
	AF_WEBP,
	AF_BMP,
	AF_PDF,
	AF_DOCX,
	AF_XLSX,
	AF_PPTX,
	AF_OLE, /* .doc .xls .ppt (and WPS's .wps .et .dps): the compound file format */
	AF__COUNT
};
/* The kind the bytes are (magic numbers; for zip files the names in the central directory). */
enum appeal_file_kind appeal_file_sniff(const unsigned char *p, size_t n);
/* The kind a file name claims by its extension, or AF_UNKNOWN. */
enum appeal_file_kind appeal_file_claimed(const char *name);
/* The MIME type served for a kind. */
const char *appeal_file_mime(enum appeal_file_kind k);
/* A name fit to show and to put in Content-Disposition: the last path component, control
 * characters and quotes dropped, at most 100 characters; "" when nothing is left. */
void appeal_file_name_clean(const char *name, char *out, size_t outsize);

/* ---- time limits ------------------------------------------------------------------------- */

/* One row of the time limits (appeal_deadlines): the working days a category's appeals (0:
 * every category's) have at one urgency to be accepted, contacted, reported on and closed. */
struct appeal_limit {
	int64_t category;
	char urgency[8];
	int days[4];
};
/* The working days (accept, contact, interim report, close; spans[4] 0) of an appeal of
 * category, whose top level is root, at urgency (NULL: "normal"), from the row that applies: the
 * category's own, else its top level's, else every category's; should none fit (the table
 * emptied), the days of common practice, 1, 1, 3 and 7. */
void appeal_limit_spans(const struct appeal_limit *rows, size_t n, int64_t category, int64_t root,
			const char *urgency, int spans[5]);

/* ---- small helpers ----------------------------------------------------------------------- */

/* The appeal's number as people quote it: "SQ20261126-000123" (the local filing date). */
void appeal_number(int64_t created_at, int64_t id, char *out, size_t outsize);
/* The id in a number of that form, or 0. */
int64_t appeal_number_id(const char *s);

/* Deadline colours. */
enum appeal_colour { AC_NONE, AC_GREEN, AC_YELLOW, AC_RED, AC_PAUSED };
extern const char *const appeal_colour_codes[];
/* due and today are YYYY-MM-DD; yellow_until is the last date that is still "due soon"
 * (today plus the configured working days). due NULL: AC_NONE. */
enum appeal_colour appeal_colour(const char *due, const char *today, const char *yellow_until,
				 bool paused);

/* ---- for other modules ------------------------------------------------------------------- */

/* A solved appeal as the case library needs it. Strings are malloc'd: appeal_brief_release. */
struct appeal_brief {
	int64_t id, enterprise_id, category_id;
	char *title, *content, *reply, *enterprise_name, *uscc, *region_code, *category_name,
		*lead_org_name, *contact_name, *contact_phone;
	enum appeal_state state;
	enum appeal_outcome outcome;
	char number[32];
};
/* Load appeal id if it is closed as solved; ST_NOT_FOUND otherwise, ST_CONFLICT when it exists
 * but is not closed as solved. */
enum status appeals_solved_brief(struct db *db, int64_t id, struct appeal_brief *out);
void appeal_brief_release(struct appeal_brief *b);

/* Whether the caller of req may see appeal id (its appeal.read scope). */
struct request;
bool appeals_caller_sees(struct request *req, struct db *db, int64_t id);

/* ---- filing for another module (a visit's problem, 走访发现) -------------------------------- */

/* An appeal another module files, routed like any other: deadlines, the routing suggestion,
 * the timeline, counters, audit row and the dispatchers' notifications. The source names what
 * it came from, so the appeal links back (GET /api/v1/appeals/:id answers "source":{"kind",
 * "id"}). Strings are borrowed for the call. */
struct appeal_filing {
	int64_t enterprise_id, category_id;
	const char *channel;     /* a channel code: "visit" is 走访发现 */
	const char *title;       /* 1..60 characters */
	const char *content;     /* 1..5000 characters */
	const char *urgency;     /* "normal" (also NULL) or "urgent" */
	const char *source_kind; /* "visit", or NULL */
	int64_t source_id;
};
/* Who files it when there is no request (the demo): a user and the org they speak for. */
struct appeal_filer {
	int64_t user_id;
	const char *username, *display_name, *org_name, *org_path;
};

/*
 * File in as the caller of req, inside the transaction the caller began (its own audit row
 * included; roll back the whole on any error). The caller has checked that the enterprise is
 * within its own scope; this checks the enterprise exists and is not deregistered and that the
 * category is in use. *id_out receives the id, number (32 bytes, optional) the number people
 * quote. ST_INVALID with the request's error slot naming the field ("category_id", "title",
 * "content", "urgency", "enterprise_id"). The duplicate guard is the filer's own business.
 */
enum status appeals_file_for(struct request *req, struct db *db, const struct appeal_filing *in,
			     int64_t *id_out, char *number);
/* The same for the demo: filed by who at now; *why receives a reason on ST_INVALID. */
enum status appeals_file_as(struct app *app, struct db *db, struct arena *arena, int64_t now,
			    const struct appeal_filer *who, const struct appeal_filing *in,
			    int64_t *id_out, const char **why);

/* The appeals among ids that the caller of req may see (its appeal.read scope), in the order
 * given, as [{"id","number","title","state","state_name","colour","due_date","outcome"}];
 * the others are left out. NULL when out of memory. */
struct json_t;
struct json_t *appeals_refs_json(struct request *req, struct db *db, const int64_t *ids,
				 size_t n);

/* The enterprise 360 section (module descriptor .section): the counts and the newest appeals
 * of the enterprise with their colours, within the caller's appeal.read scope; nothing when the
 * caller may not read appeals. */
enum status appeals_section(struct request *req, struct db *db, int64_t enterprise_id,
			    struct json_t *sections);

/* tiejian demo --appeals N: add n generated appeals through the module's own paths, spread
 * over the demo enterprises, states and the last three years; inside the caller's transaction
 * (committed every few thousand rows). */
enum status appeals_demo_generate(struct app *app, struct db *db, long n);
/* Move the search terms that wait into the index, then merge the index's segments into one
 * (SQLite; nothing on PostgreSQL), in bounded steps,
 * each its own transaction unless db is in one already, at most max_steps; *steps says how
 * many did work. The daily job appeals_search_upkeep and `tiejian upkeep` run it. */
enum status appeals_search_upkeep(struct db *db, int max_steps, int *steps);

extern const struct module appeals_module;

#endif
