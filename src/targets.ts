import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { MANIFEST_FILE, loadTarget, type Target } from './contract/manifest';
import { HarnessError } from './errors';
import { BUNDLED_TARGETS_DIR, FIELD_TARGETS_DIR } from './paths';

/** Every bundled target: the reference implementations and the negative controls. */
export function bundledTargets(targetsDir = BUNDLED_TARGETS_DIR): Target[] {
  return readdirSync(targetsDir)
    .filter((entry) => existsSync(join(targetsDir, entry, MANIFEST_FILE)))
    .sort()
    .map((entry) => loadTarget(join(targetsDir, entry)));
}

/** The real servers of the field survey (fixtures/field): neither reference targets nor negative controls. */
export const fieldTargets = (fieldDir = FIELD_TARGETS_DIR): Target[] => (existsSync(fieldDir) ? bundledTargets(fieldDir) : []);

export const isNegativeControl = (target: Target): boolean => target.manifest.fault !== undefined;

/** The bundled reference implementations: every target but the negative controls. */
export const referenceTargets = (targetsDir = BUNDLED_TARGETS_DIR): Target[] => bundledTargets(targetsDir).filter((target) => !isNegativeControl(target));

/**
 * Resolves `--target`: `all` (every bundled reference target; negative controls are
 * run by name, since they exist to fail), `field` (every real server of the field
 * survey), a bundled or field target's name, or a path to a
 * folder holding target.json (a user's own implementation, anywhere on disk).
 */
export function resolveTargets(selector: string, targetsDir = BUNDLED_TARGETS_DIR, fieldDir = FIELD_TARGETS_DIR): Target[] {
  if (selector === 'field') {
    const field = bundledTargets(fieldDir);
    if (field.length === 0) throw new HarnessError(`${fieldDir}: no field targets found`);
    return field;
  }
  if (selector === 'all') {
    const references = bundledTargets(targetsDir).filter((target) => !isNegativeControl(target));
    if (references.length === 0) throw new HarnessError(`${targetsDir}: no bundled reference targets found`);
    return references;
  }
  if (looksLikePath(selector)) {
    const dir = resolve(selector);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new HarnessError(`--target ${selector}: no such directory`);
    }
    return [loadTarget(dir)];
  }
  const fieldTarget = join(fieldDir, selector);
  if (existsSync(join(fieldTarget, MANIFEST_FILE))) return [loadTarget(fieldTarget)];
  const bundledDir = join(targetsDir, selector);
  if (!existsSync(join(bundledDir, MANIFEST_FILE))) {
    const known = bundledTargets(targetsDir).map((target) => target.manifest.name);
    throw new HarnessError(`--target ${selector}: unknown target (bundled: ${known.join(', ')}; or give a path to a folder with ${MANIFEST_FILE})`);
  }
  return [loadTarget(bundledDir)];
}

function looksLikePath(selector: string): boolean {
  return isAbsolute(selector) || selector.startsWith('.') || selector.includes('/');
}
