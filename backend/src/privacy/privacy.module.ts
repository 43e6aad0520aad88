import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { MessagesModule } from '../messages/messages.module';
import { NOTIFY_QUEUE } from '../notifications/notification-queue';
import { CoreDataParts } from './core-data.parts';
import { DataSubjects } from './data-subjects';
import { ErasureService } from './erasure.service';
import { ExportService } from './export.service';
import { RedisTraces } from './redis-traces';

@Module({
  imports: [MessagesModule, BullModule.registerQueue({ name: NOTIFY_QUEUE })],
  providers: [CoreDataParts, DataSubjects, ExportService, ErasureService, RedisTraces],
  exports: [DataSubjects, ExportService, ErasureService, RedisTraces],
})
export class PrivacyModule {}
