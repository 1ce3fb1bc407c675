import type { ConversationMessage } from '@afenda/contracts';
import { cn, Time } from '@afenda/ui';

/**
 * A conversation's messages. Customer-written text is rendered as text only (React escapes it;
 * nothing here parses HTML or Markdown), so markup or script in a message stays inert.
 */
export function MessageList({ messages }: { messages: ConversationMessage[] }) {
  if (messages.length === 0)
    return <p className="text-sm text-muted-foreground">No messages yet.</p>;
  return (
    <ol className="flex flex-col gap-3" data-testid="message-list">
      {messages.map((m) => {
        const ours = m.direction !== 'incoming';
        return (
          <li
            key={m.id}
            className={cn('flex flex-col gap-1', ours ? 'items-end' : 'items-start')}
            data-direction={m.direction}
          >
            <div
              className={cn(
                'max-w-[85%] rounded-lg px-3 py-2 text-sm break-words whitespace-pre-wrap',
                m.private
                  ? 'border border-dashed border-amber-500/60 bg-amber-50 text-amber-950 dark:bg-amber-950/30 dark:text-amber-100'
                  : ours
                    ? 'bg-primary text-primary-foreground'
                    : 'bg-muted',
              )}
            >
              {m.content}
            </div>
            <p className="text-xs text-muted-foreground">
              {m.private ? 'Private note · ' : ''}
              {m.senderName ?? (ours ? 'Agent' : 'Customer')} · <Time iso={m.createdAt} />
            </p>
          </li>
        );
      })}
    </ol>
  );
}
