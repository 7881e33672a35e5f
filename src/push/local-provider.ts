/**
 * Registers the `local` provider (the project's local relay server, `server/relay/`). Its implementation
 * (`local-provider-impl.ts`: ingest socket, MediaRecorder, relay REST calls) is fetched on the first start.
 */
import { registerLazyPushProvider } from './lazy-provider.js';

registerLazyPushProvider('local', 'local-provider');
