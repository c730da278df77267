/* appeals_sql.c: every statement of the appeals module, and its migrations. */
#include "auth/scope.h"
#include "modules/appeals/appeals_sql.h"

/* ---- migrations ----------------------------------------------------------------------------- */

#define CATEGORY_CHILDREN                                                                          \
	" SELECT '0101' AS code, '银行贷款' AS name, 1 AS sort"                                    \
	" UNION ALL SELECT '0102', '融资担保', 2 UNION ALL SELECT '0103', '上市与直接融资', 3"      \
	" UNION ALL SELECT '0104', '资金补助与贴息', 4"                                             \
	" UNION ALL SELECT '0201', '土地供应', 1 UNION ALL SELECT '0202', '用地手续与不动产登记', 2" \
	" UNION ALL SELECT '0203', '标准厂房与租赁', 3 UNION ALL SELECT '0204', '规划调整', 4"      \
	" UNION ALL SELECT '0301', '用电报装', 1 UNION ALL SELECT '0302', '电价电费', 2"            \
	" UNION ALL SELECT '0303', '供气供热', 3 UNION ALL SELECT '0304', '能耗指标', 4"            \
	" UNION ALL SELECT '0401', '招工难', 1 UNION ALL SELECT '0402', '人才引进', 2"              \
	" UNION ALL SELECT '0403', '技能培训', 3 UNION ALL SELECT '0404', '劳动关系与社保', 4"      \
	" UNION ALL SELECT '0501', '运输成本', 1 UNION ALL SELECT '0502', '仓储设施', 2"            \
	" UNION ALL SELECT '0503', '通行与配送', 3"                                                 \
	" UNION ALL SELECT '0601', '项目审批', 1 UNION ALL SELECT '0602', '环评安评', 2"            \
	" UNION ALL SELECT '0603', '证照办理', 3 UNION ALL SELECT '0604', '竣工验收', 4"            \
	" UNION ALL SELECT '0701', '产销对接', 1 UNION ALL SELECT '0702', '展会推介', 2"            \
	" UNION ALL SELECT '0703', '政府采购', 3 UNION ALL SELECT '0704', '外贸出口', 4"            \
	" UNION ALL SELECT '0801', '技术改造', 1 UNION ALL SELECT '0802', '研发与成果转化', 2"      \
	" UNION ALL SELECT '0803', '数字化转型', 3 UNION ALL SELECT '0804', '知识产权', 4"          \
	" UNION ALL SELECT '0901', '惠企政策', 1 UNION ALL SELECT '0902', '项目资金申报', 2"        \
	" UNION ALL SELECT '0903', '税费政策', 3"                                                   \
	" UNION ALL SELECT '1001', '权益保护', 1 UNION ALL SELECT '1002', '基础设施配套', 2"        \
	" UNION ALL SELECT '1099', '其他事项', 9"

#define MIGRATION_1_SETUP                                                                         \
	"CREATE TABLE appeal_categories ("                                                         \
	" id @ID@,"                                                                                \
	" parent_id BIGINT REFERENCES appeal_categories(id),"                                      \
	" code TEXT NOT NULL UNIQUE,"                                                              \
	" name TEXT NOT NULL,"                                                                     \
	" sort INTEGER NOT NULL DEFAULT 0,"                                                        \
	" status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),"          \
	" created_at BIGINT NOT NULL,"                                                             \
	" updated_at BIGINT NOT NULL);"                                                            \
	"CREATE INDEX appeal_categories_parent ON appeal_categories (parent_id);"                  \
	"INSERT INTO appeal_categories (parent_id, code, name, sort, status, created_at,"          \
	" updated_at) VALUES"                                                                      \
	" (NULL, '01', '融资', 10, 'active', 0, 0), (NULL, '02', '用地', 20, 'active', 0, 0),"     \
	" (NULL, '03', '用电用能', 30, 'active', 0, 0), (NULL, '04', '用工', 40, 'active', 0, 0)," \
	" (NULL, '05', '物流', 50, 'active', 0, 0), (NULL, '06', '审批', 60, 'active', 0, 0),"     \
	" (NULL, '07', '市场开拓', 70, 'active', 0, 0), (NULL, '08', '技术创新', 80, 'active', 0, 0)," \
	" (NULL, '09', '政策咨询', 90, 'active', 0, 0), (NULL, '10', '其他', 100, 'active', 0, 0);" \
	"INSERT INTO appeal_categories (parent_id, code, name, sort, status, created_at,"          \
	" updated_at) SELECT p.id, c.code, c.name, c.sort, 'active', 0, 0 FROM ("                  \
	CATEGORY_CHILDREN ") c JOIN appeal_categories p ON p.code = substr(c.code, 1, 2);"         \
	/* working-day limits per category (0: the default) and urgency */                         \
	"CREATE TABLE appeal_deadlines ("                                                          \
	" category_id BIGINT NOT NULL,"                                                            \
	" urgency TEXT NOT NULL CHECK (urgency IN ('normal','urgent')),"                           \
	" accept_days INTEGER NOT NULL,"                                                           \
	" contact_days INTEGER NOT NULL,"                                                          \
	" interim_days INTEGER NOT NULL,"                                                          \
	" close_days INTEGER NOT NULL,"                                                            \
	" updated_at BIGINT NOT NULL,"                                                             \
	" PRIMARY KEY (category_id, urgency));"                                                    \
	"INSERT INTO appeal_deadlines VALUES (0, 'normal', 1, 1, 3, 7, 0), (0, 'urgent', 1, 1, 2, 5, 0);" \
	"CREATE TABLE appeal_settings ("                                                           \
	" key TEXT PRIMARY KEY,"                                                                   \
	" value BIGINT NOT NULL,"                                                                  \
	" updated_at BIGINT NOT NULL);"                                                            \
	/* category and region → lead unit; 0 and '' match any */                                  \
	"CREATE TABLE appeal_routes ("                                                             \
	" id @ID@,"                                                                                \
	" category_id BIGINT NOT NULL DEFAULT 0,"                                                  \
	" region_code TEXT NOT NULL DEFAULT '',"                                                   \
	" lead_org_id BIGINT NOT NULL REFERENCES orgs(id),"                                        \
	" note TEXT,"                                                                              \
	" created_at BIGINT NOT NULL,"                                                             \
	" updated_at BIGINT NOT NULL,"                                                             \
	" UNIQUE (category_id, region_code));"

#define MIGRATION_2_APPEALS                                                                        \
	"CREATE TABLE appeals ("                                                                   \
	" id @ID@,"                                                                                \
	" enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),"                               \
	" home_org_id BIGINT NOT NULL REFERENCES orgs(id),"                                        \
	" home_path TEXT NOT NULL,"                                                                \
	" region_code TEXT NOT NULL,"                                                              \
	" created_by BIGINT REFERENCES users(id),"                                                 \
	" channel TEXT NOT NULL,"                                                                  \
	" title TEXT NOT NULL,"                                                                    \
	" content TEXT NOT NULL,"                                                                  \
	" category_id BIGINT NOT NULL REFERENCES appeal_categories(id),"                           \
	" category_root BIGINT NOT NULL,"                                                          \
	" urgency TEXT NOT NULL CHECK (urgency IN ('normal','urgent')),"                           \
	" contact_ok INTEGER NOT NULL DEFAULT 1,"                                                  \
	" contact_via TEXT,"                                                                       \
	" contact_name TEXT,"                                                                      \
	" contact_phone TEXT,"                                                                     \
	" state TEXT NOT NULL,"                                                                    \
	" outcome TEXT,"                                                                           \
	" reply TEXT,"                                                                             \
	" plan TEXT,"                                                                              \
	" follow_up_on TEXT,"                                                                      \
	" rating TEXT,"                                                                            \
	" rating_comment TEXT,"                                                                    \
	" lead_org_id BIGINT REFERENCES orgs(id),"                                                 \
	" lead_path TEXT,"                                                                         \
	" suggested_org_id BIGINT REFERENCES orgs(id),"                                            \
	" dispatcher_id BIGINT,"                                                                   \
	" created_at BIGINT NOT NULL,"                                                             \
	" accepted_at BIGINT,"                                                                     \
	" assigned_at BIGINT,"                                                                     \
	" started_at BIGINT,"                                                                      \
	" contacted_at BIGINT,"                                                                    \
	" interim_at BIGINT,"                                                                      \
	" first_replied_at BIGINT,"                                                                \
	" replied_at BIGINT,"                                                                      \
	" closed_at BIGINT,"                                                                       \
	" updated_at BIGINT NOT NULL,"                                                             \
	" accept_span INTEGER NOT NULL,"                                                           \
	" contact_span INTEGER NOT NULL,"                                                          \
	" interim_span INTEGER NOT NULL,"                                                          \
	" close_span INTEGER NOT NULL,"                                                            \
	" rate_span INTEGER NOT NULL DEFAULT 0,"                                                   \
	" base_date TEXT,"                                                                         \
	" paused_days INTEGER NOT NULL DEFAULT 0,"                                                 \
	" paused_total INTEGER NOT NULL DEFAULT 0,"                                                \
	" accept_due TEXT,"                                                                        \
	" contact_due TEXT,"                                                                       \
	" interim_due TEXT,"                                                                       \
	" close_due TEXT,"                                                                         \
	" rate_due TEXT,"                                                                          \
	" due_date TEXT,"                                                                          \
	" suspended_on TEXT,"                                                                      \
	" suspend_until TEXT,"                                                                     \
	" suspend_reason TEXT,"                                                                    \
	" provisional INTEGER NOT NULL DEFAULT 0,"                                                 \
	" extended INTEGER NOT NULL DEFAULT 0,"                                                    \
	" extension_pending INTEGER NOT NULL DEFAULT 0,"                                           \
	" extension_days INTEGER NOT NULL DEFAULT 0,"                                              \
	" extension_reason TEXT,"                                                                  \
	" reopen_count INTEGER NOT NULL DEFAULT 0,"                                                \
	" return_count INTEGER NOT NULL DEFAULT 0,"                                                \
	" late INTEGER NOT NULL DEFAULT 0,"                                                        \
	" escalated_level INTEGER NOT NULL DEFAULT 0,"                                             \
	" escalated_to BIGINT,"                                                                    \
	" escalated_at BIGINT,"                                                                    \
	" escalated_due TEXT,"                                                                     \
	" supervision_open INTEGER NOT NULL DEFAULT 0,"                                            \
	" on_time INTEGER NOT NULL DEFAULT 0,"                                                     \
	" close_workdays INTEGER NOT NULL DEFAULT 0,"                                              \
	" due_soon_notified TEXT,"                                                                 \
	" late_notified TEXT,"                                                                     \
	" duplicate_of BIGINT,"                                                                    \
	" duplicate_reason TEXT,"                                                                  \
	" month INTEGER NOT NULL,"                                                                 \
	" is_open INTEGER NOT NULL DEFAULT 1);"                                                    \
	"CREATE INDEX appeals_enterprise ON appeals (enterprise_id, created_at);"                  \
	"CREATE INDEX appeals_state_id ON appeals (state, id);"                                    \
	"CREATE INDEX appeals_state_due ON appeals (state, due_date, id);"                         \
	"CREATE INDEX appeals_open_due ON appeals (is_open, due_date, id);"                        \
	"CREATE INDEX appeals_lead ON appeals (lead_org_id, state);"                               \
	"CREATE INDEX appeals_home ON appeals (home_org_id, state);"                               \
	"CREATE INDEX appeals_escalated_to ON appeals (escalated_to);"                             \
	"CREATE INDEX appeals_rate_due ON appeals (rate_due) WHERE state = 'replied';"             \
	"CREATE INDEX appeals_suspended ON appeals (suspend_until) WHERE state = 'suspended';"     \
	"CREATE INDEX appeals_provisional ON appeals (id) WHERE provisional = 1;"

