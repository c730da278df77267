/* liaison_sql.c: every statement of liaison and visits, and the module's migrations. */
#include "auth/scope.h"
#include "modules/liaison/liaison_sql.h"

/* ---- migrations ----------------------------------------------------------------------------- */

/*
 * 1: the tables. An assignment (包联) ties one official to one enterprise in one capacity from
 * start_on to end_on (inclusive; NULL open). `active` says whether it holds today: set when it
 * is written and kept by the daily part of the liaison job, so the liaison data scope
 * (SCOPE_PRED in src/auth/scope.h) reads one indexed column. Ended assignments stay: the
 * history. A visit (走访) belongs to its enterprise; its people are the officials who went; its
 * problems are appeals filed in the same transaction (visit_problems links them, and the appeal
 * carries source_kind 'visit' back).
 */
#define MIGRATION_1                                                                                \
	"CREATE TABLE liaisons ("                                                                  \
	" id @ID@,"                                                                                \
	" enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),"                               \
	" user_id BIGINT NOT NULL REFERENCES users(id),"                                           \
	" kind TEXT NOT NULL CHECK (kind IN ('leader','cadre','contact')),"                        \
	" start_on TEXT NOT NULL,"                                                                 \
	" end_on TEXT,"                                                                            \
	" active INTEGER NOT NULL DEFAULT 0,"                                                      \
	" source TEXT NOT NULL CHECK (source IN ('manual','import','rule','reassign','demo')),"    \
	" note TEXT,"                                                                              \
	" created_by BIGINT,"                                                                      \
	" created_at BIGINT NOT NULL,"                                                             \
	" updated_at BIGINT NOT NULL,"                                                             \
	" ended_by BIGINT,"                                                                        \
	" ended_at BIGINT,"                                                                        \
	" end_reason TEXT,"                                                                        \
	" replaced_by BIGINT);"                                                                    \
	"CREATE INDEX liaisons_user ON liaisons (user_id, active, enterprise_id);"                 \
	"CREATE INDEX liaisons_enterprise ON liaisons (enterprise_id, active, kind);"              \
	"CREATE TABLE liaison_settings ("                                                          \
	" key TEXT PRIMARY KEY,"                                                                   \
	" value BIGINT NOT NULL,"                                                                  \
	" updated_at BIGINT NOT NULL,"                                                             \
	" updated_by BIGINT);"                                                                     \
	"CREATE TABLE visits ("                                                                    \
	" id @ID@,"                                                                                \
	" enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),"                               \
	" visit_on TEXT NOT NULL,"                                                                 \
	" month INTEGER NOT NULL,"                                                                 \
	" mode TEXT NOT NULL CHECK (mode IN ('onsite','phone','video')),"                          \
	" summary TEXT NOT NULL,"                                                                  \
	" others TEXT,"                                                                            \
	" reason TEXT,"                                                                            \
	" over_cap INTEGER NOT NULL DEFAULT 0,"                                                    \
	" in_quiet INTEGER NOT NULL DEFAULT 0,"                                                    \
	" problems INTEGER NOT NULL DEFAULT 0,"                                                    \
	" created_by BIGINT NOT NULL REFERENCES users(id),"                                        \
	" creator_org_id BIGINT NOT NULL REFERENCES orgs(id),"                                     \
	" created_at BIGINT NOT NULL,"                                                             \
	" updated_at BIGINT NOT NULL,"                                                             \
	" rating TEXT CHECK (rating IN ('helpful','neutral','disturbing')),"                       \
	" rating_comment TEXT,"                                                                    \
	" rated_at BIGINT,"                                                                        \
	" rated_by BIGINT);"                                                                       \
	"CREATE INDEX visits_enterprise ON visits (enterprise_id, visit_on);"                      \
	"CREATE INDEX visits_month ON visits (enterprise_id, month);"                              \
	"CREATE INDEX visits_day ON visits (visit_on, id);"                                        \
	"CREATE INDEX visits_creator ON visits (created_by, visit_on);"                            \
	"CREATE TABLE visit_people ("                                                              \
	" visit_id BIGINT NOT NULL REFERENCES visits(id),"                                         \
	" user_id BIGINT NOT NULL REFERENCES users(id),"                                           \
	" PRIMARY KEY (visit_id, user_id));"                                                       \
	"CREATE INDEX visit_people_user ON visit_people (user_id, visit_id);"                      \
	"CREATE TABLE visit_problems ("                                                            \
	" visit_id BIGINT NOT NULL REFERENCES visits(id),"                                         \
	" seq INTEGER NOT NULL,"                                                                   \
	" appeal_id BIGINT NOT NULL UNIQUE REFERENCES appeals(id),"                                \
	" PRIMARY KEY (visit_id, seq));"                                                           \
	"CREATE TABLE quiet_periods ("                                                             \
	" id @ID@,"                                                                                \
	" enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),"                               \
	" start_on TEXT NOT NULL,"                                                                 \
	" end_on TEXT NOT NULL,"                                                                   \
	" reason TEXT NOT NULL,"                                                                   \
	" created_by BIGINT,"                                                                      \
	" created_at BIGINT NOT NULL,"                                                             \
	" cancelled_by BIGINT,"                                                                    \
	" cancelled_at BIGINT);"                                                                   \
	"CREATE INDEX quiet_periods_enterprise ON quiet_periods (enterprise_id, end_on);"          \
	"CREATE TABLE liaison_reminders ("                                                         \
	" user_id BIGINT NOT NULL REFERENCES users(id),"                                           \
	" week TEXT NOT NULL,"                                                                     \
	" overdue INTEGER NOT NULL,"                                                               \
	" sent_at BIGINT NOT NULL,"                                                                \
	" PRIMARY KEY (user_id, week));"

