import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT, tempDir } from './helpers';

const SCRIPT = join(PROJECT, 'scripts', 'seed-base-image.sh');

// Made-up mirrors under .test (a reserved top-level domain): nothing here names a real one.
const MAIN = 'http://main.mirror.test/debian';
const SECURITY = 'http://security.mirror.test/debian-security';
const CLASSIC = 'http://classic.mirror.test/debian';

const DEB822 = `Types: deb
# a comment inside a stanza
URIs: ${SECURITY}
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MAIN}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

const SOURCES_LIST = `# deb http://commented.mirror.test/debian bookworm main
deb-src ${CLASSIC}-src bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${SECURITY} bookworm-security main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${CLASSIC} bookworm main contrib
`;

interface AptConfig {
  sources?: Record<string, string>;
  sourcesList?: string;
  debianMirror?: string;
}

/** Runs `seed-base-image.sh --print-mirror` against apt configuration files written in a temporary folder. */
function printMirror(config: AptConfig) {
  const dir = tempDir('apt');
  const sourcesDir = join(dir, 'sources.list.d');
  mkdirSync(sourcesDir);
  for (const [name, text] of Object.entries(config.sources ?? {})) writeFileSync(join(sourcesDir, name), text);
  const sourcesList = join(dir, 'sources.list');
  if (config.sourcesList !== undefined) writeFileSync(sourcesList, config.sourcesList);
  const env: NodeJS.ProcessEnv = { ...process.env, SOCKSPEC_APT_SOURCES_DIR: sourcesDir, SOCKSPEC_APT_SOURCES_LIST: sourcesList };
  delete env.DEBIAN_MIRROR;
  if (config.debianMirror !== undefined) env.DEBIAN_MIRROR = config.debianMirror;
  const result = spawnSync('bash', [SCRIPT, '--print-mirror'], { encoding: 'utf8', env, timeout: 10_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('seed-base-image.sh --print-mirror', () => {
  it("takes the bookworm main archive of a deb822 file, not the security archive listed before it", () => {
    const { status, stdout, stderr } = printMirror({ sources: { 'debian.sources': DEB822 } });
    assert.equal(status, 0, stderr);
    assert.equal(stdout, `${MAIN}\n`);
  });

  it('skips deb822 stanzas that are disabled, source-only or not main', () => {
    const others = [
      `Types: deb\nURIs: http://disabled.mirror.test/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n`,
      `Types: deb-src\nURIs: http://source.mirror.test/debian\nSuites: bookworm\nComponents: main\n`,
      `Types: deb\nURIs: http://contrib.mirror.test/debian\nSuites: bookworm\nComponents: contrib\n`,
    ].join('\n');
    const { status, stdout, stderr } = printMirror({ sources: { 'a-others.sources': others, 'b-debian.sources': DEB822 } });
    assert.equal(status, 0, stderr);
    assert.equal(stdout, `${MAIN}\n`);
  });

  it('falls back to the first bookworm main line of a classic sources.list', () => {
    const { status, stdout, stderr } = printMirror({ sourcesList: SOURCES_LIST });
    assert.equal(status, 0, stderr);
    assert.equal(stdout, `${CLASSIC}\n`);
  });

  it('prefers the deb822 sources to sources.list', () => {
    const { stdout } = printMirror({ sources: { 'debian.sources': DEB822 }, sourcesList: SOURCES_LIST });
    assert.equal(stdout, `${MAIN}\n`);
  });

  it('prefers DEBIAN_MIRROR to both', () => {
    const { status, stdout } = printMirror({ sources: { 'debian.sources': DEB822 }, sourcesList: SOURCES_LIST, debianMirror: 'http://chosen.mirror.test/debian' });
    assert.equal(status, 0);
    assert.equal(stdout, 'http://chosen.mirror.test/debian\n');
  });

  it('exits 1 with one line saying to set DEBIAN_MIRROR when no configuration names a mirror', () => {
    const { status, stdout, stderr } = printMirror({ sources: { 'other.sources': `Types: deb\nURIs: ${SECURITY}\nSuites: bookworm-security\nComponents: main\n` } });
    assert.equal(status, 1);
    assert.equal(stdout, '');
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /^seed-base-image: no bookworm main archive in .*; set DEBIAN_MIRROR/);
  });
});
