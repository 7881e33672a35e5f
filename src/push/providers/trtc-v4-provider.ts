/**
 * Registers the `trtc-v4` provider (Tencent TRTC through trtc-js-sdk v4, relayed to Tencent's CDN), for sites
 * pinned to trtc-js-sdk; `trtc` is the same push on Tencent's current SDK (trtc-sdk-v5). Its
 * implementation (`trtc-v4-provider-impl.ts`) and the SDK are fetched only when a TRTC push starts, so pages that
 * never use TRTC do not download them.
 *
 * It reads the application (`sdk-app-id`), the anchor (`user-id`, and `user-sig` or `sig-endpoint`), the room
 * (`room-id`, or `str-room-id` for a string room) and the CDN play domain (`play-domain`). The application's recording template in Tencent's console
 * decides the recorded file types, not the browser (MP3 on an audio-only push asks Tencent to record it); the
 * camera and microphone can be switched while live.
 */
import { registerLazyPushProvider } from '../lazy-provider.js';

registerLazyPushProvider('trtc-v4', 'trtc-v4-provider', {
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
});
