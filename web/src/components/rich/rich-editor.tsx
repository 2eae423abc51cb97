import { EditorContent } from '@tiptap/react';
import { useEffect } from 'react';
import { RichToolbar } from './rich-toolbar.tsx';
import type { RichDraft } from './use-rich-draft.ts';

/**
 * The message box of a formatted message: its toolbar, then the editable text (a `textbox` named by the label
 * `labelledBy` points at). ARIA that changes with the form (described by, invalid, the `/` list it drives) is set
 * on the editable element here.
 */
export function RichEditor(props: {
  draft: RichDraft;
  disabled: boolean;
  aria: {
    describedBy?: string | undefined;
    invalid?: boolean;
    controls?: string | undefined;
    activeDescendant?: string | undefined;
  };
}) {
  const { editor } = props.draft;
  const { describedBy, invalid, controls, activeDescendant } = props.aria;

  useEffect(() => {
    editor.setEditable(!props.disabled);
  }, [editor, props.disabled]);

  useEffect(() => {
    const dom = editor.view.dom;
    const set = (name: string, value: string | undefined) =>
      value ? dom.setAttribute(name, value) : dom.removeAttribute(name);
    set('aria-describedby', describedBy);
    set('aria-invalid', invalid ? 'true' : undefined);
    set('aria-controls', controls);
    set('aria-activedescendant', activeDescendant);
  }, [editor, describedBy, invalid, controls, activeDescendant]);

  return (
    <div className={`rich${props.disabled ? ' rich-disabled' : ''}`}>
      <RichToolbar editor={editor} disabled={props.disabled} />
      <EditorContent editor={editor} />
    </div>
  );
}
