/* test_appeals_rules.c: the appeal lifecycle over every state × every action × every set of
 * capacities (and every value of the facts that guard an action), the counters and their
 * diffs, the bigram search text, near-duplicates, attachment sniffing, numbers and colours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "modules/appeals/appeals.h"

/* ---- the machine, written out here apart from appeals_rules.c --------------------------- */

#define ENT CAP_ENTERPRISE
#define FIL CAP_FILER
#define DSP CAP_DISPATCHER
#define LEA CAP_LEAD
#define COU CAP_CO
#define SUP CAP_SUPERVISOR
#define LDR CAP_LEADER
#define SYS CAP_SYSTEM

/* One allowed move: in state, action by any of caps gives next ("=" stays). Guards and the
 * moves that depend on the input are checked separately below. */
static const struct move {
	const char *state, *action;
	unsigned caps;
	const char *next;
} moves[] = {
	{"submitted", "accept", DSP, "accepted"},
	{"submitted", "reject", DSP, "rejected"},
	{"submitted", "supplement", ENT | FIL, "="},
	{"submitted", "withdraw", ENT | FIL, "withdrawn"},

	{"accepted", "assign", DSP, "assigned"},
	{"accepted", "supplement", ENT | FIL, "="},
	{"accepted", "withdraw", ENT | FIL, "withdrawn"},

	{"assigned", "assign", DSP, "assigned"},
	{"assigned", "return", LEA, "returned"},
	{"assigned", "start", LEA, "in_progress"},
	{"assigned", "co_opinion", COU, "="},
	{"assigned", "supplement", ENT | FIL, "="},
	{"assigned", "withdraw", ENT | FIL, "withdrawn"},

	{"in_progress", "return", LEA, "returned"},
	{"in_progress", "contact", LEA, "="},
	{"in_progress", "interim_reply", LEA, "="},
	{"in_progress", "reply", LEA, "replied"}, /* pending_approval when 暂不具备条件 */
	{"in_progress", "co_opinion", COU, "="},
	{"in_progress", "suspend", LEA, "suspended"},
	{"in_progress", "supplement", ENT | FIL, "="},
	{"in_progress", "withdraw", ENT | FIL, "withdrawn"},
	{"in_progress", "request_extension", LEA, "="},

	{"suspended", "interim_reply", LEA, "="},
	{"suspended", "co_opinion", COU, "="},
	{"suspended", "resume", LEA | SYS, "in_progress"},
	{"suspended", "supplement", ENT | FIL, "in_progress"},
	{"suspended", "withdraw", ENT | FIL, "withdrawn"},
	{"suspended", "request_extension", LEA, "="},

	{"returned", "assign", DSP, "assigned"},
	{"returned", "supplement", ENT | FIL, "="},
	{"returned", "withdraw", ENT | FIL, "withdrawn"},

	{"pending_approval", "approve_close", SUP, "replied"},
	{"pending_approval", "deny_close", SUP, "in_progress"},

	{"replied", "evaluate", ENT, "closed"}, /* reopened on the first 不满意 */
	{"replied", "close", SYS, "closed"},

	{"reopened", "return", LEA, "returned"},
	{"reopened", "start", LEA, "in_progress"},
	{"reopened", "co_opinion", COU, "="},
	{"reopened", "supplement", ENT | FIL, "="},
	{"reopened", "withdraw", ENT | FIL, "withdrawn"},

	{"closed", "reopen", SUP, "reopened"},
};

/* Allowed in every state that is not final. */
static const struct {
	const char *action;
	unsigned caps;
} everywhere_open[] = {
	{"approve_extension", LDR},
	{"deny_extension", LDR},
	{"supervise", SUP | LDR},
	{"answer_supervision", LEA | DSP},
	{"escalate", SUP | LDR | SYS},
};

static int idx(const char *const *codes, const char *code)
{
	int i = appeal_code_index(codes, code);
	if (i < 0)
		fail_msg("unknown code %s", code);
	return i;
}

static bool final_state(int s)
{
	return s == AS_CLOSED || s == AS_REJECTED || s == AS_WITHDRAWN;
}

/* The expected verdict and next state. */
static enum appeal_verdict expect(const struct appeal_facts *f, int a, unsigned caps, int arg,
				  int *next)
{
	const char *state = appeal_state_codes[f->state], *action = appeal_action_codes[a];
	unsigned need = 0;
	const char *to = NULL;
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		if (strcmp(moves[i].state, state) == 0 && strcmp(moves[i].action, action) == 0) {
			need = moves[i].caps;
			to = moves[i].next;
		}
	if (!to && !final_state(f->state))
		for (size_t i = 0; i < sizeof(everywhere_open) / sizeof(everywhere_open[0]); i++)
			if (strcmp(everywhere_open[i].action, action) == 0) {
				need = everywhere_open[i].caps;
				to = "=";
			}
	if (!to)
		return AV_WRONG_STATE;
	if (!(need & caps))
		return AV_NOT_YOURS;
	*next = strcmp(to, "=") == 0 ? (int)f->state : idx(appeal_state_codes, to);
	if (strcmp(action, "request_extension") == 0 && (f->extended || f->extension_pending))
		return AV_NOT_NOW;
	if ((strcmp(action, "approve_extension") == 0 || strcmp(action, "deny_extension") == 0) &&
	    !f->extension_pending)
		return AV_NOT_NOW;
	if (strcmp(action, "answer_supervision") == 0 && f->supervision_open <= 0)
		return AV_NOT_NOW;
	if (strcmp(action, "reply") == 0) {
		if (arg != AO_SOLVED && arg != AO_EXPLAINED && arg != AO_NOT_YET)
			return AV_NOT_NOW;
		if (arg == AO_NOT_YET)
			*next = AS_PENDING_APPROVAL;
	}
	if (strcmp(action, "evaluate") == 0) {
		if (arg != AR_SATISFIED && arg != AR_BASIC && arg != AR_UNSATISFIED)
			return AV_NOT_NOW;
		if (arg == AR_UNSATISFIED && f->reopen_count == 0)
			*next = AS_REOPENED;
	}
	return AV_OK;
}

static void tables(void **state)
{
	(void)state;
	assert_int_equal(AS__COUNT, 12);
	assert_int_equal(AA__COUNT, 24);
	for (int i = 0; i < AS__COUNT; i++)
		assert_non_null(appeal_state_names[i]);
	assert_null(appeal_state_codes[AS__COUNT]);
	assert_null(appeal_state_names[AS__COUNT]);
	for (int i = 0; i < AA__COUNT; i++)
		assert_non_null(appeal_action_names[i]);
	assert_null(appeal_action_codes[AA__COUNT]);
	assert_null(appeal_action_names[AA__COUNT]);
	assert_null(appeal_metric_codes[AM__COUNT]);
	assert_null(appeal_rate_codes[RATE__COUNT]);
	assert_null(appeal_outcome_codes[AO__COUNT]);
	assert_null(appeal_rating_codes[AR__COUNT]);
	assert_int_equal(appeal_code_index(appeal_action_codes, "interim_reply"), AA_INTERIM_REPLY);
	assert_int_equal(appeal_code_index(appeal_action_codes, "nope"), -1);
	assert_int_equal(appeal_code_index(appeal_action_codes, NULL), -1);
	/* every move of the table names a real state, action and next state */
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		idx(appeal_state_codes, moves[i].state);
		idx(appeal_action_codes, moves[i].action);
		if (strcmp(moves[i].next, "=") != 0)
			idx(appeal_state_codes, moves[i].next);
	}
}

