import type { LlmErrorReply } from './script.ts';

/** The body OpenAI sends with every non-2xx status. */
export interface OpenAiErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly param: string | null;
    readonly code: string | null;
  };
}

/** An error response ready to send: status, extra headers, body. */
export interface OpenAiErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: OpenAiErrorBody;
}

/** Builds OpenAI's error envelope. */
export function openAiError(
  status: number,
  message: string,
  options: { type?: string; param?: string | null; code?: string | null; headers?: Record<string, string> } = {},
): OpenAiErrorResponse {
  return {
    status,
    headers: options.headers ?? {},
    body: {
      error: {
        message,
        type: options.type ?? 'invalid_request_error',
        param: options.param ?? null,
        code: options.code ?? null,
      },
    },
  };
}

/** 401 without an API key, in OpenAI's wording. */
export function missingApiKeyError(): OpenAiErrorResponse {
  return openAiError(
    401,
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
  );
}

/** 401 for a key the fake was told not to accept; the key is masked as OpenAI does. */
export function incorrectApiKeyError(key: string): OpenAiErrorResponse {
  const masked = key.length > 8 ? `${key.slice(0, 3)}*${'*'.repeat(Math.min(20, key.length - 7))}${key.slice(-4)}` : '***';
  return openAiError(
    401,
    `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    { code: 'invalid_api_key' },
  );
}

/** 400 for a body that is not JSON. */
export function invalidJsonError(): OpenAiErrorResponse {
  return openAiError(
    400,
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
  );
}

/** 404 for a path the fake does not serve. */
export function invalidUrlError(method: string, path: string): OpenAiErrorResponse {
  return openAiError(404, `Invalid URL (${method} ${path})`);
}

/** 405 for a known path with the wrong method. */
export function invalidMethodError(method: string, path: string): OpenAiErrorResponse {
  return openAiError(405, `Invalid method for URL (${method} ${path})`);
}

/** A scripted HTTP error with OpenAI's usual wording for its status. */
export function scriptedError(reply: LlmErrorReply, model: string): OpenAiErrorResponse {
  const headers: Record<string, string> = {};
  if (reply.retryAfterS !== undefined) headers['retry-after'] = String(reply.retryAfterS);
  if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs);
  const defaults = defaultsForStatus(reply.status, model);
  return openAiError(reply.status, reply.message ?? defaults.message, {
    type: reply.type ?? defaults.type,
    code: reply.code === undefined ? defaults.code : reply.code,
    headers,
  });
}

function defaultsForStatus(status: number, model: string): { message: string; type: string; code: string | null } {
  if (status === 429) {
    return {
      message: `Rate limit reached for ${model} in organization org-relaysim on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
      type: 'requests',
      code: 'rate_limit_exceeded',
    };
  }
  if (status === 503) return { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null };
  if (status >= 500) {
    return {
      message: 'The server had an error while processing your request. Sorry about that!',
      type: 'server_error',
      code: null,
    };
  }
  return { message: `Scripted error (HTTP ${status}).`, type: 'invalid_request_error', code: null };
}
