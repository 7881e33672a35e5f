import { LAZY_REGISTRY, RIDES_WITH } from './classic.generated.js';

/**
 * For the script-tag builds (rollup builds this file in place of `lazy/esm.ts`): lazy module `name` is the
 * classic script `relay-widgets-{name}.js` in the folder of the script that loaded the widgets, added as a
 * `<script>` element, the way TCPlayer loads its engines. A classic script needs no CORS headers (a dynamic
 * `import()` of another origin does), so the files work from any static host or CDN. Each file stores its export
 * in the shared registry `LAZY_REGISTRY` (`rollup.config.mjs` wraps it so); the `load` event then finds it there.
 * By name only, as `lazy/esm.ts`: the registry gives the result its type.
 */
type Registry = Partial<Record<string, unknown>>;

const current = document.currentScript;
// Captured while this script runs: later `document.currentScript` is whatever runs then.
const base = (current instanceof HTMLScriptElement && current.src) || document.baseURI;
const nonce = current instanceof HTMLScriptElement ? current.nonce : undefined;

function registry(): Registry {
  const g = globalThis as unknown as Record<string, Registry | undefined>;
  return (g[LAZY_REGISTRY] ??= {});
}

/** The URL lazy module `name` is loaded from. */
export function lazyModuleUrl(name: string): string {
  return new URL(`relay-widgets-${name}.js`, base).href;
}

/** Files being loaded: two modules of one file share one `<script>`. */
const loading = new Map<string, Promise<void>>();

/**
 * Loads lazy module `name`. A module that rides in other modules' files (the manifest's `rides`: the hls.js
 * engine's adapter in both hls.js files) is taken from one of them while it loads; otherwise (a page loads hls.js
 * its own way with `setLazyModuleLoader`) from its own small file.
 */
export function defaultLazyLoader(name: string): Promise<unknown> {
  const reg = registry();
  if (name in reg) return Promise.resolve(reg[name]);
  const file = RIDES_WITH[name]?.find((host) => loading.has(host)) ?? name;
  const url = lazyModuleUrl(file);
  let load = loading.get(file);
  if (!load) {
    load = loadScript(url).finally(() => loading.delete(file));
    loading.set(file, load);
  }
  return load.then(() => {
    if (name in reg) return reg[name];
    throw new Error(
      `${url} loaded but did not provide the "${name}" module: is it a relay-widgets file of the same version as the script next to it?`,
    );
  });
}

function loadScript(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    let cspBlocked = false;
    const onViolation = (e: SecurityPolicyViolationEvent): void => {
      if (e.blockedURI === url || url.startsWith(e.blockedURI)) cspBlocked = true;
    };
    document.addEventListener('securitypolicyviolation', onViolation);
    const done = (): void => {
      document.removeEventListener('securitypolicyviolation', onViolation);
      script.remove();
    };
    script.onload = () => {
      done();
      resolve();
    };
    script.onerror = () => {
      // The CSP report is queued as its own task: give it a moment to arrive before naming the cause.
      setTimeout(() => {
        done();
        reject(
          new Error(
            cspBlocked
              ? `${url} was blocked by the page's Content-Security-Policy: allow its origin in script-src`
              : `${url} could not be loaded: missing on the server (HTTP 404, copy every dist/relay-widgets-*.js next to the script), the network failed, or it was blocked (Content-Security-Policy script-src, an extension)`,
          ),
        );
      }, 50);
    };
    if (nonce) script.nonce = nonce;
    script.async = true;
    script.src = url;
    document.head.append(script);
  });
}
