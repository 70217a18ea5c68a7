/**
 * The outcome of one export attempt (after OTel's `export-response.ts`). Expected failures are
 * values: `failure` must never be retried, `retryable` may be, after `retryInMs` when the server
 * said so (Retry-After).
 */
export type ExportResult =
  | {
      readonly status: 'success';
      readonly httpStatus?: number;
      /** Set when a 2xx body reported rejected spans or a warning (OTLP partial success). */
      readonly warning?: string;
    }
  | { readonly status: 'failure'; readonly error: string; readonly httpStatus?: number }
  | { readonly status: 'retryable'; readonly retryInMs?: number; readonly error: string; readonly httpStatus?: number };

/** One POST of an encoded trace for one simulation. */
export interface ExportRequest {
  /** The JSON body (an ExportTraceServiceRequest). */
  readonly body: string;
  /** Sent as `X-Simulation-Id`. */
  readonly simulationOutputId: string;
  /** Gives up on this attempt after this many milliseconds of the clock. */
  readonly timeoutMs: number;
  /** Aborts the attempt (e.g. when a drain runs out of time). */
  readonly signal?: AbortSignal;
}

/** Sends one {@link ExportRequest}; never rejects, every outcome is an {@link ExportResult}. */
export interface TraceTransport {
  send(request: ExportRequest): Promise<ExportResult>;
}
