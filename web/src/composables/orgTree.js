// orgTree.js: the org tree the caller may see, fetched once and shared by the pickers on every page.
import { ref } from 'vue';
import { api } from '../api.js';

const tree = ref([]);
let pending = null;
let loadedAt = 0;

export function useOrgTree() {
  return tree;
}

/** Loads (or reloads when older than a minute, or when forced) the visible org tree. */
export async function loadOrgTree(force = false) {
  if (!force && pending) return pending;
  if (!force && loadedAt && Date.now() - loadedAt < 60000) return tree.value;
  pending = api
    .get('/api/v1/orgs/tree')
    .then((res) => {
      tree.value = res.items || [];
      loadedAt = Date.now();
      return tree.value;
    })
    .finally(() => {
      pending = null;
    });
  return pending;
}

export function invalidateOrgTree() {
  loadedAt = 0;
}
