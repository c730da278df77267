/* panorama_sql.h: the statements of panorama_sql.c (private to the module). */
#ifndef TIEJIAN_PANORAMA_SQL_H
#define TIEJIAN_PANORAMA_SQL_H

#include "db/db.h"

extern const struct sql SQL_PANORAMA_ENTERPRISE;

#endif
