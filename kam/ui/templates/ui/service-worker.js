{% autoescape off %}/* KAM's service worker: it keeps the static files so that pages start on a phone with
   poor signal, and shows the offline page when a page cannot load at all. Pages are
   never kept: they hold customer data and must be current. */
"use strict";

const CONFIG = {{ config }};
const PREFIX = "kam-static-";
const CACHE = PREFIX + CONFIG.release;
// The language of the last page seen, so the offline page speaks it; kept apart from
// the release's cache so that a new release does not forget it.
const SETTINGS = "kam-settings";
const LANGUAGE_KEY = "/__kam/language";

self.addEventListener("install", (event) => {
  const urls = CONFIG.precache.concat(Object.values(CONFIG.offlinePages));
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(urls))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(PREFIX) && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "language" && CONFIG.offlinePages[data.language]) {
    event.waitUntil(
      caches
        .open(SETTINGS)
        .then((cache) => cache.put(LANGUAGE_KEY, new Response(data.language))),
    );
  }
});

async function offlinePage() {
  const stored = await (await caches.open(SETTINGS)).match(LANGUAGE_KEY);
  const language = stored ? await stored.text() : CONFIG.defaultLanguage;
  const url = CONFIG.offlinePages[language] || CONFIG.offlinePages[CONFIG.defaultLanguage];
  return (await caches.match(url)) || Response.error();
}

async function staticFile(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) {
    return kept;
  }
  const response = await fetch(request);
  if (response.ok) {
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => offlinePage()));
  } else if (url.pathname.startsWith(CONFIG.staticUrl)) {
    event.respondWith(staticFile(request));
  }
});
{% endautoescape %}
