import { IsIn } from 'class-validator';

export class SetPresencePayload {
  @IsIn(['online', 'away'])
  status: 'online' | 'away';
}
