/** Paystack's test card that always succeeds; the checkout pays with it when auto-pay is on. */
export const SUCCESSFUL_CARD = '4084084084084081';
/** Paystack's test card that is always declined. */
export const DECLINED_CARD = '4084080000005408';
