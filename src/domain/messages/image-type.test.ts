import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sniffImageType } from './image-type.ts';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

test('sniffImageType knows the four image types by their bytes', () => {
  assert.equal(sniffImageType(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0])), 'image/png');
  assert.equal(sniffImageType(bytes([0xff, 0xd8, 0xff, 0xe0])), 'image/jpeg');
  assert.equal(sniffImageType(bytes('GIF89a', [1, 0])), 'image/gif');
  assert.equal(sniffImageType(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 ')), 'image/webp');
});

test('sniffImageType refuses SVG, HTML, truncated and empty bytes whatever they are called', () => {
  assert.equal(sniffImageType(bytes('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')), null);
  assert.equal(sniffImageType(bytes('<html><img src=x onerror=alert(1)>')), null);
  assert.equal(sniffImageType(bytes([0x89], 'PN')), null);
  assert.equal(sniffImageType(bytes('RIFF', [0, 0, 0, 0], 'WAVE')), null);
  assert.equal(sniffImageType(new Uint8Array()), null);
});
