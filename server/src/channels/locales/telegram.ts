/**
 * TELEGRAM's wording per locale, kept beside the locale files rather than in them so the
 * channel reads in one place. Telegram writes the message the person actually reads (its
 * "Verification Codes" chat shows our code under the Gateway account's name, in the user's
 * Telegram language): only the code and the validity reach Telegram. This text is what the
 * outbox, the dashboard and a bring-your-own (`http`) vendor carry for a TELEGRAM delivery.
 * Placeholders as in types.ts: {app} {code} {minutes} {amount} {payee}.
 */
export interface TelegramWording {
  telegram: string;
  /** Telegram's own message can't show payment details: a vendor sending through the Gateway API shows the code alone. */
  telegramTransaction: string;
}

/** The base languages of locales/index.ts (a test checks the two lists agree). */
type Language = "en" | "es" | "fr" | "de" | "pt" | "it" | "nl" | "hi" | "ar" | "zh" | "ja";

export const telegramWording: Readonly<Record<Language, TelegramWording>> = {
  en: {
    telegram: "{code} is your {app} verification code. It expires in {minutes} minutes. Don't share it.",
    telegramTransaction: "{code} is your {app} code to pay {amount} to {payee}. It expires in {minutes} minutes. Don't share it.",
  },
  es: {
    telegram: "{code} es tu código de verificación de {app}. Caduca en {minutes} minutos. No lo compartas.",
    telegramTransaction: "{code} es tu código de {app} para pagar {amount} a {payee}. Caduca en {minutes} minutos. No lo compartas.",
  },
  fr: {
    telegram: "{code} est votre code de vérification {app}. Il expire dans {minutes} minutes. Ne le partagez pas.",
    telegramTransaction: "{code} est votre code {app} pour payer {amount} à {payee}. Il expire dans {minutes} minutes. Ne le partagez pas.",
  },
  de: {
    telegram: "{code} ist Ihr {app}-Bestätigungscode. Er läuft in {minutes} Minuten ab. Geben Sie ihn nicht weiter.",
    telegramTransaction: "{code} ist Ihr {app}-Code, um {amount} an {payee} zu zahlen. Er läuft in {minutes} Minuten ab. Geben Sie ihn nicht weiter.",
  },
  pt: {
    telegram: "{code} é o seu código de verificação do {app}. Expira em {minutes} minutos. Não o partilhe.",
    telegramTransaction: "{code} é o seu código do {app} para pagar {amount} a {payee}. Expira em {minutes} minutos. Não o partilhe.",
  },
  it: {
    telegram: "{code} è il tuo codice di verifica {app}. Scade tra {minutes} minuti. Non condividerlo.",
    telegramTransaction: "{code} è il tuo codice {app} per pagare {amount} a {payee}. Scade tra {minutes} minuti. Non condividerlo.",
  },
  nl: {
    telegram: "{code} is je verificatiecode voor {app}. Hij verloopt over {minutes} minuten. Deel hem met niemand.",
    telegramTransaction: "{code} is je {app}-code om {amount} aan {payee} te betalen. Hij verloopt over {minutes} minuten. Deel hem met niemand.",
  },
  hi: {
    telegram: "{code} आपका {app} सत्यापन कोड है। यह {minutes} मिनट में समाप्त हो जाएगा। इसे किसी से साझा न करें।",
    telegramTransaction: "{code} {payee} को {amount} का भुगतान करने के लिए आपका {app} कोड है। यह {minutes} मिनट में समाप्त हो जाएगा। इसे साझा न करें।",
  },
  ar: {
    telegram: "{code} هو رمز التحقق الخاص بك في {app}. تنتهي صلاحيته بعد {minutes} دقيقة. لا تشاركه مع أحد.",
    telegramTransaction: "{code} هو رمز {app} لدفع {amount} إلى {payee}. تنتهي صلاحيته بعد {minutes} دقيقة. لا تشاركه مع أحد.",
  },
  zh: {
    telegram: "{code} 是您的 {app} 验证码，{minutes} 分钟内有效。请勿泄露给他人。",
    telegramTransaction: "{code} 是您向 {payee} 支付 {amount} 的 {app} 验证码，{minutes} 分钟内有效。请勿泄露给他人。",
  },
  ja: {
    telegram: "{code} は {app} の確認コードです。有効期限は {minutes} 分です。他の人に教えないでください。",
    telegramTransaction: "{code} は {payee} に {amount} を支払うための {app} のコードです。有効期限は {minutes} 分です。他の人に教えないでください。",
  },
};
