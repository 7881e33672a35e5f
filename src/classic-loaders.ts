/**
 * For the script-tag builds: engines and providers are ES module files next to the classic script, fetched with a
 * dynamic `import()` only when first needed.
 */
import { setLazyModuleLoader, type LazyModules } from './lazy-modules.js';

const scriptUrl =
  (document.currentScript instanceof HTMLScriptElement && document.currentScript.src) || document.baseURI;

function fromSibling<K extends keyof LazyModules>(file: string): () => Promise<LazyModules[K]> {
  const url = new URL(file, scriptUrl).href;
  return () => import(/* webpackIgnore: true */ url).then((m: { default: LazyModules[K] }) => m.default);
}

setLazyModuleLoader('hls', fromSibling<'hls'>('relay-widgets-hls.js'));
setLazyModuleLoader('mpegts', fromSibling<'mpegts'>('relay-widgets-mpegts.js'));
setLazyModuleLoader('trtc', fromSibling<'trtc'>('relay-widgets-trtc.js'));
setLazyModuleLoader('trtc-provider', fromSibling<'trtc-provider'>('relay-widgets-trtc-provider.js'));
setLazyModuleLoader('local-provider', fromSibling<'local-provider'>('relay-widgets-local-provider.js'));
setLazyModuleLoader('player-controls', fromSibling<'player-controls'>('relay-widgets-player-controls.js'));
