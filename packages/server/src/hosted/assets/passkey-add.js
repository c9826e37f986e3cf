// Adding a passkey (docs/passkeys.md §Adding a passkey on the pages): the account page's passkey
// section and the "add a passkey" prompt after a password sign-in. The options and the ticket come
// with the page; the browser's answer is posted as a form field. Without WebAuthn or without script
// the form stays hidden and the page says passkeys need another browser.
(() => {
  const lib = globalThis.SimpleWebAuthnBrowser;
  for (const form of document.querySelectorAll("form[data-passkey-register]")) {
    if (!lib?.browserSupportsWebAuthn()) continue;
    const optionsJSON = JSON.parse(form.dataset.options);
    const field = form.querySelector('input[name="credential"]');
    const problem = form.querySelector("[data-passkey-problem]");
    const unsupported = document.getElementById(form.dataset.unsupported || "");
    if (unsupported) unsupported.hidden = true;
    form.hidden = false;
    let sent = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (sent) return;
      if (problem) problem.hidden = true;
      try {
        field.value = JSON.stringify(await lib.startRegistration({ optionsJSON }));
      } catch {
        if (problem) problem.hidden = false;
        return;
      }
      sent = true;
      form.submit();
    });
  }
})();
