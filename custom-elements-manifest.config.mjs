// Config of `cem analyze` (npm run build:manifest). The elements are defined in src/register*.ts through a helper
// the analyzer cannot follow, and their events' detail types live in src/contract/events.ts (HTMLElementEventMap): this
// plugin adds both to the manifest, so tools (and scripts/gen-wrappers.mjs) see tag definitions and typed events.
import { readFileSync } from 'node:fs';

const eventsSource = readFileSync(new URL('./src/contract/events.ts', import.meta.url), 'utf8');
/** `'relay-player-state': CustomEvent<RelayPlayerStateDetail>` → { 'relay-player-state': 'RelayPlayerStateDetail' } */
const detailTypes = Object.fromEntries(
  [...eventsSource.matchAll(/'([a-z-]+)':\s*CustomEvent<(\w+)>/g)].map((m) => [m[1], m[2]]),
);

function relayWidgetsPlugin() {
  return {
    name: 'relay-widgets',
    packageLinkPhase({ customElementsManifest }) {
      // modules in path order: the analyzer lists them in the order the file system returns them, which differs
      // between checkouts (a fresh clone's manifest came out reordered and "stale")
      customElementsManifest.modules.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      for (const mod of customElementsManifest.modules) {
        for (const decl of mod.declarations ?? []) {
          if (!decl.customElement || !decl.tagName) continue;
          // Attributes made at run time from a spec (the push providers' attributes) are documented with `@attr`
          // and typed by a `declare`d field of the camel-cased name: link the two, as a decorator would.
          for (const attr of decl.attributes ?? []) {
            const field = decl.members?.find(
              (m) => m.kind === 'field' && m.name === attr.name.replace(/-([a-z])/g, (_, c) => c.toUpperCase()),
            );
            if (attr.fieldName || !field) continue;
            attr.fieldName = field.name;
            attr.type ??= field.type;
            field.attribute ??= attr.name;
          }
          for (const ev of decl.events ?? []) {
            const detail = detailTypes[ev.name];
            if (detail) ev.type = { text: `CustomEvent<${detail}>`, references: [{ name: detail, module: 'src/contract/events.ts' }] };
          }
          mod.exports ??= [];
          if (!mod.exports.some((e) => e.kind === 'custom-element-definition' && e.name === decl.tagName)) {
            mod.exports.push({
              kind: 'custom-element-definition',
              name: decl.tagName,
              declaration: { name: decl.name, module: mod.path },
            });
          }
        }
      }
    },
  };
}

export default {
  globs: ['src/elements/**/*.ts'],
  outdir: '.',
  litelement: true,
  plugins: [relayWidgetsPlugin()],
};
