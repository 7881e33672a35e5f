import { LivePushEvents, type LivePushStartedDetail } from '../contract/events.js';

/**
 * The one place elements find each other by id, like `<label for>`: a player following a producer (`for="studio"`)
 * and a list playing in a named player (`player="viewer"`). Both look in the linking element's own tree (document or
 * shadow root) first, then in the document, and cope with the other element appearing later or being replaced.
 */

/** The element with `id` as seen from `from`: its tree (document or shadow root) first, then the document. */
export function findLinked(from: Node, id: string): Element | null {
  const root = from.getRootNode() as Partial<Document | ShadowRoot>;
  const inRoot = typeof root.getElementById === 'function' ? root.getElementById(id) : null;
  return inRoot ?? (typeof document === 'undefined' ? null : document.getElementById(id));
}

export interface ProducerHandlers {
  /**
   * The producer went live, or already was when following began (`already`): its play URLs, as it sent them
   * (unchecked).
   */
  started(urls: unknown, already: boolean): void;
  /** The producer said its broadcast ended. */
  stopped(): void;
}

/**
 * Follows producer `id` (a `<live-push-controls>` or anything dispatching its events): a producer already live is
 * reported at once from its `live` property, then every `live-push-started`/`live-push-stopped` it dispatches.
 * Returns the function that stops following.
 */
export function followProducer(from: Node, id: string, handlers: ProducerHandlers): () => void {
  const ac = new AbortController();
  const producer = findLinked(from, id) as (Element & { live?: { urls?: unknown } | null }) | null;
  if (producer?.live?.urls) handlers.started(producer.live.urls, true);
  const fromProducer = (e: Event): boolean => {
    // the producer itself, or (when it dispatches from inside its shadow root) its host as seen from here
    const origin = e.composedPath()[0];
    return (
      (e.target instanceof Element && e.target.id === id) || (origin instanceof Element && origin.id === id)
    );
  };
  document.addEventListener(
    LivePushEvents.STARTED,
    (e) => {
      if (fromProducer(e)) handlers.started((e as CustomEvent<LivePushStartedDetail>).detail?.urls, false);
    },
    { signal: ac.signal },
  );
  document.addEventListener(
    LivePushEvents.STOPPED,
    (e) => {
      if (fromProducer(e)) handlers.stopped();
    },
    { signal: ac.signal },
  );
  return () => ac.abort();
}

/** A play URL as the player's `sources` takes it. */
export interface LinkedSource {
  encode?: string;
  url: string;
}

/**
 * Plays `source` in the player `id` names: a `<relay-player>` (or anything with a `sources` property) gets it as its
 * only source, a plain `<video>`/`<audio>` as its `src`. False when there is no such element.
 */
export function playIn(from: Node, id: string, source: LinkedSource): boolean {
  const target = findLinked(from, id);
  if (!target) return false;
  if (target instanceof HTMLMediaElement) target.src = source.url;
  else (target as Element & { sources?: LinkedSource[] }).sources = [source];
  return true;
}
