import { Controller, Get, Header, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ForAdmins } from '../auth/auth.decorators';
import type { SupportReport } from '../contracts/wire';
import { ReportQuery } from './dto/report.dto';
import { ReportsService } from './reports.service';

const RANGE_RULES = 'A range over 366 days, an end before the start, a malformed date or an unknown tz is 400 with the reason.';

@ApiTags('reports')
@ApiBearerAuth()
@ForAdmins()
@Controller('admin')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @ApiOperation({ summary: 'Conversations, messages, first response and resolution times, ratings and busiest hours (admins only)', description: RANGE_RULES })
  @Get('reports')
  report(@Query() query: ReportQuery): Promise<SupportReport> {
    return this.reports.report(query);
  }

  @ApiOperation({ summary: 'The same report as CSV (`metric,value` lines)', description: RANGE_RULES })
  @ApiProduces('text/csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="support-report.csv"')
  @Get('reports.csv')
  csv(@Query() query: ReportQuery): Promise<string> {
    return this.reports.csv(query);
  }

  @ApiOperation({
    summary: 'Recount the report tables from the whole history (admins only)',
    description:
      'The figures are kept up to date every 30 s from what is newer than the last count; after importing older history, recount it all.',
  })
  @Post('reports/rebuild')
  @HttpCode(200)
  rebuild(): Promise<{ rebuilt: true }> {
    return this.reports.rebuild();
  }
}
