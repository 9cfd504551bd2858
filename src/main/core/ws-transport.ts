import type { WebSocket } from 'ws';
import { parseWsRequest, type RequestChannel, type WsEvent, type WsReply } from '../../shared/api';
import type { PanelHandler } from './panel-handler';

/**
 * The PanelApi over one WebSocket. Every message is parsed (JSON, then the envelope, then the
 * channel's params) before the core sees it. A bad request gets an error reply naming the field,
 * with id null when the message had no usable id, and the socket stays open. Only a message that
 * is not JSON text at all closes the socket (1007, or 1003 for binary): that client is not
 * speaking the protocol, so nothing it sends next can be trusted to be framed as it meant.
 * Oversized messages never get here: the server closes those with 1009.
 */

/** A slow client (a tablet on bad Wi-Fi) skips meter frames rather than queueing them without end. */
const METER_BACKLOG_BYTES = 256 * 1024;

export interface WsTransportStats {
  malformed: number;
  failed: number;
}

export function attachWsClient(socket: WebSocket, core: PanelHandler, stats: WsTransportStats): void {
  const send = (message: WsReply | WsEvent) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const unsubscribe = core.subscribe((event, payload) => {
    if (event === 'meters:frame' && socket.bufferedAmount > METER_BACKLOG_BYTES) return;
    send({ event, payload });
  });
  socket.on('close', unsubscribe);
  socket.on('error', () => socket.terminate());
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      stats.malformed++;
      socket.close(1003, 'binary messages are not accepted: send JSON text');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      stats.malformed++;
      socket.close(1007, 'message is not JSON');
      return;
    }
    const request = parseWsRequest(parsed);
    if (!request.ok) {
      stats.malformed++;
      send({ id: request.id, ok: false, error: { code: 'bad-request', message: request.message } });
      return;
    }
    const { id, channel, params } = request.request;
    core.handle(channel as RequestChannel, params as never).then(
      (result) => send({ id, ok: true, result }),
      (error: unknown) => {
        stats.failed++;
        send({ id, ok: false, error: { code: 'failed', message: error instanceof Error ? error.message : String(error) } });
      },
    );
  });
}
