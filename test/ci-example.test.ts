import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT, runCli } from './helpers';

// docs/github-actions.yml is the workflow a user copies into their own repository. The
// project declares no YAML library, so these checks read its text with regular
// expressions; the workflow's layout (two-space indents, one step per "- ") is fixed.
const WORKFLOW = readFileSync(join(PROJECT, 'docs', 'github-actions.yml'), 'utf8');

/** The text of each job under `jobs:`, by job id. */
function jobs(workflow: string): Map<string, string> {
  const body = workflow.slice(workflow.search(/^jobs:\s*$/m));
  const result = new Map<string, string>();
  const headers = [...body.matchAll(/^ {2}([\w-]+):\s*$/gm)];
  headers.forEach((header, index) => result.set(header[1], body.slice(header.index, headers[index + 1]?.index ?? body.length)));
  return result;
}

/** A job's steps, each as its text. */
const steps = (job: string): string[] => job.split(/^(?= {6}- )/m).slice(1);

/** The steps of a job that use an action, e.g. actions/upload-artifact. */
const stepsUsing = (job: string, action: string): string[] => steps(job).filter((step) => new RegExp(`uses: ${action}@`).test(step));

/** A `with:` input of a step. */
function input(step: string, name: string): string {
  assert.ok(step.includes('with:'), `the step has no with:\n${step}`);
  const match = new RegExp(`^ +${name}: (.+)$`, 'm').exec(step.slice(step.indexOf('with:')));
  assert.ok(match, `the step has no ${name}:\n${step}`);
  return match[1].trim();
}

/** One word of a command line, a `${{ ... }}` expression (spaces and all) counting as part of it. */
const WORD = String.raw`((?:\$\{\{[^}]*\}\}|[^\s$])+)`;

const job = (name: string): string => {
  const text = jobs(WORKFLOW).get(name);
  assert.ok(text, `the workflow has a job "${name}"`);
  return text;
};

interface Invocation {
  line: string;
  command: string;
  /** Words after the command, with each `${{ ... }}` expression turned into one word. */
  words: string[];
  /** Whether it is a step's command (not an example in a comment). */
  inStep: boolean;
}

