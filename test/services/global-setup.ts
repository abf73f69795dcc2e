/**
 * vitest global setup: starts every service the suites need that is not running, once per run,
 * and stops (by process id) what it started. A service that cannot be had fails the run.
 */
import { SERVICE_STARTERS } from './registry.js';

export default async function setup(): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  for (const starter of SERVICE_STARTERS) {
    const stop = await starter();
    if (stop) stops.push(stop);
  }
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