#define MIGRATION_3_DETAILS                                                                        \
	"CREATE TABLE appeal_co_units ("                                                           \
	" appeal_id BIGINT NOT NULL REFERENCES appeals(id),"                                       \
	" org_id BIGINT NOT NULL REFERENCES orgs(id),"                                             \
	" org_path TEXT NOT NULL,"                                                                 \
	" PRIMARY KEY (appeal_id, org_id));"                                                       \
	"CREATE INDEX appeal_co_units_org ON appeal_co_units (org_id);"                            \
	"CREATE TABLE appeal_events ("                                                             \
	" id @ID@,"                                                                                \
	" appeal_id BIGINT NOT NULL REFERENCES appeals(id),"                                       \
	" at BIGINT NOT NULL,"                                                                     \
	" user_id BIGINT,"                                                                         \
	" actor_name TEXT NOT NULL,"                                                               \
	" actor_org TEXT,"                                                                         \
	" action TEXT NOT NULL,"                                                                   \
	" from_state TEXT,"                                                                        \
	" to_state TEXT,"                                                                          \
	" public INTEGER NOT NULL,"                                                                \
	" message TEXT,"                                                                           \
	" detail TEXT);"                                                                           \
	"CREATE INDEX appeal_events_appeal ON appeal_events (appeal_id, id);"                      \
	"CREATE TABLE appeal_supervisions ("                                                       \
	" id @ID@,"                                                                                \
	" appeal_id BIGINT NOT NULL REFERENCES appeals(id),"                                       \
	" by_user_id BIGINT,"                                                                      \
	" by_name TEXT NOT NULL,"                                                                  \
	" note TEXT NOT NULL,"                                                                     \
	" due_date TEXT NOT NULL,"                                                                 \
	" created_at BIGINT NOT NULL,"                                                             \
	" answered_at BIGINT,"                                                                     \
	" answered_by TEXT,"                                                                       \
	" answer TEXT,"                                                                            \
	" late_notified INTEGER NOT NULL DEFAULT 0);"                                              \
	"CREATE INDEX appeal_supervisions_appeal ON appeal_supervisions (appeal_id, id);"          \
	"CREATE INDEX appeal_supervisions_open ON appeal_supervisions (due_date)"                  \
	" WHERE answered_at IS NULL;"                                                              \
	"CREATE TABLE appeal_attachments ("                                                        \
	" id @ID@,"                                                                                \
	" appeal_id BIGINT NOT NULL REFERENCES appeals(id),"                                       \
	" name TEXT NOT NULL,"                                                                     \
	" stored_name TEXT NOT NULL UNIQUE,"                                                       \
	" kind TEXT NOT NULL,"                                                                     \
	" size_bytes BIGINT NOT NULL,"                                                             \
	" sha256 TEXT NOT NULL,"                                                                   \
	" internal INTEGER NOT NULL DEFAULT 0,"                                                    \
	" uploaded_by BIGINT,"                                                                     \
	" uploader_name TEXT NOT NULL,"                                                            \
	" created_at BIGINT NOT NULL);"                                                            \
	"CREATE INDEX appeal_attachments_appeal ON appeal_attachments (appeal_id, id);"

#define MIGRATION_4_COUNTERS                                                                       \
	/* maintained counters: one row per scope key × dimension value × month filed */           \
	"CREATE TABLE appeal_stats ("                                                              \
	" kind INTEGER NOT NULL,"                                                                  \
	" scope_id BIGINT NOT NULL,"                                                               \
	" dim INTEGER NOT NULL,"                                                                   \
	" value BIGINT NOT NULL,"                                                                  \
	" month INTEGER NOT NULL,"                                                                 \
	" received BIGINT NOT NULL DEFAULT 0,"                                                     \
	" accepted BIGINT NOT NULL DEFAULT 0,"                                                     \
	" rejected BIGINT NOT NULL DEFAULT 0,"                                                     \
	" withdrawn BIGINT NOT NULL DEFAULT 0,"                                                    \
	" replied BIGINT NOT NULL DEFAULT 0,"                                                      \
	" closed BIGINT NOT NULL DEFAULT 0,"                                                       \
	" solved BIGINT NOT NULL DEFAULT 0,"                                                       \
	" on_time BIGINT NOT NULL DEFAULT 0,"                                                      \
	" rated BIGINT NOT NULL DEFAULT 0,"                                                        \
	" satisfied BIGINT NOT NULL DEFAULT 0,"                                                    \
	" reopened BIGINT NOT NULL DEFAULT 0,"                                                     \
	" returned BIGINT NOT NULL DEFAULT 0,"                                                     \
	" returns BIGINT NOT NULL DEFAULT 0,"                                                      \
	" escalated BIGINT NOT NULL DEFAULT 0,"                                                    \
	" late BIGINT NOT NULL DEFAULT 0,"                                                         \
	" open BIGINT NOT NULL DEFAULT 0,"                                                         \
	" close_days BIGINT NOT NULL DEFAULT 0,"                                                   \
	" PRIMARY KEY (kind, scope_id, dim, value, month));"

/*
 * 6: the permissions of appeals, cases and notifications for the built-in roles, and the
 * dispatcher (诉求受理员) role. Who does what:
 *   enterprise   files its own appeals, adds to them, withdraws, rates; sees its own counts
 *   cadre        files on an enterprise's behalf (走访发现) and follows them
 *   handler      the county (or city) bureau's handler: first receiver of the appeals of its
 *                org's enterprises (受理/不予受理/交办, takes returns), and works those its unit
 *                leads (签收、联系、答复、挂起、申请延期、回退) or co-handles (协办意见)
 *   dispatcher   a dedicated appeal desk (a 12345 or 企业服务 desk): receives and assigns in its
 *                subtree, keeps categories, routing rules and limits, promotes typical cases
 *   supervisor   supervises (督办), approves "not yet possible" answers, reopens
 *   leader       supervises, approves extensions, receives escalations, keeps the appeal
 *                settings (categories, routing rules, time limits)
 *   statistician reads the appeals and their statistics
 *   sysadmin     configures the outgoing webhook (an integration, not business data)
 */
