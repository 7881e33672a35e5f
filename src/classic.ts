/**
 * Entry of `dist/relay-widgets.js`, the classic script (`<script src>`) that registers every element and sets
 * `window.RelayWidgets`. Its types (`relay-widgets/classic`): the elements in `HTMLElementTagNameMap`, their events
 * in `HTMLElementEventMap`, and `window.RelayWidgets`.
 */
import './register.js';
import './entries/classic-global.js';
export type * from './index.js';
