import type { ScenarioResult } from './summary';

/** Feature file by path, then line: the order a serial run with `order: 'defined'` runs scenarios in. */
export function byPlanOrder(results: ScenarioResult[]): ScenarioResult[] {
  const split = (result: ScenarioResult): [string, number] => {
    const colon = result.location.lastIndexOf(':');
    return [result.location.slice(0, colon), Number(result.location.slice(colon + 1))];
  };
  return [...results].sort((a, b) => {
    const [fileA, lineA] = split(a);
    const [fileB, lineB] = split(b);
    return fileA.localeCompare(fileB) || lineA - lineB;
  });
}
