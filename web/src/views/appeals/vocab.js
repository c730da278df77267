// vocab.js: the words of appeals (诉求) as the console shows them. The server is the authority
// (src/modules/appeals/appeals_rules.c and appeals_core.c); these lists mirror its codes for filters,
// forms and tags. A row from the API carries its own *_name, which wins where it is given.

export const STATES = [
  { value: 'submitted', label: '待受理', tag: 'warning' },
  { value: 'accepted', label: '已受理待交办', tag: 'warning' },
  { value: 'assigned', label: '已交办待签收', tag: 'primary' },
  { value: 'in_progress', label: '办理中', tag: 'primary' },
  { value: 'suspended', label: '已挂起', tag: 'info' },
  { value: 'returned', label: '已回退待重新交办', tag: 'danger' },
  { value: 'pending_approval', label: '待审核', tag: 'warning' },
  { value: 'replied', label: '已答复待评价', tag: 'success' },
  { value: 'reopened', label: '重办待签收', tag: 'danger' },
  { value: 'closed', label: '已办结', tag: 'success' },
  { value: 'rejected', label: '不予受理', tag: 'info' },
  { value: 'withdrawn', label: '已撤回', tag: 'info' },
];

/** Handy groups of states for the list's quick filters. */
export const STATE_GROUPS = [
  { value: 'submitted,accepted,returned', label: '待受理交办' },
  { value: 'assigned,in_progress,suspended,reopened,pending_approval', label: '办理中' },
  { value: 'replied', label: '待评价' },
  { value: 'closed', label: '已办结' },
  { value: 'rejected,withdrawn', label: '不予受理/撤回' },
];

export const FINAL_STATES = ['closed', 'rejected', 'withdrawn'];

export function stateOf(code) {
  return STATES.find((s) => s.value === code) || { value: code, label: code || '—', tag: 'info' };
}

/** Deadline colours as the server computes them (working days, the clock paused while suspended). */
export const COLOURS = [
  { value: 'red', label: '逾期', short: '红', css: 'c-red' },
  { value: 'yellow', label: '临期', short: '黄', css: 'c-yellow' },
  { value: 'green', label: '正常', short: '绿', css: 'c-green' },
  { value: 'paused', label: '挂起暂停', short: '停', css: 'c-paused' },
  { value: 'none', label: '无时限', short: '—', css: 'c-none' },
];

export function colourOf(code) {
  return COLOURS.find((c) => c.value === code) || COLOURS[COLOURS.length - 1];
}

export const CHANNELS = [
  { value: 'self', label: '企业自报' },
  { value: 'visit', label: '走访发现' },
  { value: 'hotline', label: '12345热线' },
  { value: 'phone', label: '来电' },
  { value: 'letter', label: '来信' },
  { value: 'other', label: '其他' },
];

export const URGENCIES = [
  { value: 'normal', label: '普通' },
  { value: 'urgent', label: '紧急' },
];

export const CONTACT_VIAS = [
  { value: 'phone', label: '电话' },
  { value: 'sms', label: '短信' },
  { value: 'visit', label: '上门' },
  { value: 'online', label: '线上留言' },
];

export const OUTCOMES = [
  { value: 'solved', label: '已解决', tag: 'success', hint: '问题已经解决' },
  { value: 'explained', label: '已解释说明', tag: 'primary', hint: '已向企业解释政策或说明情况' },
  { value: 'not_yet', label: '暂不具备条件', tag: 'warning', hint: '须写明后续工作计划和计划办理日期，并经督查审核' },
];

export const RATINGS = [
  { value: 'satisfied', label: '满意', tag: 'success' },
  { value: 'basically_satisfied', label: '基本满意', tag: 'primary' },
  { value: 'unsatisfied', label: '不满意', tag: 'danger' },
  { value: 'unrated', label: '未评价', tag: 'info' },
];

/** Why an appeal is in "my work" (GET /api/v1/appeals/work, reasons[]). */
export const REASONS = [
  { value: 'dispatch', label: '待受理交办', tag: 'warning' },
  { value: 'handle', label: '主办', tag: 'primary' },
  { value: 'co_handle', label: '协办', tag: 'info' },
  { value: 'review', label: '待审核', tag: 'warning' },
  { value: 'approve', label: '待审批/升级', tag: 'danger' },
  { value: 'enterprise', label: '待企业处理', tag: 'success' },
];

export function labelIn(list, value) {
  return list.find((x) => x.value === value)?.label || value || '—';
}
export function itemIn(list, value) {
  return list.find((x) => x.value === value) || null;
}

/** The milestones of the clock, in order, with the timestamp that meets each. */
export const MILESTONES = [
  { key: 'accept', label: '受理', met: 'accepted_at' },
  { key: 'contact', label: '首次联系企业', met: 'contacted_at' },
  { key: 'interim', label: '阶段性答复', met: 'interim_at' },
  { key: 'close', label: '办结（答复）', met: 'replied_at' },
  { key: 'rate', label: '企业评价', met: 'closed_at' },
];

/** The metrics of GET /api/v1/stats/appeals, as a person reads them. */
export const METRICS = {
  received: '受理量（提交）',
  accepted: '已受理',
  rejected: '不予受理',
  withdrawn: '撤回',
  replied: '已答复',
  closed: '办结',
  solved: '已解决',
  closed_on_time: '按时办结',
  rated: '已评价',
  satisfied: '满意（含基本满意）',
  unrated: '未评价',
  reopened: '重办',
  returned: '曾被回退',
  returns: '回退次数',
  escalated: '升级',
  late: '曾逾期',
  open: '在办',
};

/** The five rates, each with what it divides, so the page can show both numbers. */
export const RATES = [
  { key: 'close_rate', label: '办结率', num: 'closed', den: 'accepted', formula: '办结 ÷ 已受理' },
  { key: 'solve_rate', label: '解决率', num: 'solved', den: 'closed', formula: '已解决 ÷ 办结' },
  { key: 'on_time_rate', label: '按时办结率', num: 'closed_on_time', den: 'closed', formula: '按时办结 ÷ 办结' },
  { key: 'satisfaction_rate', label: '满意率', num: 'satisfied', den: 'rated', formula: '满意与基本满意 ÷ 已评价（未评价不计入）' },
  { key: 'reopen_rate', label: '重办率', num: 'reopened', den: 'replied', formula: '重办 ÷ 已答复' },
];

/** 0.7778 → "77.8%"; null (nothing to divide by) → "—". */
export function pct(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return `${(Math.round(x * 1000) / 10).toFixed(1)}%`;
}

/** Bytes as a person reads them. */
export function formatSize(n) {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The file types the server accepts (it sniffs the content; the name must agree). */
export const ATTACHMENT_ACCEPT = '.jpg,.jpeg,.png,.gif,.webp,.bmp,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.wps,.et,.dps';
