import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateAlertChannelDto } from './create-alert-channel.dto';

/**
 * Any field but `kind`. `config` keys sent replace the stored ones (null removes an optional one); a
 * secret sent back as its masked value keeps the stored secret.
 */
export class UpdateAlertChannelDto extends PartialType(OmitType(CreateAlertChannelDto, ['kind'] as const)) {}