/*
 * 2: the permissions for the built-in roles, and the cadre's data scope.
 *   liaison.read    who liaises with an enterprise (everyone in business; the enterprise itself)
 *   liaison.assign  assign, end and reassign liaisons; import; assign by rule (leader, handler)
 *   liaison.admin   the 无事不扰 settings (leader)
 *   liaison.stats   coverage and its export (leader, supervisor, statistician, handler)
 *   visit.read      visits (everyone in business; the enterprise its own)
 *   visit.write     log a visit (leader, handler, cadre)
 *   visit.feedback  rate a visit, declare quiet periods (the enterprise)
 * A cadre (包联干部) sees the enterprises it liaises with, and what it did itself: its role's
 * scope becomes 'liaison' (docs/liaison.md says why).
 */
#define MIGRATION_2                                                                                \
	"INSERT INTO role_perms (role_id, perm) SELECT r.id, p.perm FROM roles r JOIN ("           \
	" SELECT 'leader' AS role, 'liaison.read' AS perm"                                         \
	" UNION ALL SELECT 'leader', 'liaison.assign'"                                             \
	" UNION ALL SELECT 'leader', 'liaison.admin'"                                              \
	" UNION ALL SELECT 'leader', 'liaison.stats'"                                              \
	" UNION ALL SELECT 'leader', 'visit.read'"                                                 \
	" UNION ALL SELECT 'leader', 'visit.write'"                                                \
	" UNION ALL SELECT 'supervisor', 'liaison.read'"                                           \
	" UNION ALL SELECT 'supervisor', 'liaison.stats'"                                          \
	" UNION ALL SELECT 'supervisor', 'visit.read'"                                             \
	" UNION ALL SELECT 'handler', 'liaison.read'"                                              \
	" UNION ALL SELECT 'handler', 'liaison.assign'"                                            \
	" UNION ALL SELECT 'handler', 'liaison.stats'"                                             \
	" UNION ALL SELECT 'handler', 'visit.read'"                                                \
	" UNION ALL SELECT 'handler', 'visit.write'"                                               \
	" UNION ALL SELECT 'cadre', 'liaison.read'"                                                \
	" UNION ALL SELECT 'cadre', 'visit.read'"                                                  \
	" UNION ALL SELECT 'cadre', 'visit.write'"                                                 \
	" UNION ALL SELECT 'statistician', 'liaison.read'"                                         \
	" UNION ALL SELECT 'statistician', 'liaison.stats'"                                        \
	" UNION ALL SELECT 'statistician', 'visit.read'"                                           \
	" UNION ALL SELECT 'dispatcher', 'liaison.read'"                                           \
	" UNION ALL SELECT 'dispatcher', 'visit.read'"                                             \
	" UNION ALL SELECT 'enterprise', 'liaison.read'"                                           \
	" UNION ALL SELECT 'enterprise', 'visit.read'"                                             \
	" UNION ALL SELECT 'enterprise', 'visit.feedback'"                                         \
	") p ON p.role = r.code WHERE r.builtin = 1"                                               \
	" AND NOT EXISTS (SELECT 1 FROM role_perms x WHERE x.role_id = r.id AND x.perm = p.perm);" \
	"UPDATE roles SET scope = 'liaison' WHERE code = 'cadre' AND builtin = 1;"

const struct migration liaison_migrations[] = {
	{ 1, MIGRATION_1, NULL },
	{ 2, MIGRATION_2, NULL },
	{ 0, NULL, NULL },
};

/* ---- people and enterprises --------------------------------------------------------------------
 */

#define ENT_SCOPE SCOPE_PRED("o.path", "e.org_id", "NULL", "e.id")

/* The enterprise $6 within the route's scope. */
const struct sql SQL_LI_ENTERPRISE =
	SQL("SELECT e.id, e.name, e.org_id, o.path, e.region_code, e.status, e.above_scale"
	    " FROM enterprises e JOIN orgs o ON o.id = e.org_id WHERE " ENT_SCOPE " AND e.id = $6");
/* An official, by id or by username. */
#define USER_COLUMNS                                                                               \
	"SELECT u.id, u.username, u.display_name, u.org_id, o.name, o.path, u.status,"             \
	" u.enterprise_id, u.mobile FROM users u JOIN orgs o ON o.id = u.org_id"
const struct sql SQL_LI_USER = SQL(USER_COLUMNS " WHERE u.id = $1");
const struct sql SQL_LI_USER_BY_NAME = SQL(USER_COLUMNS " WHERE u.username = $1");
/* Whether the user holds the permission $2 through a role. */
const struct sql SQL_LI_USER_HAS_PERM =
	SQL("SELECT COUNT(*) FROM user_roles ur JOIN role_perms rp ON rp.role_id = ur.role_id"
	    " WHERE ur.user_id = $1 AND rp.perm = $2");
