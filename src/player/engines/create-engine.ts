import type { EngineCallbacks, EngineKind, EngineOptions, PlaybackEngine } from '../engine.js';
import { createHlsJsEngine, createNativeHlsEngine, hlsModule } from './hls-engine.js';
import { createNativeEngine } from './native-engine.js';
import { loadLazyModule } from '../../lazy/registry.js';

/** Starts loading the third-party code of `kind` (kept for `createEngine`; a failure is reported there). */
export function preloadEngine(kind: EngineKind): void {
  const name =
    kind === 'mpegts' ? 'mpegts' : kind === 'hls.js' ? hlsModule() : kind === 'webrtc' ? 'whep-engine' : null;
  if (name) loadLazyModule(name).catch(() => undefined);
  if (kind === 'mpegts') loadLazyModule('flv-engine').catch(() => undefined);
}

/** Creates an engine of `kind`; third-party engine code is fetched lazily on first use. */
export async function createEngine(
  kind: EngineKind,
  media: HTMLMediaElement,
  callbacks: EngineCallbacks,
  options: EngineOptions,
): Promise<PlaybackEngine> {
  switch (kind) {
    case 'mpegts':
      return (await loadLazyModule('flv-engine'))(media, callbacks, options);
    case 'hls.js':
      return createHlsJsEngine(media, callbacks, options);
    case 'native-hls':
      return createNativeHlsEngine(media, callbacks, options);
    case 'native':
      return createNativeEngine(media, callbacks, options);
    case 'webrtc':
      return (await loadLazyModule('whep-engine'))(media, callbacks, options);
  }
}
