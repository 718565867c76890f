import { defineParameterType } from '@cucumber/cucumber';
import { parseSize } from '../src/driver/payload';
import { escapeRegExp } from '../src/regexp';
import type { Service } from '../src/contract/manifest';
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

// A service as the features name it: "a second UDP echo server".
const SERVICE_NAMES: Record<string, Service> = { echo: 'echo', 'UDP echo': 'udp-echo', file: 'file', web: 'http' };
defineParameterType({
  name: 'service',
  regexp: new RegExp(Object.keys(SERVICE_NAMES).sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')),
  transformer: (name: string) => SERVICE_NAMES[name],
});
