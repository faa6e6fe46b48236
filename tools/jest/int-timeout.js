// Jest ignores testTimeout inside a project entry; hooks that stop brokers' clients need this too.
jest.setTimeout(60_000);
