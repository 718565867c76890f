import { defineParameterType } from '@cucumber/cucumber';
import { parseSize } from '../src/driver/payload';
import { escapeRegExp } from '../src/regexp';
import { SERVER_SCRIPTS, type ServerScript } from '../src/services/scripted-file-server';

defineParameterType({
  name: 'size',
  regexp: /\d+ (?:bytes?|KiB|MiB)/,
  transformer: parseSize,
});

// What the file server sockspec plays does, e.g. "never answers".
defineParameterType({
  name: 'script',
  regexp: new RegExp(SERVER_SCRIPTS.map(escapeRegExp).join('|')),
  transformer: (script: string) => script as ServerScript,
});
