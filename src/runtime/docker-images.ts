import './testcontainers-settings';
import { join, relative, resolve } from 'node:path';
import { GenericContainer, getContainerRuntimeClient } from 'testcontainers';
import { SKIPPED_DIRS, folderDigest } from '../build';
import type { Target } from '../contract/manifest';
import { HarnessError } from '../errors';

// Local build outputs (the process runtime's) never enter an image's digest.
const NOT_IMAGE_INPUT = new Set([...SKIPPED_DIRS, 'build']);
const images = new Map<string, Promise<string>>();

/** Where a target's image is built from: its manifest's `docker` settings, or its own folder and Dockerfile. */
export function imageSource(target: Target): { context: string; dockerfile: string; buildArgs: Record<string, string> } {
  const settings = target.manifest.docker;
  const context = resolve(target.dir, settings?.context ?? '.');
  const dockerfile = resolve(target.dir, settings?.dockerfile ?? 'Dockerfile');
  return { context, dockerfile, buildArgs: settings?.buildArgs ?? {} };
}

/**
 * The target's image, tagged by the digest of what it is built from (the target
 * folder and its `buildInputs`, as for the local build): built the first time that
 * content is seen, reused by every later run until a source changes.
 */
export function ensureImage(target: Target, log: (line: string) => void): Promise<string> {
  const { context, dockerfile, buildArgs } = imageSource(target);
  const inputs = (target.manifest.buildInputs ?? []).map((input) => resolve(target.dir, input));
  const repository = `sockspec/${target.manifest.name}`;
  const tag = `${repository}:${folderDigest(target.dir, inputs, NOT_IMAGE_INPUT).slice(0, 16)}`;
  let image = images.get(tag);
  if (!image) {
    image = buildUnlessPresent(tag, context, dockerfile, buildArgs, log).then(async (built) => {
      await removeOtherTags(repository, built);
      return built;
    });
    images.set(tag, image);
  }
  return image;
}

async function buildUnlessPresent(
  tag: string,
  context: string,
  dockerfile: string,
  buildArgs: Record<string, string>,
  log: (line: string) => void,
): Promise<string> {
  const client = await getContainerRuntimeClient();
  const present = await client.container.dockerode
    .getImage(tag)
    .inspect()
    .then(() => true, () => false);
  if (present) return tag;
  log(`building image ${tag} from ${join(context, '')} (only when its sources change)`);
  const started = Date.now();
  try {
    // BuildKit keeps no intermediate images: only the tagged target image stays behind.
    await GenericContainer.fromDockerfile(context, relative(context, dockerfile))
      .withBuildArgs(buildArgs)
      .withBuildkit()
      .build(tag, { deleteOnExit: false });
  } catch (error) {
    throw new HarnessError(`${dockerfile}: docker build failed: ${String((error as Error).message).split('\n')[0]}`);
  }
  log(`built image ${tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return tag;
}

/** Images of the target's earlier contents are never used again: only the current one is kept. */
async function removeOtherTags(repository: string, keep: string): Promise<void> {
  const client = await getContainerRuntimeClient();
  const images = await client.container.dockerode.listImages({ filters: JSON.stringify({ reference: [repository] }) });
  const stale = images.flatMap((image) => image.RepoTags ?? []).filter((tag) => tag !== keep);
  for (const tag of stale) await client.container.dockerode.getImage(tag).remove().catch(() => undefined);
}
