// refdata.js: the registry's reference lists (regions GB/T 2260, industries GB/T 4754, enterprise tags),
// fetched once per page load and shared by the list, the forms and the import page.
import { reactive } from 'vue';
import { api } from '../../api.js';
import { session } from '../../session.js';

export const refData = reactive({
  regions: [], // [{code, name, level, parent_code}]
  industries: [], // [{code, name, level, parent_code}]
  tags: [], // [{id, name, status, sort}]
  loaded: false,
});

let pending = null;
let tagsPending = null;

/** Loads the three lists (once; force reloads the tags, which administrators edit). */
export function loadRefData() {
  if (!pending) {
    pending = Promise.all([api.get('/api/v1/regions'), api.get('/api/v1/industries'), loadTags()])
      .then(([regions, industries]) => {
        refData.regions = regions.items || [];
        refData.industries = industries.items || [];
        refData.loaded = true;
        return refData;
      })
      .catch((e) => {
        pending = null;
        throw e;
      });
  }
  return pending;
}

export function loadTags(force = false) {
  if (!tagsPending || force) {
    tagsPending = api
      .get('/api/v1/enterprise-tags')
      .then((res) => {
        refData.tags = res.items || [];
        return refData.tags;
      })
      .catch((e) => {
        tagsPending = null;
        throw e;
      });
  }
  return tagsPending;
}

function regionByCode() {
  const m = new Map();
  for (const r of refData.regions) m.set(r.code, r);
  return m;
}

/** "龙沙区" for "230202" (the code itself when unknown). */
export function regionName(code) {
  if (!code) return '—';
  return refData.regions.find((r) => r.code === code)?.name || code;
}

/** The region of the user's own bureau: its 6-digit code, when the org code carries one. */
export function userRegion() {
  const org = session.user?.org;
  if (!org) return null;
  if (org.region_code) return org.region_code;
  const m = /^(\d{6})/.exec(org.code || '');
  return m ? m[1] : null;
}

/**
 * The regions the user picks from, as el-select groups: a county bureau its county, a city bureau its
 * counties, a province bureau every prefecture with its counties. withCity adds the city itself as a
 * choice (the list filter takes a city code meaning all its counties).
 */
export function regionGroups({ withCity = false } = {}) {
  const byCode = regionByCode();
  const own = byCode.get(userRegion() || '');
  const countiesOf = (city) =>
    refData.regions.filter((r) => r.level === 'county' && r.parent_code === city).map((r) => ({ value: r.code, label: r.name }));
  const group = (city) => {
    const options = countiesOf(city.code);
    if (withCity) options.unshift({ value: city.code, label: `${city.name}（全市）` });
    return { label: city.name, options };
  };
  if (own && own.level === 'county') return [{ label: byCode.get(own.parent_code)?.name || '', options: [{ value: own.code, label: own.name }] }];
  if (own && own.level === 'prefecture') return [group(own)];
  const cities = refData.regions.filter((r) => r.level === 'prefecture' && (!own || r.parent_code === own.code));
  return cities.map(group);
}

/**
 * Industries as a tree for el-tree-select: the 20 sections (门类) with their divisions (大类).
 * divisionsOnly makes the sections headings that cannot be picked (a record takes a division).
 */
export function industryTree({ divisionsOnly = false } = {}) {
  const sections = refData.industries
    .filter((i) => i.level === 'section')
    .map((s) => ({ value: s.code, label: `${s.code} ${s.name}`, disabled: divisionsOnly, children: [] }));
  const bySection = new Map(sections.map((s) => [s.value, s]));
  for (const d of refData.industries) {
    if (d.level !== 'division') continue;
    bySection.get(d.parent_code)?.children.push({ value: d.code, label: `${d.code} ${d.name}` });
  }
  return sections;
}

export function industryName(code) {
  if (!code) return '—';
  const i = refData.industries.find((x) => x.code === code);
  return i ? `${i.code} ${i.name}` : code;
}

/** Tags a user may choose: the active ones, plus any already on the record (even if disabled since). */
export function tagOptions(current = []) {
  const have = new Set(current.map((t) => (typeof t === 'object' ? t.id : t)));
  return refData.tags.filter((t) => t.status === 'active' || have.has(t.id)).map((t) => ({ value: t.id, label: t.name, disabled: t.status !== 'active' && !have.has(t.id) }));
}