/* Every state × action × set of capacities × facts × input. */
static void every_state_action_capacity(void **state)
{
	(void)state;
	long checked = 0, ok = 0;
	for (int s = 0; s < AS__COUNT; s++)
		for (int bits = 0; bits < 16; bits++)
			for (int reopens = 0; reopens <= 2; reopens++) {
				struct appeal_facts f = {
					.state = (enum appeal_state)s,
					.reopen_count = reopens,
					.extended = bits & 1,
					.extension_pending = (bits >> 1) & 1,
					.supervision_open = (bits >> 2) & 1 ? ((bits >> 3) & 1) + 1 : 0,
				};
				for (int a = 0; a < AA__COUNT; a++) {
					int args = a == AA_REPLY ? AO__COUNT + 1
						   : a == AA_EVALUATE ? AR__COUNT + 1
								      : 1;
					for (unsigned caps = 0; caps <= CAP__ALL; caps++)
						for (int arg = 0; arg < args; arg++) {
							int want_next = -1;
							enum appeal_verdict want =
								expect(&f, a, caps, arg, &want_next);
							enum appeal_state next = (enum appeal_state)99;
							enum appeal_verdict got = appeal_next(
								&f, (enum appeal_action)a, caps, arg,
								&next);
							if (got != want)
								fail_msg("%s × %s × caps %#x (arg %d, "
									 "reopens %d, bits %d): verdict %d, "
									 "want %d",
									 appeal_state_codes[s],
									 appeal_action_codes[a], caps, arg,
									 reopens, bits, got, want);
							if (got == AV_OK && (int)next != want_next)
								fail_msg("%s × %s × caps %#x (arg %d): "
									 "next %s, want %s",
									 appeal_state_codes[s],
									 appeal_action_codes[a], caps, arg,
									 appeal_state_codes[next],
									 appeal_state_codes[want_next]);
							if (got != AV_OK && next != (enum appeal_state)99)
								fail_msg("a refusal wrote next");
							checked++;
							ok += got == AV_OK;
						}
				}
				/* allowed() is the set of actions next() allows (with a valid input) */
				for (unsigned caps = 0; caps <= CAP__ALL; caps++) {
					uint32_t set = appeal_allowed(&f, caps), want = 0;
					for (int a = 0; a < AA__COUNT; a++) {
						int n, arg = a == AA_REPLY	? AO_SOLVED
							     : a == AA_EVALUATE ? AR_SATISFIED
										: 0;
						if (expect(&f, a, caps, arg, &n) == AV_OK)
							want |= 1u << a;
					}
					if (set != want)
						fail_msg("allowed(%s, caps %#x) = %#x, want %#x",
							 appeal_state_codes[s], caps, set, want);
					/* no capacity: nothing; final states allow only reopen */
					if (!caps)
						assert_int_equal(set, 0);
					if (s == AS_REJECTED || s == AS_WITHDRAWN)
						assert_int_equal(set, 0);
					if (s == AS_CLOSED)
						assert_true((set & ~(1u << AA_REOPEN)) == 0);
				}
			}
	assert_true(checked > 1000000);
	assert_true(ok > 10000);
	/* out-of-range input is refused, never read past the tables */
	struct appeal_facts f = {.state = AS_SUBMITTED};
	enum appeal_state next;
	assert_int_equal(appeal_next(&f, AA__COUNT, CAP__ALL, 0, &next), AV_WRONG_STATE);
	assert_int_equal(appeal_next(&f, (enum appeal_action)-1, CAP__ALL, 0, &next),
			 AV_WRONG_STATE);
	f.state = AS__COUNT;
	assert_int_equal(appeal_next(&f, AA_ACCEPT, CAP__ALL, 0, &next), AV_WRONG_STATE);
	assert_int_equal(appeal_allowed(&f, CAP__ALL), 0);
}

/* The paths people take, step by step. */
static void lifecycle_paths(void **state)
{
	(void)state;
	struct appeal_facts f = {.state = AS_SUBMITTED};
	enum appeal_state n;
	static const struct {
		int action, caps, arg, next;
	} path[] = {
		{AA_ACCEPT, DSP, 0, AS_ACCEPTED},
		{AA_ASSIGN, DSP, 0, AS_ASSIGNED},
		{AA_RETURN, LEA, 0, AS_RETURNED}, /* first-receiver: back to the dispatcher */
		{AA_ASSIGN, DSP, 0, AS_ASSIGNED},
		{AA_START, LEA, 0, AS_IN_PROGRESS},
		{AA_CONTACT, LEA, 0, AS_IN_PROGRESS},
		{AA_SUSPEND, LEA, 0, AS_SUSPENDED},
		{AA_SUPPLEMENT, ENT, 0, AS_IN_PROGRESS},
		{AA_INTERIM_REPLY, LEA, 0, AS_IN_PROGRESS},
		{AA_REPLY, LEA, AO_NOT_YET, AS_PENDING_APPROVAL},
		{AA_DENY_CLOSE, SUP, 0, AS_IN_PROGRESS},
		{AA_REPLY, LEA, AO_SOLVED, AS_REPLIED},
		{AA_EVALUATE, ENT, AR_UNSATISFIED, AS_REOPENED},
		{AA_START, LEA, 0, AS_IN_PROGRESS},
		{AA_REPLY, LEA, AO_EXPLAINED, AS_REPLIED},
		{AA_EVALUATE, ENT, AR_UNSATISFIED, AS_CLOSED}, /* the second 不满意 closes */
		{AA_REOPEN, SUP, 0, AS_REOPENED},              /* only a supervisor reopens again */
	};
	for (size_t i = 0; i < sizeof(path) / sizeof(path[0]); i++) {
		assert_int_equal(appeal_next(&f, (enum appeal_action)path[i].action,
					     (unsigned)path[i].caps, path[i].arg, &n),
				 AV_OK);
		assert_int_equal(n, path[i].next);
		if (path[i].next == AS_REOPENED)
			f.reopen_count++;
		f.state = n;
	}
	/* the enterprise cannot reopen a closed appeal itself */
	f.state = AS_CLOSED;
	assert_int_equal(appeal_next(&f, AA_REOPEN, ENT, 0, &n), AV_NOT_YOURS);
	assert_int_equal(appeal_next(&f, AA_EVALUATE, ENT, AR_SATISFIED, &n), AV_WRONG_STATE);
	/* the extension: once, and only with a leader */
	f = (struct appeal_facts){.state = AS_IN_PROGRESS};
	assert_int_equal(appeal_next(&f, AA_REQUEST_EXTENSION, LEA, 0, &n), AV_OK);
	f.extension_pending = true;
	assert_int_equal(appeal_next(&f, AA_REQUEST_EXTENSION, LEA, 0, &n), AV_NOT_NOW);
	assert_int_equal(appeal_next(&f, AA_APPROVE_EXTENSION, SUP, 0, &n), AV_NOT_YOURS);
	assert_int_equal(appeal_next(&f, AA_APPROVE_EXTENSION, LDR, 0, &n), AV_OK);
	f.extension_pending = false;
	f.extended = true;
	assert_int_equal(appeal_next(&f, AA_REQUEST_EXTENSION, LEA, 0, &n), AV_NOT_NOW);
	/* a co-unit gives its opinion but never answers for the lead unit */
	assert_int_equal(appeal_next(&f, AA_REPLY, COU, AO_SOLVED, &n), AV_NOT_YOURS);
	assert_int_equal(appeal_next(&f, AA_CO_OPINION, COU, 0, &n), AV_OK);
	/* the public timeline */
	assert_true(appeal_action_public(AA_REPLY));
	assert_true(appeal_action_public(AA_REJECT));
	assert_false(appeal_action_public(AA_RETURN));
	assert_false(appeal_action_public(AA_SUPERVISE));
	assert_false(appeal_action_public(AA__COUNT));
	assert_true(appeal_state_final(AS_WITHDRAWN));
	assert_false(appeal_state_final(AS_REPLIED));
	assert_false(appeal_state_final(AS__COUNT));
}

