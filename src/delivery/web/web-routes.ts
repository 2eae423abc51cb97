import { existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { projectPath } from '../../config/project-root.ts';

/**
 * The policy of every HTML page of the web app. Scripts and style sheets come only from Parley itself (the build
 * emits no inline script); nothing may frame Parley.
 *
 * Two relaxations:
 * - `style-src-attr 'unsafe-inline'`: an email template's preview (and a mail in the outbox or the mail catcher) is
 *   shown in a sandboxed `srcdoc` iframe, which inherits this policy, and mail HTML is styled with `style="..."`
 *   attributes. A style attribute has no selectors, so it cannot read the page. `<style>` elements and inline
 *   scripts stay forbidden.
 * - `img-src` takes http(s) and `blob:`: a reader may ask for the remote images of a mail shown in its frame, and a
 *   composer shows the images pasted in it from `blob:` addresses. Parley's own HTML never holds a remote image (the
 *   sanitizers keep them out of `src`), and each frame narrows the policy further with its own (images from Parley
 *   only, until the reader asks; previews always), so nothing is fetched unasked.
 */
export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-elem 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data: blob: https: http:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** `web/dist` of this checkout (the Vite build, `npm run build:web`). */
export const DEFAULT_WEB_DIST = `${projectPath('web', 'dist')}/`;

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parley: the web app is not built</title></head>
<body><h1>The web app is not built yet</h1>
<p>The API works (<a href="/api/docs">/api/docs</a>), but the browser app has not been built in this checkout.</p>
<p>Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it first), then reload this page.</p>
</body></html>
`;

export interface WebOptions {
  /** Folder of the built app; `web/dist` of this checkout by default. */
  distDir?: string;
}

function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.toLowerCase().includes('text/html');
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Serves the built web app from `distDir`: its files (hashed assets cached for a year, the rest revalidated), and
 * index.html for any other GET outside /api that asks for HTML, so every page path of the app can be opened
 * directly (SPA fallback). Everything else falls through to the API's JSON 404.
 */
export function webRoutes(options: WebOptions = {}) {
  const root = resolve(options.distDir ?? DEFAULT_WEB_DIST);
  const rootPrefix = root.endsWith(sep) ? root : root + sep;
  /** Requests answered with an HTML page of the app, whatever the status (200, or 304 on revalidation). */
  const pages = new WeakSet<FastifyRequest>();
  return async (app: FastifyInstance) => {
    // Only the reply.sendFile decoration: the route below decides what may be served.
    await app.register(fastifyStatic, {
      root,
      serve: false,
      index: false,
      dotfiles: 'deny',
      cacheControl: false,
      etag: true,
      lastModified: true,
    });

    // Runs after build-app's own onSend hook (hooks of an inner context come later): HTML pages get the app's policy.
    // A revalidated page (`304 Not Modified`) has no content type, but the browser merges the 304's headers into the
    // page it cached: it must carry the page's policy too, or the API's `default-src 'none'` blanks every reload.
    app.addHook('onSend', async (request, reply, payload) => {
      const type = reply.getHeader('content-type');
      if (pages.has(request) || (typeof type === 'string' && type.startsWith('text/html')))
        reply.header('content-security-policy', WEB_CONTENT_SECURITY_POLICY);
      return payload;
    });

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const raw = request.url.split('?')[0]!;
      let path: string;
      try {
        path = decodeURIComponent(raw);
      } catch {
        return reply.callNotFound();
      }
      if (path === '/api' || path.startsWith('/api/')) return reply.callNotFound();
      // No parent segments, no hidden files, no NUL, no backslashes: nothing outside the build can be named.
      if (/[\u0000\\]/.test(path) || path.split('/').some((segment) => segment === '..' || segment.startsWith('.')))
        return reply.callNotFound();

      const built = existsSync(resolve(root, 'index.html'));
      if (built && path !== '/' && !path.endsWith('/')) {
        const file = resolve(root, `.${path}`);
        if (file.startsWith(rootPrefix) && isFile(file)) {
          const hashed = path.startsWith('/assets/');
          reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
          if (/\.html?$/i.test(file)) pages.add(request);
          return reply.sendFile(file.slice(rootPrefix.length));
        }
      }
      // The root is always the app; deeper unknown paths only for clients that ask for a page (an API client's
      // typo keeps its JSON 404).
      if (path !== '/' && !acceptsHtml(request)) return reply.callNotFound();
      if (!built)
        return reply.code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT);
      reply.header('cache-control', 'no-cache');
      pages.add(request);
      return reply.sendFile('index.html');
    };

    app.get('/', { schema: { hide: true } }, handler);
    app.get('/*', { schema: { hide: true } }, handler);
  };
}
