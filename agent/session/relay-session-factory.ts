import type { CallSession, SessionFactory } from '../deps.ts';
import { encodeOutbound } from '../relay/outbound-frames.ts';
import { createRelaySession, type RelaySessionDeps } from './relay-session.ts';

/** Everything a session needs that is shared by all calls (the socket and logger come per call). */
export type RelaySessionFactoryOptions = Omit<RelaySessionDeps, 'send' | 'logger' | 'onEnd'>;

/** A {@link SessionFactory} for the HTTP shell: one relay session per socket, frames encoded to JSON text. */
export function createRelaySessionFactory(options: RelaySessionFactoryOptions): SessionFactory {
  return (io): CallSession =>
    createRelaySession({
      ...options,
      logger: io.logger,
      send: (frame) => io.send(encodeOutbound(frame)),
    });
}
