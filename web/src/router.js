// router.js: one table for the pages, the menu and the permission guard.
// A page in the menu has meta.menu = true, a title, an icon and optionally meta.perm (the permission it
// needs), meta.audience ('staff' or 'enterprise': bureau users or enterprise users only; see
// session.allowed) and meta.group (the menu section). meta.instead names the page to open instead when
// the audience does not match (an enterprise user opening the registry gets its own profile).
// A later module adds its pages here and nothing else changes.
import { createRouter, createWebHashHistory } from 'vue-router';
import {
  HomeFilled,
  OfficeBuilding,
  User,
  Lock,
  Tickets,
  Calendar,
  Setting,
  Shop,
  Upload,
  Collection,
} from '@element-plus/icons-vue';
import { session, allowed, loadMe } from './session.js';
import AppLayout from './components/layout/AppLayout.vue';
import { appealPages, notifyAdminPages } from './views/appeals/routes.js';
import { liaisonPages } from './views/liaison/routes.js';

export const SYSTEM = '系统管理';
export const COMMON = '常用';
export const ENTERPRISE = '企业服务';

export const pages = [
  {
    path: '',
    name: 'home',
    component: () => import('./views/home/HomeView.vue'),
    meta: { title: '工作台', icon: HomeFilled, menu: true },
  },
  {
    path: 'enterprises',
    name: 'enterprises',
    component: () => import('./views/enterprise/EnterpriseListView.vue'),
    meta: {
      title: '企业库',
      icon: Collection,
      perm: 'enterprise.read',
      audience: 'staff',
      instead: 'my-enterprise',
      menu: true,
      group: ENTERPRISE,
    },
  },
  {
    path: 'enterprises/import',
    name: 'enterprise-import',
    component: () => import('./views/enterprise/EnterpriseImportView.vue'),
    meta: { title: '企业导入', icon: Upload, perm: 'enterprise.import', audience: 'staff', menu: true, group: ENTERPRISE },
  },
  {
    path: 'enterprises/:id(\\d+)',
    name: 'enterprise',
    component: () => import('./views/enterprise/EnterpriseDetailView.vue'),
    meta: { title: '企业详情', perm: 'enterprise.read', audience: 'staff', instead: 'my-enterprise', parent: 'enterprises' },
  },
  {
    path: 'my-enterprise',
    name: 'my-enterprise',
    component: () => import('./views/enterprise/MyEnterpriseView.vue'),
    meta: { title: '企业信息', icon: Shop, perm: 'enterprise.read', audience: 'enterprise', menu: true, group: ENTERPRISE },
  },
  ...appealPages,
  ...liaisonPages,
  {
    path: 'orgs',
    name: 'orgs',
    component: () => import('./views/org/OrgView.vue'),
    meta: { title: '组织机构', icon: OfficeBuilding, perm: 'org.read', menu: true, group: SYSTEM },
  },
  {
    path: 'users',
    name: 'users',
    component: () => import('./views/user/UserView.vue'),
    meta: { title: '用户管理', icon: User, perm: 'user.read', menu: true, group: SYSTEM },
  },
  {
    path: 'roles',
    name: 'roles',
    component: () => import('./views/role/RoleView.vue'),
    meta: { title: '角色权限', icon: Lock, perm: 'role.read', menu: true, group: SYSTEM },
  },
  {
    path: 'audit',
    name: 'audit',
    component: () => import('./views/audit/AuditView.vue'),
    meta: { title: '审计日志', icon: Tickets, perm: 'audit.read', menu: true, group: SYSTEM },
  },
  ...notifyAdminPages,
  {
    path: 'calendar',
    name: 'calendar',
    component: () => import('./views/calendar/CalendarView.vue'),
    meta: { title: '节假日安排', icon: Calendar, menu: true, group: COMMON },
  },
  {
    path: 'settings',
    name: 'settings',
    component: () => import('./views/settings/SettingsView.vue'),
    meta: { title: '个人设置', icon: Setting, menu: true, group: COMMON },
  },
  {
    path: 'forbidden',
    name: 'forbidden',
    component: () => import('./views/error/ForbiddenView.vue'),
    meta: { title: '无权访问' },
  },
  {
    path: ':pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./views/error/NotFoundView.vue'),
    meta: { title: '页面不存在' },
  },
];

const routes = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/auth/LoginView.vue'),
    meta: { title: '登录', public: true },
  },
  {
    path: '/change-password',
    name: 'force-password',
    component: () => import('./views/auth/ForcePasswordView.vue'),
    meta: { title: '修改初始密码' },
  },
  { path: '/', component: AppLayout, children: pages },
];

/** The menu for the current user: sections in table order, pages the user may open. */
export function menuFor() {
  const sections = [];
  for (const p of pages) {
    if (!p.meta.menu || !allowed(p.meta)) continue;
    const key = p.meta.group || '';
    let s = sections[sections.length - 1];
    if (!s || s.group !== key) {
      s = { group: key, items: [] };
      sections.push(s);
    }
    s.items.push({ path: `/${p.path}`, name: p.name, title: p.meta.title, icon: p.meta.icon });
  }
  return sections;
}

export const router = createRouter({
  history: createWebHashHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

router.beforeEach(async (to) => {
  if (!session.ready) {
    try {
      await loadMe();
    } catch {
      // server unreachable: the login page says so when it tries
    }
  }
  const user = session.user;
  if (to.meta.public) {
    if (user && to.name === 'login' && !to.query.expired) return { path: '/' };
    return true;
  }
  if (!user) {
    const query = to.fullPath && to.fullPath !== '/' ? { redirect: to.fullPath } : {};
    if (session.expired) {
      session.expired = false;
      query.expired = '1';
    }
    return { name: 'login', query };
  }
  if (user.must_change_password) {
    return to.name === 'force-password' ? true : { name: 'force-password' };
  }
  if (to.name === 'force-password') return { path: '/' };
  if (!allowed(to.meta)) {
    const other = to.meta.instead && pages.find((p) => p.name === to.meta.instead);
    if (other && allowed(other.meta)) return { name: other.name };
    return { name: 'forbidden', query: { page: to.meta.title } };
  }
  return true;
});

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · 铁肩工作平台` : '铁肩工作平台';
});