/* Officials who may be assigned (active, of a bureau, able to log visits): $1 a name or
 * username fragment (LIKE-escaped), $2 an org path they are at or below; with their current
 * assignments. */
const struct sql SQL_LI_CANDIDATES =
	SQL("SELECT u.id, u.username, u.display_name, o.id, o.name, u.mobile,"
	    " (SELECT COUNT(*) FROM liaisons l WHERE l.user_id = u.id AND l.active = 1)"
	    " FROM users u JOIN orgs o ON o.id = u.org_id"
	    " WHERE u.status = 'active' AND u.enterprise_id IS NULL"
	    " AND EXISTS (SELECT 1 FROM user_roles ur JOIN role_perms rp ON rp.role_id = ur.role_id"
	    " WHERE ur.user_id = u.id AND rp.perm = 'visit.write')"
	    " AND (CAST($1 AS TEXT) IS NULL OR u.display_name LIKE '%' || $1 || '%' ESCAPE '\\'"
	    " OR u.username LIKE '%' || $1 || '%' ESCAPE '\\')"
	    " AND (CAST($2 AS TEXT) IS NULL OR o.path LIKE $2 || '%')"
	    " ORDER BY o.path, u.display_name, u.id LIMIT 50");

/* ---- assignments ------------------------------------------------------------------------------
 */

#define LI_COLUMNS                                                                                 \
	"l.id, l.enterprise_id, e.name, l.user_id, u.display_name, uo.name, u.mobile, l.kind,"     \
	" l.start_on, l.end_on, l.active, l.source, l.note, l.created_at, l.ended_at,"             \
	" l.end_reason, l.replaced_by, cu.display_name, e.region_code, u.username"
#define LI_FROM                                                                                    \
	" FROM liaisons l JOIN enterprises e ON e.id = l.enterprise_id"                            \
	" JOIN orgs o ON o.id = e.org_id JOIN users u ON u.id = l.user_id"                         \
	" JOIN orgs uo ON uo.id = u.org_id LEFT JOIN users cu ON cu.id = l.created_by"
#define LI_SCOPE   SCOPE_PRED("o.path", "e.org_id", "l.user_id", "e.id")
#define KIND_ORDER "CASE l.kind WHEN 'leader' THEN 0 WHEN 'cadre' THEN 1 ELSE 2 END"

const struct sql SQL_LI_INSERT =
	SQL("INSERT INTO liaisons (enterprise_id, user_id, kind, start_on, end_on, active, source,"
	    " note, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
	    " $10, $10) RETURNING id");
/* An assignment of the same person in the same capacity whose period overlaps [$4, $5]
 * ($5 NULL: open). */
const struct sql SQL_LI_OVERLAP =
	SQL("SELECT id FROM liaisons WHERE enterprise_id = $1 AND user_id = $2 AND kind = $3"
	    " AND (end_on IS NULL OR end_on >= start_on)"
	    " AND start_on <= COALESCE(CAST($5 AS TEXT), '9999-12-31')"
	    " AND COALESCE(end_on, '9999-12-31') >= CAST($4 AS TEXT) AND id <> $6 LIMIT 1");
const struct sql SQL_LI_GET = SQL("SELECT " LI_COLUMNS LI_FROM " WHERE " LI_SCOPE " AND l.id = $6");
/* Change the end, the note and the ending's record: $2 end_on, $3 note, $4 active, $5 reason,
 * $6 who ended it, $7 when ($6, $7 NULL while open), $8 now, $9 the assignment that took over. */
const struct sql SQL_LI_UPDATE =
	SQL("UPDATE liaisons SET end_on = $2, note = $3, active = $4, end_reason = $5,"
	    " ended_by = $6, ended_at = $7, updated_at = $8, replaced_by = $9 WHERE id = $1");
/*
 * The list: $6 enterprise, $7 user, $8 kind, $9 status ('current', 'upcoming', 'ended') with
 * $10 today, $11 region (a county, or a city meaning its counties), $12 a fragment of the
 * enterprise's or the person's name (LIKE-escaped), $13 limit, $14 offset.
 */
#define LI_FILTER                                                                                  \
	" WHERE " LI_SCOPE " AND (CAST($6 AS BIGINT) IS NULL OR l.enterprise_id = $6)"             \
	" AND (CAST($7 AS BIGINT) IS NULL OR l.user_id = $7)"                                      \
	" AND (CAST($8 AS TEXT) IS NULL OR l.kind = $8)"                                           \
	" AND (CAST($9 AS TEXT) IS NULL OR ($9 = 'current' AND l.active = 1)"                      \
	"      OR ($9 = 'upcoming' AND l.start_on > CAST($10 AS TEXT)"                             \
	"          AND (l.end_on IS NULL OR l.end_on >= l.start_on))"                              \
	"      OR ($9 = 'ended' AND l.end_on < CAST($10 AS TEXT)))"                                \
	" AND (CAST($11 AS TEXT) IS NULL OR e.region_code = $11 OR e.city_code = $11)"             \
	" AND (CAST($12 AS TEXT) IS NULL OR e.name LIKE '%' || $12 || '%' ESCAPE '\\'"             \
	"      OR u.display_name LIKE '%' || $12 || '%' ESCAPE '\\')"
const struct sql SQL_LI_LIST =
	SQL("SELECT " LI_COLUMNS LI_FROM LI_FILTER
	    " ORDER BY e.name_initials, e.name, l.enterprise_id, " KIND_ORDER ", l.start_on DESC,"
	    " l.id DESC LIMIT $13 OFFSET $14");
