import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ChatsModule } from '../chats/chats.module';
import { AdminRatingsController, UserRatingController } from './ratings.controller';
import { RatingsService } from './ratings.service';

@Module({
  imports: [AuthModule, ChatsModule],
  controllers: [UserRatingController, AdminRatingsController],
  providers: [RatingsService],
  exports: [RatingsService],
})
export class RatingsModule {}
