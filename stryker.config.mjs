// Mutation testing of the suite (`npm run mutation`, not part of CI): Stryker
// mutates the Node reference target's sources and runs the suite against the
// mutated target with the command runner. Stryker copies the checkout into a
// sandbox (.stryker-tmp/sandbox-*), so `--target fixtures/targets/node` below
// is the sandbox's copy: the suite rebuilds it there (its build stamp is keyed
// by folder and content digest, see src/build.ts) from the instrumented
// sources, which hold every mutant behind the __STRYKER_ACTIVE_MUTANT__
// environment variable that the command runner sets and the harness passes on
// to the server it starts.
//
// scripts/mutation.ts runs one Stryker run per group (SOCKSPEC_MUTATION_GROUP):
// each group mutates some files and runs only the scenarios that exercise them.
// Without the variable, this file mutates every group's files and runs every
// server scenario.

import { readFileSync } from 'node:fs';

const NODE_SRC = 'fixtures/targets/node/src';
/** Each group: the files it mutates and the scenarios (a tag expression) that exercise them. */
const GROUPS = JSON.parse(readFileSync(new URL('./scripts/mutation-groups.json', import.meta.url), 'utf8')).groups;

// Scenarios left out of every run: http.persistent-connection is a @should the
// reference target does not follow by design (a warning, which --fail-fast
// counts as a failure); the other two are never runnable on the process runtime
// on Linux (not runnable / not applicable), so selecting them only costs time.
const EXCLUDED = 'not @id:http.persistent-connection and not @id:backlog.abort-on-overflow-dropped and not @id:backlog.full-queue-refused';
const SERVER_SCENARIOS = '@echo or @file or @http or @udp-echo';

const groupName = process.env.SOCKSPEC_MUTATION_GROUP;
if (groupName !== undefined && !(groupName in GROUPS)) {
  throw new Error(`SOCKSPEC_MUTATION_GROUP=${groupName}: not one of ${Object.keys(GROUPS).join(', ')}`);
}
const group = groupName === undefined ? { files: Object.values(GROUPS).flatMap((g) => g.files), tags: SERVER_SCENARIOS } : GROUPS[groupName];
const name = groupName ?? 'all';

const command = [
  // --strict: a warning (a @should the mutant breaks) counts as a failure; without it
  // --fail-fast would stop at the warning and the run would still exit 0.
  'node bin/sockspec.js run --target fixtures/targets/node --strict --fail-fast',
  `--tags '(${group.tags}) and ${EXCLUDED}'`,
  // Inside the sandbox, which Stryker deletes afterwards.
  '--report-dir reports/sockspec-mutant',
].join(' ');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: { command },
  mutate: group.files.map((file) => `${NODE_SRC}/${file}`),
  // The command runner knows no coverage: every mutant runs the group's scenarios.
  coverageAnalysis: 'off',
  // The suite itself uses both cores (servers, clients, the harness).
  concurrency: 1,
  // The instrumented sources do not type-check; tsc (noEmitOnError) must still emit them.
  disableTypeChecks: `${NODE_SRC}/*.ts`,
  // Not needed by a run of the suite on the node target, and large.
  ignorePatterns: ['/reports', '/coverage', '/lib', '/fixtures/targets/*/build', '/fixtures/targets/*/target', '/.sockspec-cache', '/.sockspec-files'],
  // scripts/mutation-ignore.mjs: log text (equivalent by contract rule 2) and the
  // handling of malformed command lines (outside the contract; left out for time).
  plugins: ['@stryker-mutator/*', './scripts/mutation-ignore.mjs'],
  ignorers: ['log-text', 'malformed-command-line'],
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  clearTextReporter: { allowColor: false, logTests: false },
  // A mutant whose run takes this much longer than the unmutated one is a timeout (killed).
  timeoutFactor: 1.5,
  timeoutMS: 10000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