#define MIGRATION_6_ROLES                                                                          \
	"INSERT INTO roles (code, name, scope, admin_kind, builtin, created_at)"                    \
	" SELECT 'dispatcher', '诉求受理员', 'subtree', NULL, 1, 0"                                \
	" WHERE NOT EXISTS (SELECT 1 FROM roles WHERE code = 'dispatcher');"                       \
	"INSERT INTO role_perms (role_id, perm) SELECT r.id, p.perm FROM roles r JOIN ("            \
	" SELECT 'enterprise' AS role, 'appeal.read' AS perm"                                      \
	" UNION ALL SELECT 'enterprise', 'appeal.create'"                                          \
	" UNION ALL SELECT 'enterprise', 'appeal.stats'"                                           \
	" UNION ALL SELECT 'cadre', 'appeal.read'"                                                 \
	" UNION ALL SELECT 'cadre', 'appeal.create'"                                               \
	" UNION ALL SELECT 'cadre', 'case.read'"                                                   \
	" UNION ALL SELECT 'dispatcher', 'enterprise.read'"                                        \
	" UNION ALL SELECT 'dispatcher', 'appeal.read'"                                            \
	" UNION ALL SELECT 'dispatcher', 'appeal.create'"                                          \
	" UNION ALL SELECT 'dispatcher', 'appeal.dispatch'"                                        \
	" UNION ALL SELECT 'dispatcher', 'appeal.stats'"                                           \
	" UNION ALL SELECT 'dispatcher', 'appeal.admin'"                                           \
	" UNION ALL SELECT 'dispatcher', 'case.read'"                                              \
	" UNION ALL SELECT 'dispatcher', 'case.write'"                                             \
	" UNION ALL SELECT 'handler', 'appeal.read'"                                               \
	" UNION ALL SELECT 'handler', 'appeal.create'"                                             \
	" UNION ALL SELECT 'handler', 'appeal.handle'"                                             \
	" UNION ALL SELECT 'handler', 'appeal.dispatch'"                                           \
	" UNION ALL SELECT 'handler', 'appeal.stats'"                                              \
	" UNION ALL SELECT 'handler', 'case.read'"                                                 \
	" UNION ALL SELECT 'supervisor', 'appeal.read'"                                            \
	" UNION ALL SELECT 'supervisor', 'appeal.supervise'"                                       \
	" UNION ALL SELECT 'supervisor', 'appeal.stats'"                                           \
	" UNION ALL SELECT 'supervisor', 'case.read'"                                              \
	" UNION ALL SELECT 'supervisor', 'case.write'"                                             \
	" UNION ALL SELECT 'leader', 'appeal.read'"                                                \
	" UNION ALL SELECT 'leader', 'appeal.supervise'"                                           \
	" UNION ALL SELECT 'leader', 'appeal.approve'"                                             \
	" UNION ALL SELECT 'leader', 'appeal.stats'"                                               \
	" UNION ALL SELECT 'leader', 'appeal.admin'"                                               \
	" UNION ALL SELECT 'leader', 'case.read'"                                                  \
	" UNION ALL SELECT 'leader', 'case.write'"                                                 \
	" UNION ALL SELECT 'statistician', 'appeal.read'"                                          \
	" UNION ALL SELECT 'statistician', 'appeal.stats'"                                         \
	" UNION ALL SELECT 'statistician', 'case.read'"                                            \
	" UNION ALL SELECT 'sysadmin', 'notify.admin'"                                             \
	") p ON p.role = r.code WHERE r.builtin = 1"                                               \
	" AND NOT EXISTS (SELECT 1 FROM role_perms x WHERE x.role_id = r.id AND x.perm = p.perm);"

const struct migration appeals_migrations[] = {
	{1, MIGRATION_1_SETUP, NULL},
	{2, MIGRATION_2_APPEALS, NULL},
	{3, MIGRATION_3_DETAILS, NULL},
	{4, MIGRATION_4_COUNTERS, NULL},
	/* SQLite: a contentless FTS5 index of the bigram tokens (appeal text never changes after
	 * filing); PostgreSQL: the tokens as an array with a GIN index. */
	{5,
	 "CREATE VIRTUAL TABLE appeals_fts USING fts5(grams, content='', tokenize='ascii',"
	 " detail=none);",
	 "ALTER TABLE appeals ADD COLUMN grams TEXT[];"
	 "CREATE INDEX appeals_grams ON appeals USING gin (grams);"},
	{6, MIGRATION_6_ROLES, NULL},
	/* 7: access paths for a million appeals: the scope keys of each appeal (a list for one
	 * key reads only its appeals, newest first), the order "by deadline, none last", and the
	 * counters by month. The keys of appeals filed before it are written at start-up. */
	{7,
	 "CREATE TABLE appeal_keys ("
	 " kind INTEGER NOT NULL,"
	 " scope_id BIGINT NOT NULL,"
	 " appeal_id BIGINT NOT NULL REFERENCES appeals(id),"
	 " PRIMARY KEY (kind, scope_id, appeal_id));"
	 "CREATE INDEX appeal_keys_appeal ON appeal_keys (appeal_id);"
	 "CREATE INDEX appeals_due_order ON appeals ((due_date IS NULL), due_date, id);"
	 "CREATE INDEX appeal_stats_month ON appeal_stats (kind, scope_id, dim, month);",
	 NULL},
	/* 8: where an appeal came from when another module filed it (a visit's problem: "visit"
	 * and the visit's id), so the appeal links back to it. */
	{8,
	 "ALTER TABLE appeals ADD COLUMN source_kind TEXT;"
	 "ALTER TABLE appeals ADD COLUMN source_id BIGINT;",
	 NULL},
	/* 9: whether each key's appeal is open, so "my work" reads a county's or a unit's open
	 * appeals only, out of the hundreds of thousands closed */
	{9,
	 "ALTER TABLE appeal_keys ADD COLUMN open INTEGER NOT NULL DEFAULT 1;"
	 "UPDATE appeal_keys SET open = (SELECT a.is_open FROM appeals a"
	 " WHERE a.id = appeal_keys.appeal_id);"
	 "CREATE INDEX appeal_keys_open ON appeal_keys (kind, scope_id, open, appeal_id);",
	 NULL},
	/* 10: SQLite keeps the counter cells in their key's order (WITHOUT ROWID, by key,
	 * dimension and month): the statistics of a key read one contiguous range, without a
	 * lookup per cell. PostgreSQL's index on the same columns is enough. */
	{10,
	 "CREATE TABLE appeal_stats_by_key ("
	 " kind INTEGER NOT NULL, scope_id BIGINT NOT NULL, dim INTEGER NOT NULL,"
	 " value BIGINT NOT NULL, month INTEGER NOT NULL,"
	 " received BIGINT NOT NULL DEFAULT 0, accepted BIGINT NOT NULL DEFAULT 0,"
	 " rejected BIGINT NOT NULL DEFAULT 0, withdrawn BIGINT NOT NULL DEFAULT 0,"
	 " replied BIGINT NOT NULL DEFAULT 0, closed BIGINT NOT NULL DEFAULT 0,"
	 " solved BIGINT NOT NULL DEFAULT 0, on_time BIGINT NOT NULL DEFAULT 0,"
	 " rated BIGINT NOT NULL DEFAULT 0, satisfied BIGINT NOT NULL DEFAULT 0,"
	 " reopened BIGINT NOT NULL DEFAULT 0, returned BIGINT NOT NULL DEFAULT 0,"
	 " returns BIGINT NOT NULL DEFAULT 0, escalated BIGINT NOT NULL DEFAULT 0,"
	 " late BIGINT NOT NULL DEFAULT 0, open BIGINT NOT NULL DEFAULT 0,"
	 " close_days BIGINT NOT NULL DEFAULT 0,"
	 " PRIMARY KEY (kind, scope_id, dim, month, value)) WITHOUT ROWID;"
	 "INSERT INTO appeal_stats_by_key SELECT kind, scope_id, dim, value, month, received,"
	 " accepted, rejected, withdrawn, replied, closed, solved, on_time, rated, satisfied,"
	 " reopened, returned, returns, escalated, late, open, close_days FROM appeal_stats;"
	 "DROP TABLE appeal_stats;"
	 "ALTER TABLE appeal_stats_by_key RENAME TO appeal_stats;",
	 "SELECT 1;"},
	/* 11: SQLite: the search terms of new appeals wait in a plain table and enter the FTS5
	 * index a few hundred at a time (appeals_terms_move, appeals_core.c); a search reads the
	 * waiting ones on their text. A shadow of appeals_fts by its name, so `tiejian
	 * migrate-data` leaves it with the index (PostgreSQL keeps the terms on the appeal's
	 * row). */
	{11,
	 "CREATE TABLE appeals_fts_waiting (appeal_id INTEGER PRIMARY KEY, grams TEXT NOT NULL);",
	 "SELECT 1;"},
	{0, NULL, NULL},
};

/* ---- categories, time limits, settings, routing rules --------------------------------------- */

#define CAT_COLUMNS "c.id, c.parent_id, c.code, c.name, c.sort, c.status, c.created_at, c.updated_at"
const struct sql SQL_CAT_LIST = SQL("SELECT " CAT_COLUMNS " FROM appeal_categories c"
				    " ORDER BY c.parent_id IS NOT NULL, c.sort, c.id");
const struct sql SQL_CAT_GET = SQL("SELECT " CAT_COLUMNS " FROM appeal_categories c WHERE c.id = $1");
const struct sql SQL_CAT_INSERT =
	SQL("INSERT INTO appeal_categories (parent_id, code, name, sort, status, created_at,"
	    " updated_at) VALUES ($1, $2, $3, $4, 'active', $5, $5) RETURNING id");
const struct sql SQL_CAT_UPDATE =
	SQL("UPDATE appeal_categories SET code = $2, name = $3, sort = $4, status = $5,"
	    " updated_at = $6 WHERE id = $1");
/* For filing: the category, its top level, and whether both are in use. */
const struct sql SQL_CAT_FOR_FILING =
	SQL("SELECT c.id, COALESCE(c.parent_id, c.id), c.status, COALESCE(p.status, 'active'),"
	    " c.name, COALESCE(p.name, c.name) FROM appeal_categories c"
	    " LEFT JOIN appeal_categories p ON p.id = c.parent_id WHERE c.id = $1");
