// One lint config for the workspace. Type-aware rules stay on (unlike NestJS's own config):
// money and message handling are exactly where a floating promise or an `any` does harm.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.cache/**', '**/.infra/**', '**/coverage/**', '**/*.js', '**/*.mjs'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // A service may use the shared libs, never another service.
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts'] },
            // The wire contract is read by any consumer in any stack: it imports no framework at all.
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'], allowedExternalImports: [] },
          ],
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': 'error',
    },
  },
  {
    // The decision core: pure rules a reader can check without knowing any framework. Clocks, ids
    // and loaded state come in as arguments; I/O, frameworks and the platform barrel stay out.
    files: ['services/*/src/**/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*', 'typeorm', 'pg', 'kafkajs', '@kafkajs/*', '@grpc/*', 'express', 'jose', 'bcrypt', 'pino', 'nestjs-pino', 'prom-client', 'rxjs'], message: 'domain/ holds pure rules: no framework, database or transport.' },
            { group: ['@bvs/platform', '@bvs/platform/*'], message: 'domain/ holds pure rules: the platform lib is infrastructure.' },
            { group: ['node:fs', 'node:http', 'node:https', 'node:net', 'node:child_process', 'node:worker_threads', 'fs', 'http', 'https', 'net', 'child_process'], message: 'domain/ does no I/O.' },
            { group: ['**/persistence/**', '**/api/**', '**/messaging/**', '**/grpc/**'], message: 'domain/ imports no adapter of its own service.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', '**/testing/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];
