import type { LocaleMessages } from "./types";

export const it: LocaleMessages = {
  lang: "it",
  dir: "ltr",
  sms: "{code} è il tuo codice {app}. Valido {minutes} min. Non condividerlo.",
  smsShort: "{code} è il tuo codice {app}.",
  smsTransaction: "{code} è il tuo codice {app} per pagare {amount} a {payee}. Non condividerlo.",
  smsTransactionShort: "{code}: codice {app} per pagare {amount} a {payee}",
  voiceIntro: "Salve. Il tuo codice di verifica {app} è:",
  voiceIntroTransaction: "Salve. Il tuo codice {app} per pagare {amount} a {payee} è:",
  voiceRepeat: "Ripeto, il tuo codice è:",
  voiceGoodbye: "Arrivederci.",
  emailSubject: "{code} è il tuo codice di verifica {app}",
  emailSubjectTransaction: "{code} è il tuo codice {app} per pagare {amount} a {payee}",
  emailBody: "Il tuo codice di verifica {app} è {code}. Scade tra {minutes} minuti.",
  emailTransaction: "Questo codice conferma un pagamento di {amount} a {payee}. Usalo solo se hai avviato tu questo pagamento.",
  emailIgnore: "Se non hai richiesto questo codice, ignora questa e-mail. Non condividerlo con nessuno.",
  whatsapp: "*{code}* è il tuo codice di verifica {app}. Scade tra {minutes} minuti. Per la tua sicurezza, non condividerlo.",
  whatsappTransaction: "*{code}* è il tuo codice {app} per pagare {amount} a {payee}. Scade tra {minutes} minuti. Non condividerlo.",
  whatsappTemplate: { language: "it" },
  voice: { language: "it-IT", twilioVoice: "Polly.Carla" },
};