const struct sql SQL_CAT_TOP_COUNT =
	SQL("SELECT COUNT(*) FROM appeal_categories WHERE parent_id IS NULL AND status = 'active'");

const struct sql SQL_DL_LIST =
	SQL("SELECT d.category_id, d.urgency, d.accept_days, d.contact_days, d.interim_days,"
	    " d.close_days, d.updated_at, c.name FROM appeal_deadlines d"
	    " LEFT JOIN appeal_categories c ON c.id = d.category_id"
	    " ORDER BY d.category_id, d.urgency");
/* Every limit: appeal_limit_spans() chooses the one that applies (the copy in appeals_admin.c). */
const struct sql SQL_DL_ALL =
	SQL("SELECT category_id, urgency, accept_days, contact_days, interim_days, close_days"
	    " FROM appeal_deadlines");
const struct sql SQL_DL_UPSERT =
	SQL("INSERT INTO appeal_deadlines (category_id, urgency, accept_days, contact_days,"
	    " interim_days, close_days, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
	    " ON CONFLICT (category_id, urgency) DO UPDATE SET accept_days = $3,"
	    " contact_days = $4, interim_days = $5, close_days = $6, updated_at = $7");
const struct sql SQL_DL_DELETE =
	SQL("DELETE FROM appeal_deadlines WHERE category_id = $1 AND urgency = $2"
	    " AND category_id <> 0");

const struct sql SQL_SET_ALL = SQL("SELECT key, value FROM appeal_settings");
const struct sql SQL_SET_PUT =
	SQL("INSERT INTO appeal_settings (key, value, updated_at) VALUES ($1, $2, $3)"
	    " ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3");

#define ROUTE_COLUMNS                                                                              \
	"r.id, r.category_id, c.name, r.region_code, r.lead_org_id, o.name, r.note,"              \
	" r.created_at, r.updated_at"
#define ROUTE_FROM                                                                                 \
	" FROM appeal_routes r JOIN orgs o ON o.id = r.lead_org_id"                                \
	" LEFT JOIN appeal_categories c ON c.id = r.category_id"
const struct sql SQL_ROUTE_LIST =
	SQL("SELECT " ROUTE_COLUMNS ROUTE_FROM " ORDER BY r.category_id, r.region_code, r.id");
const struct sql SQL_ROUTE_GET = SQL("SELECT " ROUTE_COLUMNS ROUTE_FROM " WHERE r.id = $1");
const struct sql SQL_ROUTE_INSERT =
	SQL("INSERT INTO appeal_routes (category_id, region_code, lead_org_id, note, created_at,"
	    " updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id");
const struct sql SQL_ROUTE_UPDATE =
	SQL("UPDATE appeal_routes SET category_id = $2, region_code = $3, lead_org_id = $4,"
	    " note = $5, updated_at = $6 WHERE id = $1");
const struct sql SQL_ROUTE_DELETE = SQL("DELETE FROM appeal_routes WHERE id = $1");
/* The most specific rule: the category itself, then its top level, then any; within each,
 * the region before any region. $1 category, $2 its top level, $3 region. */
const struct sql SQL_ROUTE_MATCH =
	SQL("SELECT r.lead_org_id, o.path, o.name FROM appeal_routes r"
	    " JOIN orgs o ON o.id = r.lead_org_id AND o.status = 'active'"
	    " WHERE r.category_id IN ($1, $2, 0) AND r.region_code IN ($3, '')"
	    " ORDER BY (CASE WHEN r.category_id = $1 THEN 4 WHEN r.category_id = $2 THEN 2 ELSE 0"
	    " END) + (CASE WHEN r.region_code = $3 THEN 1 ELSE 0 END) DESC LIMIT 1");

/* ---- orgs, enterprises and people the module looks up ------------------------------------- */

const struct sql SQL_ENT_FOR_APPEAL =
	SQL("SELECT e.id, e.org_id, o.path, e.region_code, e.name, e.status, e.uscc, o.name"
	    " FROM enterprises e JOIN orgs o ON o.id = e.org_id WHERE e.id = $1");
const struct sql SQL_ORG_FOR_UNIT =
	SQL("SELECT id, path, name, status, kind FROM orgs WHERE id = $1");
const struct sql SQL_UNITS =
	SQL("SELECT id, parent_id, code, name, kind, path FROM orgs WHERE status = 'active'"
	    " ORDER BY path");
/* The responsible leader of a unit: the nearest user at or above it (the longest path that
 * prefixes it) who may approve appeals. */
const struct sql SQL_LEADER_FOR_PATH =
	SQL("SELECT u.id, u.display_name FROM users u JOIN orgs o ON o.id = u.org_id"
	    " WHERE u.status = 'active' AND $1 LIKE o.path || '%' AND EXISTS (SELECT 1 FROM"
	    " user_roles ur JOIN role_perms rp ON rp.role_id = ur.role_id"
	    " WHERE ur.user_id = u.id AND rp.perm = 'appeal.approve')"
	    " ORDER BY length(o.path) DESC, u.id LIMIT 1");

/* ---- appeals ------------------------------------------------------------------------------ */

/* The appeal visible through any of its ties: its home org (the enterprise's bureau), the
 * filer, the enterprise, the lead unit, a co-unit. */
#define APPEAL_SCOPE                                                                               \
	"(" SCOPE_PRED("a.home_path", "a.home_org_id", "a.created_by", "a.enterprise_id")          \
	" OR " SCOPE_PRED("a.lead_path", "a.lead_org_id", "NULL", "NULL")                          \
	" OR EXISTS (SELECT 1 FROM appeal_co_units cu WHERE cu.appeal_id = a.id AND "              \
	SCOPE_PRED("cu.org_path", "cu.org_id", "NULL", "NULL") "))"

/* Columns in the order of appeal_from_row (appeals_core.c). */
#define APPEAL_COLUMNS                                                                             \
	"a.id, a.enterprise_id, a.home_org_id, a.created_by, a.category_id, a.category_root,"     \
	" a.lead_org_id, a.suggested_org_id, a.dispatcher_id, a.escalated_to, a.duplicate_of,"    \
	" a.home_path, a.region_code, a.channel, a.title, a.content, a.urgency, a.contact_ok,"    \
	" a.contact_via, a.contact_name, a.contact_phone, a.state, a.outcome, a.rating,"          \
	" a.reply, a.plan, a.follow_up_on, a.rating_comment, a.lead_path, a.created_at,"          \
	" a.accepted_at, a.assigned_at, a.started_at, a.contacted_at, a.interim_at,"              \
	" a.first_replied_at, a.replied_at, a.closed_at, a.updated_at, a.escalated_at,"           \
	" a.accept_span, a.contact_span, a.interim_span, a.close_span, a.rate_span, a.base_date," \
	" a.paused_days, a.paused_total, a.accept_due, a.contact_due, a.interim_due, a.close_due," \
	" a.rate_due, a.due_date, a.suspended_on, a.suspend_until, a.suspend_reason,"             \
	" a.provisional, a.extended, a.extension_pending, a.extension_days, a.extension_reason,"  \
	" a.reopen_count, a.return_count, a.escalated_level, a.supervision_open,"                 \
	" a.close_workdays, a.late, a.on_time, a.due_soon_notified, a.late_notified,"             \
	" a.duplicate_reason, a.month, e.name, e.uscc, ho.name, lo.name, so.name, c.name,"        \
	" cr.name, cu_.display_name, eu.display_name, a.escalated_due"
#define APPEAL_JOINS                                                                               \
	" FROM appeals a JOIN enterprises e ON e.id = a.enterprise_id"                             \
	" JOIN orgs ho ON ho.id = a.home_org_id LEFT JOIN orgs lo ON lo.id = a.lead_org_id"        \
	" LEFT JOIN orgs so ON so.id = a.suggested_org_id"                                         \
	" JOIN appeal_categories c ON c.id = a.category_id"                                        \
	" JOIN appeal_categories cr ON cr.id = a.category_root"                                    \
	" LEFT JOIN users cu_ ON cu_.id = a.created_by LEFT JOIN users eu ON eu.id = a.escalated_to"

const struct sql SQL_APPEAL_GET = SQL("SELECT " APPEAL_COLUMNS APPEAL_JOINS " WHERE a.id = $1");
const struct sql SQL_APPEAL_GET_SCOPED =
	SQL("SELECT " APPEAL_COLUMNS APPEAL_JOINS " WHERE " APPEAL_SCOPE " AND a.id = $6");
const struct sql SQL_APPEAL_VISIBLE =
	SQL("SELECT a.id FROM appeals a WHERE " APPEAL_SCOPE " AND a.id = $6");

const struct sql SQL_APPEAL_INSERT =
	SQL("INSERT INTO appeals (enterprise_id, home_org_id, home_path, region_code, created_by,"
	    " channel, title, content, category_id, category_root, urgency, contact_ok,"
	    " contact_via, contact_name, contact_phone, state, suggested_org_id, created_at,"
	    " updated_at, accept_span, contact_span, interim_span, close_span, accept_due,"
	    " due_date, provisional, duplicate_of, duplicate_reason, month, is_open) VALUES"
	    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'submitted', $16,"
	    " $17, $17, $18, $19, $20, $21, $22, $22, $23, $24, $25, $26, 1) RETURNING id");

