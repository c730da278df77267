// target.mjs: the server the browser tests drive. By default a fresh `tiejian serve` on a temporary demo
// database (tests/lib/server.mjs); TIEJIAN_E2E_URL points the tests at a server already running instead
// (state then carries over between files, so use a fresh one).
import { ensureConsoleBuilt } from './browser.mjs';

export async function startTarget(options = {}) {
  if (process.env.TIEJIAN_E2E_URL) {
    return { url: process.env.TIEJIAN_E2E_URL.replace(/\/$/, ''), stop: async () => {} };
  }
  ensureConsoleBuilt();
  const { startServer } = await import('../../lib/server.mjs');
  return startServer({ demo: true, ...options });
}