/* ---- counters ----------------------------------------------------------------------------- */

static void metrics(void **state)
{
	(void)state;
	int64_t v[AM__COUNT];
	struct appeal_stat_in in = {.state = AS_SUBMITTED};
	appeal_metrics(&in, v);
	assert_int_equal(v[AM_RECEIVED], 1);
	assert_int_equal(v[AM_OPEN], 1);
	assert_int_equal(v[AM_CLOSED] + v[AM_ACCEPTED] + v[AM_RATED], 0);
	in = (struct appeal_stat_in){.state = AS_CLOSED, .outcome = AO_SOLVED,
				     .rating = AR_UNRATED, .accepted = true, .replied = true,
				     .on_time = true, .close_workdays = 6, .return_count = 2};
	appeal_metrics(&in, v);
	assert_int_equal(v[AM_CLOSED], 1);
	assert_int_equal(v[AM_SOLVED], 1);
	assert_int_equal(v[AM_ON_TIME], 1);
	assert_int_equal(v[AM_RATED], 0); /* 未评价 is counted neither way */
	assert_int_equal(v[AM_SATISFIED], 0);
	assert_int_equal(v[AM_RETURNED], 1);
	assert_int_equal(v[AM_RETURNS], 2);
	assert_int_equal(v[AM_CLOSE_DAYS], 6);
	assert_int_equal(v[AM_OPEN], 0);
	in.rating = AR_BASIC;
	in.outcome = AO_EXPLAINED;
	appeal_metrics(&in, v);
	assert_int_equal(v[AM_RATED], 1);
	assert_int_equal(v[AM_SATISFIED], 1);
	assert_int_equal(v[AM_SOLVED], 0); /* closed and explained is not solved */
	in.rating = AR_UNSATISFIED;
	appeal_metrics(&in, v);
	assert_int_equal(v[AM_SATISFIED], 0);
	/* a replied appeal rated 不满意 and reopened is not closed, so not rated */
	in.state = AS_REOPENED;
	in.reopen_count = 1;
	appeal_metrics(&in, v);
	assert_int_equal(v[AM_RATED] + v[AM_CLOSED] + v[AM_CLOSE_DAYS], 0);
	assert_int_equal(v[AM_REOPENED], 1);

	int64_t s[AM__COUNT] = {0};
	assert_true(appeal_rate(s, RATE_CLOSE) < 0);
	s[AM_ACCEPTED] = 4;
	s[AM_CLOSED] = 3;
	s[AM_SOLVED] = 1;
	assert_true(appeal_rate(s, RATE_CLOSE) == 0.75);
	assert_true(appeal_rate(s, RATE_SOLVE) * 3 == 1.0);
	assert_true(appeal_rate(s, RATE_SATISFIED) < 0);
}

static int64_t sum_cells(const struct appeal_stat_cell *c, size_t n, int kind, int64_t id,
			 int dim, int64_t value, int metric)
{
	int64_t s = 0;
	for (size_t i = 0; i < n; i++)
		if (c[i].kind == kind && c[i].scope_id == id && c[i].dim == dim &&
		    (value < 0 || c[i].value == value))
			s += c[i].v[metric];
	return s;
}

