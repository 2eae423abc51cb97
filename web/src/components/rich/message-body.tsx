import { useMemo } from 'react';
import type { Message } from '../../types.ts';
import { MailHtmlFrame } from './mail-html-frame.tsx';
import { htmlToShow } from './message-html.ts';

/**
 * What a message says: its text; or, formatted, its HTML: written in Parley, in the page (the server's allow-list
 * holds no style, script or remote image); come by mail, in a sandboxed frame.
 */
export function MessageBody({ message }: { message: Message }) {
  const attachments = message.attachments;
  const shown = useMemo(
    () => (message.html && message.source !== 'email' ? htmlToShow(message.html, attachments ?? [], false) : null),
    [message.html, message.source, attachments],
  );
  if (!message.html) return <div className="msg-text">{message.text}</div>;
  if (message.source === 'email') return <MailHtmlFrame html={message.html} attachments={attachments} />;
  return <div className="msg-text msg-html" dangerouslySetInnerHTML={{ __html: shown ?? '' }} />;
}
