// routes.js: the pages of liaison and visits (包联走访) and the enterprise 360 page (企业全景), as
// router.js takes them (its table drives the menu and the permission guard; see the meta keys there).
import { OfficeBuilding, EditPen, Tickets, PieChart, Connection, Avatar } from '@element-plus/icons-vue';

export const LIAISON = '包联走访';

export const liaisonPages = [
  {
    path: 'liaison/mine',
    name: 'my-liaison',
    component: () => import('./MyLiaisonView.vue'),
    meta: { title: '我的包联企业', icon: OfficeBuilding, perm: 'visit.write', audience: 'staff', menu: true, group: LIAISON },
  },
  {
    path: 'visits/new',
    name: 'visit-new',
    component: () => import('./VisitFormView.vue'),
    meta: { title: '登记走访', icon: EditPen, perm: 'visit.write', audience: 'staff', menu: true, group: LIAISON },
  },
  {
    path: 'visits',
    name: 'visits',
    component: () => import('./VisitListView.vue'),
    meta: { title: '走访记录', icon: Tickets, perm: 'visit.read', audience: 'staff', instead: 'my-liaisons', menu: true, group: LIAISON },
  },
  {
    path: 'visits/:id(\\d+)',
    name: 'visit',
    component: () => import('./VisitDetailView.vue'),
    meta: { title: '走访详情', perm: 'visit.read', parent: 'visits' },
  },
  {
    path: 'liaison/coverage',
    name: 'coverage',
    component: () => import('./CoverageView.vue'),
    meta: { title: '走访覆盖', icon: PieChart, perm: 'liaison.stats', audience: 'staff', menu: true, group: LIAISON },
  },
  {
    path: 'liaison/assignments',
    name: 'liaison-assign',
    component: () => import('./AssignView.vue'),
    meta: { title: '包联分配', icon: Connection, perm: 'liaison.assign', audience: 'staff', menu: true, group: LIAISON },
  },
  {
    path: 'my-liaisons',
    name: 'my-liaisons',
    component: () => import('./EnterpriseLiaisonView.vue'),
    meta: { title: '包联服务', icon: Avatar, perm: 'liaison.read', audience: 'enterprise', menu: true, group: LIAISON },
  },
  {
    path: 'enterprises/:id(\\d+)/360',
    name: 'enterprise-360',
    component: () => import('../panorama/PanoramaView.vue'),
    meta: { title: '企业全景', perm: 'enterprise.read', parent: 'enterprises' },
  },
];
