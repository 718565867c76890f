import type { Envelope, GherkinDocument, Pickle, TestCase, TestStepResult } from '@cucumber/messages';
import { TRANSCRIPT_HEADING } from '../driver/transcript';
import { scenarioId, type Level } from '../feature-pickles';
import { NOT_APPLICABLE_PREFIX, type Verdict } from '../verdicts';

/**
 * A scenario's verdict (src/verdicts.ts). "not applicable": the behaviour does not concern
 * this target or platform (a service it does not offer, another kernel's documented
 * behaviour). "not runnable": it concerns the target, but this run cannot check it (the
 * runtime lacks a capability). "excluded": an expectations file leaves it out. None is a pass.
 */
export type ScenarioStatus = Verdict;

export interface ScenarioResult {
  /** The scenario's stable ID (its `@id:` tag), where it has one. */
  id?: string;
  /** Its requirement level and where the requirement comes from (the feature file's tag and Source line). */
  level?: Level;
  source?: string;
  feature: string;
  scenario: string;
  /** Feature file and line, relative to the project. */
  location: string;
  status: ScenarioStatus;
  durationMs: number;
  /** For a scenario whose steps did not all pass: the step that failed (or "After hook") and its message. */
  failedStep?: string;
  message?: string;
  /** Why the verdict is what it is, for every verdict but passed and failed. */
  reason?: string;
  /** The Gherkin steps as run, each with how it ended ("not run" for a scenario that was excluded). */
  steps?: ScenarioStep[];
  /** What the scenario's client sockets did on the wire (see src/driver/transcript.ts). */
  transcript?: string;
}

export interface ScenarioStep {
  keyword: string;
  text: string;
  status: string;
}

// Worst first: one step with a worse status decides the scenario's status.
const SEVERITY = ['FAILED', 'AMBIGUOUS', 'UNDEFINED', 'PENDING', 'UNKNOWN', 'SKIPPED', 'PASSED'];

interface CaseProgress {
  testCase: TestCase;
  worst?: TestStepResult;
  failedStep?: string;
  startedAt?: number;
  durationMs: number;
  stepStatuses: Map<string, string>;
  transcript?: string;
}

/**
 * Turns Cucumber's message stream into one result per scenario. Anything short of
 * every step passing is a failure here: a skipped, pending or undefined step means
 * the behaviour was not verified, and must never be counted as a pass.
 */
export class ScenarioCollector {
  private readonly featureNames = new Map<string, string>();
  private readonly stepKeywords = new Map<string, string>();
  private readonly pickles = new Map<string, Pickle>();
  private readonly testCases = new Map<string, TestCase>();
  private readonly started = new Map<string, CaseProgress>();
  private readonly finished: CaseProgress[] = [];

  /** With `failFast`, a scenario Cucumber skipped after the first failure is "not runnable", never a failure of its own. */
  constructor(private readonly failFast = false) {}

  readonly onMessage = (envelope: Envelope): void => {
    if (envelope.gherkinDocument?.feature && envelope.gherkinDocument.uri) {
      this.featureNames.set(envelope.gherkinDocument.uri, envelope.gherkinDocument.feature.name);
      for (const [id, keyword] of stepKeywords(envelope.gherkinDocument)) this.stepKeywords.set(id, keyword);
    } else if (envelope.pickle) {
      this.pickles.set(envelope.pickle.id, envelope.pickle);
    } else if (envelope.testCase) {
      this.testCases.set(envelope.testCase.id, envelope.testCase);
    } else if (envelope.testCaseStarted) {
      const testCase = this.testCases.get(envelope.testCaseStarted.testCaseId)!;
      this.started.set(envelope.testCaseStarted.id, {
        testCase,
        durationMs: 0,
        startedAt: toMs(envelope.testCaseStarted.timestamp),
        stepStatuses: new Map(),
      });
    } else if (envelope.attachment?.testCaseStartedId && envelope.attachment.body.startsWith(TRANSCRIPT_HEADING)) {
      const progress = this.started.get(envelope.attachment.testCaseStartedId);
      if (progress) progress.transcript = envelope.attachment.body;
    } else if (envelope.testStepFinished) {
      const progress = this.started.get(envelope.testStepFinished.testCaseStartedId)!;
      const result = envelope.testStepFinished.testStepResult;
      progress.stepStatuses.set(envelope.testStepFinished.testStepId, result.status.toLowerCase());
      if (!progress.worst || SEVERITY.indexOf(result.status) < SEVERITY.indexOf(progress.worst.status)) {
        progress.worst = result;
        progress.failedStep = this.stepText(progress.testCase, envelope.testStepFinished.testStepId);
      }
    } else if (envelope.testCaseFinished) {
      const progress = this.started.get(envelope.testCaseFinished.testCaseStartedId)!;
      progress.durationMs = toMs(envelope.testCaseFinished.timestamp) - (progress.startedAt ?? 0);
      // A retried attempt replaces the earlier one; only the last attempt counts.
      if (!envelope.testCaseFinished.willBeRetried) this.finished.push(progress);
    }
  };

