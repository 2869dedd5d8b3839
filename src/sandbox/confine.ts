/**
 * What the render worker does to itself before any template runs. Node's permission model (v20)
 * covers files, child processes, worker threads and addons but not the network, so sockets,
 * datagrams and fetch are closed here, for good (non-writable, non-configurable).
 */
import dgram from 'node:dgram';
import net from 'node:net';

export const NETWORK_REFUSED = 'network access is not available while rendering';

export function confineProcess(): void {
  const refuse = (): never => {
    throw new Error(NETWORK_REFUSED);
  };
  Object.defineProperty(net.Socket.prototype, 'connect', { value: refuse, writable: false, configurable: false });
  Object.defineProperty(dgram, 'createSocket', { value: refuse, writable: false, configurable: false });
  Object.defineProperty(globalThis, 'fetch', { value: refuse, writable: false, configurable: false });
  Object.defineProperty(globalThis, 'WebSocket', { value: undefined, writable: false, configurable: false });
}
