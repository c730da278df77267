/* appeals_rules.c: the pure rules of appeals: the state machine, the counters, the bigram search
 * text, near-duplicates, attachment sniffing, numbers and colours. No I/O. */
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "modules/appeals/appeals.h"
#include "modules/orgs/orgs.h"

/* ---- codes and names ------------------------------------------------------------------------ */

const char *const appeal_state_codes[] = {
	"submitted", "accepted", "assigned", "in_progress", "suspended", "returned",
	"pending_approval", "replied", "reopened", "closed", "rejected", "withdrawn", NULL};
const char *const appeal_state_names[] = {
	"待受理", "已受理待交办", "已交办待签收", "办理中", "已挂起", "已回退待重新交办",
	"待审核", "已答复待评价", "重办待签收", "已办结", "不予受理", "已撤回", NULL};

const char *const appeal_action_codes[] = {
	"accept", "reject", "assign", "return", "start", "contact", "interim_reply", "reply",
	"co_opinion", "suspend", "resume", "supplement", "withdraw", "request_extension",
	"approve_extension", "deny_extension", "approve_close", "deny_close", "evaluate", "close",
	"reopen", "supervise", "answer_supervision", "escalate", NULL};
const char *const appeal_action_names[] = {
	"受理", "不予受理", "交办", "回退", "签收办理", "联系企业", "阶段性答复", "答复",
	"协办意见", "挂起", "恢复办理", "补充材料", "撤回", "申请延期", "批准延期", "不批准延期",
	"同意暂不具备条件答复", "退回重新办理", "评价", "逾期未评价办结", "重办", "督办",
	"答复督办", "升级", NULL};

const char *const appeal_outcome_codes[] = {"", "solved", "explained", "not_yet", NULL};
const char *const appeal_outcome_names[] = {"", "已解决", "已解释说明", "暂不具备条件", NULL};
const char *const appeal_rating_codes[] = {"", "satisfied", "basically_satisfied",
					  "unsatisfied", "unrated", NULL};
const char *const appeal_rating_names[] = {"", "满意", "基本满意", "不满意", "未评价", NULL};

const char *const appeal_metric_codes[] = {
	"received", "accepted", "rejected", "withdrawn", "replied", "closed",
	"solved", "closed_on_time", "rated", "satisfied", "reopened", "returned",
	"returns", "escalated", "late", "open", "close_workdays", NULL};
const char *const appeal_rate_codes[] = {"close_rate", "solve_rate", "on_time_rate",
					 "satisfaction_rate", "reopen_rate", NULL};
const char *const appeal_colour_codes[] = {"none", "green", "yellow", "red", "paused", NULL};

int appeal_code_index(const char *const *codes, const char *code)
{
	if (!code)
		return -1;
	for (int i = 0; codes[i]; i++)
		if (strcmp(codes[i], code) == 0)
			return i;
	return -1;
}

/* ---- the state machine ---------------------------------------------------------------------- */

#define S(x) (1u << (x))
#define FINAL_STATES (S(AS_CLOSED) | S(AS_REJECTED) | S(AS_WITHDRAWN))
#define ALL_STATES ((1u << AS__COUNT) - 1)
#define OPEN_STATES (ALL_STATES & ~FINAL_STATES)
/* Before the answer: the enterprise may still add to it or withdraw it. */
#define BEFORE_REPLY                                                                               \
	(S(AS_SUBMITTED) | S(AS_ACCEPTED) | S(AS_ASSIGNED) | S(AS_IN_PROGRESS) | S(AS_SUSPENDED) | \
	 S(AS_RETURNED) | S(AS_REOPENED))

