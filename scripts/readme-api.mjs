// Writes the element reference into README.md (between the api markers) from custom-elements.json, so the
// README cannot drift from the source. Run by `npm run build:manifest`.
import { readFileSync, writeFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
const cell = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').trim();
const type = (t) => (t?.text ? `\`${cell(t.text)}\`` : '');
const out = [];
const decls = manifest.modules
  .flatMap((m) => m.declarations ?? [])
  .filter((d) => d.customElement && d.tagName)
  .sort((a, b) => a.tagName.localeCompare(b.tagName));
for (const d of decls) {
  out.push(`### \`<${d.tagName}>\``, '');
  if (d.summary || d.description) out.push(cell(d.summary || d.description), '');
  const attrs = (d.attributes ?? []).filter((a) => a.name);
  if (attrs.length) {
    out.push('| attribute | property | type | default | description |', '|---|---|---|---|---|');
    for (const a of attrs)
      out.push(`| \`${a.name}\` | ${a.fieldName ? `\`${a.fieldName}\`` : ''} | ${type(a.type)} | ${a.default ? `\`${cell(a.default)}\`` : ''} | ${cell(a.description)} |`);
    out.push('');
  }
  const attrFields = new Set(attrs.map((a) => a.fieldName));
  const members = (d.members ?? []).filter((m) => m.privacy !== 'private' && m.privacy !== 'protected' && !m.static && !m.name.startsWith('_'));
  const props = members.filter((m) => m.kind === 'field' && !attrFields.has(m.name) && m.description);
  if (props.length) {
    out.push('| property | type | description |', '|---|---|---|');
    for (const p of props) out.push(`| \`${p.name}\`${p.readonly ? ' (read-only)' : ''} | ${type(p.type)} | ${cell(p.description)} |`);
    out.push('');
  }
  const methods = members.filter((m) => m.kind === 'method' && m.description);
  if (methods.length) {
    out.push('| method | description |', '|---|---|');
    for (const m of methods) {
      const params = (m.parameters ?? []).map((p) => p.name).join(', ');
      out.push(`| \`${m.name}(${params})\` | ${cell(m.description)} |`);
    }
    out.push('');
  }
  if (d.events?.length) {
    out.push('| event | detail | description |', '|---|---|---|');
    for (const e of d.events) out.push(`| \`${e.name}\` | ${type(e.type)} | ${cell(e.description)} |`);
    out.push('');
  }
  if (d.cssParts?.length) {
    out.push('| CSS part | description |', '|---|---|');
    for (const p of d.cssParts) out.push(`| \`${p.name}\` | ${cell(p.description)} |`);
    out.push('');
  }
  if (d.cssProperties?.length) {
    out.push('| CSS custom property | description |', '|---|---|');
    for (const p of d.cssProperties) out.push(`| \`${p.name}\` | ${cell(p.description)}${p.default ? ` (default \`${cell(p.default)}\`)` : ''} |`);
    out.push('');
  }
  if (d.slots?.length) {
    out.push('| slot | description |', '|---|---|');
    for (const s of d.slots) out.push(`| ${s.name ? `\`${s.name}\`` : '(default)'} | ${cell(s.description)} |`);
    out.push('');
  }
}

const readme = readFileSync('README.md', 'utf8');
const start = '<!-- api:start (generated from custom-elements.json by scripts/readme-api.mjs) -->';
const end = '<!-- api:end -->';
const i = readme.indexOf(start);
const j = readme.indexOf(end);
if (i < 0 || j < 0) throw new Error('README.md lacks the api markers');
writeFileSync('README.md', `${readme.slice(0, i + start.length)}\n\n${out.join('\n').trim()}\n\n${readme.slice(j)}`);
console.log(`README.md: reference for ${decls.length} elements written`);
