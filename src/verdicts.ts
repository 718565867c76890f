import type { Level } from './feature-pickles';
import { expectationFor, type ExpectationSet } from './expectations';

/**
 * How a scenario ended for a target, as every report shows it:
 * - passed;
 * - failed: a @must, or a @profile of a target that declares it follows sockspec's profile;
 * - warned: a @should, or a @profile of a target that does not declare the profile
 *   (the standard allows what it did; only the recommendation or sockspec asks more);
 * - expected failure: a failure an expectations entry lists, with its reason;
 * - fixed: an expected failure that passed, so its entry can go;
 * - not applicable, not runnable, excluded: not checked, each with its reason.
 * Only failed and fixed make a run exit 1; --strict makes every warning a failure.
 */
export const VERDICTS = ['passed', 'failed', 'warned', 'expected failure', 'fixed', 'not applicable', 'not runnable', 'excluded'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The verdicts that make a run exit 1. */
export const FAILING_VERDICTS: ReadonlySet<Verdict> = new Set(['failed', 'fixed']);
/** The verdicts of scenarios that were not checked at all, each with its reason. */
export const NOT_CHECKED: ReadonlySet<Verdict> = new Set(['not applicable', 'not runnable', 'excluded']);
/** The verdicts of scenarios whose steps ran and did not all pass. */
export const DID_NOT_PASS: ReadonlySet<Verdict> = new Set(['failed', 'warned', 'expected failure']);

export interface JudgeContext {
  /** The target declares `"profile": "sockspec"` (every bundled target does). */
  followsProfile: boolean;
  strict: boolean;
  expectations: ExpectationSet;
  /** Today, YYYY-MM-DD, for `until` dates. */
  today: string;
}

export interface Judgement {
  status: Verdict;
  /** Why, for every verdict but passed and failed (whose step and message say it). */
  reason?: string;
}

/** The verdict of a scenario whose steps ran: `passed` is whether every step passed. */
export function judge(passed: boolean, id: string | undefined, level: Level | undefined, context: JudgeContext): Judgement {
  const expected = expectationFor(context.expectations, id);
  const expired = expected?.entry.until !== undefined && expected.entry.until < context.today;
  if (expected && !expired) {
    return passed
      ? { status: 'fixed', reason: `passed, but ${expected.where} expects it to fail (${expected.entry.reason}): remove the entry` }
      : { status: 'expected failure', reason: `${expected.where}: ${expected.entry.reason}${expected.entry.until ? ` (accepted until ${expected.entry.until})` : ''}` };
  }
  if (passed) return { status: 'passed' };
  const lapsed = expected ? `; ${expected.where} accepted this failure only until ${expected.entry.until}` : '';
  if (level === 'should' && !context.strict) return { status: 'warned', reason: `a SHOULD of the standard, not a MUST (--strict fails it)${lapsed}` };
  if (level === 'profile' && !context.followsProfile && !context.strict) {
    return { status: 'warned', reason: `only sockspec's profile asks for this, and the target does not declare "profile": "sockspec" (--strict fails it)${lapsed}` };
  }
  return lapsed ? { status: 'failed', reason: lapsed.slice(2) } : { status: 'failed' };
}

/** How a step's message starts when the target's answer leaves the scenario's rule nothing to judge. */
export const NOT_APPLICABLE_PREFIX = 'not applicable here: ';

/**
 * Thrown by a step when what the target did makes the behaviour under test moot (a rule
 * about 405 responses, and the server answered 200): the scenario's verdict is "not
 * applicable" with this reason, never a pass it did not earn, nor a failure.
 */
export class NotApplicableHere extends Error {
  constructor(reason: string) {
    super(`${NOT_APPLICABLE_PREFIX}${reason}`);
    this.name = 'NotApplicableHere';
  }
}
