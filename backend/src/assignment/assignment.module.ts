import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ChatsModule } from '../chats/chats.module';
import { PresenceModule } from '../presence/presence.module';
import { AssignmentController } from './assignment.controller';
import { AssignmentService } from './assignment.service';
import { AutoAssigner } from './auto-assigner';

@Module({
  imports: [AuthModule, ChatsModule, PresenceModule],
  controllers: [AssignmentController],
  providers: [AssignmentService, AutoAssigner],
  exports: [AssignmentService],
})
export class AssignmentModule {}
