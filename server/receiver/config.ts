// The receiver's settings from environment variables (`npm run receiver`), validated once at startup.
import type { ReceiverOptions } from './plugin.ts';
import {
  DEFAULT_PLAY_PER_MINUTE,
  DEFAULT_PLAY_URL_TTL,
  MAX_PLAY_URL_TTL,
  MIN_PLAY_URL_TTL,
  TEMPLATE_PATTERN,
} from './play-urls.ts';

export interface ReceiverConfig {
  host: string;
  port: number;
  logLevel: string;
  /** Server-level timeouts (node:http): headers, whole request, idle keep-alive / stalled socket. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  /** Whom to believe about the client address (`X-Forwarded-For`), for the per-IP caps behind a proxy. */
  trustProxy: boolean | string[];
  plugin: ReceiverOptions;
  /** `RECEIVER_USERSIG_AUTHORIZER`: path of a module whose default export is the `authorizeUserSig` hook. */
  userSigAuthorizer: string | null;
  /** `RECEIVER_PLAY_AUTHORIZER`: path of a module whose default export is the `authorizePlayUrl` hook. */
  playAuthorizer: string | null;
}

type Env = Record<string, string | undefined>;

/** Reads the configuration; throws an Error naming the variable when one is missing or malformed. */
export function receiverConfigFromEnv(env: Env): ReceiverConfig {
  const key = env.CALLBACK_KEY ?? '';
  if (!key)
    throw new Error('set CALLBACK_KEY to the callback key configured for the cloud (or the local relay).');
  const int = (name: string, def: number, min = 0): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return def;
    if (!/^\d{1,12}$/.test(raw) || Number(raw) < min)
      throw new Error(`${name} must be an integer ≥ ${min} (got "${raw}").`);
    return Number(raw);
  };
  const list = (name: string) =>
    (env[name] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const originsEnv = (env.ALLOWED_ORIGINS ?? '').trim();
  const host = env.RECEIVER_HOST ?? '127.0.0.1';
  const hostsEnv = (env.RECEIVER_HOSTS ?? '').trim();
  if (hostsEnv === '' && !isLoopback(host)) {
    // Served to other machines under some name: say which, or DNS rebinding could read it under any name.
    throw new Error(
      `RECEIVER_HOST=${host} serves other machines: set RECEIVER_HOSTS to the names clients reach it by (e.g. recordings.example.com), or * to answer any Host.`,
    );
  }
  const flag = (name: string): boolean => {
    const raw = (env[name] ?? '').trim();
    if (raw === '' || raw === '0') return false;
    if (raw === '1') return true;
    throw new Error(`${name} must be 1 or 0 (got "${raw}").`);
  };

  const plugin: ReceiverOptions = {
    dataDir: env.DATA_DIR ?? './data',
    callbackKey: key,
    allowedOrigins: originsEnv === '*' ? '*' : list('ALLOWED_ORIGINS'),
    allowedHosts: hostsEnv === '*' ? '*' : list('RECEIVER_HOSTS'),
    requireRelaySignature: flag('RECEIVER_REQUIRE_RELAY_SIGNATURE'),
    groupCommit: env.GROUP_COMMIT !== '0',
    tExpirySkew: int('CALLBACK_T_SKEW', 30),
    bodyTimeoutMs: int('RECEIVER_BODY_TIMEOUT_MS', 10_000, 100),
    jsonLimits: {
      maxDepth: int('RECEIVER_JSON_MAX_DEPTH', 16, 1),
      maxString: int('RECEIVER_JSON_MAX_STRING', 8192, 64),
    },
    sse: {
      maxClients: int('RECEIVER_SSE_MAX', 200, 1),
      maxClientsPerIp: int('RECEIVER_SSE_MAX_PER_IP', 10, 1),
      maxBufferedBytes: int('RECEIVER_SSE_MAX_BUFFER', 256 * 1024, 1024),
    },
    readKey: env.RECEIVER_READ_KEY || undefined,
    trtcCallbackKey: env.TRTC_CALLBACK_KEY || undefined,
    trtcRecordingFileBaseUrl: env.TRTC_RECORDING_FILE_BASE_URL?.trim() || undefined,
  };
  if (
    plugin.trtcRecordingFileBaseUrl &&
    !/^https?:\/\/[^/]+\/(.*\/)?$/.test(plugin.trtcRecordingFileBaseUrl)
  ) {
    throw new Error(
      'TRTC_RECORDING_FILE_BASE_URL must be an http(s) URL ending in "/" (e.g. https://bucket.cos.ap-guangzhou.myqcloud.com/).',
    );
  }
  const appId = env.TRTC_SDK_APP_ID?.trim();
  const secret = env.TRTC_SECRET_KEY ?? '';
  if (appId || secret) {
    if (!appId || !/^[1-9]\d{0,11}$/.test(appId) || !secret) {
      throw new Error('set both TRTC_SDK_APP_ID (the numeric SDKAppID) and TRTC_SECRET_KEY, or neither.');
    }
    plugin.trtc = {
      sdkAppId: Number(appId),
      secretKey: secret,
      expireSeconds: int('TRTC_USERSIG_EXPIRE', 3600, 60),
      allowUsers: list('TRTC_USERSIG_ALLOW_USERS'),
      perMinute: int('TRTC_USERSIG_PER_MINUTE', 20, 1),
    };
  }
  const playKey = env.TRTC_PLAY_KEY ?? '';
  const playDomain = env.TRTC_PLAY_DOMAIN?.trim() ?? '';
  if (playKey || playDomain) {
    if (!playKey || !playDomain) {
      throw new Error(
        "set both TRTC_PLAY_KEY (the play domain's anti-leech key) and TRTC_PLAY_DOMAIN, or neither.",
      );
    }
    const scheme = (env.TRTC_PLAY_SCHEME ?? '').trim().toLowerCase() || 'https';
    if (scheme !== 'https' && scheme !== 'http') {
      throw new Error(`TRTC_PLAY_SCHEME must be https or http (got "${scheme}").`);
    }
    const ttl = int('TRTC_PLAY_URL_TTL', DEFAULT_PLAY_URL_TTL, MIN_PLAY_URL_TTL);
    if (ttl > MAX_PLAY_URL_TTL) {
      throw new Error(`TRTC_PLAY_URL_TTL must be at most ${MAX_PLAY_URL_TTL} seconds (7 days; got ${ttl}).`);
    }
    const templates = list('TRTC_PLAY_TEMPLATES');
    const badTemplate = templates.find((t) => !TEMPLATE_PATTERN.test(t));
    if (badTemplate) {
      throw new Error(
        `TRTC_PLAY_TEMPLATES: "${badTemplate}" is not a template id (1–32 letters, digits, _ or -).`,
      );
    }
    plugin.trtcPlay = {
      key: playKey,
      domain: playDomain,
      scheme,
      ttlSeconds: ttl,
      allowStreams: list('TRTC_PLAY_STREAMS'),
      templates,
      perMinute: int('TRTC_PLAY_PER_MINUTE', DEFAULT_PLAY_PER_MINUTE, 1),
    };
  }
  const proxy = (env.RECEIVER_TRUST_PROXY ?? '').trim();
  return {
    trustProxy: proxy === '' || proxy === 'false' ? false : proxy === 'true' || list('RECEIVER_TRUST_PROXY'),
    host,
    port: int('RECEIVER_PORT', 8081),
    logLevel: env.LOG_LEVEL ?? 'warn',
    headersTimeoutMs: int('RECEIVER_HEADERS_TIMEOUT_MS', 10_000, 100),
    requestTimeoutMs: int('RECEIVER_REQUEST_TIMEOUT_MS', 30_000, 100),
    idleTimeoutMs: int('RECEIVER_IDLE_TIMEOUT_MS', 60_000, 1000),
    plugin,
    userSigAuthorizer: env.RECEIVER_USERSIG_AUTHORIZER?.trim() || null,
    playAuthorizer: env.RECEIVER_PLAY_AUTHORIZER?.trim() || null,
  };
}

/** Loopback bind addresses: only this machine connects, so only loopback names (and IP literals) are served. */
function isLoopback(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  return a === 'localhost' || a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}
