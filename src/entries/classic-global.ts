/**
 * What the classic scripts (`relay-widgets.js`, `relay-player.js`) put on `window.RelayWidgets` for pages without
 * a bundler: `RelayWidgets.addTranslation('ja', {...})`, `RelayWidgets.setLazyModuleLoader(...)`.
 */
import { addTranslation } from '../i18n/index.js';
import { setLazyModuleLoader } from '../lazy/modules.generated.js';

export const RelayWidgets = { addTranslation, setLazyModuleLoader };

declare global {
  interface Window {
    /** Set by the classic scripts `relay-widgets.js` and `relay-player.js`. */
    RelayWidgets: typeof RelayWidgets;
  }
}
window.RelayWidgets = RelayWidgets;
