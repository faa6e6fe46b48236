import { maskCardNumbers } from '../src';

describe('maskCardNumbers', () => {
  it('keeps the first six and last four digits of a Luhn-valid card number', () => {
    expect(maskCardNumbers('/api/x/4111111111111111?pan=5500005555555559')).toBe('/api/x/411111******1111?pan=550000******5559');
  });

  it('leaves numbers that are not card numbers alone: meter numbers, ids, failing Luhn', () => {
    expect(maskCardNumbers('meter 45700000001 amount 150000')).toBe('meter 45700000001 amount 150000');
    expect(maskCardNumbers('4111111111111112')).toBe('4111111111111112');
  });
});
