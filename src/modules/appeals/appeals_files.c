/* appeals_files.c: attachments: images, PDF and Office files, their type sniffed from the
 * content, kept outside any served folder under generated names, served only to those who
 * can see the appeal. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "http/input.h"
#include "lib/log.h"
#include "modules/appeals/appeals_internal.h"
#include "modules/appeals/appeals_sql.h"

static const char *const kind_codes[] = {"unknown", "jpeg", "png", "gif", "webp", "bmp",
					 "pdf", "docx", "xlsx", "pptx", "ole", NULL};

/* Where attachments live: --files, else next to a SQLite database (FILE.db.files), else
 * ./tiejian-files. */
static void files_dir(struct app *app, char *out, size_t n)
{
	const struct config *c = app->cfg;
	if (c->files_dir && *c->files_dir)
		snprintf(out, n, "%s", c->files_dir);
	else if (!db_url_is_postgres(c->db_url))
		snprintf(out, n, "%s.files", c->db_url);
	else
		snprintf(out, n, "./tiejian-files");
}

static int make_dir(const char *path)
{
	return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* Write the bytes durably to dir/aa/NAME (a fresh name, never an existing file). */
static enum status store(struct app *app, const char *p, size_t n, char name[33], char *path,
			 size_t pathlen)
{
	char dir[900], sub[1000];
	unsigned char rnd[16];
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(name, 33, rnd, sizeof(rnd));
	files_dir(app, dir, sizeof(dir));
	snprintf(sub, sizeof(sub), "%s/%.2s", dir, name);
	if (make_dir(dir) || make_dir(sub)) {
		log_warn("attachments: cannot create %s", sub);
		return ST_STORAGE_FULL;
	}
	snprintf(path, pathlen, "%s/%s", sub, name + 2);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_warn("attachments: cannot create a file in %s", sub);
		return errno == ENOSPC ? ST_STORAGE_FULL : ST_INTERNAL;
	}
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(fd, p + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			unlink(path);
			log_warn("attachments: cannot write %s", path);
			return e == ENOSPC || e == EDQUOT ? ST_STORAGE_FULL : ST_INTERNAL;
		}
		off += (size_t)w;
	}
	bool ok = fsync(fd) == 0;
	ok &= close(fd) == 0;
	int dfd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		ok &= fsync(dfd) == 0;
		close(dfd);
	}
	if (!ok) {
		unlink(path);
		return ST_STORAGE_FULL;
	}
	return ST_OK;
}

