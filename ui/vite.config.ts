/// <reference types="vitest/config" />
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// Tauri serves ui/dist from its own protocol; the dev server is only for `tauri dev`.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  // The app icon is imported from the repository's icons/ folder.
  server: { port: 5173, strictPort: true, fs: { allow: ['..'] } },
  build: {
    target: 'es2022',
    // The screens after the first are chunks of their own, loaded by `import()` from the app's
    // own assets (CSP 'self', no inline code); no preload polyfill or hints are needed.
    modulePreload: false,
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