/* Where each action may happen, and who may do it. */
static const struct {
	uint32_t states;
	unsigned caps;
} machine[AA__COUNT] = {
	[AA_ACCEPT] = {S(AS_SUBMITTED), CAP_DISPATCHER},
	[AA_REJECT] = {S(AS_SUBMITTED), CAP_DISPATCHER},
	/* the dispatcher routes it, and may route it again before the unit signs for it */
	[AA_ASSIGN] = {S(AS_ACCEPTED) | S(AS_RETURNED) | S(AS_ASSIGNED), CAP_DISPATCHER},
	/* first-receiver responsibility: a lead unit hands it back to the dispatcher only */
	[AA_RETURN] = {S(AS_ASSIGNED) | S(AS_IN_PROGRESS) | S(AS_REOPENED), CAP_LEAD},
	[AA_START] = {S(AS_ASSIGNED) | S(AS_REOPENED), CAP_LEAD},
	[AA_CONTACT] = {S(AS_IN_PROGRESS), CAP_LEAD},
	[AA_INTERIM_REPLY] = {S(AS_IN_PROGRESS) | S(AS_SUSPENDED), CAP_LEAD},
	[AA_REPLY] = {S(AS_IN_PROGRESS), CAP_LEAD},
	[AA_CO_OPINION] = {S(AS_ASSIGNED) | S(AS_IN_PROGRESS) | S(AS_SUSPENDED) | S(AS_REOPENED),
			   CAP_CO},
	[AA_SUSPEND] = {S(AS_IN_PROGRESS), CAP_LEAD},
	[AA_RESUME] = {S(AS_SUSPENDED), CAP_LEAD | CAP_SYSTEM},
	[AA_SUPPLEMENT] = {BEFORE_REPLY, CAP_ENTERPRISE | CAP_FILER},
	[AA_WITHDRAW] = {BEFORE_REPLY, CAP_ENTERPRISE | CAP_FILER},
	[AA_REQUEST_EXTENSION] = {S(AS_IN_PROGRESS) | S(AS_SUSPENDED), CAP_LEAD},
	[AA_APPROVE_EXTENSION] = {OPEN_STATES, CAP_LEADER},
	[AA_DENY_EXTENSION] = {OPEN_STATES, CAP_LEADER},
	[AA_APPROVE_CLOSE] = {S(AS_PENDING_APPROVAL), CAP_SUPERVISOR},
	[AA_DENY_CLOSE] = {S(AS_PENDING_APPROVAL), CAP_SUPERVISOR},
	[AA_EVALUATE] = {S(AS_REPLIED), CAP_ENTERPRISE},
	[AA_CLOSE] = {S(AS_REPLIED), CAP_SYSTEM},
	[AA_REOPEN] = {S(AS_CLOSED), CAP_SUPERVISOR},
	[AA_SUPERVISE] = {OPEN_STATES, CAP_SUPERVISOR | CAP_LEADER},
	[AA_ANSWER_SUPERVISION] = {OPEN_STATES, CAP_LEAD | CAP_DISPATCHER},
	[AA_ESCALATE] = {OPEN_STATES, CAP_SUPERVISOR | CAP_LEADER | CAP_SYSTEM},
};

bool appeal_state_final(enum appeal_state s)
{
	return s < AS__COUNT && (FINAL_STATES & S(s)) != 0;
}

bool appeal_action_public(enum appeal_action a)
{
	switch (a) {
	case AA_RETURN:
	case AA_CO_OPINION:
	case AA_REQUEST_EXTENSION:
	case AA_DENY_EXTENSION:
	case AA_DENY_CLOSE:
	case AA_SUPERVISE:
	case AA_ANSWER_SUPERVISION:
	case AA_ESCALATE:
		return false;
	default:
		return a < AA__COUNT;
	}
}

enum appeal_verdict appeal_next(const struct appeal_facts *f, enum appeal_action a,
				unsigned caps, int arg, enum appeal_state *next)
{
	if ((unsigned)a >= AA__COUNT || (unsigned)f->state >= AS__COUNT)
		return AV_WRONG_STATE;
	if (!(machine[a].states & S(f->state)))
		return AV_WRONG_STATE;
	if (!(machine[a].caps & caps))
		return AV_NOT_YOURS;
	enum appeal_state to = f->state;
	switch (a) {
	case AA_ACCEPT: to = AS_ACCEPTED; break;
	case AA_REJECT: to = AS_REJECTED; break;
	case AA_ASSIGN: to = AS_ASSIGNED; break;
	case AA_RETURN: to = AS_RETURNED; break;
	case AA_START: to = AS_IN_PROGRESS; break;
	case AA_REPLY:
		if (arg != AO_SOLVED && arg != AO_EXPLAINED && arg != AO_NOT_YET)
			return AV_NOT_NOW;
		to = arg == AO_NOT_YET ? AS_PENDING_APPROVAL : AS_REPLIED;
		break;
	case AA_SUSPEND: to = AS_SUSPENDED; break;
	case AA_RESUME: to = AS_IN_PROGRESS; break;
	case AA_SUPPLEMENT:
		/* what the enterprise was waiting for has come: the clock runs again */
		if (f->state == AS_SUSPENDED)
			to = AS_IN_PROGRESS;
		break;
	case AA_WITHDRAW: to = AS_WITHDRAWN; break;
	case AA_REQUEST_EXTENSION:
		if (f->extended || f->extension_pending)
			return AV_NOT_NOW;
		break;
	case AA_APPROVE_EXTENSION:
	case AA_DENY_EXTENSION:
		if (!f->extension_pending)
			return AV_NOT_NOW;
		break;
	case AA_APPROVE_CLOSE: to = AS_REPLIED; break;
	case AA_DENY_CLOSE: to = AS_IN_PROGRESS; break;
	case AA_EVALUATE:
		if (arg != AR_SATISFIED && arg != AR_BASIC && arg != AR_UNSATISFIED)
			return AV_NOT_NOW;
		/* 不满意 reopens once by itself; a second reopen is a supervisor's decision */
		to = arg == AR_UNSATISFIED && f->reopen_count == 0 ? AS_REOPENED : AS_CLOSED;
		break;
	case AA_CLOSE: to = AS_CLOSED; break;
	case AA_REOPEN: to = AS_REOPENED; break;
	case AA_ANSWER_SUPERVISION:
		if (f->supervision_open <= 0)
			return AV_NOT_NOW;
		break;
	case AA_CONTACT:
	case AA_INTERIM_REPLY:
	case AA_CO_OPINION:
	case AA_SUPERVISE:
	case AA_ESCALATE:
	case AA__COUNT:
		break;
	}
	*next = to;
	return AV_OK;
}

