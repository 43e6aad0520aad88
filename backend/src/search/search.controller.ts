import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ForAgents } from '../auth/auth.decorators';
import type { AdminSupportChat, SearchPage } from '../contracts/wire';
import { AroundQuery, SearchQuery } from './dto/search.dto';
import { AROUND_BEFORE, AROUND_MAX, SearchService } from './search.service';

const Id = (name: string) => Param(name, new ParseUUIDPipe({ version: undefined }));

@ApiTags('search')
@ApiBearerAuth()
@ForAgents()
@Controller('admin')
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @ApiOperation({
    summary: "Search messages (internal notes included) and users' emails and names, newest first",
    description:
      'Message content is matched as English words (`websearch_to_tsquery`: stemmed words, "phrases" in quotes, `or`, ' +
      "`-word`); a user's email or name matches a part of it in any case (`message` is then null). Newest first: a " +
      "message by its time, a user by their chat's last activity. `snippet` is plain text and `highlights` the " +
      'offsets of the matched words in it. 400 with the reason for a query under 2 or over 200 characters, one with ' +
      'only common words ("the") or punctuation, one that only excludes, or a malformed cursor. Three SQL statements ' +
      'per page, whatever its size.',
  })
  @Get('search')
  find(@Query() q: SearchQuery): Promise<SearchPage> {
    return this.search.search(q.q, q.cursor, q.limit);
  }

  @ApiOperation({
    summary: 'A chat opened at one of its messages (a search result)',
    description:
      `Like \`GET /api/admin/chats/:id\`, but the page reaches back to ${AROUND_BEFORE} messages before the given one, ` +
      `so the console can show it in place, up to ${AROUND_MAX} messages in all: a message further back than that is ` +
      'not in the page (`has_more` stays true and the console pages back). Records the view unless `view=false`.',
  })
  @Get('chats/:id/around/:messageId')
  around(@Id('id') chatId: string, @Id('messageId') messageId: string, @Query() q: AroundQuery): Promise<AdminSupportChat> {
    return this.search.openAround(chatId, messageId, q.view !== 'false');
  }
}
