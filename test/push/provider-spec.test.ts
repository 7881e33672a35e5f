/**
 * The providers declare the attributes they read; `<live-push-controls>` documents them (`@attr`, which feeds
 * custom-elements.json, the README and the wrappers). The two lists are checked against each other here, so a
 * provider that starts or stops reading an attribute cannot go undocumented, and the capabilities a provider
 * declares are checked against what its implementation does.
 */
import { expect } from '@open-wc/testing';
import '../../src/register.js';
import '../../src/lazy/esm.js';
import { LivePushControls } from '../../src/elements/live-push-controls/live-push-controls.js';
import { loadLazyModule } from '../../src/lazy/registry.js';
import { pushProviderAttributes, pushProviderSpec } from '../../src/push/provider.js';
import { attributeKey } from '../../src/push/push-request.js';

interface ManifestAttribute {
  name: string;
  description?: string;
  fieldName?: string;
  type?: { text: string };
}
interface ManifestMember {
  kind: string;
  name: string;
  type?: { text: string };
}
interface ManifestDeclaration {
  tagName?: string;
  attributes?: ManifestAttribute[];
  members?: ManifestMember[];
}

async function documented(): Promise<ManifestDeclaration> {
  const manifest = (await (await fetch('/custom-elements.json')).json()) as {
    modules: { declarations?: ManifestDeclaration[] }[];
  };
  const decl = manifest.modules
    .flatMap((m) => m.declarations ?? [])
    .find((d) => d.tagName === 'live-push-controls');
  if (!decl) throw new Error('custom-elements.json does not describe <live-push-controls>');
  return decl;
}

describe('push providers: declared attributes and capabilities', () => {
  it('documents exactly the attributes the element and its providers read', async () => {
    const docs = (await documented()).attributes ?? [];
    const observed = [...LivePushControls.observedAttributes].sort();
    expect(docs.map((a) => a.name).sort()).to.deep.equal(observed);
    // and every provider attribute is one of them (the element observes it because a provider declared it)
    for (const a of pushProviderAttributes()) expect(observed).to.include(a.name);
  });

  it('documents each provider attribute with a description and a typed property of its camel-cased name', async () => {
    const decl = await documented();
    for (const { name } of pushProviderAttributes()) {
      const doc = decl.attributes?.find((a) => a.name === name);
      expect(doc?.description, name).to.match(/\w{3}/);
      expect(doc?.fieldName, name).to.equal(attributeKey(name));
      const member = decl.members?.find((m) => m.kind === 'field' && m.name === attributeKey(name));
      expect(member?.type?.text, name).to.equal('string | undefined');
    }
  });

  it('says which provider reads which attribute: the local relay, WHIP and TRTC each name theirs', () => {
    const names = (provider: string) => pushProviderSpec(provider).attributes.map((a) => a.name);
    expect(names('local')).to.have.members([
      'endpoint',
      'tx-secret',
      'tx-time',
      'credential-endpoint',
      'transport',
    ]);
    expect(names('whip')).to.have.members([
      'endpoint',
      'token',
      'credential-endpoint',
      'whep-url',
      'play-urls',
    ]);
    expect(
      pushProviderSpec('whip')
        .attributes.filter((a) => a.required)
        .map((a) => a.name),
    ).to.deep.equal(['endpoint']);
    for (const name of ['trtc', 'trtc-v4'])
      expect(names(name), name).to.have.members([
        'sdk-app-id',
        'user-id',
        'user-sig',
        'sig-endpoint',
        'room-id',
        'str-room-id',
        'play-domain',
        'play-url-endpoint',
        'play-scheme',
        'transcode-template',
      ]);
    for (const name of ['trtc', 'trtc-v4']) {
      const required = pushProviderSpec(name)
        .attributes.filter((a) => a.required)
        .map((a) => a.name);
      // room-id or str-room-id: one of the two, checked at start
      expect(required, name).to.have.members(['sdk-app-id', 'user-id', 'play-domain']);
    }
  });

  it('declares live device switching exactly where the implementation can replace tracks', async () => {
    for (const [name, module] of [
      ['local', 'local-provider'],
      ['trtc', 'trtc-provider'],
      ['trtc-v4', 'trtc-v4-provider'],
      ['whip', 'whip-provider'],
    ] as const) {
      const impl = (await loadLazyModule(module))({ loadLazyModule })({});
      expect(typeof impl.replaceTrack === 'function', name).to.equal(
        pushProviderSpec(name).capabilities.switchDevicesLive,
      );
    }
  });

  it('gives a provider nobody described every choice but live device switching', () => {
    expect(pushProviderSpec('not-registered').capabilities).to.deep.equal({
      chooseRecordFormats: true,
      audioOnly: true,
      recordId: true,
      switchDevicesLive: false,
    });
  });
});
