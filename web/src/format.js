// format.js: how times, dates and codes are shown. The bureau's time zone (Asia/Shanghai) decides the day.

const TZ = 'Asia/Shanghai';

const timeFmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

function parts(date) {
  const o = {};
  for (const p of timeFmt.formatToParts(date)) o[p.type] = p.value;
  if (o.hour === '24') o.hour = '00';
  return o;
}

/** "2026-03-05 14:07:09" in Beijing time, from an ISO timestamp; "—" when empty. */
export function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = parts(d);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** Today's date in Beijing, "YYYY-MM-DD". */
export function todayShanghai() {
  const p = parts(new Date());
  return `${p.year}-${p.month}-${p.day}`;
}

const WEEKDAYS = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];

/** "星期三" for a "YYYY-MM-DD" date (the date itself, no time zone involved). */
export function weekday(date) {
  const [y, m, d] = date.split('-').map(Number);
  return WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
}

/** "2026年3月5日" */
export function formatDateCn(date) {
  if (!date) return '—';
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** Days between two "YYYY-MM-DD" dates. */
export function daysBetween(a, b) {
  const t = (s) => {
    const [y, m, d] = s.split('-').map(Number);
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((t(b) - t(a)) / 86400000);
}

export const ORG_KINDS = [
  { value: 'province', label: '省级' },
  { value: 'city', label: '市级' },
  { value: 'county', label: '县区级' },
  { value: 'department', label: '科室/单位' },
];

export const SCOPES = [
  { value: 'all', label: '全部' },
  { value: 'subtree', label: '本机构及下级' },
  { value: 'org', label: '本机构' },
  { value: 'self', label: '本人' },
  { value: 'enterprise', label: '本企业' },
  { value: 'liaison', label: '本人包联企业' },
];

export function labelOf(list, value) {
  return list.find((x) => x.value === value)?.label || value || '—';
}