static void stat_diff(void **state)
{
	(void)state;
	static struct appeal_stat_cell cells[APPEAL_MAX_CELLS];
	int64_t v0[AM__COUNT], v1[AM__COUNT];
	struct appeal_stat_in in = {.state = AS_SUBMITTED};
	appeal_metrics(&in, v0);
	/* filed: home org /1/2/10/ (a county bureau), no lead unit */
	struct appeal_ties t0 = {.enterprise_id = 7, .month = 202611, .region = 230202,
				 .category = 3, .norgs = 1, .org_id = {10},
				 .org_path = {"/1/2/10/"}};
	size_t n = appeal_stat_diff(NULL, NULL, &t0, v0, cells, APPEAL_MAX_CELLS);
	/* keys: all, enterprise 7, org 10, subtree 1, 2, 10 — each in three dimensions */
	assert_int_equal(n, 6 * 3);
	assert_int_equal(sum_cells(cells, n, SK_ALL, 0, SD_UNIT, 0, AM_RECEIVED), 1);
	assert_int_equal(sum_cells(cells, n, SK_SUBTREE, 2, SD_REGION, 230202, AM_OPEN), 1);
	assert_int_equal(sum_cells(cells, n, SK_ORG, 10, SD_CATEGORY, 3, AM_RECEIVED), 1);
	assert_int_equal(sum_cells(cells, n, SK_ORG, 2, SD_CATEGORY, -1, AM_RECEIVED), 0);
	/* nothing changed: no cell */
	assert_int_equal(appeal_stat_diff(&t0, v0, &t0, v0, cells, APPEAL_MAX_CELLS), 0);
	/* assigned to a city section /1/2/5/ with a co-unit /1/2/11/: the unit cells move, the
	 * new keys (org 5, org 11, subtree 5, subtree 11) get the appeal */
	in.state = AS_ASSIGNED;
	in.accepted = true;
	appeal_metrics(&in, v1);
	struct appeal_ties t1 = t0;
	t1.lead_org_id = 5;
	t1.norgs = 3;
	t1.org_id[1] = 5;
	t1.org_path[1] = "/1/2/5/";
	t1.org_id[2] = 11;
	t1.org_path[2] = "/1/2/11/";
	n = appeal_stat_diff(&t0, v0, &t1, v1, cells, APPEAL_MAX_CELLS);
	assert_true(n != (size_t)-1);
	/* in the unit dimension of an old key: -1 at unit 0, +1 at unit 5 */
	assert_int_equal(sum_cells(cells, n, SK_ALL, 0, SD_UNIT, 0, AM_RECEIVED), -1);
	assert_int_equal(sum_cells(cells, n, SK_ALL, 0, SD_UNIT, 5, AM_RECEIVED), 1);
	assert_int_equal(sum_cells(cells, n, SK_ALL, 0, SD_UNIT, 5, AM_ACCEPTED), 1);
	/* in the region dimension of an old key: only the accepted count moves */
	assert_int_equal(sum_cells(cells, n, SK_ALL, 0, SD_REGION, 230202, AM_RECEIVED), 0);
	assert_int_equal(sum_cells(cells, n, SK_ALL, 0, SD_REGION, 230202, AM_ACCEPTED), 1);
	/* new keys get the whole appeal */
	assert_int_equal(sum_cells(cells, n, SK_ORG, 11, SD_REGION, 230202, AM_RECEIVED), 1);
	assert_int_equal(sum_cells(cells, n, SK_SUBTREE, 5, SD_CATEGORY, 3, AM_ACCEPTED), 1);
	/* the subtree of the city counts it once, however many of its orgs are tied to it */
	assert_int_equal(sum_cells(cells, n, SK_SUBTREE, 2, SD_REGION, -1, AM_RECEIVED), 0);
	/* reassigned away from the co-unit: its keys lose the appeal */
	struct appeal_ties t2 = t1;
	t2.norgs = 2;
	n = appeal_stat_diff(&t1, v1, &t2, v1, cells, APPEAL_MAX_CELLS);
	assert_int_equal(n, 2 * 3);
	assert_int_equal(sum_cells(cells, n, SK_ORG, 11, SD_UNIT, 5, AM_RECEIVED), -1);
	assert_int_equal(sum_cells(cells, n, SK_SUBTREE, 11, SD_REGION, 230202, AM_ACCEPTED), -1);
	/* the same org twice (lead unit = home org) is one key */
	struct appeal_ties t3 = t0;
	t3.norgs = 2;
	t3.lead_org_id = 10;
	t3.org_id[1] = 10;
	t3.org_path[1] = "/1/2/10/";
	assert_int_equal(appeal_stat_diff(NULL, NULL, &t3, v0, cells, APPEAL_MAX_CELLS), 18);
	/* malformed paths and a short buffer are refused */
	t3.org_path[1] = "/1/x/";
	assert_int_equal(appeal_stat_diff(NULL, NULL, &t3, v0, cells, APPEAL_MAX_CELLS), (size_t)-1);
	t3.org_path[1] = "1/2/";
	assert_int_equal(appeal_stat_diff(NULL, NULL, &t3, v0, cells, APPEAL_MAX_CELLS), (size_t)-1);
	t3.org_path[1] = NULL;
	assert_int_equal(appeal_stat_diff(NULL, NULL, &t3, v0, cells, APPEAL_MAX_CELLS), (size_t)-1);
	assert_int_equal(appeal_stat_diff(NULL, NULL, &t0, v0, cells, 5), (size_t)-1);
	t3 = t0;
	t3.norgs = APPEAL_MAX_TIES + 1;
	assert_int_equal(appeal_stat_diff(NULL, NULL, &t3, v0, cells, APPEAL_MAX_CELLS), (size_t)-1);
}

/* A batch's counters summed: each key once, its values the sum of every filing's cells, and
 * the sum equal to the cells taken one filing at a time. */
static void stat_sum(void **state)
{
	(void)state;
	static struct appeal_stat_cell one[APPEAL_MAX_CELLS], two[APPEAL_MAX_CELLS];
	int64_t v0[AM__COUNT];
	struct appeal_stat_in in = {.state = AS_SUBMITTED};
	appeal_metrics(&in, v0);
	struct appeal_ties t0 = {.enterprise_id = 7, .month = 202611, .region = 230202,
				 .category = 3, .norgs = 1, .org_id = {10},
				 .org_path = {"/1/2/10/"}};
	struct appeal_ties t1 = t0; /* another enterprise of another region, same org */
	t1.enterprise_id = 8;
	t1.region = 230203;
	size_t n0 = appeal_stat_diff(NULL, NULL, &t0, v0, one, APPEAL_MAX_CELLS);
	size_t n1 = appeal_stat_diff(NULL, NULL, &t1, v0, two, APPEAL_MAX_CELLS);
	struct appeal_stat_acc acc = {0};
	assert_true(appeal_stat_sum(&acc, one, n0));
	assert_int_equal(acc.n, n0);
	assert_true(appeal_stat_sum(&acc, one, n0)); /* the same filing again: no new key */
	assert_int_equal(acc.n, n0);
	assert_true(appeal_stat_sum(&acc, two, n1));
	/* new keys: enterprise 8 (3 dims), and region 230203 under the 5 other keys */
	assert_int_equal(acc.n, n0 + 3 + 5);
	assert_int_equal(sum_cells(acc.cells, acc.n, SK_ALL, 0, SD_UNIT, 0, AM_RECEIVED), 3);
	assert_int_equal(sum_cells(acc.cells, acc.n, SK_ORG, 10, SD_REGION, 230202, AM_RECEIVED), 2);
	assert_int_equal(sum_cells(acc.cells, acc.n, SK_ORG, 10, SD_REGION, 230203, AM_RECEIVED), 1);
	assert_int_equal(sum_cells(acc.cells, acc.n, SK_ENTERPRISE, 8, SD_CATEGORY, 3, AM_OPEN), 1);
	for (int m = 0; m < AM__COUNT; m++)
		assert_int_equal(sum_cells(acc.cells, acc.n, SK_SUBTREE, 2, SD_CATEGORY, 3, m),
				 2 * sum_cells(one, n0, SK_SUBTREE, 2, SD_CATEGORY, 3, m) +
					 sum_cells(two, n1, SK_SUBTREE, 2, SD_CATEGORY, 3, m));
	/* each key once */
	for (size_t i = 0; i < acc.n; i++)
		for (size_t j = i + 1; j < acc.n; j++)
			assert_false(acc.cells[i].kind == acc.cells[j].kind &&
				     acc.cells[i].scope_id == acc.cells[j].scope_id &&
				     acc.cells[i].dim == acc.cells[j].dim &&
				     acc.cells[i].value == acc.cells[j].value &&
				     acc.cells[i].month == acc.cells[j].month);
	free(acc.cells);
}

