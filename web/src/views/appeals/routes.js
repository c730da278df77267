// routes.js: the pages of appeals (诉求), the case library, statistics, the inbox and the webhook, as
// router.js takes them (its table drives the menu and the permission guard; see the meta keys there).
import { isEnterpriseUser } from '../../session.js';
import { Finished, Document, ChatLineSquare, DataAnalysis, Notebook, Operation, Promotion } from '@element-plus/icons-vue';

export const APPEALS = '诉求办理';

// Who has work in the queue: those who receive, handle, review or approve.
const WORKERS = ['appeal.dispatch', 'appeal.handle', 'appeal.supervise', 'appeal.approve'];

/** The appeal pages, placed after the enterprise registry's. */
export const appealPages = [
  {
    path: 'appeals/work',
    name: 'appeal-work',
    component: () => import('./WorkView.vue'),
    meta: { title: '我的工作', icon: Finished, perm: WORKERS, audience: 'staff', menu: true, group: APPEALS },
  },
  {
    path: 'appeals',
    name: 'appeals',
    component: () => import('./AppealListView.vue'),
    meta: { title: '诉求列表', icon: Document, perm: 'appeal.read', audience: 'staff', instead: 'my-appeals', menu: true, group: APPEALS },
  },
  {
    path: 'appeals/:id(\\d+)',
    name: 'appeal',
    component: () => import('./AppealDetailView.vue'),
    // one address for an appeal (links in messages, in notifications): an enterprise user gets its own view
    beforeEnter: (to) => (isEnterpriseUser() ? { name: 'my-appeal', params: to.params } : true),
    meta: { title: '诉求详情', perm: 'appeal.read', parent: 'appeals' },
  },
  {
    path: 'my-appeals',
    name: 'my-appeals',
    component: () => import('./my/MyAppealsView.vue'),
    meta: { title: '我的诉求', icon: ChatLineSquare, perm: 'appeal.read', audience: 'enterprise', menu: true, group: APPEALS },
  },
  {
    path: 'my-appeals/new',
    name: 'my-appeal-new',
    component: () => import('./my/MyAppealNewView.vue'),
    meta: { title: '提交诉求', perm: 'appeal.create', audience: 'enterprise', parent: 'my-appeals' },
  },
  {
    path: 'my-appeals/:id(\\d+)',
    name: 'my-appeal',
    component: () => import('./my/MyAppealDetailView.vue'),
    beforeEnter: (to) => (isEnterpriseUser() ? true : { name: 'appeal', params: to.params }),
    meta: { title: '诉求详情', perm: 'appeal.read', parent: 'my-appeals' },
  },
  {
    path: 'appeal-stats',
    name: 'appeal-stats',
    component: () => import('../stats/AppealStatsView.vue'),
    meta: { title: '诉求统计', icon: DataAnalysis, perm: 'appeal.stats', audience: 'staff', menu: true, group: APPEALS },
  },
  {
    path: 'cases',
    name: 'cases',
    component: () => import('../cases/CaseListView.vue'),
    meta: { title: '典型案例', icon: Notebook, perm: 'case.read', menu: true, group: APPEALS },
  },
  {
    path: 'cases/:id(\\d+)',
    name: 'case',
    component: () => import('../cases/CaseDetailView.vue'),
    meta: { title: '案例详情', perm: 'case.read', parent: 'cases' },
  },
  {
    path: 'appeal-admin',
    name: 'appeal-admin',
    component: () => import('./admin/AppealAdminView.vue'),
    meta: { title: '诉求设置', icon: Operation, perm: 'appeal.admin', audience: 'staff', menu: true, group: APPEALS },
  },
  {
    path: 'inbox',
    name: 'inbox',
    component: () => import('../inbox/InboxView.vue'),
    meta: { title: '消息' },
  },
];

/** The webhook's page, in the system administrators' section. */
export const notifyAdminPages = [
  {
    path: 'notify',
    name: 'notify-admin',
    component: () => import('../notify/WebhookView.vue'),
    meta: { title: '消息推送', icon: Promotion, perm: 'notify.admin', menu: true, group: '系统管理' },
  },
];
