/* log.h: one line per event on stderr; log_warn adds strerror(errno), log_warnx does not. */
#ifndef TIEJIAN_LOG_H
#define TIEJIAN_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Set once at start-up, before threads start. */
void log_set_level(enum log_level level);
/* Lines are written with a single write(2), so lines of different threads never interleave. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An already formatted key=value access-log line (no timestamp added twice). */
void log_access(const char *line, unsigned long len);
/* Start-up failure: print and exit(1). Never called while serving requests. */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
