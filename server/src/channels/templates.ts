/** Message wording, per locale. Placeholders: {app} {code} {minutes} {amount} {payee}. */
export interface Templates {
  sms: string;
  smsTransaction: string;
  voice: string;
  voiceTransaction: string;
  emailSubject: string;
  emailBody: string;
  emailTransaction: string;
  emailIgnore: string;
}

export const templates: Record<string, Templates> = {
  en: {
    sms: "{code} is your {app} code. Valid {minutes} min. Don't share it.",
    smsTransaction: "{code} is your {app} code to pay {amount} to {payee}. Don't share it.",
    voice: "Your {app} verification code is: {digits}. Again: {digits}.",
    voiceTransaction: "Your {app} code to pay {amount} to {payee} is: {digits}. Again: {digits}.",
    emailSubject: "{code} is your {app} verification code",
    emailBody: "Your {app} verification code is {code}. It expires in {minutes} minutes.",
    emailTransaction: "This code confirms a payment of {amount} to {payee}.",
    emailIgnore: "If you didn't ask for this code, you can ignore this e-mail.",
  },
};

/** The closest locale we have: "pt-BR" → "pt" → the app default → "en". */
export function resolveLocale(requested: string | null | undefined, appDefault: string): string {
  for (const candidate of [requested, appDefault]) {
    if (!candidate) continue;
    if (templates[candidate]) return candidate;
    const base = candidate.split("-")[0].toLowerCase();
    if (templates[base]) return base;
  }
  return "en";
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? "");
}
