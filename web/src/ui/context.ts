import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Chat } from '../state/chat';

/** The signed-in chat, provided by the shell to every component below it. */
export const ChatContext = createContext<Chat | null>(null);

/** The chat store. @throws Error outside the signed-in shell (a programming error). */
export function useChat(): Chat {
  const chat = useContext(ChatContext);
  if (!chat) throw new Error('useChat() outside <ChatContext.Provider>');
  return chat;
}
