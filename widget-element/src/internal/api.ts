import type { SupportChat, SupportMessage } from './types.js';

/** A REST failure; `status` 0 means the request never got an answer (network, CORS, offline). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get unauthorized(): boolean {
    return this.status === 401;
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The end-user half of the REST API, authenticated with the host's user token. */
export class SupportApi {
  constructor(
    private readonly server: string,
    private readonly token: string,
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {}

  /** The user's chat (created on first call) with its newest messages, or an older page. */
  getChat(page?: { before: string; limit?: number }): Promise<SupportChat> {
    const query = page
      ? `?before=${encodeURIComponent(page.before)}&limit=${page.limit ?? 50}`
      : '';
    return this.request<SupportChat>('GET', `/api/support_chat${query}`);
  }

  /** The first `limit` messages after the given one, oldest first: what the socket may have missed. */
  getMessagesAfter(id: string, limit: number): Promise<SupportMessage[]> {
    return this.request<SupportMessage[]>(
      'GET',
      `/api/support_chat/messages?after=${encodeURIComponent(id)}&limit=${limit}`,
    );
  }

  /**
   * Marks the agents' replies read up to `upTo` (by time), the newest one the user has seen; a
   * reply that reached the server after it stays unread.
   */
  markRead(upTo: string): Promise<{ updated: number }> {
    return this.request<{ updated: number }>('PATCH', '/api/support_chat/mark_read', { up_to: upTo });
  }

  /** Whether the archived conversation still waits for a rating. */
  ratingStatus(): Promise<{ requested: boolean }> {
    return this.request('GET', '/api/support_chat/rating');
  }

  /** Rates the conversation an agent archived (1 to 5); a second rating of one archive is a 409. */
  rate(score: number, comment: string): Promise<unknown> {
    return this.request('POST', '/api/support_chat/rating', { score, comment });
  }

  private async request<T>(method: string, path: string, body?: object): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
    if (body) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(this.server + path, {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
        // The token travels in a header; cookies of the support server are never needed.
        credentials: 'omit',
      });
    } catch (error) {
      throw new ApiError(0, error instanceof Error ? error.message : 'network error');
    }
    if (!response.ok) throw new ApiError(response.status, `${method} ${path}: ${response.status}`);
    return (await response.json()) as T;
  }
}
