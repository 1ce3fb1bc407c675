'use client';

import { useId, useState } from 'react';
import { useRouter } from 'next/navigation';
import { CircleCheck, CircleX, LoaderCircle, PlugZap, Settings2 } from 'lucide-react';
import type { ModuleState } from '@afenda/contracts';
import { Button, Input, Label } from '@afenda/ui';
import { useServerAction } from '@afenda/ui/action-dialog';
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@afenda/ui/dialog';

import { loginPath } from '@/lib/auth/paths';
import type { ConnectionTestResult, ModuleSettings } from '@/lib/api/modules';
import { saveModuleSettingsAction, testConnectionAction } from '../actions';
import type { SettingsForm } from './settings-change';

/** A secret: write-only. Shown as set or not; typing replaces it, the box removes it. */
function SecretField({
  label,
  noun,
  set,
  value,
  onChange,
  remove,
  onRemove,
}: {
  label: string;
  /** The label inside a sentence ("API token", "webhook secret"). */
  noun: string;
  set: boolean;
  value: string;
  onChange: (v: string) => void;
  remove: boolean;
  onRemove: (v: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id}>
        {label}{' '}
        <span className="font-normal text-muted-foreground">({set ? 'set' : 'not set'})</span>
      </Label>
      <Input
        id={id}
        type="password"
        autoComplete="off"
        value={value}
        disabled={remove}
        onChange={(e) => onChange(e.target.value)}
        placeholder={set ? 'Leave empty to keep the stored one' : 'Paste it here'}
      />
      {set ? (
        <label className="flex items-center gap-2 text-sm text-muted-foreground">
          <input type="checkbox" checked={remove} onChange={(e) => onRemove(e.target.checked)} />
          Remove the stored {noun}
        </label>
      ) : null}
    </div>
  );
}

/** Test connection: the tool's answer, in place, announced to screen readers. */
export function ConnectionTestButton({ module, tool }: { module: string; tool: string }) {
  const { pending, error, run } = useServerAction(() => loginPath(window.location.pathname));
  const [result, setResult] = useState<ConnectionTestResult | null>(null);
  return (
    <div className="grid gap-2">
      <div>
        <Button
          type="button"
          variant="outline"
          size="sm"
          disabled={pending}
          onClick={() => run(() => testConnectionAction(module), setResult)}
        >
          {pending ? (
            <LoaderCircle aria-hidden className="animate-spin" />
          ) : (
            <PlugZap aria-hidden />
          )}
          Test connection
        </Button>
      </div>
      <div aria-live="polite" className="text-sm" data-testid={`connection-test-${module}`}>
        {pending ? (
          <span className="text-muted-foreground">Asking {tool}…</span>
        ) : error ? (
          <span role="alert" className="text-destructive">
            {error}
          </span>
        ) : result ? (
          <span
            className={
              result.ok
                ? 'inline-flex items-start gap-1.5 text-emerald-700 dark:text-emerald-400'
                : 'inline-flex items-start gap-1.5 text-destructive'
            }
          >
            {result.ok ? (
              <CircleCheck aria-hidden className="mt-0.5 size-4 shrink-0" />
            ) : (
              <CircleX aria-hidden className="mt-0.5 size-4 shrink-0" />
            )}
            <span className="break-words">
              {result.ok ? 'Connected. ' : 'Not connected. '}
              {result.summary}
              <span className="text-muted-foreground"> ({result.ms} ms)</span>
            </span>
          </span>
        ) : null}
      </div>
    </div>
  );
}

