import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts the aws-ses-v2-local emulator in this process (a dev dependency: the demo and tests only).
 * Its web UI lists every email sent, with working links.
 */
export async function startSesEmulator(port: number): Promise<{ url: string; close(): Promise<void> }> {
  let mod: unknown;
  try {
    mod = await import('aws-ses-v2-local');
  } catch {
    throw new Error('the demo needs the dev dependency aws-ses-v2-local: run npm install (not --omit=dev)');
  }
  const start = ((mod as { default?: { default?: unknown } }).default?.default ?? (mod as { default?: unknown }).default) as (c: { host: string; port: number }) => Promise<Server>;
  const server = await start({ host: '127.0.0.1', port }).catch(() => start({ host: '127.0.0.1', port: 0 }));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
