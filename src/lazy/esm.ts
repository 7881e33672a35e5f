import { esmLoaders } from './esm.generated.js';

type Table = typeof esmLoaders;

/**
 * The default loader of the ES module build (`dist/esm`): the manifest's `import()` table, split into chunks by the
 * user's bundler. The script-tag builds take `lazy/classic.ts` in this file's place (rollup.config.mjs), which
 * exports the same function by name only. Typed by the table (checked against `LazyModules` in
 * modules.generated.ts), not by the registry, which imports this file.
 */
export function defaultLazyLoader<K extends keyof Table>(name: K): ReturnType<Table[K]> {
  const load = (esmLoaders as Partial<Table>)[name];
  return (
    load ? load() : Promise.reject(new Error(`No loader registered for the "${name}" module`))
  ) as ReturnType<Table[K]>;
}
