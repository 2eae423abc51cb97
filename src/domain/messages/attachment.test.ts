import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSize, MAX_ATTACHMENT_NAME, normalizeAttachmentName } from './attachment.ts';
import { skippedNote } from '../inbound/inbound-attachments.ts';

describe('attachment names are normalised for display, never a path', () => {
  const cases: [string | null, string][] = [
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system32\\drivers\\etc\\hosts', 'hosts'],
    ['C:\\Users\\ana\\Desktop\\report.pdf', 'report.pdf'],
    ['C:report.pdf', 'report.pdf'],
    ['\u200B.htaccess', 'htaccess'],
    ['a\u202Egnp.exe', 'agnp.exe'],
    ['invoice\u2066\u2069\u200E\u200F\uFEFF.pdf', 'invoice.pdf'],
    ['line\r\nbreak\u0000.txt', 'line break .txt'],
    ['  ...hidden.txt  ', 'hidden.txt'],
    ['trailing dots...', 'trailing dots'],
    ['what?<is>:this|"*.txt', 'what__is__this___.txt'],
    ['Relatório técnico — março.pdf', 'Relatório técnico — março.pdf'],
    ['Relato\u0301rio.pdf', 'Relatório.pdf'],
    ['', 'attachment-3.bin'],
    [null, 'attachment-3.bin'],
    ['../', 'attachment-3.bin'],
    ['\u202E', 'attachment-3.bin'],
    ['...', 'attachment-3.bin'],
  ];
  for (const [raw, expected] of cases) {
    it(`${JSON.stringify(raw)} → ${JSON.stringify(expected)}`, () =>
      assert.equal(normalizeAttachmentName(raw, 3), expected));
  }

  it('cuts long names to 120 characters keeping the extension', () => {
    const name = normalizeAttachmentName(`${'x'.repeat(300)}.tar.gz`, 1);
    assert.equal([...name].length, MAX_ATTACHMENT_NAME);
    assert.ok(name.endsWith('x.gz'));
    const accented = normalizeAttachmentName(`${'é'.repeat(200)}.pdf`, 1);
    assert.equal([...accented].length, MAX_ATTACHMENT_NAME);
    assert.ok(accented.endsWith('é.pdf'));
    // No extension worth keeping: cut plainly.
    assert.equal(normalizeAttachmentName('y'.repeat(500), 1), 'y'.repeat(MAX_ATTACHMENT_NAME));
    // Emoji are not split in half.
    assert.equal([...normalizeAttachmentName('😀'.repeat(130), 1)].length, MAX_ATTACHMENT_NAME);
  });
});

describe('what is said of skipped attachments', () => {
  it('names them, with size and reason, and counts what it does not list', () => {
    assert.equal(skippedNote([], 2), null);
    assert.equal(
      skippedNote([{ name: 'a.zip', size: 40 * 1024 * 1024, reason: 'too-large' }], 0),
      '[1 attachment was not kept: a.zip (40 MB, too large)]',
    );
    const many = Array.from({ length: 12 }, (_, i) => ({
      name: i === 0 ? '../x' : `f${i}`,
      size: 10,
      reason: 'too-many' as const,
    }));
    const note = skippedNote(many, 20)!;
    assert.match(
      note,
      /^\[12 attachments were not kept: x \(10 B, too many attachments\); f1 .*f9 \(10 B, too many attachments\); and 2 more\]$/,
    );
    assert.equal(formatSize(1536), '2 KB');
    assert.equal(formatSize(3.5 * 1024 * 1024), '3.5 MB');
  });
});
