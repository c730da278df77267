/* notify_rules.c: the pure parts of the webhook (backoff, URLs, signatures, response lines) and
 * of the desks (their keys, and what a holder reads). */
#include <inttypes.h>
#include <sodium.h>

#include "lib/str.h"
#include "modules/notify/notify.h"
#include "modules/orgs/orgs.h"

const char *const notify_kind_codes[] = {
	"filed",      "assigned",          "due_soon",           "late",
	"returned",   "supervised",        "supervision_answered", "rated",
	"reopened",   "escalated",         "replied",            "interim_reply",
	"suspended",  "supplemented",      "withdrawn",          "closed",
	"rejected",   "extension_request", "extension_decided",  "approval_needed",
	"approval_decided", "co_opinion",  "visit_overdue",      "visit_rated",
	"test",       NULL};
const char *const notify_kind_names[] = {
	"新诉求待受理", "交办给您", "即将到期", "已逾期",
	"诉求被回退", "督办", "督办已答复", "企业已评价",
	"诉求重办", "逾期升级", "诉求已答复", "阶段性答复",
	"诉求挂起", "企业补充材料", "企业撤回诉求", "诉求办结",
	"不予受理", "延期申请", "延期审批结果", "待审核答复",
	"审核结果", "协办意见", "走访提醒", "企业评价走访",
	"测试消息", NULL};

const enum perm notify_desk_perms[NOTIFY_DESKS] = {
	PERM_APPEAL_DISPATCH,
	PERM_APPEAL_HANDLE,
	PERM_APPEAL_SUPERVISE,
};

bool notify_is_desk(const char *perm)
{
	for (int i = 0; perm && i < NOTIFY_DESKS; i++)
		if (strcmp(perm_table[notify_desk_perms[i]].code, perm) == 0)
			return true;
	return false;
}

bool notify_desk_keys(const char *org_path, char *out, size_t size)
{
	int64_t ids[NOTIFY_DESK_DEPTH];
	int n = orgs_path_ids(org_path, ids, NOTIFY_DESK_DEPTH);
	size_t len = (size_t)snprintf(out, size, "[0");
	for (int i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, ",%" PRId64, ids[i]);
	if (n < 0 || len + 2 > size)
		return false;
	memcpy(out + len, "]", 2);
	return true;
}

void notify_desk_arms(const struct principal *u, struct notify_desk_arm arms[NOTIFY_DESKS])
{
	for (int i = 0; i < NOTIFY_DESKS; i++) {
		const char *code = perm_table[notify_desk_perms[i]].code;
		struct scope s;
		principal_scope(u, notify_desk_perms[i], &s);
		arms[i] = (struct notify_desk_arm){ NULL, 0, 0 };
		if (s.kinds & SCOPE_ALL)
			arms[i] = (struct notify_desk_arm){ code, 0, 0 };
		else if (u->org_id <= 0)
			continue; /* an org's scope and no org: nothing */
		else if (s.kinds & SCOPE_SUBTREE)
			arms[i] = (struct notify_desk_arm){ code, u->org_id, 0 };
		else if (s.kinds & SCOPE_ORG)
			arms[i] = (struct notify_desk_arm){ code, u->org_id, u->org_id };
	}
}

int64_t notify_backoff_s(int attempt)
{
	if (attempt < 1)
		attempt = 1;
	int64_t s = 60;
	for (int i = 1; i < attempt && s < 3600; i++)
		s *= 2;
	return s > 3600 ? 3600 : s;
}

bool notify_url_parse(const char *url, struct notify_url *out)
{
	memset(out, 0, sizeof(*out));
	if (!url || strncmp(url, "http://", 7) != 0)
		return false;
	const char *h = url + 7, *end = h + strcspn(h, "/?#");
	if (strchr(url, '#') || strchr(h, '@')) /* no fragments, no credentials in the URL */
		return false;
	const char *colon = NULL;
	if (*h == '[') { /* [v6]:port */
		const char *rb = memchr(h, ']', (size_t)(end - h));
		if (!rb)
			return false;
		if ((size_t)(rb - h - 1) >= sizeof(out->host) || rb == h + 1)
			return false;
		memcpy(out->host, h + 1, (size_t)(rb - h - 1));
		colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
		if (!colon && rb + 1 != end)
			return false;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		size_t hl = (size_t)((colon ? colon : end) - h);
		if (!hl || hl >= sizeof(out->host))
			return false;
		memcpy(out->host, h, hl);
		for (size_t i = 0; i < hl; i++) {
			char c = out->host[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			      c == '.' || c == '-'))
				return false;
		}
	}
	if (colon) {
		size_t pl = (size_t)(end - colon - 1);
		int64_t port;
		char buf[8];
		if (!pl || pl >= sizeof(buf))
			return false;
		memcpy(buf, colon + 1, pl);
		buf[pl] = '\0';
		if (!str_to_i64(buf, 1, 65535, &port))
			return false;
		snprintf(out->port, sizeof(out->port), "%lld", (long long)port);
	} else {
		snprintf(out->port, sizeof(out->port), "80");
	}
	size_t rest = strlen(end);
	if (rest + 2 > sizeof(out->path))
		return false;
	for (size_t i = 0; i < rest; i++)
		if ((unsigned char)end[i] <= 0x20 || (unsigned char)end[i] >= 0x7f)
			return false; /* the caller percent-encodes */
	if (*end == '/')
		memcpy(out->path, end, rest + 1);
	else
		snprintf(out->path, sizeof(out->path), "/%s", end);
	return true;
}

void notify_sign(const char *secret, int64_t timestamp, const char *body, size_t len,
		 char out[NOTIFY_SIG_SIZE])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char ts[24];
	int n = snprintf(ts, sizeof(ts), "%lld.", (long long)timestamp);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, 65, mac, sizeof(mac));
}

int notify_http_status(const char *p, size_t n)
{
	/* "HTTP/1.1 200 OK" */
	if (n < 12 || strncmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') || p[8] != ' ')
		return -1;
	int code = 0;
	for (int i = 9; i < 12; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		code = code * 10 + (p[i] - '0');
	}
	if (n > 12 && p[12] != ' ' && p[12] != '\r')
		return -1;
	return code >= 100 && code <= 599 ? code : -1;
}
