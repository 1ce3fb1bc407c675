import { VideoOff } from 'lucide-react';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@afenda/ui';

/** What the page says when the orchestrator has no Jitsi deployment to issue tokens for. */
export function JitsiNotConfigured() {
  return (
    <Card role="status" data-testid="jitsi-not-configured" className="max-w-2xl">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <VideoOff aria-hidden className="size-5 text-muted-foreground" />
          Jitsi Meet isn&apos;t configured
        </CardTitle>
        <CardDescription>
          Rooms can be listed and ended, but nobody can join one until the orchestrator knows your
          Jitsi Meet deployment.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-2 text-sm">
        <p>Set these on the orchestrator and restart it:</p>
        <ul className="list-disc space-y-1 pl-5 font-mono text-xs">
          <li>JITSI_URL=https://meet.example</li>
          <li>JITSI_APP_ID=&lt;prosody app_id&gt;</li>
          <li>
            JITSI_APP_SECRET=&lt;prosody app_secret&gt; (or RS256: JITSI_PRIVATE_KEY, JITSI_KEY_ID)
          </li>
        </ul>
        <p className="text-muted-foreground">
          See docs/video.md for the Jitsi side (token authentication).
        </p>
      </CardContent>
    </Card>
  );
}
