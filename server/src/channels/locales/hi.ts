import type { LocaleMessages } from "./types";

export const hi: LocaleMessages = {
  lang: "hi",
  dir: "ltr",
  sms: "{code} आपका {app} कोड है। {minutes} मिनट तक मान्य। इसे किसी से साझा न करें।",
  smsShort: "{code} आपका {app} कोड है।",
  smsTransaction: "{code} आपका {app} कोड है, {payee} को {amount} के भुगतान के लिए। इसे साझा न करें।",
  smsTransactionShort: "{code}: {payee} को {amount} के भुगतान के लिए {app} कोड",
  voiceIntro: "नमस्ते। आपका {app} सत्यापन कोड है:",
  voiceIntroTransaction: "नमस्ते। {payee} को {amount} के भुगतान के लिए आपका {app} कोड है:",
  voiceRepeat: "फिर से, आपका कोड है:",
  voiceGoodbye: "धन्यवाद।",
  emailSubject: "{code} आपका {app} सत्यापन कोड है",
  emailSubjectTransaction: "{code} आपका {app} कोड है: {payee} को {amount} का भुगतान",
  emailBody: "आपका {app} सत्यापन कोड {code} है। यह {minutes} मिनट में समाप्त हो जाएगा।",
  emailTransaction: "यह कोड {payee} को {amount} के भुगतान की पुष्टि करता है। इसका उपयोग तभी करें जब यह भुगतान आपने शुरू किया हो।",
  emailIgnore: "यदि आपने यह कोड नहीं माँगा था, तो इस ईमेल को अनदेखा करें। इसे कभी किसी से साझा न करें।",
  whatsapp: "*{code}* आपका {app} सत्यापन कोड है। यह {minutes} मिनट में समाप्त हो जाएगा। अपनी सुरक्षा के लिए इसे किसी से साझा न करें।",
  whatsappTransaction: "*{code}* {payee} को {amount} का भुगतान करने के लिए आपका {app} कोड है। यह {minutes} मिनट में समाप्त हो जाएगा। इसे साझा न करें।",
  whatsappTemplate: { language: "hi" },
  voice: { language: "hi-IN", twilioVoice: "Polly.Aditi" },
};
