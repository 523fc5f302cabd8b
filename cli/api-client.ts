import fs from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { render, say, type Lang } from '../domain/messages';
import { refusalOf, type Refusal } from '../domain/refusal';

/** The CLI's language: the user's locale (LC_ALL, LC_MESSAGES, LANG), French unless it is English. */
export const cliLanguage = (env: NodeJS.ProcessEnv = process.env): Lang =>
  /^en/i.test(env.LC_ALL || env.LC_MESSAGES || env.LANG || '') ? 'en' : 'fr';

/** A refusal of the CLI itself, in the CLI's language (the API's come in it already). */
const own = (code: string, said: ReturnType<typeof say>, path = ''): Refusal => {
  const r = refusalOf(code, said, path);
  return { ...r, message: render(said.key, said.params, cliLanguage()) ?? r.message };
};
export { own as cliRefusal };

/** What the API answered, refusals included: the CLI prints them as they came. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly refusals: Refusal[],
  ) {
    super(refusals.map((r) => `${r.code}${r.path ? ` (${r.path})` : ''}: ${r.message}`).join('\n'));
  }
}

/** How many times a request throttled (429) waits and is sent again before its refusal is reported. */
const MAX_WAITS = 10;

/** A small client of the sons-engine HTTP API, bearer-authenticated. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.exchange<T>(method, path, body)).body;
  }

  /** The answer with its headers (the API says with a header that a registration was a repetition). */
  exchange<T = unknown>(method: string, path: string, body?: unknown): Promise<{ body: T; headers: Headers }> {
    return this.send<T>(
      method,
      path,
      body === undefined ? {} : { 'content-type': 'application/json' },
      body === undefined ? undefined : JSON.stringify(body),
    );
  }

  /** Streams a file as text/csv. */
  async upload<T = unknown>(path: string, file: string): Promise<T> {
    const stream = Readable.toWeb(fs.createReadStream(file)) as ReadableStream;
    return (await this.send<T>('POST', path, { 'content-type': 'text/csv', 'x-file-name': basename(file) }, stream))
      .body;
  }

  /** Streams an answer into a file, as it comes (a journal's export may be large); answers its bytes. */
  async download(path: string, file: string): Promise<number> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), 'accept-language': cliLanguage() },
      });
    } catch (err) {
      throw new ApiError(0, [
        own('unreachable', say('api_unreachable', { url: this.baseUrl, problem: (err as Error).message })),
      ]);
    }
    if (!response.ok || !response.body) {
      const text = await response.text();
      const parsed = (response.headers.get('content-type') ?? '').includes('application/json') ? JSON.parse(text) : {};
      throw new ApiError(
        response.status,
        (parsed as { refusals?: Refusal[] }).refusals ?? [
          own(`http_${response.status}`, say('http_status', { status: response.status, body: text.slice(0, 200) })),
        ],
      );
    }
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
      fs.createWriteStream(file),
    );
    return fs.statSync(file).size;
  }

  private async send<T>(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | ReadableStream | undefined,
    attempt = 0,
  ): Promise<{ body: T; headers: Headers }> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          'accept-language': cliLanguage(),
          ...headers,
        },
        body,
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (err) {
      throw new ApiError(0, [
        own('unreachable', say('api_unreachable', { url: this.baseUrl, problem: (err as Error).message })),
      ]);
    }
    // past its allowance of changes a minute (API_WRITES_PER_MINUTE), a long import waits as it is told and goes on;
    // a streamed body (a file) cannot be sent again
    const wait = Number(response.headers.get('retry-after'));
    if (response.status === 429 && !(body instanceof ReadableStream) && wait > 0 && attempt < MAX_WAITS) {
      await response.body?.cancel();
      await new Promise((r) => setTimeout(r, Math.min(wait, 60) * 1000));
      return this.send<T>(method, path, headers, body, attempt + 1);
    }
    const text = await response.text();
    const parsed = (response.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
    if (!response.ok)
      throw new ApiError(
        response.status,
        (parsed as { refusals?: Refusal[] }).refusals ?? [
          own(
            `http_${response.status}`,
            say('http_status', { status: response.status, body: String(text).slice(0, 200) }),
          ),
        ],
      );
    return { body: parsed as T, headers: response.headers };
  }
}
