import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, ForAgents } from '../auth/auth.decorators';
import type { UserIdentity } from '../auth/identity';
import type { RatingStatus, SupportRating } from '../contracts/wire';
import { CreateRatingDto } from './dto/rating.dto';
import { RatingsService } from './ratings.service';

@ApiTags('end user')
@ApiBearerAuth()
@Controller('support_chat/rating')
export class UserRatingController {
  constructor(private readonly ratings: RatingsService) {}

  @ApiOperation({
    summary: 'Whether to ask for a rating now',
    description: 'requested is true while the chat is archived and that archive is not rated: what an element shows on load.',
  })
  @Get()
  status(@CurrentUser() user: UserIdentity): Promise<RatingStatus> {
    return this.ratings.status(user);
  }

  @ApiOperation({
    summary: 'Rate the conversation an agent archived',
    description:
      'score 1 (very bad) to 5 (very good), comment optional (plain text, up to 1,000 characters). One rating per archive: ' +
      'a second one, or one while the chat is not archived, is 409 with the reason.',
  })
  @Post()
  rate(@CurrentUser() user: UserIdentity, @Body() body: CreateRatingDto): Promise<SupportRating> {
    return this.ratings.rate(user, body.score, body.comment);
  }
}

@ApiTags('ratings')
@ApiBearerAuth()
@ForAgents()
@Controller('admin/chats')
export class AdminRatingsController {
  constructor(private readonly ratings: RatingsService) {}

  @ApiOperation({ summary: "A chat's ratings, oldest first (live: `rating_created` in the agents' room)" })
  @Get(':id/ratings')
  list(@Param('id', new ParseUUIDPipe({ version: undefined })) chatId: string): Promise<SupportRating[]> {
    return this.ratings.forChat(chatId);
  }
}
