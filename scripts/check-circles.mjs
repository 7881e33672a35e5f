// `npm run check:circles` (part of `npm run lint`): fails when src/ has an import circle, static imports and type
// imports included (a type import is still one layer knowing another).
//
// Dynamic `import()`s are left out: they are how the lazy modules are loaded (src/lazy/esm.generated.ts imports each
// lazy module's file; those files, or code they use, load other lazy modules through src/lazy/registry.ts). Such an
// edge is followed only when a module is first asked for, long after every module it closes a loop with has run,
// so it cannot reorder evaluation the way a static circle does. `--all` lists those loops too.
import madge from 'madge';

const all = process.argv.includes('--all');
const skip = { skipAsyncImports: !all, skipTypeImports: false };
const result = await madge('src', { fileExtensions: ['ts'], detectiveOptions: { ts: skip, es6: skip } });
const circles = result.circular();
for (const circle of circles) console.log(`${circles.indexOf(circle) + 1}) ${circle.join(' > ')}`);
if (circles.length) {
  console.error(`${circles.length} import circle(s) in src/${all ? ' (dynamic imports included)' : ''}.`);
  process.exit(1);
}
console.log(
  `No import circle in src/ (${Object.keys(result.obj()).length} files${all ? ', dynamic imports included' : ''}).`,
);