uint32_t appeal_allowed(const struct appeal_facts *f, unsigned caps)
{
	uint32_t set = 0;
	for (int a = 0; a < AA__COUNT; a++) {
		int arg = a == AA_REPLY ? AO_SOLVED : a == AA_EVALUATE ? AR_SATISFIED : 0;
		enum appeal_state next;
		if (appeal_next(f, (enum appeal_action)a, caps, arg, &next) == AV_OK)
			set |= 1u << a;
	}
	return set;
}

/* ---- counters ------------------------------------------------------------------------------- */

void appeal_metrics(const struct appeal_stat_in *in, int64_t out[AM__COUNT])
{
	bool closed = in->state == AS_CLOSED;
	bool rated = closed && (in->rating == AR_SATISFIED || in->rating == AR_BASIC ||
				in->rating == AR_UNSATISFIED);
	out[AM_RECEIVED] = 1;
	out[AM_ACCEPTED] = in->accepted;
	out[AM_REJECTED] = in->state == AS_REJECTED;
	out[AM_WITHDRAWN] = in->state == AS_WITHDRAWN;
	out[AM_REPLIED] = in->replied;
	out[AM_CLOSED] = closed;
	out[AM_SOLVED] = closed && in->outcome == AO_SOLVED;
	out[AM_ON_TIME] = closed && in->on_time;
	out[AM_RATED] = rated;
	out[AM_SATISFIED] = rated && in->rating != AR_UNSATISFIED;
	out[AM_REOPENED] = in->reopen_count > 0;
	out[AM_RETURNED] = in->return_count > 0;
	out[AM_RETURNS] = in->return_count;
	out[AM_ESCALATED] = in->escalated;
	out[AM_LATE] = in->late;
	out[AM_OPEN] = !appeal_state_final(in->state);
	out[AM_CLOSE_DAYS] = closed ? in->close_workdays : 0;
}

struct key {
	int kind;
	int64_t id;
};

#define MAX_KEYS 96

static bool key_add(struct key *k, int *n, int kind, int64_t id)
{
	for (int i = 0; i < *n; i++)
		if (k[i].kind == kind && k[i].id == id)
			return true;
	if (*n == MAX_KEYS)
		return false;
	k[*n] = (struct key){kind, id};
	(*n)++;
	return true;
}

/* Every scope key an appeal counts under; false when a path is malformed. */
static bool keys_of(const struct appeal_ties *t, struct key *k, int *n)
{
	*n = 0;
	key_add(k, n, SK_ALL, 0);
	if (t->enterprise_id > 0 && !key_add(k, n, SK_ENTERPRISE, t->enterprise_id))
		return false;
	if (t->norgs < 0 || t->norgs > APPEAL_MAX_TIES)
		return false;
	for (int i = 0; i < t->norgs; i++) {
		if (t->org_id[i] <= 0)
			continue;
		if (!key_add(k, n, SK_ORG, t->org_id[i]))
			return false;
		/* "/1/2/10/": the org and each org above it */
		int64_t up[MAX_KEYS];
		int depth = orgs_path_ids(t->org_path[i], up, MAX_KEYS);
		if (depth < 0)
			return false;
		for (int d = 0; d < depth; d++)
			if (!key_add(k, n, SK_SUBTREE, up[d]))
				return false;
	}
	return true;
}

int appeal_scope_keys(const struct appeal_ties *t, int *kinds, int64_t *ids, int max)
{
	struct key k[MAX_KEYS];
	int n = 0, out = 0;
	if (!keys_of(t, k, &n))
		return -1;
	for (int i = 0; i < n; i++) {
		if (k[i].kind == SK_ALL)
			continue;
		if (out == max)
			return -1;
		kinds[out] = k[i].kind;
		ids[out++] = k[i].id;
	}
	return out;
}

static int64_t dim_value(const struct appeal_ties *t, int dim)
{
	return dim == SD_UNIT ? t->lead_org_id : dim == SD_REGION ? t->region : t->category;
}

