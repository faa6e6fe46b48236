import type { IncomingMessage } from 'node:http';
import { requestIdOf } from '../src';

const request = (header?: string) => ({ headers: header === undefined ? {} : { 'x-request-id': header } }) as IncomingMessage;

describe('requestIdOf', () => {
  it('keeps a well-formed id the caller sent', () => {
    expect(requestIdOf(request('checkout-7f3a.42'))).toBe('checkout-7f3a.42');
  });

  it('makes a UUID when none was sent', () => {
    expect(requestIdOf(request())).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('replaces an id that could forge log lines or is too long', () => {
    for (const bad of ['a\nfake-log-line', 'x'.repeat(129), '<script>']) {
      const id = requestIdOf(request(bad));
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
