import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'test/fixtures/', '.ci/cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core must stay platform-agnostic: adapters depend on it, never the reverse.
    files: ['src/ingest/**/*.ts', 'src/chains/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/bots/**', '**/bots'], message: 'src/ingest and src/chains must not import from src/bots.' }] },
      ],
    },
  },
  // Formatting is Prettier's job (npm run lint checks it); eslint keeps to code quality.
  prettier,
);
