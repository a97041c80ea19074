{% load static %}// The desk's service worker: it keeps the desk's page and what the page loads, so that the desk opens
// without a connection; entries made offline wait in the page's outbox (desk.js), not here.
const CACHE = "villagelink-desk-{{ version }}";
const DESK = "{% url 'desk:desk' %}";
const ASSETS = [
  DESK,
  "{% static 'core/site.css' %}",
  "{% static 'core/site.js' %}",
  "{% static 'desk/desk.js' %}",
  "{% static 'core/favicon.svg' %}",
  "{% static 'django_htmx/htmx-2.min.js' %}",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("villagelink-desk-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === DESK) {
    // The desk's page: fresh when the network answers (and kept), the kept one when it does not.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(DESK, copy));
          }
          return response;
        })
        .catch(() => caches.match(DESK)),
    );
    return;
  }
  if (url.pathname.startsWith("{% get_static_prefix %}")) {
    // Assets: the kept copy, else the network (and keep it: a Tibetan font the page needed, say).
    event.respondWith(
      caches.match(request).then((kept) => kept || fetch(request).then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })),
    );
  }
});
