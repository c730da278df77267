/* embed.h: reference data files (the CSVs of data/) compiled into the binary by scripts/embed-data.sh. */
#ifndef TIEJIAN_EMBED_H
#define TIEJIAN_EMBED_H

#include <stddef.h>

struct embedded_file {
	const char *path; /* "data/holidays.csv" */
	const char *data; /* the whole file, NUL-terminated */
	size_t len;
};

/* Terminated by an entry whose path is NULL. Static storage; never freed. */
extern const struct embedded_file embedded_files[];

/* The embedded file at path, or NULL. */
const struct embedded_file *embed_find(const char *path);

#endif
