import { IsBoolean, IsOptional, IsUUID } from 'class-validator';

export class TypingPayload {
  @IsUUID('all')
  chat_id: string;

  @IsBoolean()
  typing: boolean;

  /** Agents only: typing an internal note, which stays among the agents. */
  @IsOptional()
  @IsBoolean()
  private?: boolean;
}