const struct sql SQL_LI_COUNT =
	SQL("SELECT COUNT(*)" LI_FROM LI_FILTER " AND CAST($13 AS BIGINT) IS NULL"
	    " AND CAST($14 AS BIGINT) IS NULL");
/* One enterprise's liaisons ($2 = 1: the ended ones too), current first. */
const struct sql SQL_LI_OF_ENTERPRISE =
	SQL("SELECT " LI_COLUMNS LI_FROM " WHERE l.enterprise_id = $1"
	    " AND (l.active = 1 OR $2 = 1) AND (l.end_on IS NULL OR l.end_on >= l.start_on"
	    " OR $2 = 1)"
	    " ORDER BY l.active DESC, " KIND_ORDER ", l.start_on DESC, l.id DESC");

/*
 * The caller's enterprises ($1): each current assignment with the enterprise's last visit,
 * this month's visits ($2 yyyymm), its open appeals, whether today ($3) is in a quiet period
 * and the caller's own last visit; $4 a name fragment, $5 the cut-off and $6 = 1 for overdue
 * ones only. The least recently visited first.
 */
const struct sql SQL_LI_MINE = SQL(
	"SELECT * FROM (SELECT e.id, e.name, e.region_code, rg.name AS region_name, e.scale,"
	" e.above_scale, e.status, e.address, l.id AS liaison_id, l.kind, l.start_on, l.end_on,"
	" (SELECT MAX(v.visit_on) FROM visits v WHERE v.enterprise_id = e.id) AS last_visit,"
	" (SELECT COUNT(*) FROM visits v WHERE v.enterprise_id = e.id AND v.month = $2)"
	"  AS month_visits,"
	" (SELECT COUNT(*) FROM appeals a WHERE a.enterprise_id = e.id AND a.is_open = 1)"
	"  AS open_appeals,"
	" (SELECT COUNT(*) FROM quiet_periods q WHERE q.enterprise_id = e.id"
	"  AND q.cancelled_at IS NULL AND q.start_on <= CAST($3 AS TEXT)"
	"  AND q.end_on >= CAST($3 AS TEXT)) AS quiet_now,"
	" (SELECT MAX(v.visit_on) FROM visits v JOIN visit_people vp ON vp.visit_id = v.id"
	"  WHERE v.enterprise_id = e.id AND vp.user_id = $1) AS my_last,"
	" e.name_initials"
	" FROM liaisons l JOIN enterprises e ON e.id = l.enterprise_id"
	" LEFT JOIN regions rg ON rg.code = e.region_code"
	" WHERE l.user_id = $1 AND l.active = 1"
	" AND (CAST($4 AS TEXT) IS NULL OR e.name LIKE '%' || $4 || '%' ESCAPE '\\'"
	"      OR e.name_initials LIKE '%' || $4 || '%' ESCAPE '\\')) x"
	" WHERE CAST($6 AS INTEGER) IS NULL"
	" OR x.last_visit IS NULL OR x.last_visit < CAST($5 AS TEXT)"
	" ORDER BY x.last_visit IS NOT NULL, x.last_visit, x.name_initials, x.name, x.liaison_id"
	" LIMIT 500");

/* ---- visits ------------------------------------------------------------------------------------
 */

#define VISIT_COLUMNS                                                                              \
	"v.id, v.enterprise_id, e.name, v.visit_on, v.mode, v.summary, v.others, v.reason,"        \
	" v.over_cap, v.in_quiet, v.created_by, cu.display_name, co.name, v.created_at,"           \
	" v.rating, v.rating_comment, v.rated_at, v.problems, e.region_code, v.updated_at"
#define VISIT_FROM                                                                                 \
	" FROM visits v JOIN enterprises e ON e.id = v.enterprise_id"                              \
	" JOIN orgs o ON o.id = e.org_id JOIN users cu ON cu.id = v.created_by"                    \
	" JOIN orgs co ON co.id = v.creator_org_id"
#define VISIT_SCOPE SCOPE_PRED("o.path", "e.org_id", "v.created_by", "e.id")
#define PEOPLE_SQ                                                                                  \
	", (SELECT group_concat(pu.display_name, '、') FROM visit_people pp"                      \
	" JOIN users pu ON pu.id = pp.user_id WHERE pp.visit_id = v.id)"
#define PEOPLE_PG                                                                                  \
	", (SELECT string_agg(pu.display_name, '、' ORDER BY pu.id) FROM visit_people pp"         \
	" JOIN users pu ON pu.id = pp.user_id WHERE pp.visit_id = v.id)"

const struct sql SQL_VISIT_INSERT =
	SQL("INSERT INTO visits (enterprise_id, visit_on, month, mode, summary, others, reason,"
	    " over_cap, in_quiet, problems, created_by, creator_org_id, created_at, updated_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id");
const struct sql SQL_VISIT_PERSON_INSERT =
	SQL("INSERT INTO visit_people (visit_id, user_id) VALUES ($1, $2)");
const struct sql SQL_VISIT_PROBLEM_INSERT =
	SQL("INSERT INTO visit_problems (visit_id, seq, appeal_id) VALUES ($1, $2, $3)");
