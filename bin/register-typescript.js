'use strict';
// Registers ts-node once per process: the CLI itself, and each of Cucumber's parallel
// workers, which load it as a support module before the TypeScript step definitions.
// Type checking happens in `npm test`, so this only transpiles, which keeps start-up short.
const { join } = require('node:path');
const tsNode = require('ts-node');

if (!process[tsNode.REGISTER_INSTANCE]) tsNode.register({ project: join(__dirname, '..', 'tsconfig.json'), transpileOnly: true });
