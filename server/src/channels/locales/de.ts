import type { LocaleMessages } from "./types";

export const de: LocaleMessages = {
  lang: "de",
  dir: "ltr",
  sms: "{code} ist Ihr {app}-Code. {minutes} Min. gültig. Nicht weitergeben.",
  smsShort: "{code} ist Ihr {app}-Code.",
  smsTransaction: "{code} ist Ihr {app}-Code für die Zahlung von {amount} an {payee}. Nicht weitergeben.",
  smsTransactionShort: "{code}: {app}-Code für {amount} an {payee}",
  voiceIntro: "Guten Tag. Ihr {app}-Bestätigungscode lautet:",
  voiceIntroTransaction: "Guten Tag. Ihr {app}-Code für die Zahlung von {amount} an {payee} lautet:",
  voiceRepeat: "Noch einmal, Ihr Code lautet:",
  voiceGoodbye: "Auf Wiederhören.",
  emailSubject: "{code} ist Ihr {app}-Bestätigungscode",
  emailSubjectTransaction: "{code} ist Ihr {app}-Code für die Zahlung von {amount} an {payee}",
  emailBody: "Ihr {app}-Bestätigungscode lautet {code}. Er läuft in {minutes} Minuten ab.",
  emailTransaction: "Dieser Code bestätigt eine Zahlung von {amount} an {payee}. Verwenden Sie ihn nur, wenn Sie diese Zahlung selbst veranlasst haben.",
  emailIgnore: "Wenn Sie diesen Code nicht angefordert haben, können Sie diese E-Mail ignorieren. Geben Sie ihn niemals weiter.",
  whatsapp: "*{code}* ist Ihr {app}-Bestätigungscode. Er läuft in {minutes} Minuten ab. Geben Sie ihn zu Ihrer Sicherheit nicht weiter.",
  whatsappTransaction: "*{code}* ist Ihr {app}-Code für die Zahlung von {amount} an {payee}. Er läuft in {minutes} Minuten ab. Nicht weitergeben.",
  whatsappTemplate: { language: "de" },
  voice: { language: "de-DE", twilioVoice: "Polly.Marlene" },
};
