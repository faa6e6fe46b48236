// Writes services/<service>/.env.example from the config classes each service loads, so the
// classes stay the one description of a service's environment:
//   node tools/generate-env-examples.mjs           write the files
//   node tools/generate-env-examples.mjs --check   exit 1 naming each file that is stale
// A service's classes are those its src/app.ts passes to loadConfig, with every class they extend.
// Each decorated property is a variable: its doc comment's first sentence is the description, its
// initializer the default, and @LocalDefault('...') a default of the local profile only
// (libs/platform/src/config/local-default.ts). Read from the source with the TypeScript compiler,
// so neither a build nor a running service is needed, and a variable without a doc comment or with
// a default that is not a constant expression stops the generator.
import { readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(import.meta.url)('typescript');

const services = readdirSync(join(root, 'services')).filter((name) => existsSync(join(root, 'services', name, 'src/app.ts')));
const program = createProgram(services.map((name) => join(root, 'services', name, 'src/app.ts')));
const checker = program.getTypeChecker();

const HEADER = `# Generated from the config classes by \`node tools/generate-env-examples.mjs\`; edit the classes, not
# this file (a unit test fails while it is stale). Every variable the service reads at start-up:
#   NAME=          required: start-up refuses to go on without it
#   # NAME=value   has this default; uncomment to change it
#   # NAME=        optional, unset by default
# Local default: applies only in the local profile (NODE_ENV unset, development or test). With any
# other NODE_ENV (the image sets production) the variable must be set, or start-up fails naming it.
`;

// Tracing is configured before any config class loads, by OpenTelemetry's own variables, so it is
// described here; libs/platform/src/tracing/tracing-config.ts (and docs/adr/0012) is what reads them.
const TRACING_SECTION = `# --- Tracing (libs/platform/src/tracing/tracing-config.ts, ADR 0012): read before the config classes
# Trace ids are made and passed on always; spans are recorded and exported only when an exporter is named.

# otlp, console, zipkin, file (one JSON line per span, for tests) or none. Optional.
# OTEL_TRACES_EXPORTER=

# Where the OTLP exporter sends spans; setting it alone turns export on. Optional.
# OTEL_EXPORTER_OTLP_ENDPOINT=

# The sampler once exporting, e.g. parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG=0.1. Optional.
# OTEL_TRACES_SAMPLER=

# The file the file exporter appends to. Required with OTEL_TRACES_EXPORTER=file.
# TRACES_FILE_PATH=

# true turns tracing off altogether, trace ids on log lines included.
# OTEL_SDK_DISABLED=false`;

const stale = [];
for (const service of services) {
  const file = join(root, 'services', service, '.env.example');
  const text = envExample(service);
  if (process.argv.includes('--check')) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) stale.push(relative(root, file));
  } else {
    writeFileSync(file, text);
    console.log(`${relative(root, file)} written`);
  }
}
if (stale.length > 0) {
  console.error(`Stale, regenerate with node tools/generate-env-examples.mjs: ${stale.join(', ')}`);
  process.exit(1);
}

function createProgram(rootNames) {
  const configFile = join(root, 'tsconfig.base.json');
  const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
  const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root, configFile);
  return ts.createProgram({ rootNames, options: { ...options, noEmit: true } });
}

function envExample(service) {
  const appFile = join(root, 'services', service, 'src/app.ts');
  const seen = new Set();
  const sections = [];
  for (const loaded of loadedConfigClasses(program.getSourceFile(appFile))) {
    for (const declaration of withBaseClasses(loaded)) {
      const name = declaration.name.text;
      if (seen.has(name)) continue;
      seen.add(name);
      const variables = declaration.members.filter(isVariable).map(describeVariable);
      if (variables.length === 0) continue;
      sections.push([`# --- ${name} (${relative(root, declaration.getSourceFile().fileName)})`, ...variables].join('\n\n'));
    }
  }
  return `# Environment of ${service}.\n${HEADER}\n${[...sections, TRACING_SECTION].join('\n\n')}\n`;
}

/** The classes passed to loadConfig(...) in a service's app.ts, in order. */
function loadedConfigClasses(sourceFile) {
  const classes = [];
  const visit = (node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'loadConfig' && node.arguments[0]) {
      classes.push(classDeclarationOf(node.arguments[0]));
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  if (classes.length === 0) throw new Error(`${relative(root, sourceFile.fileName)} calls loadConfig with no class`);
  return classes;
}

function classDeclarationOf(expression) {
  let symbol = checker.getSymbolAtLocation(expression);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.find(ts.isClassDeclaration);
  if (!declaration) throw new Error(`${expression.getText()} in ${relative(root, expression.getSourceFile().fileName)} is not a class`);
  return declaration;
}

/** The class and those it extends, the base first: variables in the order a reader meets them. */
function withBaseClasses(declaration) {
  const base = declaration.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  return base ? [...withBaseClasses(classDeclarationOf(base.expression)), declaration] : [declaration];
}

/** An instance property with decorators: class-transformer reads it from the environment. */
function isVariable(member) {
  return ts.isPropertyDeclaration(member) && ts.getDecorators(member)?.length > 0 && !member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
}

function describeVariable(property) {
  const name = property.name.getText();
  const where = `${name} in ${relative(root, property.getSourceFile().fileName)}`;
  const description = firstSentence(property, where);
  const localDefault = localDefaultOf(property, where);
  if (localDefault !== undefined) return `# ${description} Local default (required outside the local profile).\n# ${name}=${localDefault}`;
  if (property.initializer) return `# ${description}\n# ${name}=${String(constantValue(property.initializer, where))}`;
  if (property.questionToken) return `# ${description} Optional.\n# ${name}=`;
  return `# ${description} Required.\n${name}=`;
}

function firstSentence(property, where) {
  const text = ts
    .getJSDocCommentsAndTags(property)
    .filter(ts.isJSDoc)
    .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') throw new Error(`${where} has no doc comment: say in one sentence what the variable is for`);
  // A sentence ends at a full stop before a capital, so "e.g. `x`" does not end one.
  const sentence = text.split(/(?<=[.!?])\s+(?=[A-Z])/)[0];
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

function localDefaultOf(property, where) {
  const decorator = ts.getDecorators(property)?.find((d) => ts.isCallExpression(d.expression) && d.expression.expression.getText() === 'LocalDefault');
  if (!decorator) return undefined;
  if (property.initializer) throw new Error(`${where} has a default and a local default: keep one`);
  return constantValue(decorator.expression.arguments[0], where);
}

/** The value of a constant expression: literals, arithmetic, and constants declared elsewhere. */
function constantValue(node, where) {
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (ts.isStringLiteralLike(node)) return node.text;
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) return constantValue(node.expression, where);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken) return -constantValue(node.operand, where);
  if (ts.isBinaryExpression(node)) {
    const left = constantValue(node.left, where);
    const right = constantValue(node.right, where);
    switch (node.operatorToken.kind) {
      case ts.SyntaxKind.AsteriskToken:
        return left * right;
      case ts.SyntaxKind.PlusToken:
        return left + right;
      case ts.SyntaxKind.MinusToken:
        return left - right;
    }
  }
  if (ts.isIdentifier(node)) {
    let symbol = checker.getSymbolAtLocation(node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const declaration = symbol?.valueDeclaration;
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const) {
      return constantValue(declaration.initializer, where);
    }
  }
  throw new Error(`${where}: the default ${node.getText()} is not a constant expression this generator can work out`);
}