  results(): ScenarioResult[] {
    return this.finished.map((progress) => {
      const pickle = this.pickles.get(progress.testCase.pickleId)!;
      const id = scenarioId(pickle);
      const named = {
        ...(id ? { id } : {}),
        feature: this.featureNames.get(pickle.uri) ?? pickle.uri,
        scenario: pickle.name,
        location: pickle.location ? `${pickle.uri}:${pickle.location.line}` : pickle.uri,
      };
      if (this.failFast && progress.worst?.status === 'SKIPPED') {
        return { ...named, status: 'not runnable', reason: 'not run: --fail-fast stopped at an earlier failure', durationMs: 0, steps: [] };
      }
      const ran = {
        durationMs: Math.round(progress.durationMs),
        steps: this.steps(pickle, progress),
        ...(progress.transcript ? { transcript: progress.transcript } : {}),
      };
      const message = progress.worst?.message === undefined ? undefined : firstLine(progress.worst.message);
      if (progress.worst?.status === 'FAILED' && message?.startsWith(NOT_APPLICABLE_PREFIX)) {
        return { ...named, status: 'not applicable', reason: `${message.slice(NOT_APPLICABLE_PREFIX.length)} (at "${progress.failedStep}")`, ...ran };
      }
      const passed = progress.worst?.status === 'PASSED';
      return {
        ...named,
        status: passed ? 'passed' : 'failed',
        ...ran,
        ...(passed
          ? {}
          : {
              failedStep: progress.failedStep ?? 'no step (the scenario ended before its first step finished)',
              message: message ?? `step status ${progress.worst?.status ?? 'UNKNOWN'}`,
            }),
      };
    });
  }

  /** Results made outside Cucumber (excluded scenarios) name their feature by its file; this gives its name instead. */
  withFeatureNames(results: ScenarioResult[]): ScenarioResult[] {
    return results.map((result) => ({ ...result, feature: this.featureNames.get(result.feature) ?? result.feature }));
  }

  private steps(pickle: Pickle, progress: CaseProgress): ScenarioStep[] {
    const statusByPickleStep = new Map(progress.testCase.testSteps.flatMap((step) => (step.pickleStepId ? [[step.pickleStepId, progress.stepStatuses.get(step.id)]] : [])));
    return pickleSteps(pickle, this.stepKeywords, (id) => statusByPickleStep.get(id) ?? 'not run');
  }

  private stepText(testCase: TestCase, testStepId: string): string {
    const testStep = testCase.testSteps.find((step) => step.id === testStepId);
    if (!testStep?.pickleStepId) return 'a hook (the checks run after every scenario)';
    const pickle = this.pickles.get(testCase.pickleId)!;
    return pickle.steps.find((step) => step.id === testStep.pickleStepId)?.text ?? testStep.pickleStepId;
  }
}

const toMs = (timestamp: { seconds: number; nanos: number }): number => timestamp.seconds * 1000 + timestamp.nanos / 1e6;

// Cucumber appends a stack trace; the first line is the assertion a reader needs.
const firstLine = (message: string): string => message.split('\n')[0].replace(/^(Error|ConnectError|NotApplicableHere): /, '');

/** A pickle's steps with the keywords the feature file wrote them with. */
export function pickleSteps(pickle: Pickle, keywords: Map<string, string>, status: (pickleStepId: string) => string): ScenarioStep[] {
  return pickle.steps.map((step) => ({
    keyword: keywords.get(step.astNodeIds[0])?.trim() ?? '*',
    text: step.text,
    status: status(step.id),
  }));
}

/** Every step's keyword in a feature file, by the step's id. */
export function stepKeywords(document: GherkinDocument): Map<string, string> {
  const keywords = new Map<string, string>();
  type Child = NonNullable<GherkinDocument['feature']>['children'][number];
  const visit = (children: readonly Child[]): void => {
    for (const child of children) {
      for (const step of [...(child.background?.steps ?? []), ...(child.scenario?.steps ?? [])]) keywords.set(step.id, step.keyword);
      if (child.rule) visit(child.rule.children as Child[]);
    }
  };
  visit(document.feature?.children ?? []);
  return keywords;
}
