const DIGIT_RUN = /\d{13,19}/g;

/**
 * Masks every run of 13-19 digits that passes the Luhn check (a payment-card number) down to its
 * first six and last four digits, as PCI DSS allows, wherever it appears in a logged string.
 */
export function maskCardNumbers(text: string): string {
  return text.replace(DIGIT_RUN, (digits) => (passesLuhn(digits) ? `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}` : digits));
}

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
