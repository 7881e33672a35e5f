/** ES module entry: `import 'relay-widgets'` registers the elements; classes and types are exported too. */
import './lazy-modules-esm.js';
import './register.js';

export * from './types.js';
export * from './events.js';
export * from './errors.js';
export { setLazyModuleLoader, loadLazyModule } from './lazy-modules.js';
export { LivePushControls } from './elements/live-push-controls.js';
export * from './push/options.js';
export * from './push/provider.js';
export { buildPlayUrls } from './push/play-urls.js';
export { RecordingList } from './elements/recording-list.js';
export { encodeForRecording, formatDuration, formatSize } from './recordings/format.js';
export { RelayPlayer, type RelayPlayerStats } from './elements/relay-player.js';
export { classifyUrl, encodeOf, normaliseSources, parseSourcesAttribute } from './player/protocol.js';
export { orderSources, detectCapabilities } from './player/source-order.js';
export type { Capabilities, Candidate, EngineKind, SourceOrder, Skipped } from './player/source-order.js';
export type { LatencyMode, PlaybackEngine } from './player/engine.js';
