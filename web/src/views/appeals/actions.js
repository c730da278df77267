// actions.js: every action of an appeal's lifecycle as the console offers it: its button, its dialog's
// fields and the member of the body each field fills (POST /api/v1/appeals/:id/<code>). The server decides
// which actions the caller may take now (allowed_actions); the page shows only those, in this order.
//
// field kinds: textarea, radio (options), date, days (a number), unit (one unit), units (several),
// supervision (one of the appeal's open supervision notes).
import { CONTACT_VIAS, OUTCOMES, RATINGS } from './vocab.js';

export const ACTIONS = [
  {
    code: 'accept',
    label: '受理',
    type: 'primary',
    title: '受理诉求',
    fields: [{ key: 'note', label: '受理意见', kind: 'textarea', placeholder: '可不填' }],
  },
  {
    code: 'assign',
    label: '交办',
    type: 'primary',
    title: '交办诉求',
    hint: '主办单位负责办理和答复；协办单位提供协办意见。承办单位无法办理的，只能回退给受理人，不能转交他人。',
    fields: [
      { key: 'lead_org_id', label: '主办单位', kind: 'unit', required: true },
      { key: 'co_org_ids', label: '协办单位', kind: 'units', max: 6 },
      { key: 'note', label: '交办意见', kind: 'textarea', placeholder: '如办理要求、注意事项' },
    ],
  },
  {
    code: 'reject',
    label: '不予受理',
    type: 'danger',
    plain: true,
    title: '不予受理',
    hint: '理由将告知企业。',
    fields: [{ key: 'reason', label: '不予受理理由', kind: 'textarea', required: true }],
  },
  {
    code: 'start',
    label: '签收办理',
    type: 'primary',
    title: '签收办理',
    fields: [{ key: 'note', label: '说明', kind: 'textarea', placeholder: '可不填' }],
  },
  {
    code: 'contact',
    label: '联系企业',
    type: 'primary',
    plain: true,
    title: '记录首次联系企业',
    fields: [
      { key: 'via', label: '联系方式', kind: 'radio', options: CONTACT_VIAS, required: true },
      { key: 'note', label: '联系情况', kind: 'textarea', placeholder: '如联系人、沟通要点' },
    ],
  },
  {
    code: 'interim_reply',
    label: '阶段性答复',
    type: 'primary',
    plain: true,
    title: '阶段性答复',
    hint: '告知企业目前的办理进展，诉求继续办理，不会办结。',
    fields: [{ key: 'message', label: '阶段性答复', kind: 'textarea', required: true }],
  },
  {
    code: 'reply',
    label: '答复',
    type: 'success',
    title: '答复企业',
    hint: '“已解决”和“已解释说明”的答复直接告知企业，由企业评价；“暂不具备条件”的答复须经督查审核同意后才告知企业。',
    fields: [
      { key: 'outcome', label: '答复结果', kind: 'radio', options: OUTCOMES, required: true },
      { key: 'message', label: '答复内容', kind: 'textarea', required: true, rows: 5 },
      { key: 'plan', label: '后续工作计划', kind: 'textarea', required: true, when: (v) => v.outcome === 'not_yet' },
      { key: 'follow_up_on', label: '计划办理日期', kind: 'date', required: true, future: true, when: (v) => v.outcome === 'not_yet' },
    ],
  },
  {
    code: 'co_opinion',
    label: '协办意见',
    type: 'primary',
    plain: true,
    title: '提交协办意见',
    fields: [{ key: 'message', label: '协办意见', kind: 'textarea', required: true }],
  },
  {
    code: 'suspend',
    label: '挂起',
    type: 'warning',
    plain: true,
    title: '挂起（等待企业，计时暂停）',
    hint: '挂起期间办理时限暂停计算；企业补充材料或期满后自动恢复办理。',
    fields: [
      { key: 'reason', label: '挂起原因', kind: 'textarea', required: true, placeholder: '例如：等待企业补充提供认定文件' },
      { key: 'days', label: '挂起工作日', kind: 'days', min: 1, max: 60, placeholder: '不填为最长期限' },
    ],
  },
  {
    code: 'resume',
    label: '恢复办理',
    type: 'primary',
    title: '恢复办理',
    fields: [{ key: 'note', label: '说明', kind: 'textarea', placeholder: '可不填' }],
  },
  {
    code: 'request_extension',
    label: '申请延期',
    type: 'warning',
    plain: true,
    title: '申请延期（每件诉求限一次，须领导批准）',
    fields: [
      {
        key: 'days',
        label: '延期后办结时限',
        kind: 'radio',
        required: true,
        options: [
          { value: 15, label: '15个工作日' },
          { value: 30, label: '30个工作日' },
        ],
      },
      { key: 'reason', label: '延期理由', kind: 'textarea', required: true },
    ],
  },
  {
    code: 'approve_extension',
    label: '批准延期',
    type: 'success',
    title: '批准延期',
    fields: [{ key: 'note', label: '审批意见', kind: 'textarea', placeholder: '可不填' }],
  },
  {
    code: 'deny_extension',
    label: '不批准延期',
    type: 'danger',
    plain: true,
    title: '不批准延期',
    fields: [{ key: 'reason', label: '不批准理由', kind: 'textarea', required: true }],
  },
  {
    code: 'approve_close',
    label: '同意答复',
    type: 'success',
    title: '同意“暂不具备条件”的答复',
    hint: '同意后答复告知企业，由企业评价。',
    fields: [{ key: 'note', label: '审核意见', kind: 'textarea', placeholder: '可不填' }],
  },
  {
    code: 'deny_close',
    label: '退回重新办理',
    type: 'danger',
    plain: true,
    title: '不同意，退回重新办理',
    fields: [{ key: 'reason', label: '退回理由', kind: 'textarea', required: true }],
  },
  {
    code: 'return',
    label: '回退',
    type: 'danger',
    plain: true,
    title: '回退给受理人（回退）',
    hint: '本单位无法办理的，回退给受理人重新交办；每次回退都会计数并显示。',
    fields: [{ key: 'reason', label: '回退理由', kind: 'textarea', required: true }],
  },
  {
    code: 'answer_supervision',
    label: '答复督办',
    type: 'warning',
    title: '答复督办',
    fields: [
      { key: 'supervision_id', label: '督办事项', kind: 'supervision', required: true },
      { key: 'answer', label: '督办答复', kind: 'textarea', required: true },
    ],
  },
  {
    code: 'supervise',
    label: '督办',
    type: 'warning',
    plain: true,
    title: '督办',
    hint: '督办意见有自己的答复期限，承办单位须答复。',
    fields: [
      { key: 'note', label: '督办意见', kind: 'textarea', required: true },
      { key: 'due_date', label: '答复期限', kind: 'date', future: true, placeholder: '不填按默认工作日' },
    ],
  },
  {
    code: 'escalate',
    label: '升级',
    type: 'danger',
    plain: true,
    title: '升级至负责领导',
    fields: [{ key: 'note', label: '升级原因', kind: 'textarea', required: true }],
  },
  {
    code: 'reopen',
    label: '重办',
    type: 'danger',
    plain: true,
    title: '重办',
    hint: '重办后由主办单位重新签收办理。',
    fields: [{ key: 'reason', label: '重办理由', kind: 'textarea', required: true }],
  },
  {
    code: 'supplement',
    label: '补充信息',
    type: 'primary',
    plain: true,
    title: '补充信息',
    fields: [{ key: 'message', label: '补充内容', kind: 'textarea', required: true }],
  },
  {
    code: 'evaluate',
    label: '评价',
    type: 'success',
    title: '评价办理结果',
    fields: [
      { key: 'rating', label: '评价', kind: 'radio', options: RATINGS.filter((r) => r.value !== 'unrated'), required: true },
      { key: 'comment', label: '评价意见', kind: 'textarea', required: (v) => v.rating === 'unsatisfied', placeholder: '不满意时请说明原因' },
    ],
  },
  {
    code: 'withdraw',
    label: '撤回',
    type: 'info',
    plain: true,
    title: '撤回诉求',
    hint: '撤回后诉求不再办理。',
    fields: [{ key: 'reason', label: '撤回原因', kind: 'textarea', placeholder: '可不填' }],
  },
];

export function actionOf(code) {
  return ACTIONS.find((a) => a.code === code) || null;
}

/** The allowed actions as buttons, in the order above (the unknown ones last, by their code). */
export function buttonsFor(allowed = []) {
  const known = ACTIONS.filter((a) => allowed.includes(a.code));
  const unknown = allowed.filter((c) => !ACTIONS.some((a) => a.code === c)).map((c) => ({ code: c, label: c, type: 'default', fields: [] }));
  return [...known, ...unknown];
}

/** Whether a field is required for the values typed so far. */
export function isRequired(field, values) {
  return typeof field.required === 'function' ? field.required(values) : !!field.required;
}

/** The fields the dialog shows for the values typed so far. */
export function visibleFields(action, values) {
  return (action?.fields || []).filter((f) => !f.when || f.when(values));
}

/** The JSON body for the action: only the visible fields, empty text left out. */
export function bodyFor(action, values) {
  const body = {};
  for (const f of visibleFields(action, values)) {
    const v = values[f.key];
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v) && !v.length) continue;
    body[f.key] = typeof v === 'string' ? v.trim() : v;
    if (body[f.key] === '') delete body[f.key];
  }
  return body;
}
