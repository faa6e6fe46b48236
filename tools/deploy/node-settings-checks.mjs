// Checks that every place that starts a service starts Node the same way. deploy/local/up.sh's
// V8_HEAP_FLAGS and MALLOC_ARENA_MAX are the reference (docs/benchmarks.md measured them: they keep
// each service under 250 MiB). The image, compose and Kubernetes write the flags out again, because
// a Kubernetes `command` array cannot expand one variable into several arguments; a flag changed
// in one place and not the others would size the heap differently in one deployment only.

/** The script a service's long-running process runs; migration jobs and tools are left out. */
const SERVICE_MAIN = /dist\/services\/[^/\s]+\/src\/main\.js/;

const normalised = (flags) => flags.split(/\s+/).filter(Boolean).join(' ');

/** The reference: `{ flags, arenas }` from up.sh's text, or a problem when it no longer sets them. */
export function referenceNodeSettings(upShText) {
  const flags = /^V8_HEAP_FLAGS="([^"]*)"$/m.exec(upShText)?.[1];
  const arenas = /^MALLOC_ARENA_MAX=(\S+)$/m.exec(upShText)?.[1];
  if (flags === undefined || arenas === undefined) return { problem: 'sets no V8_HEAP_FLAGS="..." or MALLOC_ARENA_MAX=N line to compare the deployments with' };
  return { settings: { flags: normalised(flags), arenas } };
}

/** The options between `node` and a service's main script in one command line, or undefined. */
function nodeFlagsBeforeMain(commandLine) {
  if (!SERVICE_MAIN.test(commandLine)) return undefined;
  const match = /\bnode((?:\s+-\S+)*)\s+\S*dist\/services\//.exec(commandLine);
  return match ? normalised(match[1]) : undefined;
}

const differs = (found, reference) => `"${found ?? '(none)'}", not deploy/local/up.sh's "${reference}"`;

/** The image's CMD and ENV against the reference. */
export function dockerfileProblems(dockerfileText, { flags, arenas }) {
  const problems = [];
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(dockerfileText)?.[1];
  const found = cmd === undefined ? undefined : nodeFlagsBeforeMain(JSON.parse(cmd).join(' '));
  if (found !== flags) problems.push(`CMD starts node with flags ${differs(found, flags)}`);
  const foundArenas = /^ENV\s+MALLOC_ARENA_MAX=(\S+)\s*$/m.exec(dockerfileText)?.[1];
  if (foundArenas !== arenas) problems.push(`ENV MALLOC_ARENA_MAX is ${differs(foundArenas, arenas)}`);
  return problems;
}

/**
 * Each compose service that runs a service's main script, against the reference flags. The arena
 * bound comes from the image; a service that sets its own must set the same.
 */
export function composeNodeFlagProblems(compose, { flags, arenas }) {
  const problems = [];
  for (const [name, service] of Object.entries(compose?.services ?? {})) {
    const commandLine = [service.command ?? []].flat().join(' ');
    if (!SERVICE_MAIN.test(commandLine)) continue;
    const found = nodeFlagsBeforeMain(commandLine);
    if (found !== flags) problems.push(`service ${name} starts node with flags ${differs(found, flags)}`);
    const environment = Array.isArray(service.environment)
      ? Object.fromEntries(service.environment.map((entry) => String(entry).split(/=(.*)/s)))
      : (service.environment ?? {});
    const ownArenas = environment.MALLOC_ARENA_MAX;
    if (ownArenas !== undefined && String(ownArenas) !== arenas) problems.push(`service ${name} sets MALLOC_ARENA_MAX ${differs(ownArenas, arenas)}`);
  }
  return problems;
}

/** Each rendered Deployment container that runs a service's main script, and the arena bound its ConfigMaps give it. */
export function renderedNodeSettingProblems(objects, { flags, arenas }) {
  const problems = [];
  const configMaps = new Map(objects.filter((object) => object.kind === 'ConfigMap').map((object) => [object.metadata?.name, object.data ?? {}]));
  for (const deployment of objects.filter((object) => object.kind === 'Deployment')) {
    for (const container of deployment.spec?.template?.spec?.containers ?? []) {
      const command = [...(container.command ?? []), ...(container.args ?? [])];
      if (!command.some((argument) => SERVICE_MAIN.test(argument))) continue;
      const where = `Deployment ${deployment.metadata?.name} (container ${container.name})`;
      const found = command[0] === 'node' ? normalised(command.slice(1, command.findIndex((argument) => SERVICE_MAIN.test(argument))).join(' ')) : undefined;
      if (found !== flags) problems.push(`${where} starts node with flags ${differs(found, flags)}`);
      const direct = (container.env ?? []).find((variable) => variable.name === 'MALLOC_ARENA_MAX')?.value;
      const fromConfigMaps = (container.envFrom ?? []).map((source) => configMaps.get(source.configMapRef?.name)?.MALLOC_ARENA_MAX).find((value) => value !== undefined);
      const foundArenas = direct ?? fromConfigMaps;
      if (foundArenas !== arenas) problems.push(`${where} gets MALLOC_ARENA_MAX ${differs(foundArenas, arenas)}`);
    }
  }
  return problems;
}
