import type * as Server from '../src/contracts/wire';
import type * as Element from '../../widget-element/src/internal/types';

/**
 * The element keeps its own copy of the wire shapes so it can be published alone; the type
 * checker holds that copy to the server's contracts module (the console imports it directly).
 * `npm run lint` (tsc) fails when they drift; nothing here runs.
 *
 * Assignability alone is not enough for what the server sends: a reader type that leaves a field
 * out still accepts the object, and the element then silently ignores that field (it once dropped
 * `message_ids` from `messages_read` and guessed from timestamps instead). So every shape the
 * element reads must name every field the server sends, at every depth, as well as accept it.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** `true` when every member of a union of booleans is `true` (and for `never`: nothing failed). */
type AllTrue<Flags> = [Flags] extends [true] ? true : false;

/**
 * `Reader` accepts everything `Sent` can be, and names every field of it: for objects `keyof Sent`
 * is a subset of `keyof Reader`, checked again inside fields, array items and each union member.
 */
export type Covers<Reader, Sent> = [Sent] extends [Reader]
  ? AllTrue<Sent extends unknown ? CoversMember<Reader, Sent> : never>
  : false;

/** The members of the reader's union that one member of the sent union is read as. */
type ReadAs<Reader, SentMember> = Reader extends unknown ? ([SentMember] extends [Reader] ? Reader : never) : never;

type CoversMember<Reader, S> = S extends readonly (infer Item)[]
  ? Covers<ReadAs<Reader, S> extends readonly (infer ReaderItem)[] ? ReaderItem : never, Item>
  : S extends object
    ? CoversObject<ReadAs<Reader, S>, S>
    : true;

type CoversObject<R, S> = [R] extends [never]
  ? false
  : [Exclude<keyof S, keyof R>] extends [never]
    ? AllTrue<{ [K in keyof S]-?: Covers<K extends keyof R ? R[K] : never, S[K]> }[keyof S]>
    : false;

type Payload<Handler> = Handler extends (payload: infer P, ...rest: never[]) => void ? P : never;
type AckOf<Handler> = Handler extends (payload: never, ack: (res: infer A) => void) => void ? A : never;

/** Each event the element listens to carries, in the element's type, every field the server sends. */
type Heard<K extends keyof Element.ServerToClientEvents> = K extends keyof Server.ServerToClientEvents
  ? Covers<Payload<Element.ServerToClientEvents[K]>, Payload<Server.ServerToClientEvents[K]>>
  : false;

/** Each event the element emits is one the server takes, with a payload it accepts... */
type Accepted<K extends keyof Element.ClientToServerEvents> = K extends keyof Server.ClientToServerEvents
  ? [Payload<Element.ClientToServerEvents[K]>] extends [Payload<Server.ClientToServerEvents[K]>]
    ? true
    : false
  : false;

/** ...and the element reads every field of the server's ack. */
type Acked<K extends keyof Element.ClientToServerEvents> = K extends keyof Server.ClientToServerEvents
  ? Covers<AckOf<Element.ClientToServerEvents[K]>, AckOf<Server.ClientToServerEvents[K]>>
  : false;

export const wireChecks: {
  message: Covers<Element.SupportMessage, Server.SupportMessage>;
  /** The element also sends nothing the server's message lacks. */
  sameMessage: Same<Server.SupportMessage, Element.SupportMessage>;
  chat: Covers<Element.SupportChat, Server.SupportChat>;
  sameChat: Same<Server.SupportChat, Element.SupportChat>;
  catchUp: Covers<Element.SupportMessage[], Server.SupportMessage[]>;
  newMessage: Covers<Element.NewMessageEvent, Server.NewMessageEvent>;
  messagesRead: Covers<Element.MessagesReadEvent, Server.MessagesReadEvent>;
  heard: { [K in keyof Element.ServerToClientEvents]-?: Heard<K> };
  accepted: { [K in keyof Element.ClientToServerEvents]-?: Accepted<K> };
  acked: { [K in keyof Element.ClientToServerEvents]-?: Acked<K> };
} = {
  message: true,
  sameMessage: true,
  chat: true,
  sameChat: true,
  catchUp: true,
  newMessage: true,
  messagesRead: true,
  heard: { new_message: true, messages_read: true, availability: true, typing: true, rating_requested: true },
  accepted: { subscribe: true, send_message: true, typing: true },
  acked: { subscribe: true, send_message: true, typing: true },
};

/** The checker itself: each drift it exists to catch must read `false`. */
export const coversSelfChecks: {
  same: Covers<{ a: string }, { a: string }>;
  wider: Covers<{ a: string | null }, { a: string }>;
  narrower: Covers<{ a: string }, { a: string | null }>;
  dropsField: Covers<{ a: string }, { a: string; b: string[] }>;
  dropsOptionalField: Covers<{ a: string }, { a: string; b?: string }>;
  dropsNestedField: Covers<{ m: { a: string } }, { m: { a: string; b: number } }>;
  dropsFieldOfNullable: Covers<{ m: { a: string } | null }, { m: { a: string; b: number } | null }>;
  dropsFieldInArray: Covers<{ list: { a: string }[] }, { list: { a: string; b: number }[] }>;
  dropsFieldOfUnionMember: Covers<
    { ok: true; v: { a: string } } | { ok: false; error: string },
    { ok: true; v: { a: string; b: number } } | { ok: false; error: string }
  >;
  readsEachUnionMember: Covers<{ ok: true; v: number } | { ok: false; error: string }, { ok: true; v: number } | { ok: false; error: 'x' }>;
} = {
  same: true,
  wider: true,
  narrower: false,
  dropsField: false,
  dropsOptionalField: false,
  dropsNestedField: false,
  dropsFieldOfNullable: false,
  dropsFieldInArray: false,
  dropsFieldOfUnionMember: false,
  readsEachUnionMember: true,
};