/* Everything an action may change, in one statement. */
const struct sql SQL_APPEAL_SAVE =
	SQL("UPDATE appeals SET state = $2, outcome = $3, rating = $4, reply = $5, plan = $6,"
	    " follow_up_on = $7, rating_comment = $8, lead_org_id = $9, lead_path = $10,"
	    " dispatcher_id = $11, accepted_at = $12, assigned_at = $13, started_at = $14,"
	    " contacted_at = $15, interim_at = $16, first_replied_at = $17, replied_at = $18,"
	    " closed_at = $19, updated_at = $20, escalated_at = $21, accept_span = $22,"
	    " contact_span = $23, interim_span = $24, close_span = $25, rate_span = $26,"
	    " base_date = $27, paused_days = $28, paused_total = $29, accept_due = $30,"
	    " contact_due = $31, interim_due = $32, close_due = $33, rate_due = $34,"
	    " due_date = $35, suspended_on = $36, suspend_until = $37, suspend_reason = $38,"
	    " provisional = $39, extended = $40, extension_pending = $41, extension_days = $42,"
	    " extension_reason = $43, reopen_count = $44, return_count = $45,"
	    " escalated_level = $46, supervision_open = $47, close_workdays = $48, late = $49,"
	    " on_time = $50, due_soon_notified = $51, late_notified = $52, escalated_to = $53,"
	    " is_open = $54, escalated_due = $55 WHERE id = $1");

const struct sql SQL_APPEAL_CO_LIST =
	SQL("SELECT cu.org_id, cu.org_path, o.name FROM appeal_co_units cu"
	    " JOIN orgs o ON o.id = cu.org_id WHERE cu.appeal_id = $1 ORDER BY cu.org_id");
const struct sql SQL_APPEAL_CO_DELETE = SQL("DELETE FROM appeal_co_units WHERE appeal_id = $1");
const struct sql SQL_APPEAL_CO_INSERT =
	SQL("INSERT INTO appeal_co_units (appeal_id, org_id, org_path) VALUES ($1, $2, $3)");

/* The duplicate guard: an enterprise's appeals filed since $2 with ids in ($3, $4], newest
 * first; their rows, or their ids alone (read from the index appeals_enterprise). */
#define APPEAL_RECENT                                                                              \
	" FROM appeals WHERE enterprise_id = $1 AND created_at >= $2 AND id > $3 AND id <= $4"   \
	" ORDER BY created_at DESC, id DESC LIMIT 50"
const struct sql SQL_APPEAL_RECENT =
	SQL("SELECT id, title, content, state, created_at" APPEAL_RECENT);
const struct sql SQL_APPEAL_RECENT_IDS = SQL("SELECT id" APPEAL_RECENT);
/* The waiting terms into the index, in one statement (one segment), then gone from the table;
 * nothing to do on PostgreSQL. */
const struct sql SQL_FTS_WAITING_MOVE =
	SQL2("INSERT INTO appeals_fts (rowid, grams) SELECT appeal_id, grams"
	     " FROM appeals_fts_waiting ORDER BY appeal_id", "SELECT 1");
const struct sql SQL_FTS_WAITING_CLEAR = SQL2("DELETE FROM appeals_fts_waiting", "SELECT 1");
const struct sql SQL_FTS_WAITING_ANY =
	SQL2("SELECT EXISTS (SELECT 1 FROM appeals_fts_waiting)", "SELECT 0");
const struct sql SQL_APPEAL_LAST_ID = SQL("SELECT COALESCE(MAX(id), 0) FROM appeals");

/* A new appeal's search terms: on SQLite into the waiting table (migration 11). */
const struct sql SQL_APPEAL_FTS_INSERT =
	SQL2("INSERT INTO appeals_fts_waiting (appeal_id, grams) VALUES ($1, $2)",
	     "UPDATE appeals SET grams = string_to_array(CAST($2 AS TEXT), ' ') WHERE id = $1");
/* The same for a batch of filings in one statement: $1 is [[id, "grams"], ...]. */
const struct sql SQL_APPEAL_FTS_INSERT_MANY =
	SQL2("INSERT INTO appeals_fts_waiting (appeal_id, grams) SELECT json_extract(value,"
	     " '$[0]'), json_extract(value, '$[1]') FROM json_each($1)",
	     "UPDATE appeals a SET grams = string_to_array(j->>1, ' ')"
	     " FROM json_array_elements(CAST($1 AS JSON)) j WHERE a.id = CAST(j->>0 AS BIGINT)");

const struct sql SQL_EVENT_INSERT =
	SQL("INSERT INTO appeal_events (appeal_id, at, user_id, actor_name, actor_org, action,"
	    " from_state, to_state, public, message, detail) VALUES ($1, $2, $3, $4, $5, $6, $7,"
	    " $8, $9, $10, $11) RETURNING id");
/* $2: 1 for the enterprise's view (public rows only). */
const struct sql SQL_EVENT_LIST =
	SQL("SELECT id, at, user_id, actor_name, actor_org, action, from_state, to_state, public,"
	    " message, detail FROM appeal_events WHERE appeal_id = $1 AND (public = 1 OR $2 = 0)"
	    " ORDER BY id");

