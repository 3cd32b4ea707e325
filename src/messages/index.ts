/**
 * The message catalogue: every fixed text a user sees, in the language of the question (or of the
 * channel, for messages that answer no question). See catalogue.ts for the keys, languages.ts for the list.
 */
import type { Messages } from './catalogue.js';
import * as catalogues from './languages.js';

export type { Messages } from './catalogue.js';
export type Language = keyof typeof catalogues;

const ALL: Record<Language, Messages> = catalogues;
export const LANGUAGES = Object.keys(ALL) as Language[];
export const DEFAULT_LANGUAGE: Language = 'en';

export function isLanguage(value: string): value is Language {
  return Object.hasOwn(ALL, value);
}

/** The texts of one language. */
export function messages(language: Language): Messages {
  return ALL[language];
}

/**
 * The language a text is written in: the one whose script has the most word units in it (two Han
 * characters weigh about one Latin word, so "Kubernetes 的 pod 怎么重启？" is Chinese and
 * "What does 张三 say?" English). No letters at all, or a tie: the default, English.
 */
export function detectLanguage(text: string): Language {
  let best: Language = DEFAULT_LANGUAGE;
  let bestUnits = ALL[DEFAULT_LANGUAGE].language.wordUnits(text);
  for (const language of LANGUAGES) {
    const units = ALL[language].language.wordUnits(text);
    if (units > bestUnits) [best, bestUnits] = [language, units];
  }
  return best;
}
