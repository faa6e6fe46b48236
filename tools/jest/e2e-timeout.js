// Jest ignores testTimeout inside a project entry; whole-system flows need this long.
jest.setTimeout(120_000);
