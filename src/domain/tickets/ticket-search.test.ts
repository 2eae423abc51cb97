import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTicketSearch } from './ticket-search.ts';

describe('parseTicketSearch', () => {
  it('reads a number with or without #, and keeps it as a word too', () => {
    assert.deepEqual(parseTicketSearch(' #42 '), { number: 42, words: ['42'], requester: '#42' });
    assert.deepEqual(parseTicketSearch('42'), { number: 42, words: ['42'], requester: '42' });
    assert.equal(parseTicketSearch('0')?.number, null);
    assert.equal(parseTicketSearch('1234567890')?.number, null, 'past the numbers a ticket can have');
  });

  it('takes letters and digits as lowered words, accents kept, punctuation dropped, at most eight', () => {
    assert.deepEqual(parseTicketSearch('Impressora NÃO imprime!')?.words, ['impressora', 'não', 'imprime']);
    assert.deepEqual(parseTicketSearch('"x" OR 1=1; --')?.words, ['x', 'or', '1', '1']);
    assert.equal(parseTicketSearch('a b c d e f g h i j')?.words.length, 8);
    assert.equal(parseTicketSearch('Maria@Example.org')?.requester, 'maria@example.org');
  });

  it('is no search when nothing is left to look for', () => {
    for (const text of [undefined, '', '   ', '%%__', '"*"']) assert.equal(parseTicketSearch(text), undefined, text);
  });
});
