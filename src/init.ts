import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { manifestSchema } from './contract/manifest';
import { HarnessError } from './errors';
import { BUNDLED_TARGETS_DIR, PROJECT_ROOT } from './paths';

/** The languages `sockspec init` can start from: each is a bundled reference target. */
export const INIT_LANGUAGES = ['c', 'python', 'node'] as const;
export type InitLanguage = (typeof INIT_LANGUAGES)[number];

// Build outputs, installed packages and what only the negative controls use are not part of a new target.
const NOT_COPIED = new Set(['build', 'node_modules', 'Dockerfile.faulty', 'faulty.mk']);


/**
 * Writes a new target folder that passes the suite as generated: the bundled
 * reference target of the language (a minimal, complete implementation of every
 * service and the client), under the new name, ready to be changed.
 */
export function initTarget(name: string, language: InitLanguage, dir: string): string {
  const folder = resolve(dir);
  const nameCheck = manifestSchema.shape.name.safeParse(name);
  if (!nameCheck.success) throw new HarnessError(`init ${name}: invalid target name: ${nameCheck.error.issues[0].message}`);
  if (existsSync(folder) && readdirSync(folder).length > 0) throw new HarnessError(`init ${name}: ${folder} already exists and is not empty`);
  const reference = join(BUNDLED_TARGETS_DIR, language);
  cpSync(reference, folder, { recursive: true, filter: (source) => !NOT_COPIED.has(basename(source)) });
  const manifestPath = join(folder, 'target.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  manifest.name = name;
  manifest.description = `${name}: started from sockspec's ${language} reference target (sockspec init).`;
  if (language === 'node') {
    // In this repository the reference compiles with sockspec's own TypeScript; elsewhere it brings its own.
    writeFileSync(join(folder, 'package.json'), `${JSON.stringify({ name, private: true, devDependencies: nodeBuildDependencies() }, null, 2)}\n`);
    manifest.build = 'npm install --no-audit --no-fund --silent && make';
  }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return folder;
}

/** What the node skeleton compiles with outside this repository: the versions sockspec itself pins. */
function nodeBuildDependencies(): Record<string, string> {
  const { dependencies, devDependencies } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
  return { typescript: dependencies.typescript, '@types/node': devDependencies['@types/node'] };
}
