// The account page's one script, progressive enhancement only (the forms work without it):
// a "send code" button just used counts its cooldown down instead of being refused by the server.
for (const button of document.querySelectorAll("button[data-cooldown]")) {
  const label = button.textContent;
  const wait = button.getAttribute("data-wait") || "{s}";
  let left = Number(button.getAttribute("data-cooldown")) || 0;
  const tick = () => {
    if (left <= 0) {
      button.disabled = false;
      button.textContent = label;
      return;
    }
    button.disabled = true;
    button.textContent = wait.replace("{s}", String(left));
    left -= 1;
    setTimeout(tick, 1000);
  };
  tick();
}
