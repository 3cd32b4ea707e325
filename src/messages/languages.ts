/**
 * The languages citebot speaks: one line each. To add one, copy en.ts to xx.ts, translate it, and add
 * its line here; TypeScript then checks that it has every key. The first is the default.
 */
export { en } from './en.js';
export { zh } from './zh.js';
