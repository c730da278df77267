// work.js: what a row of "my work" asks of the user next, in a few words, from why it is there
// (reasons) and its state. The detail page offers the actions themselves (the server's allowed_actions).

export function nextStep(row) {
  const r = new Set(row.reasons || []);
  const steps = [];
  if (r.has('dispatch')) {
    if (row.state === 'submitted') steps.push('受理');
    else if (row.state === 'returned') steps.push('重新交办');
    else steps.push('交办');
  }
  if (r.has('handle')) {
    if (row.supervision_open > 0) steps.push('答复督办');
    if (row.state === 'assigned' || row.state === 'reopened') steps.push('签收办理');
    else if (row.state === 'in_progress') steps.push('办理答复');
    else if (row.state === 'suspended') steps.push('等待企业补充');
  }
  if (r.has('co_handle')) steps.push('协办意见');
  if (r.has('review')) steps.push('审核答复');
  if (r.has('approve')) steps.push(row.extension_pending ? '审批延期' : '逾期升级督办');
  if (r.has('enterprise')) steps.push(row.state === 'replied' ? '评价' : '补充材料');
  return [...new Set(steps)].join('、') || '查看';
}

/** Sort key of a colour: the most urgent first. */
export const COLOUR_ORDER = { red: 0, yellow: 1, green: 2, paused: 3, none: 4 };
