'use strict';
// Preloaded (node --require) into each simulated node.script process, before the device bundle:
// registers a `max-api` module, as Node for Max does, whose every call travels to the rig over
// the IPC channel. The bundle is run unchanged; it require()s 'max-api' and finds this.
// Messages from the rig are checked with zod before they reach a handler.

const Module = require('node:module');
const { z } = require('zod');

const MAX_API_ID = '\0max-api';
const atom = z.union([z.string(), z.number()]);
const fromRig = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), selector: z.string(), args: z.array(atom) }),
  z.object({ type: z.literal('dict'), request: z.number(), value: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('sync'), request: z.number() }),
]);

const MESSAGE_TYPES = Object.freeze({ ALL: 'all', BANG: 'bang', DICT: 'dict', NUMBER: 'number', LIST: 'list' });
const POST_LEVELS = Object.freeze({ ERROR: 'error', INFO: 'info', WARN: 'warn' });
const MAX_ENV = Object.freeze({ MAX: 'max', MAX_FOR_LIVE: 'maxforlive', STANDALONE: 'max:standalone' });

const handlers = new Map();
const waiting = new Map();
let nextRequest = 1;

function send(message) {
  if (process.connected) process.send(message);
}

function request(message) {
  return new Promise((resolve) => {
    const id = nextRequest++;
    waiting.set(id, resolve);
    send({ ...message, request: id });
  });
}

function handlersFor(selector) {
  return [...(handlers.get(selector) || [])];
}

function dispatch(selector, args) {
  const calls = [];
  // Node for Max: a message goes to its selector's handlers, a number or list to NUMBER/LIST,
  // a bare bang to BANG, and everything also to ALL (with the selector first).
  if (typeof selector === 'number' || /^-?\d/.test(selector)) {
    const values = [Number(selector), ...args];
    const kind = values.length === 1 ? MESSAGE_TYPES.NUMBER : MESSAGE_TYPES.LIST;
    for (const h of handlersFor(kind)) calls.push(() => h(...values));
  } else if (selector === 'bang' && args.length === 0) {
    for (const h of handlersFor(MESSAGE_TYPES.BANG)) calls.push(() => h());
  }
  for (const h of handlersFor(selector)) calls.push(() => h(...args));
  for (const h of handlersFor(MESSAGE_TYPES.ALL)) calls.push(() => h(selector, ...args));
  // Max does not wait for a handler's promise; a failure is posted to the console, as n4m does.
  const report = (error) => send({ type: 'post', level: 'error', text: `handler for '${selector}' threw: ${error && error.stack ? error.stack : String(error)}` });
  for (const call of calls) {
    try {
      Promise.resolve(call()).catch(report);
    } catch (error) {
      report(error);
    }
  }
}

const maxApi = {
  MESSAGE_TYPES,
  POST_LEVELS,
  MAX_ENV,
  addHandler(selector, handler) {
    if (!handlers.has(selector)) handlers.set(selector, new Set());
    handlers.get(selector).add(handler);
  },
  addHandlers(map) {
    for (const [selector, handler] of Object.entries(map)) maxApi.addHandler(selector, handler);
  },
  removeHandler(selector, handler) {
    const set = handlers.get(selector);
    if (set) set.delete(handler);
  },
  removeHandlers(selector) {
    handlers.delete(selector);
  },
  async outlet(...args) {
    send({ type: 'outlet', args: args.flat() });
  },
  async outletBang() {
    send({ type: 'outlet', args: ['bang'] });
  },
  async post(...args) {
    const last = args[args.length - 1];
    const level = Object.values(POST_LEVELS).includes(last) && args.length > 1 ? args.pop() : POST_LEVELS.INFO;
    send({ type: 'post', level, text: args.map((a) => (typeof a === 'object' ? JSON.stringify(a) : String(a))).join(' ') });
  },
  getDict(id) {
    return request({ type: 'getDict', id });
  },
  setDict(id, value) {
    return request({ type: 'setDict', id, value });
  },
  updateDict(id, path, value) {
    return request({ type: 'updateDict', id, path, value });
  },
};

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'max-api' ? MAX_API_ID : resolveFilename.call(this, request, ...rest);
};
const module_ = new Module(MAX_API_ID);
module_.exports = maxApi;
module_.loaded = true;
require.cache[MAX_API_ID] = module_;
process.env.MAX_ENV = MAX_ENV.MAX_FOR_LIVE;

// Messages are handled in order, as Max delivers them to node.script.
process.on('message', (raw) => {
  const parsed = fromRig.safeParse(raw);
  if (!parsed.success) {
    send({ type: 'post', level: 'error', text: `max-api host: refused a message from the rig: ${parsed.error.issues[0].message}` });
    return;
  }
  const message = parsed.data;
  if (message.type === 'dict') {
    const resolve = waiting.get(message.request);
    waiting.delete(message.request);
    if (resolve) resolve(message.value);
    return;
  }
  if (message.type === 'message') dispatch(message.selector, message.args);
  // A sync answers once everything sent before it has been handled and its promises have settled.
  else setImmediate(() => send({ type: 'synced', request: message.request }));
});
// Max ends node.script's process when the patch closes; here the rig going away is that signal.
process.on('disconnect', () => process.exit(0));
