import { ar } from "./ar";
import { de } from "./de";
import { en } from "./en";
import { es } from "./es";
import { fr } from "./fr";
import { hi } from "./hi";
import { it } from "./it";
import { ja } from "./ja";
import { nl } from "./nl";
import { pt } from "./pt";
import type { LocaleMessages } from "./types";
import { zh } from "./zh";

export type { LocaleMessages, VoiceSpec } from "./types";

/** Every locale the gateway speaks, by base language. Add one: a file here and a line below. */
export const locales: Readonly<Record<string, LocaleMessages>> = { en, es, fr, de, pt, it, nl, hi, ar, zh, ja };

export const supportedLocales: readonly string[] = Object.keys(locales);