const struct sql SQL_VISIT_GET =
	SQL2("SELECT " VISIT_COLUMNS PEOPLE_SQ VISIT_FROM " WHERE " VISIT_SCOPE " AND v.id = $6",
	     "SELECT " VISIT_COLUMNS PEOPLE_PG VISIT_FROM " WHERE " VISIT_SCOPE " AND v.id = $6");
/*
 * The list: $6 enterprise, $7 a person who went, $8 from, $9 to (dates), $10 mode, $11 rating
 * ('none': not rated), $12 region (county or city), $13 = 1 with problems only, $14 limit,
 * $15 offset. Newest first.
 */
#define VISIT_FILTER                                                                               \
	" WHERE " VISIT_SCOPE " AND (CAST($6 AS BIGINT) IS NULL OR v.enterprise_id = $6)"          \
	" AND (CAST($7 AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM visit_people vq"                \
	"      WHERE vq.visit_id = v.id AND vq.user_id = $7))"                                     \
	" AND (CAST($8 AS TEXT) IS NULL OR v.visit_on >= $8)"                                      \
	" AND (CAST($9 AS TEXT) IS NULL OR v.visit_on <= $9)"                                      \
	" AND (CAST($10 AS TEXT) IS NULL OR v.mode = $10)"                                         \
	" AND (CAST($11 AS TEXT) IS NULL OR v.rating = $11 OR ($11 = 'none' AND v.rating IS "      \
	"NULL))"                                                                                   \
	" AND (CAST($12 AS TEXT) IS NULL OR e.region_code = $12 OR e.city_code = $12)"             \
	" AND (CAST($13 AS INTEGER) IS NULL OR v.problems > 0)"
const struct sql SQL_VISIT_LIST = SQL2("SELECT " VISIT_COLUMNS PEOPLE_SQ VISIT_FROM VISIT_FILTER
				       " ORDER BY v.visit_on DESC, v.id DESC LIMIT $14 OFFSET $15",
				       "SELECT " VISIT_COLUMNS PEOPLE_PG VISIT_FROM VISIT_FILTER
				       " ORDER BY v.visit_on DESC, v.id DESC LIMIT $14 OFFSET $15");
const struct sql SQL_VISIT_COUNT =
	SQL("SELECT COUNT(*)" VISIT_FROM VISIT_FILTER " AND CAST($14 AS BIGINT) IS NULL"
	    " AND CAST($15 AS BIGINT) IS NULL");
/* The people of a visit. */
const struct sql SQL_VISIT_PEOPLE = SQL(
	"SELECT u.id, u.display_name, o.name FROM visit_people vp JOIN users u ON u.id = vp.user_id"
	" JOIN orgs o ON o.id = u.org_id WHERE vp.visit_id = $1 ORDER BY u.id");
/* The appeals a visit filed, in the order they were written. */
const struct sql SQL_VISIT_PROBLEMS =
	SQL("SELECT appeal_id FROM visit_problems WHERE visit_id = $1 ORDER BY seq");
/* An enterprise's visits in the month $2 (yyyymm), all units: for the cap. */
const struct sql SQL_VISIT_MONTH =
	SQL("SELECT v.id, v.visit_on, v.mode, v.created_by, cu.display_name, co.name, v.summary"
	    " FROM visits v JOIN users cu ON cu.id = v.created_by"
	    " JOIN orgs co ON co.id = v.creator_org_id WHERE v.enterprise_id = $1 AND v.month = $2"
	    " ORDER BY v.visit_on, v.id");
const struct sql SQL_VISIT_RATE =
	SQL("UPDATE visits SET rating = $2, rating_comment = $3, rated_at = $4, rated_by = $5,"
	    " updated_at = $4 WHERE id = $1");
/* An enterprise's recent visits ($2 how many) and its totals: the 360 section. */
const struct sql SQL_VISIT_RECENT =
	SQL2("SELECT " VISIT_COLUMNS PEOPLE_SQ VISIT_FROM " WHERE " VISIT_SCOPE
	     " AND v.enterprise_id = $6 ORDER BY v.visit_on DESC, v.id DESC LIMIT $7",
	     "SELECT " VISIT_COLUMNS PEOPLE_PG VISIT_FROM " WHERE " VISIT_SCOPE
	     " AND v.enterprise_id = $6 ORDER BY v.visit_on DESC, v.id DESC LIMIT $7");
/* $7 the first day of the year: visits this year, last visit, ratings, problems. */
const struct sql SQL_VISIT_TOTALS =
	SQL("SELECT COUNT(*), MAX(v.visit_on),"
	    " COALESCE(SUM(CASE WHEN v.visit_on >= CAST($7 AS TEXT) THEN 1 ELSE 0 END), 0),"
	    " COALESCE(SUM(CASE WHEN v.rating = 'helpful' THEN 1 ELSE 0 END), 0),"
	    " COALESCE(SUM(CASE WHEN v.rating = 'neutral' THEN 1 ELSE 0 END), 0),"
	    " COALESCE(SUM(CASE WHEN v.rating = 'disturbing' THEN 1 ELSE 0 END), 0),"
	    " COALESCE(SUM(v.problems), 0)" VISIT_FROM " WHERE " VISIT_SCOPE
	    " AND v.enterprise_id = $6");

/* ---- quiet periods ----------------------------------------------------------------------------
 */

