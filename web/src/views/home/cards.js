// cards.js: the cards of the 工作台 home page. A later module adds its card here, with the permission it needs
// (perm) and, when it is for bureau users or enterprise users only, its audience ('staff' or 'enterprise',
// as in router.js); each card is a component that loads its own data.
import { defineAsyncComponent } from 'vue';

export const homeCards = [
  {
    key: 'enterprises',
    perm: 'enterprise.read',
    audience: 'staff',
    span: 12,
    component: defineAsyncComponent(() => import('../enterprise/EnterpriseHomeCard.vue')),
  },
  {
    key: 'my-enterprise',
    perm: 'enterprise.read',
    audience: 'enterprise',
    span: 12,
    component: defineAsyncComponent(() => import('../enterprise/MyEnterpriseCard.vue')),
  },
  {
    key: 'appeal-work',
    perm: ['appeal.dispatch', 'appeal.handle', 'appeal.supervise', 'appeal.approve'],
    audience: 'staff',
    span: 12,
    component: defineAsyncComponent(() => import('../appeals/WorkHomeCard.vue')),
  },
  {
    key: 'my-appeals',
    perm: 'appeal.read',
    audience: 'enterprise',
    span: 12,
    component: defineAsyncComponent(() => import('../appeals/my/MyAppealsCard.vue')),
  },
  {
    key: 'my-liaison',
    perm: 'visit.write',
    audience: 'staff',
    span: 12,
    component: defineAsyncComponent(() => import('../liaison/LiaisonHomeCard.vue')),
  },
  {
    key: 'coverage',
    perm: 'liaison.stats',
    audience: 'staff',
    span: 12,
    component: defineAsyncComponent(() => import('../liaison/CoverageHomeCard.vue')),
  },
  {
    key: 'my-liaisons',
    perm: 'liaison.read',
    audience: 'enterprise',
    span: 12,
    component: defineAsyncComponent(() => import('../liaison/EnterpriseLiaisonCard.vue')),
  },
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
