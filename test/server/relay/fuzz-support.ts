/**
 * The fuzz suite's harness: the relay started as `npm run relay` starts it (push key, play key, origin list, RTMP
 * on) in a child process, so a crash is seen as a dead process; a legitimate push of the test source relayed as
 * FLV; a legitimate viewer whose FLV timestamps are followed against the wall clock; and a raw TCP client that sends
 * bytes exactly as given (no URL normalisation, no protocol checks) from another loopback address.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import { sleep, tempDir } from './support.ts';
import { liveRelayProcess } from './security-support.ts';

export const PUSH_KEY = 'fuzz-push-key';
export const PLAY_KEY = 'fuzz-play-key';
export const PAGE = 'http://127.0.0.1:5998';
/** The fuzzer is another client than the legitimate pusher and viewer (per-client caps must not mix them). */
export const FUZZER_IP = '127.0.0.2';
export const STREAM = 'fuzzlive';

/** Follows an FLV response: when the last tag arrived and how far its media time advanced. */
export class FlvViewer {
  lastTagAt = 0;
  firstTagAt = 0;
  firstTs = -1;
  lastTs = 0;
  ended = false;
  private buf = Buffer.alloc(0);
  private headerDone = false;
  private readonly req;

  constructor(url: string) {
    const u = new URL(url);
    this.req = httpRequest(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, agent: false },
      (res) => {
        assert.equal(res.statusCode, 200);
        res.on('data', (d: Buffer) => this.onData(d));
        res.on('end', () => (this.ended = true));
        res.on('error', () => (this.ended = true));
      },
    );
    this.req.on('error', () => (this.ended = true));
    this.req.end();
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    if (!this.headerDone) {
      if (this.buf.length < 13) return;
      this.buf = this.buf.subarray(13); // FLV header + PreviousTagSize0
      this.headerDone = true;
    }
    while (this.buf.length >= 15) {
      const size = this.buf.readUIntBE(1, 3);
      if (this.buf.length < 11 + size + 4) return;
      const ts = this.buf.readUIntBE(4, 3) | (this.buf[7] << 24);
      const now = Date.now();
      if (this.firstTs < 0 && ts > 0) {
        this.firstTs = ts;
        this.firstTagAt = now;
      }
      this.lastTs = Math.max(this.lastTs, ts);
      this.lastTagAt = now;
      this.buf = this.buf.subarray(11 + size + 4);
    }
  }

  /** Media seconds per wall second since the first tag (1 = real time). */
  speed(): number {
    const wall = this.lastTagAt - this.firstTagAt;
    return wall > 0 ? (this.lastTs - this.firstTs) / wall : 0;
  }

  close(): void {
    this.req.destroy();
  }
}

export interface FuzzRelay {
  base: string;
  rtmpPort: number;
  viewer: FlvViewer;
  /** Throws unless the relay process is alive and the viewer got a tag within the last `withinMs`. */
  check(withinMs?: number): void;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

export async function startFuzzRelay(): Promise<FuzzRelay> {
  const data = tempDir('relay-fuzz-');
  const rtmpPort = await freePort();
  const relay = await liveRelayProcess({
    id: STREAM,
    pushKey: PUSH_KEY,
    playKey: PLAY_KEY,
    origin: PAGE,
    dataDir: data.dir,
    env: { RTMP_PORT: String(rtmpPort) },
  });
  const { server } = relay;
  const viewer = new FlvViewer(relay.flvUrl);
  const deadline = Date.now() + 20_000;
  while (viewer.firstTs < 0 && Date.now() < deadline) await sleep(100);
  assert.ok(viewer.firstTs >= 0, 'the legitimate viewer got no media');
  return {
    base: relay.base,
    rtmpPort,
    viewer,
    check(withinMs = 3000) {
      assert.equal(server.proc.exitCode, null, `the relay exited:\n${server.output().slice(-3000)}`);
      assert.equal(server.proc.signalCode, null, `the relay was killed:\n${server.output().slice(-3000)}`);
      assert.ok(!viewer.ended, 'the legitimate viewer was disconnected');
      const late = Date.now() - viewer.lastTagAt;
      assert.ok(late < withinMs, `the legitimate viewer got nothing for ${late} ms`);
    },
    async stop() {
      viewer.close();
      await relay.stop();
      data.remove();
    },
  };
}

/**
 * Sends `chunks` to `port` from the fuzzer's address (each chunk after the previous one was written), optionally
 * half-closes, and resolves with whatever came back once the peer closed or `waitMs` passed. Never throws.
 */
export function rawExchange(
  port: number,
  chunks: Buffer[],
  o: { halfClose?: boolean; waitMs?: number } = {},
): Promise<Buffer> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const socket = connect({ port, host: '127.0.0.1', localAddress: FUZZER_IP });
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(out));
    };
    const timer = setTimeout(finish, o.waitMs ?? 400);
    socket.on('data', (d: Buffer) => out.push(d));
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => {
      for (const c of chunks) if (!socket.destroyed) socket.write(c);
      if (o.halfClose && !socket.destroyed) socket.end();
    });
  });
}