const struct sql SQL_QUIET_INSERT =
	SQL("INSERT INTO quiet_periods (enterprise_id, start_on, end_on, reason, created_by,"
	    " created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
/* The periods not over by $2 (today), not cancelled. */
const struct sql SQL_QUIET_OF_ENTERPRISE = SQL(
	"SELECT q.id, q.start_on, q.end_on, q.reason, q.created_at, u.display_name"
	" FROM quiet_periods q LEFT JOIN users u ON u.id = q.created_by"
	" WHERE q.enterprise_id = $1 AND q.cancelled_at IS NULL AND q.end_on >= CAST($2 AS TEXT)"
	" ORDER BY q.start_on, q.id");
const struct sql SQL_QUIET_GET =
	SQL("SELECT q.id, q.enterprise_id, q.start_on, q.end_on, q.reason, q.cancelled_at"
	    " FROM quiet_periods q WHERE q.id = $1");
const struct sql SQL_QUIET_CANCEL =
	SQL("UPDATE quiet_periods SET cancelled_at = $2, cancelled_by = $3 WHERE id = $1"
	    " AND cancelled_at IS NULL");

/* ---- settings ---------------------------------------------------------------------------------
 */

const struct sql SQL_LI_SETTINGS = SQL("SELECT key, value FROM liaison_settings");
const struct sql SQL_LI_SETTING_PUT = SQL(
	"INSERT INTO liaison_settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)"
	" ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3, updated_by = $4");

/* ---- rule-based assignment ---------------------------------------------------------------------
 */

/* The bureau responsible for a region: the county bureau of a county, the city's of a city. */
const struct sql SQL_RULE_BUREAU = SQL(
	"SELECT id, path, name FROM orgs WHERE region_code = $1 AND kind IN ('county', 'city')"
	" AND status = 'active' ORDER BY CASE kind WHEN 'county' THEN 0 ELSE 1 END, id LIMIT 1");
const struct sql SQL_RULE_ORG = SQL("SELECT id, path, name, status FROM orgs WHERE id = $1");
/*
 * The enterprises a rule covers, within the scope: $6 region (county or city), $7 above_scale
 * (NULL any), $8 scale, that have no current or future assignment of kind $9 (today $10).
 */
const struct sql SQL_RULE_ENTERPRISES =
	SQL("SELECT e.id, e.name FROM enterprises e JOIN orgs o ON o.id = e.org_id WHERE " ENT_SCOPE
	    " AND e.status <> 'deregistered' AND (e.region_code = $6 OR e.city_code = $6)"
	    " AND (CAST($7 AS INTEGER) IS NULL OR e.above_scale = $7)"
	    " AND (CAST($8 AS TEXT) IS NULL OR e.scale = $8)"
	    " AND NOT EXISTS (SELECT 1 FROM liaisons l WHERE l.enterprise_id = e.id AND l.kind = $9"
	    " AND (l.end_on IS NULL OR (l.end_on >= CAST($10 AS TEXT) AND l.end_on >= l.start_on)))"
	    " ORDER BY e.id LIMIT 20001");
/* The officials a rule chooses from: active, of a bureau at or below $1 (a path), holding the
 * role $2 and able to log visits, with their current assignments of kind $3. */
const struct sql SQL_RULE_CANDIDATES =
	SQL("SELECT u.id, u.display_name,"
	    " (SELECT COUNT(*) FROM liaisons l WHERE l.user_id = u.id AND l.kind = $3"
	    " AND l.active = 1) FROM users u JOIN orgs o ON o.id = u.org_id"
	    " WHERE u.status = 'active' AND u.enterprise_id IS NULL AND o.path LIKE $1 || '%'"
	    " AND EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	    " WHERE ur.user_id = u.id AND r.code = $2)"
	    " AND EXISTS (SELECT 1 FROM user_roles ur JOIN role_perms rp ON rp.role_id = ur.role_id"
	    " WHERE ur.user_id = u.id AND rp.perm = 'visit.write')"
	    " ORDER BY u.id LIMIT 1000");

/* ---- coverage ----------------------------------------------------------------------------------
 */

/*
 * The enterprises counted: within the scope, not deregistered, $6 a region (county or city),
 * each with its last visit (lv). Covered means lv >= $7, the cut-off (today minus N days).
 */
#define COV_BASE                                                                                   \
	"(SELECT e.id, e.org_id, e.region_code, e.scale, e.above_scale,"                           \
	" (SELECT MAX(v.visit_on) FROM visits v WHERE v.enterprise_id = e.id) AS lv"               \
	" FROM enterprises e JOIN orgs o ON o.id = e.org_id WHERE " ENT_SCOPE                      \
	" AND e.status <> 'deregistered'"                                                          \
	" AND (CAST($6 AS TEXT) IS NULL OR e.region_code = $6 OR e.city_code = $6)) x"
#define COV_SUMS                                                                                   \
	"COUNT(*), COALESCE(SUM(CASE WHEN x.lv >= CAST($7 AS TEXT) THEN 1 ELSE 0 END), 0),"        \
	" COALESCE(SUM(x.above_scale), 0),"                                                        \
	" COALESCE(SUM(CASE WHEN x.above_scale = 1 AND x.lv >= $7 THEN 1 ELSE 0 END), 0),"         \
	" COALESCE(SUM(CASE WHEN x.lv IS NULL THEN 1 ELSE 0 END), 0)"

