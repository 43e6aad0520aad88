import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ForAdmins, ForAgents } from '../auth/auth.decorators';
import type { SupportChatListItem, SupportLabel } from '../contracts/wire';
import { ChatLabelDto, CreateLabelDto, UpdateLabelDto } from './dto/label.dto';
import { LabelsService } from './labels.service';

const Id = (name: string) => Param(name, new ParseUUIDPipe({ version: undefined }));

@ApiTags('labels')
@ApiBearerAuth()
@ForAgents()
@Controller('admin')
export class LabelsController {
  constructor(private readonly labels: LabelsService) {}

  @ApiOperation({ summary: 'The label catalogue, by name, with how many chats carry each' })
  @Get('labels')
  list(): Promise<SupportLabel[]> {
    return this.labels.list();
  }

  @ApiOperation({
    summary: 'Define a label (admins only)',
    description: 'A name of 1 to 50 characters (400 otherwise), unique whatever its case (409 otherwise); colour `#rrggbb`.',
  })
  @ForAdmins()
  @Post('labels')
  create(@Body() body: CreateLabelDto): Promise<SupportLabel> {
    return this.labels.create(body.name, body.color);
  }

  @ApiOperation({ summary: 'Rename or recolour a label (admins only); every console hears `labels_changed`' })
  @ForAdmins()
  @Patch('labels/:id')
  update(@Id('id') id: string, @Body() body: UpdateLabelDto): Promise<SupportLabel> {
    return this.labels.update(id, body);
  }

  @ApiOperation({ summary: 'Delete a label, taking it off every chat (admins only)' })
  @ForAdmins()
  @Delete('labels/:id')
  @HttpCode(204)
  async remove(@Id('id') id: string): Promise<void> {
    await this.labels.remove(id);
  }

  @ApiOperation({
    summary: 'Put a label on a chat (idempotent)',
    description: "Answers the chat's list item; every console hears it as `chat_updated`.",
  })
  @Post('chats/:id/labels')
  @HttpCode(200)
  add(@Id('id') chatId: string, @Body() body: ChatLabelDto): Promise<SupportChatListItem> {
    return this.labels.addToChat(chatId, body.label_id);
  }

  @ApiOperation({ summary: 'Take a label off a chat (idempotent); answers the list item, broadcast as `chat_updated`' })
  @Delete('chats/:id/labels/:labelId')
  @HttpCode(200)
  removeFromChat(@Id('id') chatId: string, @Id('labelId') labelId: string): Promise<SupportChatListItem> {
    return this.labels.removeFromChat(chatId, labelId);
  }
}
