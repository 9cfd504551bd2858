import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { applySecurityHeaders, isLoopbackHost, isSameOrigin } from './http-security';
import { PAIRING_QUERY, pairingCookie, tokenFromRequest, tokenMatches } from './pairing';
import { sendStaticFile, sendText } from './static-files';

/**
 * The remote server: the built panel over HTTP and the PanelApi over a WebSocket at /api.
 * It knows nothing about the API itself; each accepted socket is handed to onSocket (the ws
 * transport). Its job is the door: who may come in, with what, and counting who was turned away.
 */

export const API_PATH = '/api';

export interface RemoteServerOptions {
  /** 127.0.0.1 unless the user asked for the LAN. */
  host: string;
  port: number;
  /** Folder of the built panel (index.html + assets). */
  staticRoot: string;
  /** When set, every request and upgrade must carry it; required for any non-loopback host. */
  token?: string;
  /** Largest ws message accepted; a bigger one closes the socket with 1009 (message too big). */
  maxMessageBytes: number;
  onSocket(socket: WebSocket, request: IncomingMessage): void;
}

export type RefusalReason = 'no-token' | 'wrong-token' | 'foreign-host' | 'foreign-origin' | 'not-found' | 'message-too-big';

export interface Refusal {
  kind: 'http' | 'upgrade' | 'message';
  reason: RefusalReason;
  remoteAddress: string;
}

export interface RemoteServerEvents {
  refused: [Refusal];
  failure: [Error];
}

export class RemoteServer extends EventEmitter<RemoteServerEvents> {
  readonly refusals: Record<RefusalReason, number> = {
    'no-token': 0,
    'wrong-token': 0,
    'foreign-host': 0,
    'foreign-origin': 0,
    'not-found': 0,
    'message-too-big': 0,
  };
  private readonly http: Server;
  private readonly wss: WebSocketServer;

  constructor(private readonly options: RemoteServerOptions) {
    super();
    if (!options.token && !isLoopbackAddress(options.host)) {
      throw new Error(`refusing to serve on ${options.host} without a pairing token: LAN mode needs one`);
    }
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
    this.wss.on('connection', (socket, request) => {
      // ws has already closed the socket with 1009 when it reports this.
      socket.on('error', (error: Error & { code?: string }) => {
        if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.refuse({ kind: 'message', reason: 'message-too-big', remoteAddress: remoteOf(request) });
      });
      options.onSocket(socket, request);
    });
    this.http = createServer((request, response) => {
      this.handleHttp(request, response).catch((error: unknown) => {
        this.emit('failure', asError(error));
        if (!response.headersSent) sendText(response, 500, 'internal error');
        else response.destroy();
      });
    });
    this.http.on('upgrade', (request, socket, head) => this.handleUpgrade(request, socket, head));
    this.http.on('clientError', (_error, socket) => socket.destroy());
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolveListen, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off('error', reject);
        this.http.on('error', (error) => this.emit('failure', error));
        resolveListen();
      });
    });
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get host(): string {
    return (this.http.address() as AddressInfo).address;
  }

  get refusedTotal(): number {
    return Object.values(this.refusals).reduce((sum, n) => sum + n, 0);
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((done) => this.http.close(() => done()));
  }

  private refuse(refusal: Refusal): void {
    this.refusals[refusal.reason]++;
    this.emit('refused', refusal);
  }

  /** null when the request may pass; otherwise why not. */
  private gate(request: IncomingMessage, url: URL): RefusalReason | null {
    const { token } = this.options;
    if (!token) return isLoopbackHost(request.headers.host) ? null : 'foreign-host';
    const offered = tokenFromRequest(url, request.headers);
    if (offered === undefined) return 'no-token';
    return tokenMatches(token, offered) ? null : 'wrong-token';
  }

  private async handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    applySecurityHeaders(response);
    const url = requestUrl(request);
    const refusal = this.gate(request, url);
    if (refusal) {
      this.refuse({ kind: 'http', reason: refusal, remoteAddress: remoteOf(request) });
      const status = refusal === 'foreign-host' ? 403 : 401;
      sendText(response, status, status === 401 ? 'LiveBlend: pairing needed. Scan the QR code shown where `liveblend serve --lan` runs.' : 'LiveBlend: unknown host name');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      sendText(response, 405, 'method not allowed');
      return;
    }
    if (url.searchParams.has(PAIRING_QUERY)) {
      // Swap the token in the address bar for a cookie, so it stays out of history and screenshots.
      response.statusCode = 303;
      response.setHeader('Set-Cookie', pairingCookie(this.options.token ?? ''));
      response.setHeader('Location', url.pathname);
      response.end();
      return;
    }
    await sendStaticFile(this.options.staticRoot, url.pathname, response);
  }

  private handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = requestUrl(request);
    let refusal = url.pathname === API_PATH ? this.gate(request, url) : 'not-found';
    if (!refusal && !isSameOrigin(request.headers.origin, request.headers.host)) refusal = 'foreign-origin';
    if (refusal) {
      this.refuse({ kind: 'upgrade', reason: refusal, remoteAddress: remoteOf(request) });
      const status = refusal === 'no-token' || refusal === 'wrong-token' ? '401 Unauthorized' : refusal === 'not-found' ? '404 Not Found' : '403 Forbidden';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
  }
}

export function isLoopbackAddress(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

function requestUrl(request: IncomingMessage): URL {
  return new URL(request.url ?? '/', 'http://panel.invalid');
}

function remoteOf(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? 'unknown';
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
