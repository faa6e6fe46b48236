export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly contentType: string;
}

export interface ApiRequest {
  readonly method?: string;
  readonly body?: unknown;
  /** Sent as is, for tests of malformed bodies. */
  readonly rawBody?: string;
  readonly token?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A small client for the gateway: JSON in, JSON (or problem+json) out, headers kept. */
export async function call<T = Record<string, unknown>>(baseUrl: string, path: string, request: ApiRequest = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.body !== undefined || request.rawBody !== undefined) headers['content-type'] ??= 'application/json';
  if (request.token) headers['authorization'] = `Bearer ${request.token}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method: request.method ?? (request.body !== undefined || request.rawBody !== undefined ? 'POST' : 'GET'),
    headers,
    body: request.rawBody ?? (request.body !== undefined ? JSON.stringify(request.body) : undefined),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    contentType: response.headers.get('content-type') ?? '',
    body: (text ? JSON.parse(text) : {}) as T,
  };
}
