// The one place that says how this project starts Debian's Chromium headless (tests, demo tests, benches).
// Not a dev-server plugin (its name does not end in .plugin.mjs).

export const chromiumPath = process.env.CHROME_PATH || '/usr/bin/chromium';

/** Flags that work on a closed-network CI machine, plus a fake camera/microphone granted without a prompt. */
export function chromiumArgs(extra = []) {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    ...extra,
  ];
}