static bool has_key(const struct key *k, int n, struct key x)
{
	for (int i = 0; i < n; i++)
		if (k[i].kind == x.kind && k[i].id == x.id)
			return true;
	return false;
}

static bool emit(struct appeal_stat_cell *out, size_t max, size_t *n, struct key k, int dim,
		 int64_t value, int month, const int64_t *plus, const int64_t *minus)
{
	int64_t v[AM__COUNT];
	bool any = false;
	for (int m = 0; m < AM__COUNT; m++) {
		v[m] = (plus ? plus[m] : 0) - (minus ? minus[m] : 0);
		any |= v[m] != 0;
	}
	if (!any)
		return true;
	if (*n == max)
		return false;
	struct appeal_stat_cell *c = &out[(*n)++];
	c->kind = k.kind;
	c->scope_id = k.id;
	c->dim = dim;
	c->value = value;
	c->month = month;
	memcpy(c->v, v, sizeof(v));
	return true;
}

size_t appeal_stat_diff(const struct appeal_ties *old_t, const int64_t old_v[AM__COUNT],
			const struct appeal_ties *new_t, const int64_t new_v[AM__COUNT],
			struct appeal_stat_cell *out, size_t max)
{
	struct key ko[MAX_KEYS], kn[MAX_KEYS];
	int no = 0, nn = 0;
	if ((old_t && !keys_of(old_t, ko, &no)) || !keys_of(new_t, kn, &nn))
		return (size_t)-1;
	size_t n = 0;
	/* keys of the new ties: the change in place where the cell stays, else out and in */
	for (int i = 0; i < nn; i++) {
		bool in_old = old_t && has_key(ko, no, kn[i]);
		for (int d = 0; d < SD__COUNT; d++) {
			int64_t vn = dim_value(new_t, d);
			if (in_old && dim_value(old_t, d) == vn && old_t->month == new_t->month) {
				if (!emit(out, max, &n, kn[i], d, vn, new_t->month, new_v, old_v))
					return (size_t)-1;
				continue;
			}
			if (in_old && !emit(out, max, &n, kn[i], d, dim_value(old_t, d),
					    old_t->month, NULL, old_v))
				return (size_t)-1;
			if (!emit(out, max, &n, kn[i], d, vn, new_t->month, new_v, NULL))
				return (size_t)-1;
		}
	}
	/* keys the appeal no longer has */
	for (int i = 0; i < no; i++) {
		if (has_key(kn, nn, ko[i]))
			continue;
		for (int d = 0; d < SD__COUNT; d++)
			if (!emit(out, max, &n, ko[i], d, dim_value(old_t, d), old_t->month, NULL,
				  old_v))
				return (size_t)-1;
	}
	return n;
}

static bool same_cell(const struct appeal_stat_cell *a, const struct appeal_stat_cell *b)
{
	return a->kind == b->kind && a->scope_id == b->scope_id && a->dim == b->dim &&
	       a->value == b->value && a->month == b->month;
}

bool appeal_stat_sum(struct appeal_stat_acc *acc, const struct appeal_stat_cell *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* newest first: a batch's filings mostly share the cells of the one before */
		size_t j = acc->n;
		while (j > 0 && !same_cell(&acc->cells[j - 1], &c[i]))
			j--;
		if (j > 0) {
			for (int m = 0; m < AM__COUNT; m++)
				acc->cells[j - 1].v[m] += c[i].v[m];
			continue;
		}
		if (acc->n == acc->cap) {
			size_t cap = acc->cap ? acc->cap * 2 : 64;
			struct appeal_stat_cell *p = realloc(acc->cells, cap * sizeof(*p));
			if (!p)
				return false;
			acc->cells = p;
			acc->cap = cap;
		}
		acc->cells[acc->n++] = c[i];
	}
	return true;
}

double appeal_rate(const int64_t v[AM__COUNT], enum appeal_rate r)
{
	int64_t num = 0, den = 0;
	switch (r) {
	case RATE_CLOSE: num = v[AM_CLOSED], den = v[AM_ACCEPTED]; break;
	case RATE_SOLVE: num = v[AM_SOLVED], den = v[AM_CLOSED]; break;
	case RATE_ON_TIME: num = v[AM_ON_TIME], den = v[AM_CLOSED]; break;
	case RATE_SATISFIED: num = v[AM_SATISFIED], den = v[AM_RATED]; break;
	case RATE_REOPEN: num = v[AM_REOPENED], den = v[AM_REPLIED]; break;
	case RATE__COUNT: break;
	}
	if (den <= 0)
		return -1.0;
	return (double)num / (double)den;
}

/* ---- text: code points, folding, bigrams ----------------------------------------------------- */

/* Decode one UTF-8 code point at *p (valid input assumed, as every stored text is checked);
 * advances *p; 0 at the end. A broken byte is taken as U+FFFD. */
