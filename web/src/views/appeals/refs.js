// refs.js: the lists appeal pages pick from, fetched once per page load and shared: the two-level
// category tree (any login), and the units an appeal can be assigned to (appeal.dispatch answers
// /appeals/units; otherwise the org tree the caller may read).
import { reactive } from 'vue';
import { api } from '../../api.js';
import { can } from '../../session.js';

export const appealRefs = reactive({
  categories: [], // roots with children
  units: [], // flat [{id, parent_id, name, kind, path}]
  unitTree: [], // the same as a tree
  settings: null, // {yellow_days, attachment_max_bytes, …} (appeal.read)
});

let catPending = null;
let setPending = null;

/** The clock's settings (yellow window, attachment limits …), once per page load. */
export function loadSettings() {
  if (!setPending) {
    setPending = api
      .get('/api/v1/appeal-settings')
      .then((res) => {
        appealRefs.settings = res.values || {};
        return appealRefs.settings;
      })
      .catch((e) => {
        setPending = null;
        throw e;
      });
  }
  return setPending;
}
let unitPending = null;

/** The category tree (active categories); force reloads it (after an administrator edits it). */
export function loadCategories(force = false) {
  if (!catPending || force) {
    catPending = api
      .get('/api/v1/appeal-categories')
      .then((res) => {
        appealRefs.categories = res.items || [];
        return appealRefs.categories;
      })
      .catch((e) => {
        catPending = null;
        throw e;
      });
  }
  return catPending;
}

/** For el-cascader / el-tree-select: [{value, label, children}] */
export function categoryOptions(leavesOnly = false) {
  return appealRefs.categories.map((c) => ({
    value: c.id,
    label: c.name,
    disabled: leavesOnly && !(c.children || []).length ? true : undefined,
    children: (c.children || []).map((s) => ({ value: s.id, label: s.name })),
  }));
}

/** "融资 / 银行贷款" for a subcategory id. */
export function categoryPath(id) {
  for (const c of appealRefs.categories) {
    if (c.id === id) return c.name;
    const s = (c.children || []).find((x) => x.id === id);
    if (s) return `${c.name} / ${s.name}`;
  }
  return null;
}

function flatten(nodes, out = []) {
  for (const n of nodes || []) {
    out.push({ id: n.id, parent_id: n.parent_id ?? null, name: n.name, kind: n.kind, path: n.path, code: n.code });
    flatten(n.children, out);
  }
  return out;
}

function treeOf(flat) {
  const byId = new Map(flat.map((u) => [u.id, { ...u, children: [] }]));
  const roots = [];
  for (const u of byId.values()) {
    const p = u.parent_id && byId.get(u.parent_id);
    if (p) p.children.push(u);
    else roots.push(u);
  }
  const prune = (n) => {
    if (!n.children.length) delete n.children;
    else n.children.forEach(prune);
  };
  roots.forEach(prune);
  return roots;
}

/** The units to assign to (in use). */
export function loadUnits(force = false) {
  if (!unitPending || force) {
    const source = can('appeal.dispatch') || can('appeal.admin')
      ? api.get('/api/v1/appeals/units').then((r) => r.items || [])
      : can('org.read')
        ? api.get('/api/v1/orgs/tree').then((r) => flatten(r.items || []))
        : Promise.resolve([]);
    unitPending = source
      .then((flat) => {
        appealRefs.units = flat;
        appealRefs.unitTree = treeOf(flat);
        return flat;
      })
      .catch((e) => {
        unitPending = null;
        throw e;
      });
  }
  return unitPending;
}

export function unitName(id) {
  return appealRefs.units.find((u) => u.id === id)?.name || null;
}
