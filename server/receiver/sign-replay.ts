import { createHash } from 'node:crypto';
import { canonicalJson } from './notification.ts';

/**
 * Binds each accepted `(t, sign)` pair to the address that first used it. Tencent's `sign = md5(key + t)` covers
 * neither the body nor the sender, so a captured pair would otherwise carry any body until `t` expires. From any
 * other address the pair is accepted only with a body it already came with (a retry of the same body passes).
 *
 * Not "one body per pair, whoever sends it": `t` has one-second resolution, so every genuine callback Tencent (or
 * a test) sends in the same second carries the same `(t, sign)` — a stream's end, its recording and its status
 * often do. Those come from the sender that first used the pair and all pass; a replay from anywhere else does not.
 *
 * Kept in memory, on purpose: a pair is only worth remembering until its `t` expires (at most now + 600 s + skew,
 * which the receiver enforces), only pairs with a genuine `sign` are remembered (a stranger cannot add entries), and
 * the check must be synchronous so that two concurrent requests cannot both claim a pair. The cost: a restart or a
 * second receiver instance starts with an empty table. A relay-signed callback (`X-Relay-Signature` binds the body)
 * passes whatever this says, but is recorded too: its pair, without the header, then carries no new body.
 */
export class SignReplayGuard {
  /** `t:sign` → the first sender, the digests of the bodies accepted with the pair, and its expiry (unix s). */
  private readonly seen = new Map<string, { client: string; digests: Set<string>; until: number }>();

  constructor(
    private readonly skewSeconds: number,
    /** Pairs remembered at most; beyond it the oldest are forgotten first. */
    private readonly maxEntries = 100_000,
  ) {}

  /**
   * Records that `client` sent `body` with `(t, sign)` and returns `true`, or returns `false` when another address
   * already claimed the pair and this body is not one it came with. Key order and spacing do not make a new body.
   */
  admit(t: number, sign: string, body: Record<string, unknown>, client: string, nowSeconds: number): boolean {
    this.prune(nowSeconds);
    const pair = `${t}:${sign.toLowerCase()}`;
    const digest = createHash('sha256').update(canonicalJson(body)).digest('hex');
    const known = this.seen.get(pair);
    if (known) {
      if (known.client !== client) return known.digests.has(digest);
      known.digests.add(digest);
      return true;
    }
    if (this.seen.size >= this.maxEntries) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.seen.set(pair, { client, digests: new Set([digest]), until: t + this.skewSeconds });
    return true;
  }

  /**
   * Forgets expired pairs from the oldest on (a pair whose `t` has passed is refused as expired before it gets
   * here). Genuine `t`s are "now + 600", so insertion order is expiry order and this stops at the first live one.
   */
  private prune(nowSeconds: number): void {
    for (const [pair, { until }] of this.seen) {
      if (until >= nowSeconds) return;
      this.seen.delete(pair);
    }
  }
}
