import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { before, describe, it } from 'node:test';
import { loadSources, runCucumber } from '@cucumber/cucumber/api';
import type { Envelope, GherkinDocument, Pickle, Scenario } from '@cucumber/messages';
import { FEATURES_DIR } from '../src/paths';
import { PROJECT } from './helpers';

// The features as the suite loads them (src/suite.ts), every scenario.
const SOURCES = { defaultDialect: 'en', paths: [join(FEATURES_DIR, '**/*.feature')], names: [], order: 'defined' as const, tagExpression: '' };
const ENVIRONMENT = { cwd: PROJECT, env: {}, stdout: sink(), stderr: sink() };
const ID = /^@id:[a-z0-9]+\.[a-z0-9-]+$/;
/** How strongly the cited text asks for what a scenario asserts (docs/requirements.md). */
const LEVELS = ['@must', '@should', '@profile'];

function sink(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

interface Located {
  uri: string;
  scenario: Scenario;
  /** The line Cucumber reports for a pickle of this node: the scenario's, or an example row's. */
  line: number;
}

interface PlannedScenario {
  pickle: Pickle;
  scenario: Scenario;
  /** Where the scenario is written, "features/x.feature:12": the examples of an outline share it. */
  where: string;
  /** Where Cucumber's plan places this pickle (an outline's example row for its examples). */
  planned: string;
}

/**
 * The pickles with their tags and the scenarios they come from. loadSources
 * gives names and lines only, so the Gherkin messages come from Cucumber
 * itself: a dry run with no step definitions, which parses exactly as a run does.
 */
async function plannedScenarios(): Promise<PlannedScenario[]> {
  const messages: Envelope[] = [];
  await runCucumber(
    {
      sources: SOURCES,
      support: { requireModules: [], requirePaths: [], importPaths: [], loaders: [] },
      runtime: { dryRun: true, failFast: false, filterStacktraces: true, parallel: 0, retry: 0, retryTagFilter: '', strict: false, worldParameters: {} },
      formats: { stdout: 'summary', files: {}, publish: false, options: {} },
    },
    ENVIRONMENT,
    (message) => messages.push(message),
  );
  const nodes = new Map<string, Located>();
  for (const document of messages.flatMap((message) => (message.gherkinDocument ? [message.gherkinDocument] : []))) {
    for (const scenario of scenariosOf(document)) {
      nodes.set(scenario.id, { uri: document.uri!, scenario, line: scenario.location.line });
      for (const row of scenario.examples.flatMap((examples) => examples.tableBody)) nodes.set(row.id, { uri: document.uri!, scenario, line: row.location.line });
    }
  }
  return messages.flatMap((message) => {
    if (!message.pickle) return [];
    const pickle = message.pickle;
    const source = nodes.get(pickle.astNodeIds[0]!);
    const last = nodes.get(pickle.astNodeIds[pickle.astNodeIds.length - 1]!);
    assert.ok(source && last, `${pickle.uri}: pickle "${pickle.name}" comes from no scenario`);
    return [{ pickle, scenario: source.scenario, where: `${source.uri}:${source.line}`, planned: `${last.uri}:${last.line}` }];
  });
}

function scenariosOf(document: GherkinDocument): Scenario[] {
  return (document.feature?.children ?? []).flatMap((child) => {
    if (child.scenario) return [child.scenario];
    return (child.rule?.children ?? []).flatMap((ruleChild) => (ruleChild.scenario ? [ruleChild.scenario] : []));
  });
}

const idTags = (pickle: Pickle) => pickle.tags.filter((tag) => tag.name.toLowerCase().startsWith('@id:'));

describe('scenario IDs', () => {
  let planned: PlannedScenario[];
  before(async () => {
    planned = await plannedScenarios();
  });

  it('parse without errors, and the dry run sees the pickles the suite plans', async () => {
    const { plan, errors } = await loadSources(SOURCES, ENVIRONMENT);
    assert.deepEqual(errors, []);
    assert.ok(plan.length > 0);
    assert.deepEqual(
      planned.map(({ pickle, planned }) => `${planned} ${pickle.name}`).sort(),
      plan.map((pickle) => `${pickle.uri}:${pickle.location.line} ${pickle.name}`).sort(),
    );
  });

  it('gives every pickle exactly one @id:<area>.<slug> tag, written on its own scenario', () => {
    const problems = planned.flatMap(({ pickle, scenario, where }) => {
      const ids = idTags(pickle);
      if (ids.length !== 1) return [`${where} "${pickle.name}" has ${ids.length} @id: tags: ${ids.map((tag) => tag.name).join(' ')}`];
      const [id] = ids as [Pickle['tags'][number]];
      if (!ID.test(id.name)) return [`${where} "${pickle.name}": ${id.name} is not @id:<area>.<slug>`];
      // Not inherited from the feature or from an Examples block: one scenario, one ID.
      if (!scenario.tags.some((tag) => tag.id === id.astNodeId)) return [`${where}: ${id.name} is not on the Scenario's own tag line`];
      return [];
    });
    assert.deepEqual(problems, []);
  });

  it('gives no two scenarios the same ID (the examples of an outline share their outline\'s)', () => {
    const byId = new Map<string, Set<string>>();
    for (const { pickle, where } of planned) {
      for (const tag of idTags(pickle)) byId.set(tag.name, (byId.get(tag.name) ?? new Set()).add(where));
    }
    const shared = [...byId].filter(([, places]) => places.size > 1).map(([id, places]) => `${id}: ${[...places].join(', ')}`);
    assert.deepEqual(shared, []);
    assert.equal(byId.size, new Set(planned.map(({ where }) => where)).size);
  });

  it('selects exactly one scenario with --tags @id:<id>', async () => {
    const ids = new Set(planned.flatMap(({ pickle }) => idTags(pickle).map((tag) => tag.name)));
    for (const id of ids) {
      const { plan } = await loadSources({ ...SOURCES, tagExpression: id }, ENVIRONMENT);
      const expected = planned.filter(({ pickle }) => idTags(pickle).some((tag) => tag.name === id)).map(({ planned }) => planned);
      assert.deepEqual(plan.map((pickle) => `${pickle.uri}:${pickle.location.line}`), expected, id);
    }
  });

  it('gives every pickle exactly one level tag, @must, @should or @profile', () => {
    const problems = planned.flatMap(({ pickle, where }) => {
      const levels = pickle.tags.filter((tag) => LEVELS.includes(tag.name)).map((tag) => tag.name);
      return levels.length === 1 ? [] : [`${where} "${pickle.name}" has ${levels.length} level tags: ${levels.join(' ')}`];
    });
    assert.deepEqual(problems, []);
  });

  it('names where each requirement comes from on the first line of its scenario\'s description', () => {
    const problems = [...new Map(planned.map(({ scenario, where }) => [where, scenario])).entries()].flatMap(([where, scenario]) => {
      const firstLine = scenario.description.split('\n')[0]!.trim();
      return /^Source: \S/.test(firstLine) ? [] : [`${where} "${scenario.name}": the description starts ${JSON.stringify(firstLine)}, not "Source: <source>"`];
    });
    assert.deepEqual(problems, []);
  });
});
