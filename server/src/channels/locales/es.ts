import type { LocaleMessages } from "./types";

export const es: LocaleMessages = {
  lang: "es",
  dir: "ltr",
  sms: "{code} es tu código de {app}. Válido {minutes} min. No lo compartas.",
  smsShort: "{code} es tu código de {app}.",
  smsTransaction: "{code} es tu código de {app} para pagar {amount} a {payee}. No lo compartas.",
  smsTransactionShort: "{code}: código de {app} para pagar {amount} a {payee}",
  voiceIntro: "Hola. Tu código de verificación de {app} es:",
  voiceIntroTransaction: "Hola. Tu código de {app} para pagar {amount} a {payee} es:",
  voiceRepeat: "Repito, tu código es:",
  voiceGoodbye: "Adiós.",
  emailSubject: "{code} es tu código de verificación de {app}",
  emailSubjectTransaction: "{code} es tu código de {app} para pagar {amount} a {payee}",
  emailBody: "Tu código de verificación de {app} es {code}. Caduca en {minutes} minutos.",
  emailTransaction: "Este código confirma un pago de {amount} a {payee}. Úsalo solo si iniciaste este pago.",
  emailIgnore: "Si no solicitaste este código, puedes ignorar este correo. No lo compartas con nadie.",
  whatsapp: "*{code}* es tu código de verificación de {app}. Caduca en {minutes} minutos. Por tu seguridad, no lo compartas.",
  whatsappTransaction: "*{code}* es tu código de {app} para pagar {amount} a {payee}. Caduca en {minutes} minutos. No lo compartas.",
  whatsappTemplate: { language: "es", variants: { "es-ES": "es_ES", "es-MX": "es_MX", "es-AR": "es_AR" } },
  voice: {
    language: "es-ES",
    twilioVoice: "Polly.Lucia",
    variants: {
      "es-MX": { language: "es-MX", twilioVoice: "Polly.Mia" },
      "es-US": { language: "es-US", twilioVoice: "Polly.Lupe" },
    },
  },
};
