// feedback.js: how errors and copies are reported to the user, the same way on every page.
import { ElMessage } from 'element-plus';

/** Shows the server's Chinese message; a 401 is already handled by sending the user to the login page. */
export function showError(e, fallback = '操作失败') {
  if (e && e.status === 401) return;
  if (e && e.code === 'password_change_required') return;
  ElMessage({ type: 'error', message: (e && e.message) || fallback, grouping: true, showClose: true });
}

export function showSuccess(message) {
  ElMessage({ type: 'success', message, grouping: true });
}

/**
 * Copies text to the clipboard. On a plain-HTTP intranet the Clipboard API is not available,
 * so fall back to a hidden textarea and execCommand.
 */
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      ElMessage({ type: 'success', message: '已复制到剪贴板', grouping: true });
      return true;
    }
  } catch {
    // fall through to the old way
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  ElMessage({
    type: ok ? 'success' : 'warning',
    message: ok ? '已复制到剪贴板' : '浏览器不允许自动复制，请手动选中后复制',
    grouping: true,
  });
  return ok;
}

/** Turns a 422 with a field into { field: message } for el-form-item :error. */
export function fieldErrors(e) {
  if (e && e.field && (e.status === 422 || e.status === 409)) return { [e.field]: e.message };
  return {};
}
