import { resolve } from 'node:path';

/**
 * Whether this module runs from the TypeScript sources (a checkout: the development
 * loop and the project's own tests) or from the JavaScript the package ships in lib/.
 */
export const RUNS_FROM_SOURCES = __filename.endsWith('.ts');

/** The sockspec checkout or installed package: features, steps and bundled targets live here. */
export const PROJECT_ROOT = resolve(__dirname, RUNS_FROM_SOURCES ? '..' : '../..');
export const BUNDLED_TARGETS_DIR = resolve(PROJECT_ROOT, 'fixtures', 'targets');
/** Real servers nobody here wrote, each started as it is by a launch template (the field survey). */
export const FIELD_TARGETS_DIR = resolve(PROJECT_ROOT, 'fixtures', 'field');
export const FEATURES_DIR = resolve(PROJECT_ROOT, 'features');
/** The step definitions Cucumber loads: the sources in a checkout, their compiled JavaScript in the package. */
export const STEPS_DIR = resolve(PROJECT_ROOT, RUNS_FROM_SOURCES ? 'steps' : 'lib/steps');
export const STEP_FILES = RUNS_FROM_SOURCES ? '**/*.ts' : '**/*.js';
