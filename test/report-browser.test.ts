import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import type { Summary } from '../src/report/summary-schema';
import { PROJECT, runCli, tempDir } from './helpers';

const CHROMIUM = '/usr/bin/chromium';
const browserRequired = process.env.SOCKSPEC_REQUIRE_BROWSER === '1';
const skip = !existsSync(CHROMIUM) && !browserRequired ? `no ${CHROMIUM} (Debian's chromium package; CI installs it)` : false;

// Kept under reports/ (ignored by git) so that a person can open the page and its screenshot afterwards.
const REPORT_DIR = join(PROJECT, 'reports', 'browser-test');

/** The part of the page's globals the test uses (the project compiles without the DOM's types). */
interface BrowserGlobals {
  getComputedStyle(element: unknown): { backgroundColor: string };
}

/** A baseline in which the faulty target passed everything: its failures now are regressions. */
function allPassingBaseline(): string {
  const summary = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'summaries', 'base.json'), 'utf8')) as Summary;
  for (const target of summary.targets) {
    for (const result of target.scenarios) {
      if (result.status !== 'failed') continue;
      result.status = 'passed';
      delete result.failedStep;
      delete result.message;
    }
  }
  const file = join(tempDir('baseline'), 'summary.json');
  writeFileSync(file, JSON.stringify(summary));
  return file;
}

describe('matrix.html in a browser', { skip }, () => {
  it('shows each target x scenario status of a run with a faulty target, with details on click', async () => {
    assert.ok(existsSync(CHROMIUM), `SOCKSPEC_REQUIRE_BROWSER=1, but ${CHROMIUM} is missing`);
    rmSync(REPORT_DIR, { recursive: true, force: true });
    const run = runCli(['run', '--target', 'cpp', '--target', 'faulty-serial', '--tags', '@echo', '--baseline', allPassingBaseline(), '--report-dir', REPORT_DIR]);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /### Regressions \(passed before, fail now\)\n\n(- .*\n)*- \*\*faulty-serial\*\*: Bad peers: A slow client does not delay other clients: at /);

    assert.match(
      readFileSync(join(REPORT_DIR, 'matrix.md'), 'utf8'),
      /\| Bad peers \| A slow client does not delay other clients \(features\/robustness\.feature:8\) — robust\.slow-client · @profile · [^|]+ \| ✅ passed \| 🔻 \*\*regressed\*\* \|/,
    );
    // Cucumber's own reports carry the transcript too.
    const messages = readFileSync(join(REPORT_DIR, 'faulty-serial', 'cucumber.ndjson'), 'utf8');
    assert.match(messages, /"attachment":\{"body":"Socket transcript \(client side\)/);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const fetched: string[] = [];
      page.on('request', (request) => fetched.push(request.url()));
      await page.goto(`file://${join(REPORT_DIR, 'matrix.html')}`);

      // Rows are keyed by scenario ID.
      const cell = (id: string, column: number) => page.locator(`tr[data-scenario="${id}"] td`).nth(column);
      const slowClient = 'robust.slow-client';
      assert.equal(await cell(slowClient, 0).textContent(), '✓ passed');
      assert.equal(await cell(slowClient, 1).textContent(), '✗ regressed');
      assert.equal(await cell(slowClient, 1).getAttribute('data-status'), 'failed');
      assert.match((await cell(slowClient, 1).getAttribute('title')) ?? '', /^at "that client receives the same line back while the slow client is still sending": timed out/);
      assert.equal(await cell('echo.line', 1).textContent(), '✓ passed');
      assert.equal(await cell('backlog.abort-on-overflow-dropped', 0).textContent(), '⊘ not runnable');
      assert.match((await cell('backlog.abort-on-overflow-dropped', 0).getAttribute('title')) ?? '', /needs a network namespace/);
      assert.equal(await cell('backlog.full-queue-refused', 1).textContent(), '– not applicable');
      // The failed cell is coloured apart from the passed one, not only labelled.
      const background = (column: number) => cell(slowClient, column).evaluate((element) => (globalThis as unknown as BrowserGlobals).getComputedStyle(element).backgroundColor);
      assert.notEqual(await background(0), await background(1));

      const counts = async (target: string) =>
        page.locator(`table.totals tr[data-target="${target}"] td`).allTextContents();
      // passed, failed, warned, expected failure, fixed, not applicable, not runnable, excluded, regressed: as summary.json has them.
      const summary = JSON.parse(readFileSync(join(REPORT_DIR, 'summary.json'), 'utf8')) as { targets: { name: string; scenarios: { status: string }[] }[] };
      const statuses = (target: string) => summary.targets.find((entry) => entry.name === target)!.scenarios.map((scenario) => scenario.status);
      const cppStatuses = statuses('cpp');
      const ofStatus = (status: string) => String(cppStatuses.filter((entry) => entry === status).length);
      assert.ok(cppStatuses.filter((status) => status === 'passed').length >= 17, 'the echo scenarios ran');
      assert.deepEqual(await counts('cpp'), [ofStatus('passed'), '0', '0', '0', '0', ofStatus('not applicable'), ofStatus('not runnable'), '0', '0']);
      const faulty = (await counts('faulty-serial')).map(Number);
      assert.equal(faulty[1] + faulty[0], Number(ofStatus('passed')), 'passed + failed');
      // Only a scenario the baseline has can regress: the baseline fixture predates the later features.
      assert.ok(faulty[1] >= 1 && faulty[8] >= 1 && faulty[8] <= faulty[1], `the failures the baseline passed regressed: ${faulty}`);

      const details = page.locator('section.detail:target');
      assert.equal(await details.count(), 0);
      await cell(slowClient, 1).locator('a').click();
      assert.match((await details.locator('h3').textContent()) ?? '', /^faulty-serial: A slow client does not delay other clients$/);
      assert.match((await details.locator('ol.steps li.step-failed').textContent()) ?? '', /that client receives the same line back/);
      assert.match((await details.locator('pre.transcript').textContent()) ?? '', /timed out after 10000 ms waiting for 12 bytes/);
      await page.screenshot({ path: join(REPORT_DIR, 'matrix.png'), fullPage: true });

      assert.deepEqual(
        fetched.filter((url) => !url.startsWith('file://')),
        [],
        'the page fetches nothing from the network',
      );
    } finally {
      await browser.close();
    }
    assert.ok(existsSync(join(REPORT_DIR, 'matrix.png')));
  });
});
