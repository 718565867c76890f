// The programmatic API: what the CLI does, for scripts that drive sockspec themselves.
export { main } from './cli';
export { runSuite, type SuiteOptions, type TargetOutcome } from './suite';
export { resolveTargets, referenceTargets, bundledTargets } from './targets';
export { loadTarget, type Target } from './contract/manifest';
export { writeRunReport, defaultReportDir } from './report/run-report';
export { readSummary, type Summary } from './report/summary-schema';
export { mergeSummaries } from './report/merge';
export { diffSummaries } from './report/diff';
