/** The languages MessageBird's voice messages speak (its `language` parameter), lower case. */
const LANGUAGES = new Set([
  "cy-gb", "da-dk", "de-de", "el-gr", "en-au", "en-gb", "en-gb-wls", "en-in", "en-us", "es-es", "es-mx", "es-us", "fr-ca", "fr-fr",
  "id-id", "is-is", "it-it", "ja-jp", "ko-kr", "ms-my", "nb-no", "nl-nl", "pl-pl", "pt-br", "pt-pt", "ro-ro", "ru-ru", "sv-se",
  "ta-in", "th-th", "tr-tr", "vi-vn", "zh-cn", "zh-hk",
]);
/** A language's usual voice when the tag names no region MessageBird has ("pt" → Brazil, "en" → UK). */
const DEFAULT_FOR: Record<string, string> = {
  en: "en-gb", es: "es-es", fr: "fr-fr", de: "de-de", it: "it-it", nl: "nl-nl", pt: "pt-br", ja: "ja-jp", zh: "zh-cn",
  da: "da-dk", el: "el-gr", id: "id-id", is: "is-is", ko: "ko-kr", ms: "ms-my", nb: "nb-no", no: "nb-no", pl: "pl-pl", ro: "ro-ro",
  ru: "ru-ru", sv: "sv-se", ta: "ta-in", th: "th-th", tr: "tr-tr", vi: "vi-vn", cy: "cy-gb",
};

/** The `language` for a BCP 47 tag: the tag itself when MessageBird speaks it, else the language's default, else en-gb. */
export function voiceLanguage(tag: string | undefined): string {
  const t = (tag ?? "en").toLowerCase().replace(/_/g, "-");
  if (LANGUAGES.has(t)) return t;
  return DEFAULT_FOR[t.split("-")[0]] ?? "en-gb";
}
