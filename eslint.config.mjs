// Flat ESLint config: typescript-eslint's recommended rules, with the few exceptions a NestJS
// codebase needs (decorated classes with unused-looking parameters, `any` in tests).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', 'public/**', 'web/dist/**', 'web/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Code the server and the web client both import: `marked` only, and no Node or DOM globals.
  {
    files: ['src/shared/**/*.ts'],
    ignores: ['src/shared/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!marked$)', message: 'src/shared runs on the server and in the browser: it may import marked only.' }] }],
      'no-restricted-globals': ['error', ...['process', 'Buffer', 'require', 'module', '__dirname', 'global', 'window', 'document', 'navigator', 'localStorage', 'self'].map((name) => ({ name, message: 'src/shared runs on the server and in the browser.' }))],
    },
  },
  // The browser client (Preact): the rules of hooks, and browser globals.
  {
    files: ['web/src/**/*.ts', 'web/src/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'off' },
  },
);
