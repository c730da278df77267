/* static.c: serve web/dist safely: no traversal, right types, caching by kind of file. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/static.h"

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".json", "application/json; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".jpg", "image/jpeg"},
	{".jpeg", "image/jpeg"},
	{".gif", "image/gif"},
	{".ico", "image/x-icon"},
	{".webp", "image/webp"},
	{".woff", "font/woff"},
	{".woff2", "font/woff2"},
	{".ttf", "font/ttf"},
	{".txt", "text/plain; charset=utf-8"},
	{".map", "application/json; charset=utf-8"},
	{".csv", "text/csv; charset=utf-8"},
	{".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
};

const char *static_content_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/* Every segment must be a plain name: no "..", no hidden files, no backslashes. */
static bool safe_path(const char *path)
{
	if (path[0] != '/' || strlen(path) > 512)
		return false;
	for (const char *p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == '\\' || c == 0x7f)
			return false;
		if (c == '/' && p[1] == '.')
			return false;
	}
	return true;
}

static enum status serve_file(struct request *req, const char *file, const char *cache)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return ST_NOT_FOUND;
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return ST_NOT_FOUND;
	}
	req->resp_fd = fd;
	req->resp_fd_size = (uint64_t)sb.st_size;
	req->resp_len = (size_t)sb.st_size;
	req->http_status = 200;
	req->resp_type = static_content_type(file);
	req->static_file = true;
	req_set_header(req, "Cache-Control", cache);
	return ST_OK;
}

enum status static_serve(struct request *req)
{
	const char *dir = req->app->cfg->web_dir;
	const char *path = req->path;
	if (!safe_path(path))
		return req_fail(req, ST_NOT_FOUND, NULL, NULL, NULL);
	const char *last = strrchr(path, '/');
	bool has_ext = last && strchr(last, '.') != NULL;
	if (strcmp(path, "/") != 0 && has_ext) {
		char *file = arena_printf(&req->arena, "%s%s", dir, path);
		if (!file)
			return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
		bool hashed = strncmp(path, "/assets/", 8) == 0;
		if (serve_file(req, file,
			       hashed ? "public, max-age=31536000, immutable"
				      : "public, max-age=3600") == ST_OK)
			return ST_OK;
		return req_fail(req, ST_NOT_FOUND, "no_such_file", "找不到该文件", NULL);
	}
	/* A console route: the single-page app answers it. */
	char *index = arena_printf(&req->arena, "%s/index.html", dir);
	if (!index)
		return req_fail(req, ST_NOMEM, NULL, NULL, NULL);
	if (serve_file(req, index, "no-cache") == ST_OK)
		return ST_OK;
	return req_fail(req, ST_NOT_FOUND, "console_not_built",
			"控制台尚未构建（请运行 make run 或 make web）", NULL);
}
