// Lint for the window's TypeScript and Svelte: the recommended rules of ESLint, typescript-eslint
// and eslint-plugin-svelte, with layout left to Prettier (eslint-config-prettier turns off the
// rules that would fight it). The generated bindings are Rust's to write, so they are not linted.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'src/lib/bindings.ts'] },
  js.configs.recommended,
  ts.configs.recommended,
  svelte.configs.recommended,
  prettier,
  svelte.configs.prettier,
  { languageOptions: { globals: { ...globals.browser } } },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'], svelteConfig } },
  },
  { files: ['*.config.js', '*.config.ts'], languageOptions: { globals: { ...globals.node } } },
);
