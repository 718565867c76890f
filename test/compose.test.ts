import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { composeFile, composePort, externalSpec } from '../src/compose';
import { referenceTargets } from '../src/targets';
import { PROJECT, runCli } from './helpers';

describe('docker-compose.yml', () => {
  it('is exactly what `sockspec compose` generates from the bundled targets', () => {
    assert.equal(composeFile(referenceTargets()), readFileSync(join(PROJECT, 'docker-compose.yml'), 'utf8'), 'regenerate with: npx sockspec compose > docker-compose.yml');
  });

  it('gives every target and service its own loopback port', () => {
    const ports = referenceTargets().flatMap((target, index) => target.manifest.services.map((service) => composePort(index, service)));
    assert.equal(new Set(ports).size, ports.length);
    assert.equal(externalSpec(referenceTargets()[1], 1), 'cpp=echo@127.0.0.1:7111,file@127.0.0.1:7112,http@127.0.0.1:7113,udp-echo@127.0.0.1:7114');
  });

  it('is printed by the CLI, with the external targets to test it', () => {
    assert.equal(runCli(['compose']).stdout, readFileSync(join(PROJECT, 'docker-compose.yml'), 'utf8'));
    assert.match(runCli(['compose', '--external-targets']).stdout, /^cpp=echo@127\.0\.0\.1:7111,/m);
  });
});
