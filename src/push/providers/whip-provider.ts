/**
 * Registers the `whip` provider: publishes the element's camera and microphone to any WHIP endpoint (RFC 9725:
 * Janus, MediaMTX, SRS, OvenMediaEngine, Cloudflare Stream, LiveKit Ingress, the local relay's `/whip/{id}`…).
 * Its implementation (`whip-provider-impl.ts`, with the WebRTC code) is fetched on the first start.
 *
 * It reads `endpoint` (the WHIP URL, required), the Bearer token (`token`, or a `credential-endpoint` answering
 * `{ streamId, txSecret, txTime }` → `{txTime}.{txSecret}`, the local relay's form), and what viewers play, since a
 * WHIP server answers no play URLs: `whep-url` (announced as `{ encode: "webrtc" }`) and `play-urls` (space-separated
 * FLV/HLS URLs). Recording and the record id belong to the server's own configuration (refused here with a clear
 * message); devices can be switched while live (`replaceTrack`).
 */
import { registerLazyPushProvider } from '../lazy-provider.js';

registerLazyPushProvider('whip', 'whip-provider', {
  attributes: [
    { name: 'endpoint', type: 'url', required: true },
    { name: 'token' },
    { name: 'credential-endpoint', type: 'url' },
    { name: 'whep-url', type: 'url' },
    { name: 'play-urls' },
  ],
  capabilities: { chooseRecordFormats: false, audioOnly: true, recordId: false, switchDevicesLive: true },
});
