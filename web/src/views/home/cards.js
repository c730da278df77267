// cards.js: the cards of the 工作台 home page. A later module adds its card here, with the permission it needs;
// each card is a component that loads its own data.
import { defineAsyncComponent } from 'vue';

export const homeCards = [
  {
    key: 'deadline',
    perm: null,
    span: 12,
    component: defineAsyncComponent(() => import('../../components/DeadlineCalculator.vue')),
  },
  {
    key: 'shortcuts',
    perm: null,
    span: 12,
    component: defineAsyncComponent(() => import('./ShortcutsCard.vue')),
  },
];
