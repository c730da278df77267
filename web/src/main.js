// main.js: starts the console: Element Plus in Chinese, the router, and what happens when the session ends.
import { createApp } from 'vue';
import ElementPlus from 'element-plus';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import 'element-plus/dist/index.css';
import './styles.css';
import App from './App.vue';
import { router } from './router.js';
import { onUnauthorized, onPasswordChangeRequired } from './api.js';
import { session, clearSession } from './session.js';

// A 401 while logged in means the session ended (idle timeout, logout elsewhere): back to the login page.
onUnauthorized(() => {
  if (!session.user) return;
  const back = router.currentRoute.value.fullPath;
  clearSession();
  router.replace({ name: 'login', query: { expired: '1', redirect: back } });
});

// The server insists on a new password before anything else.
onPasswordChangeRequired(() => {
  if (!session.user) return;
  session.user.must_change_password = true;
  router.replace({ name: 'force-password' });
});

createApp(App).use(ElementPlus, { locale: zhCn }).use(router).mount('#app');
