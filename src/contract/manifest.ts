import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { HarnessError } from '../errors';
import { expectationsSchema } from '../expectations';

export const SERVICES = ['echo', 'file', 'http', 'udp-echo'] as const;
export type Service = (typeof SERVICES)[number];

const argv = z.array(z.string().min(1)).min(1, 'must name at least the program to run');

/** What a deliberately faulty target (a negative control) gets wrong, and where the suite must catch it. */
const faultSchema = z.strictObject({
  bug: z.string().min(1),
  /** The IDs of the scenarios that must catch the bug. */
  expectedFailures: z.array(z.string().regex(/^[a-z0-9]+\.[a-z0-9-]+$/, 'must be a scenario ID, e.g. echo.random-1mib')).min(1, 'a negative control must name the scenario that catches it'),
  /** Runtimes that hide the bug by how they run servers, each with why (a container's PID namespace ends every process with its init). */
  hiddenOn: z.partialRecord(z.enum(['docker']), z.string().min(1)).optional(),
});

/** The placeholders a launch template may hold, filled in for each start. */
export const PLACEHOLDERS = ['host', 'port', 'family', 'backlog', 'root', 'config'] as const;
const PLACEHOLDER = /\{([a-z]+)\}/g;
const template = z.string().min(1).superRefine((text, context) => {
  for (const [, name] of text.matchAll(PLACEHOLDER)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) context.addIssue({ code: 'custom', message: `unknown placeholder {${name}} (known: ${PLACEHOLDERS.map((known) => `{${known}}`).join(', ')})` });
  }
});

/**
 * How to start an existing program as it is, for one service: an argv template ({family}
 * is 4 or 6, the IP version of {host}, for programs that take the family apart), config
 * files rendered from templates for each start, and how it shows it is ready and how it
 * stops. A service without one is started by the contract's command line (`server`).
 */
const launchSchema = z.strictObject({
  argv: z.array(template).min(1, 'must name at least the program to run'),
  /** Files rendered into a folder of the run's ({config}) for each start: file name → template file, relative to the target folder. */
  config: z.record(z.string().regex(/^[\w.-]+$/, 'a plain file name'), z.string().min(1)).optional(),
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), template).optional(),
  /** A file the program logs to instead of stderr (e.g. "{config}/xinetd.log"): its last lines are shown wherever stderr's would be. */
  log: template.optional(),
  /** "line": it prints `LISTENING <port>` (the contract). "listen": the kernel shows its socket bound on the address and port it was given. */
  ready: z.enum(['line', 'listen']).default('line'),
  stopSignal: z.enum(['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2']).default('SIGTERM'),
  /** How long it has to exit after the stop signal; the contract's 2 s is the default. */
  stopGraceMs: z.number().int().positive().default(2000),
});

export type Launch = z.infer<typeof launchSchema>;

export const manifestSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only'),
  language: z.string().min(1),
  description: z.string().min(1),
  build: z.string().min(1).optional(),
  /** Folders outside the target folder that the build reads (relative to it), so a change there triggers a rebuild. */
  buildInputs: z.array(z.string().min(1)).optional(),
  /** The contract's command line: `<server> <service> --host H --port P --backlog N [--root DIR]`. */
  server: argv.optional(),
  /** Per service, how to start an existing program instead (see launchSchema). */
  launch: z.partialRecord(z.enum(SERVICES), launchSchema).optional(),
  client: argv.optional(),
  services: z
    .array(z.enum(SERVICES))
    .min(1, 'must offer at least one service')
    .refine((services) => new Set(services).size === services.length, 'lists a service twice'),
  /** Where the docker runtime builds the image: build context and Dockerfile, relative to the target folder. */
  docker: z
    .strictObject({
      context: z.string().min(1).default('.'),
      dockerfile: z.string().min(1).default('Dockerfile'),
      buildArgs: z.record(z.string(), z.string()).default({}),
      /** argv of the client inside the image (absolute paths), when the target has a client. */
      client: argv.optional(),
    })
    .optional(),
  fault: faultSchema.optional(),
  /** "sockspec": the target follows sockspec's own profile, so its @profile scenarios fail rather than warn. */
  profile: z.literal('sockspec').optional(),
  /**
   * Why no server of this target may serve more than one scenario, where a server
   * would carry what one scenario did into the next (a connection-rate limit that
   * counts every scenario's clients): every scenario then starts its own, as with
   * --fresh-servers.
   */
  freshServers: z.string().min(1).optional(),
  /** Scenarios this target is known to fail, or leaves out, each with its reason (see src/expectations.ts): inline, or an expectations file relative to the target folder. */
  expectations: z.union([expectationsSchema, z.string().min(1)]).optional(),
}).superRefine((manifest, context) => {
  for (const service of manifest.services) {
    const launch = manifest.launch?.[service];
    if (!launch) {
      if (!manifest.server) context.addIssue({ code: 'custom', path: ['server'], message: `is needed: the ${service} service has no launch entry` });
      continue;
    }
    const used = new Set([...launch.argv, ...Object.values(launch.env ?? {})].flatMap((text) => [...text.matchAll(PLACEHOLDER)].map((match) => match[1])));
    const inConfig = launch.config !== undefined;
    // A template may say where to listen in a config file instead: then {config} must reach the program.
    const missing = ['host', 'port', ...(service === 'file' || service === 'http' ? ['root'] : [])].filter((name) => !used.has(name) && !inConfig);
    if (missing.length > 0) context.addIssue({ code: 'custom', path: ['launch', service, 'argv'], message: `never passes ${missing.map((name) => `{${name}}`).join(', ')} (in the argv, env or a config template)` });
    if (inConfig && !used.has('config')) context.addIssue({ code: 'custom', path: ['launch', service, 'argv'], message: 'renders config files but never passes {config} to the program' });
  }
});

export type Manifest = z.infer<typeof manifestSchema>;
export type Fault = z.infer<typeof faultSchema>;

export interface Target {
  /** Absolute path of the folder holding target.json. */
  dir: string;
  manifestPath: string;
  manifest: Manifest;
}

export const MANIFEST_FILE = 'target.json';

/** Reads and validates `<dir>/target.json`; every problem names the file and the field. */
export function loadTarget(dir: string): Target {
  const absoluteDir = resolve(dir);
  const manifestPath = join(absoluteDir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(manifestPath, 'utf8');
  } catch (error) {
    throw new HarnessError(`${manifestPath}: cannot read the target manifest (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HarnessError(`${manifestPath}: not valid JSON (${(error as Error).message})`);
  }
  return { dir: absoluteDir, manifestPath, manifest: parseManifest(json, manifestPath) };
}

export function parseManifest(json: unknown, source: string): Manifest {
  const result = manifestSchema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    return `field "${field}": ${issue.message}`;
  });
  throw new HarnessError(`${source}: invalid target manifest: ${problems.join('; ')}`);
}
