import type { EngineCallbacks, EngineKind, EngineOptions, PlaybackEngine } from '../engine.js';
import { createFlvEngine } from './flv-engine.js';
import { createHlsJsEngine, createNativeHlsEngine } from './hls-engine.js';
import { createNativeEngine } from './native-engine.js';

/** Creates an engine of `kind`; third-party engine code is fetched lazily on first use. */
export async function createEngine(
  kind: EngineKind,
  media: HTMLMediaElement,
  callbacks: EngineCallbacks,
  options: EngineOptions,
): Promise<PlaybackEngine> {
  switch (kind) {
    case 'mpegts':
      return createFlvEngine(media, callbacks, options);
    case 'hls.js':
      return createHlsJsEngine(media, callbacks, options);
    case 'native-hls':
      return createNativeHlsEngine(media, callbacks, options);
    case 'native':
      return createNativeEngine(media, callbacks, options);
  }
}