/** The App registry's form for one module: its address, secrets (write-only) and options. */
export function ModuleSettingsDialog({
  module,
  settings,
}: {
  module: Pick<
    ModuleState,
    'id' | 'name' | 'tool' | 'required' | 'options' | 'environment' | 'testable'
  >;
  settings: ModuleSettings | null;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState(false);
  const { pending, error, run } = useServerAction(() => loginPath(window.location.pathname));
  const initial = (): SettingsForm => ({
    enabled: settings?.enabled ?? true,
    baseUrl: settings?.baseUrl ?? '',
    apiToken: '',
    webhookSecret: '',
    removeApiToken: false,
    removeWebhookSecret: false,
    options: Object.fromEntries(
      module.options.map((o) => [o.key, String(settings?.options[o.key] ?? '')]),
    ),
  });
  const [form, setForm] = useState<SettingsForm>(initial);
  const set = (patch: Partial<SettingsForm>) => {
    setSaved(false);
    setForm((f) => ({ ...f, ...patch }));
  };
  const ids = { enabled: useId(), baseUrl: useId(), options: useId() };
  const wants = (f: 'baseUrl' | 'apiToken' | 'webhookSecret') => module.required.includes(f);

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) {
          setForm(initial());
          setSaved(false);
        }
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" variant="outline" aria-label={`Configure ${module.name}`}>
          <Settings2 aria-hidden />
          Configure
        </Button>
      </DialogTrigger>
      <DialogContent className="max-h-[90dvh] overflow-y-auto">
        <form
          className="grid gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            const sent: SettingsForm = {
              ...form,
              ...(wants('baseUrl') ? {} : { baseUrl: undefined }),
            };
            run(
              () => saveModuleSettingsAction(module.id, sent),
              () => {
                setSaved(true);
                setForm((f) => ({ ...f, apiToken: '', webhookSecret: '' }));
                router.refresh();
              },
            );
          }}
        >
          <DialogHeader>
            <DialogTitle>{module.name} settings</DialogTitle>
            <DialogDescription>
              How this organisation reaches {module.tool}. Secrets are stored encrypted and never
              shown again; every change goes on the activity timeline.
            </DialogDescription>
          </DialogHeader>
          <label htmlFor={ids.enabled} className="flex items-center gap-2 text-sm font-medium">
            <input
              id={ids.enabled}
              type="checkbox"
              checked={form.enabled}
              onChange={(e) => set({ enabled: e.target.checked })}
            />
            Switched on for this organisation
          </label>
          {wants('baseUrl') ? (
            <div className="grid gap-1.5">
              <Label htmlFor={ids.baseUrl}>Address of {module.tool}</Label>
              <Input
                id={ids.baseUrl}
                type="url"
                inputMode="url"
                value={form.baseUrl ?? ''}
                onChange={(e) => set({ baseUrl: e.target.value })}
                placeholder={
                  module.environment.baseUrl
                    ? `Empty: the deployment's (${module.environment.baseUrl})`
                    : 'https://chat.example.com'
                }
              />
            </div>
          ) : null}
          {wants('apiToken') ? (
            <SecretField
              label="API token"
              noun="API token"
              set={settings?.apiTokenSet ?? false}
              value={form.apiToken ?? ''}
              onChange={(v) => set({ apiToken: v })}
              remove={form.removeApiToken ?? false}
              onRemove={(v) => set({ removeApiToken: v })}
            />
          ) : null}
          {wants('webhookSecret') ? (
            <SecretField
              label="Webhook secret"
              noun="webhook secret"
              set={settings?.webhookSecretSet ?? false}
              value={form.webhookSecret ?? ''}
              onChange={(v) => set({ webhookSecret: v })}
              remove={form.removeWebhookSecret ?? false}
              onRemove={(v) => set({ removeWebhookSecret: v })}
            />
          ) : null}
          {module.options.map((o) => (
            <div key={o.key} className="grid gap-1.5">
              <Label htmlFor={`${ids.options}-${o.key}`}>
                {o.label}
                {o.required ? null : (
                  <span className="font-normal text-muted-foreground"> (optional)</span>
                )}
              </Label>
              <Input
                id={`${ids.options}-${o.key}`}
                inputMode={o.kind === 'integer' ? 'numeric' : 'text'}
                value={form.options?.[o.key] ?? ''}
                onChange={(e) => set({ options: { ...form.options, [o.key]: e.target.value } })}
                aria-describedby={o.hint ? `${ids.options}-${o.key}-hint` : undefined}
              />
              {o.hint ? (
                <p id={`${ids.options}-${o.key}-hint`} className="text-xs text-muted-foreground">
                  {o.hint}
                </p>
              ) : null}
            </div>
          ))}
          <div aria-live="polite" className="text-sm">
            {error ? (
              <p role="alert" className="text-destructive">
                {error}
              </p>
            ) : saved ? (
              <p className="text-emerald-700 dark:text-emerald-400">
                Saved. Test the connection to see {module.tool}’s answer.
              </p>
            ) : null}
          </div>
          {module.testable ? (
            <div className="border-t pt-3">
              <ConnectionTestButton module={module.id} tool={module.tool} />
            </div>
          ) : null}
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Close
              </Button>
            </DialogClose>
            <Button type="submit" disabled={pending}>
              {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : null}
              Save
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
