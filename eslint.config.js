import tseslint from 'typescript-eslint';
import packageBoundaries from './eslint/package-boundaries.js';

export default tseslint.config(
  { ignores: ['node_modules/', '**/dist/', 'data/', 'models/', 'proto/src/generated/'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'package-boundaries': packageBoundaries },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'package-boundaries/no-cross-package-relative': 'error',
      'package-boundaries/engine-entry': 'error',
    },
  },
  // The engine's unit tests exercise its internals (layers, kernels, key conversion) directly.
  { files: ['server/tests/engine/**'], rules: { 'package-boundaries/engine-entry': 'off' } },
);
