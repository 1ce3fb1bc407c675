'use client';

import { useActionState } from 'react';
import { LoaderCircle, Send } from 'lucide-react';
import { Button, Input, Label, Textarea } from '@afenda/ui';

import { createRequestAction, type NewRequestState } from '../actions';

export function NewRequestForm({ types }: { types: { id: string; title: string }[] }) {
  const [state, action, pending] = useActionState<NewRequestState, FormData>(createRequestAction, {
    message: null,
  });
  return (
    <form action={action} className="grid gap-4">
      <div className="grid gap-2">
        <Label htmlFor="type">Kind of request</Label>
        <select
          id="type"
          name="type"
          defaultValue={types.find((t) => t.id === 'ceo_approval')?.id ?? types[0]?.id}
          className="h-9 rounded-md border border-input bg-transparent px-3 text-sm shadow-xs outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 dark:bg-input/30"
        >
          {types.map((t) => (
            <option key={t.id} value={t.id}>
              {t.title}
            </option>
          ))}
        </select>
      </div>
      <div className="grid gap-2">
        <Label htmlFor="title">Title</Label>
        <Input id="title" name="title" required maxLength={200} placeholder="Refund 120 EUR" />
      </div>
      <div className="grid gap-2">
        <Label htmlFor="description">Description</Label>
        <Textarea id="description" name="description" maxLength={5000} rows={5} />
      </div>
      {state.message ? (
        <p role="alert" className="text-sm text-destructive">
          {state.message}
        </p>
      ) : null}
      <div>
        <Button type="submit" disabled={pending}>
          {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : <Send aria-hidden />}
          Submit for approval
        </Button>
      </div>
    </form>
  );
}
