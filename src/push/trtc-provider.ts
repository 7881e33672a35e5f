/**
 * Registers the `trtc` provider (Tencent TRTC through trtc-js-sdk v4, relayed to Tencent's CDN). Its
 * implementation (`trtc-provider-impl.ts`) and the SDK are fetched only when a TRTC push starts, so pages that
 * never use TRTC do not download them.
 */
import { registerLazyPushProvider } from './lazy-provider.js';

registerLazyPushProvider('trtc', 'trtc-provider');
