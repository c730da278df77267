/* status.h: the one status enum of tiejian; 0 is success, everything else is an error kind. */
#ifndef TIEJIAN_STATUS_H
#define TIEJIAN_STATUS_H

/*
 * Functions return an enum status. The router maps each to one HTTP code (status_http()) and,
 * unless a handler set a more precise one, to a default error code and Chinese message.
 */
enum status {
	ST_OK = 0,
	ST_BAD_REQUEST,  /* 400 malformed input (JSON syntax, bad query string) */
	ST_UNAUTHORIZED, /* 401 not logged in, session expired */
	ST_FORBIDDEN,    /* 403 CSRF, permission, password change required */
	ST_NOT_FOUND,    /* 404 not found or outside the caller's scope */
	ST_METHOD,       /* 405 method not allowed on this path */
	ST_CONFLICT,     /* 409 duplicate, or wrong state for the action */
	ST_TOO_LARGE,    /* 413 body or upload too large */
	ST_MEDIA_TYPE,   /* 415 wrong content type */
	ST_INVALID,      /* 422 a value that is well-formed but not acceptable */
	ST_LOCKED,       /* 423 account locked */
	ST_RATE_LIMITED, /* 429 too many requests */
	ST_HEADERS_TOO_LARGE, /* 431 request headers too large */
	ST_UNAVAILABLE,  /* 503 database unavailable or busy beyond the timeout */
	ST_STORAGE_FULL, /* 507 disk full */
	ST_NOMEM,        /* 500 out of memory */
	ST_DB,           /* 500 unexpected database error */
	ST_INTERNAL,     /* 500 a bug */
	ST__COUNT
};

/* The HTTP status code for a status. */
int status_http(enum status st);
/* The default machine-readable error code, e.g. "not_found". */
const char *status_code(enum status st);
/* The default Chinese message for a person. */
const char *status_message(enum status st);

#endif
