// vocab.js: the enterprise registry's words as the console shows them: the vocabularies (codes the API
// takes, names a person reads), the fields' labels, and what an enterprise user may edit on its own record.
// The server is the authority (src/modules/enterprises/enterprises_rules.c); these mirror it for display.

export const OWNERSHIPS = [
  { value: 'state', label: '国有' },
  { value: 'collective', label: '集体' },
  { value: 'private', label: '民营' },
  { value: 'foreign', label: '外资' },
  { value: 'hmt', label: '港澳台' },
  { value: 'mixed', label: '混合所有制' },
];

export const SCALES = [
  { value: 'large', label: '大型' },
  { value: 'medium', label: '中型' },
  { value: 'small', label: '小型' },
  { value: 'micro', label: '微型' },
];

export const STATUSES = [
  { value: 'operating', label: '在营', tag: 'success' },
  { value: 'suspended', label: '停产', tag: 'warning' },
  { value: 'deregistered', label: '注销', tag: 'info' },
];

export const ABOVE_SCALE = [
  { value: 'true', label: '规上企业' },
  { value: 'false', label: '规下企业' },
];

/** The fields of a record, in the order the detail page and the edit form show them. */
export const FIELD_LABELS = {
  name: '企业名称',
  uscc: '统一社会信用代码',
  uscc_override_reason: '信用代码例外理由',
  legal_rep: '法定代表人',
  region_code: '所在地区',
  industry_code: '所属行业',
  ownership: '经济类型',
  scale: '企业规模',
  above_scale: '是否规上企业',
  status: '经营状态',
  founded_on: '成立日期',
  registered_capital: '注册资本（万元）',
  employees: '从业人数',
  address: '注册地址',
  tags: '企业标签',
  contacts: '联系人',
  version: '版本',
};

/**
 * What an enterprise user may change on its own record (the server refuses the rest with 403
 * field_not_editable): where it is, how to reach it, how many people it employs.
 */
export const ENTERPRISE_EDITABLE = ['address', 'employees', 'contacts'];

/** List sorting: the table column's prop and the API's sort key. */
export const SORTABLE = {
  name: 'name',
  founded_on: 'founded',
  registered_capital: 'capital',
  employees: 'employees',
  updated_at: 'updated',
};

export const HISTORY_ACTIONS = {
  create: '新建',
  update: '修改',
  import: '导入',
  demo: '演示数据',
};

export function statusOf(value) {
  return STATUSES.find((s) => s.value === value) || { value, label: value || '—', tag: 'info' };
}

/** A capital in 万元 as a person reads it: "1,936.5". */
export function formatCapital(v) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  return n.toLocaleString('zh-CN', { maximumFractionDigits: 4 });
}

export function formatCount(v) {
  if (v === null || v === undefined || v === '') return '—';
  return Number(v).toLocaleString('zh-CN');
}
