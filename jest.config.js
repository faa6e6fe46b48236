// Test kinds are told apart by file name so each can run alone:
//   *.unit.spec.ts  pure logic, no I/O, run in parallel
//   *.int.spec.ts   one service or lib against real PostgreSQL, Kafka and the schema registry
//   *.e2e.spec.ts   flows through the gateway with every service running
//   *.security.spec.ts  the trust boundaries tried from outside (npm run test:security)
const swcConfig = JSON.parse(require('fs').readFileSync(__dirname + '/.swcrc', 'utf8'));
swcConfig.jsc.baseUrl = __dirname;
swcConfig.sourceMaps = 'inline';
delete swcConfig.$schema;

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcConfig, swcrc: false }],
    // jose ships ES modules only; Jest runs CommonJS, so its files are compiled like ours.
    '/node_modules/jose/.+\\.js$': ['@swc/jest', { ...swcConfig, swcrc: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['reflect-metadata'],
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/tests'].filter((dir) =>
    require('fs').existsSync(dir.replace('<rootDir>', __dirname)),
  ),
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['**/*.unit.spec.ts'] },
    {
      ...shared,
      displayName: 'int',
      setupFilesAfterEnv: ['<rootDir>/tools/jest/int-timeout.js'],
      testMatch: ['**/*.int.spec.ts'],
      globalSetup: '<rootDir>/libs/platform/src/testing/global-setup.ts',
      globalTeardown: '<rootDir>/libs/platform/src/testing/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'e2e',
      setupFilesAfterEnv: ['<rootDir>/tools/jest/e2e-timeout.js'],
      testMatch: ['**/*.e2e.spec.ts'],
      globalSetup: '<rootDir>/libs/platform/src/testing/global-setup.ts',
      globalTeardown: '<rootDir>/libs/platform/src/testing/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'security',
      setupFilesAfterEnv: ['<rootDir>/tools/jest/e2e-timeout.js'],
      testMatch: ['**/*.security.spec.ts'],
      globalSetup: '<rootDir>/libs/platform/src/testing/global-setup.ts',
      globalTeardown: '<rootDir>/libs/platform/src/testing/global-teardown.ts',
    },
  ],
};
