import type { LocaleMessages } from "./types";

export const en: LocaleMessages = {
  lang: "en",
  dir: "ltr",
  sms: "{code} is your {app} code. Valid {minutes} min. Don't share it.",
  smsShort: "{code} is your {app} code.",
  smsTransaction: "{code} is your {app} code to pay {amount} to {payee}. Don't share it.",
  smsTransactionShort: "{code}: {app} code to pay {amount} to {payee}",
  voiceIntro: "Hello. Your {app} verification code is:",
  voiceIntroTransaction: "Hello. Your {app} code to pay {amount} to {payee} is:",
  voiceRepeat: "Once again, your code is:",
  voiceGoodbye: "Goodbye.",
  emailSubject: "{code} is your {app} verification code",
  emailSubjectTransaction: "{code} is your {app} code to pay {amount} to {payee}",
  emailBody: "Your {app} verification code is {code}. It expires in {minutes} minutes.",
  emailTransaction: "This code confirms a payment of {amount} to {payee}. Use it only if you started this payment.",
  emailIgnore: "If you didn't ask for this code, you can ignore this e-mail. Never share it with anyone.",
  whatsapp: "*{code}* is your {app} verification code. It expires in {minutes} minutes. For your security, don't share it.",
  whatsappTransaction: "*{code}* is your {app} code to pay {amount} to {payee}. It expires in {minutes} minutes. Don't share it.",
  whatsappTemplate: { language: "en", variants: { "en-US": "en_US", "en-GB": "en_GB" } },
  voice: {
    language: "en-US",
    twilioVoice: "Polly.Joanna",
    variants: {
      "en-GB": { language: "en-GB", twilioVoice: "Polly.Amy" },
      "en-AU": { language: "en-AU", twilioVoice: "Polly.Nicole" },
      "en-IN": { language: "en-IN", twilioVoice: "Polly.Raveena" },
    },
  },
};
