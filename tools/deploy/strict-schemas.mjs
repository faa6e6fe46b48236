// Validates Kubernetes objects the way an API server with strict field validation does: a field
// the schema does not declare is an error, not something to drop in silence. The schemas are the
// published ones committed under deploy/k8s/schemas (its README names each source and version):
// the Kubernetes OpenAPI document of the targeted release for the built-in kinds, and the
// operators' CustomResourceDefinitions for theirs.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';

const KUBERNETES_ID = 'kubernetes';
const OBJECT_META = `${KUBERNETES_ID}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;
// A long list of errors for one object hides the first, which is usually the cause.
const ERRORS_PER_OBJECT = 5;

/**
 * The OpenAPI document types these two as plain strings; the API server also takes a number for
 * each (`port: 8080`, `cpu: 1`), so a stricter check than the server's would only mislead.
 */
const LOOSER_THAN_DOCUMENTED = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: ['integer', 'string'] },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: ['string', 'number'] },
};

/**
 * Closes every object schema that lists its properties: the server refuses any other field
 * unless the schema says it keeps unknown fields (x-kubernetes-preserve-unknown-fields) or
 * describes a map (additionalProperties). Returns a new schema; the published one is untouched.
 */
function closed(schema) {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, closed(value)]));
  if (copy.properties && copy.additionalProperties === undefined && copy['x-kubernetes-preserve-unknown-fields'] !== true) {
    copy.additionalProperties = false;
  }
  return copy;
}

/**
 * CRD patterns are Go (RE2) regular expressions, as the API server runs them. JavaScript reads
 * them the same but for RE2's case-insensitive group `(?i)`, which becomes the `i` flag, and
 * escapes that the `u` flag refuses; any other difference throws here, naming the pattern.
 */
function goRegExp(pattern, flags) {
  const caseInsensitive = /^\^?\(\?i\)/.test(pattern);
  const source = caseInsensitive ? pattern.replace('(?i)', '') : pattern;
  const jsFlags = caseInsensitive ? `${flags}i` : flags;
  try {
    return new RegExp(source, jsFlags);
  } catch {
    return new RegExp(source, jsFlags.replace('u', ''));
  }
}

const keyOf = (apiVersion, kind) => `${apiVersion}/${kind}`;

function describe(errors) {
  return errors.slice(0, ERRORS_PER_OBJECT).map((error) => {
    const at = error.instancePath || '/';
    if (error.keyword === 'additionalProperties') return `unknown field "${error.params.additionalProperty}" at ${at}`;
    return `${at} ${error.message}`;
  });
}

export class StrictSchemas {
  /** @param {string} schemasDir deploy/k8s/schemas: one folder per source, named with its version. */
  constructor(schemasDir) {
    this.ajv = new Ajv({ allErrors: true, strict: false, logger: false, inlineRefs: false, code: { regExp: goRegExp } });
    addFormats(this.ajv);
    this.sources = new Map();
    this.compiled = new Map();
    for (const source of readdirSync(schemasDir, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
      const dir = join(schemasDir, source.name);
      for (const file of readdirSync(dir)) {
        if (file.endsWith('.json')) this.addOpenApiDocument(source.name, JSON.parse(readFileSync(join(dir, file), 'utf8')));
        else if (/\.ya?ml$/.test(file)) this.addCustomResourceDefinitions(source.name, readFileSync(join(dir, file), 'utf8'));
      }
    }
    if (!this.ajv.getSchema(KUBERNETES_ID)) throw new Error(`${schemasDir} holds no Kubernetes OpenAPI document`);
  }

  /** The Kubernetes OpenAPI (swagger 2.0) document: every built-in kind, found by x-kubernetes-group-version-kind. */
  addOpenApiDocument(source, document) {
    const definitions = {};
    for (const [name, definition] of Object.entries(document.definitions)) {
      definitions[name] = LOOSER_THAN_DOCUMENTED[name] ?? closed(definition);
      for (const { group, version, kind } of definition['x-kubernetes-group-version-kind'] ?? []) {
        this.sources.set(keyOf(group ? `${group}/${version}` : version, kind), { source, schema: { $ref: `${KUBERNETES_ID}#/definitions/${name}` } });
      }
    }
    this.ajv.addSchema({ $id: KUBERNETES_ID, definitions });
  }

  addCustomResourceDefinitions(source, text) {
    for (const document of parseAllDocuments(text)) {
      const crd = document.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const version of crd.spec.versions) {
        const { properties, ...rest } = closed(version.schema.openAPIV3Schema);
        // The server checks a custom resource's metadata as the ObjectMeta it is, whatever the
        // CRD says of it (most say only `type: object`).
        const schema = { ...rest, properties: { ...properties, metadata: { $ref: OBJECT_META } } };
        this.sources.set(keyOf(`${crd.spec.group}/${version.name}`, crd.spec.names.kind), { source, schema });
      }
    }
  }

  /** Where the schema of this apiVersion and kind comes from, or undefined when none is committed. */
  sourceOf(apiVersion, kind) {
    return this.sources.get(keyOf(apiVersion, kind))?.source;
  }

  /** The problems of one object: empty when the API server would accept its fields. */
  problemsOf(object) {
    const { apiVersion, kind } = object ?? {};
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['an object without apiVersion or kind'];
    const key = keyOf(apiVersion, kind);
    const entry = this.sources.get(key);
    if (!entry) return [`no schema for ${apiVersion} ${kind} in deploy/k8s/schemas (a misspelt apiVersion or kind, or a CRD to add there)`];
    if (!this.compiled.has(key)) this.compiled.set(key, this.ajv.compile(entry.schema));
    const validate = this.compiled.get(key);
    return validate(object) ? [] : describe(validate.errors);
  }
}
