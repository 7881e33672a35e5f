/**
 * Registers the `local` provider (the project's local relay server, `server/relay/`). Its implementation
 * (`local-provider-impl.ts`: ingest socket, MediaRecorder, relay REST calls) is fetched on the first start.
 *
 * It reads `endpoint` (the relay, default the page's origin) and, for a relay that runs with `RELAY_PUSH_KEY`,
 * either `credential-endpoint` or `tx-secret` + `tx-time` (`../credentials.ts`). `transport`: `auto` (default:
 * WebRTC over WHIP where it connects, else the WebSocket ingest), `webrtc` or `websocket`. The browser chooses the recorded
 * file types; devices cannot change while live (one `MediaRecorder` records one `MediaStream`).
 */
import { registerLazyPushProvider } from '../lazy-provider.js';

registerLazyPushProvider('local', 'local-provider', {
  attributes: [
    { name: 'endpoint', type: 'url' },
    { name: 'tx-secret' },
    { name: 'tx-time' },
    { name: 'credential-endpoint', type: 'url' },
    { name: 'transport' },
  ],
  capabilities: { chooseRecordFormats: true, audioOnly: true, recordId: true, switchDevicesLive: false },
});
