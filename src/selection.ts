import type { Pickle } from '@cucumber/messages';
import { HarnessError } from './errors';
import { ID_TAG_PREFIX, idGlob, scenarioId } from './feature-pickles';
import { readSummary } from './report/summary-schema';


/** One of N deterministic parts of the selected scenarios (`--shard K/N`, K counted from 1). */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!match) throw new HarnessError(`--shard ${value}: expected K/N, e.g. 2/4`);
  const [index, count] = [Number(match[1]), Number(match[2])];
  if (count < 1) throw new HarnessError(`--shard ${value}: N must be at least 1`);
  if (index < 1 || index > count) throw new HarnessError(`--shard ${value}: K must be between 1 and N (${count})`);
  return { index, count };
}

/** Per scenario ID, the time it took in an earlier run, summed over that run's targets. */
export function readDurations(summaryFileOrDir: string): Map<string, number> {
  const durations = new Map<string, number>();
  for (const target of readSummary(summaryFileOrDir).targets) {
    for (const scenario of target.scenarios) {
      if (scenario.id) durations.set(scenario.id, (durations.get(scenario.id) ?? 0) + scenario.durationMs);
    }
  }
  if (durations.size === 0) throw new HarnessError(`--durations ${summaryFileOrDir}: the summary has no scenario IDs to balance by`);
  return durations;
}

/**
 * The IDs of one shard. Longest first, each scenario goes to the shard with the least
 * time so far (ties: the lower shard); without durations every scenario weighs the
 * same, which deals them out in ID order. The same IDs and durations give the same
 * shards on every machine, so N jobs with K = 1..N run each scenario exactly once.
 */
export function shardIds(ids: string[], shard: Shard, durations?: Map<string, number>): string[] {
  const known = [...(durations?.values() ?? [])].sort((a, b) => a - b);
  // A scenario the earlier run did not have weighs as a typical one.
  const typical = known.length > 0 ? known[Math.floor(known.length / 2)] : 1;
  const weight = (id: string): number => durations?.get(id) ?? typical;
  const ordered = [...new Set(ids)].sort((a, b) => weight(b) - weight(a) || (a < b ? -1 : a > b ? 1 : 0));
  const loads = Array.from({ length: shard.count }, () => 0);
  const mine: string[] = [];
  for (const id of ordered) {
    const lightest = loads.indexOf(Math.min(...loads));
    loads[lightest] += weight(id);
    if (lightest === shard.index - 1) mine.push(id);
  }
  return mine.sort();
}

export interface IdSelection {
  /** `--id` globs: only scenarios whose ID matches one of them. */
  ids?: string[];
  shard?: Shard;
  durations?: Map<string, number>;
}

/**
 * The tag expression that narrows a run to the scenarios the ID globs and the shard
 * choose among `pickles` (those the tags and names already select), or undefined when
 * neither was asked for.
 */
export function idExpression(pickles: readonly Pick<Pickle, 'tags' | 'name' | 'uri'>[], selection: IdSelection): string | undefined {
  if (!selection.ids?.length && !selection.shard) return undefined;
  const ids = pickles.map((pickle) => {
    const id = scenarioId(pickle);
    if (!id) throw new HarnessError(`${pickle.uri}: scenario "${pickle.name}" has no ${ID_TAG_PREFIX} tag, so --id and --shard cannot select it`);
    return id;
  });
  let chosen = [...new Set(ids)];
  for (const glob of selection.ids ?? []) {
    if (!chosen.some((id) => idGlob(glob).test(id))) throw new HarnessError(`--id ${glob}: no selected scenario has a matching ID`);
  }
  if (selection.ids?.length) chosen = chosen.filter((id) => selection.ids!.some((glob) => idGlob(glob).test(id)));
  if (selection.shard) {
    const total = chosen.length;
    chosen = shardIds(chosen, selection.shard, selection.durations);
    if (chosen.length === 0) throw new HarnessError(`--shard ${selection.shard.index}/${selection.shard.count}: this shard has no scenario (${total} selected; use fewer shards)`);
  }
  return chosen.map((id) => `${ID_TAG_PREFIX}${id}`).join(' or ');
}
