import { finessSchema } from '../../domain/schemas';
import { finessProblem, withCheckDigit } from '../../domain/finess';

const real = ['010003820', '250003530', '860000017'];

test.each(real)('the real FINESS number %s is valid', (n) => {
  expect(finessProblem(n)).toBeUndefined();
});

test.each(real)('every single-digit alteration of %s fails its check digit', (n) => {
  for (let i = 2; i < 9; i++) {
    for (let d = 0; d <= 9; d++) {
      const altered = n.slice(0, i) + d + n.slice(i + 1);
      if (altered !== n) expect([altered, finessProblem(altered)]).toEqual([altered, 'check_digit']);
    }
  }
});

test.each([
  ['01000382', 'length'],
  ['0100038201', 'length'],
  ['01000382X', 'characters'],
  ['2C0000345', 'characters'],
  ['000003820', 'departement'],
  ['990000017', 'departement'],
])('%s is refused: %s', (n, problem) => {
  expect(finessProblem(n)).toBe(problem);
});

test('Corsica (2A/2B) is checked for form only; overseas numbers by Luhn', () => {
  expect(finessProblem('2A0000345')).toBeUndefined();
  expect(finessProblem('2B0000341')).toBeUndefined();
  expect(finessProblem(withCheckDigit('97100012'))).toBeUndefined();
});

test('the schema normalises and names the reason', () => {
  expect(finessSchema.parse(' 01 000 382 0 ')).toBe('010003820');
  expect(finessSchema.parse('2a0000345')).toBe('2A0000345');
  expect(finessSchema.safeParse('010003821').error?.issues[0]?.message).toBe(
    'the check digit is wrong (Luhn) (010003821)',
  );
});
