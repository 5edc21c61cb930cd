/** Phone numbers are personal data: logs keep the country code and the last two digits only. */
export function maskPhoneNumber(value: string): string {
  return value.replace(/\+?\d[\d\s().-]{5,}\d/g, (m) => {
    const digits = m.replace(/\D/g, '');
    const plus = m.startsWith('+') ? '+' : '';
    return `${plus}${digits.slice(0, plus ? 1 : 0)}${'*'.repeat(Math.max(0, digits.length - (plus ? 3 : 2)))}${digits.slice(-2)}`;
  });
}
