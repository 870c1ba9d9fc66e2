import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../common/auth/scopes.decorator';
import { ReadScope, ServiceScope, ServiceScoped, Unscoped } from '../common/auth/service-scope';
import { AlertChannelsService } from './alert-channels.service';
import { AlertChannelDto, AlertChannelListDto } from './dto/alert-channel.dto';
import { AlertDeliveryPageDto, ListDeliveriesQueryDto } from './dto/alert-delivery.dto';
import { ChannelTestResultDto } from './dto/channel-test-result.dto';
import { CreateAlertChannelDto } from './dto/create-alert-channel.dto';
import { UpdateAlertChannelDto } from './dto/update-alert-channel.dto';

@ApiTags('alert-channels')
@ApiBearerAuth()
@Scopes('admin')
@Controller('alert-channels')
export class AlertChannelsController {
  constructor(private readonly channels: AlertChannelsService) {}

  /** Creates a channel; its config is validated for its kind and its secrets are never shown again. */
  @Post()
  createAlertChannel(@Body() dto: CreateAlertChannelDto): Promise<AlertChannelDto> {
    return this.channels.create(dto);
  }

  @Get()
  @Unscoped('channels are configuration, not any one service\'s data')
  listAlertChannels(): Promise<AlertChannelListDto> {
    return this.channels.list();
  }

  @Get(':id')
  @Unscoped('channels are configuration, not any one service\'s data')
  getAlertChannel(@Param('id') id: string): Promise<AlertChannelDto> {
    return this.channels.get(id);
  }

  /** Updates a channel; a secret sent back masked keeps its stored value. */
  @Patch(':id')
  updateAlertChannel(@Param('id') id: string, @Body() dto: UpdateAlertChannelDto): Promise<AlertChannelDto> {
    return this.channels.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  deleteAlertChannel(@Param('id') id: string): Promise<void> {
    return this.channels.remove(id);
  }

  /** Sends a test message through the channel now and reports what the receiver answered. */
  @Post(':id/test')
  @HttpCode(200)
  testAlertChannel(@Param('id') id: string): Promise<ChannelTestResultDto> {
    return this.channels.test(id);
  }

  /** The channel's deliveries, newest first, each with its attempts (only alerts of the key's scope). */
  @Get(':id/deliveries')
  @ServiceScoped()
  listAlertChannelDeliveries(
    @Param('id') id: string,
    @Query() query: ListDeliveriesQueryDto,
    @ReadScope() scope: ServiceScope,
  ): Promise<AlertDeliveryPageDto> {
    return this.channels.deliveries(id, query, scope);
  }
}
