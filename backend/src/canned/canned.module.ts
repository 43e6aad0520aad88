import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CannedController } from './canned.controller';
import { CannedService } from './canned.service';

@Module({
  imports: [AuthModule],
  controllers: [CannedController],
  providers: [CannedService],
})
export class CannedModule {}
