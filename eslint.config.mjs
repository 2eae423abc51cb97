// ESLint (flat config) with typescript-eslint: correctness rules for the server, tests, migrations, scripts and the
// web app. Formatting is Prettier's (.prettierrc.json); eslint-config-prettier turns off the rules it owns. The import
// rule of ARCHITECTURE.md (domain imports only ports and itself, ...) is also stated here for the domain and ports;
// scripts/check-imports.mjs checks the whole rule.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const frameworks = [
  'fastify',
  'fastify-*',
  '@fastify/*',
  'kysely',
  'pg',
  'better-sqlite3',
  'nodemailer',
  'nodemailer/*',
  'smtp-server',
  'mailparser',
  'imapflow',
  'mailauth',
  'react',
  'react-dom',
  'pino',
  'prom-client',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', 'dist/', 'data/', 'coverage/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
      },
    },
    rules: {
      // Unused names are errors, except the `_name` of a value taken apart on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          caughtErrors: 'none',
          ignoreRestSiblings: true,
        },
      ],
      // `any` appears where a library's types are wrong (noted at each use); it stays visible as a warning.
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
      // Control characters are what much of Parley's input handling looks for (CR/LF, NUL): on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // A migration takes `Kysely<any>`, as Kysely's guide says: it must run against the schema of its day, not the
    // types of today's code.
    files: ['migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/domain/**/*.ts', 'src/ports/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/adapters/**', '**/delivery/**', '**/main.ts', '**/main-inbound.ts', '**/config/**'],
              message: 'The domain and its ports import only ports and the domain (ARCHITECTURE.md).',
            },
            { group: frameworks, message: 'The domain is free of frameworks (ARCHITECTURE.md).' },
          ],
        },
      ],
    },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        location: 'readonly',
        history: 'readonly',
        navigator: 'readonly',
        localStorage: 'readonly',
        EventSource: 'readonly',
        FileReader: 'readonly',
        File: 'readonly',
        HTMLElement: 'readonly',
        HTMLInputElement: 'readonly',
        HTMLDialogElement: 'readonly',
        Event: 'readonly',
        KeyboardEvent: 'readonly',
        MouseEvent: 'readonly',
        FormData: 'readonly',
        requestAnimationFrame: 'readonly',
        matchMedia: 'readonly',
        Intl: 'readonly',
      },
    },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    // Tests, benchmarks and scripts print what they measured; the command line prints its answers.
    files: ['test/**', 'bench/**', 'scripts/**', 'src/**/*.test.ts', 'bin/**', 'src/delivery/cli/**'],
    rules: { 'no-console': 'off' },
  },
  prettier,
);
