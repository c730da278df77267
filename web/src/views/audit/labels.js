// labels.js: Chinese names for the audit log's entities and actions. Unknown codes are shown as they are,
// so a new module's entries read fine before it adds its names here.

export const ENTITIES = {
  session: '登录会话',
  user: '用户',
  org: '机构',
  role: '角色',
  api_token: 'API 令牌',
  calendar: '节假日安排',
  audit_log: '审计日志',
  enterprise: '企业',
};

export const ACTIONS = {
  login: '登录',
  logout: '退出',
  create: '新建',
  update: '修改',
  change_password: '修改密码',
  reset_password: '重置密码',
  unlock: '解除锁定',
  set_roles: '分配角色',
  revoke: '吊销',
  import: '导入',
  export: '导出',
  demo_load: '载入演示数据',
};

export function entityLabel(code) {
  return ENTITIES[code] || code || '—';
}
export function actionLabel(code) {
  return ACTIONS[code] || code || '—';
}

// Keys and values that appear in summaries, shown in Chinese in the one-line preview.
const SUMMARY_KEYS = {
  reason: '原因',
  locked: '锁定',
  username: '用户名',
  display_name: '姓名',
  name: '名称',
  code: '编码',
  kind: '层级',
  parent_id: '上级编号',
  org_id: '机构编号',
  region_code: '区划代码',
  sort: '排序',
  status: '状态',
  mobile: '手机',
  roles: '角色',
  permissions: '权限',
  scope: '数据范围',
  rows: '行数',
  days: '天数',
  years: '年度',
  expires_days: '有效天数',
  entity: '对象',
  action: '操作',
};
const SUMMARY_VALUES = {
  wrong_password: '密码错误',
  unknown_user: '用户不存在',
  locked: '账号已锁定',
  disabled: '已停用',
  active: '正常',
  true: '是',
  false: '否',
};

function valueText(v) {
  if (v === null || v === undefined) return '空';
  if (Array.isArray(v)) return v.map(valueText).join('、') || '无';
  if (typeof v === 'object') return JSON.stringify(v);
  return SUMMARY_VALUES[String(v)] || String(v);
}

/** "原因: 密码错误；锁定: 否" from {"reason":"wrong_password","locked":false}. */
export function summaryText(summary) {
  if (summary === null || summary === undefined) return '';
  if (typeof summary !== 'object') return String(summary);
  return Object.entries(summary)
    .map(([k, v]) => `${SUMMARY_KEYS[k] || k}: ${valueText(v)}`)
    .join('；');
}
