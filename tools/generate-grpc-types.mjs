// Writes the TypeScript types of the gRPC contract from its .proto files, so the .proto files stay
// the one source of the wire types: libs/contracts/proto/<path>.proto -> libs/contracts/src/grpc/<name>.ts.
//   node tools/generate-grpc-types.mjs           write the files
//   node tools/generate-grpc-types.mjs --check   exit 1 naming each file that is stale
// The types follow how the services load the protos (libs/platform/src/grpc/proto-loading.ts):
// camelCase fields, int64 as decimal strings (never a JavaScript number), enums as their names,
// proto3 `optional` fields absent when unset (services may pass null for them), repeated as arrays,
// and a message field without `optional` always set.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protobuf = createRequire(import.meta.url)('protobufjs');
const PROTO_ROOT = join(root, 'libs/contracts/proto');
const OUT_DIR = join(root, 'libs/contracts/src/grpc');
export const PROTO_FILES = ['bvs/auth/v1/auth.proto', 'bvs/wallet/v1/wallet.proto', 'bvs/billing/v1/billing.proto', 'grpc/health/v1/health.proto'];

const SCALARS = {
  string: 'string',
  bool: 'boolean',
  bytes: 'Uint8Array',
  double: 'number',
  float: 'number',
  int32: 'number',
  uint32: 'number',
  sint32: 'number',
  fixed32: 'number',
  sfixed32: 'number',
  // 64-bit integers: decimal strings, so money never passes through a float.
  int64: 'string',
  uint64: 'string',
  sint64: 'string',
  fixed64: 'string',
  sfixed64: 'string',
};

const camel = (name) => name.replace(/_([a-z0-9])/g, (_, letter) => letter.toUpperCase());
const comment = (text, indent) => (text ? `${indent}/** ${text.replace(/\s*\n\s*/g, ' ')} */\n` : '');

const isProto3Optional = (field) => field.options?.['proto3_optional'] === true;

function typeOf(field) {
  field.resolve();
  if (field.resolvedType instanceof protobuf.Enum) return Object.keys(field.resolvedType.values).map((name) => `'${name}'`).join(' | ');
  if (field.resolvedType) return field.resolvedType.name;
  return SCALARS[field.type] ?? (() => { throw new Error(`unsupported type ${field.type} of ${field.fullName}`); })();
}

function messageInterface(message) {
  const lines = [];
  for (const field of message.fieldsArray) {
    let type = typeOf(field);
    if (field.map) type = `Readonly<Record<string, ${SCALARS[field.type] ?? field.resolvedType.name}>>`;
    else if (field.repeated) type = `readonly ${type.includes('|') ? `(${type})` : type}[]`;
    // Absence is part of the contract only where the .proto says `optional`; a plain message field
    // is one the service always sets.
    const optional = isProto3Optional(field);
    lines.push(`${comment(field.comment, '  ')}  readonly ${camel(field.name)}${optional ? '?' : ''}: ${type}${isProto3Optional(field) ? ' | null' : ''};`);
  }
  // An empty message (a request that needs nothing but the caller's token) takes no fields at all.
  if (lines.length === 0) return `${comment(message.comment, '')}export type ${message.name} = Record<string, never>;\n`;
  return `${comment(message.comment, '')}export interface ${message.name} {\n${lines.join('\n')}\n}\n`;
}

function nestedTypes(namespace) {
  return namespace.nestedArray.flatMap((nested) => (nested instanceof protobuf.Type ? [nested, ...nestedTypes(nested)] : nested instanceof protobuf.Namespace && !(nested instanceof protobuf.Service) ? nestedTypes(nested) : []));
}

export function generate(protoFile) {
  const rootNs = new protobuf.Root();
  rootNs.resolvePath = (_origin, target) => join(PROTO_ROOT, target);
  rootNs.loadSync(protoFile, { keepCase: true, alternateCommentMode: true });
  rootNs.resolveAll();
  const services = [];
  const messages = [];
  const visit = (namespace) => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Service) services.push(nested);
      else if (nested instanceof protobuf.Type) messages.push(nested, ...nestedTypes(nested));
      else if (nested instanceof protobuf.Namespace) visit(nested);
    }
  };
  visit(rootNs);
  let out = `// Generated from libs/contracts/proto/${protoFile} by tools/generate-grpc-types.mjs. Edit the .proto, then run\n// \`node tools/generate-grpc-types.mjs\`; a unit test fails while this file is stale.\n\n`;
  for (const message of messages) out += `${messageInterface(message)}\n`;
  for (const service of services) {
    const pkg = service.parent.fullName.replace(/^\./, '');
    const constName = service.name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
    out += `${comment(`\`${pkg}.${service.name}\`: where it is defined and what each method takes and answers.`, '')}export const ${constName} = {\n  package: '${pkg}',\n  service: '${service.name}',\n  protoFile: '${protoFile}',\n} as const;\n\n`;
    out += `export interface ${service.name}Methods {\n`;
    for (const method of service.methodsArray) {
      out += `${comment(method.comment, '  ')}  readonly ${method.name}: { readonly request: ${method.resolvedRequestType.name}; readonly response: ${method.resolvedResponseType.name} };\n`;
    }
    out += `}\n\n`;
  }
  return out.replace(/\n+$/, '\n');
}

export const outputFileOf = (protoFile) => join(OUT_DIR, `${basename(protoFile, '.proto')}.ts`);

const check = process.argv.includes('--check');
const stale = [];
for (const protoFile of PROTO_FILES) {
  const text = generate(protoFile);
  const target = outputFileOf(protoFile);
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // Missing counts as stale.
  }
  if (current === text) continue;
  if (check) stale.push(target);
  else writeFileSync(target, text);
}
if (check && stale.length > 0) {
  console.error(`stale gRPC types (run node tools/generate-grpc-types.mjs):\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
