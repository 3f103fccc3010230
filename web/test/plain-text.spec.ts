import { markdownToHtml } from '../src/markdown';
import { notificationBody } from '../src/notify';
import { describeSystemLine, type SystemLine } from '../src/system-line';
import type { Message } from '../src/api/types';
import { mentionCandidates } from '../../src/messages/mentions';
import { previewOf } from '../../src/push/push-decision';
import { plainText } from '../../src/shared/markdown-text';

/**
 * Markdown people actually send, with the constructs the previews and mentions must get right, and
 * its plain text (src/shared/markdown-text.ts: the one function behind the server's push previews,
 * the room list's preview and desktop notifications).
 */
const SAMPLES: [markdown: string, plain: string][] = [
  ['plain words', 'plain words'],
  ['**bold** _italic_ ~~strike~~ `code`', 'bold italic strike code'],
  ['> a quote\n> over two lines', 'a quote\nover two lines'],
  ['- one\n- two\n  - nested\n\n1. first\n2. second', 'one\ntwo\nnested\nfirst\nsecond'],
  ['see [the docs](https://example.com/docs) or https://example.com/@bob', 'see the docs or https://example.com/@bob'],
  ['```js\nconst a = "@alice";\n```\nafter @carol', 'const a = "@alice";\nafter @carol'],
  ['    indented @alice\n\n@bob', 'indented @alice\n@bob'],
  ['`@alice` and @bob`x`@carol', '@alice and @bobx@carol'],
  ["don`t tell @dave", "don`t tell @dave"],
  ['mail alice@example.com, \\@erin, <b>@frank</b>', 'mail alice@example.com, @erin, <b>@frank</b>'],
  ['# heading @gina\n\n---\n\nline\nbreak', 'heading @gina\nline\nbreak'],
  ['| h |\n|---|\n| @hank |', 'h\n@hank'],
  ['![alt @ivan](https://example.com/i.png)', 'alt @ivan'],
  ['<div>\n@judy\n</div>', '<div>\n@judy\n</div>'],
  ['```\nunclosed @kate', 'unclosed @kate'],
];

function message(fields: Partial<Message>): Message {
  return {
    id: 'm1',
    room_id: 'r1',
    seq: 1,
    updated_seq: 1,
    sender: { id: 'u-alice', username: 'alice', display_name: 'Alice', avatar_url: null },
    type: 'text',
    content: null,
    reply_to: null,
    attachments: [],
    reactions: [],
    mentions: [],
    system: null,
    client_msg_id: null,
    created_at: '2026-11-30T12:00:00.000Z',
    edited_at: null,
    deleted_at: null,
    ...fields,
  } as Message;
}

describe('plain text of markdown (server and web)', () => {
  it('drops the markup: no **, backticks, > or list markers', () => {
    expect(plainText('**Deploy** is `done`\n> see [the log](https://example.com/log)\n- ~~old~~ new')).toBe('Deploy is done\nsee the log\nold new');
    expect(plainText('```\nlet a = 1;\n```')).toBe('let a = 1;');
    expect(plainText('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
    expect(plainText('')).toBe('');
  });

  it('gives each sample its plain text', () => {
    for (const [sample, plain] of SAMPLES) expect({ sample, text: plainText(sample) }).toEqual({ sample, text: plain });
  });

  it('a desktop notification shows the text the server pushes as the preview, for every sample', () => {
    for (const [sample] of SAMPLES) expect({ sample, text: notificationBody(message({ content: sample })) }).toEqual({ sample, text: previewOf(sample) });
  });

  it('notifications show the plain text, white space collapsed and cut at 140 characters', () => {
    expect(notificationBody(message({ content: '**hello**\n\n> `world`' }))).toBe('hello world');
    const long = notificationBody(message({ content: `**${'x'.repeat(300)}**` }));
    expect(long).toBe(`${'x'.repeat(139)}…`);
    // Cut by characters, never inside an emoji's surrogate pair.
    expect(notificationBody(message({ content: '😀'.repeat(300) }))).toBe(`${'😀'.repeat(139)}…`);
    expect(notificationBody(message({ content: null, attachments: [{ id: 'a', url: '/u', mime: 'image/png', size: 1, name: 'a.png' }] }))).toBe('Sent an attachment');
    expect(notificationBody(message({ content: '```\n```' }))).toBe('New message');
  });
});

describe('mentions agree with the page', () => {
  it('the server resolves exactly the names the page marks as mentions, for every sample', () => {
    for (const [sample] of SAMPLES) {
      const marked = [...markdownToHtml(sample).matchAll(/<span class="mention">@([^<]+)<\/span>/g)].map((m) => m[1].toLowerCase());
      expect({ sample, names: mentionCandidates(sample) }).toEqual({ sample, names: [...new Set(marked)] });
    }
  });

  it('the page marks by the server\'s own rule (mentionsIn): usernames of 3 to 32 ASCII characters after any non-word character, trailing punctuation left outside the mark', () => {
    const marks = (md: string) => [...markdownToHtml(md).matchAll(/<span class="mention">@([^<]+)<\/span>/g)].map((m) => m[1]);
    expect([marks('a.@bob and -@carol'), mentionCandidates('a.@bob and -@carol')]).toEqual([['bob', 'carol'], ['bob', 'carol']]);
    expect([marks('@ab @józef'), mentionCandidates('@ab @józef')]).toEqual([[], []]);
    expect([marks('thanks @Bob.'), mentionCandidates('thanks @Bob.')]).toEqual([['Bob'], ['bob.', 'bob']]);
    expect([marks('@.bob_ @x__'), mentionCandidates('@.bob_ @x__')]).toEqual([['.bob', 'x__'], ['.bob_', '.bob', 'x__']]);
    // The text around a mark is still escaped.
    expect(markdownToHtml('5 > 3 @bob & "q"')).toBe('<p>5 &#62; 3 <span class="mention">@bob</span> &#38; &#34;q&#34;</p>');
  });
});

describe('system lines in the client\'s words', () => {
  const names: Record<string, string> = { 'u-bob': 'Bob', 'u-carol': 'Carol' };
  const say = (line: SystemLine, senderId: string, actorName: string, myId = 'u-me') => describeSystemLine(line, senderId, actorName, myId, (id) => names[id] ?? 'someone');

  it('describes each event from the payload', () => {
    expect(say({ event: 'member_joined', user_id: 'u-alice' }, 'u-alice', 'Alice')).toBe('Alice joined');
    expect(say({ event: 'member_joined', user_id: 'u-carol', actor_id: 'u-bob' }, 'u-bob', 'Bob')).toBe('Bob added Carol');
    expect(say({ event: 'member_left', user_id: 'u-alice' }, 'u-alice', 'Alice')).toBe('Alice left');
    expect(say({ event: 'member_removed', user_id: 'u-carol', actor_id: 'u-bob' }, 'u-bob', 'Bob')).toBe('Bob removed Carol');
    expect(say({ event: 'room_renamed', user_id: 'u-alice', name: 'Ops **team**' }, 'u-alice', 'Alice')).toBe('Alice renamed the room to Ops **team**');
  });

  it('calls the signed-in user "You"/"you", and someone unknown "someone"', () => {
    expect(say({ event: 'member_removed', user_id: 'u-me', actor_id: 'u-bob' }, 'u-bob', 'Bob')).toBe('Bob removed you');
    expect(say({ event: 'member_joined', user_id: 'u-me' }, 'u-me', 'Me')).toBe('You joined');
    expect(say({ event: 'member_joined', user_id: 'u-x', actor_id: 'u-me' }, 'u-me', 'Me')).toBe('You added someone');
  });
});
