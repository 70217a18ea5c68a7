import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cryptoRandom, type Random } from '../core/random.ts';

/**
 * Where {@link findFreePort} looks first: below the ranges kernels hand to outgoing connections
 * (Linux 32768–60999, macOS and Windows 49152–65535). A port picked there and released can be
 * taken by any outgoing connection before the agent binds it (seen as EADDRINUSE when a race
 * restarts a replica while its proxy opens connections); a port below them can only be taken by
 * another listener.
 */
export const PICKED_PORTS = Object.freeze({ first: 20_000, last: 32_767 });

/** Whether `port` on `host` can be listened on right now. */
function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port the kernel chose (inside the outgoing range): the fallback. */
function anyPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A TCP port that was free a moment ago on `host`. The agent must know its port before it starts
 * (its `PUBLIC_URL`, which Twilio signs, names it), so the runner picks one instead of using port 0:
 * at random in {@link PICKED_PORTS}, else one the kernel chooses.
 */
export async function findFreePort(host = '127.0.0.1', random: Random = cryptoRandom): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = random.int(PICKED_PORTS.first, PICKED_PORTS.last);
    if (await canListen(host, port)) return port;
  }
  return anyPort(host);
}
