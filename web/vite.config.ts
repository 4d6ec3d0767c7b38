// Build the interface into dist/ under fixed names (app.js, app.css): the
// cadre binary embeds them and serves each with an ETag of its bytes, so
// names need no hashes. One bundle, no dynamic chunks, nothing fetched
// from elsewhere at run time.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: false,
    cssCodeSplit: false,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        entryFileNames: 'app.js',
        chunkFileNames: 'app-[name].js',
        assetFileNames: 'app[extname]',
        codeSplitting: false,
      },
    },
  },
});
