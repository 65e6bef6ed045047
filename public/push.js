// "Meldingen op dit apparaat" on Instellingen → Berichten. Shown only where the browser can receive web push;
// subscribes with Loket's VAPID key and posts the subscription (endpoint and keys) with the page's own form,
// so the server checks it like any other form and answers with the same page.
const section = document.getElementById("push-device");
const form = document.getElementById("push-form");
const status = document.getElementById("push-status");

function base64url(buffer) {
  return btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function keyBytes(text) {
  const padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

if (section && form && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window) {
  section.hidden = false;
  form.addEventListener("submit", async (event) => {
    if (form.elements.endpoint.value) return; // second pass: the subscription is filled in
    event.preventDefault();
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        status.textContent = section.dataset.refused;
        return;
      }
      const registration = await navigator.serviceWorker.register("/sw.js");
      await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(section.dataset.key),
      });
      form.elements.endpoint.value = subscription.endpoint;
      form.elements.p256dh.value = base64url(subscription.getKey("p256dh"));
      form.elements.auth.value = base64url(subscription.getKey("auth"));
      form.requestSubmit();
    } catch (_) {
      status.textContent = section.dataset.failed;
    }
  });
}
