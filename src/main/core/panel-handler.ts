import type { EventChannel, EventPayload, RequestChannel, RequestParams, RequestResult } from '../../shared/api';

/**
 * What a transport needs from the core: answer a validated request, and let it listen to events.
 * IPC and ws both speak to this, so the core is written once and neither transport knows its parts.
 */
export interface PanelHandler {
  handle<C extends RequestChannel>(channel: C, params: RequestParams<C>): Promise<RequestResult<C>>;
  subscribe(listener: <E extends EventChannel>(event: E, payload: EventPayload<E>) => void): () => void;
}
