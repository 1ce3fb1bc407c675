/** Where the sign-in tab opened from the Dashboard App lands: the frame can now be reloaded. */
export default function SignedInPage() {
  return (
    <main className="m-4 text-sm">
      <p>You are signed in to Axis Afenda. Close this tab and choose “Try again” in Chatwoot.</p>
    </main>
  );
}
