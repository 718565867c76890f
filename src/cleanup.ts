import { rmSync } from 'node:fs';

/**
 * Everything a run creates outside itself (target processes, temporary folders) is
 * registered here so it is removed on a normal exit, on an error and on Ctrl-C.
 * Actions run synchronously because an 'exit' handler cannot wait.
 */
type Action = () => void;

const actions = new Set<Action>();
let installed = false;

export function onCleanup(action: Action): () => void {
  install();
  actions.add(action);
  return () => actions.delete(action);
}

export function removeOnCleanup(path: string): () => void {
  return onCleanup(() => rmSync(path, { recursive: true, force: true }));
}

export function cleanupNow(): void {
  for (const action of [...actions].reverse()) {
    actions.delete(action);
    try {
      action();
    } catch {
      // Best effort: one failed removal must not keep the others from running.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupNow);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nsockspec: interrupted by ${signal}, cleaning up\n`);
      cleanupNow();
      process.exit(code);
    });
  }
}
