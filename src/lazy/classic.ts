import type { LazyModuleName, LazyModules } from './registry.js';

/**
 * For the script-tag builds (rollup puts this file in place of `lazy/esm.ts`): lazy module `name` is the
 * classic script `relay-widgets-{name}.js` in the folder of the script that loaded the widgets, added as a
 * `<script>` element, the way TCPlayer loads its engines. A classic script needs no CORS headers (a dynamic
 * `import()` of another origin does), so the files work from any static host or CDN. Each file stores its export
 * in the shared registry below (`rollup.config.mjs` wraps it so); the `load` event then finds it there.
 */
export const LAZY_REGISTRY = '__relayWidgetsLazy';
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

/**
 * Lazy modules that also ride in other modules' files (rollup.config.mjs `companions`): module → those files. They
 * are taken from one of them while it loads; otherwise (a page loads hls.js its own way with
 * `setLazyModuleLoader`) from their own small file.
 */
const RIDES_WITH: Partial<Record<string, string[]>> = { 'hls-adapter': ['hls-light', 'hls'] };
/** Files being loaded: two modules of one file share one `<script>`. */
const loading = new Map<string, Promise<void>>();

export function defaultLazyLoader<K extends LazyModuleName>(name: K): Promise<LazyModules[K]> {
  const reg = registry();
  if (name in reg) return Promise.resolve(reg[name] as LazyModules[K]);
  const file = RIDES_WITH[name]?.find((host) => loading.has(host)) ?? name;
  const url = lazyModuleUrl(file);
  let load = loading.get(file);
  if (!load) {
    load = loadScript(url).finally(() => loading.delete(file));
    loading.set(file, load);
  }
  return load.then(() => {
    if (name in reg) return reg[name] as LazyModules[K];
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
