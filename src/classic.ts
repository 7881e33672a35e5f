/**
 * Entry of `dist/relay-widgets.js`, the classic script (`<script src>`). Engines live in files next to it
 * and are fetched with a dynamic `import()` only when first needed.
 */
import { setLazyModuleLoader, type LazyModules } from './lazy-modules.js';
import './register.js';

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