static uint32_t next_cp(const char **pp)
{
	const unsigned char *p = (const unsigned char *)*pp;
	uint32_t c = *p;
	if (!c)
		return 0;
	int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
	if (!len) {
		*pp += 1;
		return 0xFFFD;
	}
	if (len > 1) {
		c &= 0x3Fu >> (len - 1);
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80) {
				*pp += i;
				return 0xFFFD;
			}
			c = (c << 6) | (p[i] & 0x3F);
		}
	}
	*pp += len;
	return c;
}

static uint32_t fold_cp(uint32_t c)
{
	if (c == 0x3000)
		return ' ';
	if (c >= 0xFF01 && c <= 0xFF5E)
		c -= 0xFEE0;
	if (c >= 'A' && c <= 'Z')
		c += 32;
	return c;
}

/* Letters and digits of any script make words; punctuation, symbols and blanks part them. */
static bool word_cp(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
	if (c < 0xC0 || c == 0xD7 || c == 0xF7)
		return false;
	if (c >= 0x2000 && c <= 0x2BFF) /* punctuation, arrows, shapes, symbols */
		return false;
	if (c >= 0x3000 && c <= 0x303F) /* CJK symbols and punctuation 、。「」 */
		return false;
	if (c >= 0xFE10 && c <= 0xFE6F) /* vertical and compatibility forms, small forms */
		return false;
	if (c >= 0xFF00 && c <= 0xFFEF) /* what fold_cp left of the half- and full-width forms */
		return false;
	if (c >= 0xFFF0 && c <= 0xFFFF)
		return false;
	if (c >= 0x1F000) /* emoji and pictographs */
		return false;
	return true;
}

static size_t put_cp(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static void put_token(struct str *out, uint32_t a, uint32_t b)
{
	char buf[9];
	size_t n = put_cp(buf, a);
	if (b)
		n += put_cp(buf + n, b);
	if (out->len)
		str_putc(out, ' ');
	str_append(out, buf, n);
}

void appeal_grams(const char *text, struct str *out)
{
	uint32_t prev = 0;
	const char *p = text ? text : "";
	for (;;) {
		uint32_t c = next_cp(&p);
		c = c ? fold_cp(c) : 0;
		if (c && word_cp(c)) {
			if (prev)
				put_token(out, prev, c);
			prev = c;
			continue;
		}
		if (prev)
			put_token(out, prev, 0); /* the run's last character alone */
		prev = 0;
		if (!c)
			break;
	}
}

static void add_gram(struct str *match, struct str *grams, uint32_t a, uint32_t b)
{
	char buf[9];
	size_t n = put_cp(buf, a);
	n += put_cp(buf + n, b);
	if (match->len)
		str_puts(match, " AND ");
	str_putc(match, '"');
	str_append(match, buf, n);
	str_putc(match, '"');
	if (grams->len)
		str_putc(grams, ' ');
	str_append(grams, buf, n);
}

/*
 * Append the FTS5 and PostgreSQL pieces for one term; false when they do not fit. Each run of
 * letters and digits asks for its first and its last bigram only: every hit is checked on its
 * text afterwards, so fewer (and less common) lists to intersect find the same hits faster.
 */
static bool query_term(const char *term, struct str *match, struct str *grams)
{
	uint32_t first = 0, second = 0, before_last = 0, last = 0;
	int run = 0;
	const char *p = term;
	for (;;) {
		uint32_t c = next_cp(&p);
		c = c ? fold_cp(c) : 0;
		if (c && word_cp(c)) {
			if (run == 0)
				first = c;
			else if (run == 1)
				second = c;
			before_last = last;
			last = c;
			run++;
			continue;
		}
		if (run == 1) {
			/* a lone character: any token that starts with it */
			char buf[5];
			size_t n = put_cp(buf, last);
			if (match->len)
				str_puts(match, " AND ");
			str_putc(match, '"');
			str_append(match, buf, n);
			str_puts(match, "\"*");
		} else if (run >= 2) {
			add_gram(match, grams, first, second);
			if (run >= 3)
				add_gram(match, grams, before_last, last);
		}
		run = 0;
		last = before_last = 0;
		if (!c)
			break;
	}
	return str_ok(match) && str_ok(grams);
}

enum status appeal_query_parse(const char *q, struct appeal_query *out)
{
	memset(out, 0, sizeof(*out));
	if (!q)
		return ST_OK;
	struct str match, grams;
	str_init(&match, sizeof(out->match) - 1);
	str_init(&grams, sizeof(out->grams) - 1);
	enum status st = ST_OK;
	const char *p = q;
	while (*p && !st) {
		/* skip blanks (ASCII and the ideographic space) */
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		       strncmp(p, "\xe3\x80\x80", 3) == 0)
			p += *p == '\xe3' ? 3 : 1;
		if (!*p)
			break;
		const char *start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' &&
		       strncmp(p, "\xe3\x80\x80", 3) != 0)
			p++;
		size_t len = (size_t)(p - start);
		if (out->nterms == APPEAL_QUERY_TERMS || len >= APPEAL_TERM_BYTES) {
			st = ST_INVALID;
			break;
		}
		char *t = out->term[out->nterms++];
		/* the substring check is done on lower(text): fold ASCII letters only */
		for (size_t i = 0; i < len; i++)
			t[i] = start[i] >= 'A' && start[i] <= 'Z' ? (char)(start[i] + 32) : start[i];
		t[len] = '\0';
		if (!query_term(t, &match, &grams))
			st = ST_INVALID;
	}
	if (!st) {
		memcpy(out->match, match.p, match.len + 1);
		memcpy(out->grams, grams.p, grams.len + 1);
	} else {
		memset(out, 0, sizeof(*out));
	}
	str_release(&match);
	str_release(&grams);
	return st;
}

