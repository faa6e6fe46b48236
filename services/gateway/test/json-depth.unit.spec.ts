import { jsonNestingDepth } from '../src/http/json-depth';

const depthOf = (text: string) => jsonNestingDepth(Buffer.from(text));

describe('the nesting depth of a JSON body, read before parsing', () => {
  it('given a flat object, when measured, then it is 1', () => {
    expect(depthOf('{"amount":"1000","reference":"r-1"}')).toBe(1);
  });

  it('given objects in arrays in objects, when measured, then the deepest path counts', () => {
    expect(depthOf('{"a":[{"b":[1,2]},{"c":{}}],"d":{}}')).toBe(4);
    expect(depthOf('['.repeat(100) + ']'.repeat(100))).toBe(100);
  });

  it('given brackets and escaped quotes inside strings, when measured, then they do not count', () => {
    expect(depthOf('{"note":"[[[{{{ \\" ]]] {"}')).toBe(1);
  });

  it('given a bare value, when measured, then it is 0', () => {
    expect(depthOf('"text"')).toBe(0);
  });
});
