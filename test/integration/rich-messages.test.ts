/**
 * Rich messages (issue 17): a message posted as HTML is sanitized (the maintained sanitizer behind the port), stored
 * with its derived text, returned with its inline images (contentId), and an inline image is shown by
 * /attachments/{id}/inline with its sniffed type; refusals have a code and a sentence. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40, 7)]);
const upload = (name: string, content: Buffer, extra: Record<string, string> = {}) => ({
  name,
  content: content.toString('base64'),
  ...extra,
});

for (const database of [sqliteMemory, postgres]) {
  describe(`rich messages, on ${database.name}`, () => {
    let storage: SqlStorage;
    let world: World;
    let app: FastifyInstance;
    let tech: Client;
    let requester: Client;
    let otherRequester: Client;
    const url = () => `/api/v1/tickets/${world.ticketA.number}/messages`;

    let dropDatabase: () => Promise<void>;
    before(async () => {
      const opened = await database.open();
      storage = opened.storage;
      dropDatabase = opened.drop;
      const deps = testDeps(storage);
      world = await buildWorld(deps);
      app = await testApp(deps);
      tech = await signIn(app, world.techA.email);
      requester = await signIn(app, world.requesterA.email);
      otherRequester = await signIn(app, world.requesterB.email);
    });
    after(async () => {
      await app.close();
      await storage.close();
      await dropDatabase();
    });

    it('html with an inline image: sanitized, stored with its text, read back with the contentId; the image shown inline', async () => {
      // threat: A message posted as HTML with scripts, event handlers, javascript:/data:/vbscript: URLs, styles, SVG, forms,
      const r = await requester.post(url(), {
        html:
          '<p onclick="alert(1)">Hello <b>there</b> <a href="javascript:alert(1)">bad</a> <a href="https://e.example/x">good</a></p>' +
          '<script>alert(1)</script><img src="cid:shot1" onerror="alert(1)"><img src="https://tracker.example/p.gif">' +
          '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript><svg><style><img src=x onerror=alert(2)></style></svg>',
        attachments: [upload('shot.png', PNG, { contentId: 'shot1', contentType: 'text/html' })],
      });
      assert.equal(r.statusCode, 201, r.body);
      const posted = r.json().message;
      assert.equal(
        posted.html,
        '<p>Hello <b>there</b> <a rel="noopener noreferrer nofollow" target="_blank">bad</a> <a href="https://e.example/x" rel="noopener noreferrer nofollow" target="_blank">good</a></p><img src="cid:shot1" />',
      );
      assert.doesNotMatch(posted.html, /onerror|onclick|script|javascript|tracker|svg|noscript/i);
      assert.match(posted.text, /Hello there bad good/);
      assert.equal(posted.attachments[0].contentId, 'shot1');

      const items = (await tech.get(url())).json().items as {
        id: number;
        html: string | null;
        text: string;
        attachments: { id: string; contentId: string | null }[];
      }[];
      const read = items.find((m) => m.id === posted.id)!;
      assert.equal(read.html, posted.html);
      assert.equal(read.attachments[0]!.contentId, 'shot1');
      assert.ok(
        items.filter((m) => m.id !== posted.id).every((m) => m.html === null),
        'text messages keep html null',
      );

      const inline = await tech.get(`/api/v1/attachments/${read.attachments[0]!.id}/inline`);
      assert.equal(inline.statusCode, 200, inline.body);
      assert.equal(inline.headers['content-type'], 'image/png', 'the sniffed type, not the declared text/html');
      assert.equal(inline.headers['x-content-type-options'], 'nosniff');
      assert.equal(inline.headers['content-security-policy'], "default-src 'none'; sandbox");
      assert.match(String(inline.headers['cache-control']), /^private/);
      assert.deepEqual(inline.rawPayload, PNG);
      const stranger = await otherRequester.get(`/api/v1/attachments/${read.attachments[0]!.id}/inline`);
      assert.equal(stranger.statusCode, 404, 'the download rule: not their ticket');
    });

    it('the inline route refuses what is not one of the four image types, whatever it was called', async () => {
      // threat: An inline image that is not an image (SVG or HTML called image/png) → never served inline (sniffed, 415).
      const r = await requester.post(url(), {
        text: 'A file',
        attachments: [upload('pic.png', Buffer.from('<svg onload="alert(1)"></svg>'), { contentType: 'image/png' })],
      });
      assert.equal(r.statusCode, 201, r.body);
      const inline = await tech.get(`/api/v1/attachments/${r.json().message.attachments[0].id}/inline`);
      assert.equal(inline.statusCode, 415);
      assert.equal(inline.json().code, 'ATTACHMENT_NOT_IMAGE');
    });

    it('refusals: both or neither of text and html, empty html, a missing or duplicate image, an inline file not an image', async () => {
      const cases: [unknown, number, string][] = [
        [{ text: 'a', html: '<p>a</p>' }, 422, 'MESSAGE_INVALID'],
        [{}, 422, 'MESSAGE_INVALID'],
        [{ html: '<p> </p><script>x</script><img src="javascript:alert(1)">' }, 422, 'MESSAGE_INVALID'],
        [{ html: '<p>see <img src="cid:nope"></p>' }, 422, 'MESSAGE_IMAGE_MISSING'],
        [
          {
            html: '<img src="cid:a">',
            attachments: [upload('1.png', PNG, { contentId: 'a' }), upload('2.png', PNG, { contentId: 'a' })],
          },
          422,
          'ATTACHMENT_INVALID',
        ],
        [
          { html: '<img src="cid:a">', attachments: [upload('a.html', Buffer.from('<html>'), { contentId: 'a' })] },
          422,
          'ATTACHMENT_INVALID',
        ],
        [{ html: '<p>x</p>', attachments: [upload('1.png', PNG, { contentId: '../x' })] }, 400, 'VALIDATION_FAILED'],
      ];
      for (const [body, status, code] of cases) {
        const r = await requester.post(url(), body);
        assert.equal(r.statusCode, status, `${JSON.stringify(body).slice(0, 80)} → ${r.body}`);
        assert.equal(r.json().code, code, r.body);
        assert.ok(r.json().message.length > 10, 'a sentence');
      }
    });
  });
}
