import { WebSocket } from 'ws';
import type { ClientOptions, RawData } from 'ws';
import type { Clock, TimerHandle } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import { computeTwilioSignature } from './signature.ts';
import type { SigningMode } from './signed-form-request.ts';

/**
 * One WebSocket frame of a ConversationRelay session, either way. `in` = received from the agent,
 * `out` = sent by the fake Twilio. `at` is simulator-clock ms.
 */
export interface RelayFrame {
  readonly index: number;
  readonly dir: 'in' | 'out';
  readonly at: number;
  /** The text of the frame; base64 of the bytes when `binary`. */
  readonly raw: string;
  readonly binary?: true;
  /** The JSON value of a text frame, when it is valid JSON. */
  readonly parsed?: unknown;
  /** An outbound frame that was not sent because the socket was not open. */
  readonly unsent?: true;
}

/** What the handshake sent and got back. */
export interface RelayHandshake {
  /** The TwiML `url`, verbatim: what the signature covers. */
  readonly signedUrl: string;
  /** The URL actually dialled (`ws://` after a loopback downgrade). */
  readonly connectUrl: string;
  readonly downgraded: boolean;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly status?: number;
  readonly responseHeaders?: Readonly<Record<string, string | string[] | undefined>>;
}

/** Whether the socket opened; a failed handshake is a value (Twilio error 64102), not an exception. */
export type RelayConnectOutcome =
  | { readonly status: 'open'; readonly at: number }
  | { readonly status: 'failed'; readonly at: number; readonly reason: string; readonly httpStatus?: number };

/** How the socket ended. */
export interface RelayClose {
  readonly code: number;
  readonly reason: string;
  readonly at: number;
  /** `simulator` when the fake Twilio closed first; `network` for an abnormal end (1006). */
  readonly initiatedBy: 'simulator' | 'agent' | 'network';
  readonly wasOpen: boolean;
}

/** TLS settings for a real `wss://` connection; when given, loopback URLs are not downgraded. */
export type RelayTlsOptions = Pick<ClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'checkServerIdentity'>;

/** Inputs of {@link connectRelayClient}. */
export interface RelayClientOptions {
  /** The `<ConversationRelay url>` exactly as in the TwiML. */
  readonly url: string;
  readonly authToken: string;
  readonly clock: Clock;
  readonly tls?: RelayTlsOptions;
  readonly signing?: SigningMode;
  /** Give up on the handshake after this long on the clock (default 10 s). */
  readonly connectTimeoutMs?: number;
  /**
   * Keep every frame in {@link RelayClient.frames} (default true). Load runs turn it off: frames
   * then only reach listeners and waiters as they pass, and waits cannot look back in history.
   */
  readonly keepFrames?: boolean;
}

/** Options of {@link RelayClient.waitFor}. */
export interface WaitOptions {
  readonly timeoutMs: number;
  /** Names the awaited thing in the timeout error. */
  readonly description: string;
  /** Only frames with at least this index count (default 0: the whole history). */
  readonly fromIndex?: number;
}

interface Waiter {
  readonly match: (frame: RelayFrame) => boolean;
  readonly description: string;
  readonly resolve: (frame: RelayFrame) => void;
  readonly reject: (error: Error) => void;
  readonly timer: TimerHandle;
}

/** `127.0.0.0/8`, `localhost` and `::1`: hosts a `wss://` URL is downgraded for without TLS. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function frameType(frame: RelayFrame): string | undefined {
  const parsed = frame.parsed;
  return typeof parsed === 'object' && parsed !== null && 'type' in parsed && typeof parsed.type === 'string' ? parsed.type : undefined;
}

function tryJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/**
 * The fake Twilio's side of the ConversationRelay socket: a signed handshake, the full frame
 * history both ways, and awaitables whose timeouts run on the injected clock and name what they
 * waited for.
 */
export class RelayClient {
  /** Every frame both ways, in order (empty when `keepFrames` is false). */
  readonly frames: RelayFrame[] = [];
  readonly handshake: RelayHandshake;
  /** Resolves once: open, or failed with the reason. Never rejects. */
  readonly connected: Promise<RelayConnectOutcome>;
  /** Resolves once the socket has ended (also after a failed handshake). Never rejects. */
  readonly closed: Promise<RelayClose>;

  readonly #clock: Clock;
  readonly #keepFrames: boolean;
  #frameCount = 0;
  readonly #ws: WebSocket;
  readonly #listeners = new Set<(frame: RelayFrame) => void>();
  #waiters: Waiter[] = [];
  #cursor = 0;
  #closeRequested = false;
  #opened = false;
  #close: RelayClose | undefined;
  #httpStatus: number | undefined;
  #responseHeaders: RelayHandshake['responseHeaders'];
  #lastError: string | undefined;

