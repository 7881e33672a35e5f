// @web/dev-server plugin: `executeServerCommand('player-screenshot', { name })` saves a PNG of the test page
// (the real Chromium page, through puppeteer) to .tmp/screenshots/<name>.png (gitignored) and answers its path,
// so that screenshots taken at several widths can be looked at after a run.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../../.tmp/screenshots/', import.meta.url).pathname;

export default {
  name: 'player-screenshot',
  async executeCommand({ command, payload, session }) {
    if (command !== 'player-screenshot') return undefined;
    const name = String(payload?.name ?? 'shot').replace(/[^\w.-]/g, '_');
    mkdirSync(dir, { recursive: true });
    const page = session.browser.getPage(session.id);
    const file = join(dir, `${name}.png`);
    await page.screenshot({ path: file });
    return file;
  },
};
