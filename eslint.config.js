// Type-aware lint for the whole monorepo. Formatting is Prettier's job, not ESLint's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Which folder may import which (ESLint applies the last matching rule setting, so every scope
// lists all of its restrictions, the library-index one included):
//   testkit/ (the local stack and the helpers demo, bench, chaos, fuzz and test share) imports none of them;
//   demo/, bench/, chaos/, fuzz/ and test/ import testkit/ and never one another; apps/ and libs/ import
//   none of the six (a unit spec may use testkit/, a runtime file not even a testing/ helper); no app
//   imports another app, and no library an app.
const LIBRARY_INDEX = {
  group: ['**/libs/*/src/**', '../../libs/**', '../../../libs/**'],
  message: 'Import a library through its public index: #ingrain/<name> (otp, crypto, contracts, encoding, simulator).',
};
const APPS = ['api', 'simulator', 'station', 'verifier'];
const up = (folders) => `^(\\.\\./)+(${folders.join('|')})/`;
const NOT_FROM_APPS_OR_LIBS = {
  regex: up(['testkit', 'test', 'demo', 'bench', 'chaos', 'fuzz']),
  message: 'Apps and libraries never import testkit/, test/, demo/, bench/, chaos/ or fuzz/.',
};
const NOT_FROM_SPECS = {
  regex: up(['test', 'demo', 'bench', 'chaos', 'fuzz']),
  message: 'A unit spec may use testkit/, never test/, demo/, bench/, chaos/ or fuzz/.',
};
const NO_TESTING_IN_RUNTIME = {
  regex: '(^|/)(testing|test-support)/',
  message: 'Runtime code never imports a test helper (testing/ folders are test-only).',
};
const TEST_ONLY_ENTRIES = ['#ingrain/crypto/testing', '#ingrain/contracts/testing'].map((name) => ({
  name,
  message: `Runtime code never imports the test-only entry ${name}.`,
}));
const NO_FRAMEWORK_IN_LIBS = {
  group: ['@nestjs/*', 'fastify', '@fastify/*', 'bullmq', 'ioredis', 'kysely', 'pg', '@electric-sql/*'],
  message: 'Libraries stay framework-free: no NestJS, HTTP server, queue or database (the apps wire them in).',
};
const NOT_AN_APP = { regex: up(['apps']), message: 'A library never imports an app.' };
const notAnotherApp = (app) => ({
  regex: `^(\\.\\./)+(${APPS.filter((other) => other !== app).join('|')})/src/`,
  message: 'No app imports another app: share a contract through a library (libs/*) instead.',
});
const TEST_SPEC_FILES = ['**/*.spec.ts', '**/testing/**/*.ts', '**/test-support/**/*.ts'];

/** The no-restricted-imports setting of a scope: the library-index rule plus `patterns` and `paths`. */
function restrictImports(patterns, paths = []) {
  return {
    'no-restricted-imports': [
      'error',
      { patterns: [LIBRARY_INDEX, ...patterns], ...(paths.length === 0 ? {} : { paths }) },
    ],
  };
}

/** The import rules of apps/<app>: its runtime files, then its specs and testing/ helpers. */
function appScopes(app) {
  const crossApp = [notAnotherApp(app)];
  return [
    {
      files: [`apps/${app}/**/*.ts`],
      ignores: TEST_SPEC_FILES,
      rules: restrictImports([NOT_FROM_APPS_OR_LIBS, NO_TESTING_IN_RUNTIME, ...crossApp], TEST_ONLY_ENTRIES),
    },
    {
      files: TEST_SPEC_FILES.map((pattern) => `apps/${app}/${pattern}`),
      rules: restrictImports([NOT_FROM_SPECS, ...crossApp]),
    },
  ];
}

const FOLDER_SCOPES = [
  ...APPS.flatMap(appScopes),
  {
    files: ['libs/**/*.ts'],
    ignores: TEST_SPEC_FILES,
    rules: restrictImports(
      [NOT_FROM_APPS_OR_LIBS, NOT_AN_APP, NO_TESTING_IN_RUNTIME, NO_FRAMEWORK_IN_LIBS],
      TEST_ONLY_ENTRIES,
    ),
  },
  {
    files: TEST_SPEC_FILES.map((pattern) => `libs/${pattern}`),
    rules: restrictImports([NOT_FROM_SPECS, NOT_AN_APP, NO_FRAMEWORK_IN_LIBS]),
  },
  {
    files: ['testkit/**/*.ts'],
    rules: restrictImports([
      {
        regex: up(['demo', 'bench', 'test', 'fuzz', 'chaos']),
        message: 'testkit/ is imported by demo, bench, chaos, fuzz and test, never the reverse.',
      },
    ]),
  },
  {
    files: ['demo/**/*.ts'],
    rules: restrictImports([
      {
        regex: up(['bench', 'test', 'fuzz', 'chaos']),
        message: 'demo/ shares code with bench/ and test/ through testkit/ only.',
      },
    ]),
  },
  {
    files: ['bench/**/*.ts'],
    rules: restrictImports([
      {
        regex: up(['demo', 'test', 'fuzz', 'chaos']),
        message: 'bench/ shares code with demo/ and test/ through testkit/ only.',
      },
    ]),
  },
  {
    files: ['fuzz/**/*.ts'],
    rules: restrictImports([
      {
        regex: up(['demo', 'bench', 'test', 'chaos']),
        message: 'fuzz/ shares code with demo/, bench/ and test/ through testkit/ only.',
      },
    ]),
  },
  {
    files: ['chaos/**/*.ts'],
    rules: restrictImports([
      {
        regex: up(['demo', 'bench', 'test', 'fuzz']),
        message: 'chaos/ shares code with demo/, bench/ and test/ through testkit/ only.',
      },
    ]),
  },
  {
    files: ['test/**/*.ts'],
    rules: restrictImports([
      {
        regex: up(['demo', 'bench', 'chaos', 'fuzz']),
        message:
          'test/ shares code with demo/, bench/, chaos/ and fuzz/ through testkit/ only (it runs chaos/ and fuzz/ as programs).',
      },
    ]),
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.ingrain/**', 'libs/api-client/src/schema.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's describe/test return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'suite', 'test', 'it'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      ...restrictImports([]),
    },
  },
  {
    // Nest DI reads constructor parameter types at run time: those imports must stay value imports.
    files: ['apps/api/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  ...FOLDER_SCOPES,
  {
    // The console's browser code (apps/console/tsconfig.json): browser globals, not Node's.
    files: ['apps/console/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'bin/*'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
