import { getContainerRuntimeClient } from 'testcontainers';
import { ownedLabels } from './container-owners';
import { withTimeout } from '../driver/wait';
import { exitFromStatus } from './docker-container';
import type { ClientExit, ClientRequest, ServerExit } from './runtime';

/** How often the container's state is read beside the wait for its exit. */
const STATE_POLL_MS = 250;

/**
 * Runs a client in a one-shot container of `image` on the host's network, so that it
 * reaches the harness's servers on loopback, as a local client would. Driven through
 * the Docker API directly: testcontainers polls one-shot containers once a second,
 * which would blur the client's timing.
 */
export async function runClientContainer(image: string, argv: string[], request: ClientRequest): Promise<ClientExit> {
  const docker = (await getContainerRuntimeClient()).container.dockerode;
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: argv,
    Cmd: request.args,
    Labels: ownedLabels(),
    // A terminal merges stdout and stderr into one plain stream, which is all the report shows.
    Tty: true,
    HostConfig: { NetworkMode: 'host', Init: true, Binds: [`${request.outDir}:${request.outDir}:rw`] },
  });
  try {
    const waited = container.wait({ condition: 'next-exit' }).then((result: { StatusCode: number }) => exitFromStatus(result.StatusCode));
    // The wait is one long-polled request; should the engine drop it under load, the container's state still tells.
    let polling = true;
    const polled = (async (): Promise<ServerExit> => {
      for (;;) {
        await new Promise((tick) => setTimeout(tick, STATE_POLL_MS));
        const { State } = await container.inspect();
        if (!polling || (!State.Running && State.FinishedAt && !State.FinishedAt.startsWith('0001'))) return exitFromStatus(State.ExitCode);
      }
    })();
    const exited = Promise.race([waited, polled]).finally(() => (polling = false));
    await container.start();
    let killed = false;
    const exit = await withTimeout(exited, request.killAfterMs, 'the client container to exit').catch(async () => {
      killed = true;
      await container.kill().catch(() => undefined);
      return exited;
    });
    const output = (await container.logs({ stdout: true, stderr: true })).toString().replace(/\r/g, '').trim();
    return { ...exit, output, killed };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
