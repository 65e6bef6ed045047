// Loket service worker. Hashed build files are served cache-first (their names change with their content);
// page navigations go to the network first and fall back to the offline page. Personal pages are not cached,
// with one exception: an appointment card once seen, so it can be shown at the desk without a network. Those
// cards are forgotten when the person signs out, so nothing personal stays behind on a shared device.
const VERSION = "__VERSION__";
const STATIC_CACHE = `loket-static-${VERSION}`;
const CARD_CACHE = "loket-cards";
const SIGN_OUT = ["/uitloggen", "/overal-uitloggen", "/api/auth/sign-out", "/api/auth/sign-out-everywhere"];
const PRECACHE = ["__PRECACHE__"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(STATIC_CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("loket-") && key !== STATIC_CACHE && key !== CARD_CACHE)
          .map((key) => caches.delete(key)),
      ))
      .then(() => self.clients.claim()),
  );
});

function isStatic(url) {
  return url.pathname.startsWith("/pkg/") || url.pathname.startsWith("/icons/") ||
    url.pathname.startsWith("/municipalities/");
}

function isCard(url) {
  return /^\/afspraken\/[A-Za-z0-9_-]+$/.test(url.pathname);
}

// Keeps the card only when the server marked the page as one (not a sign-in page or an error under that
// address); anything else under that address drops what was kept.
async function keepCard(path, response) {
  const cache = await caches.open(CARD_CACHE);
  const html = response.ok ? await response.text() : "";
  if (html.includes('data-loket-offline="card"')) {
    await cache.put(path, new Response(html, { status: 200, headers: response.headers }));
  } else {
    await cache.delete(path);
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && SIGN_OUT.includes(url.pathname)) {
    event.waitUntil(caches.delete(CARD_CACHE));
    return;
  }
  if (request.method !== "GET") return;
  // The session timer sends the page here when the session has ended: forget the cards as on sign-out.
  if (url.pathname === "/inloggen" && url.searchParams.get("reden") === "verlopen") {
    event.waitUntil(caches.delete(CARD_CACHE));
  }

  if (request.mode === "navigate" && isCard(url)) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          event.waitUntil(keepCard(url.pathname, response.clone()));
          return response;
        })
        .catch(() => caches.match(url.pathname, { cacheName: CARD_CACHE })
          .then((hit) => hit || caches.match("/offline", { cacheName: STATIC_CACHE }))),
    );
    return;
  }

  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(() => caches.match("/offline", { cacheName: STATIC_CACHE })),
    );
    return;
  }

  if (isStatic(url) || PRECACHE.includes(url.pathname)) {
    event.respondWith(
      caches.match(request, { cacheName: STATIC_CACHE }).then((hit) => hit || fetch(request).then((response) => {
        if (response.ok && isStatic(url)) {
          const copy = response.clone();
          event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.put(request, copy)));
        }
        return response;
      })),
    );
  }
});

// Web push: the payload is only a title, one sentence and a Loket link (never content), so showing it on a
// lock screen reveals nothing personal. Only links into this Loket are opened.
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (_) {
    message = {};
  }
  const title = typeof message.title === "string" ? message.title : "Loket";
  const url = typeof message.url === "string" ? message.url : "/";
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof message.body === "string" ? message.body : "",
    icon: "/icons/icon-192.png",
    data: { url },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data && event.notification.data.url || "/", self.location.origin);
  const url = target.origin === self.location.origin ? target.href : "/";
  event.waitUntil(self.clients.openWindow(url));
});
