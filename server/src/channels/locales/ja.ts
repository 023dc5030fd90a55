import type { LocaleMessages } from "./types";

export const ja: LocaleMessages = {
  lang: "ja",
  dir: "ltr",
  sms: "{code} は{app}の認証コードです。有効期限{minutes}分。他人に教えないでください。",
  smsShort: "{code} は{app}の認証コードです。",
  smsTransaction: "{code} は{payee}への{amount}のお支払い用の{app}認証コードです。他人に教えないでください。",
  smsTransactionShort: "{code}：{payee}への{amount}のお支払い用{app}コード",
  voiceIntro: "こんにちは。{app}の認証コードは、",
  voiceIntroTransaction: "こんにちは。{payee}への{amount}のお支払い用、{app}の認証コードは、",
  voiceRepeat: "もう一度繰り返します。認証コードは、",
  voiceGoodbye: "失礼いたします。",
  emailSubject: "{code} は{app}の認証コードです",
  emailSubjectTransaction: "{code} は{payee}への{amount}のお支払い用の{app}認証コードです",
  emailBody: "{app}の認証コードは {code} です。{minutes}分後に無効になります。",
  emailTransaction: "このコードは{payee}への{amount}のお支払いを確認するものです。ご自身で開始したお支払いの場合のみご使用ください。",
  emailIgnore: "このコードに心当たりがない場合は、このメールを無視してください。コードは誰にも教えないでください。",
  whatsapp: "*{code}* は{app}の認証コードです。{minutes}分後に無効になります。安全のため、他人に教えないでください。",
  whatsappTransaction: "*{code}* は{payee}への{amount}のお支払い用の{app}認証コードです。{minutes}分後に無効になります。他人に教えないでください。",
  whatsappTemplate: { language: "ja" },
  voice: { language: "ja-JP", twilioVoice: "Polly.Mizuki" },
};
