// session.js: who is logged in, shared by the router guard, the layout and every page.
import { reactive } from 'vue';
import { api, setCsrfToken } from './api.js';

export const session = reactive({
  user: null, // USER from login or /me
  ready: false, // /me has been asked once since the page loaded
  expired: false, // the first /me found a session that had timed out (401 session_expired)
});

/** True when the user holds the permission (no permission needed when perm is empty). */
export function can(perm) {
  if (!perm) return true;
  const perms = session.user?.permissions || [];
  if (Array.isArray(perm)) return perm.some((p) => perms.includes(p));
  return perms.includes(perm);
}

/** An enterprise user (企业用户) acts for one enterprise; everyone else works in a bureau. */
export function isEnterpriseUser() {
  return !!session.user?.enterprise;
}

/**
 * True when a page or card is for the current user: it holds the permission (meta.perm), and it is
 * of the audience the page is for (meta.audience: 'staff' for bureau users, 'enterprise' for
 * enterprise users, empty for both).
 */
export function allowed(meta = {}) {
  if (!can(meta.perm)) return false;
  if (meta.audience === 'enterprise') return isEnterpriseUser();
  if (meta.audience === 'staff') return !!session.user && !isEnterpriseUser();
  return true;
}

function accept(answer) {
  setCsrfToken(answer.csrf_token);
  session.user = answer.user;
  session.ready = true;
  return answer.user;
}

export function clearSession() {
  setCsrfToken(null);
  session.user = null;
  session.ready = true;
}

/** Asks the server who we are; leaves user null when not logged in. */
export async function loadMe() {
  try {
    return accept(await api.get('/api/v1/me', undefined, { quiet401: true }));
  } catch (e) {
    if (e.status === 401 || e.status === 403) {
      clearSession();
      session.expired = e.code === 'session_expired';
      return null;
    }
    session.ready = true;
    throw e;
  }
}

export async function login(username, password) {
  return accept(await api.post('/api/v1/auth/login', { username, password }, { quiet401: true }));
}

export async function logout() {
  try {
    await api.post('/api/v1/auth/logout', undefined, { quiet401: true });
  } finally {
    clearSession();
  }
}
