import { ClassConstructor, plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { ConfigError } from './config-error';
import { isLocalProfile, localDefaultsOf } from './local-default';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads a config class (decorated with class-validator and `@Expose`) from the environment once,
 * at start-up, and refuses to go on with a message that names every bad variable: a service that
 * boots half-configured fails later, further from the cause. Addresses marked @LocalDefault take
 * their default in the local profile only; in any other, each one missing is named as such.
 */
export function loadConfig<T extends object>(schema: ClassConstructor<T>, env: Environment): T {
  const local = isLocalProfile(env);
  const localDefaults = localDefaultsOf(schema);
  // Empty counts as unset: `NAME=` in an env file, or `${NAME:-}` in compose, means "not given".
  const missing = [...localDefaults.keys()].filter((name) => (env[name] ?? '') === '');
  const source = local ? { ...env, ...Object.fromEntries(missing.map((name) => [name, localDefaults.get(name)])) } : env;
  const config = plainToInstance(schema, source, {
    excludeExtraneousValues: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { forbidUnknownValues: true });
  // Outside the local profile a missing address is reported once, as missing, not also as malformed.
  const unset = local ? [] : missing;
  const problems = [
    ...unset.map(
      (name) => `${name} must be set (with NODE_ENV=${env['NODE_ENV'] ?? ''} it has no default; ${localDefaults.get(name) ?? ''} applies only with NODE_ENV unset, development or test)`,
    ),
    ...errors.filter((error) => !unset.includes(error.property)).flatMap(describe),
  ];
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return config;
}

function describe(error: ValidationError): string[] {
  const own = Object.values(error.constraints ?? {}).map((text) =>
    text.startsWith(error.property) ? text : `${error.property}: ${text}`,
  );
  return [...own, ...(error.children ?? []).flatMap(describe)];
}
