import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-*/**', 'coverage/**', 'node_modules/**', 'scripts/*.mjs', 'eslint.config.js', 'vitest.config.ts', 'results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Node 20 exposes the global Buffer through a getter: a hot path that names it pays a call per
    // use (it was ~2% of an AMQP publish). The engine imports it from node:buffer instead.
    files: ['core/**/*.ts'],
    ignores: ['core/**/*.test.ts', 'core/**/*.fixture.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'Buffer', message: "import { Buffer } from 'node:buffer': the global is a getter on Node 20." }],
    },
  },
);
