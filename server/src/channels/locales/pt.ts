import type { LocaleMessages } from "./types";

export const pt: LocaleMessages = {
  lang: "pt",
  dir: "ltr",
  sms: "{code} é seu código {app}. Válido por {minutes} min. Não compartilhe.",
  smsShort: "{code} é seu código {app}.",
  smsTransaction: "{code} é seu código {app} para pagar {amount} a {payee}. Não compartilhe.",
  smsTransactionShort: "{code}: código {app} para pagar {amount} a {payee}",
  voiceIntro: "Olá. Seu código de verificação {app} é:",
  voiceIntroTransaction: "Olá. Seu código {app} para pagar {amount} a {payee} é:",
  voiceRepeat: "Repetindo, seu código é:",
  voiceGoodbye: "Até logo.",
  emailSubject: "{code} é seu código de verificação {app}",
  emailSubjectTransaction: "{code} é seu código {app} para pagar {amount} a {payee}",
  emailBody: "Seu código de verificação {app} é {code}. Ele expira em {minutes} minutos.",
  emailTransaction: "Este código confirma um pagamento de {amount} a {payee}. Use-o somente se você iniciou este pagamento.",
  emailIgnore: "Se você não solicitou este código, ignore este e-mail. Nunca o compartilhe com ninguém.",
  whatsapp: "*{code}* é seu código de verificação {app}. Ele expira em {minutes} minutos. Para sua segurança, não o compartilhe.",
  whatsappTransaction: "*{code}* é seu código {app} para pagar {amount} a {payee}. Ele expira em {minutes} minutos. Não o compartilhe.",
  whatsappTemplate: { language: "pt_BR", variants: { "pt-PT": "pt_PT" } },
  // Brazil is where most Portuguese speakers are; "pt-PT" gets the European voice.
  voice: {
    language: "pt-BR",
    twilioVoice: "Polly.Camila",
    variants: { "pt-PT": { language: "pt-PT", twilioVoice: "Polly.Ines" } },
  },
};
