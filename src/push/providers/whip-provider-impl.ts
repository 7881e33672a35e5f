/**
 * The `whip` provider: the element's `MediaStream` published to a WHIP endpoint (see `whip-provider.ts` for the
 * attributes). start: credentials (if any) → WHIP offer/answer → connected → the play URLs the page declared.
 * stop: `DELETE` of the session's resource, the peer closed. A connection lost for good (no ICE restart, or it
 * failed) ends the push with `WEBRTC_FAILED`, from which Start works again.
 *
 * Fetched on the first start (lazy module `whip-provider`, see `lazy-provider.ts`).
 */
import { ErrorCodes, RelayError, toErrorInfo } from '../../contract/errors.js';
import type { PlayUrl } from '../../contract/types.js';
import { WhipPublisher } from '../../webrtc/whip-publisher.js';
import { resolvePushCredentials } from '../credentials.js';
import type { LazyProviderModule } from '../lazy-provider.js';
import type { PushOptions } from '../options.js';
import {
  BasePushProvider,
  cancelledError,
  configString,
  type PushProviderConfig,
  type PushResult,
} from '../provider.js';

/** The play URLs a page declared: `whep-url` first (real time), then `play-urls` in its order. */
export function declaredPlayUrls(config: PushProviderConfig): PlayUrl[] {
  const urls: PlayUrl[] = [];
  const base = globalThis.location?.href;
  const whep = configString(config, 'whepUrl');
  if (whep) urls.push({ encode: 'webrtc', url: new URL(whep, base).href });
  for (const u of (configString(config, 'playUrls') ?? '').split(/\s+/).filter(Boolean)) {
    const url = new URL(u, base).href;
    const path = new URL(url).pathname.toLowerCase();
    const encode = path.endsWith('.flv')
      ? 'flv'
      : path.endsWith('.m3u8')
        ? 'hls'
        : url.startsWith('rtmp')
          ? 'rtmp'
          : undefined;
    urls.push(encode ? { encode, url } : { url });
  }
  return urls;
}

export class WhipPushProvider extends BasePushProvider {
  readonly name = 'whip';
  readonly #config: PushProviderConfig;
  #publisher: WhipPublisher | null = null;

  constructor(config: PushProviderConfig) {
    super();
    this.#config = config;
  }

  start(options: PushOptions, media: MediaStream, signal?: AbortSignal): Promise<PushResult> {
    return this.runStart(
      signal,
      (aborted) => this.#start(options, media, aborted),
      async (err, aborted) => {
        await this.#release();
        return aborted ? cancelledError() : err;
      },
    );
  }

  async #start(options: PushOptions, media: MediaStream, signal: AbortSignal): Promise<PushResult> {
    const endpoint = configString(this.#config, 'endpoint');
    if (!endpoint)
      throw new RelayError('push', ErrorCodes.INVALID_OPTIONS, 'Set endpoint to the WHIP URL to publish to.');
    if (options.recordFileTypes.length || options.recordId !== null)
      throw new RelayError(
        'push',
        ErrorCodes.INVALID_OPTIONS,
        'provider="whip" cannot choose recordings or a record id: a WHIP server records as its own configuration says. Clear the recording choices, or push to the local relay or Tencent Cloud to record from the page.',
      );
    let token = configString(this.#config, 'token');
    const credentials = await resolvePushCredentials(this.#config, options.streamId, signal);
    if (credentials) token = `${credentials.txTime}.${credentials.txSecret}`;
    if (signal.aborted) throw cancelledError();
    const publisher = await WhipPublisher.publish(media, {
      endpoint: new URL(endpoint, globalThis.location?.href).href,
      token,
      signal,
      onLost: (err) => {
        if (this.#publisher !== publisher) return;
        void this.#release().then(() => {
          this.setState('idle');
          this.fail(toErrorInfo(err, 'push', ErrorCodes.WEBRTC_FAILED));
        });
      },
    });
    this.#publisher = publisher;
    if (signal.aborted) throw cancelledError();
    const streamId =
      credentials?.streamId ??
      options.streamId ??
      decodeURIComponent(
        new URL(endpoint, globalThis.location?.href).pathname.split('/').filter(Boolean).pop() ?? 'whip',
      );
    return { streamId, urls: declaredPlayUrls(this.#config), transport: 'webrtc' };
  }

  async replaceTrack(track: MediaStreamTrack): Promise<void> {
    if (!this.#publisher) throw new RelayError('push', ErrorCodes.NOT_STARTED, 'The push is not live.');
    await this.#publisher.replaceTrack(track);
  }

  async stop(): Promise<void> {
    await this.cancelStart();
    if (!this.#publisher) return;
    this.setState('stopping');
    await this.#release();
    this.setState('idle');
  }

  async #release(): Promise<void> {
    const p = this.#publisher;
    this.#publisher = null;
    await p?.close();
  }
}

const whipProvider: LazyProviderModule = () => (config) => new WhipPushProvider(config);
export default whipProvider;
