import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { HarnessError } from '../errors';
import { LEVELS } from '../feature-pickles';
import { DID_NOT_PASS, VERDICTS } from '../verdicts';
import type { ScenarioResult } from './summary';

/**
 * The version of summary.json's format (documented in reports/README.md). It changes
 * when a field is removed, renamed or changes meaning; new optional fields keep it.
 * Version 2 added the verdicts warned, expected failure, fixed and excluded, and each
 * scenario's ID, level and source; a version 1 summary (a baseline kept from before)
 * still reads, as its statuses are a subset.
 */
export const SUMMARY_SCHEMA_VERSION = 2;
const READABLE_VERSIONS = [1, 2] as const;

export const SUMMARY_FILE = 'summary.json';

const scenarioStatus = z.enum(VERDICTS);

const scenarioStep = z.object({ keyword: z.string(), text: z.string(), status: z.string() });

const scenarioResult = z.object({
  id: z.string().optional(),
  level: z.enum(LEVELS).optional(),
  source: z.string().optional(),
  feature: z.string(),
  scenario: z.string(),
  location: z.string(),
  status: scenarioStatus,
  durationMs: z.number().nonnegative(),
  failedStep: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  steps: z.array(scenarioStep).optional(),
  transcript: z.string().optional(),
}).superRefine((result, context) => {
  // What a reader needs for each verdict: a failure says where and what, a scenario that did not run says why.
  const required: (keyof typeof result)[] = [
    ...(DID_NOT_PASS.has(result.status) ? (['failedStep', 'message'] as const) : []),
    ...(result.status === 'passed' || result.status === 'failed' ? [] : (['reason'] as const)),
  ];
  for (const field of required) {
    if (!result[field]) context.addIssue({ code: 'custom', path: [field], message: `a ${result.status} scenario must say ${field === 'reason' ? 'why' : `its ${field}`}` });
  }
});

const targetResults = z.object({
  name: z.string().min(1),
  /** Where this target ran: process, docker or external. */
  runtime: z.string().min(1),
  dir: z.string(),
  fault: z.object({ bug: z.string(), expectedFailures: z.array(z.string()) }).optional(),
  /** "sockspec" when the target declares it follows sockspec's profile: its @profile failures fail, not warn. */
  profile: z.literal('sockspec').optional(),
  /** Expectation entries that matched no scenario of this run: stale, unless the run was narrowed. */
  unusedExpectations: z.array(z.string()).optional(),
  /** Failures outside any scenario, e.g. a server kept across scenarios that broke the contract when it was stopped after the last: the run fails. */
  runFailures: z.array(z.string()).optional(),
  scenarios: z.array(scenarioResult),
});

const runMetadata = z.object({
  sockspecVersion: z.string(),
  /** The project's commit, or null outside a git checkout. */
  gitCommit: z.string().nullable(),
  runtime: z.string(),
  node: z.string(),
  platform: z.string(),
  kernel: z.string(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  /** --strict: warnings counted as failures. */
  strict: z.boolean().optional(),
  /** --timeout-scale: the factor every wait's timeout was multiplied by. */
  timeoutScale: z.number().positive().optional(),
});

export const summarySchema = runMetadata.extend({
  schemaVersion: z.union(READABLE_VERSIONS.map((version) => z.literal(version))),
  /** For a summary made by `sockspec merge`: the runs it combines, where each came from. */
  mergedFrom: z.array(runMetadata.extend({ source: z.string() })).optional(),
  /** Set when the run ended early (interrupted, or a harness error): why, since only the scenarios that ran are listed. */
  incomplete: z.string().optional(),
  targets: z.array(targetResults),
});

export type Summary = z.infer<typeof summarySchema>;
export type TargetResults = z.infer<typeof targetResults>;
export type RunMetadata = z.infer<typeof runMetadata>;

// The collector's results must always be valid entries of the schema.
const collectedResultsFit: (result: ScenarioResult) => z.infer<typeof scenarioResult> = (result) => result;
void collectedResultsFit;

/** A summary file, or a report folder holding one. */
export function summaryPath(fileOrDir: string): string {
  return existsSync(fileOrDir) && statSync(fileOrDir).isDirectory() ? join(fileOrDir, SUMMARY_FILE) : fileOrDir;
}

/** Reads and validates a summary; anything else is a HarnessError naming the file and the first bad field. */
export function readSummary(fileOrDir: string): Summary {
  const file = summaryPath(fileOrDir);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new HarnessError(`${file}: cannot read a summary: ${reason}`);
  }
  return parseSummary(data, file);
}

export function parseSummary(data: unknown, file: string): Summary {
  const parsed = summarySchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.length > 0 ? formatPath(issue.path) : '(the whole file)';
  const version = issue.path[0] === 'schemaVersion' ? ` (this sockspec reads schema versions ${READABLE_VERSIONS.join(' and ')})` : '';
  throw new HarnessError(`${file}: not a valid sockspec summary: field ${field}: ${issue.message}${version}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`)).join('');
}