static void scope_keys(void **state)
{
	(void)state;
	int kinds[16];
	int64_t ids[16];
	struct appeal_ties t = {.enterprise_id = 7, .month = 202611, .region = 230202, .category = 3,
				.lead_org_id = 5, .norgs = 3, .org_id = {10, 5, 10},
				.org_path = {"/1/2/10/", "/1/2/5/", "/1/2/10/"}};
	int n = appeal_scope_keys(&t, kinds, ids, 16);
	/* the enterprise, org 10, subtrees 1, 2, 10, org 5, subtree 5 — never "all", each once */
	assert_int_equal(n, 7);
	int subtree = 0, org = 0, ent = 0;
	for (int i = 0; i < n; i++) {
		assert_int_not_equal(kinds[i], SK_ALL);
		subtree += kinds[i] == SK_SUBTREE;
		org += kinds[i] == SK_ORG;
		ent += kinds[i] == SK_ENTERPRISE && ids[i] == 7;
	}
	assert_int_equal(subtree, 4);
	assert_int_equal(org, 2);
	assert_int_equal(ent, 1);
	assert_int_equal(appeal_scope_keys(&t, kinds, ids, 3), -1);
	t.org_path[2] = "/1/2/x/";
	assert_int_equal(appeal_scope_keys(&t, kinds, ids, 16), -1);
}

/* A random walk of appeals through the machine: the sums of the diffs always equal the sums
 * of the current contributions (what a recount gives). */
static void stat_diff_random_walk(void **state)
{
	(void)state;
	enum { NAPPEALS = 40, STEPS = 4000, NCELLS = 4096 };
	static const char *const paths[] = {"/1/2/10/", "/1/2/5/", "/1/2/11/", "/1/2/12/",
					    "/1/2/10/30/"};
	static const int64_t ids[] = {10, 5, 11, 12, 30};
	struct a {
		struct appeal_ties t;
		struct appeal_stat_in in;
		int64_t v[AM__COUNT];
	} *ap = calloc(NAPPEALS, sizeof(*ap));
	/* the running totals, per cell */
	struct appeal_stat_cell *tot = calloc(NCELLS, sizeof(*tot));
	size_t ntot = 0;
	static struct appeal_stat_cell cells[APPEAL_MAX_CELLS];
	uint64_t seed = 42;
#define RND(n) ((seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) >> 33) % (n)
	for (int step = 0; step < STEPS; step++) {
		int k = (int)RND(NAPPEALS);
		struct a *x = &ap[k];
		bool fresh = x->t.norgs == 0;
		struct appeal_ties old = x->t;
		int64_t oldv[AM__COUNT];
		memcpy(oldv, x->v, sizeof(oldv));
		if (fresh) {
			int h = (int)RND(2) ? 0 : 4;
			x->t = (struct appeal_ties){.enterprise_id = 1 + k % 7, .month = 202601 + k % 3,
						    .region = 230202 + k % 2, .category = 1 + k % 4,
						    .norgs = 1, .org_id = {ids[h]},
						    .org_path = {paths[h]}};
		} else {
			/* move the lead unit, add or drop a co-unit, change any metric input */
			int l = (int)RND(5);
			x->t.lead_org_id = RND(3) ? ids[l] : 0;
			x->t.norgs = 1;
			if (x->t.lead_org_id) {
				x->t.org_id[x->t.norgs] = ids[l];
				x->t.org_path[x->t.norgs++] = paths[l];
			}
			if (RND(2)) {
				int c = (int)RND(5);
				x->t.org_id[x->t.norgs] = ids[c];
				x->t.org_path[x->t.norgs++] = paths[c];
			}
			x->in.state = (enum appeal_state)RND(AS__COUNT);
			x->in.outcome = (enum appeal_outcome)RND(AO__COUNT);
			x->in.rating = (enum appeal_rating)RND(AR__COUNT);
			x->in.accepted = RND(2);
			x->in.replied = RND(2);
			x->in.on_time = RND(2);
			x->in.late = RND(2);
			x->in.escalated = RND(2);
			x->in.reopen_count = (int)RND(3);
			x->in.return_count = (int)RND(3);
			x->in.close_workdays = (int)RND(20);
		}
		appeal_metrics(&x->in, x->v);
		size_t n = appeal_stat_diff(fresh ? NULL : &old, fresh ? NULL : oldv, &x->t, x->v,
					    cells, APPEAL_MAX_CELLS);
		assert_true(n != (size_t)-1);
		for (size_t i = 0; i < n; i++) {
			size_t j;
			for (j = 0; j < ntot; j++)
				if (tot[j].kind == cells[i].kind &&
				    tot[j].scope_id == cells[i].scope_id &&
				    tot[j].dim == cells[i].dim && tot[j].value == cells[i].value &&
				    tot[j].month == cells[i].month)
					break;
			if (j == ntot) {
				assert_true(ntot < NCELLS);
				tot[ntot] = cells[i];
				memset(tot[ntot].v, 0, sizeof(tot[ntot].v));
				ntot++;
			}
			for (int m = 0; m < AM__COUNT; m++)
				tot[j].v[m] += cells[i].v[m];
		}
	}
	/* recount: each appeal's cells from nothing, summed, must equal the running totals */
	struct appeal_stat_cell *re = calloc(NCELLS, sizeof(*re));
	size_t nre = 0;
	for (int k = 0; k < NAPPEALS; k++) {
		if (!ap[k].t.norgs)
			continue;
		size_t n = appeal_stat_diff(NULL, NULL, &ap[k].t, ap[k].v, cells, APPEAL_MAX_CELLS);
		for (size_t i = 0; i < n; i++) {
			size_t j;
			for (j = 0; j < nre; j++)
				if (re[j].kind == cells[i].kind && re[j].scope_id == cells[i].scope_id &&
				    re[j].dim == cells[i].dim && re[j].value == cells[i].value &&
				    re[j].month == cells[i].month)
					break;
			if (j == nre) {
				re[nre] = cells[i];
				memset(re[nre].v, 0, sizeof(re[nre].v));
				nre++;
			}
			for (int m = 0; m < AM__COUNT; m++)
				re[j].v[m] += cells[i].v[m];
		}
	}
	for (size_t j = 0; j < ntot; j++) {
		int64_t want[AM__COUNT] = {0};
		for (size_t i = 0; i < nre; i++)
			if (re[i].kind == tot[j].kind && re[i].scope_id == tot[j].scope_id &&
			    re[i].dim == tot[j].dim && re[i].value == tot[j].value &&
			    re[i].month == tot[j].month)
				memcpy(want, re[i].v, sizeof(want));
		for (int m = 0; m < AM__COUNT; m++)
			if (tot[j].v[m] != want[m])
				fail_msg("cell %d/%lld/%d/%lld/%d metric %s: %lld, recount %lld",
					 tot[j].kind, (long long)tot[j].scope_id, tot[j].dim,
					 (long long)tot[j].value, tot[j].month, appeal_metric_codes[m],
					 (long long)tot[j].v[m], (long long)want[m]);
	}
	free(ap);
	free(tot);
	free(re);
}

/* ---- text ----------------------------------------------------------------------------------- */

