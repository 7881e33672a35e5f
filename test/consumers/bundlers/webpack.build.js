// webpack 5 through its Node API (no webpack-cli): fails on any error or warning.
import webpack from 'webpack';
import { fileURLToPath } from 'node:url';

const compiler = webpack({
  mode: 'production',
  entry: './src/main.js',
  output: { path: fileURLToPath(new URL('out/webpack', import.meta.url)), clean: true },
  performance: { hints: false },
});
compiler.run((err, stats) => {
  if (err) throw err;
  const info = stats.toJson({ all: false, errors: true, warnings: true });
  for (const e of [...info.errors, ...info.warnings]) console.error(e.message);
  compiler.close(() => undefined);
  if (stats.hasErrors() || stats.hasWarnings()) process.exitCode = 1;
});
