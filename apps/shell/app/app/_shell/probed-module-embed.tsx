import { getAuthConfig } from '@/lib/auth/config';
import { probeFrame } from '@/lib/modules/frame-probe';
import { ModuleEmbed } from './module-embed';

/** A tool's page at `src` in <ModuleEmbed>, asked first (server-side) whether it can be framed. */
export async function ProbedModuleEmbed({ src, title }: { src: string; title: string }) {
  return (
    <ModuleEmbed
      src={src}
      title={title}
      verdict={await probeFrame(src, getAuthConfig().publicUrl)}
    />
  );
}
