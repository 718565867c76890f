import { generateMessages } from '@cucumber/gherkin';
import { IdGenerator, SourceMediaType, type Envelope, type GherkinDocument, type Pickle } from '@cucumber/messages';
import parseTagExpression from '@cucumber/tag-expressions';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FEATURES_DIR, PROJECT_ROOT } from './paths';
import { escapeRegExp } from './regexp';

/** How strongly the cited text asks for what a scenario asserts (docs/requirements.md). */
export const LEVELS = ['must', 'should', 'profile'] as const;
export type Level = (typeof LEVELS)[number];

/** What a reviewer reads beside a scenario in every report: its ID, its requirement level and where that comes from. */
export interface ScenarioFacts {
  id?: string;
  level?: Level;
  source?: string;
}

export const ID_TAG_PREFIX = '@id:';
const SOURCE_PREFIX = 'Source:';

let compiled: Envelope[] | undefined;

/** The features' Gherkin documents and pickles, as Cucumber compiles them; read once per process. */
function compiledFeatures(): Envelope[] {
  if (!compiled) {
    const newId = IdGenerator.incrementing();
    compiled = readdirSync(FEATURES_DIR)
      .filter((file) => file.endsWith('.feature'))
      .sort()
      .flatMap((file) => {
        const uri = relative(PROJECT_ROOT, join(FEATURES_DIR, file));
        return generateMessages(readFileSync(join(FEATURES_DIR, file), 'utf8'), uri, SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN, { includeGherkinDocument: true, includePickles: true, newId });
      });
  }
  return compiled;
}

/**
 * The scenarios the features hold, with their tags (which Cucumber's own `loadSources`
 * plan leaves out), narrowed the way a run narrows them: by a tag expression and by
 * name patterns (any of them).
 */
export function featurePickles(tagExpression = '', names: string[] = []): Pickle[] {
  const matchesTags = tagExpression ? parseTagExpression(tagExpression) : undefined;
  const patterns = names.map((name) => new RegExp(name));
  return compiledFeatures()
    .flatMap((envelope) => (envelope.pickle ? [envelope.pickle] : []))
    .filter((pickle) => !matchesTags || matchesTags.evaluate(pickle.tags.map((tag) => tag.name)))
    .filter((pickle) => patterns.length === 0 || patterns.some((pattern) => pattern.test(pickle.name)));
}

/** A scenario's stable ID: its `@id:` tag without the prefix. */
export function scenarioId(pickle: Pick<Pickle, 'tags'>): string | undefined {
  return pickle.tags.find((tag) => tag.name.startsWith(ID_TAG_PREFIX))?.name.slice(ID_TAG_PREFIX.length);
}

/** `echo.*` as a regular expression over whole IDs: `*` any run of characters, `?` one. */
export function idGlob(glob: string): RegExp {
  return new RegExp(`^${glob.split('').map((char) => (char === '*' ? '.*' : char === '?' ? '.' : escapeRegExp(char))).join('')}$`);
}

/** Every scenario's facts, by its location as reports give it ("features/echo.feature:13"). */
export function scenarioFacts(): Map<string, ScenarioFacts> {
  const descriptions = new Map<string, string>();
  for (const document of compiledFeatures().flatMap((envelope) => (envelope.gherkinDocument ? [envelope.gherkinDocument] : []))) {
    for (const scenario of scenariosOf(document)) descriptions.set(scenario.id, scenario.description);
  }
  const facts = new Map<string, ScenarioFacts>();
  for (const pickle of featurePickles()) {
    const firstLine = descriptions.get(pickle.astNodeIds[0])?.trim().split('\n')[0]?.trim() ?? '';
    const level = LEVELS.find((candidate) => pickle.tags.some((tag) => tag.name === `@${candidate}`));
    facts.set(`${pickle.uri}:${pickle.location?.line}`, {
      id: scenarioId(pickle),
      level,
      source: firstLine.startsWith(SOURCE_PREFIX) ? firstLine.slice(SOURCE_PREFIX.length).trim() : undefined,
    });
  }
  return facts;
}

function scenariosOf(document: GherkinDocument): NonNullable<NonNullable<GherkinDocument['feature']>['children'][number]['scenario']>[] {
  return (document.feature?.children ?? []).flatMap((child) => [
    ...(child.scenario ? [child.scenario] : []),
    ...(child.rule?.children ?? []).flatMap((ruleChild) => (ruleChild.scenario ? [ruleChild.scenario] : [])),
  ]);
}

