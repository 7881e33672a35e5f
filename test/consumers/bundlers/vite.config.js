// hls.js's chunks are larger than Vite's 500 kB warning threshold; they are loaded only when a stream needs them.
export default { build: { outDir: 'out/vite', emptyOutDir: true, chunkSizeWarningLimit: 1024 } };
