import { readFileSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Launch, Service, Target } from '../contract/manifest';
import { HarnessError } from '../errors';
import { boundSockets, type BoundSocket } from '../kernel/process-sockets';
import { runTempDir } from '../ownership';
import type { ServerRequest } from './runtime';

/** The values a launch template's placeholders take for one start. */
export interface LaunchValues {
  host: string;
  /** 4 or 6: the IP version of `host`. */
  family: 4 | 6;
  port: number;
  backlog: number;
  root?: string;
  config?: string;
}

export interface RenderedLaunch {
  /** The program as a path on this machine: one with a "/" is relative to the target folder. */
  program: string;
  /** The filled-in argv as written, for a container, where paths are the image's. */
  command: string[];
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** The folder the config templates were rendered into, if there are any. */
  config?: string;
  /** The file the program logs to, if it does not log to stderr. */
  log?: string;
}

/** Fills `{host}`, `{port}`... in; a placeholder with no value (a root for the echo service) is an error naming the template. */
export function fill(text: string, values: LaunchValues, where: string): string {
  return text.replace(/\{([a-z]+)\}/g, (whole, name: string) => {
    const value = (values as unknown as Record<string, string | number | undefined>)[name];
    if (value === undefined) throw new HarnessError(`${where}: ${whole} has no value for this start`);
    return String(value);
  });
}

/** Renders the launch's config templates into a fresh folder of the run (removed when the run ends) and the argv around them. */
export function renderLaunch(target: Target, service: Service, launch: Launch, values: Omit<LaunchValues, 'config' | 'family'>): RenderedLaunch {
  const where = `${target.manifestPath}: launch.${service}`;
  const withFamily = { ...values, family: values.host.includes(':') ? (6 as const) : (4 as const) };
  let config: string | undefined;
  if (launch.config) {
    config = runTempDir(`${target.manifest.name}-${service}-config`);
    for (const [file, templateFile] of Object.entries(launch.config)) {
      const templatePath = resolve(target.dir, templateFile);
      let text: string;
      try {
        text = readFileSync(templatePath, 'utf8');
      } catch (error) {
        throw new HarnessError(`${where}.config.${file}: cannot read the template ${templateFile} (${(error as NodeJS.ErrnoException).code ?? error})`);
      }
      writeFileSync(join(config, file), fill(text, { ...withFamily, config }, `${where}.config.${file} (${templateFile})`));
    }
  }
  const all = { ...withFamily, config };
  const command = launch.argv.map((part, index) => fill(part, all, `${where}.argv[${index}]`));
  const [program, ...args] = command;
  return {
    program: program.includes('/') ? resolve(target.dir, program) : program,
    command,
    args,
    cwd: resolve(target.dir, launch.cwd ?? '.'),
    env: Object.fromEntries(Object.entries(launch.env ?? {}).map(([name, value]) => [name, fill(value, all, `${where}.env.${name}`)])),
    config,
    ...(launch.log === undefined ? {} : { log: resolve(target.dir, fill(launch.log, all, `${where}.log`)) }),
  };
}

/** Whether any part of the launch (argv, env, config templates) takes the listen backlog. */
export function takesBacklog(target: Target, launch: Launch): boolean {
  const texts = [...launch.argv, ...Object.values(launch.env ?? {})];
  for (const templateFile of Object.values(launch.config ?? {})) {
    try {
      texts.push(readFileSync(resolve(target.dir, templateFile), 'utf8'));
    } catch {
      // Reported when the server is started.
    }
  }
  return texts.some((text) => text.includes('{backlog}'));
}

/**
 * A port that is free now, for a program that cannot be given port 0: the kernel picks
 * one for a socket that is closed straight away. Another process may take it before the
 * program binds it; that race is retried by the caller.
 */
export function freePort(host: string, protocol: 'tcp' | 'udp'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    if (protocol === 'udp') {
      const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      socket.once('error', reject);
      socket.bind(0, host, () => {
        const { port } = socket.address();
        socket.close(() => resolvePort(port));
      });
      return;
    }
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export const protocolOf = (service: Service): 'tcp' | 'udp' => (service === 'udp-echo' ? 'udp' : 'tcp');

/**
 * Whether the program is ready: one of its processes holds a socket bound where it was
 * told to listen. Undefined while it is not; a socket elsewhere is returned as `elsewhere`,
 * so a program that ignores the port it was given is named as such.
 */
export function listeningWhereAsked(pid: number, request: Pick<ServerRequest, 'host' | 'port' | 'service'>): { ready?: BoundSocket; elsewhere: BoundSocket[] } {
  const protocol = protocolOf(request.service);
  const sockets = boundSockets(pid).filter((socket) => socket.protocol === protocol);
  return { ready: sockets.find((socket) => socket.address === request.host && socket.port === request.port), elsewhere: sockets };
}
