/** Luhn (ISO/IEC 7812-1 annex B) over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = digits.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** ABA routing number check digit: 3, 7, 1 weights over the nine digits, sum mod 10 is 0. */
export function abaValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const weights = [3, 7, 1, 3, 7, 1, 3, 7, 1];
  let sum = 0;
  for (let index = 0; index < 9; index += 1) {
    sum += (digits.charCodeAt(index) - 48) * (weights[index] ?? 0);
  }
  return sum !== 0 && sum % 10 === 0;
}

/** NPI: ten digits, first 1 or 2, Luhn over the number prefixed with 80840 (CMS NPI standard). */
export function npiValid(digits: string): boolean {
  return /^[12]\d{9}$/.test(digits) && luhnValid(`80840${digits}`);
}

/**
 * DEA registration number: two letters and seven digits; (d1 + d3 + d5) + 2 * (d2 + d4 + d6)
 * ends in d7.
 */
export function deaValid(value: string): boolean {
  const match = /^[A-Z][A-Z9](\d{7})$/i.exec(value);
  if (!match?.[1]) return false;
  const d = [...match[1]].map(Number);
  const sum =
    (d[0] ?? 0) + (d[2] ?? 0) + (d[4] ?? 0) + 2 * ((d[1] ?? 0) + (d[3] ?? 0) + (d[5] ?? 0));
  return sum % 10 === d[6];
}

/**
 * Payment card issuer ranges (IIN prefixes) with their lengths: Visa, Mastercard (51-55 and
 * 2221-2720), American Express, Discover, JCB, Diners Club, UnionPay, Maestro.
 */
export function cardIssuer(digits: string): string | null {
  const length = digits.length;
  const prefix2 = Number(digits.slice(0, 2));
  const prefix3 = Number(digits.slice(0, 3));
  const prefix4 = Number(digits.slice(0, 4));
  const prefix6 = Number(digits.slice(0, 6));
  if (digits.startsWith('4') && [13, 16, 19].includes(length)) return 'visa';
  if (length === 16 && ((prefix2 >= 51 && prefix2 <= 55) || (prefix4 >= 2221 && prefix4 <= 2720)))
    return 'mastercard';
  if (length === 15 && (prefix2 === 34 || prefix2 === 37)) return 'amex';
  if (
    length >= 16 &&
    length <= 19 &&
    (prefix4 === 6011 ||
      (prefix3 >= 644 && prefix3 <= 649) ||
      prefix2 === 65 ||
      (prefix6 >= 622126 && prefix6 <= 622925))
  )
    return 'discover';
  if (length === 15 && (prefix4 === 1800 || prefix4 === 2131)) return 'jcb';
  if (length >= 16 && length <= 19 && prefix4 >= 3528 && prefix4 <= 3589) return 'jcb';
  if (length >= 14 && length <= 19 && ((prefix3 >= 300 && prefix3 <= 305) || prefix2 === 36))
    return 'diners';
  if (length === 16 && (prefix2 === 38 || prefix2 === 39)) return 'diners';
  if (length >= 16 && length <= 19 && prefix2 === 62) return 'unionpay';
  if (
    length >= 12 &&
    length <= 19 &&
    ([50, 56, 57, 58, 63, 67].includes(prefix2) || prefix2 === 60 || prefix2 === 69)
  )
    return 'maestro';
  return null;
}
