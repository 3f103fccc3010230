// A message body rendered from its markdown: sanitised DOM nodes (see markdown.ts) put into the
// element with replaceChildren, never innerHTML. dir="auto" so right-to-left text reads right.
import type { JSX } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { renderMessage } from '../markdown';

/** The formatted body of one message; re-renders when `content` changes (edits). */
export function MessageBody({ content }: { content: string }): JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    ref.current?.replaceChildren(renderMessage(content));
  }, [content]);
  return <div class="msg-body md" dir="auto" ref={ref} />;
}
