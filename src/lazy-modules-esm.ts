import { setLazyModuleLoader } from './lazy-modules.js';

// For bundler users: bare specifiers, split into their own chunks by the user's bundler.
setLazyModuleLoader('hls', () => import('hls.js').then((m) => m.default));
setLazyModuleLoader('mpegts', () => import('mpegts.js').then((m) => m.default));
setLazyModuleLoader('trtc', () => import('trtc-js-sdk').then((m) => m.default as unknown));
setLazyModuleLoader('trtc-provider', () => import('./push/trtc-provider-impl.js').then((m) => m.default));
setLazyModuleLoader('local-provider', () => import('./push/local-provider-impl.js').then((m) => m.default));
setLazyModuleLoader('player-controls', () =>
  import('./elements/player-controls-module.js').then((m) => m.default),
);
