/**
 * The providers the widgets ship with. A new provider is one file calling `registerPushProvider`, imported
 * here (or by the page itself); the element never changes.
 */
import './providers/local-provider.js';
import './providers/trtc-provider.js';
import './providers/trtc-v4-provider.js';
import './providers/whip-provider.js';
