import type { LocaleMessages } from "./types";

export const fr: LocaleMessages = {
  lang: "fr",
  dir: "ltr",
  sms: "{code} est votre code {app}. Valable {minutes} min. Ne le partagez pas.",
  smsShort: "{code} est votre code {app}.",
  smsTransaction: "{code} est votre code {app} pour payer {amount} à {payee}. Ne le partagez pas.",
  smsTransactionShort: "{code} : code {app} pour payer {amount} à {payee}",
  voiceIntro: "Bonjour. Votre code de vérification {app} est :",
  voiceIntroTransaction: "Bonjour. Votre code {app} pour payer {amount} à {payee} est :",
  voiceRepeat: "Je répète, votre code est :",
  voiceGoodbye: "Au revoir.",
  emailSubject: "{code} est votre code de vérification {app}",
  emailSubjectTransaction: "{code} est votre code {app} pour payer {amount} à {payee}",
  emailBody: "Votre code de vérification {app} est {code}. Il expire dans {minutes} minutes.",
  emailTransaction: "Ce code confirme un paiement de {amount} à {payee}. Ne l'utilisez que si vous êtes à l'origine de ce paiement.",
  emailIgnore: "Si vous n'avez pas demandé ce code, ignorez cet e-mail. Ne le communiquez à personne.",
  whatsapp: "*{code}* est votre code de vérification {app}. Il expire dans {minutes} minutes. Pour votre sécurité, ne le partagez pas.",
  whatsappTransaction: "*{code}* est votre code {app} pour payer {amount} à {payee}. Il expire dans {minutes} minutes. Ne le partagez pas.",
  whatsappTemplate: { language: "fr" },
  voice: {
    language: "fr-FR",
    twilioVoice: "Polly.Celine",
    variants: { "fr-CA": { language: "fr-CA", twilioVoice: "Polly.Chantal" } },
  },
};
