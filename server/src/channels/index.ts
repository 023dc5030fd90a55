import { Channel } from "../verification/enums";
import type { ChannelStrategy } from "./channel";
import { EmailChannel } from "./email-channel";
import { RcsChannel } from "./rcs-channel";
import { SmsChannel } from "./sms-channel";
import { TelegramChannel } from "./telegram-channel";
import { VoiceChannel } from "./voice-channel";
import { WhatsAppChannel } from "./whatsapp-channel";

/** One strategy per channel. */
export function channelStrategies(): Map<Channel, ChannelStrategy> {
  return new Map<Channel, ChannelStrategy>([
    [Channel.SMS, new SmsChannel()],
    [Channel.VOICE, new VoiceChannel()],
    [Channel.EMAIL, new EmailChannel()],
    [Channel.WHATSAPP, new WhatsAppChannel()],
    [Channel.TELEGRAM, new TelegramChannel()],
    [Channel.RCS, new RcsChannel()],
  ]);
}
