/**
 * RCS wording per locale, apart from the shared locale files so the channel reads in one place.
 * An RCS business message arrives in the phone's own messaging app (Google Messages) under the
 * brand's verified agent — its name, logo and verified badge — so the text needs no sender
 * prefix and carries no link: the code first (notification previews), the app, the validity,
 * and the warning. Plain text only (no `*bold*`: RCS text messages don't render markup).
 * A new locale needs its RCS wording here too (test/unit/channels-rcs.test.ts checks every one).
 */
export interface RcsTexts {
  rcs: string;
  /** PSD2 dynamic linking: RCS carries our own text, so the amount and payee are shown (unlike a WhatsApp template). */
  rcsTransaction: string;
}

type LocaleKey = "en" | "es" | "fr" | "de" | "pt" | "it" | "nl" | "hi" | "ar" | "zh" | "ja";

export const rcsTexts: Readonly<Record<LocaleKey, RcsTexts>> = {
  en: {
    rcs: "{code} is your {app} verification code. It expires in {minutes} minutes. Never share it with anyone.",
    rcsTransaction: "{code} is your {app} code to pay {amount} to {payee}. It expires in {minutes} minutes. Never share it.",
  },
  es: {
    rcs: "{code} es tu código de verificación de {app}. Caduca en {minutes} minutos. No lo compartas con nadie.",
    rcsTransaction: "{code} es tu código de {app} para pagar {amount} a {payee}. Caduca en {minutes} minutos. No lo compartas.",
  },
  fr: {
    rcs: "{code} est votre code de vérification {app}. Il expire dans {minutes} minutes. Ne le communiquez à personne.",
    rcsTransaction: "{code} est votre code {app} pour payer {amount} à {payee}. Il expire dans {minutes} minutes. Ne le communiquez pas.",
  },
  de: {
    rcs: "{code} ist Ihr {app}-Bestätigungscode. Er läuft in {minutes} Minuten ab. Geben Sie ihn niemandem weiter.",
    rcsTransaction: "{code} ist Ihr {app}-Code für die Zahlung von {amount} an {payee}. Er läuft in {minutes} Minuten ab. Nicht weitergeben.",
  },
  pt: {
    rcs: "{code} é seu código de verificação {app}. Ele expira em {minutes} minutos. Nunca o compartilhe com ninguém.",
    rcsTransaction: "{code} é seu código {app} para pagar {amount} a {payee}. Ele expira em {minutes} minutos. Não o compartilhe.",
  },
  it: {
    rcs: "{code} è il tuo codice di verifica {app}. Scade tra {minutes} minuti. Non condividerlo con nessuno.",
    rcsTransaction: "{code} è il tuo codice {app} per pagare {amount} a {payee}. Scade tra {minutes} minuti. Non condividerlo.",
  },
  nl: {
    rcs: "{code} is je {app}-verificatiecode. Hij verloopt over {minutes} minuten. Deel hem met niemand.",
    rcsTransaction: "{code} is je {app}-code om {amount} te betalen aan {payee}. Hij verloopt over {minutes} minuten. Deel hem niet.",
  },
  hi: {
    rcs: "{code} आपका {app} सत्यापन कोड है। यह {minutes} मिनट में समाप्त हो जाएगा। इसे कभी किसी से साझा न करें।",
    rcsTransaction: "{code} {payee} को {amount} का भुगतान करने के लिए आपका {app} कोड है। यह {minutes} मिनट में समाप्त हो जाएगा। इसे साझा न करें।",
  },
  ar: {
    rcs: "{code} هو رمز التحقق الخاص بك من {app}. تنتهي صلاحيته خلال {minutes} دقائق. لا تشاركه مع أي شخص.",
    rcsTransaction: "{code} هو رمز {app} الخاص بك لدفع {amount} إلى {payee}. تنتهي صلاحيته خلال {minutes} دقائق. لا تشاركه مع أحد.",
  },
  zh: {
    rcs: "{code} 是您的{app}验证码，将在 {minutes} 分钟后失效。请勿向任何人透露。",
    rcsTransaction: "{code} 是您向{payee}支付{amount}的{app}验证码，将在 {minutes} 分钟后失效。请勿泄露。",
  },
  ja: {
    rcs: "{code} は{app}の認証コードです。{minutes}分後に無効になります。誰にも教えないでください。",
    rcsTransaction: "{code} は{payee}への{amount}のお支払い用の{app}認証コードです。{minutes}分後に無効になります。他人に教えないでください。",
  },
};
