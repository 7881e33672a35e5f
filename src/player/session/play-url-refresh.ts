import type { PlayUrl } from '../../contract/types.js';
import { classifyUrl, normaliseSources } from '../protocol.js';
import type { Capabilities } from '../source-order.js';
import type { SourceList, SourceRefresher } from './sources.js';

/**
 * Replaces `list` (whose current URL expired) with fresh sources, on the same engine (and quality) as before. A
 * refresh that fails leaves it as it was: the expired URL is refused, and the next reconnect asks again.
 */
export default async function refreshSourceList(
  list: SourceList,
  how: SourceRefresher | string,
  caps?: Capabilities,
  scheme?: 'https' | 'http',
): Promise<void> {
  const cur = list.current;
  if (!cur) return;
  const fresh = await freshPlayUrls(how, [
    cur.source,
    ...list.all.filter((c) => c !== cur).map((c) => c.source),
  ]);
  const { playable } = list.order(fresh, caps, scheme);
  if (!playable.length) return;
  list.set(playable);
  list.select(
    Math.max(
      0,
      playable.findIndex((c) => c.engine === cur.engine && c.source.quality === cur.source.quality),
    ),
  );
}

/**
 * Fresh play URLs for `expired` (the playing source first): from the page's own refresher, or from the
 * `play-url-endpoint` URL, asked `POST { streamId, encode, url }` for the playing source (`streamId`: the last path
 * segment without its extension, as `/live/{streamId}.flv` names it) with the page's cookies → `{ urls: PlayUrl[] }`
 * (the receiver's `POST /api/trtc/play-urls` answers exactly that). `[]` when none came.
 */
export async function freshPlayUrls(
  how: SourceRefresher | string,
  expired: readonly PlayUrl[],
): Promise<PlayUrl[]> {
  try {
    if (typeof how === 'function') return normaliseSources(await how(expired));
    const src = expired[0];
    if (!src) return [];
    const path = new URL(src.url, globalThis.location?.href).pathname;
    const streamId = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1).replace(/\.[^.]*$/, ''));
    const res = await fetch(new URL(how, globalThis.location?.href), {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streamId, encode: src.encode ?? classifyUrl(src.url), url: src.url }),
    });
    return res.ok ? normaliseSources(((await res.json()) as { urls?: unknown }).urls) : [];
  } catch {
    return [];
  }
}

// This file's entry in the lazy-module registry (src/lazy/manifest.json lists the modules).
declare module '../../lazy/registry.js' {
  interface LazyModules {
    /** Fresh signed play URLs; fetched when a (re)connect finds its URL expired. */
    'play-url-refresh': typeof refreshSourceList;
  }
}
