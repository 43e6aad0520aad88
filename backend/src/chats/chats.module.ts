import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MessagesModule } from '../messages/messages.module';
import { UsersModule } from '../users/users.module';
import { AdminChatsController } from './admin-chats.controller';
import { ChatListQuery } from './chat-list.query';
import { ChatsService } from './chats.service';
import { UserChatController } from './user-chat.controller';

@Module({
  imports: [AuthModule, MessagesModule, UsersModule],
  controllers: [UserChatController, AdminChatsController],
  providers: [ChatsService, ChatListQuery],
  exports: [ChatsService, ChatListQuery],
})
export class ChatsModule {}
