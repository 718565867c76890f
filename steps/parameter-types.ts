import { defineParameterType } from '@cucumber/cucumber';
import { parseSize } from '../src/driver/payload';

defineParameterType({
  name: 'size',
  regexp: /\d+ (?:bytes?|KiB|MiB)/,
  transformer: parseSize,
});
