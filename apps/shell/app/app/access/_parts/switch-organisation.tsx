'use client';

import { useState, useTransition } from 'react';
import { Building2, LoaderCircle } from 'lucide-react';
import { Button } from '@afenda/ui';

import { loginPath } from '@/lib/auth/paths';
import { switchTenant } from '../../actions';

/** Makes an organisation the active tenant (the page re-renders in it). */
export function SwitchOrganisation({ id, name }: { id: string; name: string }) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="flex flex-col items-center gap-1">
      <Button
        size="sm"
        variant="outline"
        disabled={pending}
        onClick={() =>
          start(async () => {
            setError(null);
            const result = await switchTenant(id);
            if (result.ok) return;
            if (result.signedOut) window.location.assign(loginPath(window.location.pathname));
            else setError(result.message);
          })
        }
      >
        {pending ? (
          <LoaderCircle aria-hidden className="animate-spin" />
        ) : (
          <Building2 aria-hidden />
        )}
        Switch to {name}
      </Button>
      {error ? (
        <p role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}
