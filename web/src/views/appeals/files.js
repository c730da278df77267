// files.js: uploading an appeal's attachments: the file itself as the body, its name in the query; the
// server sniffs the type from the content and refuses a name that claims another (415).
import { request } from '../../api.js';

/** Uploads files one after another; resolves the ones that failed, each with the server's reason. */
export async function uploadFiles(appealId, files, opts = {}) {
  const failed = [];
  for (const file of files) {
    try {
      await request('POST', `/api/v1/appeals/${appealId}/attachments`, {
        rawBody: file,
        contentType: file.type || 'application/octet-stream',
        query: { name: file.name, internal: opts.internal ? 1 : undefined },
      });
    } catch (e) {
      failed.push(`${file.name}：${e.message}`);
    }
  }
  return failed;
}