const struct sql SQL_COV_TOTAL = SQL("SELECT " COV_SUMS " FROM " COV_BASE);
const struct sql SQL_COV_BY_ORG =
	SQL("SELECT x.org_id, g.name, " COV_SUMS " FROM " COV_BASE " JOIN orgs g ON g.id = x.org_id"
	    " GROUP BY x.org_id, g.name, g.path ORDER BY g.path");
const struct sql SQL_COV_BY_REGION =
	SQL("SELECT x.region_code, rg.name, " COV_SUMS " FROM " COV_BASE
	    " LEFT JOIN regions rg ON rg.code = x.region_code GROUP BY x.region_code, rg.name"
	    " ORDER BY x.region_code");
const struct sql SQL_COV_BY_SCALE =
	SQL("SELECT COALESCE(x.scale, ''), " COV_SUMS " FROM " COV_BASE " GROUP BY x.scale"
	    " ORDER BY CASE x.scale WHEN 'large' THEN 0 WHEN 'medium' THEN 1 WHEN 'small' THEN 2"
	    " WHEN 'micro' THEN 3 ELSE 4 END");
/* Overdue enterprises: $8 above_scale (NULL any), $9 limit, $10 offset; the longest unvisited
 * first, with their current liaisons' names. */
#define OVERDUE_WHERE                                                                              \
	" WHERE (x.lv IS NULL OR x.lv < CAST($7 AS TEXT))"                                         \
	" AND (CAST($8 AS INTEGER) IS NULL OR x.above_scale = $8)"
#define OVERDUE_LIST(names)                                                                        \
	"SELECT x.id, e.name, x.region_code, rg.name, x.scale, x.above_scale, x.lv,"               \
	" (SELECT " names " FROM liaisons l JOIN users u ON u.id = l.user_id"                      \
	" WHERE l.enterprise_id = x.id AND l.active = 1) FROM " COV_BASE                           \
	" JOIN enterprises e ON e.id = x.id LEFT JOIN regions rg ON rg.code = "                    \
	"x.region_code" OVERDUE_WHERE                                                              \
	" ORDER BY x.lv IS NOT NULL, x.lv, e.name_initials, e.name, x.id"                          \
	" LIMIT $9 OFFSET $10"
const struct sql SQL_COV_OVERDUE =
	SQL2(OVERDUE_LIST("group_concat(u.display_name, '、')"),
	     OVERDUE_LIST("string_agg(u.display_name, '、' ORDER BY u.id)"));
const struct sql SQL_COV_OVERDUE_COUNT =
	SQL("SELECT COUNT(*) FROM " COV_BASE OVERDUE_WHERE " AND CAST($9 AS BIGINT) IS NULL"
	    " AND CAST($10 AS BIGINT) IS NULL");
/*
 * Per person with current assignments in scope ($8 kind, NULL any): enterprises, overdue ones,
 * and of the visits they went on from $9 to $10 (to enterprises in scope): how many, problems
 * found, problems solved (their appeals closed as solved), ratings.
 */
const struct sql SQL_COV_CADRES = SQL(
	"SELECT u.id, u.display_name, uo.name, COUNT(DISTINCT x.id),"
	" COUNT(DISTINCT CASE WHEN x.lv IS NULL OR x.lv < CAST($7 AS TEXT) THEN x.id END),"
	" COALESCE(MAX(vs.visits), 0), COALESCE(MAX(vs.problems), 0),"
	" COALESCE(MAX(vs.solved), 0), COALESCE(MAX(vs.helpful), 0),"
	" COALESCE(MAX(vs.neutral), 0), COALESCE(MAX(vs.disturbing), 0)"
	" FROM liaisons l JOIN " COV_BASE " ON x.id = l.enterprise_id"
	" JOIN users u ON u.id = l.user_id JOIN orgs uo ON uo.id = u.org_id"
	" LEFT JOIN (SELECT vp.user_id, COUNT(*) AS visits, SUM(v.problems) AS problems,"
	"  SUM(COALESCE(sv.n, 0)) AS solved,"
	"  SUM(CASE WHEN v.rating = 'helpful' THEN 1 ELSE 0 END) AS helpful,"
	"  SUM(CASE WHEN v.rating = 'neutral' THEN 1 ELSE 0 END) AS neutral,"
	"  SUM(CASE WHEN v.rating = 'disturbing' THEN 1 ELSE 0 END) AS disturbing"
	"  FROM visit_people vp JOIN visits v ON v.id = vp.visit_id"
	"  JOIN enterprises e ON e.id = v.enterprise_id JOIN orgs o ON o.id = e.org_id"
	"  LEFT JOIN (SELECT pr.visit_id, COUNT(*) AS n FROM visit_problems pr"
	"   JOIN appeals a ON a.id = pr.appeal_id WHERE a.state = 'closed'"
	"   AND a.outcome = 'solved' GROUP BY pr.visit_id) sv ON sv.visit_id = v.id"
	"  WHERE " VISIT_SCOPE " AND v.visit_on >= CAST($9 AS TEXT)"
	"  AND v.visit_on <= CAST($10 AS TEXT) GROUP BY vp.user_id) vs ON vs.user_id = u.id"
	" WHERE l.active = 1 AND (CAST($8 AS TEXT) IS NULL OR l.kind = $8)"
	" GROUP BY u.id, u.display_name, uo.name, uo.path ORDER BY uo.path, u.display_name, u.id");
