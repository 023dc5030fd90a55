import type { LocaleMessages } from "./types";

export const ar: LocaleMessages = {
  lang: "ar",
  dir: "rtl",
  sms: "{code} هو رمز {app} الخاص بك. صالح لمدة {minutes} دقائق. لا تشاركه مع أحد.",
  smsShort: "{code} هو رمز {app} الخاص بك.",
  smsTransaction: "{code} هو رمز {app} لدفع {amount} إلى {payee}. لا تشاركه مع أحد.",
  smsTransactionShort: "{code}: رمز {app} لدفع {amount} إلى {payee}",
  voiceIntro: "مرحبا. رمز التحقق الخاص بك من {app} هو:",
  voiceIntroTransaction: "مرحبا. رمز {app} لدفع {amount} إلى {payee} هو:",
  voiceRepeat: "أكرر، رمزك هو:",
  voiceGoodbye: "مع السلامة.",
  emailSubject: "{code} هو رمز التحقق الخاص بك من {app}",
  emailSubjectTransaction: "{code} هو رمز {app} لدفع {amount} إلى {payee}",
  emailBody: "رمز التحقق الخاص بك من {app} هو {code}. تنتهي صلاحيته خلال {minutes} دقائق.",
  emailTransaction: "يؤكد هذا الرمز دفع {amount} إلى {payee}. استخدمه فقط إذا كنت أنت من بدأ عملية الدفع هذه.",
  emailIgnore: "إذا لم تطلب هذا الرمز، يمكنك تجاهل هذه الرسالة. لا تشاركه مع أي شخص أبدا.",
  whatsapp: "*{code}* هو رمز التحقق الخاص بك من {app}. تنتهي صلاحيته خلال {minutes} دقائق. من أجل أمانك، لا تشاركه مع أحد.",
  whatsappTransaction: "*{code}* هو رمز {app} الخاص بك لدفع {amount} إلى {payee}. تنتهي صلاحيته خلال {minutes} دقائق. لا تشاركه مع أحد.",
  whatsappTemplate: { language: "ar" },
  // Polly's Modern Standard Arabic voice goes by the ISO 639-3 code "arb" at Twilio.
  voice: { language: "ar", twilioVoice: "Polly.Zeina", twilioLanguage: "arb" },
};
