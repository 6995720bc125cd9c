// Lint rules that catch real bugs in async, strictly typed code; formatting is not linted.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', '.cache/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // The web console's page script: plain browser JavaScript served as it is (no build step).
    files: ['bot/adapters/console/assets/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    // Its browser globals are declared in the file's own /* global */ comment.
    languageOptions: { sourceType: 'script' },
  },
  {
    // The composition root and core must not reach into adapters' SDKs directly.
    files: ['bot/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'sqlite3', 'pino', 'prom-client', '@slack/*', 'botbuilder*', '@kubernetes/*', 'execa'], message: 'bot/core does no I/O: take it through a port.' },
          { group: ['**/adapters/**', '**/storage/**', '**/config/**'], message: 'bot/core imports nothing from adapters, storage or config.' },
        ],
      }],
    },
  },
);
