import type { SockspecWorld } from './world';

/**
 * State that only one feature's steps use, kept in that step module instead of the
 * World: made fresh on a scenario's first use, and gone with the scenario's World.
 */
export function scenarioState<State extends object>(create: () => State): (world: SockspecWorld) => State {
  const states = new WeakMap<SockspecWorld, State>();
  return (world) => {
    let state = states.get(world);
    if (!state) states.set(world, (state = create()));
    return state;
  };
}
