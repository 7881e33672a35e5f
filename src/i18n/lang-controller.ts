import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { labelsFor, normaliseLang, resolveLang, type Labels, type Lang, type Messages } from './index.js';

const hosts = new Set<ReactiveControllerHost>();
let observer: MutationObserver | null = null;

/**
 * Every element's language, one way: its own `lang` (attribute or property), else the nearest ancestor's (crossing
 * shadow roots), else the document's, else the browser's. Re-renders its host when any `lang` attribute in the
 * document changes, so labels follow the page live (the element never writes `lang` itself). One observer serves
 * every host on the page.
 *
 * ```ts
 * readonly #i18n = new LangController(this, playerLabels);
 * render() { const m = this.#i18n.messages; … }
 * ```
 */
export class LangController<S extends keyof Messages> implements ReactiveController {
  constructor(
    private readonly host: ReactiveControllerHost & Element & { lang?: string },
    private readonly labels: Labels<S>,
  ) {
    host.addController(this);
  }

  /** The language tag the labels are in (`en`, `zh-CN`, or one added with `addTranslation`). */
  get lang(): Lang {
    // `lang` as a property too: an element may declare it as a Lit property that a page sets without the attribute
    const own = this.host.lang;
    return own ? normaliseLang(own) : resolveLang(this.host);
  }

  /** The host's labels in {@link lang}. */
  get messages(): Messages[S] {
    return labelsFor(this.labels, this.lang);
  }

  hostConnected(): void {
    hosts.add(this.host);
    if (!observer && typeof MutationObserver !== 'undefined') {
      observer = new MutationObserver(() => hosts.forEach((h) => h.requestUpdate()));
      observer.observe(document.documentElement, {
        attributes: true,
        attributeFilter: ['lang'],
        subtree: true,
      });
    }
  }

  hostDisconnected(): void {
    hosts.delete(this.host);
    if (!hosts.size) {
      observer?.disconnect();
      observer = null;
    }
  }
}