/** Every `npx sockspec <command> ...` in the workflow, and every `sockspec <command> ...` quoted in a comment. */
function invocations(workflow: string): Invocation[] {
  return workflow.split('\n').flatMap((line) => {
    const inComment = /^\s*#/.test(line);
    const pattern = inComment ? /`(?:npx )?sockspec (\w+)([^`]*)`/g : /npx sockspec (\w+)([^|;&#\n]*)/g;
    return [...line.matchAll(pattern)].map(([, command, rest]) => ({
      line: line.trim(),
      command,
      words: rest.replace(/\$\{\{[^}]*\}\}/g, 'EXPR').trim().split(/\s+/).filter(Boolean),
      inStep: !inComment,
    }));
  });
}

interface Help {
  /** Each option, and whether it takes a value. */
  options: Map<string, boolean>;
  /** The positional arguments of its usage line, e.g. ['<base>', '<new>']. */
  positionals: string[];
}

function help(command: string): Help {
  const { status, stdout, stderr } = runCli([command, '--help']);
  assert.equal(status, 0, `sockspec ${command} --help: ${stderr}`);
  const options = new Map([...stdout.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)( [<[])?/gm)].map(([, option, value]) => [option, value !== undefined]));
  const usage = /^Usage: sockspec \w+ (.*)$/m.exec(stdout);
  assert.ok(usage, stdout);
  return { options, positionals: usage[1].split(/\s+/).filter((word) => /^[<[]/.test(word) && word !== '[options]') };
}

describe('the CI example', () => {
  it('uses only sockspec commands and options that exist, with the arguments they take', () => {
    const all = invocations(WORKFLOW);
    assert.deepEqual([...new Set(all.filter(({ inStep }) => inStep).map(({ command }) => command))].sort(), ['diff', 'merge', 'run']);
    const helps = new Map<string, Help>();
    for (const { line, command, words, inStep } of all) {
      if (!helps.has(command)) helps.set(command, help(command));
      const { options, positionals } = helps.get(command)!;
      const given: string[] = [];
      for (let index = 0; index < words.length; index++) {
        const word = words[index];
        if (!word.startsWith('--')) {
          given.push(word);
          continue;
        }
        assert.ok(options.has(word), `sockspec ${command} has no ${word}: ${line}`);
        if (options.get(word)) {
          index++;
          assert.ok(index < words.length && !words[index].startsWith('--'), `${word} needs a value: ${line}`);
        }
      }
      if (!inStep) continue;
      const required = positionals.filter((word) => word.startsWith('<'));
      const variadic = positionals.some((word) => word.endsWith('...>') || word.endsWith('...]'));
      assert.ok(given.length >= required.length, `sockspec ${command} needs ${required.join(' ')}: ${line}`);
      if (!variadic) assert.ok(given.length <= positionals.length, `sockspec ${command} takes only ${positionals.join(' ')}: ${line}`);
    }
  });

  it('runs the shards 1..N of every --shard K/N, and merges every shard', () => {
    const run = job('run');
    const matrix = /^ +shard: \[([^\]]*)\]/m.exec(run);
    assert.ok(matrix, 'the run job has a shard matrix');
    const shards = matrix[1].split(',').map((shard) => Number(shard.trim()));

    const shardFlags = [...WORKFLOW.matchAll(new RegExp(String.raw`--shard(?:\s+${WORD})?`, 'g'))].map((flag) => flag[1] ?? '');
    assert.ok(shardFlags.length > 0, 'the workflow runs shards');
    const counts = shardFlags.map((flag) => {
      const parts = /^\$\{\{ matrix\.shard \}\}\/(\d+)$/.exec(flag);
      assert.ok(parts, `--shard ${flag} is not "\${{ matrix.shard }}/N"`);
      return Number(parts[1]);
    });
    const count = counts[0];
    assert.ok(counts.every((n) => n === count), `every --shard divides by the same N: ${counts.join(', ')}`);
    assert.deepEqual(shards, Array.from({ length: count }, (_, index) => index + 1));

    // Each shard uploads the folder its run writes, under a name the merge job downloads.
    const runCommand = new RegExp(String.raw`npx sockspec run .*--report-dir ${WORD}`).exec(run);
    assert.ok(runCommand, 'the run job runs the suite with --report-dir');
    const [upload] = stepsUsing(run, 'actions/upload-artifact');
    assert.ok(upload, 'the run job uploads its report');
    assert.match(upload, /^ +if: always\(\)$/m, 'a failing shard still uploads its report');
    assert.equal(input(upload, 'path'), runCommand[1]);
    const artifact = input(upload, 'name');
    assert.match(artifact, /\$\{\{ matrix\.shard \}\}/, 'each shard uploads under a name of its own');

    const merge = job('merge');
    assert.match(merge, /^ {4}needs: (run|\[.*\brun\b.*\])$/m, 'the merge job waits for the shards');
    assert.match(merge, /^ {4}if: always\(\)$/m, 'the merge job runs when a shard failed too');
    const [download] = stepsUsing(merge, 'actions/download-artifact');
    assert.ok(download, 'the merge job downloads the shards');
    const pattern = input(download, 'pattern');
    const glob = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    for (const shard of shards) {
      const name = artifact.replace(/\$\{\{ matrix\.shard \}\}/g, String(shard));
      assert.match(name, glob, `the download pattern ${pattern} misses shard ${shard}'s artifact ${name}`);
    }
    for (const other of stepsUsing(merge, 'actions/upload-artifact')) {
      assert.doesNotMatch(input(other, 'name'), glob, 'the merged report is not taken for a shard');
    }
    const mergeCommand = new RegExp(String.raw`npx sockspec merge ${WORD}`).exec(merge);
    assert.ok(mergeCommand, 'the merge job runs sockspec merge');
    assert.equal(mergeCommand[1], `${input(download, 'path')}/*`, 'sockspec merge reads every downloaded shard');
  });

  it("runs against the user's own target, with sockspec from the user's package.json", () => {
    for (const { line } of invocations(WORKFLOW).filter(({ command, inStep }) => command === 'run' && inStep)) {
      assert.match(line, /--target \.\/(\s|$)/, `not the repository's own target: ${line}`);
    }
    assert.doesNotMatch(WORKFLOW, /git clone/);
    assert.doesNotMatch(WORKFLOW, /fixtures\/targets/);
    assert.doesNotMatch(WORKFLOW, /working-directory|^\s*(- )?(run: )?cd /m, 'everything runs at the root of the user repository');
    // npx would fetch a package that is not installed; npm ci installs the one package-lock.json pins.
    assert.doesNotMatch(WORKFLOW, /npx (-y|--yes|-p|--package)\b|npm (i|install) (?!-D sockspec`)/);
    assert.match(WORKFLOW, /^#.*`npm i -D sockspec`/m, 'the header says how to add sockspec to the repository');
    for (const [name, text] of jobs(WORKFLOW)) {
      const ci = text.search(/^ +- run: npm ci\b/m);
      const sockspec = text.search(/npx sockspec /);
      if (sockspec === -1) continue;
      assert.ok(ci !== -1 && ci < sockspec, `job ${name} installs the dependencies with npm ci before it runs sockspec`);
      assert.ok(text.indexOf('uses: actions/checkout@') < ci, `job ${name} checks out the repository first`);
      const [node] = stepsUsing(text, 'actions/setup-node');
      assert.ok(node, `job ${name} sets up Node`);
      assert.equal(input(node, 'node-version'), '20');
      assert.equal(input(node, 'cache'), 'npm');
    }
  });
});
