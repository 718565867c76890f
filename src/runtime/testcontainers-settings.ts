/**
 * How sockspec uses testcontainers, set before anything of it runs; every module
 * that talks to Docker through it imports this first. The reaper image cannot be
 * pulled where no registry is reachable, and sockspec removes what it starts itself;
 * the harness only ever talks to loopback.
 */
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';

export {};
