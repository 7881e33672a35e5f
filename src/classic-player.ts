/**
 * Entry of `dist/relay-player.js`: a classic script with `<relay-player>` only, for pages that only play
 * (smaller than `relay-widgets.js`; same engine files next to it). Also sets `window.RelayWidgets`.
 */
import './register-player.js';
import './entries/classic-global.js';
export type * from './index.js';
