// viewport.js: whether the window is phone-sized, so the layout and forms can stack.
import { ref, onMounted, onBeforeUnmount } from 'vue';

const QUERY = '(max-width: 768px)';

export function useIsMobile() {
  const mql = window.matchMedia(QUERY);
  const isMobile = ref(mql.matches);
  const update = () => {
    isMobile.value = mql.matches;
  };
  onMounted(() => mql.addEventListener('change', update));
  onBeforeUnmount(() => mql.removeEventListener('change', update));
  return isMobile;
}