const struct sql SQL_SUP_INSERT =
	SQL("INSERT INTO appeal_supervisions (appeal_id, by_user_id, by_name, note, due_date,"
	    " created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
const struct sql SQL_SUP_LIST =
	SQL("SELECT id, by_user_id, by_name, note, due_date, created_at, answered_at,"
	    " answered_by, answer FROM appeal_supervisions WHERE appeal_id = $1 ORDER BY id");
/* The note to answer: the one named ($3), else the oldest open one. */
const struct sql SQL_SUP_OPEN =
	SQL("SELECT id, by_user_id FROM appeal_supervisions WHERE appeal_id = $1"
	    " AND answered_at IS NULL AND (CAST($2 AS BIGINT) IS NULL OR id = $2) ORDER BY id LIMIT 1");
const struct sql SQL_SUP_ANSWER =
	SQL("UPDATE appeal_supervisions SET answered_at = $2, answered_by = $3, answer = $4"
	    " WHERE id = $1 AND answered_at IS NULL");

const struct sql SQL_FILE_INSERT =
	SQL("INSERT INTO appeal_attachments (appeal_id, name, stored_name, kind, size_bytes,"
	    " sha256, internal, uploaded_by, uploader_name, created_at) VALUES ($1, $2, $3, $4,"
	    " $5, $6, $7, $8, $9, $10) RETURNING id");
const struct sql SQL_FILE_COUNT = SQL("SELECT COUNT(*) FROM appeal_attachments WHERE appeal_id = $1");
const struct sql SQL_FILE_LIST =
	SQL("SELECT id, name, kind, size_bytes, internal, uploader_name, created_at, uploaded_by"
	    " FROM appeal_attachments WHERE appeal_id = $1 AND (internal = 0 OR $2 = 0) ORDER BY id");
const struct sql SQL_FILE_GET =
	SQL("SELECT id, name, stored_name, kind, size_bytes, internal FROM appeal_attachments"
	    " WHERE id = $1 AND appeal_id = $2");

const struct sql SQL_KEY_INSERT =
	SQL("INSERT INTO appeal_keys (kind, scope_id, appeal_id, open) VALUES ($1, $2, $3, $4)");
const struct sql SQL_KEY_SET_OPEN = SQL("UPDATE appeal_keys SET open = $2 WHERE appeal_id = $1");
const struct sql SQL_KEY_DELETE =
	SQL("DELETE FROM appeal_keys WHERE kind = $1 AND scope_id = $2 AND appeal_id = $3");
const struct sql SQL_KEY_CLEAR = SQL("DELETE FROM appeal_keys");
const struct sql SQL_KEY_ANY = SQL("SELECT COUNT(*) FROM (SELECT 1 FROM appeal_keys LIMIT 1) x");

/* ---- lists ---------------------------------------------------------------------------------- */

/* List rows: the columns of appeal_list_json (appeals_http.c). */
#define LIST_COLUMNS                                                                               \
	"a.id, a.title, a.state, a.enterprise_id, e.name, a.category_id, c.name, a.urgency,"      \
	" a.channel, a.lead_org_id, lo.name, a.due_date, a.created_at, a.updated_at, a.late,"     \
	" a.escalated_level, a.reopen_count, a.return_count, a.rate_due, a.supervision_open,"     \
	" a.extension_pending, a.outcome, a.rating, a.region_code"
#define LIST_JOINS                                                                                 \
	" FROM appeals a JOIN enterprises e ON e.id = a.enterprise_id"                             \
	" JOIN appeal_categories c ON c.id = a.category_id"                                        \
	" LEFT JOIN orgs lo ON lo.id = a.lead_org_id"

/*
 * Filters after the five scope values: $6 states (comma-separated codes), $7 category (or its
 * top level), $8 urgency, $9 channel, $10 lead unit, $11 enterprise, $12 region, $13 colour
 * with $14 today and $15 the last yellow day, $16/$17 filed from/before (timestamps), $18
 * escalated, $19 late, $20 id (a number typed in the search box), $21 the index expression
 * (FTS5 MATCH on SQLite, the bigrams on PostgreSQL), $22-$24 the terms each hit contains,
 * $25 limit, $26 offset. NULL means "any".
 */
#define STATE_IN_SQ "instr(',' || $6 || ',', ',' || a.state || ',') > 0"
#define STATE_IN_PG "strpos(',' || $6 || ',', ',' || a.state || ',') > 0"
#define FILTERS(state_in)                                                                          \
	" AND (CAST($6 AS TEXT) IS NULL OR " state_in ")"                                          \
	" AND (CAST($7 AS BIGINT) IS NULL OR a.category_id = $7 OR a.category_root = $7)"         \
	" AND (CAST($8 AS TEXT) IS NULL OR a.urgency = $8)"                                        \
	" AND (CAST($9 AS TEXT) IS NULL OR a.channel = $9)"                                        \
	" AND (CAST($10 AS BIGINT) IS NULL OR a.lead_org_id = $10)"                                \
	" AND (CAST($11 AS BIGINT) IS NULL OR a.enterprise_id = $11)"                              \
	" AND (CAST($12 AS TEXT) IS NULL OR a.region_code = $12)"                                  \
	" AND (CAST($13 AS TEXT) IS NULL OR (a.state NOT IN ('suspended', 'replied') AND ("       \
	"($13 = 'red' AND a.due_date < CAST($14 AS TEXT)) OR ($13 = 'yellow' AND a.due_date >= $14" \
	" AND a.due_date <= CAST($15 AS TEXT)) OR ($13 = 'green' AND a.due_date > $15))))"        \
	" AND (CAST($16 AS BIGINT) IS NULL OR a.created_at >= $16)"                                \
	" AND (CAST($17 AS BIGINT) IS NULL OR a.created_at < $17)"                                 \
	" AND (CAST($18 AS INTEGER) IS NULL OR (a.escalated_level > 0) = ($18 = 1))"               \
	" AND (CAST($19 AS INTEGER) IS NULL OR a.late = $19)"                                      \
	" AND (CAST($20 AS BIGINT) IS NULL OR a.id = $20)"
#define TERMS_SQ                                                                                   \
	" AND (CAST($22 AS TEXT) IS NULL OR instr(lower(a.title || ' ' || a.content), $22) > 0)"   \
	" AND (CAST($23 AS TEXT) IS NULL OR instr(lower(a.title || ' ' || a.content), $23) > 0)"   \
	" AND (CAST($24 AS TEXT) IS NULL OR instr(lower(a.title || ' ' || a.content), $24) > 0)"
#define TERMS_PG                                                                                   \
	" AND (CAST($22 AS TEXT) IS NULL OR strpos(lower(a.title || ' ' || a.content), $22) > 0)"  \
	" AND (CAST($23 AS TEXT) IS NULL OR strpos(lower(a.title || ' ' || a.content), $23) > 0)"  \
	" AND (CAST($24 AS TEXT) IS NULL OR strpos(lower(a.title || ' ' || a.content), $24) > 0)"
/* Without a search the index parameters are unused (PostgreSQL declares them TEXT). */
#define NO_INDEX ""
#define NO_INDEX_PG ""

/* one state: the (state, id) and (state, due_date, id) indexes drive the page */
#define ONE_STATE " AND a.state = $6"
#define LIST_STMT(where_extra_sq, where_extra_pg, order)                                           \
	SQL2("SELECT " LIST_COLUMNS LIST_JOINS " WHERE " APPEAL_SCOPE FILTERS(STATE_IN_SQ)         \
	     where_extra_sq " ORDER BY " order " LIMIT $25 OFFSET $26",                            \
	     "SELECT " LIST_COLUMNS LIST_JOINS " WHERE " APPEAL_SCOPE FILTERS(STATE_IN_PG)         \
	     where_extra_pg " ORDER BY " order " LIMIT $25 OFFSET $26")

#define ORDER_NEW "a.id DESC"
#define ORDER_OLD "a.id ASC"
#define ORDER_DUE "a.due_date IS NULL, a.due_date, a.id"
#define ORDER_DUE_ONE "a.due_date, a.id"

const struct sql SQL_LIST_NEW = LIST_STMT(NO_INDEX, NO_INDEX_PG, ORDER_NEW);
const struct sql SQL_LIST_OLD = LIST_STMT(NO_INDEX, NO_INDEX_PG, ORDER_OLD);
const struct sql SQL_LIST_DUE = LIST_STMT(NO_INDEX, NO_INDEX_PG, ORDER_DUE);
const struct sql SQL_LIST_STATE_NEW =
	LIST_STMT(ONE_STATE NO_INDEX, ONE_STATE NO_INDEX_PG, ORDER_NEW);
const struct sql SQL_LIST_STATE_OLD =
	LIST_STMT(ONE_STATE NO_INDEX, ONE_STATE NO_INDEX_PG, ORDER_OLD);
const struct sql SQL_LIST_STATE_DUE =
	LIST_STMT(ONE_STATE NO_INDEX, ONE_STATE NO_INDEX_PG, ORDER_DUE_ONE);
/* Search: on SQLite the index is the outer loop, newest hit first, so a page of a common
 * term reads only as many postings as it needs. The appeals whose terms wait to enter the index
 * (migration 11; a few hundred at most) are checked on their text alone, which is what decides
 * a hit anyway. SQLite writes the compound into one arm for each (the rest of the statement
 * repeated in both) and merges the two, each read in the order asked, without sorting. */
#define SEARCH_HITS_SQ                                                                             \
	" FROM (SELECT appeal_id AS id FROM appeals_fts_waiting UNION ALL"                         \
	" SELECT rowid FROM appeals_fts WHERE appeals_fts MATCH $21) h"                            \
	" CROSS JOIN appeals a ON a.id = h.id"
const struct sql SQL_LIST_SEARCH =
	SQL2("SELECT " LIST_COLUMNS ", h.id AS hit" SEARCH_HITS_SQ
	     " JOIN enterprises e ON e.id = a.enterprise_id"
	     " JOIN appeal_categories c ON c.id = a.category_id"
	     " LEFT JOIN orgs lo ON lo.id = a.lead_org_id WHERE "
	     APPEAL_SCOPE FILTERS(STATE_IN_SQ) TERMS_SQ " ORDER BY hit DESC LIMIT $25 OFFSET $26",
	     "SELECT " LIST_COLUMNS LIST_JOINS " WHERE a.grams @> string_to_array(CAST($21 AS TEXT),"
	     " ' ') AND " APPEAL_SCOPE FILTERS(STATE_IN_PG) TERMS_PG
	     " ORDER BY a.id DESC LIMIT $25 OFFSET $26");

/* Counts stop at $25 (the caller asks for one more than it shows exactly). */
#define COUNT_STMT(where_extra_sq, where_extra_pg)                                                 \
	SQL2("SELECT COUNT(*) FROM (SELECT 1 FROM appeals a WHERE " APPEAL_SCOPE                   \
	     FILTERS(STATE_IN_SQ) where_extra_sq " LIMIT $25) x",                                  \
	     "SELECT COUNT(*) FROM (SELECT 1 FROM appeals a WHERE " APPEAL_SCOPE                   \
	     FILTERS(STATE_IN_PG) where_extra_pg " LIMIT $25) x")
const struct sql SQL_COUNT = COUNT_STMT(NO_INDEX, NO_INDEX_PG);
const struct sql SQL_COUNT_STATE =
	COUNT_STMT(ONE_STATE NO_INDEX, ONE_STATE NO_INDEX_PG);
const struct sql SQL_COUNT_SEARCH =
	SQL2("SELECT COUNT(*) FROM (SELECT 1" SEARCH_HITS_SQ " WHERE " APPEAL_SCOPE
	     FILTERS(STATE_IN_SQ) TERMS_SQ " LIMIT $25) x",
	     "SELECT COUNT(*) FROM (SELECT 1 FROM appeals a WHERE a.grams @> string_to_array("
	     "CAST($21 AS TEXT), ' ') AND " APPEAL_SCOPE FILTERS(STATE_IN_PG) TERMS_PG
	     " LIMIT $25) x");

/* One scope key (an enterprise, an org, a county's subtree): its appeals newest first straight
 * from appeal_keys, the scope predicate still checked on each; $27 the key's kind, $28 its id.
 * The terms are checked on the text (an enterprise's few appeals need no index). */
#define KEY_FROM                                                                                   \
	" FROM appeal_keys k JOIN appeals a ON a.id = k.appeal_id"                                 \
	" JOIN enterprises e ON e.id = a.enterprise_id"                                            \
	" JOIN appeal_categories c ON c.id = a.category_id"                                        \
	" LEFT JOIN orgs lo ON lo.id = a.lead_org_id"                                              \
	" WHERE k.kind = $27 AND k.scope_id = $28 AND "
#define KLIST_STMT(order)                                                                          \
	SQL2("SELECT " LIST_COLUMNS KEY_FROM APPEAL_SCOPE FILTERS(STATE_IN_SQ) TERMS_SQ            \
	     " ORDER BY " order " LIMIT $25 OFFSET $26",                                           \
	     "SELECT " LIST_COLUMNS KEY_FROM APPEAL_SCOPE FILTERS(STATE_IN_PG) TERMS_PG            \
	     " ORDER BY " order " LIMIT $25 OFFSET $26")
const struct sql SQL_KLIST_NEW = KLIST_STMT("k.appeal_id DESC");
const struct sql SQL_KLIST_OLD = KLIST_STMT("k.appeal_id ASC");
const struct sql SQL_KLIST_DUE = KLIST_STMT(ORDER_DUE);
const struct sql SQL_KCOUNT =
	SQL2("SELECT COUNT(*) FROM (SELECT 1" KEY_FROM APPEAL_SCOPE FILTERS(STATE_IN_SQ) TERMS_SQ
	     " LIMIT $25) x",
	     "SELECT COUNT(*) FROM (SELECT 1" KEY_FROM APPEAL_SCOPE FILTERS(STATE_IN_PG) TERMS_PG
	     " LIMIT $25) x");

/* The queue by colour: the open appeals whose running deadline lies in [$29, $30), read in
 * deadline order from the (is_open, due_date, id) index. */
#define COLOUR_RANGE                                                                               \
	" AND a.is_open = 1 AND a.state NOT IN ('suspended', 'replied')"                         \
	" AND a.due_date >= CAST($29 AS TEXT) AND a.due_date < CAST($30 AS TEXT)"
const struct sql SQL_LIST_COLOUR =
	SQL2("SELECT " LIST_COLUMNS LIST_JOINS " WHERE " APPEAL_SCOPE FILTERS(STATE_IN_SQ)
	     COLOUR_RANGE " ORDER BY a.due_date, a.id LIMIT $25 OFFSET $26",
	     "SELECT " LIST_COLUMNS LIST_JOINS " WHERE " APPEAL_SCOPE FILTERS(STATE_IN_PG)
	     COLOUR_RANGE " ORDER BY a.due_date, a.id LIMIT $25 OFFSET $26");
const struct sql SQL_COUNT_COLOUR =
	SQL2("SELECT COUNT(*) FROM (SELECT 1 FROM appeals a WHERE " APPEAL_SCOPE
	     FILTERS(STATE_IN_SQ) COLOUR_RANGE " LIMIT $25) x",
	     "SELECT COUNT(*) FROM (SELECT 1 FROM appeals a WHERE " APPEAL_SCOPE
	     FILTERS(STATE_IN_PG) COLOUR_RANGE " LIMIT $25) x");

/* "My work": one statement per capacity, each within the scope of its permission; $6 the
 * caller's user id, $7 limit. */
#define WORK_STMT(cond) \
	SQL("SELECT " LIST_COLUMNS LIST_JOINS " WHERE a.is_open = 1 AND " cond \
	    " ORDER BY a.due_date, a.id LIMIT $7")
/* The same for one narrow scope key ($8 its kind, $9 its id): its open appeals only (the keys
 * first: CROSS JOIN keeps SQLite from preferring the deadline index of all open appeals). */
#define KWORK_STMT(cond) \
	SQL("SELECT " LIST_COLUMNS " FROM appeal_keys k CROSS JOIN appeals a" \
	    " JOIN enterprises e ON e.id = a.enterprise_id JOIN appeal_categories c" \
	    " ON c.id = a.category_id LEFT JOIN orgs lo ON lo.id = a.lead_org_id" \
	    " WHERE a.id = k.appeal_id AND k.kind = $8 AND k.scope_id = $9 AND k.open = 1" \
	    " AND a.is_open = 1 AND " cond \
	    " ORDER BY a.due_date, a.id LIMIT $7")
#define W_DISPATCH \
	"a.state IN ('submitted', 'accepted', 'returned') AND " \
	SCOPE_PRED("a.home_path", "a.home_org_id", "NULL", "NULL")
#define W_LEAD \
	"(a.state IN ('assigned', 'in_progress', 'suspended', 'reopened') OR a.supervision_open > 0)" \
	" AND a.state <> 'pending_approval' AND " SCOPE_PRED("a.lead_path", "a.lead_org_id", "NULL", "NULL")
#define W_CO \
	"a.state IN ('assigned', 'in_progress', 'suspended', 'reopened') AND EXISTS" \
	" (SELECT 1 FROM appeal_co_units cu WHERE cu.appeal_id = a.id AND " \
	SCOPE_PRED("cu.org_path", "cu.org_id", "NULL", "NULL") ")"
#define W_SUPERVISE "a.state = 'pending_approval' AND " APPEAL_SCOPE
#define W_APPROVE "(a.escalated_to = $6 OR (a.extension_pending = 1 AND " APPEAL_SCOPE "))"
const struct sql SQL_WORK_DISPATCH = WORK_STMT(W_DISPATCH);
const struct sql SQL_WORK_LEAD = WORK_STMT(W_LEAD);
const struct sql SQL_WORK_CO = WORK_STMT(W_CO);
const struct sql SQL_WORK_SUPERVISE = WORK_STMT(W_SUPERVISE);
const struct sql SQL_WORK_APPROVE = WORK_STMT(W_APPROVE);
const struct sql SQL_WORK_ENTERPRISE =
	WORK_STMT("a.state IN ('replied', 'suspended') AND " SCOPE_PRED(
		"NULL", "NULL", "NULL", "a.enterprise_id"));
const struct sql SQL_KWORK_DISPATCH = KWORK_STMT(W_DISPATCH);
const struct sql SQL_KWORK_LEAD = KWORK_STMT(W_LEAD);
const struct sql SQL_KWORK_CO = KWORK_STMT(W_CO);
const struct sql SQL_KWORK_SUPERVISE = KWORK_STMT(W_SUPERVISE);
const struct sql SQL_KWORK_APPROVE = KWORK_STMT(W_APPROVE);

/* ---- counters -------------------------------------------------------------------------------- */

#define STAT_METRICS                                                                               \
	"received, accepted, rejected, withdrawn, replied, closed, solved, on_time, rated,"       \
	" satisfied, reopened, returned, returns, escalated, late, open, close_days"
const struct sql SQL_STAT_ADD =
	SQL("INSERT INTO appeal_stats (kind, scope_id, dim, value, month, " STAT_METRICS ")"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
	    " $18, $19, $20, $21, $22) ON CONFLICT (kind, scope_id, dim, value, month) DO UPDATE"
	    " SET received = appeal_stats.received + $6, accepted = appeal_stats.accepted + $7,"
	    " rejected = appeal_stats.rejected + $8, withdrawn = appeal_stats.withdrawn + $9,"
	    " replied = appeal_stats.replied + $10, closed = appeal_stats.closed + $11,"
	    " solved = appeal_stats.solved + $12, on_time = appeal_stats.on_time + $13,"
	    " rated = appeal_stats.rated + $14, satisfied = appeal_stats.satisfied + $15,"
	    " reopened = appeal_stats.reopened + $16, returned = appeal_stats.returned + $17,"
	    " returns = appeal_stats.returns + $18, escalated = appeal_stats.escalated + $19,"
	    " late = appeal_stats.late + $20, open = appeal_stats.open + $21,"
	    " close_days = appeal_stats.close_days + $22");
const struct sql SQL_STAT_CLEAR = SQL("DELETE FROM appeal_stats");

/* The cells of one key and dimension over months $4..$5, summed: in all, by month, or by the
 * dimension's value with its name. Columns: value, month, name, then the metrics. */
#define SUMS \
	"CAST(SUM(s.received) AS BIGINT) AS received," \
	" CAST(SUM(s.accepted) AS BIGINT) AS accepted," \
	" CAST(SUM(s.rejected) AS BIGINT) AS rejected," \
	" CAST(SUM(s.withdrawn) AS BIGINT) AS withdrawn," \
	" CAST(SUM(s.replied) AS BIGINT) AS replied, CAST(SUM(s.closed) AS BIGINT) AS closed," \
	" CAST(SUM(s.solved) AS BIGINT) AS solved, CAST(SUM(s.on_time) AS BIGINT) AS on_time," \
	" CAST(SUM(s.rated) AS BIGINT) AS rated," \
	" CAST(SUM(s.satisfied) AS BIGINT) AS satisfied," \
	" CAST(SUM(s.reopened) AS BIGINT) AS reopened," \
	" CAST(SUM(s.returned) AS BIGINT) AS returned," \
	" CAST(SUM(s.returns) AS BIGINT) AS returns," \
	" CAST(SUM(s.escalated) AS BIGINT) AS escalated, CAST(SUM(s.late) AS BIGINT) AS late," \
	" CAST(SUM(s.open) AS BIGINT) AS open, CAST(SUM(s.close_days) AS BIGINT) AS close_days"
#define STAT_WHERE " WHERE s.kind = $1 AND s.scope_id = $2 AND s.dim = $3 AND s.month >= $4 AND s.month <= $5"
const struct sql SQL_STAT_TOTAL =
	SQL("SELECT 0, 0, NULL, " SUMS " FROM appeal_stats s" STAT_WHERE);
const struct sql SQL_STAT_BY_MONTH =
	SQL("SELECT 0, s.month, NULL, " SUMS " FROM appeal_stats s" STAT_WHERE
	    " GROUP BY s.month ORDER BY s.month");
#define STAT_BY_VALUE(join, name)                                                                  \
	SQL("SELECT g.value, 0, " name ", g.received, g.accepted, g.rejected, g.withdrawn,"       \
	    " g.replied, g.closed, g.solved, g.on_time, g.rated, g.satisfied, g.reopened,"         \
	    " g.returned, g.returns, g.escalated, g.late, g.open, g.close_days FROM (SELECT s.value," \
	    " " SUMS " FROM appeal_stats s" STAT_WHERE " GROUP BY s.value) g" join)
const struct sql SQL_STAT_BY_UNIT = STAT_BY_VALUE(" LEFT JOIN orgs o ON o.id = g.value", "o.name");
const struct sql SQL_STAT_BY_REGION =
	STAT_BY_VALUE(" LEFT JOIN regions r ON r.code = CAST(g.value AS TEXT)", "r.name");
const struct sql SQL_STAT_BY_CATEGORY =
	STAT_BY_VALUE(" LEFT JOIN appeal_categories c ON c.id = g.value", "c.name");
/* The same numbers counted from the appeals themselves (the check, and the answer for the
 * rare scope no counter key matches). $6..$7 months. */
#define RECOUNT_METRICS                                                                            \
	" COUNT(*),"                                                                               \
	" SUM(CASE WHEN a.accepted_at IS NOT NULL THEN 1 ELSE 0 END),"                            \
	" SUM(CASE WHEN a.state = 'rejected' THEN 1 ELSE 0 END),"                                 \
	" SUM(CASE WHEN a.state = 'withdrawn' THEN 1 ELSE 0 END),"                                \
	" SUM(CASE WHEN a.first_replied_at IS NOT NULL THEN 1 ELSE 0 END),"                       \
	" SUM(CASE WHEN a.state = 'closed' THEN 1 ELSE 0 END),"                                   \
	" SUM(CASE WHEN a.state = 'closed' AND a.outcome = 'solved' THEN 1 ELSE 0 END),"          \
	" SUM(CASE WHEN a.state = 'closed' AND a.on_time = 1 THEN 1 ELSE 0 END),"                 \
	" SUM(CASE WHEN a.state = 'closed' AND a.rating IN ('satisfied', 'basically_satisfied',"  \
	" 'unsatisfied') THEN 1 ELSE 0 END),"                                                     \
	" SUM(CASE WHEN a.state = 'closed' AND a.rating IN ('satisfied', 'basically_satisfied')"  \
	" THEN 1 ELSE 0 END),"                                                                    \
	" SUM(CASE WHEN a.reopen_count > 0 THEN 1 ELSE 0 END),"                                   \
	" SUM(CASE WHEN a.return_count > 0 THEN 1 ELSE 0 END),"                                   \
	" SUM(a.return_count),"                                                                    \
	" SUM(CASE WHEN a.escalated_level > 0 THEN 1 ELSE 0 END),"                                \
	" SUM(a.late),"                                                                            \
	" SUM(a.is_open),"                                                                         \
	" SUM(CASE WHEN a.state = 'closed' THEN a.close_workdays ELSE 0 END)"
#define RECOUNT(value, join, name)                                                                 \
	SQL("SELECT " value ", a.month, MIN(" name ")," RECOUNT_METRICS " FROM appeals a" join     \
	    " WHERE " APPEAL_SCOPE " AND a.month >= $6 AND a.month <= $7"                           \
	    " GROUP BY " value ", a.month")
const struct sql SQL_RECOUNT_UNIT = RECOUNT("COALESCE(a.lead_org_id, 0)",
					    " LEFT JOIN orgs o ON o.id = a.lead_org_id", "o.name");
const struct sql SQL_RECOUNT_REGION = RECOUNT("CAST(a.region_code AS BIGINT)",
					      " LEFT JOIN regions r ON r.code = a.region_code",
					      "r.name");
const struct sql SQL_RECOUNT_CATEGORY =
	RECOUNT("a.category_root", " JOIN appeal_categories c ON c.id = a.category_root", "c.name");

/* Rebuilding the counters: every appeal with the columns of its ties and metrics. */
const struct sql SQL_APPEAL_ALL_IDS = SQL("SELECT id FROM appeals WHERE id > $1 ORDER BY id LIMIT 1000");

/* ---- the clock job ------------------------------------------------------------------------ */

/* The running clocks (not paused, not waiting for the enterprise). */
#define RUNNING " a.is_open = 1 AND a.state NOT IN ('suspended', 'replied')"
const struct sql SQL_JOB_DUE_SOON =
	SQL("SELECT a.id FROM appeals a WHERE" RUNNING " AND a.due_date >= $1 AND a.due_date <= $2"
	    " AND (a.due_soon_notified IS NULL OR a.due_soon_notified <> a.due_date)"
	    " ORDER BY a.due_date, a.id LIMIT 500");
const struct sql SQL_JOB_LATE =
	SQL("SELECT a.id FROM appeals a WHERE" RUNNING " AND a.due_date < $1"
	    " AND (a.late_notified IS NULL OR a.late_notified <> a.due_date)"
	    " ORDER BY a.due_date, a.id LIMIT 500");
const struct sql SQL_JOB_ESCALATE =
	SQL("SELECT a.id FROM appeals a WHERE" RUNNING " AND a.due_date <= $1"
	    " AND (a.escalated_due IS NULL OR a.escalated_due <> a.due_date)"
	    " ORDER BY a.due_date, a.id LIMIT 500");
const struct sql SQL_JOB_RATE_EXPIRED =
	SQL("SELECT a.id FROM appeals a WHERE a.state = 'replied' AND a.rate_due < $1"
	    " ORDER BY a.rate_due, a.id LIMIT 500");
const struct sql SQL_JOB_SUSPEND_EXPIRED =
	SQL("SELECT a.id FROM appeals a WHERE a.state = 'suspended' AND a.suspend_until < $1"
	    " ORDER BY a.suspend_until, a.id LIMIT 500");
const struct sql SQL_JOB_PROVISIONAL =
	SQL("SELECT a.id FROM appeals a WHERE a.provisional = 1 AND a.is_open = 1"
	    " ORDER BY a.id LIMIT 500");
const struct sql SQL_JOB_SUP_LATE =
	SQL("SELECT s.id, s.appeal_id, s.by_user_id FROM appeal_supervisions s"
	    " WHERE s.answered_at IS NULL AND s.due_date < $1 AND s.late_notified = 0"
	    " ORDER BY s.due_date, s.id LIMIT 500");
const struct sql SQL_JOB_SUP_MARK = SQL("UPDATE appeal_supervisions SET late_notified = 1 WHERE id = $1");
/* The markers the job sets, outside the lifecycle. */
const struct sql SQL_APPEAL_MARK_DUE_SOON =
	SQL("UPDATE appeals SET due_soon_notified = due_date WHERE id = $1");

/* ---- the demo ------------------------------------------------------------------------------ */

const struct sql SQL_DEMO_ANY = SQL("SELECT COUNT(*) FROM appeals");
const struct sql SQL_DEMO_ENTERPRISES =
	SQL("SELECT e.id FROM enterprises e WHERE e.status = 'operating' ORDER BY e.id LIMIT $1");
const struct sql SQL_DEMO_CATEGORIES =
	SQL("SELECT id, COALESCE(parent_id, id), code FROM appeal_categories"
	    " WHERE parent_id IS NOT NULL AND status = 'active' ORDER BY code");
const struct sql SQL_DEMO_ORG_BY_CODE = SQL("SELECT id FROM orgs WHERE code = $1");
const struct sql SQL_DEMO_USER_BY_NAME =
	SQL("SELECT u.id, u.display_name, o.name, o.path FROM users u JOIN orgs o ON o.id = u.org_id"
	    " WHERE u.username = $1");

/* ---- for other modules (appeals_links.c) ---------------------------------------------------- */

const struct sql SQL_APPEAL_SET_SOURCE =
	SQL("UPDATE appeals SET source_kind = $2, source_id = $3 WHERE id = $1");
const struct sql SQL_APPEAL_SOURCE =
	SQL("SELECT source_kind, source_id FROM appeals WHERE id = $1 AND source_kind IS NOT NULL");
/* An enterprise's appeals the caller sees: $6 the enterprise, $7 today. Totals, open, closed,
 * closed as solved, and open ones past their deadline now. */
const struct sql SQL_SECTION_COUNTS =
	SQL("SELECT COUNT(*), COALESCE(SUM(a.is_open), 0),"
	    " COALESCE(SUM(CASE WHEN a.state = 'closed' THEN 1 ELSE 0 END), 0),"
	    " COALESCE(SUM(CASE WHEN a.state = 'closed' AND a.outcome = 'solved' THEN 1 ELSE 0 END), 0),"
	    " COALESCE(SUM(CASE WHEN a.is_open = 1 AND a.state NOT IN ('suspended', 'replied')"
	    " AND a.due_date < CAST($7 AS TEXT) THEN 1 ELSE 0 END), 0)"
	    " FROM appeals a WHERE " APPEAL_SCOPE " AND a.enterprise_id = $6");
/* The newest of them ($8 how many). */
const struct sql SQL_SECTION_RECENT =
	SQL("SELECT a.id, a.title, a.state, a.channel, a.due_date, a.created_at, a.outcome,"
	    " a.rating, c.name, a.source_kind, a.source_id FROM appeals a"
	    " JOIN appeal_categories c ON c.id = a.category_id"
	    " WHERE " APPEAL_SCOPE " AND a.enterprise_id = $6 AND CAST($7 AS TEXT) IS NOT NULL"
	    " ORDER BY a.id DESC LIMIT $8");

/* The search index's upkeep (SQLite): one bounded step of merging its segments into one, about
 * 500 pages of writing; total_changes() moving by less than 2 says there was nothing to merge
 * (FTS5's documented test). PostgreSQL's GIN index needs no such step. */
const struct sql SQL_FTS_MERGE =
	SQL2("INSERT INTO appeals_fts (appeals_fts, rank) VALUES ('merge', -500)", "SELECT 1");
const struct sql SQL_TOTAL_CHANGES = SQL2("SELECT total_changes()", "SELECT 0");