static void grams(void **state)
{
	(void)state;
	struct str s;
	str_init(&s, 0);
	appeal_grams("融资难，Ａpp 贷款", &s);
	assert_string_equal(s.p, "融资 资难 难 ap pp p 贷款 款");
	str_clear(&s);
	appeal_grams("", &s);
	assert_string_equal(s.p, "");
	appeal_grams(NULL, &s);
	assert_string_equal(s.p, "");
	appeal_grams("电", &s);
	assert_string_equal(s.p, "电");
	str_clear(&s);
	/* punctuation, symbols and emoji part words; full-width digits fold */
	appeal_grams("用电！！１２…😀用工", &s);
	assert_string_equal(s.p, "用电 电 12 2 用工 工");
	str_release(&s);

	struct appeal_query q;
	assert_int_equal(appeal_query_parse("  融资难　ABC ", &q), ST_OK);
	assert_int_equal(q.nterms, 2);
	assert_string_equal(q.term[0], "融资难");
	assert_string_equal(q.term[1], "abc");
	assert_string_equal(q.match, "\"融资\" AND \"资难\" AND \"ab\" AND \"bc\"");
	assert_string_equal(q.grams, "融资 资难 ab bc");
	assert_int_equal(appeal_query_parse("电", &q), ST_OK);
	assert_string_equal(q.match, "\"电\"*");
	assert_string_equal(q.grams, "");
	assert_int_equal(appeal_query_parse("用电", &q), ST_OK);
	assert_string_equal(q.match, "\"用电\"");
	/* a longer run asks for its first and last bigram; the text check does the rest */
	assert_int_equal(appeal_query_parse("技改项目贷款", &q), ST_OK);
	assert_string_equal(q.match, "\"技改\" AND \"贷款\"");
	assert_string_equal(q.grams, "技改 贷款");
	assert_string_equal(q.term[0], "技改项目贷款");
	assert_int_equal(appeal_query_parse("厂房-租赁难", &q), ST_OK);
	assert_string_equal(q.match, "\"厂房\" AND \"租赁\" AND \"赁难\"");
	assert_int_equal(appeal_query_parse("", &q), ST_OK);
	assert_int_equal(q.nterms, 0);
	assert_int_equal(appeal_query_parse(NULL, &q), ST_OK);
	assert_int_equal(appeal_query_parse("a b c d", &q), ST_INVALID);
	/* quotes and FTS5 syntax in a query are punctuation, never syntax */
	assert_int_equal(appeal_query_parse("\"a\" OR b*", &q), ST_OK);
	assert_string_equal(q.match, "\"a\"* AND \"or\" AND \"b\"*");
	char big[400];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(appeal_query_parse(big, &q), ST_INVALID);
}

/* A text of up to max - 1 characters of pool (at most 3 bytes each) from the seed. */
static void random_text(uint32_t *seed, const char *const *pool, size_t npool, int max,
			char *out)
{
	*seed = *seed * 1103515245u + 12345u;
	int len = (int)(*seed >> 16) % max;
	size_t at = 0;
	for (int i = 0; i < len; i++) {
		*seed = *seed * 1103515245u + 12345u;
		const char *c = pool[(*seed >> 16) % npool];
		memcpy(out + at, c, strlen(c));
		at += strlen(c);
	}
	out[at] = '\0';
}

/* An appeal's words (appeal_sig) bound how alike a new title and content can be to its own:
 * never below what comparing the texts finds, and below the guard's 0.8 for unlike texts the
 * size of a filing's, so that those need not be read. */
static void signature_bound(void **state)
{
	(void)state;
	static const char *const few[] = {"企", "业", "用", "电", "报", "A", "b", "7", "，", " "};
	static const char *const many[] = {"企", "业", "用", "电", "报", "装", "周", "期", "长",
					   "技", "改", "贷", "款", "审", "批", "慢", "招", "工",
					   "难", "物", "流", "成", "本", "高", "环", "评", "项",
					   "目", "政", "策", "咨", "询", "补", "助", "资", "金"};
	uint32_t seed = 777;
	int ruled_out = 0;
	for (int round = 0; round < 3000; round++) {
		/* few characters: bigrams repeat and are shared; many: filings' texts, unlike */
		bool small = round % 2 == 0;
		const char *const *pool = small ? few : many;
		size_t npool = small ? sizeof(few) / sizeof(few[0]) : sizeof(many) / sizeof(many[0]);
		char at[200], ac[800], bt[200], bc[800];
		random_text(&seed, pool, npool, 40, at);
		random_text(&seed, pool, npool, small ? 40 : 200, ac);
		if (round % 7 == 0) /* the same title, another content */
			memcpy(bt, at, strlen(at) + 1);
		else
			random_text(&seed, pool, npool, 40, bt);
		random_text(&seed, pool, npool, small ? 40 : 200, bc);
		size_t n[4];
		uint64_t *x[4] = {appeal_bigrams(at, &n[0]), appeal_bigrams(ac, &n[1]),
				  appeal_bigrams(bt, &n[2]), appeal_bigrams(bc, &n[3])};
		for (int i = 0; i < 4; i++)
			assert_non_null(x[i]);
		struct appeal_sig sig;
		appeal_sig_make(x[2], n[2], x[3], n[3], &sig);
		assert_int_equal(sig.nt, n[2]);
		assert_int_equal(sig.nc, n[3]);
		double t = appeal_dice(x[0], n[0], x[2], n[2]), c = appeal_dice(x[1], n[1], x[3], n[3]);
		assert_true(t == appeal_similarity(at, bt) && c == appeal_similarity(ac, bc));
		double exact = t > c ? t : c, bound = appeal_sig_bound(&sig, x[0], n[0], x[1], n[1]);
		if (bound < exact)
			fail_msg("bound %f < similarity %f for \"%s\" / \"%s\"", bound, exact, bt, bc);
		if (!small && round % 7 != 0)
			ruled_out += bound < 0.8;
		for (int i = 0; i < 4; i++)
			free(x[i]);
	}
	/* of the unlike pairs of filing-sized texts, nearly all are ruled out */
	assert_true(ruled_out > 1200);
	size_t nt, nc;
	uint64_t *t = appeal_bigrams("企业用电报装周期长", &nt);
	uint64_t *c = appeal_bigrams("园区天然气供应不足，冬季生产受影响", &nc);
	struct appeal_sig sig;
	appeal_sig_make(t, nt, c, nc, &sig);
	assert_true(appeal_sig_bound(&sig, t, nt, c, nc) >= 0.8);
	free(t);
	t = appeal_bigrams("申请技改贷款贴息", &nt);
	assert_true(appeal_sig_bound(&sig, t, nt, NULL, 0) < 0.8);
	free(t);
	free(c);
}

