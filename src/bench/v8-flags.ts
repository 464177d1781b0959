/**
 * The V8 flags a service process is deployed with (the Dockerfile's NODE_OPTIONS), for the benches
 * that start one: the old-space cap and the young generation's semi-space size. 0 leaves V8's default.
 */
export const DEPLOYED_HEAP_MB = 192;
export const DEPLOYED_SEMI_SPACE_MB = 4;

export function serviceV8Flags(heapMb: number | undefined, semiSpaceMb: number | undefined): string[] {
  return [...(heapMb ? [`--max-old-space-size=${heapMb}`] : []), ...(semiSpaceMb ? [`--max-semi-space-size=${semiSpaceMb}`] : [])];
}
