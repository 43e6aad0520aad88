import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ForAdmins } from '../auth/auth.decorators';
import type { WebhookDelivery, WebhookDeliveryPage, WebhookEndpointView, WebhookEndpointWithSecret } from '../contracts/wire';
import { CreateWebhookDto, DeliveriesQueryDto, UpdateWebhookDto } from './dto/webhook.dto';
import { WebhookEndpointsService } from './webhook-endpoints.service';

const Id = (name: string) => Param(name, new ParseUUIDPipe({ version: undefined }));

const EVENTS_DOC =
  'Each request is a POST of `{type, timestamp, data}` signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, ' +
  '`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`). Types and their `data`: ' +
  '`chat.created` {chat: SupportChatListItem}; `message.created` {chat_id, message: AgentSupportMessage, chat}; ' +
  '`message.read` {chat_id, reader, read_at, message_ids}; `chat.assigned` {chat_id, activity: ChatActivity}; ' +
  '`chat.archived` {chat, agent_id}; `chat.unarchived` {chat, agent_id | null}; `rating.created` {chat_id, rating}; ' +
  '`user.erased` {external_id}. See the README, "For integrators".';

@ApiTags('webhooks')
@ApiBearerAuth()
@ForAdmins()
@Controller('admin/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhookEndpointsService) {}

  @ApiOperation({ summary: 'Webhook endpoints, oldest first (admins only)', description: EVENTS_DOC })
  @Get()
  list(): Promise<WebhookEndpointView[]> {
    return this.webhooks.list();
  }

  @ApiOperation({
    summary: 'Register an endpoint; answers its secret, the only time it is shown (admins only)',
    description:
      'A URL that is not a URL, not https in production, or that resolves (any of its addresses) to a loopback, private, ' +
      'link-local, CGNAT or metadata address is refused with 400 and the reason, unless WEBHOOK_ALLOW_PRIVATE=true. ' +
      EVENTS_DOC,
  })
  @Post()
  create(@Body() body: CreateWebhookDto): Promise<WebhookEndpointWithSecret> {
    return this.webhooks.create(body);
  }

  @ApiOperation({ summary: 'One endpoint, with why it is disabled if it is (admins only)' })
  @Get(':id')
  get(@Id('id') id: string): Promise<WebhookEndpointView> {
    return this.webhooks.get(id);
  }

  @ApiOperation({ summary: 'Change the URL, event types, notes, description; enable or disable (admins only)' })
  @Patch(':id')
  update(@Id('id') id: string, @Body() body: UpdateWebhookDto): Promise<WebhookEndpointView> {
    return this.webhooks.update(id, body);
  }

  @ApiOperation({ summary: 'Delete an endpoint and its deliveries (admins only)' })
  @Delete(':id')
  @HttpCode(204)
  async remove(@Id('id') id: string): Promise<void> {
    await this.webhooks.remove(id);
  }

  @ApiOperation({
    summary: 'Rotate the secret (admins only)',
    description: 'Answers the new secret, shown once. For 24 hours every request carries two signatures, one per secret.',
  })
  @Post(':id/rotate')
  @HttpCode(200)
  rotate(@Id('id') id: string): Promise<WebhookEndpointWithSecret> {
    return this.webhooks.rotate(id);
  }

  @ApiOperation({ summary: "The endpoint's deliveries, newest first: status, attempts, response code, latency, last error, next attempt" })
  @Get(':id/deliveries')
  deliveries(@Id('id') id: string, @Query() query: DeliveriesQueryDto): Promise<WebhookDeliveryPage> {
    return this.webhooks.deliveries(id, query.limit, query.cursor);
  }

  @ApiOperation({
    summary: 'Send a finished delivery again, with the same webhook-id and body (admins only)',
    description: '409 while it is still being attempted, when the endpoint is disabled, or for a delivered user.erased event (its body is dropped).',
  })
  @Post(':id/deliveries/:deliveryId/resend')
  @HttpCode(200)
  resend(@Id('id') id: string, @Id('deliveryId') deliveryId: string): Promise<WebhookDelivery> {
    return this.webhooks.resend(id, deliveryId);
  }
}
