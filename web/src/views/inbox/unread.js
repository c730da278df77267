// unread.js: the number of unread notifications, shared by the header's bell and the inbox page.
import { ref } from 'vue';
import { api } from '../../api.js';

export const unread = ref(0);

export async function refreshUnread() {
  try {
    const res = await api.get('/api/v1/notifications/unread-count');
    unread.value = res.unread ?? 0;
  } catch {
    // the bell keeps its last number; a 401 is handled by the session
  }
  return unread.value;
}

/** Where a notification leads: the appeal (the enterprise's own page for an enterprise user). */
export function targetOf(n, enterpriseUser) {
  if (n.entity === 'appeal' && n.entity_id) {
    return { name: enterpriseUser ? 'my-appeal' : 'appeal', params: { id: n.entity_id } };
  }
  return null;
}