/* The visits from $8 to $9 to enterprises in scope ($6 region): totals and ratings. */
const struct sql SQL_COV_VISITS =
	SQL("SELECT COUNT(*), COALESCE(SUM(v.problems), 0),"
	    " COALESCE(SUM(CASE WHEN v.rating = 'helpful' THEN 1 ELSE 0 END), 0),"
	    " COALESCE(SUM(CASE WHEN v.rating = 'neutral' THEN 1 ELSE 0 END), 0),"
	    " COALESCE(SUM(CASE WHEN v.rating = 'disturbing' THEN 1 ELSE 0 END), 0),"
	    " COALESCE(SUM(CASE WHEN v.rating IS NULL THEN 1 ELSE 0 END), 0),"
	    " COALESCE(SUM(v.over_cap), 0), COALESCE(SUM(v.in_quiet), 0),"
	    " COUNT(DISTINCT v.enterprise_id)"
	    " FROM visits v JOIN enterprises e ON e.id = v.enterprise_id"
	    " JOIN orgs o ON o.id = e.org_id WHERE " VISIT_SCOPE
	    " AND (CAST($6 AS TEXT) IS NULL OR e.region_code = $6 OR e.city_code = $6)"
	    " AND CAST($7 AS TEXT) IS NOT NULL"
	    " AND v.visit_on >= CAST($8 AS TEXT) AND v.visit_on <= CAST($9 AS TEXT)");

/* ---- the job ------------------------------------------------------------------------------------
 */

/* Assignments whose period began or ended: $1 today, $2 now. */
const struct sql SQL_LI_JOB_ACTIVATE =
	SQL("UPDATE liaisons SET active = CASE WHEN start_on <= $1 AND (end_on IS NULL OR"
	    " end_on >= $1) THEN 1 ELSE 0 END, updated_at = $2 WHERE active <> CASE WHEN"
	    " start_on <= $1 AND (end_on IS NULL OR end_on >= $1) THEN 1 ELSE 0 END");
/* People with enterprises nobody visited since $1 (the cut-off), not yet told this week ($2). */
const struct sql SQL_LI_JOB_OVERDUE_PEOPLE =
	SQL("SELECT l.user_id, COUNT(DISTINCT l.enterprise_id) FROM liaisons l"
	    " JOIN enterprises e ON e.id = l.enterprise_id JOIN users u ON u.id = l.user_id"
	    " WHERE l.active = 1 AND u.status = 'active' AND e.status <> 'deregistered'"
	    " AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.enterprise_id = l.enterprise_id"
	    " AND v.visit_on >= CAST($1 AS TEXT))"
	    " AND NOT EXISTS (SELECT 1 FROM liaison_reminders r WHERE r.user_id = l.user_id"
	    " AND r.week = CAST($2 AS TEXT))"
	    " GROUP BY l.user_id ORDER BY l.user_id LIMIT 500");
/* A person's overdue enterprises ($2 the cut-off), the longest unvisited first. */
const struct sql SQL_LI_JOB_OVERDUE_NAMES =
	SQL("SELECT x.name, x.lv FROM (SELECT e.name, (SELECT MAX(v.visit_on) FROM visits v"
	    " WHERE v.enterprise_id = e.id) AS lv FROM liaisons l"
	    " JOIN enterprises e ON e.id = l.enterprise_id"
	    " WHERE l.user_id = $1 AND l.active = 1 AND e.status <> 'deregistered'"
	    " AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.enterprise_id = e.id"
	    " AND v.visit_on >= CAST($2 AS TEXT))) x"
	    " ORDER BY x.lv IS NOT NULL, x.lv, x.name LIMIT 5");
const struct sql SQL_LI_JOB_REMINDED = SQL(
	"INSERT INTO liaison_reminders (user_id, week, overdue, sent_at) VALUES ($1, $2, $3, $4)");

/* ---- the demo -----------------------------------------------------------------------------------
 */

const struct sql SQL_LI_DEMO_ANY = SQL("SELECT COUNT(*) FROM liaisons");
const struct sql SQL_LI_DEMO_USER =
	SQL("SELECT u.id, u.username, u.display_name, o.name, o.path, u.org_id FROM users u"
	    " JOIN orgs o ON o.id = u.org_id WHERE u.username = $1");
/* A county's enterprises in operation, 规上 first ($2 how many). */
const struct sql SQL_LI_DEMO_ENTERPRISES =
	SQL("SELECT e.id FROM enterprises e WHERE e.region_code = $1 AND e.status = 'operating'"
	    " ORDER BY e.above_scale DESC, e.id LIMIT $2");
const struct sql SQL_LI_DEMO_CATEGORY = SQL("SELECT id FROM appeal_categories WHERE code = $1");
/* The demo's liaison officials get (fictional) numbers, so an enterprise sees how to reach them. */
const struct sql SQL_LI_DEMO_MOBILE =
	SQL("UPDATE users SET mobile = $2 WHERE id = $1 AND mobile IS NULL");
const struct sql SQL_LI_DEMO_ENTERPRISE_USER = SQL(
	"SELECT id FROM users WHERE enterprise_id = $1 AND status = 'active' ORDER BY id LIMIT 1");
