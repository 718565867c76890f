import { resolve } from 'node:path';

/** The sockspec checkout or installed package: features, steps and bundled targets live here. */
export const PROJECT_ROOT = resolve(__dirname, '..');
export const BUNDLED_TARGETS_DIR = resolve(PROJECT_ROOT, 'fixtures', 'targets');
export const FEATURES_DIR = resolve(PROJECT_ROOT, 'features');
export const STEPS_DIR = resolve(PROJECT_ROOT, 'steps');
