import type { LocaleMessages } from "./types";

export const nl: LocaleMessages = {
  lang: "nl",
  dir: "ltr",
  sms: "{code} is je {app}-code. {minutes} min geldig. Deel hem niet.",
  smsShort: "{code} is je {app}-code.",
  smsTransaction: "{code} is je {app}-code om {amount} te betalen aan {payee}. Deel hem niet.",
  smsTransactionShort: "{code}: {app}-code voor {amount} aan {payee}",
  voiceIntro: "Hallo. Je {app}-verificatiecode is:",
  voiceIntroTransaction: "Hallo. Je {app}-code om {amount} te betalen aan {payee} is:",
  voiceRepeat: "Nogmaals, je code is:",
  voiceGoodbye: "Tot ziens.",
  emailSubject: "{code} is je {app}-verificatiecode",
  emailSubjectTransaction: "{code} is je {app}-code om {amount} te betalen aan {payee}",
  emailBody: "Je {app}-verificatiecode is {code}. Hij verloopt over {minutes} minuten.",
  emailTransaction: "Deze code bevestigt een betaling van {amount} aan {payee}. Gebruik hem alleen als je deze betaling zelf hebt gestart.",
  emailIgnore: "Heb je deze code niet aangevraagd? Dan kun je deze e-mail negeren. Deel de code met niemand.",
  whatsapp: "*{code}* is je {app}-verificatiecode. Hij verloopt over {minutes} minuten. Deel hem voor je veiligheid niet.",
  whatsappTransaction: "*{code}* is je {app}-code om {amount} te betalen aan {payee}. Hij verloopt over {minutes} minuten. Deel hem niet.",
  whatsappTemplate: { language: "nl" },
  voice: { language: "nl-NL", twilioVoice: "Polly.Lotte" },
};
