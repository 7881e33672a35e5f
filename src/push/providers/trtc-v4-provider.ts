/**
 * Registers the `trtc-v4` provider (Tencent TRTC through trtc-js-sdk v4, relayed to Tencent's CDN), for sites
 * pinned to trtc-js-sdk; `trtc` is the same push on Tencent's current SDK (trtc-sdk-v5), with the same attributes
 * and capabilities. Its implementation (`trtc-v4-provider-impl.ts`) and the SDK are fetched only when a push starts.
 */
import { registerLazyPushProvider } from '../lazy-provider.js';
import { TRTC_PROVIDER_SPEC } from './trtc-provider.js';

registerLazyPushProvider('trtc-v4', 'trtc-v4-provider', TRTC_PROVIDER_SPEC);
