import { release } from 'node:os';
import type { Target } from './contract/manifest';
import { SERVICES } from './contract/manifest';
import type { Runtime } from './runtime/runtime';
import { takesBacklog } from './runtime/launch';

/**
 * Scenarios are tagged with what they need: the service (`@echo`, `@file`, ...),
 * the platform whose kernel behaviour they state (`@linux`, `@bsd`, `@windows`), and
 * `@client` for scenarios that test the target's client, and
 * the capabilities they use (`@server-control`, `@namespace-sysctl`, `@ipv6`,
 * `@transparent-path` for behaviours a proxy in the path would rewrite,
 * `@backlog-option` for those that set the server's listen backlog, `@host-option`
 * for those about the address the server binds, which must be the one it was given,
 * `@resource-limits` for those that start the server under a limit such as RLIMIT_NOFILE,
 * `@contract-start` for rules of the contract's command line and LISTENING line, which a
 * program started by its launch template never promised). A
 * scenario whose needs this run cannot meet is reported with the reason, never run
 * and never counted as passed.
 */
export interface Exclusion {
  tagExpression: string;
  status: 'not applicable' | 'not runnable' | 'excluded';
  reason: string;
}

export const PLATFORM_TAGS = ['linux', 'bsd', 'windows'];

export interface RunConditions {
  target: Target;
  runtime: Runtime;
  ipv6Loopback: boolean;
  /** Why TCP between client and server is not end to end, if it is not. */
  pathProblem: string | undefined;
}

export function exclusions({ target, runtime, ipv6Loopback, pathProblem }: RunConditions): Exclusion[] {
  const offered = new Set<string>(target.manifest.services);
  const list: Exclusion[] = SERVICES.filter((service) => !offered.has(service)).map((service) => ({
    tagExpression: `@${service}`,
    status: 'not applicable',
    reason: `the target does not offer the ${service} service`,
  }));
  const clientProblem = target.manifest.client ? runtime.clientProblem(target) : undefined;
  if (!target.manifest.client) {
    list.push({ tagExpression: '@client', status: 'not applicable', reason: 'the target has no client' });
  } else if (clientProblem) {
    list.push({ tagExpression: '@client', status: 'not runnable', reason: `needs to run the target's client, but ${clientProblem}` });
  }
  if (!runtime.serverControl) {
    list.push({ tagExpression: '@server-control', status: 'not runnable', reason: `needs server control (starting it with chosen options, stopping, freezing, reading its kernel counters), which the ${runtime.name} runtime does not have` });
  }
  if (!runtime.listensOnGivenHost) {
    list.push({
      tagExpression: '@host-option',
      status: 'not runnable',
      reason: `needs the server to listen on exactly the --host it is given; the ${runtime.name} runtime tells it to listen on every address of its own network namespace and reaches it through a port mapping`,
    });
  }
  if (!runtime.resourceLimits) {
    list.push({
      tagExpression: '@resource-limits',
      status: 'not runnable',
      reason: `needs to start the server under a resource limit (RLIMIT_NOFILE), which the ${runtime.name} runtime cannot set${runtime.name === 'process' ? ' here (it needs Linux and prlimit from util-linux)' : ': it does not start the server'}`,
    });
  }
  if (!runtime.namespaceSysctls) {
    list.push({
      tagExpression: '@namespace-sysctl',
      status: 'not runnable',
      reason: `needs a network namespace of the server's own to set a sysctl; the ${runtime.name} runtime runs servers in the host's namespace`,
    });
  }
  if (!ipv6Loopback) {
    list.push({ tagExpression: '@ipv6', status: 'not runnable', reason: 'this machine has no IPv6 loopback address (::1)' });
  } else if (!runtime.ipv6) {
    list.push({ tagExpression: '@ipv6', status: 'not runnable', reason: `the ${runtime.name} runtime reaches servers over IPv4 only` });
  }
  if (pathProblem) {
    list.push({ tagExpression: '@transparent-path', status: 'not runnable', reason: `needs TCP end to end between client and server, but ${pathProblem}` });
  }
  list.push({
    tagExpression: `(${PLATFORM_TAGS.map((tag) => `@${tag}`).join(' or ')}) and not @${runtime.platform}`,
    status: 'not applicable',
    reason: `states another platform's behaviour; the server runs on ${runtime.platform} (kernel ${release()})`,
  });
  // After the platform's: a scenario that concerns another kernel is not applicable, whatever this run could do.
  const fixedBacklog = target.manifest.services.filter((service) => {
    const launch = target.manifest.launch?.[service];
    return launch !== undefined && !takesBacklog(target, launch);
  });
  if (fixedBacklog.length > 0) {
    list.push({ tagExpression: `@backlog-option and (${fixedBacklog.map((service) => `@${service}`).join(' or ')})`, status: 'not runnable', reason: `needs to set the listen backlog, and the launch template of ${fixedBacklog.join(', ')} has no {backlog}` });
  }
  const launched = target.manifest.services.filter((service) => target.manifest.launch?.[service] !== undefined);
  if (launched.length > 0) {
    list.push({
      tagExpression: `@contract-start and (${launched.map((service) => `@${service}`).join(' or ')})`,
      status: 'not applicable',
      reason: `states a rule of the contract's command line and start-up output; ${launched.join(', ')} ${launched.length === 1 ? 'is' : 'are'} started by a launch template instead`,
    });
  }
  return list;
}

/** The tag expression of the scenarios that do run: the user's selection minus every exclusion. */
export function runnableExpression(userTags: string | undefined, excluded: Exclusion[]): string {
  return [userTags ? `(${userTags})` : '', ...excluded.map((exclusion) => `not (${exclusion.tagExpression})`)].filter(Boolean).join(' and ');
}
