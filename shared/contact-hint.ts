/**
 * The cheap test a content script runs before sending text on: could this hold a number (in Latin,
 * Arabic-Indic or Persian digits) or an address?
 */
export const MIGHT_HOLD_CONTACT =
  /[\d\u0660-\u0669\u06F0-\u06F9][\d\u0660-\u0669\u06F0-\u06F9 \u00A0().-]{5,}[\d\u0660-\u0669\u06F0-\u06F9]|@/;