static void similarity(void **state)
{
	(void)state;
	assert_true(appeal_similarity("企业用电报装周期长", "企业用电报装周期长") == 1.0);
	assert_true(appeal_similarity("企业用电报装周期长", "企业用电报装周期长！") == 1.0);
	assert_true(appeal_similarity("企业用电报装周期长", "企业 用电报装 周期长。") == 1.0);
	assert_true(appeal_similarity("企业用电报装周期长", "企业用电报装周期太长") > 0.7);
	assert_true(appeal_similarity("企业用电报装周期长", "申请技改贷款贴息") < 0.1);
	assert_true(appeal_similarity("", "") == 0.0);
	assert_true(appeal_similarity(NULL, "x") == 0.0);
	/* one text against many: the same values; the sort holds for a long text too */
	size_t n;
	uint64_t *x = appeal_bigrams("企业用电报装周期长", &n);
	assert_non_null(x);
	assert_int_equal(n, 8);
	size_t ny;
	uint64_t *y = appeal_bigrams("企业用电报装周期太长", &ny);
	assert_non_null(y);
	assert_true(appeal_dice(x, n, y, ny) ==
		    appeal_similarity("企业用电报装周期长", "企业用电报装周期太长"));
	assert_true(appeal_dice(x, n, x, n) == 1.0 && appeal_dice(x, n, NULL, 0) == 0.0);
	free(x);
	free(y);
	static char big[3 * 3000 + 1];
	for (int i = 0; i < 3000; i++) { /* 3,000 different ideographs, shuffled */
		unsigned cp = 0x4E00 + (unsigned)(i * 7 % 3000);
		big[3 * i] = (char)(0xE0 | cp >> 12);
		big[3 * i + 1] = (char)(0x80 | (cp >> 6 & 0x3F));
		big[3 * i + 2] = (char)(0x80 | (cp & 0x3F));
	}
	x = appeal_bigrams(big, &n);
	assert_non_null(x);
	assert_int_equal(n, 2999);
	for (size_t i = 1; i < n; i++)
		assert_true(x[i - 1] < x[i]);
	assert_true(appeal_dice(x, n, x, n) == 1.0);
	assert_true(appeal_similarity(big, big) == 1.0);
	free(x);
}

/* ---- attachments ---------------------------------------------------------------------------- */

/* A minimal zip with the given entry names (stored, empty), in buf; returns its size. */
static size_t make_zip(unsigned char *buf, const char *const *names, int n)
{
	size_t off = 0, cd;
	size_t local[8];
	for (int i = 0; i < n; i++) {
		local[i] = off;
		size_t l = strlen(names[i]);
		unsigned char h[30] = {'P', 'K', 3, 4, 20};
		h[26] = (unsigned char)l;
		memcpy(buf + off, h, 30);
		memcpy(buf + off + 30, names[i], l);
		off += 30 + l;
	}
	cd = off;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(names[i]);
		unsigned char h[46] = {'P', 'K', 1, 2, 20, 0, 20};
		h[28] = (unsigned char)l;
		h[42] = (unsigned char)(local[i] & 0xff);
		h[43] = (unsigned char)(local[i] >> 8);
		memcpy(buf + off, h, 46);
		memcpy(buf + off + 46, names[i], l);
		off += 46 + l;
	}
	unsigned char e[22] = {'P', 'K', 5, 6};
	e[8] = e[10] = (unsigned char)n;
	size_t size = off - cd;
	e[12] = (unsigned char)(size & 0xff);
	e[13] = (unsigned char)(size >> 8);
	e[16] = (unsigned char)(cd & 0xff);
	e[17] = (unsigned char)(cd >> 8);
	memcpy(buf + off, e, 22);
	return off + 22;
}

