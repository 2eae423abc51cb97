import { useEditor, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import Image from '@tiptap/extension-image';
import { useRef, useState } from 'react';
import { readFile, type UploadBody } from '../use-attachments.ts';

/** The image types the server takes inline (it checks the bytes again). */
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

interface InlineImage {
  file: File;
  contentId: string;
}

/** What the composer sends: the HTML with its pasted images named by `cid:`, and those images as uploads. */
export interface RichBody {
  html: string;
  images: (UploadBody & { contentId: string })[];
}

/** Where a canned answer goes, and what the `/` picker reads: the text of the block up to the caret. */
export interface DraftSurface {
  textBeforeCaret(): { text: string; caret: number };
  /** Replaces the `length` characters before the caret with `text` (lines become paragraphs). */
  replaceBeforeCaret(length: number, text: string): void;
  focus(): void;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Plain text as paragraphs (blank lines between them), single line breaks kept. */
export function textToHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/**
 * An image of the draft is one the person pasted or dropped (a `blob:` address of this page): an `<img>` in pasted
 * HTML that names another address is left out, so the page never loads an image from elsewhere while someone writes.
 */
const PastedImage = Image.extend({
  parseHTML() {
    return [{ tag: 'img[src]', getAttrs: (el) => (el.getAttribute('src')?.startsWith('blob:') ? null : false) }];
  },
});

const randomId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * The formatted draft of a message (Tiptap on ProseMirror): bold, italic, lists, links, quotes, code, Markdown
 * shortcuts (`**bold**`, `- ` lists, `> ` quotes, `` `code` ``), and images pasted or dropped in place, kept as files
 * of the message (each with a Content-ID the HTML names). Other dropped or pasted files go to `onFiles`.
 * `onKey` sees each key first (the canned-answer list): true when it took it.
 */
export function useRichDraft(options: {
  labelledBy: string;
  onChange?(text: string): void;
  onFiles?(files: File[]): void;
  onKey?(event: KeyboardEvent): boolean;
}) {
  const images = useRef(new Map<string, InlineImage>());
  const latest = useRef(options);
  latest.current = options;
  const [text, setText] = useState('');
  const current = useRef<Editor | null>(null);

  /** Puts image files in the draft at `pos` (the caret when undefined); hands the other files on. */
  function take(editor: Editor, files: File[], pos?: number): boolean {
    if (files.length === 0) return false;
    const inline = files.filter((f) => INLINE_TYPES.has(f.type));
    const others = files.filter((f) => !INLINE_TYPES.has(f.type));
    if (others.length > 0) latest.current.onFiles?.(others);
    for (const file of inline) {
      const url = URL.createObjectURL(file);
      images.current.set(url, { file, contentId: `img-${randomId()}` });
      const node = { type: 'image', attrs: { src: url, alt: file.name } };
      if (pos === undefined) editor.chain().focus().insertContent(node).run();
      else editor.chain().focus().insertContentAt(pos, node).run();
    }
    return true;
  }

  const editor: Editor = useEditor({
    extensions: [
      StarterKit.configure({
        heading: { levels: [2, 3] },
        horizontalRule: false,
        link: { openOnClick: false, autolink: true, protocols: ['mailto'], defaultProtocol: 'https' },
      }),
      PastedImage.configure({ inline: true, allowBase64: false }),
    ],
    immediatelyRender: true,
    // Its few base rules are in styles.css: the page's policy allows no inline <style>.
    injectCSS: false,
    shouldRerenderOnTransaction: true,
    editorProps: {
      attributes: {
        role: 'textbox',
        'aria-multiline': 'true',
        'aria-labelledby': options.labelledBy,
        class: 'rich-input',
      },
      handleKeyDown: (_view, event) => latest.current.onKey?.(event) ?? false,
      handlePaste: (_view, event) => {
        const files = Array.from(event.clipboardData?.files ?? []);
        return current.current ? take(current.current, files) : false;
      },
      handleDrop: (view, event) => {
        const files = Array.from((event as DragEvent).dataTransfer?.files ?? []);
        if (!current.current || files.length === 0) return false;
        const at = view.posAtCoords({ left: event.clientX, top: event.clientY });
        event.preventDefault();
        return take(current.current, files, at?.pos);
      },
    },
    onUpdate: ({ editor: e }) => {
      const now = e.getText({ blockSeparator: '\n' });
      setText(now);
      latest.current.onChange?.(now);
    },
  });

  current.current = editor;

  const surface: DraftSurface = {
    textBeforeCaret() {
      const { $from } = editor.state.selection;
      return { text: $from.parent.textBetween(0, $from.parentOffset, undefined, '\ufffc'), caret: $from.pos };
    },
    replaceBeforeCaret(length, inserted) {
      const { from } = editor.state.selection;
      const html = textToHtml(inserted);
      editor
        .chain()
        .focus()
        .deleteRange({ from: from - length, to: from })
        .insertContent(inserted.includes('\n') ? html : escapeHtml(inserted))
        .run();
    },
    focus: () => editor.commands.focus(),
  };

  return {
    editor,
    text,
    surface,
    /** Nothing written and no image. */
    isEmpty: () => editor.isEmpty || (text.trim() === '' && !editor.getHTML().includes('<img')),
    /** The HTML and its images, read now (images removed from the draft are not sent). */
    async body(): Promise<RichBody> {
      // Empty paragraphs left at the end (Enter pressed last) say nothing.
      let html = editor.getHTML().replace(/(?:<p><\/p>)+$/, '');
      const sent: RichBody['images'] = [];
      for (const [url, image] of images.current) {
        if (!html.includes(url)) continue;
        html = html.split(url).join(`cid:${image.contentId}`);
        sent.push({ ...(await readFile(image.file)), contentId: image.contentId });
      }
      return { html, images: sent };
    },
    clear() {
      editor.commands.clearContent(true);
      for (const url of images.current.keys()) URL.revokeObjectURL(url);
      images.current.clear();
      setText('');
    },
  };
}

export type RichDraft = ReturnType<typeof useRichDraft>;
