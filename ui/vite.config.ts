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
    // One small app: no need to split; keeps the CSP to 'self' with no inline code.
    modulePreload: false,
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