/* Shell sort with Ciura's gaps (extended): no calls per comparison, fine for a text's bigrams. */
static void sort_u64(uint64_t *v, size_t n)
{
	static const size_t gaps[] = {8013, 3548, 1577, 701, 301, 132, 57, 23, 10, 4, 1};
	for (size_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		size_t gap = gaps[g];
		for (size_t i = gap; i < n; i++) {
			uint64_t x = v[i];
			size_t j = i;
			for (; j >= gap && v[j - gap] > x; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
	}
}

/* The next bigram of the text at *p (folded; letters and digits only, the rest skipped), *prev
 * the character before it; false at the end. */
static bool next_bigram(const char **p, uint32_t *prev, uint64_t *out)
{
	for (;;) {
		uint32_t c = next_cp(p);
		if (!c)
			return false;
		c = fold_cp(c);
		if (!word_cp(c))
			continue;
		uint32_t was = *prev;
		*prev = c;
		if (was) {
			*out = ((uint64_t)was << 21) | c;
			return true;
		}
	}
}

uint64_t *appeal_bigrams(const char *s, size_t *n)
{
	s = s ? s : "";
	size_t cap = strlen(s) + 1, k = 0;
	uint64_t *v = malloc(cap * sizeof(*v));
	*n = 0;
	if (!v)
		return NULL;
	uint32_t prev = 0;
	const char *p = s;
	while (k < cap && next_bigram(&p, &prev, &v[k]))
		k++;
	sort_u64(v, k);
	size_t m = 0;
	for (size_t i = 0; i < k; i++)
		if (!m || v[m - 1] != v[i])
			v[m++] = v[i];
	*n = m;
	return v;
}

double appeal_dice(const uint64_t *x, size_t nx, const uint64_t *y, size_t ny)
{
	if (!x || !y || nx + ny == 0)
		return 0.0;
	size_t i = 0, j = 0, common = 0;
	while (i < nx && j < ny) {
		if (x[i] == y[j])
			common++, i++, j++;
		else if (x[i] < y[j])
			i++;
		else
			j++;
	}
	return 2.0 * (double)common / (double)(nx + ny);
}

/* A bigram's bit among 2^bits. */
static unsigned sig_bit(uint64_t bigram, unsigned bits)
{
	return (unsigned)((bigram * 0xC2B2AE3D27D4EB4Fu) >> (64 - bits));
}

static void sig_set(uint64_t *f, unsigned bits, const uint64_t *bigrams, size_t n)
{
	memset(f, 0, ((size_t)1 << (bits - 6)) * sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		unsigned b = sig_bit(bigrams[i], bits);
		f[b / 64] |= (uint64_t)1 << (b % 64);
	}
}

void appeal_sig_make(const uint64_t *title, size_t nt, const uint64_t *content, size_t nc,
		     struct appeal_sig *s)
{
	s->nt = nt > UINT32_MAX ? UINT32_MAX : (uint32_t)nt;
	s->nc = nc > UINT32_MAX ? UINT32_MAX : (uint32_t)nc;
	sig_set(s->title, APPEAL_SIG_TITLE_BITS, title, nt);
	sig_set(s->content, APPEAL_SIG_CONTENT_BITS, content, nc);
}

/* The bound for one text: h, x's bigrams whose bit is set, is at least c, the bigrams the two
 * share, and so is the other's count ny; Dice = 2c/(nx + ny) <= 2 min(h, ny)/(nx + ny). */
static double sig_text_bound(const uint64_t *f, unsigned bits, uint32_t ny, const uint64_t *x,
			     size_t nx)
{
	size_t h = 0;
	for (size_t i = 0; i < nx && h < ny; i++) {
		unsigned b = sig_bit(x[i], bits);
		h += (f[b / 64] >> (b % 64)) & 1;
	}
	return nx + ny ? 2.0 * (double)(h < ny ? h : ny) / (double)(nx + ny) : 0.0;
}

double appeal_sig_bound(const struct appeal_sig *s, const uint64_t *title, size_t nt,
			const uint64_t *content, size_t nc)
{
	double t = sig_text_bound(s->title, APPEAL_SIG_TITLE_BITS, s->nt, title, nt);
	double c = sig_text_bound(s->content, APPEAL_SIG_CONTENT_BITS, s->nc, content, nc);
	return t > c ? t : c;
}

double appeal_similarity(const char *a, const char *b)
{
	size_t na, nb;
	uint64_t *x = appeal_bigrams(a, &na), *y = appeal_bigrams(b, &nb);
	double r = appeal_dice(x, na, y, nb);
	free(x);
	free(y);
	return r;
}

/* ---- attachments ---------------------------------------------------------------------------- */

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}
static uint32_t le32(const unsigned char *p)
{
	return le16(p) | (le16(p + 2) << 16);
}

/* An Office Open XML package: a zip whose central directory names [Content_Types].xml and
 * the part folder of Word, Excel or PowerPoint. */
static enum appeal_file_kind sniff_zip(const unsigned char *p, size_t n)
{
	if (n < 22)
		return AF_UNKNOWN;
	/* the end-of-central-directory record: within the last 64 KB + 22 bytes */
	size_t lo = n > 65557 ? n - 65557 : 0, eocd = (size_t)-1;
	for (size_t i = n - 22 + 1; i-- > lo;)
		if (p[i] == 'P' && p[i + 1] == 'K' && p[i + 2] == 5 && p[i + 3] == 6) {
			eocd = i;
			break;
		}
	if (eocd == (size_t)-1)
		return AF_UNKNOWN;
	uint32_t entries = le16(p + eocd + 10), cd_size = le32(p + eocd + 12),
		 cd_off = le32(p + eocd + 16);
	if ((uint64_t)cd_off + cd_size > eocd || entries > 100000)
		return AF_UNKNOWN;
	bool types = false, word = false, xl = false, ppt = false;
	size_t off = cd_off;
	for (uint32_t e = 0; e < entries; e++) {
		if (off + 46 > eocd || le32(p + off) != 0x02014b50)
			return AF_UNKNOWN;
		size_t nlen = le16(p + off + 28), xlen = le16(p + off + 30), clen = le16(p + off + 32);
		const char *name = (const char *)p + off + 46;
		if (off + 46 + nlen > eocd)
			return AF_UNKNOWN;
		if (nlen == 19 && memcmp(name, "[Content_Types].xml", 19) == 0)
			types = true;
		else if (nlen > 5 && memcmp(name, "word/", 5) == 0)
			word = true;
		else if (nlen > 3 && memcmp(name, "xl/", 3) == 0)
			xl = true;
		else if (nlen > 4 && memcmp(name, "ppt/", 4) == 0)
			ppt = true;
		off += 46 + nlen + xlen + clen;
	}
	if (!types || word + xl + ppt != 1)
		return AF_UNKNOWN;
	return word ? AF_DOCX : xl ? AF_XLSX : AF_PPTX;
}

enum appeal_file_kind appeal_file_sniff(const unsigned char *p, size_t n)
{
	if (n >= 4 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return AF_JPEG;
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return AF_PNG;
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return AF_GIF;
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return AF_WEBP;
	if (n >= 26 && p[0] == 'B' && p[1] == 'M' && le32(p + 2) == n)
		return AF_BMP;
	if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return AF_PDF;
	if (n >= 512 && memcmp(p, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
		return AF_OLE;
	if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
		return sniff_zip(p, n);
	return AF_UNKNOWN;
}

enum appeal_file_kind appeal_file_claimed(const char *name)
{
	static const struct {
		const char *ext;
		enum appeal_file_kind kind;
	} exts[] = {
		{"jpg", AF_JPEG}, {"jpeg", AF_JPEG}, {"png", AF_PNG},   {"gif", AF_GIF},
		{"webp", AF_WEBP}, {"bmp", AF_BMP},  {"pdf", AF_PDF},   {"docx", AF_DOCX},
		{"xlsx", AF_XLSX}, {"pptx", AF_PPTX}, {"doc", AF_OLE},  {"xls", AF_OLE},
		{"ppt", AF_OLE},   {"wps", AF_OLE},  {"et", AF_OLE},    {"dps", AF_OLE},
	};
	const char *dot = name ? strrchr(name, '.') : NULL;
	if (!dot || !dot[1] || strlen(dot + 1) > 8)
		return AF_UNKNOWN;
	char ext[10];
	size_t i = 0;
	for (const char *p = dot + 1; *p && i < sizeof(ext) - 1; p++)
		ext[i++] = *p >= 'A' && *p <= 'Z' ? (char)(*p + 32) : *p;
	ext[i] = '\0';
	for (size_t k = 0; k < sizeof(exts) / sizeof(exts[0]); k++)
		if (strcmp(ext, exts[k].ext) == 0)
			return exts[k].kind;
	return AF_UNKNOWN;
}

const char *appeal_file_mime(enum appeal_file_kind k)
{
	switch (k) {
	case AF_JPEG: return "image/jpeg";
	case AF_PNG: return "image/png";
	case AF_GIF: return "image/gif";
	case AF_WEBP: return "image/webp";
	case AF_BMP: return "image/bmp";
	case AF_PDF: return "application/pdf";
	case AF_DOCX: return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
	case AF_XLSX: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	case AF_PPTX: return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
	case AF_OLE: return "application/x-ole-storage";
	default: return "application/octet-stream";
	}
}

void appeal_file_name_clean(const char *name, char *out, size_t outsize)
{
	if (!outsize)
		return;
	out[0] = '\0';
	if (!name)
		return;
	const char *base = name;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	size_t n = 0, chars = 0;
	const char *p = base;
	while (*p && chars < 100) {
		const char *start = p;
		uint32_t c = next_cp(&p);
		if (c < 0x20 || c == 0x7F || c == '"' || c == 0xFFFD || (c >= 0x80 && c < 0xA0))
			continue;
		size_t len = (size_t)(p - start);
		if (n + len + 1 > outsize)
			break;
		memcpy(out + n, start, len);
		n += len;
		chars++;
	}
	out[n] = '\0';
	/* no name of only dots */
	if (strspn(out, ". ") == n)
		out[0] = '\0';
}

/* ---- time limits ------------------------------------------------------------------------- */

static const struct appeal_limit *limit_pick(const struct appeal_limit *rows, size_t n,
					     int64_t category, int64_t root, const char *urgency)
{
	const struct appeal_limit *best = NULL;
	int best_rank = 3; /* 0 the category's own, 1 its top level's, 2 every category's */
	if (!urgency)
		urgency = "normal";
	for (size_t i = 0; i < n; i++) {
		const struct appeal_limit *l = &rows[i];
		int rank = l->category == category ? 0 : l->category == root ? 1 : 2;
		if (rank == 2 && l->category != 0)
			continue;
		if (rank < best_rank && strcmp(l->urgency, urgency) == 0) {
			best = l;
			best_rank = rank;
		}
	}
	return best;
}

void appeal_limit_spans(const struct appeal_limit *rows, size_t n, int64_t category, int64_t root,
			const char *urgency, int spans[5])
{
	static const int common[4] = { 1, 1, 3, 7 };
	const struct appeal_limit *l = limit_pick(rows, n, category, root, urgency);
	memcpy(spans, l ? l->days : common, sizeof(common));
	spans[4] = 0;
}

/* ---- numbers and colours ------------------------------------------------------------------ */

/* x in width digits, zeros in front (x fits); the end of what was written */
static char *put_digits(char *p, int64_t x, int width)
{
	for (int j = width - 1; j >= 0; j--, x /= 10)
		p[j] = (char)('0' + x % 10);
	return p + width;
}

void appeal_number(int64_t created_at, int64_t id, char *out, size_t outsize)
{
	struct date d = {1970, 1, 1};
	date_ts_local_date(created_at, &d);
	/* written by hand for the usual case (every row of every list has one): snprintf was a
	 * tenth of writing a row */
	if (outsize >= 18 && d.year >= 1000 && d.year <= 9999 && id >= 0 && id <= 999999) {
		char *p = out;
		*p++ = 'S';
		*p++ = 'Q';
		p = put_digits(p, d.year, 4);
		p = put_digits(p, d.month, 2);
		p = put_digits(p, d.day, 2);
		*p++ = '-';
		p = put_digits(p, id, 6);
		*p = '\0';
		return;
	}
	snprintf(out, outsize, "SQ%04d%02d%02d-%06lld", d.year, d.month, d.day, (long long)id);
}

int64_t appeal_number_id(const char *s)
{
	if (!s || (s[0] != 'S' && s[0] != 's') || (s[1] != 'Q' && s[1] != 'q'))
		return 0;
	if (strlen(s) < 12 || strspn(s + 2, "0123456789") != 8 || s[10] != '-')
		return 0;
	int64_t id;
	return str_to_i64(s + 11, 1, INT64_MAX, &id) ? id : 0;
}

enum appeal_colour appeal_colour(const char *due, const char *today, const char *yellow_until,
				 bool paused)
{
	if (paused)
		return AC_PAUSED;
	if (!due || !*due)
		return AC_NONE;
	if (strcmp(due, today) < 0)
		return AC_RED;
	if (yellow_until && strcmp(due, yellow_until) <= 0)
		return AC_YELLOW;
	return AC_GREEN;
}
