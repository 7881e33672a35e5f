/**
 * Registers the `trtc` provider (Tencent TRTC through trtc-sdk-v5 and its CDNStreaming plugin, relayed to
 * Tencent's CDN). Its implementation (`trtc-provider-impl.ts`), the SDK and the plugin are fetched only when a TRTC
 * push starts, so pages that never use TRTC do not download them. `trtc-v4` is the same push on trtc-js-sdk 4.x.
 *
 * It reads the application (`sdk-app-id`), the anchor (`user-id`, and `user-sig` or `sig-endpoint`), the room
 * (`room-id`, or `str-room-id` for a string room) and the CDN play domain (`play-domain`). The application's
 * recording template in Tencent's console decides the recorded file types, not the browser (MP3 on an audio-only
 * push asks Tencent to record it); the camera and microphone can be switched while live.
 */
import { registerLazyPushProvider } from '../lazy-provider.js';
import type { PushProviderSpec } from '../provider.js';

/** What both Tencent providers read and let the page choose (`trtc-v4` registers the same). */
export const TRTC_PROVIDER_SPEC: PushProviderSpec = {
  attributes: [
    { name: 'sdk-app-id', type: 'number', required: true },
    { name: 'user-id', required: true },
    { name: 'user-sig' },
    { name: 'sig-endpoint', type: 'url' },
    { name: 'room-id' },
    { name: 'str-room-id' },
    { name: 'play-domain', required: true },
    { name: 'play-url-endpoint', type: 'url' },
    { name: 'play-scheme' },
    { name: 'transcode-template' },
  ],
  capabilities: { chooseRecordFormats: false, audioOnly: true, recordId: true, switchDevicesLive: true },
};

registerLazyPushProvider('trtc', 'trtc-provider', TRTC_PROVIDER_SPEC);
