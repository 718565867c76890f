import { relative, resolve } from 'node:path';
import { combineExpectations, readExpectationsFile, unusedEntries, type ExpectationSet, type Expectations } from './expectations';
import { ID_TAG_PREFIX, idGlob, scenarioFacts, type ScenarioFacts } from './feature-pickles';
import type { Exclusion } from './applicability';
import type { Target } from './contract/manifest';
import type { ScenarioResult } from './report/summary';
import { judge } from './verdicts';

/** What turns a scenario's raw outcome into its verdict, for one target. */
export interface VerdictRules {
  strict: boolean;
  /** Expectation files given for the whole run (`--expect`), each with where it came from. */
  expectationFiles: { where: string; expectations: Expectations }[];
}

export interface TargetJudge {
  expectations: ExpectationSet;
  /** The scenarios the expectations leave out: one exclusion per entry, with its reason. */
  exclusions: Exclusion[];
  /** Every result with its ID, level and source, and its verdict. */
  judged(results: ScenarioResult[]): ScenarioResult[];
  unused(results: ScenarioResult[]): string[];
}

/** The target's own expectations: inline in target.json, or the file it names. */
function targetExpectations(target: Target): { where: string; expectations: Expectations }[] {
  const declared = target.manifest.expectations;
  if (declared === undefined) return [];
  if (typeof declared !== 'string') return [{ where: target.manifestPath, expectations: declared }];
  const file = resolve(target.dir, declared);
  return [{ where: relative(process.cwd(), file) || file, expectations: readExpectationsFile(file) }];
}

export function judgeFor(target: Target, rules: VerdictRules, today = new Date().toISOString().slice(0, 10)): TargetJudge {
  const facts = scenarioFacts();
  const knownIds = new Set([...facts.values()].flatMap((fact) => (fact.id ? [fact.id] : [])));
  const sources = [...rules.expectationFiles, ...targetExpectations(target)];
  const expectations = combineExpectations(sources, knownIds);
  const context = { followsProfile: target.manifest.profile === 'sockspec', strict: rules.strict, expectations, today };
  return {
    expectations,
    exclusions: expectations.exclude.map(({ entry, where }) => ({
      tagExpression: [...knownIds].filter((id) => idGlob(entry.id).test(id)).map((id) => `${ID_TAG_PREFIX}${id}`).join(' or '),
      status: 'excluded' as const,
      reason: `${where}: ${entry.reason}`,
    })),
    judged: (results) =>
      results.map((result) => {
        const fact: ScenarioFacts = facts.get(result.location) ?? {};
        const annotated = { ...result, ...fact };
        if (result.status !== 'passed' && result.status !== 'failed') return annotated;
        const { status, reason } = judge(result.status === 'passed', fact.id, fact.level, context);
        return { ...annotated, status, ...(reason ? { reason } : {}) };
      }),
    unused: (results) => unusedEntries(expectations, results.map((result) => facts.get(result.location)?.id)),
  };
}
