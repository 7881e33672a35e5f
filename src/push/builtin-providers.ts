/**
 * The providers the widgets ship with. A new provider is one file calling `registerPushProvider`, imported
 * here (or by the page itself); the element never changes.
 */
import './local-provider.js';
import './trtc-provider.js';
