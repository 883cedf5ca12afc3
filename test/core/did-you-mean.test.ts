import { describe, expect, it } from 'vitest';
import { closestWord } from '../../src/core/did-you-mean.js';

describe('did-you-mean hints', () => {
  const vocabulary = ['objective', 'description', 'period', 'segments', 'sli'];
  it.each([
    ['objetive', 'objective'],
    ['obejctive', 'objective'],
    ['descripton', 'description'],
    ['peroid', 'period'],
  ])('suggests %s → %s', (typo, word) => {
    expect(closestWord(typo, vocabulary)).toBe(word);
  });

  it('suggests nothing for an unrelated word', () => {
    expect(closestWord('banana', vocabulary)).toBeUndefined();
  });
});
