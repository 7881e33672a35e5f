/**
 * The lazy modules that are packages (the manifest's `package`), by the type of their default export; registry.ts
 * imports this file, so every program that uses the registry has them. Our own lazy modules declare theirs at the
 * end of their own file.
 */
import type Hls from 'hls.js';
import type Mpegts from 'mpegts.js';

declare module './registry.js' {
  interface LazyModules {
    hls: typeof Hls;
    /**
     * hls.js's light build (`hls.js/dist/hls.light.mjs`: 117 KB gzip against 182 KB; no alternate audio, subtitles,
     * captions, DRM, variable substitution, interstitials, HEVC/AC-3/E-AC-3 in MPEG-TS). The HLS engine starts with
     * it and moves to `hls` as soon as a stream needs one of those (`hls-features.ts`).
     */
    'hls-light': typeof Hls;
    mpegts: typeof Mpegts;
    /** trtc-sdk-v5's default export (an optional peer; typed by the provider that uses it). */
    'trtc-sdk-v5': unknown;
    /** trtc-sdk-v5's CDNStreaming plugin class (an optional peer; typed by the provider that uses it). */
    'trtc-cdn-streaming': unknown;
    /** trtc-js-sdk's (v4) default export (an optional peer; typed by the provider that uses it). */
    'trtc-js-sdk': unknown;
  }
}
