/**
 * A parallel worker (a child process of the sockspec run) whose run is gone,
 * interrupted or killed, must not live on with its servers: exiting runs its
 * cleanup, which stops them and removes its containers and temporary folders.
 */
if (process.env.CUCUMBER_PARALLEL === 'true' && process.connected) {
  process.once('disconnect', () => process.exit(130));
}
