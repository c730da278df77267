/* auth_rules.c: pure rules of authentication: password policy, session expiry. */
#include <strings.h>

#include "auth/auth.h"
#include "lib/str.h"

static bool contains_nocase(const char *s, const char *word)
{
	size_t n = strlen(word);
	for (; *s; s++)
		if (strncasecmp(s, word, n) == 0)
			return true;
	return false;
}

enum status auth_password_policy(const char *password, const char *username, int min_len,
				 int min_classes, const char **why)
{
	size_t n = strlen(password);
	if (!utf8_valid(password, n)) {
		*why = "密码含有无效字符";
		return ST_INVALID;
	}
	if (utf8_len(password, n) < (size_t)min_len) {
		*why = min_len == 8 ? "密码至少需要8个字符" : "密码长度不足";
		return ST_INVALID;
	}
	if (n > 128) {
		*why = "密码不能超过128个字节";
		return ST_INVALID;
	}
	bool upper = false, lower = false, digit = false, other = false;
	for (const unsigned char *p = (const unsigned char *)password; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			upper = true;
		else if (*p >= 'a' && *p <= 'z')
			lower = true;
		else if (*p >= '0' && *p <= '9')
			digit = true;
		else if (*p > ' ')
			other = true;
	}
	if (upper + lower + digit + other < min_classes) {
		*why = min_classes == 3 ? "密码需包含大写字母、小写字母、数字、符号中的至少3类"
					: "密码包含的字符种类不足（大写字母、小写字母、数字、符号）";
		return ST_INVALID;
	}
	/* in any case: the class rule itself makes people write "Zhangsan@2024" */
	if (username && *username && contains_nocase(password, username)) {
		*why = "密码不能包含用户名";
		return ST_INVALID;
	}
	*why = NULL;
	return ST_OK;
}

enum session_state auth_session_state(int64_t created, int64_t last_seen, int64_t now,
				      int idle_s, int absolute_s)
{
	if (now - created >= absolute_s)
		return SESSION_ABSOLUTE_EXPIRED;
	if (now - last_seen >= idle_s)
		return SESSION_IDLE_EXPIRED;
	return SESSION_LIVE;
}
