#!/usr/bin/env node
'use strict';
const { join } = require('node:path');

// The harness is TypeScript run through ts-node; type checking happens in `npm test`,
// so the CLI only transpiles, which keeps its start-up short.
require('ts-node').register({ project: join(__dirname, '..', 'tsconfig.json'), transpileOnly: true });
require('../src/cli')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
