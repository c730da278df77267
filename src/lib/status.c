/* status.c: the one table from status to HTTP code, error code and default message. */
#include "lib/status.h"

static const struct {
	int http;
	const char *code;
	const char *message;
} status_table[ST__COUNT] = {
	[ST_OK] = {200, "ok", "成功"},
	[ST_BAD_REQUEST] = {400, "bad_request", "请求格式不正确"},
	[ST_UNAUTHORIZED] = {401, "unauthorized", "请先登录"},
	[ST_FORBIDDEN] = {403, "forbidden", "没有执行此操作的权限"},
	[ST_NOT_FOUND] = {404, "not_found", "找不到该记录，或您无权查看"},
	[ST_METHOD] = {405, "method_not_allowed", "不支持该请求方法"},
	[ST_CONFLICT] = {409, "conflict", "与现有数据冲突或当前状态不允许此操作"},
	[ST_TOO_LARGE] = {413, "too_large", "提交的内容过大"},
	[ST_MEDIA_TYPE] = {415, "unsupported_media_type", "请求内容类型不受支持，应为 application/json"},
	[ST_INVALID] = {422, "validation_failed", "提交的数据不符合要求"},
	[ST_LOCKED] = {423, "locked", "账号已锁定，请稍后再试"},
	[ST_RATE_LIMITED] = {429, "rate_limited", "请求过于频繁，请稍后再试"},
	[ST_HEADERS_TOO_LARGE] = {431, "headers_too_large", "请求头过大，请清除本站Cookie后重试"},
	[ST_UNAVAILABLE] = {503, "unavailable", "服务暂时不可用，请稍后再试"},
	[ST_STORAGE_FULL] = {507, "storage_full", "服务器存储空间已满，暂时无法保存，请联系管理员"},
	[ST_NOMEM] = {500, "out_of_memory", "服务器内存不足，请稍后再试"},
	[ST_DB] = {500, "database_error", "数据库错误，请联系管理员"},
	[ST_INTERNAL] = {500, "internal_error", "服务器内部错误，请联系管理员"},
};

int status_http(enum status st)
{
	return (unsigned)st < ST__COUNT ? status_table[st].http : 500;
}

const char *status_code(enum status st)
{
	return (unsigned)st < ST__COUNT ? status_table[st].code : "internal_error";
}

const char *status_message(enum status st)
{
	return (unsigned)st < ST__COUNT ? status_table[st].message : "服务器内部错误，请联系管理员";
}
