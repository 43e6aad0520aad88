import { IsBoolean, IsUUID } from 'class-validator';

export class TypingPayload {
  @IsUUID('all')
  chat_id: string;

  @IsBoolean()
  typing: boolean;
}
