import { ClassConstructor, plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { ConfigError } from './config-error';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads a config class (decorated with class-validator and `@Expose`) from the environment once,
 * at start-up, and refuses to go on with a message that names every bad variable: a service that
 * boots half-configured fails later, further from the cause.
 */
export function loadConfig<T extends object>(schema: ClassConstructor<T>, env: Environment): T {
  const config = plainToInstance(schema, env, {
    excludeExtraneousValues: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigError(errors.flatMap(describe));
  }
  return config;
}

function describe(error: ValidationError): string[] {
  const own = Object.values(error.constraints ?? {}).map((text) =>
    text.startsWith(error.property) ? text : `${error.property}: ${text}`,
  );
  return [...own, ...(error.children ?? []).flatMap(describe)];
}
