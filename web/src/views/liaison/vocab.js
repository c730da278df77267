// vocab.js: the words of liaison and visits (包联走访) as the console shows them. The server is the
// authority (src/modules/liaison/liaison_rules.c); rows from the API carry their own *_name.

export const KINDS = [
  { value: 'leader', label: '包联领导' },
  { value: 'cadre', label: '包联干部' },
  { value: 'contact', label: '联络员' },
];

export const MODES = [
  { value: 'onsite', label: '实地' },
  { value: 'phone', label: '电话' },
  { value: 'video', label: '视频' },
];

export const RATINGS = [
  { value: 'helpful', label: '有帮助', tag: 'success' },
  { value: 'neutral', label: '一般', tag: 'info' },
  { value: 'disturbing', label: '打扰', tag: 'danger' },
];

export const STATUSES = [
  { value: 'current', label: '在岗' },
  { value: 'upcoming', label: '待开始' },
  { value: 'ended', label: '已结束' },
];

export function labelIn(list, value) {
  return list.find((x) => x.value === value)?.label || value || '—';
}

export function ratingTag(value) {
  return RATINGS.find((x) => x.value === value)?.tag || 'info';
}

/** "12天前" / "今天" / "从未走访" from a number of days since. */
export function sinceText(days) {
  if (days === null || days === undefined) return '从未走访';
  if (days === 0) return '今天';
  return `${days}天前`;
}

/** Today in the bureau's time zone (Asia/Shanghai), YYYY-MM-DD. */
export function todayLocal() {
  const d = new Date(Date.now() + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 10);
}
