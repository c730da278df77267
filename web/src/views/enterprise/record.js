// record.js: an enterprise record as a form holds it, and back: what the edit dialog and the profile page
// send (only the fields that changed, with the version they edited), and how a 409 is reconciled with the
// latest version without losing what the user typed.

const TEXT = ['name', 'uscc', 'legal_rep', 'address', 'founded_on', 'region_code', 'industry_code', 'ownership', 'scale', 'status'];

/** The form's values for a record (or an empty new one). */
export function formFromRecord(rec) {
  const r = rec || {};
  return {
    name: r.name || '',
    uscc: r.uscc || '',
    uscc_override: !!r.uscc_override_reason,
    uscc_override_reason: r.uscc_override_reason || '',
    legal_rep: r.legal_rep || '',
    region_code: r.region_code || '',
    industry_code: r.industry_code || '',
    ownership: r.ownership || '',
    scale: r.scale || '',
    above_scale: !!r.above_scale,
    status: r.status || 'operating',
    founded_on: r.founded_on || '',
    registered_capital: r.registered_capital === null || r.registered_capital === undefined ? '' : String(r.registered_capital),
    employees: r.employees === null || r.employees === undefined ? '' : String(r.employees),
    address: r.address || '',
    tags: (r.tags || []).map((t) => t.id).sort((a, b) => a - b),
    contacts: (r.contacts || []).map((c) => ({ name: c.name || '', role: c.role || '', mobile: c.mobile || '' })),
  };
}

function cleanContacts(list) {
  return (list || [])
    .map((c) => ({ name: (c.name || '').trim(), role: (c.role || '').trim(), mobile: (c.mobile || '').trim() }))
    .filter((c) => c.name || c.role || c.mobile);
}

/** The value the API takes for a form field. */
export function apiValue(form, key) {
  const v = form[key];
  if (key === 'above_scale') return !!v;
  if (key === 'tags') return [...v].sort((a, b) => a - b);
  if (key === 'contacts') {
    return cleanContacts(v).map((c) => {
      const o = { name: c.name };
      if (c.role) o.role = c.role;
      if (c.mobile) o.mobile = c.mobile;
      return o;
    });
  }
  if (key === 'employees') {
    const s = String(v ?? '').trim();
    if (!s) return null;
    return /^\d+$/.test(s) ? Number(s) : s; // anything else: the server says what is wrong with it
  }
  if (key === 'registered_capital') {
    const s = String(v ?? '').trim();
    return s ? s : null; // as text: the server reads 万元 with up to 4 decimals exactly
  }
  if (key === 'status') return v || 'operating';
  if (TEXT.includes(key)) {
    const s = String(v ?? '').trim();
    return s ? s : null;
  }
  return v;
}

export const EDITABLE_KEYS = [
  'name',
  'uscc',
  'legal_rep',
  'region_code',
  'industry_code',
  'ownership',
  'scale',
  'above_scale',
  'status',
  'founded_on',
  'registered_capital',
  'employees',
  'address',
  'tags',
  'contacts',
];

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** The keys whose value in form differs from base (both form-shaped). */
export function changedKeys(form, base, keys = EDITABLE_KEYS) {
  return keys.filter((k) => !same(apiValue(form, k), apiValue(base, k)));
}

/**
 * The PATCH body: the changed fields among keys, and the version edited. The override reason goes with
 * the credit code when the user asks for the exception (only an administrator is offered it).
 */
export function patchBody(form, base, version, keys = EDITABLE_KEYS) {
  const body = { version };
  for (const k of changedKeys(form, base, keys)) body[k] = apiValue(form, k);
  const reasonChanged = form.uscc_override && (form.uscc_override_reason || '').trim() !== (base.uscc_override_reason || '').trim();
  if (form.uscc_override && ('uscc' in body || reasonChanged)) {
    body.uscc = apiValue(form, 'uscc');
    body.uscc_override_reason = (form.uscc_override_reason || '').trim() || null;
  }
  return body;
}

/** The POST body of a new record: every field that has a value. */
export function createBody(form) {
  const body = {};
  for (const k of EDITABLE_KEYS) {
    const v = apiValue(form, k);
    if (v === null || (Array.isArray(v) && !v.length)) continue;
    body[k] = v;
  }
  if (form.uscc_override) body.uscc_override_reason = (form.uscc_override_reason || '').trim() || null;
  return body;
}

/**
 * After a version conflict: the latest record's values, with the user's own changes (form against the
 * base they started from) laid over them. Returns the new form, the new base and the fields that both
 * the user and someone else changed ({key: the other person's value, as form-shaped}).
 */
export function rebase(form, base, latestRecord, keys = EDITABLE_KEYS) {
  const latest = formFromRecord(latestRecord);
  const mine = changedKeys(form, base, keys);
  const next = { ...latest, contacts: latest.contacts.map((c) => ({ ...c })), tags: [...latest.tags] };
  const clashes = {};
  for (const k of mine) {
    next[k] = Array.isArray(form[k]) ? JSON.parse(JSON.stringify(form[k])) : form[k];
    if (!same(apiValue(latest, k), apiValue(base, k)) && !same(apiValue(latest, k), apiValue(form, k))) clashes[k] = latest[k];
  }
  next.uscc_override = form.uscc_override;
  next.uscc_override_reason = form.uscc_override_reason;
  return { form: next, base: latest, clashes };
}
