import { extensionOf } from '../../ingest/loaders/file-name.js';
import { IngestError } from '../../ingest/types.js';
import { tooLarge } from '../../ingest/size-limit.js';

export interface DownloadOptions {
  /** Hosts the request may go to; credentials must never be sent anywhere else. */
  allowedHosts: readonly string[];
  headers?: Record<string, string>;
  /** Stop reading past this many bytes: the platform's reported size can be wrong. */
  maxBytes: number;
  timeoutMs?: number;
  /** Said when a sign-in page arrives instead of the file (the platform's hint at the missing permission). */
  signInHint: string;
}

/** True if `url` is https (or any scheme on loopback, for local doubles) on one of `hosts` or their subdomains. */
export function isAllowedHost(url: URL, hosts: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  if (url.protocol !== 'https:' && !loopback) return false;
  return hosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
}

const HTML_FILE_EXTENSIONS = new Set(['html', 'htm', 'xhtml']);

/**
 * Downloads a shared file with the bot's credentials. Failures are IngestErrors (one line a person
 * understands), so a bad file is a result in the ingest summary rather than a crash.
 */
export async function downloadFile(url: string, fileName: string, options: DownloadOptions): Promise<Uint8Array> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new IngestError('failed', 'the file has no download link');
  }
  if (!isAllowedHost(target, options.allowedHosts)) {
    throw new IngestError('failed', `refusing to download from ${target.host}: not the platform's own file host`);
  }
  let response: Response;
  try {
    // Redirects are followed by hand so the token is never replayed to another host.
    response = await fetch(target, {
      headers: options.headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    for (let hops = 0; response.status >= 300 && response.status < 400 && hops < 5; hops++) {
      const next = new URL(response.headers.get('location') ?? '', target);
      const sameHost = next.host === target.host;
      if (!isAllowedHost(next, options.allowedHosts))
        throw new IngestError('failed', `the download redirected to ${next.host}, which is not a file host`);
      target = next;
      response = await fetch(target, {
        headers: sameHost ? options.headers : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      });
    }
  } catch (error) {
    if (error instanceof IngestError) throw error;
    throw new IngestError(
      'failed',
      `download failed: ${(error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message}`,
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    const expired = response.status === 403 || response.status === 404 || response.status === 410;
    throw new IngestError(
      'failed',
      `download failed: HTTP ${response.status}${expired ? ' (the link may have expired or the file was deleted)' : ''}`,
    );
  }
  const bytes = await readCapped(response, options.maxBytes);
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.includes('text/html') && !HTML_FILE_EXTENSIONS.has(extensionOf(fileName)) && looksLikeHtmlPage(bytes)) {
    throw new IngestError('failed', `got a sign-in page instead of the file: ${options.signInHint}`);
  }
  return bytes;
}

async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(maxBytes, declared);
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of response.body ?? []) {
    total += part.byteLength;
    if (total > maxBytes) {
      throw tooLarge(maxBytes);
    }
    parts.push(part);
  }
  return Buffer.concat(parts);
}

function looksLikeHtmlPage(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 2048)).toString('utf8');
  return /^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html[\s>])/i.test(head);
}
