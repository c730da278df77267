// api.js: the one way the console talks to the tiejian server.
// JSON in and out, same-origin cookies, the CSRF header on every mutation, and one error type:
// the server's body {"error":{"code","message","field"}} becomes a thrown ApiError.

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken = null;
let unauthorizedHandler = null;
let passwordChangeHandler = null;

/** An error answered by the server (or a network failure, status 0). */
export class ApiError extends Error {
  constructor({ status, code, message, field, retryAfter, detail }) {
    super(message || '请求失败');
    this.name = 'ApiError';
    this.status = status;
    this.code = code || 'unknown_error';
    this.field = field || null;
    this.retryAfter = retryAfter ?? null; // seconds, from the Retry-After header (423, 429)
    this.detail = detail || null; // the whole error object, for answers that carry more (an import's report)
  }
}

/** The token that login and /me return; sent back as X-CSRF-Token on mutations. */
export function setCsrfToken(token) {
  csrfToken = token || null;
}

/** Called with the ApiError when a request answers 401 (the session is gone). */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

/** Called when a request answers 403 password_change_required. */
export function onPasswordChangeRequired(fn) {
  passwordChangeHandler = fn;
}

/** Builds "?a=1&b=2" from an object, leaving out empty values. */
export function toQuery(params) {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

const STATUS_MESSAGES = {
  400: '请求格式有误',
  401: '尚未登录或登录已失效',
  403: '没有权限执行此操作',
  404: '对象不存在或无权查看',
  409: '当前状态不允许此操作',
  413: '提交的内容过大',
  415: '提交的内容类型不受支持',
  422: '提交的内容不符合要求',
  423: '账号已锁定',
  429: '操作过于频繁，请稍后再试',
  500: '服务器内部错误，请联系系统管理员',
  502: '服务暂不可用，请稍后再试',
  503: '服务暂不可用，请稍后再试',
  504: '服务响应超时，请稍后再试',
};

async function errorFrom(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  const e = (body && body.error) || {};
  const ra = res.headers.get('Retry-After');
  const retryAfter = ra !== null && /^\d+$/.test(ra.trim()) ? Number(ra.trim()) : null;
  return new ApiError({
    status: res.status,
    code: e.code || `http_${res.status}`,
    message: e.message || STATUS_MESSAGES[res.status] || `请求失败（HTTP ${res.status}）`,
    field: e.field,
    retryAfter,
    detail: body && body.error ? body.error : null,
  });
}

/**
 * request(method, path, options)
 *   query:    object turned into the query string
 *   body:     sent as JSON
 *   rawBody:  sent as is (Blob, ArrayBuffer, string) with options.contentType
 *   as:       'json' (default), 'text' or 'response' (the raw Response, for downloads)
 *   quiet401: do not treat a 401 as an expired session (login itself, the first /me)
 */
export async function request(method, path, options = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (options.rawBody !== undefined) {
    headers['Content-Type'] = options.contentType || 'application/octet-stream';
    init.body = options.rawBody;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (MUTATING.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res;
  try {
    res = await fetch(path + toQuery(options.query), init);
  } catch {
    throw new ApiError({ status: 0, code: 'network_error', message: '无法连接服务器，请检查网络后重试' });
  }

  if (!res.ok) {
    const err = await errorFrom(res);
    if (res.status === 401 && !options.quiet401 && unauthorizedHandler) unauthorizedHandler(err);
    if (res.status === 403 && err.code === 'password_change_required' && passwordChangeHandler) {
      passwordChangeHandler(err);
    }
    throw err;
  }
  if (options.as === 'response') return res;
  if (res.status === 204) return null;
  if (options.as === 'text') return res.text();
  const type = res.headers.get('Content-Type') || '';
  if (!type.includes('json')) return res.text();
  return res.json();
}

export const api = {
  get: (path, query, options = {}) => request('GET', path, { ...options, query }),
  post: (path, body, options = {}) => request('POST', path, { ...options, body }),
  put: (path, body, options = {}) => request('PUT', path, { ...options, body }),
  patch: (path, body, options = {}) => request('PATCH', path, { ...options, body }),
  del: (path, options = {}) => request('DELETE', path, options),
};

/**
 * Downloads a GET answer (CSV, Excel) as a file, keeping the server's error if it refuses.
 * The server's file name wins unless options.name is given (a Chinese name with the date, say).
 */
export async function download(path, query, fallbackName, options = {}) {
  const res = await request('GET', path, { query, as: 'response' });
  const blob = await res.blob();
  let name = fallbackName;
  const cd = res.headers.get('Content-Disposition') || '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  if (options.name) name = options.name;
  else if (star) name = decodeURIComponent(star[1]);
  else if (plain) name = plain[1];
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}
