import type { Environment } from './load-config';

/**
 * NODE_ENV values of the local profile: a developer's machine (deploy/local/up.sh sets none) and
 * the test runner (Jest sets `test`, and the services it starts inherit it). Every other value is
 * a deployed profile; the image, the compose file and the Kubernetes base all set `production`.
 */
const LOCAL_NODE_ENVS: readonly (string | undefined)[] = [undefined, '', 'development', 'test'];

/** Whether `env` describes the local profile, where addresses of dependencies may default to this machine. */
export function isLocalProfile(env: Environment): boolean {
  return LOCAL_NODE_ENVS.includes(env['NODE_ENV']);
}

/** Local defaults of each config class, by variable name; a subclass sees its parents' too. */
const LOCAL_DEFAULTS = new WeakMap<object, Map<string, string>>();

/**
 * The address of a dependency (Kafka, the registry, Redis, the provider, another service), which
 * defaults to where deploy/local runs it in the local profile only. A deployed service must be told
 * every address: one that fell back to 127.0.0.1 would wait out its start-up deadline for a
 * dependency that was never there and report the address rather than the variable to set.
 * loadConfig applies it; tools/generate-env-examples.mjs reads its argument from the source.
 */
export function LocalDefault(value: string): PropertyDecorator {
  return (prototype: object, property: string | symbol) => {
    const own = LOCAL_DEFAULTS.get(prototype) ?? new Map<string, string>();
    own.set(String(property), value);
    LOCAL_DEFAULTS.set(prototype, own);
  };
}

/** Every local default of `schema` and the classes it extends, the base class's first. */
export function localDefaultsOf(schema: abstract new (...args: never[]) => object): ReadonlyMap<string, string> {
  const chain: object[] = [];
  for (let prototype: object | null = schema.prototype as object; prototype !== null && prototype !== Object.prototype; prototype = Object.getPrototypeOf(prototype) as object | null) {
    chain.unshift(prototype);
  }
  return new Map(chain.flatMap((prototype) => [...(LOCAL_DEFAULTS.get(prototype) ?? [])]));
}
