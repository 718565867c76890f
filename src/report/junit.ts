import junitReportBuilder from 'junit-report-builder';
import { explain } from './matrix';
import type { ScenarioResult } from './summary';

export const JUNIT_FILE = 'junit.xml';

/**
 * One target's run as JUnit XML, for the CI systems that read it: a testcase per
 * scenario (classname: its feature), with its ID, level and source as properties. Only
 * failed and fixed are failures there; a warning or an expected failure passes with its
 * explanation in system-out, and a scenario that was not checked is skipped.
 */
export function junitXml(targetName: string, results: ScenarioResult[]): string {
  const builder = junitReportBuilder.newBuilder();
  const suite = builder.testSuite().name(`sockspec ${targetName}`);
  for (const result of results) {
    const testCase = suite.testCase().className(result.feature).name(result.id ? `${result.id}: ${result.scenario}` : result.scenario).time(result.durationMs / 1000);
    for (const [name, value] of [['id', result.id], ['level', result.level], ['source', result.source], ['location', result.location], ['verdict', result.status]] as const) {
      if (value) testCase.property(name, value);
    }
    switch (result.status) {
      case 'passed':
        break;
      case 'failed':
      case 'fixed':
        testCase.failure(`${result.status}: ${explain(result)}`, result.status);
        break;
      case 'warned':
      case 'expected failure':
        testCase.standardOutput(`${result.status}: ${explain(result)}`);
        break;
      default:
        testCase.skipped().standardOutput(`${result.status}: ${explain(result)}`);
    }
  }
  return builder.build();
}
