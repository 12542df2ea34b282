/* Service worker of the field app: the app shell, the API reads it needs and the
 * municipality's tiles are kept on the phone, so the app opens and reports can be made offline.
 * Reports themselves are never handled here: they wait in IndexedDB and the page sends them. */
"use strict";

const VERSION = "field-v3";
const API_CACHE = "field-api"; // emptied by the page when the user signs out
const SHELL = [
  "./",
  "index.html",
  "app.js",
  "style.css",
  "manifest.webmanifest",
  "icon.svg",
  "icon-192.png",
  "icon-512.png",
  "vandring.html",
  "vandring.js",
  "/dashboard/vendor/maplibre-gl/maplibre-gl.js",
  "/dashboard/vendor/maplibre-gl/maplibre-gl.css",
];
const API_READS = ["/api/v1/me", "/api/v1/field/", "/api/v1/boundary", "/api/v1/walks",
  "/api/v1/observations"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => ![VERSION, API_CACHE, "field-tiles"].includes(k)).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

async function cacheFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request, { ignoreSearch: cacheName === VERSION });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

async function shellFirst(request) {
  // the shell from the cache at once; a fresh copy is fetched behind it for the next start
  const cache = await caches.open(VERSION);
  const hit = await cache.match(request, { ignoreSearch: true });
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  if (hit) {
    fresh.catch(() => {});
    return hit;
  }
  return fresh;
}

async function networkFirst(request) {
  const cache = await caches.open(API_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (err) {
    const hit = await cache.match(request);
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (path.startsWith("/tiles/") && path.endsWith(".mvt")) {
    event.respondWith(cacheFirst(request, "field-tiles"));
  } else if (API_READS.some((p) => path.startsWith(p))) {
    event.respondWith(networkFirst(request));
  } else if (path.startsWith("/rapportera/") || path.startsWith("/dashboard/vendor/")) {
    event.respondWith(shellFirst(request));
  }
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "precache") return;
  const headers = { Authorization: `Bearer ${data.token}` };
  event.waitUntil(caches.open("field-tiles").then(async (cache) => {
    for (const url of data.urls) {
      if (await cache.match(url)) continue;
      try {
        const response = await fetch(url, { headers });
        if (response.ok) await cache.put(url, response);
      } catch (err) {
        return; // offline: try again next time the map opens
      }
    }
  }));
});
