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
});

export const manifestSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only'),
  language: z.string().min(1),
  description: z.string().min(1),
  build: z.string().min(1).optional(),
  /** Folders outside the target folder that the build reads (relative to it), so a change there triggers a rebuild. */
  buildInputs: z.array(z.string().min(1)).optional(),
  server: argv,
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
  /** Scenarios this target is known to fail, or leaves out, each with its reason (see src/expectations.ts). */
  expectations: expectationsSchema.optional(),
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
