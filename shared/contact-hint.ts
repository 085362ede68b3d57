/** The cheap test a content script runs before sending text on: could this hold a number or an address? */
export const MIGHT_HOLD_CONTACT = /\d[\d \u00A0().-]{5,}\d|@/;
