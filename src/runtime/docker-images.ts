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
export function ensureImage(target: Target, log: (line: string) => void, leaseLabels: Record<string, string>): Promise<string> {
  const { context, dockerfile, buildArgs } = imageSource(target);
  const inputs = (target.manifest.buildInputs ?? []).map((input) => resolve(target.dir, input));
  const repository = `sockspec/${target.manifest.name}`;
  const tag = `${repository}:${folderDigest(target.dir, inputs, NOT_IMAGE_INPUT).slice(0, 16)}`;
  let image = images.get(tag);
  if (!image) {
    const build = (): Promise<string> => buildUnlessPresent(tag, context, dockerfile, buildArgs, log);
    image = build().then(async (built) => {
      // Another run may have pruned it between the build and the lease: then build it again.
      await leaseImage(built, leaseLabels).catch(async () => leaseImage(await build(), leaseLabels));
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

/**
 * A created, never started container of the image, labelled as the run's own.
 * Docker refuses to remove an image a container refers to, so a concurrent
 * sockspec run (another checkout, another CI job) that prunes this target's
 * other tags cannot take the image away mid-run. The run's cleanup removes it.
 */
async function leaseImage(tag: string, labels: Record<string, string>): Promise<void> {
  const client = await getContainerRuntimeClient();
  await client.container.dockerode.createContainer({ Image: tag, Labels: labels, Entrypoint: ['true'] });
}

/**
 * Images of the target's earlier contents are not used again: only the current
 * one is kept, and the ones other runs still hold a lease on.
 */
async function removeOtherTags(repository: string, keep: string): Promise<void> {
  const client = await getContainerRuntimeClient();
  const images = await client.container.dockerode.listImages({ filters: JSON.stringify({ reference: [repository] }) });
  const stale = images.flatMap((image) => image.RepoTags ?? []).filter((tag) => tag !== keep);
  // Without force: an image that a container refers to stays.
  for (const tag of stale) await client.container.dockerode.getImage(tag).remove().catch(() => undefined);
}
