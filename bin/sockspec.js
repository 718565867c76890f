#!/usr/bin/env node
'use strict';
// The installed package runs the JavaScript compiled at `npm pack` (lib/). A checkout
// has the TypeScript sources and runs them, so that an edit needs no build step.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const fromSources = existsSync(join(__dirname, '..', 'src', 'cli.ts'));
if (fromSources) require('./register-typescript');
require(fromSources ? '../src/cli' : '../lib/src/cli')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
