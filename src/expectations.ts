import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { HarnessError } from './errors';
import { idGlob } from './feature-pickles';

/**
 * Expectation files: scenarios a target is known to fail (each with its reason, and
 * optionally the date until which the failure is accepted), and scenarios to leave
 * out. `sockspec run --expect FILE`, or the same object as target.json's `expectations`.
 */
const expectedEntry = z.strictObject({
  id: z.string().min(1, 'names no scenario ID'),
  reason: z.string().trim().min(1, 'must say why the failure is expected'),
  until: z.iso.date({ error: 'must be a date, YYYY-MM-DD' }).optional(),
});

const excludedEntry = z.strictObject({
  id: z.string().min(1, 'names no scenario ID'),
  reason: z.string().trim().min(1, 'must say why the scenario is left out'),
});

export const expectationsSchema = z.strictObject({
  expected: z.array(expectedEntry).default([]),
  exclude: z.array(excludedEntry).default([]),
});

export type Expectations = z.infer<typeof expectationsSchema>;
export type ExpectedEntry = z.infer<typeof expectedEntry>;

/** An entry with the file it came from, so that every message can name file and entry. */
export interface SourcedEntry<Entry> {
  entry: Entry;
  where: string;
}

export interface ExpectationSet {
  expected: SourcedEntry<ExpectedEntry>[];
  exclude: SourcedEntry<z.infer<typeof excludedEntry>>[];
}

export const NO_EXPECTATIONS: ExpectationSet = { expected: [], exclude: [] };

export function readExpectationsFile(file: string): Expectations {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new HarnessError(`${file}: cannot read an expectations file: ${reason}`);
  }
  return parseExpectations(json, file);
}

export function parseExpectations(json: unknown, source: string): Expectations {
  const parsed = expectationsSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new HarnessError(`${source}: invalid expectations: ${issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : ''}${issue.message}`);
}

/**
 * Joins expectations from their sources (the --expect file, the target's manifest) and
 * checks every ID against the suite's: an entry that names no scenario at all is a
 * typo or a removed scenario, and is refused rather than silently never matching.
 */
export function combineExpectations(sources: { where: string; expectations: Expectations }[], knownIds: ReadonlySet<string>): ExpectationSet {
  const set: ExpectationSet = { expected: [], exclude: [] };
  for (const { where, expectations } of sources) {
    for (const [list, entries] of [['expected', expectations.expected], ['exclude', expectations.exclude]] as const) {
      entries.forEach((entry, index) => {
        const pattern = idGlob(entry.id);
        if (![...knownIds].some((id) => pattern.test(id))) throw new HarnessError(`${where}: ${list}[${index}] "${entry.id}": no scenario has a matching ID`);
        (set[list] as SourcedEntry<typeof entry>[]).push({ entry, where: `${where} ${list}[${index}]` });
      });
    }
  }
  return set;
}

export const matches = (entry: { id: string }, id: string | undefined): boolean => id !== undefined && idGlob(entry.id).test(id);

/** The entry that expects this scenario to fail, if any (the first that matches). */
export const expectationFor = (set: ExpectationSet, id: string | undefined): SourcedEntry<ExpectedEntry> | undefined => set.expected.find(({ entry }) => matches(entry, id));

/** Entries that matched none of the scenarios a run reported: stale, unless the run was narrowed. */
export function unusedEntries(set: ExpectationSet, ids: Iterable<string | undefined>): string[] {
  const seen = [...ids];
  return [...set.expected, ...set.exclude].filter(({ entry }) => !seen.some((id) => matches(entry, id))).map(({ entry, where }) => `${where} "${entry.id}"`);
}
