import type { LocaleMessages } from "./types";

export const zh: LocaleMessages = {
  lang: "zh",
  dir: "ltr",
  sms: "{code} 是您的{app}验证码，{minutes}分钟内有效。请勿泄露。",
  smsShort: "{code} 是您的{app}验证码。",
  smsTransaction: "{code} 是您向{payee}支付{amount}的{app}验证码。请勿泄露。",
  smsTransactionShort: "{code}：{app}验证码，向{payee}支付{amount}",
  voiceIntro: "您好。您的{app}验证码是：",
  voiceIntroTransaction: "您好。您向{payee}支付{amount}的{app}验证码是：",
  voiceRepeat: "再说一遍，您的验证码是：",
  voiceGoodbye: "再见。",
  emailSubject: "{code} 是您的{app}验证码",
  emailSubjectTransaction: "{code} 是您向{payee}支付{amount}的{app}验证码",
  emailBody: "您的{app}验证码是 {code}，将在 {minutes} 分钟后失效。",
  emailTransaction: "此验证码用于确认向{payee}支付{amount}。仅当这笔付款是您本人发起时才可使用。",
  emailIgnore: "如果您没有申请此验证码，请忽略本邮件。切勿将验证码告诉任何人。",
  whatsapp: "*{code}* 是您的{app}验证码，将在 {minutes} 分钟后失效。为了您的安全，请勿泄露。",
  whatsappTransaction: "*{code}* 是您向{payee}支付{amount}的{app}验证码，将在 {minutes} 分钟后失效。请勿泄露。",
  whatsappTemplate: { language: "zh_CN", variants: { "zh-HK": "zh_HK", "zh-TW": "zh_TW" } },
  // Polly's Mandarin voice takes "cmn-CN" at Twilio.
  voice: { language: "zh-CN", twilioVoice: "Polly.Zhiyu", twilioLanguage: "cmn-CN" },
};