  constructor(options: RelayClientOptions) {
    this.#clock = options.clock;
    this.#keepFrames = options.keepFrames ?? true;
    const parsed = new URL(options.url);
    const downgraded = parsed.protocol === 'wss:' && options.tls === undefined && isLoopbackHost(parsed.hostname);
    const connectUrl = downgraded ? options.url.replace(/^wss:/i, 'ws:') : options.url;
    const signature = computeTwilioSignature(options.authToken, options.url);
    const requestHeaders: Record<string, string> = { 'User-Agent': 'Twilio.TmeWs/1.0' };
    // A downgraded connection stands in for Twilio → TLS-terminating proxy → agent, so it carries
    // what such a proxy adds: an agent rebuilding its public wss:// URL to check the signature
    // (conversationrelay.md §7.1) then sees the scheme and host Twilio actually used.
    if (downgraded) {
      requestHeaders['X-Forwarded-Proto'] = 'https';
      requestHeaders['X-Forwarded-Host'] = parsed.host;
    }
    const signing = options.signing ?? 'valid';
    if (signing !== 'missing') requestHeaders['X-Twilio-Signature'] = signing === 'valid' ? signature : (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    const handshake = { signedUrl: options.url, connectUrl, downgraded, requestHeaders };
    this.handshake = handshake;

    let settleConnected: (outcome: RelayConnectOutcome) => void = () => undefined;
    this.connected = new Promise((resolve) => (settleConnected = resolve));
    let settleClosed: (close: RelayClose) => void = () => undefined;
    this.closed = new Promise((resolve) => (settleClosed = resolve));

    // No subprotocol, no Origin, no compression: what a Twilio media-socket capture shows (§3.1).
    this.#ws = new WebSocket(connectUrl, [], { headers: requestHeaders, perMessageDeflate: false, ...options.tls });
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const connectTimer = this.#clock.setTimer(connectTimeoutMs, () => {
      if (this.#opened) return;
      this.#lastError = `no WebSocket handshake within ${connectTimeoutMs} ms`;
      this.#ws.terminate();
    });

    this.#ws.on('upgrade', (res) => {
      this.#httpStatus = res.statusCode;
      this.#responseHeaders = { ...res.headers };
    });
    this.#ws.on('unexpected-response', (_req, res) => {
      this.#httpStatus = res.statusCode;
      this.#responseHeaders = { ...res.headers };
      this.#lastError = `the server answered the upgrade with HTTP ${res.statusCode} instead of 101`;
      this.#ws.terminate();
    });
    this.#ws.on('open', () => {
      this.#opened = true;
      connectTimer.cancel();
      settleConnected({ status: 'open', at: this.#clock.now() });
    });
    this.#ws.on('error', (error) => {
      this.#lastError ??= error.message;
    });
    this.#ws.on('message', (data: RawData, isBinary: boolean) => this.#receive(data, isBinary));
    this.#ws.on('close', (code: number, reason: Buffer) => {
      connectTimer.cancel();
      const at = this.#clock.now();
      if (!this.#opened) {
        const failure = { status: 'failed' as const, at, reason: this.#lastError ?? `socket closed with code ${code} before opening` };
        settleConnected(this.#httpStatus === undefined || this.#httpStatus === 101 ? failure : { ...failure, httpStatus: this.#httpStatus });
      }
      const initiatedBy = this.#closeRequested ? 'simulator' : code === 1006 ? 'network' : 'agent';
      this.#close = { code, reason: reason.toString('utf8'), at, initiatedBy, wasOpen: this.#opened };
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const waiter of waiters) {
        waiter.timer.cancel();
        waiter.reject(new SimErrors.SIM_ERR_TWILIO_SOCKET_CLOSED(waiter.description, code));
      }
      settleClosed(this.#close);
    });
  }

  /** The handshake with what came back (status and headers once known). */
  get handshakeRecord(): RelayHandshake {
    return {
      ...this.handshake,
      ...(this.#httpStatus === undefined ? {} : { status: this.#httpStatus }),
      ...(this.#responseHeaders === undefined ? {} : { responseHeaders: this.#responseHeaders }),
    };
  }

  /** Frames so far, both ways: the index the next one gets (kept or not). */
  get frameCount(): number {
    return this.#frameCount;
  }

  /** True while frames can be sent. */
  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** The close, once the socket has ended. */
  get closeInfo(): RelayClose | undefined {
    return this.#close;
  }

  /** Calls `listener` synchronously for every frame received from the agent; returns an unsubscribe. */
  onFrame(listener: (frame: RelayFrame) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sends a JSON frame; returns false (and records it as unsent) when the socket is not open. */
  send(value: unknown): boolean {
    const raw = JSON.stringify(value);
    return this.#sendText(raw, { value });
  }

  /** Sends arbitrary text or bytes (robustness probes); recorded like any other frame. */
  sendRaw(data: string | Uint8Array): boolean {
    if (typeof data === 'string') return this.#sendText(data, tryJson(data));
    const raw = Buffer.from(data).toString('base64');
    const open = this.isOpen;
    this.#record({ dir: 'out', raw, binary: true, ...(open ? {} : { unsent: true as const }) });
    if (open) this.#ws.send(data, { binary: true });
    return open;
  }

  /** Starts a close handshake from the fake Twilio side. */
  close(code = 1000, reason = ''): void {
    if (this.#ws.readyState === WebSocket.CLOSED || this.#ws.readyState === WebSocket.CLOSING) return;
    this.#closeRequested = true;
    if (this.#ws.readyState === WebSocket.CONNECTING) this.#ws.terminate();
    else this.#ws.close(code, reason);
  }

  /** Drops the TCP connection without a close frame (a network failure). */
  terminate(): void {
    this.#closeRequested = true;
    this.#ws.terminate();
  }

  /**
   * The next agent frame after the previous `nextFrame` result (optionally of `type`, skipping
   * others). Frames already received count, so nothing is missed between calls.
   */
  nextFrame(options: { readonly type?: string; readonly timeoutMs: number; readonly description?: string }): Promise<RelayFrame> {
    const description = options.description ?? `the next agent frame${options.type ? ` of type '${options.type}'` : ''}`;
    const matches = (f: RelayFrame): boolean => f.dir === 'in' && f.index >= this.#cursor && (options.type === undefined || frameType(f) === options.type);
    return this.#wait(matches, { timeoutMs: options.timeoutMs, description }).then((frame) => {
      this.#cursor = frame.index + 1;
      return frame;
    });
  }

  /** The first frame (either way, from `fromIndex`) satisfying `predicate`, waiting if needed. */
  waitFor(predicate: (frame: RelayFrame) => boolean, options: WaitOptions): Promise<RelayFrame> {
    const fromIndex = options.fromIndex ?? 0;
    return this.#wait((f) => f.index >= fromIndex && predicate(f), options);
  }

  #wait(match: (frame: RelayFrame) => boolean, options: { timeoutMs: number; description: string }): Promise<RelayFrame> {
    const found = this.frames.find(match);
    if (found) return Promise.resolve(found);
    if (this.#close) return Promise.reject(new SimErrors.SIM_ERR_TWILIO_SOCKET_CLOSED(options.description, this.#close.code));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        description: options.description,
        resolve,
        reject,
        timer: this.#clock.setTimer(options.timeoutMs, () => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(new SimErrors.SIM_ERR_WAIT_TIMEOUT(options.timeoutMs, options.description));
        }),
      };
      this.#waiters.push(waiter);
    });
  }

  #sendText(raw: string, parsed: { value: unknown } | undefined): boolean {
    const open = this.isOpen;
    this.#record({ dir: 'out', raw, ...(parsed ? { parsed: parsed.value } : {}), ...(open ? {} : { unsent: true as const }) });
    if (open) this.#ws.send(raw);
    return open;
  }

  #receive(data: RawData, isBinary: boolean): void {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      this.#record({ dir: 'in', raw: buffer.toString('base64'), binary: true });
      return;
    }
    const raw = buffer.toString('utf8');
    const parsed = tryJson(raw);
    this.#record({ dir: 'in', raw, ...(parsed ? { parsed: parsed.value } : {}) });
  }

  #record(partial: Omit<RelayFrame, 'index' | 'at'>): void {
    const frame: RelayFrame = { index: this.#frameCount++, at: this.#clock.now(), ...partial };
    // Kept frames outlive many young-generation collections; a load run of hundreds of calls
    // streaming tokens made the kit's scavenges (and so its timestamps) slow by keeping them.
    if (this.#keepFrames) this.frames.push(frame);
    if (frame.dir === 'in') for (const listener of [...this.#listeners]) listener(frame);
    for (const waiter of [...this.#waiters]) {
      if (!this.#waiters.includes(waiter) || !waiter.match(frame)) continue;
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
      waiter.timer.cancel();
      waiter.resolve(frame);
    }
  }
}

/** Opens the ConversationRelay socket to the TwiML URL with a signed handshake. */
export function connectRelayClient(options: RelayClientOptions): RelayClient {
  return new RelayClient(options);
}