static void sniffing(void **state)
{
	(void)state;
	unsigned char b[2048] = {0};
	memcpy(b, "\xFF\xD8\xFF\xE0", 4);
	assert_int_equal(appeal_file_sniff(b, 100), AF_JPEG);
	memcpy(b, "\x89PNG\r\n\x1a\n", 8);
	assert_int_equal(appeal_file_sniff(b, 100), AF_PNG);
	memcpy(b, "GIF89a", 6);
	assert_int_equal(appeal_file_sniff(b, 100), AF_GIF);
	memcpy(b, "RIFF\0\0\0\0WEBP", 12);
	assert_int_equal(appeal_file_sniff(b, 100), AF_WEBP);
	memcpy(b, "%PDF-1.7\n", 9);
	assert_int_equal(appeal_file_sniff(b, 100), AF_PDF);
	assert_int_equal(appeal_file_sniff(b, 4), AF_UNKNOWN);
	memcpy(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
	assert_int_equal(appeal_file_sniff(b, 512), AF_OLE);
	assert_int_equal(appeal_file_sniff(b, 100), AF_UNKNOWN);
	memcpy(b, "MZ\x90\0", 4); /* a Windows program */
	assert_int_equal(appeal_file_sniff(b, 100), AF_UNKNOWN);
	memcpy(b, "<html><script>", 14);
	assert_int_equal(appeal_file_sniff(b, 14), AF_UNKNOWN);
	b[0] = 'B';
	b[1] = 'M';
	b[2] = 100;
	b[3] = b[4] = b[5] = 0;
	assert_int_equal(appeal_file_sniff(b, 100), AF_BMP);
	assert_int_equal(appeal_file_sniff(b, 0), AF_UNKNOWN);

	const char *docx[] = {"[Content_Types].xml", "_rels/.rels", "word/document.xml"};
	const char *xlsx[] = {"[Content_Types].xml", "xl/workbook.xml"};
	const char *pptx[] = {"[Content_Types].xml", "ppt/presentation.xml"};
	const char *plain[] = {"a.txt", "b.exe"};
	const char *both[] = {"[Content_Types].xml", "xl/a.xml", "word/b.xml"};
	size_t n = make_zip(b, docx, 3);
	assert_int_equal(appeal_file_sniff(b, n), AF_DOCX);
	n = make_zip(b, xlsx, 2);
	assert_int_equal(appeal_file_sniff(b, n), AF_XLSX);
	/* a truncated zip is not a document */
	assert_int_equal(appeal_file_sniff(b, n - 1), AF_UNKNOWN);
	assert_int_equal(appeal_file_sniff(b, n - 30), AF_UNKNOWN);
	n = make_zip(b, pptx, 2);
	assert_int_equal(appeal_file_sniff(b, n), AF_PPTX);
	n = make_zip(b, plain, 2);
	assert_int_equal(appeal_file_sniff(b, n), AF_UNKNOWN);
	n = make_zip(b, both, 3);
	assert_int_equal(appeal_file_sniff(b, n), AF_UNKNOWN);
	/* every truncation of a good file is read without running past it (ASan watches) */
	n = make_zip(b, docx, 3);
	for (size_t k = 0; k < n; k++) {
		unsigned char *copy = malloc(k ? k : 1);
		memcpy(copy, b, k);
		enum appeal_file_kind kind = appeal_file_sniff(copy, k);
		assert_true(kind == AF_UNKNOWN || k == n);
		free(copy);
	}

	assert_int_equal(appeal_file_claimed("营业执照.JPG"), AF_JPEG);
	assert_int_equal(appeal_file_claimed("a.b.pdf"), AF_PDF);
	assert_int_equal(appeal_file_claimed("报表.xlsx"), AF_XLSX);
	assert_int_equal(appeal_file_claimed("说明.doc"), AF_OLE);
	assert_int_equal(appeal_file_claimed("说明.wps"), AF_OLE);
	assert_int_equal(appeal_file_claimed("run.exe"), AF_UNKNOWN);
	assert_int_equal(appeal_file_claimed("noext"), AF_UNKNOWN);
	assert_int_equal(appeal_file_claimed("trailing."), AF_UNKNOWN);
	assert_int_equal(appeal_file_claimed(NULL), AF_UNKNOWN);
	assert_string_equal(appeal_file_mime(AF_PDF), "application/pdf");
	assert_string_equal(appeal_file_mime(AF_UNKNOWN), "application/octet-stream");

	char name[128];
	appeal_file_name_clean("../../etc/passwd", name, sizeof(name));
	assert_string_equal(name, "passwd");
	appeal_file_name_clean("C:\\Users\\张三\\合同.pdf", name, sizeof(name));
	assert_string_equal(name, "合同.pdf");
	appeal_file_name_clean("a\"b\r\n.pdf", name, sizeof(name));
	assert_string_equal(name, "ab.pdf");
	appeal_file_name_clean("..", name, sizeof(name));
	assert_string_equal(name, "");
	appeal_file_name_clean("dir/", name, sizeof(name));
	assert_string_equal(name, "");
	char tiny[8];
	appeal_file_name_clean("营业执照.pdf", tiny, sizeof(tiny));
	assert_string_equal(tiny, "营业"); /* never half a character */
}

/* The days of the limit that applies, compared with the expected row's (spans[4] always 0). */
static void assert_limit(const struct appeal_limit *rows, size_t n, int64_t category, int64_t root,
			 const char *urgency, const int want[4])
{
	int spans[5] = { -1, -1, -1, -1, -1 };
	appeal_limit_spans(rows, n, category, root, urgency, spans);
	for (int i = 0; i < 4; i++)
		assert_int_equal(spans[i], want[i]);
	assert_int_equal(spans[4], 0);
}

/* The limits that apply: the category's own, else its top level's, else every category's, at
 * the appeal's urgency only; the days of common practice when no row of that urgency fits. */
static void limits_picked(void **state)
{
	(void)state;
	const struct appeal_limit rows[] = {
		{ 0, "normal", { 1, 1, 3, 7 } },  { 0, "urgent", { 1, 1, 2, 5 } },
		{ 6, "normal", { 1, 2, 5, 10 } }, { 601, "urgent", { 1, 1, 1, 2 } },
		{ 9, "normal", { 2, 2, 4, 8 } },
	};
	size_t n = sizeof(rows) / sizeof(rows[0]);
	assert_limit(rows, n, 601, 6, "urgent", rows[3].days); /* its own */
	assert_limit(rows, n, 601, 6, "normal", rows[2].days); /* the top's */
	assert_limit(rows, n, 6, 6, "normal", rows[2].days);
	assert_limit(rows, n, 602, 6, "urgent", rows[1].days); /* everyone's */
	assert_limit(rows, n, 701, 7, "normal", rows[0].days);
	assert_limit(rows, n, 701, 7, NULL, rows[0].days); /* NULL: normal */
	/* the order of the rows does not matter */
	const struct appeal_limit back[] = { rows[3], rows[2], rows[1], rows[0] };
	assert_limit(back, 4, 601, 6, "normal", rows[2].days);
	assert_limit(back, 4, 602, 6, "urgent", rows[1].days);
	/* no row fits (none for every category at that urgency, or none at all): common practice */
	static const int common[4] = { 1, 1, 3, 7 };
	const struct appeal_limit odd[] = { { 0, "normal", { 2, 3, 4, 9 } }, rows[2] };
	assert_limit(odd, 2, 701, 7, "urgent", common);
	assert_limit(rows, 0, 601, 6, "normal", common);
}

static void numbers_and_colours(void **state)
{
	(void)state;
	char no[32];
	/* 2026-11-25T16:30:00Z is 26 November in the bureau's time zone */
	appeal_number(1795624200, 123, no, sizeof(no));
	assert_string_equal(no, "SQ20261126-000123");
	assert_int_equal(appeal_number_id(no), 123);
	appeal_number(1795624200, 12345678, no, sizeof(no));
	assert_string_equal(no, "SQ20261126-12345678");
	appeal_number(1795624200, 999999, no, sizeof(no)); /* the last written by hand */
	assert_string_equal(no, "SQ20261126-999999");
	appeal_number(1795624200, 1000000, no, sizeof(no));
	assert_string_equal(no, "SQ20261126-1000000");
	appeal_number(1795624200, 0, no, sizeof(no));
	assert_string_equal(no, "SQ20261126-000000");
	assert_int_equal(appeal_number_id("sq20261126-000007"), 7);
	assert_int_equal(appeal_number_id("SQ2026112-000007"), 0);
	assert_int_equal(appeal_number_id("SQ20261126000007"), 0);
	assert_int_equal(appeal_number_id("SQ20261126-"), 0);
	assert_int_equal(appeal_number_id("SQ20261126-0"), 0);
	assert_int_equal(appeal_number_id("SQ20261126-12x"), 0);
	assert_int_equal(appeal_number_id(NULL), 0);

	assert_int_equal(appeal_colour("2026-11-20", "2026-11-26", "2026-11-27", false), AC_RED);
	assert_int_equal(appeal_colour("2026-11-26", "2026-11-26", "2026-11-27", false), AC_YELLOW);
	assert_int_equal(appeal_colour("2026-11-27", "2026-11-26", "2026-11-27", false), AC_YELLOW);
	assert_int_equal(appeal_colour("2026-11-30", "2026-11-26", "2026-11-27", false), AC_GREEN);
	assert_int_equal(appeal_colour("2026-11-20", "2026-11-26", "2026-11-27", true), AC_PAUSED);
	assert_int_equal(appeal_colour(NULL, "2026-11-26", "2026-11-27", false), AC_NONE);
	assert_int_equal(appeal_colour("", "2026-11-26", NULL, false), AC_NONE);
	assert_string_equal(appeal_colour_codes[AC_YELLOW], "yellow");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tables),
		cmocka_unit_test(every_state_action_capacity),
		cmocka_unit_test(lifecycle_paths),
		cmocka_unit_test(metrics),
		cmocka_unit_test(stat_diff),
		cmocka_unit_test(stat_diff_random_walk),
		cmocka_unit_test(stat_sum),
		cmocka_unit_test(scope_keys),
		cmocka_unit_test(grams),
		cmocka_unit_test(similarity),
		cmocka_unit_test(signature_bound),
		cmocka_unit_test(sniffing),
		cmocka_unit_test(limits_picked),
		cmocka_unit_test(numbers_and_colours),
	};
	return cmocka_run_group_tests_name("appeals_rules", tests, NULL, NULL);
}
