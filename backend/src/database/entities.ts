import { Admin } from '../auth/admin.entity';
import { Chat } from '../chats/chat.entity';
import { Message } from '../messages/message.entity';
import { User } from '../users/user.entity';

export const entities = [User, Admin, Chat, Message];
