import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { composeFile, composePort, externalSpec } from '../src/compose';
import { bundledTargets } from '../src/targets';
import { PROJECT, runCli } from './helpers';

describe('docker-compose.yml', () => {
  it('is exactly what `sockspec compose` generates from the bundled targets', () => {
    assert.equal(composeFile(bundledTargets()), readFileSync(join(PROJECT, 'docker-compose.yml'), 'utf8'), 'regenerate with: npx sockspec compose > docker-compose.yml');
  });

  it('gives every target and service its own loopback port', () => {
    const ports = bundledTargets().flatMap((target, index) => target.manifest.services.map((service) => composePort(index, service)));
    assert.equal(new Set(ports).size, ports.length);
    assert.equal(externalSpec(bundledTargets()[0], 0), 'cpp=echo@127.0.0.1:7101,file@127.0.0.1:7102,udp-echo@127.0.0.1:7104');
  });

  it('is printed by the CLI, with the external targets to test it', () => {
    assert.equal(runCli(['compose']).stdout, readFileSync(join(PROJECT, 'docker-compose.yml'), 'utf8'));
    assert.match(runCli(['compose', '--external-targets']).stdout, /^cpp=echo@127\.0\.0\.1:7101,/);
  });
});
