// CI: every fenced code block of README.md compiles as the language it is labelled with — `js` parses as
// JavaScript, `ts`/`tsx` as TypeScript (esbuild), `json` as JSON, `html` as well-formed HTML: every tag closed in
// order, attributes quoted properly, inline `<script>`s parsing as JavaScript and JSON attributes (`sources`) as
// JSON. Also: every relative link points at a file of the repository. Usage: node scripts/check-readme.mjs [file]
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { transformSync } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const file = process.argv[2] ?? join(root, 'README.md');
const text = readFileSync(file, 'utf8');
const problems = [];

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);
const ATTR = /\s+([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/y;
const JSON_ATTRS = new Set(['sources']);

function checkJs(code, loader, where) {
  try {
    transformSync(code, { loader, format: 'esm', logLevel: 'silent' });
  } catch (err) {
    problems.push(`${where}: does not parse as ${loader}: ${err.errors?.[0]?.text ?? err.message}`);
  }
}

/** A small, strict HTML reader: enough to catch an unclosed tag, a stray quote or a script that does not parse. */
function checkHtml(code, where) {
  const open = [];
  let i = 0;
  while (i < code.length) {
    const lt = code.indexOf('<', i);
    if (lt < 0) break;
    if (code.startsWith('<!--', lt)) {
      const end = code.indexOf('-->', lt);
      if (end < 0) return problems.push(`${where}: unclosed comment`);
      i = end + 3;
      continue;
    }
    if (/^<!doctype html>/i.test(code.slice(lt, lt + 15))) {
      i = lt + 15;
      continue;
    }
    const m = /^<(\/?)([a-zA-Z][\w-]*)/.exec(code.slice(lt));
    if (!m) return problems.push(`${where}: a "<" that starts no tag at offset ${lt}`);
    const [, closing, name] = m;
    let j = lt + m[0].length;
    const attrs = {};
    for (;;) {
      ATTR.lastIndex = j;
      const a = ATTR.exec(code);
      if (!a) break;
      attrs[a[1]] = a[2] ?? a[3] ?? a[4] ?? '';
      j = ATTR.lastIndex;
    }
    const end = /^\s*(\/?)>/.exec(code.slice(j));
    if (!end)
      return problems.push(
        `${where}: <${closing}${name}> is not closed properly near "${code.slice(j, j + 30)}"`,
      );
    i = j + end[0].length;
    const tag = name.toLowerCase();
    if (closing) {
      const top = open.pop();
      if (top !== tag) return problems.push(`${where}: </${tag}> closes <${top ?? 'nothing'}>`);
      continue;
    }
    for (const [k, v] of Object.entries(attrs)) {
      if (!JSON_ATTRS.has(k)) continue;
      try {
        JSON.parse(v);
      } catch (err) {
        problems.push(`${where}: <${tag} ${k}> is not JSON: ${err.message}`);
      }
    }
    if (VOID.has(tag) || end[1]) continue;
    if (tag === 'script' || tag === 'style') {
      const close = code.toLowerCase().indexOf(`</${tag}`, i);
      if (close < 0) return problems.push(`${where}: <${tag}> is never closed`);
      const type = attrs.type ?? '';
      if (tag === 'script' && (type === '' || type === 'module' || type === 'text/javascript'))
        checkJs(code.slice(i, close), 'js', `${where} <script>`);
      if (tag === 'script' && type === 'importmap') {
        try {
          JSON.parse(code.slice(i, close));
        } catch (err) {
          problems.push(`${where}: the import map is not JSON: ${err.message}`);
        }
      }
      i = close; // its end tag is read next
    }
    open.push(tag);
  }
  if (open.length) problems.push(`${where}: never closed: ${open.map((t) => `<${t}>`).join(', ')}`);
}

let count = 0;
const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
for (const m of text.matchAll(fence)) {
  const lang = m[1];
  const code = m[2];
  const where = `${relative(root, file)}:${text.slice(0, m.index).split('\n').length} (${lang || 'plain'})`;
  count++;
  if (lang === 'js' || lang === 'mjs') checkJs(code, 'js', where);
  else if (lang === 'ts' || lang === 'tsx' || lang === 'jsx') checkJs(code, lang, where);
  else if (lang === 'json') {
    try {
      JSON.parse(code);
    } catch (err) {
      problems.push(`${where}: not JSON: ${err.message}`);
    }
  } else if (lang === 'html') checkHtml(code, where);
}

// Relative links and images must name files of the repository (no ../shared/…, nothing outside it).
const prose = text.replace(fence, '');
for (const m of prose.matchAll(/\]\(([^)\s#]+)[^)]*\)|<img [^>]*src="([^"]+)"/g)) {
  const target = m[1] ?? m[2];
  if (/^[a-z]+:/i.test(target)) continue;
  const abs = join(dirname(file), target);
  if (relative(root, abs).startsWith('..')) problems.push(`link outside the repository: ${target}`);
  else if (!existsSync(abs)) problems.push(`link to a missing file: ${target}`);
}
for (const m of prose.matchAll(/`((?:\.\.\/)*shared\/[^`]+)`/g))
  problems.push(`reference outside the repository: ${m[1]}`);

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(
  `${relative(root, file)}: ${count} code blocks compile as labelled; links point inside the repository`,
);
