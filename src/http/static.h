/* static.h: the built console (web/dist) as static files, with index.html for console routes. */
#ifndef TIEJIAN_STATIC_H
#define TIEJIAN_STATIC_H

#include "http/request.h"

/* Answer a GET/HEAD for a path outside /api/: the file, index.html for a console route (a path
 * without a file extension), or 404. Hashed assets under /assets/ are cached for a year;
 * index.html is never cached. */
enum status static_serve(struct request *req);

/* The Content-Type for a file name, by extension. */
const char *static_content_type(const char *name);

#endif
