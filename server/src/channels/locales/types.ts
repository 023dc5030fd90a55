/**
 * One locale's wording. Placeholders: {app} {code} {minutes} {amount} {payee}.
 * The code comes first in SMS texts so that notification previews and autofill see it at once.
 */
export interface LocaleMessages {
  /** BCP 47 language of the texts (the e-mail's `lang`). */
  lang: string;
  /** Writing direction for the e-mail body. */
  dir: "ltr" | "rtl";
  sms: string;
  /** Used when the full text would not fit one segment (long app name, hash and WebOTP lines). */
  smsShort: string;
  /** PSD2 dynamic linking: the amount and the payee are part of what the person confirms. */
  smsTransaction: string;
  smsTransactionShort: string;
  /** Spoken before the digits. */
  voiceIntro: string;
  voiceIntroTransaction: string;
  /** Spoken before the second reading of the digits. */
  voiceRepeat: string;
  voiceGoodbye: string;
  emailSubject: string;
  emailSubjectTransaction: string;
  emailBody: string;
  emailTransaction: string;
  emailIgnore: string;
  /** WhatsApp: what an authentication template shows (bold code, the app, the validity), as plain text. */
  whatsapp: string;
  whatsappTransaction: string;
  /** The WhatsApp template language code ("pt_BR"), with region variants keyed by BCP 47 tag ("pt-PT"). */
  whatsappTemplate: { language: string; variants?: Record<string, string> };
  /** Text-to-speech settings; `variants` keyed by region tag (e.g. "pt-PT") override the default. */
  voice: VoiceSpec & { variants?: Record<string, VoiceSpec> };
}

/**
 * How the locale is spoken. `language` is the vendor-neutral BCP 47 tag (Vonage and others take
 * it); Twilio's `<Say>` takes an Amazon Polly voice (SSML, so `<prosody rate="slow">` works) and
 * that voice's own language code, which differs for a few (Arabic "arb", Mandarin "cmn-CN").
 */
export interface VoiceSpec {
  language: string;
  twilioVoice: string;
  twilioLanguage?: string;
}
