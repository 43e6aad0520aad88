import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AgentsController, MeController } from './agents.controller';
import { AgentsService } from './agents.service';
import { SetPasswordController } from './set-password.controller';

@Module({
  imports: [AuthModule],
  controllers: [AgentsController, MeController, SetPasswordController],
  providers: [AgentsService],
  exports: [AgentsService],
})
export class AgentsModule {}
