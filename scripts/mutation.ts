/**
 * `npm run mutation`: the suite's mutation score (docs/detection.md, "Mutation score").
 * Not a test and not part of CI: it takes about 40 minutes on 2 cores.
 *
 * Stryker (stryker.config.mjs, command runner) mutates the Node reference target's
 * sources and runs the suite against the mutated target. One Stryker run per group of
 * scripts/mutation-groups.json, each mutating its files and running only the scenarios
 * that exercise them; then the combined score is printed and written to
 * reports/mutation/summary.json, next to each group's <group>.json and <group>.html.
 *
 *   npm run mutation                      every group
 *   npm run mutation -- http file         only these groups (the others' last reports still count)
 *   npm run mutation -- --report-only     recompute the score from the reports already there
 *
 * Surviving mutants that were triaged as equivalent are listed in
 * scripts/mutation-equivalent.json (file, line, mutator, original code, replacement,
 * why). They are matched by file, mutator, original code and replacement (the line only
 * picks the nearest when several match), so a source edit that moves lines keeps them;
 * an entry that matches no survivor is reported as stale. Every other survivor is a gap.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/paths';

const REPORT_DIR = join(PROJECT_ROOT, 'reports', 'mutation');
const GROUPS: Record<string, { files: string[]; tags: string }> = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'scripts', 'mutation-groups.json'), 'utf8'),
).groups;
const EQUIVALENT_FILE = join(PROJECT_ROOT, 'scripts', 'mutation-equivalent.json');
const STRYKER = join(PROJECT_ROOT, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');

const log = (line: string): void => void process.stdout.write(`mutation: ${line}\n`);

interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  statusReason?: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}
interface Report {
  files: Record<string, { source: string; mutants: ReportMutant[] }>;
}
interface Equivalent {
  file: string;
  line: number;
  mutator: string;
  original: string;
  replacement: string;
  reason: string;
}
interface Mutant {
  group: string;
  file: string;
  line: number;
  mutator: string;
  original: string;
  replacement: string;
  status: string;
  /** The scenario whose failure killed it (the first, with --fail-fast). */
  killedBy?: string;
}

/** Runs one group's Stryker run; resolves with its exit code. */
function runGroup(group: string, cacheDir: string): Promise<number | null> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [STRYKER, 'run', 'stryker.config.mjs'], {
      cwd: PROJECT_ROOT,
      // Its own cache: build stamps and transpiled harness files of the sandbox are
      // keyed by its path, worthless after the run.
      env: { ...process.env, SOCKSPEC_MUTATION_GROUP: group, SOCKSPEC_CACHE_DIR: cacheDir },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => resolveRun(code));
  });
}

/** The source text a mutant replaced (lines and columns of the report are 1-based). */
function originalText(source: string, location: ReportMutant['location']): string {
  const lines = source.split('\n');
  const { start, end } = location;
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  return [lines[start.line - 1].slice(start.column - 1), ...lines.slice(start.line, end.line - 1), lines[end.line - 1].slice(0, end.column - 1)].join('\n');
}

