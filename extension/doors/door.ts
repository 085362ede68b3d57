/**
 * The one messaging core. A door is a typed map of requests (function syntax: `name(arg): result`), a tag
 * that marks its messages, and a rule for who may knock: `identify` turns Chrome's sender into the door's
 * idea of a sender, or null for a stranger, whose request is refused with `refusal`. The page door
 * (`page.ts`), the content-script door and the worker-to-tab door (`content.ts`) are three definitions of it.
 *
 * Handlers run inside the message's dispatch, not after a microtask: a click's user gesture lasts only that
 * long, and `sidePanel.open()` (a chip's "open") needs it.
 */
import { browser } from 'wxt/browser';

export type Reply<T> = { ok: true; value: T } | { ok: false; error: string };

// biome-ignore lint/suspicious/noExplicitAny: the map's functions are only read for their parameter and result types.
type Fn = (arg: any) => unknown;
export type ArgOf<M, K extends keyof M> = M[K] extends Fn ? Parameters<M[K]>[0] : never;
export type ResultOf<M, K extends keyof M> = M[K] extends Fn ? Awaited<ReturnType<M[K]>> : never;
/** Every request of the map answered: a missing or mistyped handler does not compile. */
export type HandlersOf<M, S> = {
  [K in keyof M]: (arg: ArgOf<M, K>, sender: S) => Promise<ResultOf<M, K>> | ResultOf<M, K>;
};
/** `send('name')` for a request without an argument, `send('name', arg)` otherwise. */
export type ArgsOf<M, K extends keyof M> = [ArgOf<M, K>] extends [undefined] ? [] : [ArgOf<M, K>];

/** What Chrome says about who sent a message (the fields a door looks at). */
export interface RawSender {
  id?: string;
  url?: string;
  tab?: { id?: number };
  frameId?: number;
}

interface Request {
  kesher: string;
  name: string;
  arg: unknown;
}

export interface DoorSpec<S> {
  /** Marks this door's messages; other doors and other extensions' messages pass by. */
  tag: string;
  identify(sender: RawSender): S | null;
  refusal: string;
}

export interface Door<M, S> {
  readonly tag: string;
  /** From a page or content script to the worker. */
  send<K extends keyof M & string>(name: K, ...args: ArgsOf<M, K>): Promise<ResultOf<M, K>>;
  /** From the worker to one tab's content scripts (one frame, or every frame: the first answer wins). */
  sendToTab<K extends keyof M & string>(
    target: { tabId: number; frameId?: number },
    name: K,
    ...args: ArgsOf<M, K>
  ): Promise<ResultOf<M, K>>;
  /** Answer every request of the map; `allowed` may refuse a known sender per request. Returns a stop. */
  serve(handlers: HandlersOf<M, S>, options: ServeOptions<M, S>): () => void;
  /** Answer some of the requests (a content script answering the worker); the rest pass by. */
  serveSome(handlers: Partial<HandlersOf<M, S>>, options: ServeOptions<M, S>): () => void;
}

export interface ServeOptions<M, S> {
  allowed?: (name: keyof M & string, sender: S) => boolean;
  onError: (name: string, error: unknown) => void;
}

export function message(tag: string, name: string, arg: unknown): Request {
  return { kesher: tag, name, arg };
}

function unwrap<T>(name: string, reply: Reply<T> | undefined): T {
  if (!reply) throw new Error(`no answer to ${name}: nobody handled it`);
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

export function defineDoor<M, S>(spec: DoorSpec<S>): Door<M, S> {
  const serveSome = (
    handlers: Partial<HandlersOf<M, S>>,
    { allowed, onError }: ServeOptions<M, S>,
  ): (() => void) => {
    const listener = (raw: unknown, chromeSender: RawSender, sendResponse: (reply: unknown) => void) => {
      const request = raw as Partial<Request> | null;
      if (
        request?.kesher !== spec.tag ||
        typeof request.name !== 'string' ||
        !Object.hasOwn(handlers, request.name)
      )
        return false;
      const name = request.name as keyof M & string;
      const sender = spec.identify(chromeSender);
      if (!sender || (allowed && !allowed(name, sender))) {
        sendResponse({ ok: false, error: spec.refusal } satisfies Reply<never>);
        return false;
      }
      const handler = handlers[name] as (arg: unknown, sender: S) => unknown;
      let result: unknown;
      try {
        result = handler(request.arg, sender);
      } catch (error) {
        result = Promise.reject(error);
      }
      Promise.resolve(result).then(
        (value) => sendResponse({ ok: true, value: value ?? null } satisfies Reply<unknown>),
        (error: unknown) => {
          onError(name, error);
          sendResponse({
            ok: false,
            error: error instanceof Error ? error.message : String(error),
          } satisfies Reply<never>);
        },
      );
      return true;
    };
    browser.runtime.onMessage.addListener(listener);
    return () => browser.runtime.onMessage.removeListener(listener);
  };
  return {
    tag: spec.tag,
    async send(name, ...args) {
      return unwrap(name, await browser.runtime.sendMessage(message(spec.tag, name, args[0])));
    },
    async sendToTab({ tabId, frameId }, name, ...args) {
      const request = message(spec.tag, name, args[0]);
      const reply =
        frameId === undefined
          ? await browser.tabs.sendMessage(tabId, request)
          : await browser.tabs.sendMessage(tabId, request, { frameId });
      return unwrap(name, reply);
    },
    serve: (handlers, options) => serveSome(handlers, options),
    serveSome,
  };
}

/** Events: one-way news from the worker to whoever listens; nobody listening is fine. */
export interface Events<E> {
  emit<K extends keyof E & string>(name: K, payload: E[K]): void;
  on<K extends keyof E & string>(name: K, listener: (payload: E[K]) => void): () => void;
}

export function defineEvents<E>(tag: string, fromWorker: (sender: RawSender) => boolean): Events<E> {
  return {
    emit(name, payload) {
      browser.runtime.sendMessage(message(tag, name, payload)).catch(() => {
        // "Receiving end does not exist": no page is open, which is normal.
      });
    },
    on(name, listener) {
      const wrapped = (raw: unknown, sender: RawSender) => {
        const event = raw as Partial<Request> | null;
        if (event?.kesher === tag && event.name === name && fromWorker(sender))
          listener(event.arg as E[typeof name]);
        return false;
      };
      browser.runtime.onMessage.addListener(wrapped);
      return () => browser.runtime.onMessage.removeListener(wrapped);
    },
  };
}
