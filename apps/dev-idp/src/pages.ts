/**
 * The few pages a person sees: sign in, sign out, and errors. Server-rendered, no scripts except
 * the one that submits the sign-out form when the client proved who it is (id_token_hint), and
 * no external assets. Every value is escaped.
 */

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText; }
  main { width: min(22rem, calc(100vw - 2rem)); padding: 2rem; border: 1px solid color-mix(in srgb, CanvasText 15%, transparent); border-radius: 0.75rem; }
  h1 { font-size: 1.25rem; margin: 0 0 0.25rem; }
  p { margin: 0 0 1rem; opacity: 0.8; }
  .note { font-size: 0.8rem; opacity: 0.7; margin-top: 1.25rem; }
  label { display: block; font-size: 0.9rem; margin: 0.75rem 0 0.25rem; }
  input[type=text], input[type=password] { box-sizing: border-box; width: 100%; padding: 0.5rem 0.6rem; font: inherit; border-radius: 0.4rem; border: 1px solid color-mix(in srgb, CanvasText 30%, transparent); }
  button { margin-top: 1.25rem; width: 100%; padding: 0.6rem; font: inherit; font-weight: 600; border: 0; border-radius: 0.4rem; background: #2f5bea; color: #fff; cursor: pointer; }
  button.secondary { background: transparent; color: inherit; border: 1px solid color-mix(in srgb, CanvasText 30%, transparent); margin-top: 0.5rem; }
  .error { padding: 0.6rem 0.75rem; border-radius: 0.4rem; background: color-mix(in srgb, #d33 15%, Canvas); color: inherit; margin: 0.75rem 0 0; }
`;

/** Headers for every page: not cached, not framed, nothing loaded from elsewhere. */
export function pageHeaders(scriptHash?: string): Record<string, string> {
  const script = scriptHash ? `script-src '${scriptHash}'; ` : '';
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts,
    // and the login form checks the origin of its posts.
    'referrer-policy': 'same-origin',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; ${script}img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'`,
  };
}

function layout(title: string, body: string, realmTitle: string, extraHead = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · ${escapeHtml(realmTitle)}</title>
<style>${STYLE}</style>${extraHead}
</head>
<body>
<main>
${body}
<p class="note">Development identity provider. Not for production use.</p>
</main>
</body>
</html>
`;
}

export function loginPage(options: {
  realmTitle: string;
  action: string;
  clientName?: string;
  username?: string;
  error?: string;
}): string {
  const error = options.error
    ? `<p class="error" role="alert" id="login-error">${escapeHtml(options.error)}</p>`
    : '';
  const to = options.clientName ? ` to continue to ${escapeHtml(options.clientName)}` : '';
  return layout(
    'Sign in',
    `<h1>Sign in to ${escapeHtml(options.realmTitle)}</h1>
<p>Use your account${to}.</p>
${error}
<form method="post" action="${escapeHtml(options.action)}" autocomplete="on">
  <label for="username">Username or email</label>
  <input type="text" id="username" name="username" value="${escapeHtml(options.username ?? '')}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus${options.error ? ' aria-describedby="login-error" aria-invalid="true"' : ''}>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>`,
    options.realmTitle,
  );
}

/**
 * oidc-provider's sign-out confirmation. `form` is its hidden form (action + xsrf). With
 * `automatic` (the client sent an id_token_hint, as Keycloak requires to skip the question) the
 * form submits itself; otherwise the person confirms, as on Keycloak's "Do you want to log out?".
 */
export const AUTO_SUBMIT_SCRIPT = `document.getElementById('op.logoutForm').submit();`;

export function logoutPage(options: {
  realmTitle: string;
  form: string;
  automatic: boolean;
}): string {
  const form = options.form.replace(
    '</form>',
    `${options.automatic ? '<input type="hidden" name="logout" value="yes"/>' : ''}</form>`,
  );
  if (options.automatic) {
    return layout(
      'Signing out',
      `<h1>Signing out…</h1>
${form}
<noscript><button type="submit" form="op.logoutForm">Continue</button></noscript>
<script>${AUTO_SUBMIT_SCRIPT}</script>`,
      options.realmTitle,
    );
  }
  return layout(
    'Sign out',
    `<h1>Do you want to log out?</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Log out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>`,
    options.realmTitle,
  );
}

export function loggedOutPage(realmTitle: string): string {
  return layout('Signed out', '<h1>You are logged out</h1>', realmTitle);
}

export function errorPage(realmTitle: string, message: string, detail?: string): string {
  return layout(
    'Error',
    `<h1>We are sorry…</h1>
<p class="error" role="alert">${escapeHtml(message)}</p>${detail ? `\n<p>${escapeHtml(detail)}</p>` : ''}`,
    realmTitle,
  );
}