function readMutants(group: string): Mutant[] | undefined {
  const file = join(REPORT_DIR, `${group}.json`);
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  return Object.entries(report.files).flatMap(([path, { source, mutants }]) =>
    mutants.map((mutant) => ({
      group,
      file: path.split('/').pop() ?? path,
      line: mutant.location.start.line,
      mutator: mutant.mutatorName,
      original: originalText(source, mutant.location),
      replacement: mutant.replacement ?? '',
      status: mutant.status,
      killedBy: /FAILED (\S+?):/.exec(mutant.statusReason ?? '')?.[1],
    })),
  );
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

function counts(mutants: Mutant[]): { total: number; killed: number; timeout: number; survived: number; ignored: number; invalid: number } {
  const valid = mutants.filter((m) => DETECTED.has(m.status) || UNDETECTED.has(m.status));
  const ignored = mutants.filter((m) => m.status === 'Ignored').length;
  return {
    total: valid.length,
    killed: valid.filter((m) => m.status === 'Killed').length,
    timeout: valid.filter((m) => m.status === 'Timeout').length,
    survived: valid.filter((m) => UNDETECTED.has(m.status)).length,
    ignored,
    invalid: mutants.length - valid.length - ignored,
  };
}

/** Pairs each equivalent entry with one survivor: same file, mutator, original and replacement, nearest line. */
function matchEquivalents(survivors: Mutant[], equivalents: Equivalent[]): { equivalent: Map<Mutant, Equivalent>; stale: Equivalent[] } {
  const equivalent = new Map<Mutant, Equivalent>();
  const stale: Equivalent[] = [];
  for (const entry of equivalents) {
    const candidates = survivors
      .filter((m) => !equivalent.has(m) && m.file === entry.file && m.mutator === entry.mutator && m.original === entry.original && m.replacement === entry.replacement)
      .sort((a, b) => Math.abs(a.line - entry.line) - Math.abs(b.line - entry.line));
    if (candidates.length === 0) stale.push(entry);
    else equivalent.set(candidates[0], entry);
  }
  return { equivalent, stale };
}

const percent = (part: number, whole: number): string => (whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(1)}%`);
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').slice(0, 100);

async function main(argv: string[]): Promise<number> {
  const reportOnly = argv.includes('--report-only');
  const named = argv.filter((arg) => !arg.startsWith('--'));
  for (const group of named) if (!(group in GROUPS)) throw new Error(`unknown group ${group}: one of ${Object.keys(GROUPS).join(', ')}`);
  const toRun = reportOnly ? [] : named.length > 0 ? named : Object.keys(GROUPS);

  const durations = new Map<string, number>();
  const earlierDurations = new Map<string, number>();
  if (toRun.length > 0) {
    const cacheDir = mkdtempSync(join(tmpdir(), 'sockspec-mutation-cache-'));
    try {
      for (const group of toRun) {
        log(`group ${group}: mutating ${GROUPS[group].files.join(', ')}; scenarios ${GROUPS[group].tags}`);
        const started = Date.now();
        const code = await runGroup(group, cacheDir);
        durations.set(group, Date.now() - started);
        if (code !== 0) {
          log(`group ${group}: stryker exited ${code}`);
          return 2;
        }
      }
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }

  // A partial or --report-only run keeps the other groups' run times of the last summary.
  const summaryFile = join(REPORT_DIR, 'summary.json');
  if (existsSync(summaryFile)) {
    const previous = (JSON.parse(readFileSync(summaryFile, 'utf8')) as { durationsMs?: Record<string, number> }).durationsMs ?? {};
    for (const [group, ms] of Object.entries(previous)) if (!durations.has(group) && group in GROUPS) earlierDurations.set(group, ms);
  }
  const perGroup = Object.keys(GROUPS).map((group) => ({ group, mutants: readMutants(group) }));
  const missing = perGroup.filter((g) => g.mutants === undefined).map((g) => g.group);
  const all = perGroup.flatMap((g) => g.mutants ?? []);
  const survivors = all.filter((m) => UNDETECTED.has(m.status));
  const equivalents: Equivalent[] = existsSync(EQUIVALENT_FILE) ? JSON.parse(readFileSync(EQUIVALENT_FILE, 'utf8')).equivalent : [];
  const { equivalent, stale } = matchEquivalents(survivors, equivalents);
  const gaps = survivors.filter((m) => !equivalent.has(m));

  console.log('\n| group | files | mutants | killed | timeout | survived | equivalent | score | score (non-equivalent) | left out (ignorers) | run time |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { group, mutants } of perGroup) {
    if (mutants === undefined) continue;
    const c = counts(mutants);
    const eq = mutants.filter((m) => equivalent.has(m)).length;
    const ms = durations.get(group) ?? earlierDurations.get(group);
    const time = ms === undefined ? '?' : `${Math.round(ms / 1000)} s${durations.has(group) ? '' : ' (earlier run)'}`;
    console.log(`| ${group} | ${GROUPS[group].files.join(', ')} | ${c.total} | ${c.killed} | ${c.timeout} | ${c.survived} | ${eq} | ${percent(c.killed + c.timeout, c.total)} | ${percent(c.killed + c.timeout, c.total - eq)} | ${c.ignored} | ${time} |`);
  }
  const c = counts(all);
  const detected = c.killed + c.timeout;
  const nonEquivalent = c.total - equivalent.size;
  console.log(`\nmutants: ${c.total}; not counted: ${c.ignored} left out by scripts/mutation-ignore.mjs, ${c.invalid} that did not compile or run`);
  console.log(`killed (timeouts included): ${detected} of ${c.total}: ${percent(detected, c.total)}`);
  console.log(`equivalent (scripts/mutation-equivalent.json): ${equivalent.size}`);
  console.log(`killed of the non-equivalent: ${detected} of ${nonEquivalent}: ${percent(detected, nonEquivalent)}`);
  const allDurations = new Map([...earlierDurations, ...durations]);
  if (allDurations.size > 0) console.log(`run time: ${Math.round([...allDurations.values()].reduce((a, b) => a + b, 0) / 60000)} min`);
  if (missing.length > 0) console.log(`no report yet for: ${missing.join(', ')}`);
  if (gaps.length > 0) {
    console.log(`\nsurvivors not triaged as equivalent (gaps), ${gaps.length}:`);
    for (const m of gaps) console.log(`  ${m.file}:${m.line} ${m.mutator}: ${oneLine(m.original)} -> ${oneLine(m.replacement)}`);
  }
  for (const entry of stale) console.log(`stale equivalent entry (no such survivor): ${entry.file}:${entry.line} ${entry.mutator} ${oneLine(entry.original)} -> ${oneLine(entry.replacement)}`);

  mkdirSync(REPORT_DIR, { recursive: true });
  const summary = {
    mutants: c.total,
    killed: c.killed,
    timeout: c.timeout,
    survived: c.survived,
    ignored: c.ignored,
    invalid: c.invalid,
    equivalent: equivalent.size,
    score: c.total === 0 ? null : detected / c.total,
    scoreNonEquivalent: nonEquivalent === 0 ? null : detected / nonEquivalent,
    durationsMs: Object.fromEntries(allDurations),
    killedBy: Object.fromEntries(
      Object.entries(
        all.filter((m) => DETECTED.has(m.status)).reduce<Record<string, number>>((acc, m) => ({ ...acc, [m.killedBy ?? '(timeout or no scenario named)']: (acc[m.killedBy ?? '(timeout or no scenario named)'] ?? 0) + 1 }), {}),
      ).sort((a, b) => b[1] - a[1]),
    ),
    gaps: gaps.map(({ file, line, mutator, original, replacement }) => ({ file, line, mutator, original, replacement })),
    stale,
  };
  writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  log(`summary: ${join('reports', 'mutation', 'summary.json')}; per group: reports/mutation/<group>.html`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    process.stderr.write(`mutation: ${error.message}\n`);
    process.exitCode = 2;
  },
);
