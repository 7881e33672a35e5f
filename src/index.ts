/**
 * ES module entry, free of side effects: the element classes, types, error codes and helpers. Nothing is
 * registered: `import 'relay-widgets/define'` registers the elements (or call `customElements.define` yourself).
 */

export * from './contract/types.js';
export * from './contract/events.js';
export * from './contract/errors.js';
export {
  setLazyModuleLoader,
  loadLazyModule,
  type LazyModules,
  type LazyModuleName,
} from './lazy/modules.generated.js';
export { addTranslation, type Messages, type PartialMessages } from './i18n/index.js';
export { LivePushControls } from './elements/live-push-controls/live-push-controls.js';
export * from './push/options.js';
export * from './push/provider.js';
export { buildPlayUrls } from './push/play-urls.js';
export { RecordingList } from './elements/recording-list/recording-list.js';
export { encodeForRecording, formatDuration, formatSize } from './recordings/format.js';
export { RelayPlayer, type RelayPlayerStats } from './elements/relay-player/relay-player.js';
export { classifyUrl, encodeOf, normaliseSources, parseSourcesAttribute } from './player/protocol.js';
export { orderSources, detectCapabilities } from './player/source-order.js';
export type { Capabilities, Candidate, EngineKind, SourceOrder, Skipped } from './player/source-order.js';
export type { LatencyMode, PlaybackEngine } from './player/engine.js';