enum status appeals_files_upload(struct request *req)
{
	int64_t id, internal_q, count;
	const char *raw_name;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) ||
	    (st = q_str(req, "name", "文件名", 200, &raw_name)) ||
	    (st = q_int(req, "internal", "仅内部可见", 0, 1, 0, &internal_q)) ||
	    (st = req_db(req, &db)))
		return st;
	char name[400];
	appeal_file_name_clean(raw_name, name, sizeof(name));
	if (!*name)
		return req_fail(req, ST_INVALID, "required", "请提供文件名（含扩展名）", "name");
	struct appeal_ctx cx;
	struct appeal a;
	if ((st = appeals_req_ctx(req, db, &cx)) || (st = appeals_load_visible(req, &cx, id, &a)))
		return st;
	cx.caps = appeal_caps_of(req->user, &a);
	size_t n = req->body.len;
	if ((int64_t)n > cx.set.attachment_max_bytes)
		return req_failf(req, ST_TOO_LARGE, "too_large", NULL, "单个附件不能超过%lld KB",
				 (long long)(cx.set.attachment_max_bytes / 1024));
	if (!n)
		return req_fail(req, ST_INVALID, "empty_file", "文件是空的", NULL);
	/* the content decides the type; a name that claims another is a disguise */
	enum appeal_file_kind kind = appeal_file_sniff((const unsigned char *)req->body.p, n);
	enum appeal_file_kind claimed = appeal_file_claimed(name);
	if (kind == AF_UNKNOWN)
		return req_fail(req, ST_MEDIA_TYPE, "unsupported_type",
				"只能上传图片（JPG、PNG、GIF、WEBP、BMP）、PDF或Office文件", NULL);
	if (claimed != kind)
		return req_fail(req, ST_MEDIA_TYPE, "disguised_type",
				"文件内容与扩展名不符，请上传真实的文件", "name");
	unsigned people = CAP_ENTERPRISE | CAP_FILER | CAP_DISPATCHER | CAP_LEAD | CAP_CO |
			  CAP_SUPERVISOR | CAP_LEADER;
	if (!(cx.caps & people))
		return req_fail(req, ST_CONFLICT, "not_your_role",
				"您不是这件诉求的相关办理人，不能上传附件", NULL);
	if (appeal_state_final(a.state))
		return req_fail(req, ST_CONFLICT, "wrong_state", "诉求已结束，不能再上传附件", NULL);
	/* the enterprise's own files are always its to see */
	bool internal = internal_q && !(cx.caps & (CAP_ENTERPRISE | CAP_FILER)) &&
			req->user->enterprise_id == 0;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1], stored[33], path[1100];
	crypto_hash_sha256(digest, (const unsigned char *)req->body.p, n);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	if ((st = db_begin(db)))
		return st;
	if ((st = db_int1(db, &SQL_FILE_COUNT, DB_ARGS(db_int(id)), &count))) {
		db_rollback(db);
		return st;
	}
	if (count >= cx.set.attachment_max_count) {
		db_rollback(db);
		return req_failf(req, ST_CONFLICT, "too_many_attachments", NULL,
				 "每件诉求最多%d个附件", cx.set.attachment_max_count);
	}
	if ((st = store(req->app, req->body.p, n, stored, path, sizeof(path)))) {
		db_rollback(db);
		return req_fail(req, st, st == ST_STORAGE_FULL ? "storage_full" : NULL,
				st == ST_STORAGE_FULL ? "存储空间不足，附件未能保存" : NULL, NULL);
	}
	int64_t file_id;
	st = db_int1(db, &SQL_FILE_INSERT,
		     DB_ARGS(db_int(id), db_text(name), db_text(stored), db_text(kind_codes[kind]),
			     db_int((int64_t)n), db_text(hex), db_int(internal),
			     db_int(req->user->user_id), db_text(req->user->display_name),
			     db_int(req->now)),
		     &file_id);
	if (!st)
		st = appeal_event(&cx, &a, "attach", a.state, a.state, !internal,
				  arena_printf(&req->arena, "上传附件：%s", name),
				  json_pack("{s:I, s:s, s:I}", "attachment_id", (json_int_t)file_id,
					    "name", name, "size_bytes", (json_int_t)n),
				  NULL);
	if (!st)
		st = audit_req(req, db, "appeal", id, "attach",
			       json_pack("{s:I, s:s, s:s, s:I, s:s, s:b}", "attachment_id",
					 (json_int_t)file_id, "name", name, "kind", kind_codes[kind],
					 "size_bytes", (json_int_t)n, "sha256", hex, "internal",
					 internal));
	if (!st)
		st = db_commit(db);
	else
		db_rollback(db);
	if (st) {
		unlink(path);
		return st;
	}
	return reply_json(req, 201,
			  json_pack("{s:I, s:s, s:s, s:s, s:I, s:b, s:s, s:o}", "id",
				    (json_int_t)file_id, "name", name, "kind", kind_codes[kind],
				    "mime", appeal_file_mime(kind), "size_bytes", (json_int_t)n,
				    "internal", internal, "url",
				    arena_printf(&req->arena, "/api/v1/appeals/%lld/attachments/%lld",
						 (long long)id, (long long)file_id),
				    "uploaded_at", json_time(req, req->now)));
}


enum status appeals_files_get(struct request *req)
{
	int64_t id;
	struct db *db;
	enum status st;
	if ((st = req_param_id(req, "id", &id)) || (st = req_db(req, &db)))
		return st;
	int64_t file_id;
	if (!span_to_i64(req_param(req, "file"), 1, INT64_MAX, &file_id))
		return req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
	struct appeal_ctx cx;
	struct appeal a;
	if ((st = appeals_req_ctx(req, db, &cx)) || (st = appeals_load_visible(req, &cx, id, &a)))
		return st;
	cx.caps = appeal_caps_of(req->user, &a);
	bool ent_only = req->user->enterprise_id > 0 &&
			!(cx.caps & (CAP_DISPATCHER | CAP_LEAD | CAP_CO | CAP_SUPERVISOR | CAP_LEADER));
	char name[400] = "", stored[64] = "", kind[16] = "";
	bool found = false, internal = false;
	struct db_res *r = db_query(db, &SQL_FILE_GET, DB_ARGS(db_int(file_id), db_int(id)));
	if (db_next(r)) {
		found = true;
		snprintf(name, sizeof(name), "%s", db_col_text(r, 1));
		snprintf(stored, sizeof(stored), "%s", db_col_text(r, 2));
		snprintf(kind, sizeof(kind), "%s", db_col_text(r, 3));
		internal = db_col_int(r, 5) != 0;
	}
	if ((st = db_done(r)))
		return st;
	if (!found || (internal && ent_only) || strlen(stored) != 32 ||
	    strspn(stored, "0123456789abcdef") != 32)
		return req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
	char dir[900], path[1100];
	files_dir(req->app, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%.2s/%s", dir, stored, stored + 2);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		log_error("attachment %lld of appeal %lld is missing from the store",
			  (long long)file_id, (long long)id);
		return req_fail(req, ST_NOT_FOUND, "file_missing", "附件文件已丢失，请联系管理员",
				NULL);
	}
	int k = appeal_code_index(kind_codes, kind);
	req->resp_fd = fd;
	req->resp_fd_size = (uint64_t)sb.st_size;
	req->http_status = 200;
	req->resp_type = appeal_file_mime(k > 0 ? (enum appeal_file_kind)k : AF_UNKNOWN);
	req_set_header(req, "Content-Disposition", req_attachment(req, name));
	req_set_header(req, "Cache-Control", "private, no-store");
	return ST_OK;
}
