import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  contentType: string | undefined;
  body: unknown;
}

export interface WebhookServer {
  /** Base URL (http://127.0.0.1:PORT). */
  url: string;
  received: Received[];
  /** The status every request gets (200 unless a test makes the hook "dead"). */
  status: number;
  close(): Promise<void>;
}

/** A local incoming-webhook stand-in: records every POST's JSON body and answers `status`. */
export async function startWebhookServer(): Promise<WebhookServer> {
  const state: { received: Received[]; status: number } = { received: [], status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Recorded as text: the test then fails on its shape.
      }
      state.received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
      res.writeHead(handle.status).end(handle.status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const handle: WebhookServer = {
    url: `http://127.0.0.1:${port}`,
    received: state.received,
    status: 200,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return handle;
}
