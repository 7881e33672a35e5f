/**
 * What a start asks for, assembled from the element in one place: the provider's name, its configuration and the
 * push options. The configuration is every attribute of the host, camel-cased (`sdk-app-id` → `sdkAppId`, so a
 * page's own provider reads attributes nobody declared), then the properties of the attributes the providers
 * declare (set from script, without an attribute), then the page's `providerConfig` over all of it.
 */
import type { PushOptionsInput } from './options.js';
import { pushProviderAttributes, type PushProviderConfig } from './provider.js';
import type { PushRequest } from './push-session.js';

/** The config key (and property name) of attribute `name`: `sdk-app-id` → `sdkAppId`. */
export function attributeKey(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Where a start's values come from: `<live-push-controls>`, or anything shaped like it. */
export interface PushRequestSource extends PushOptionsInput {
  provider: string;
  /** Extra configuration, over everything else. */
  providerConfig: PushProviderConfig;
  /** The host's attributes. */
  attributes: Iterable<{ readonly name: string; readonly value: string }>;
}

/** The request `PushSession.start` takes, from the host's attributes and properties at this moment. */
export function pushRequest(source: PushRequestSource): PushRequest {
  const config: Record<string, string | number | boolean | undefined> = {};
  for (const a of source.attributes) config[attributeKey(a.name)] = a.value;
  for (const { name } of pushProviderAttributes()) {
    const key = attributeKey(name);
    const v = (source as unknown as Record<string, unknown>)[key];
    if (v != null) config[key] = v as string;
  }
  const { encode, recordFileTypes, recordId, audioOnly, streamId } = source;
  return {
    provider: source.provider,
    config: { ...config, ...source.providerConfig },
    options: { encode, recordFileTypes, recordId, audioOnly, streamId },
  };
}
