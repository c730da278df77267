// sections.js: the sections of an enterprise's page (企业详情), shown as tabs below the record.
// A later module adds its section here (诉求 appeals, 走访 visits, 政策 policies, 指标 indicators) with the
// permission it needs, and nothing else changes: the page shows the sections the user may see, in order.
//
//   key        the tab's name in the address (#/enterprises/42?tab=appeals)
//   title      the tab's label
//   perm       the permission it needs (session.can); audience as in router.js ('staff' or 'enterprise')
//   order      where it goes (contacts 10, history 90; leave room between)
//   component  loaded when the tab is first opened; it receives the prop `enterprise` (the record as
//              GET /api/v1/enterprises/:id answers it) and may emit `changed` to have the page reload it
import { defineAsyncComponent } from 'vue';

export const enterpriseSections = [
  {
    key: 'contacts',
    title: '联系人',
    perm: 'enterprise.read',
    order: 10,
    component: defineAsyncComponent(() => import('./sections/ContactsSection.vue')),
  },
  {
    key: 'appeals',
    title: '诉求',
    perm: 'appeal.read',
    order: 30,
    component: defineAsyncComponent(() => import('../appeals/EnterpriseAppealsSection.vue')),
  },
  {
    key: 'liaison',
    title: '包联走访',
    perm: 'liaison.read',
    order: 40,
    component: defineAsyncComponent(() => import('../liaison/LiaisonSection.vue')),
  },
  {
    key: 'panorama',
    title: '企业全景',
    perm: 'enterprise.read',
    order: 80,
    component: defineAsyncComponent(() => import('../panorama/PanoramaTab.vue')),
  },
  {
    key: 'history',
    title: '变更记录',
    perm: 'enterprise.read',
    order: 90,
    component: defineAsyncComponent(() => import('./sections/HistorySection.vue')),
  },
];
