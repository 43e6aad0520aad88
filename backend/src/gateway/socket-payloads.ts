import { plainToInstance } from 'class-transformer';
import { IsBoolean, isUUID, IsOptional, IsString, IsUUID, Matches, validateSync } from 'class-validator';
import { DomainError } from '../common/domain-error';
import { isMessageContent, IsMessageContent } from '../messages/dto/message.dto';

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const SEND_MESSAGE_FIELDS = new Set(['chat_id', 'content', 'client_id', 'private']);

export class ChatRefPayload {
  @IsUUID('all')
  chat_id: string;
}

export class SendMessagePayload extends ChatRefPayload {
  @IsMessageContent()
  content: string;

  @IsOptional()
  @IsString()
  @Matches(CLIENT_ID)
  client_id?: string;

  /** Agents only: an internal note. */
  @IsOptional()
  @IsBoolean()
  private?: boolean;
}

export class MarkReadPayload extends ChatRefPayload {
  @IsOptional()
  @IsUUID('all')
  up_to?: string;
}

type Ctor<T> = new () => T;

/**
 * The socket's edge validation, with the REST DTOs' rules: anything malformed (wrong type,
 * unknown field, bad id, empty or oversized content) is `invalid_content`, never a throw.
 */
export function parsePayload<T extends object>(type: Ctor<T>, payload: unknown): T {
  const plain = payload === undefined || payload === null ? {} : payload;
  if (typeof plain !== 'object' || Array.isArray(plain)) throw new DomainError('invalid_content');
  // Every field of every event is a scalar; refusing nested values here also spares the
  // validators a recursion an attacker could make as deep as a frame allows.
  if (Object.values(plain).some((v) => v !== null && typeof v === 'object')) throw new DomainError('invalid_content');
  const instance = plainToInstance(type, plain);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw new DomainError('invalid_content');
  return instance;
}

/** For events that take no fields: nothing, or an empty object. */
export function parseEmptyPayload(payload: unknown): void {
  if (payload === undefined || payload === null) return;
  if (typeof payload !== 'object' || Array.isArray(payload) || Object.keys(payload).length > 0) {
    throw new DomainError('invalid_content');
  }
}

/**
 * `send_message` is every message's first step, and building a class instance and walking its
 * decorators cost more than the rest of the handler. The same rules as `SendMessagePayload`
 * (a unit test holds the two to the same answers), checked by hand.
 */
export function parseSendMessage(payload: unknown): SendMessagePayload {
  const plain = payload === undefined || payload === null ? {} : payload;
  if (typeof plain !== 'object' || Array.isArray(plain)) throw new DomainError('invalid_content');
  const body = plain as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (!SEND_MESSAGE_FIELDS.has(key) || (value !== null && typeof value === 'object')) throw new DomainError('invalid_content');
  }
  const { chat_id, content, client_id, private: note } = body;
  const given = (v: unknown) => v !== undefined && v !== null;
  if (
    typeof chat_id !== 'string' ||
    !isUUID(chat_id, 'all') ||
    !isMessageContent(content) ||
    (given(client_id) && (typeof client_id !== 'string' || !CLIENT_ID.test(client_id))) ||
    (given(note) && typeof note !== 'boolean')
  ) {
    throw new DomainError('invalid_content');
  }
  const parsed: SendMessagePayload = { chat_id, content };
  if (client_id !== undefined) parsed.client_id = client_id as string;
  if (note !== undefined) parsed.private = note as boolean;
  return parsed;
}
