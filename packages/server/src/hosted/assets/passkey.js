// The sign-in page's passkey (docs/passkeys.md §Hosted sign-in). Without WebAuthn or without
// script the passkey form stays hidden and the page works as before. The options and the ticket
// come with the page; the browser's answer is posted as a form, like every other sign-in.
(() => {
  const lib = globalThis.SimpleWebAuthnBrowser;
  const form = document.getElementById("passkey-form");
  if (!lib || !form || !lib.browserSupportsWebAuthn()) return;
  const optionsJSON = JSON.parse(form.dataset.options);
  const field = form.querySelector('input[name="credential"]');
  const button = document.getElementById("passkey-button");
  const problem = document.getElementById("passkey-problem");
  let sent = false;
  const send = (credential) => {
    if (sent) return;
    sent = true;
    field.value = JSON.stringify(credential);
    form.submit();
  };
  form.hidden = false;
  // A password sign-in in a browser that can make a passkey right here may be offered to add one
  // (docs/passkeys.md §The prompt): the password form says so in a hidden field.
  const capable = document.getElementById("webauthn-capable");
  if (capable)
    lib.platformAuthenticatorIsAvailable().then((available) => {
      if (available) capable.value = "platform";
    });
  button.addEventListener("click", async () => {
    problem.hidden = true;
    try {
      send(await lib.startAuthentication({ optionsJSON }));
    } catch {
      problem.hidden = false;
    }
  });
  // Conditional UI: the browser offers the passkeys in the account field's autofill.
  lib.browserSupportsWebAuthnAutofill().then(async (supported) => {
    if (!supported || !document.querySelector('input[autocomplete~="webauthn"]')) return;
    try {
      send(await lib.startAuthentication({ optionsJSON, useBrowserAutofill: true }));
    } catch {
      // Aborted by the button's own request, or dismissed: nothing to say.
    }
  });
})();
