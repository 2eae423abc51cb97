import type { Editor } from '@tiptap/react';
import { useState, type ReactNode } from 'react';
import { useI18n, type MessageKey } from '../../i18n/i18n.tsx';
import { LinkDialog } from './link-dialog.tsx';

interface Tool {
  key: MessageKey;
  label: ReactNode;
  active: (e: Editor) => boolean;
  run: (e: Editor) => void;
}

/** A line drawing (no text: its words are the button's translated label). */
function icon(d: string): ReactNode {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" focusable="false">
      <path d={d} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

const TOOLS: Tool[] = [
  { key: 'rich.bold', label: 'B', active: (e) => e.isActive('bold'), run: (e) => e.chain().focus().toggleBold().run() },
  {
    key: 'rich.italic',
    label: 'I',
    active: (e) => e.isActive('italic'),
    run: (e) => e.chain().focus().toggleItalic().run(),
  },
  {
    key: 'rich.bulletList',
    label: icon('M9 7h11M9 12h11M9 17h11M4.5 7h.01M4.5 12h.01M4.5 17h.01'),
    active: (e) => e.isActive('bulletList'),
    run: (e) => e.chain().focus().toggleBulletList().run(),
  },
  {
    key: 'rich.orderedList',
    label: icon('M10 7h10M10 12h10M10 17h10M4 5l1.5-1v5M3.5 14.2q1.5-1.6 3 0L3.5 18h3'),
    active: (e) => e.isActive('orderedList'),
    run: (e) => e.chain().focus().toggleOrderedList().run(),
  },
  {
    key: 'rich.quote',
    label: '❝',
    active: (e) => e.isActive('blockquote'),
    run: (e) => e.chain().focus().toggleBlockquote().run(),
  },
  {
    key: 'rich.code',
    label: '</>',
    active: (e) => e.isActive('code'),
    run: (e) => e.chain().focus().toggleCode().run(),
  },
];

/** Bold, italic, lists, quote, code and link: toggle buttons that say whether they apply where the caret is. */
export function RichToolbar({ editor, disabled }: { editor: Editor; disabled: boolean }) {
  const { t } = useI18n();
  const [linking, setLinking] = useState(false);
  return (
    <div className="rich-toolbar" role="toolbar" aria-label={t('rich.toolbar')}>
      {TOOLS.map((tool) => (
        <button
          key={tool.key}
          type="button"
          className={`rich-tool rich-tool-${tool.key.slice(5)}`}
          aria-label={t(tool.key)}
          title={t(tool.key)}
          aria-pressed={tool.active(editor)}
          disabled={disabled}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => tool.run(editor)}
        >
          <span aria-hidden="true">{tool.label}</span>
        </button>
      ))}
      <button
        type="button"
        className="rich-tool rich-tool-link"
        aria-label={t('rich.link')}
        title={t('rich.link')}
        aria-pressed={editor.isActive('link')}
        disabled={disabled}
        onMouseDown={(e) => e.preventDefault()}
        onClick={() => setLinking(true)}
      >
        <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
          <path
            d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            strokeLinecap="round"
          />
        </svg>
      </button>
      {linking ? (
        <LinkDialog
          initial={(editor.getAttributes('link').href as string | undefined) ?? ''}
          onDone={(href) => {
            setLinking(false);
            const chain = editor.chain().focus().extendMarkRange('link');
            if (href === '') chain.unsetLink().run();
            else chain.setLink({ href }).run();
          }}
          onClose={() => {
            setLinking(false);
            editor.commands.focus();
          }}
        />
      ) : null}
    </div>
  );
}
