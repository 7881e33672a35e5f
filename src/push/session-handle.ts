/**
 * `<live-push-controls>`'s hold on its {@link PushSession}, whose code arrives later (the lazy module
 * `push-session`, fetched when the element connects). Calls made before the session has arrived wait for it and
 * run in the order they were made; calls still waiting when the element left the page are not carried out; code
 * that cannot be fetched is reported like any failure (`ENGINE_LOAD_FAILED`), and the next call tries again.
 */
import { ErrorCodes, RelayError } from '../contract/errors.js';
import type { PushSession, PushSessionListener } from './push-session.js';

export class PushSessionHandle {
  /** The session once it has arrived, else `null`. */
  session: PushSession | null = null;
  /** The session on its way (its code is being fetched), or `null`. */
  #arriving: Promise<PushSession> | null = null;
  /** Counts releases: a call still waiting for the session when its host left is not carried out. */
  #releases = 0;

  /**
   * `load` fetches the session's code (once; a later call after a failure fetches again; it rejects with an
   * `Error`, as `LazyFeature.load` does), `create` makes the session from it, `onError` reports a failure to fetch it.
   */
  constructor(
    private readonly load: () => Promise<typeof PushSession>,
    private readonly create: (Session: typeof PushSession) => PushSession,
    private readonly onError: PushSessionListener['onError'],
  ) {}

  /** The session, fetched and created once. Rejects with `ENGINE_LOAD_FAILED` (module `push`); a later call retries. */
  fetch(): Promise<PushSession> {
    this.#arriving ??= this.load().then(
      (Session) => (this.session = this.create(Session)),
      (err: Error) => {
        this.#arriving = null;
        throw new RelayError(
          'push',
          ErrorCodes.ENGINE_LOAD_FAILED,
          `The push controls could not be loaded (${err.message}).`,
          { cause: err },
        );
      },
    );
    return this.#arriving;
  }

  /**
   * Runs `call` on the session, at once when it is there, else once it has arrived (in the order of the calls);
   * not at all when the host was released meanwhile (`START_CANCELLED`). A session that cannot be fetched is
   * reported like any failure.
   */
  run<T>(call: (session: PushSession) => Promise<T>): Promise<T> {
    if (this.session) return call(this.session);
    const releases = this.#releases;
    return this.fetch().then(
      (session) => {
        if (this.#releases !== releases)
          throw new RelayError(
            'push',
            ErrorCodes.START_CANCELLED,
            'The element left the page before it was ready.',
          );
        return call(session);
      },
      (err: RelayError) => {
        this.onError(err.toJSON());
        throw err;
      },
    );
  }

  /**
   * Runs `call` on the session if there is one: at once, or once it has arrived, in order with the calls made
   * through {@link run} (a start waiting for the session runs, then is stopped). Nothing to do when none is coming.
   */
  ifThere(call: (session: PushSession) => void | Promise<void>): Promise<void> {
    if (this.session) return Promise.resolve(call(this.session));
    return this.#arriving ? this.#arriving.then(call, () => undefined) : Promise.resolve();
  }

  /** The host left the page: the session lets go of everything, and calls still waiting for it are dropped. */
  release(): void {
    this.#releases += 1;
    this.session?.release();
  }
}
