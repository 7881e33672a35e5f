/**
 * Where the relay's WebRTC peers listen and what they tell the other side: `RELAY_ICE_HOSTS` (the addresses put in
 * the answer's host candidates; default 127.0.0.1, like the rest of the relay), `RELAY_UDP_PORTS` (the UDP range
 * ICE binds in, e.g. `40000-40100`; default any ephemeral port) and `RELAY_ICE_SERVERS` (STUN/TURN URLs; default
 * none, so nothing is ever sent anywhere but to the peer). Read by `main.ts`, passed in as plugin options.
 */
import type { RtcConfig } from 'node-datachannel';
import { isIP } from 'node:net';
import { isLoopback } from '../http/auth.ts';

export interface WebRtcNetwork {
  /** Addresses announced as host candidates (the first one is bound when it is a loopback address). */
  iceHosts: string[];
  /** Inclusive UDP port range for ICE, or null for any ephemeral port. */
  udpPorts: { begin: number; end: number } | null;
  /** `stun:` / `turn:` URLs; empty unless configured. */
  iceServers: string[];
}

export const DEFAULT_NETWORK: WebRtcNetwork = { iceHosts: ['127.0.0.1'], udpPorts: null, iceServers: [] };

/** Parses the three variables; throws with a message naming the variable when one is malformed. */
export function networkFromEnv(env: Record<string, string | undefined>): WebRtcNetwork {
  const hosts = (env.RELAY_ICE_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (const h of hosts)
    if (!isIP(h)) throw new Error(`RELAY_ICE_HOSTS must be a comma list of IP addresses (got "${h}")`);
  let udpPorts: WebRtcNetwork['udpPorts'] = null;
  const range = env.RELAY_UDP_PORTS?.trim();
  if (range) {
    const m = /^(\d{1,5})-(\d{1,5})$/.exec(range);
    const begin = Number(m?.[1]);
    const end = Number(m?.[2]);
    if (!m || begin < 1024 || end > 65535 || begin > end)
      throw new Error(`RELAY_UDP_PORTS must be a range like 40000-40100 within 1024-65535 (got "${range}")`);
    udpPorts = { begin, end };
  }
  const iceServers = (env.RELAY_ICE_SERVERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of iceServers)
    if (!/^(stun|turns?):/.test(s)) throw new Error(`RELAY_ICE_SERVERS: "${s}" is not a stun: or turn: URL`);
  return { iceHosts: hosts.length ? hosts : DEFAULT_NETWORK.iceHosts, udpPorts, iceServers };
}

/** The libdatachannel configuration of one peer connection. */
export function rtcConfig(n: WebRtcNetwork): RtcConfig {
  const loopbackOnly = n.iceHosts.length === 1 && isLoopback(n.iceHosts[0]);
  return {
    iceServers: n.iceServers,
    ...(loopbackOnly ? { bindAddress: n.iceHosts[0] } : {}),
    ...(n.udpPorts ? { portRangeBegin: n.udpPorts.begin, portRangeEnd: n.udpPorts.end } : {}),
    enableIceTcp: false,
  };
}

/**
 * The answer as sent: its host candidates replaced by one per configured address on the port ICE bound (so a
 * relay behind NAT or on several interfaces announces exactly what the deployment opened); other candidates kept.
 */
export function announceCandidates(sdp: string, n: WebRtcNetwork): string {
  const lines = sdp.split(/\r?\n/);
  const out: string[] = [];
  for (const line of lines) {
    const m = /^a=candidate:\S+ 1 UDP (\d+) (\S+) (\d+) typ host/i.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    if (n.iceHosts.includes(m[2]) && n.iceHosts.length === 1) {
      out.push(line);
      continue;
    }
    if (out.some((l) => l.startsWith('a=candidate:') && l.includes(` ${m[3]} typ host`))) continue;
    n.iceHosts.forEach((host, i) => {
      out.push(`a=candidate:${i + 1} 1 UDP ${Number(m[1]) - i} ${host} ${m[3]} typ host`);
    });
  }
  return out.join('\r\n');
}
