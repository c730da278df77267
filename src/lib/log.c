/* log.c: timestamped lines on stderr, each written whole. */
#include <errno.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

static enum log_level min_level = LOG_INFO;

void log_set_level(enum log_level level)
{
	min_level = level;
}

__attribute__((format(printf, 3, 0))) static void emit(enum log_level level, int err, const char *fmt,
						  va_list ap)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	if (level < min_level)
		return;
	char line[2048];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof(line), "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s msg=\"",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, ts.tv_nsec / 1000000, names[level]);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (m < 0)
		m = 0;
	size_t len = (size_t)n + (size_t)m;
	if (len > sizeof(line) - 64)
		len = sizeof(line) - 64;
	if (err) {
		int k = snprintf(line + len, sizeof(line) - len, ": %s", strerror(err));
		if (k > 0)
			len += (size_t)k;
	}
	line[len++] = '"';
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}

#define DEFINE_LOG(name, level, with_errno)                                                        \
	void name(const char *fmt, ...)                                                            \
	{                                                                                          \
		int err = with_errno ? errno : 0;                                                  \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		emit(level, err, fmt, ap);                                                         \
		va_end(ap);                                                                        \
	}

DEFINE_LOG(log_debug, LOG_DEBUG, 0)
DEFINE_LOG(log_info, LOG_INFO, 0)
DEFINE_LOG(log_warn, LOG_WARN, 1)
DEFINE_LOG(log_warnx, LOG_WARN, 0)
DEFINE_LOG(log_error, LOG_ERROR, 0)

void log_access(const char *line, unsigned long len)
{
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}

_Noreturn void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tiejian: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}
