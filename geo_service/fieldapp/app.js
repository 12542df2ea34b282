/* Field app for rapportörer: report what you see, offline first.
 *
 * Reports wait in IndexedDB with a client id (crypto.randomUUID) and are sent when the
 * connection is there; the server is idempotent on the client id, so a resend never duplicates.
 * Everything is served by the service itself; MapLibre is loaded only when a map is opened.
 */
"use strict";

const API = "/api/v1";
const TOKEN_KEY = "geo_service.field.token";
const LANG_KEY = "geo_service.field.lang";
const WALK_KEY = "geo_service.field.walk";
const ROUTE_KEY = "geo_service.field.route";
const RETRY_MS = 4000;

const TEXTS = bilingual({
  skip: ["Hoppa till innehållet", "Skip to content"],
  title: ["Rapportera", "Report"],
  signinTitle: ["Logga in", "Sign in"],
  signinHelp: ["Skanna QR-koden du fått med mobilens kamera, eller klistra in din token.", "Scan the QR code you were given with the phone's camera, or paste your token."],
  tokenLabel: ["Token", "Token"],
  signin: ["Logga in", "Sign in"],
  reportTitle: ["Ny rapport", "New report"],
  what: ["Vad?", "What?"],
  where: ["Var?", "Where?"],
  useGps: ["📍 Min position", "📍 My position"],
  useMap: ["🗺️ Välj på kartan", "🗺️ Pick on the map"],
  placeLabel: ["Plats eller adress", "Place or address"],
  when: ["När?", "When?"],
  now: ["Nu", "Now"],
  earlier: ["Tidigare", "Earlier"],
  whenLabel: ["Tidpunkt", "Time"],
  severity: ["Hur allvarligt?", "How serious?"],
  sev1: ["1 Lite", "1 Minor"],
  sev2: ["2 Måttligt", "2 Moderate"],
  sev3: ["3 Allvarligt", "3 Serious"],
  textLabel: ["Kort text (valfri)", "Short text (optional)"],
  textNote: ["Personnummer, telefonnummer och e-postadresser tas bort ur texten. Skriv inga namn och inte vem någon är.", "Personal identity numbers, phone numbers and e-mail addresses are removed from the text. Do not write names or who someone is."],
  send: ["Skicka rapport", "Send report"],
  queueTitle: ["Skickat och väntande", "Sent and waiting"],
  mineTitle: ["Mina rapporter (30 dagar)", "My reports (30 days)"],
  showMap: ["Visa på karta", "Show on map"],
  walkTitle: ["Trivselvandring", "Safety walk"],
  recordRoute: ["Spela in rutten med GPS", "Record the route by GPS"],
  drawRoute: ["Rita rutten på kartan", "Draw the route on the map"],
  routePoints: ["Rutten har {n} punkter.", "The route has {n} points."],
  walkReport: ["Rapportera fynd", "Report a finding"],
  walkEnd: ["Avsluta vandringen", "End the walk"],
  walkNew: ["Ny vandring", "New walk"],
  walkName: ["Namn", "Name"],
  walkDate: ["Datum", "Date"],
  walkOrgs: ["Deltagande organisationer (komma mellan)", "Organisations taking part (comma separated)"],
  walkStart: ["Starta vandringen", "Start the walk"],
  walkNoPhotos: ["Inga foton: de kan visa ansikten och registreringsskyltar.", "No photos: they can show faces and number plates."],
  walkList: ["Vandringar", "Walks"],
  settingsTitle: ["Inställningar", "Settings"],
  language: ["Språk", "Language"],
  installHelp: ["Installera: välj ”Lägg till på hemskärmen” i webbläsarens meny.", "Install: choose “Add to Home screen” in the browser menu."],
  signout: ["Logga ut", "Sign out"],
  tabReport: ["Rapport", "Report"],
  tabQueue: ["Skickat", "Sent"],
  tabMine: ["Mina", "Mine"],
  tabWalk: ["Vandring", "Walk"],
  tabSettings: ["Mer", "More"],
  online: ["Ansluten", "Online"],
  offline: ["Offline – rapporterna skickas när anslutningen är tillbaka", "Offline – reports are sent when the connection returns"],
  pickWhat: ["Välj vad du rapporterar.", "Choose what you report."],
  pickWhere: ["Välj var: position, karta eller plats.", "Choose where: position, map or place."],
  queued: ["Rapporten är sparad och skickas nu.", "The report is saved and being sent."],
  queuedOffline: ["Sparad på telefonen; skickas när du är ansluten.", "Saved on the phone; sent when you are online."],
  gpsWait: ["Hämtar position …", "Getting position …"],
  gpsOk: ["Position ±{m} m", "Position ±{m} m"],
  gpsFail: ["Positionen kunde inte hämtas.", "The position could not be found."],
  mapPoint: ["Punkt vald på kartan", "Point picked on the map"],
  placeChosen: ["Plats: {p}", "Place: {p}"],
  waiting: ["Väntar", "Waiting"],
  stored: ["Sparad", "Stored"],
  quarantined: ["I karantän", "Quarantined"],
  unchanged: ["Redan sparad", "Already stored"],
  otherUser: ["Väntar på den som skrev den", "Waiting for its author"],
  otherUserNote: ["Skickas när den som skrev rapporten loggar in igen på den här telefonen.", "Sent when whoever wrote the report signs in on this phone again."],
  waitingForYou: ["Rapporter som väntar på att skickas: {n}. De skickas när du loggar in igen på den här telefonen.", "Reports waiting to be sent: {n}. They are sent when you sign in on this phone again."],
  failed: ["Fel", "Error"],
  edit: ["Ändra", "Edit"],
  withdraw: ["Ta tillbaka", "Withdraw"],
  save: ["Spara", "Save"],
  withdrawn: ["Tillbakatagen.", "Withdrawn."],
  corrected: ["Ändringen är sparad.", "The change is saved."],
  confirmWithdraw: ["Ta tillbaka rapporten?", "Withdraw the report?"],
  none: ["Inget ännu.", "Nothing yet."],
  walkActive: ["Pågående vandring: {n}", "Walk in progress: {n}"],
  walkOn: ["Vandring: {n} – fynd sparas till vandringen", "Walk: {n} – findings go to the walk"],
  summary: ["Sammanfattning", "Summary"],
  start: ["Fortsätt", "Continue"],
  findings: ["{n} fynd", "{n} findings"],
  badToken: ["Token saknas, är okänd eller återkallad.", "The token is missing, unknown or revoked."],
  who: ["{o} · {m}", "{o} · {m}"],
  sevShort: ["allvar", "severity"],
});

/** { key: [sv, en] } as { sv: { key: sv }, en: { key: en } }. */
function bilingual(pairs) {
  const texts = { sv: {}, en: {} };
  for (const [key, [sv, en]] of Object.entries(pairs)) {
    texts.sv[key] = sv;
    texts.en[key] = en;
  }
  return texts;
}

const state = {
  token: localStorage.getItem(TOKEN_KEY) || "",
  lang: localStorage.getItem(LANG_KEY) || "sv",
  me: null,
  categories: [],
  where: null, // {lat, lon} or {place} or {address}
  walk: null, // the signed-in reporter's active walk (kept in localStorage with its owner)
  maps: {},
  sending: false,
  watch: null,
};

const $ = (id) => document.getElementById(id);
const t = (key, vars = {}) =>
  (TEXTS[state.lang][key] || key).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
const owner = () => (state.me ? `${state.me.municipality_code}/${state.me.token_id}` : "");
/** Reports and walks belong to the token they were made under: never sent under another. */
const mine = (item) => Boolean(item) && item.owner === owner();
const mc = () => (state.me && state.me.municipality_code) || (/^gs_(\d{4})_/.exec(state.token) || [])[1];
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${state.token}`, ...(options.headers || {}) };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`${API}${path}`, {
    ...options,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (response.status === 204) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

const withMc = (path) => `${path}${path.includes("?") ? "&" : "?"}municipality=${mc()}`;

/* ---------- IndexedDB queue ---------- */

let dbPromise = null;
function db() {
  dbPromise = dbPromise || new Promise((resolve, reject) => {
    const open = indexedDB.open("geo_service_field", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("reports", { keyPath: "client_id" });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  return dbPromise;
}

async function store(mode, fn) {
  const conn = await db();
  return new Promise((resolve, reject) => {
    const tx = conn.transaction("reports", mode);
    const request = fn(tx.objectStore("reports"));
    tx.oncomplete = () => resolve(request && request.result);
    tx.onerror = () => reject(tx.error);
  });
}

const allReports = () => store("readonly", (s) => s.getAll());
const putReport = (report) => store("readwrite", (s) => s.put(report));

/* ---------- sending ---------- */

function endpoint(report) {
  return report.walk_id ? withMc(`/walks/${report.walk_id}/findings`) : withMc("/observations");
}

async function sendOne(report) {
  try {
    const body = await api(endpoint(report), { method: "POST", body: report.payload });
    const result = body.results[0];
    return { ...report, status: result.status, message: result.message || "", sent_at: Date.now() };
  } catch (err) {
    if (!(err instanceof ApiError)) return report; // no connection: try again later
    const rejected = err.body && err.body.code === "observation_rejected" && err.body.errors;
    if (rejected) return { ...report, status: "quarantined", message: err.body.errors[0].message || "" };
    if (err.status === 401) {
      signOut(t("badToken"));
      return report; // kept waiting: sent once a valid token is back
    }
    if (err.status === 429 || err.status >= 500) return report;
    return { ...report, status: "failed", message: err.message };
  }
}

async function flush() {
  if (state.sending || !state.token || !state.me) return;
  state.sending = true;
  try {
    const waiting = (await allReports()).filter((r) => r.status === "waiting" && mine(r));
    waiting.sort((a, b) => a.created - b.created);
    for (const report of waiting) {
      const done = await sendOne(report);
      if (done.status === "waiting") break;
      await putReport(done);
    }
  } finally {
    state.sending = false;
    renderQueue();
  }
}

/* ---------- report form ---------- */

function renderCategories() {
  const box = $("categories");
  box.innerHTML = state.categories.map((c) => `
    <label class="cat"><input type="radio" name="category" value="${esc(c.code)}">
      <span><b aria-hidden="true">${esc(c.icon)}</b>${esc(state.lang === "en" ? c.label_en : c.label_sv)}</span>
    </label>`).join("");
}

function setWhere(where, message) {
  state.where = where;
  $("where-status").textContent = message;
}

function useGps() {
  if (!navigator.geolocation) return setWhere(null, t("gpsFail"));
  $("where-status").textContent = t("gpsWait");
  navigator.geolocation.getCurrentPosition(
    (pos) => setWhere(
      { lat: +pos.coords.latitude.toFixed(6), lon: +pos.coords.longitude.toFixed(6) },
      t("gpsOk", { m: Math.round(pos.coords.accuracy) }),
    ),
    () => setWhere(null, t("gpsFail")),
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 10000 },
  );
}

function occurredAt() {
  const earlier = document.querySelector("input[name=when]:checked").value === "earlier";
  const value = $("when-input").value;
  const when = earlier && value ? new Date(value) : new Date();
  return when.toISOString();
}

function readForm() {
  const picked = document.querySelector("input[name=category]:checked");
  if (!picked) return { error: t("pickWhat") };
  if (!state.where) return { error: t("pickWhere") };
  const text = $("text-input").value.trim();
  const payload = {
    client_id: crypto.randomUUID(),
    category: picked.value,
    occurred_at: occurredAt(),
    severity: Number(document.querySelector("input[name=severity]:checked").value),
    ...state.where,
  };
  if (text) payload.description = text;
  return { payload };
}

async function submitReport(event) {
  event.preventDefault();
  const { payload, error } = readForm();
  if (error) {
    $("report-status").textContent = error;
    return;
  }
  const label = (state.categories.find((c) => c.code === payload.category) || {}).label_sv;
  await putReport({
    client_id: payload.client_id, payload, status: "waiting", created: Date.now(), owner: owner(),
    walk_id: state.walk ? state.walk.id : null, label: label || payload.category,
  });
  $("report-form").reset();
  $("when-input").hidden = true;
  $("place-input").value = "";
  $("report-status").textContent = navigator.onLine ? t("queued") : t("queuedOffline");
  renderQueue();
  flush();
}

/* ---------- place suggestions ---------- */

let suggestTimer = null;
function onPlaceInput() {
  clearTimeout(suggestTimer);
  const q = $("place-input").value.trim();
  if (q.length < 2) return showSuggestions([]);
  suggestTimer = setTimeout(async () => {
    try {
      showSuggestions(await api(withMc(`/geocode/suggest?q=${encodeURIComponent(q)}`)));
    } catch (err) {
      // offline: the typed name is sent as is and matched by the server later
      setWhere({ place: q }, t("placeChosen", { p: q }));
    }
  }, 200);
}

function showSuggestions(items) {
  const list = $("suggestions");
  list.innerHTML = items.map((s, i) => `<li role="option" id="sugg-${i}" tabindex="0"
    data-i="${i}">${esc(s.label)}</li>`).join("");
  list.hidden = items.length === 0;
  $("place-input").setAttribute("aria-expanded", String(items.length > 0));
  list.querySelectorAll("li").forEach((li) => {
    const pick = () => {
      const s = items[Number(li.dataset.i)];
      $("place-input").value = s.label;
      setWhere({ lat: s.lat, lon: s.lon }, t("placeChosen", { p: s.label }));
      showSuggestions([]);
    };
    li.addEventListener("click", pick);
    li.addEventListener("keydown", (e) => { if (e.key === "Enter") pick(); });
  });
}

/* ---------- maps (MapLibre loaded on demand from the service) ---------- */

let maplibreReady = null;
function loadMaplibre() {
  maplibreReady = maplibreReady || new Promise((resolve, reject) => {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = "/dashboard/vendor/maplibre-gl/maplibre-gl.css";
    document.head.appendChild(css);
    const script = document.createElement("script");
    script.src = "/dashboard/vendor/maplibre-gl/maplibre-gl.js";
    script.onload = resolve;
    script.onerror = reject;
    document.head.appendChild(script);
  });
  return maplibreReady;
}

async function openMap(id, onClick) {
  if (state.maps[id]) return state.maps[id];
  await loadMaplibre();
  const [boundary, places] = await Promise.all([
    api(withMc("/boundary")).catch(() => null),
    api(withMc("/field/places")).catch(() => ({ type: "FeatureCollection", features: [] })),
  ]);
  const map = new maplibregl.Map({
    container: id,
    style: { version: 8, sources: {}, layers: [{ id: "bg", type: "background", paint: { "background-color": "#eef1f4" } }] },
    bounds: boundary && boundary.bbox ? boundary.bbox : [13.3, 56.1, 13.5, 56.2],
    attributionControl: false,
    transformRequest: (url) => (url.startsWith(location.origin)
      ? { url, headers: { Authorization: `Bearer ${state.token}` } } : { url }),
  });
  state.maps[id] = map;
  map.on("load", () => {
    if (boundary && boundary.geometry) {
      map.addSource("boundary", { type: "geojson", data: boundary });
      map.addLayer({ id: "boundary", type: "line", source: "boundary", paint: { "line-color": "#0b4f8a", "line-width": 2 } });
    }
    addPlaceTiles(map);
    map.addSource("places", { type: "geojson", data: places });
    map.addLayer({ id: "places", type: "circle", source: "places", paint: { "circle-radius": 6, "circle-color": "#0b4f8a", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
    map.addSource("pick", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "pick", type: "circle", source: "pick", paint: { "circle-radius": 9, "circle-color": "#a4161a", "circle-stroke-color": "#fff", "circle-stroke-width": 3 } });
    map.getCanvas().dataset.ready = "1";
  });
  if (onClick) map.on("click", (e) => onClick(map, e.lngLat));
  return map;
}

async function addPlaceTiles(map) {
  // the service's places tiles (ranked places' polygons) where a run exists
  try {
    const response = await fetch(`/tiles/places.json?municipality=${mc()}`, {
      headers: { Authorization: `Bearer ${state.token}` },
    });
    if (!response.ok) return;
    const tilejson = await response.json();
    map.addSource("place-tiles", { type: "vector", tiles: tilejson.tiles, minzoom: tilejson.minzoom || 0, maxzoom: tilejson.maxzoom || 16 });
    map.addLayer({ id: "place-areas", type: "line", source: "place-tiles", "source-layer": tilejson.vector_layers[0].id, paint: { "line-color": "#4a4f55", "line-width": 1 } }, "places");
    precacheTiles(tilejson.tiles[0], map.getBounds());
  } catch (err) {
    // no run yet, or offline: the place points are enough to pick from
  }
}

function precacheTiles(template, bounds) {
  // the service worker keeps the municipality's tiles at the zooms the app uses
  if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return;
  const urls = [];
  const tile = (lon, lat, z) => {
    const n = 2 ** z;
    const r = (lat * Math.PI) / 180;
    return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.asinh(Math.tan(r)) / Math.PI) / 2) * n)];
  };
  for (let z = 11; z <= 15; z += 1) {
    const [x0, y0] = tile(bounds.getWest(), bounds.getNorth(), z);
    const [x1, y1] = tile(bounds.getEast(), bounds.getSouth(), z);
    for (let x = x0; x <= x1; x += 1) for (let y = y0; y <= y1; y += 1) {
      urls.push(template.replace("{z}", z).replace("{x}", x).replace("{y}", y));
    }
  }
  navigator.serviceWorker.controller.postMessage({ type: "precache", urls: urls.slice(0, 600), token: state.token });
}

function pickOnMap(map, lngLat) {
  // a tap on a place's dot picks the place; elsewhere, the point tapped
  const box = map.project(lngLat);
  const [place] = map.queryRenderedFeatures(
    [[box.x - 12, box.y - 12], [box.x + 12, box.y + 12]], { layers: ["places"] },
  );
  const [lon, lat] = place ? place.geometry.coordinates : [lngLat.lng, lngLat.lat];
  const point = { lat: +lat.toFixed(6), lon: +lon.toFixed(6) };
  map.getSource("pick").setData({ type: "Point", coordinates: [point.lon, point.lat] });
  setWhere(point, place ? t("placeChosen", { p: place.properties.name }) : t("mapPoint"));
}

/* ---------- queue and my reports ---------- */

async function renderQueue() {
  const reports = (await allReports()).sort((a, b) => b.created - a.created).slice(0, 50);
  $("queue").innerHTML = reports.length ? reports.map((r) => {
    const held = r.status === "waiting" && !mine(r); // another reporter's: no details shown
    const status = held ? "otherUser" : r.status;
    const when = new Date(r.payload.occurred_at).toLocaleString(state.lang === "en" ? "en-GB" : "sv-SE");
    return `<li data-status="${status}"><span class="badge ${r.status}">${esc(t(status))}</span>
      <strong>${esc(held ? "" : r.label)}</strong>
      <div class="meta">${esc(held ? t("otherUserNote") : when)}
      ${r.message && !held ? ` – ${esc(r.message)}` : ""}</div></li>`;
  }).join("") : `<li>${esc(t("none"))}</li>`;
}

async function renderMine() {
  let items = [];
  try {
    items = await api(withMc("/observations?mine=true&limit=200"));
  } catch (err) {
    $("mine").innerHTML = `<li class="error">${esc(err.message)}</li>`;
    return;
  }
  const label = (code) => (state.categories.find((c) => c.code === code) || {})[state.lang === "en" ? "label_en" : "label_sv"] || code;
  const now = Date.now();
  $("mine").innerHTML = items.length ? items.map((o) => {
    const editable = o.editable_until && Date.parse(o.editable_until) > now;
    return `<li data-id="${o.id}"><strong>${esc(label(o.category))}</strong> · ${esc(t("sevShort"))} ${o.severity ?? "–"}
      <div class="meta">${esc(new Date(o.occurred_at).toLocaleString(state.lang === "en" ? "en-GB" : "sv-SE"))}
      ${o.description ? ` – ${esc(o.description)}` : ""}</div>
      ${editable ? `<div class="actions">
        <button type="button" class="secondary" data-edit="${o.id}">${esc(t("edit"))}</button>
        <button type="button" class="secondary" data-withdraw="${o.id}">${esc(t("withdraw"))}</button></div>` : ""}
    </li>`;
  }).join("") : `<li>${esc(t("none"))}</li>`;
  state.mine = items;
  $("mine").querySelectorAll("[data-withdraw]").forEach((b) => b.addEventListener("click", () => withdraw(b.dataset.withdraw)));
  $("mine").querySelectorAll("[data-edit]").forEach((b) => b.addEventListener("click", () => editForm(b)));
  if (state.maps["mine-map"]) showMine(state.maps["mine-map"]);
}

function showMine(map) {
  const features = (state.mine || []).filter((o) => o.lat != null).map((o) => ({
    type: "Feature", geometry: { type: "Point", coordinates: [o.lon, o.lat] }, properties: { id: o.id },
  }));
  const set = () => map.getSource("pick").setData({ type: "FeatureCollection", features });
  if (map.getSource("pick")) set(); else map.once("load", set);
}

async function withdraw(id) {
  if (!window.confirm(t("confirmWithdraw"))) return;
  await api(withMc(`/observations/${id}`), { method: "DELETE" });
  renderMine();
}

function editForm(button) {
  const item = state.mine.find((o) => String(o.id) === button.dataset.edit);
  const li = button.closest("li");
  li.insertAdjacentHTML("beforeend", `<form class="edit">
    <label for="edit-sev-${item.id}">${esc(t("severity"))}</label>
    <select id="edit-sev-${item.id}">${[1, 2, 3].map((s) => `<option ${s === item.severity ? "selected" : ""}>${s}</option>`).join("")}</select>
    <label for="edit-text-${item.id}">${esc(t("textLabel"))}</label>
    <textarea id="edit-text-${item.id}" maxlength="500">${esc(item.description || "")}</textarea>
    <button type="submit" class="primary">${esc(t("save"))}</button></form>`);
  li.querySelector("form.edit").addEventListener("submit", async (e) => {
    e.preventDefault();
    await api(withMc(`/observations/${item.id}`), {
      method: "PATCH",
      body: { severity: Number($(`edit-sev-${item.id}`).value), description: $(`edit-text-${item.id}`).value },
    });
    renderMine();
  });
}

/* ---------- safety walks ---------- */

function setWalk(walk) {
  state.walk = walk && { ...walk, owner: owner() };
  if (walk) localStorage.setItem(WALK_KEY, JSON.stringify(state.walk));
  else localStorage.removeItem(WALK_KEY);
  renderWalkState();
}

function restoreWalk() {
  const stored = JSON.parse(localStorage.getItem(WALK_KEY) || "null");
  state.walk = mine(stored) ? stored : null;
  renderWalkState();
}

function renderWalkState() {
  const on = Boolean(state.walk);
  $("walk-active").hidden = !on;
  $("walk-form").hidden = on;
  $("walk-banner").hidden = !on;
  if (on) {
    $("walk-banner").textContent = t("walkOn", { n: state.walk.name });
    $("walk-active-text").textContent = t("walkActive", { n: state.walk.name });
  }
}

async function renderWalks() {
  let walks = [];
  try {
    walks = await api(withMc("/walks?limit=20"));
  } catch (err) {
    return;
  }
  $("walks").innerHTML = walks.length ? walks.map((w) => `<li><strong>${esc(w.name)}</strong>
    <div class="meta">${esc(w.walk_date)} · ${esc(w.organisations.join(", "))} · ${esc(t("findings", { n: w.findings }))}</div>
    <div class="actions"><a class="secondary" style="display:inline-flex;align-items:center;padding:8px 12px;border-radius:8px;text-decoration:none"
      href="vandring.html#id=${w.id}">${esc(t("summary"))}</a></div></li>`).join("") : `<li>${esc(t("none"))}</li>`;
}

async function startWalk(event) {
  event.preventDefault();
  const organisations = $("walk-orgs").value.split(",").map((s) => s.trim()).filter(Boolean);
  const walk = await api(withMc("/walks"), {
    method: "POST",
    body: { name: $("walk-name").value.trim(), walk_date: $("walk-date").value, organisations },
  });
  localStorage.removeItem(ROUTE_KEY);
  setWalk({ id: walk.id, name: walk.name });
  renderWalks();
}

function addRoutePoint(lon, lat) {
  const route = JSON.parse(localStorage.getItem(ROUTE_KEY) || "[]");
  route.push([+lon.toFixed(6), +lat.toFixed(6)]);
  localStorage.setItem(ROUTE_KEY, JSON.stringify(route));
  $("walk-route").textContent = t("routePoints", { n: route.length });
  const map = state.maps["walk-map"];
  if (map && map.getSource("pick")) {
    map.getSource("pick").setData({ type: "MultiPoint", coordinates: route });
  }
}

function drawRoute() {
  $("walk-map").hidden = false;
  openMap("walk-map", (map, lngLat) => addRoutePoint(lngLat.lng, lngLat.lat)).then((m) => m.resize());
}

function recordRoute(on) {
  if (state.watch !== null) navigator.geolocation.clearWatch(state.watch);
  state.watch = null;
  if (!on || !navigator.geolocation) return;
  state.watch = navigator.geolocation.watchPosition(
    (pos) => addRoutePoint(pos.coords.longitude, pos.coords.latitude),
    () => {},
    { enableHighAccuracy: true },
  );
}

async function endWalk() {
  recordRoute(false);
  $("walk-record").checked = false;
  const route = JSON.parse(localStorage.getItem(ROUTE_KEY) || "[]");
  if (route.length >= 2) {
    await api(withMc(`/walks/${state.walk.id}`), {
      method: "PATCH", body: { route: { type: "LineString", coordinates: route } },
    }).catch(() => {});
  }
  localStorage.removeItem(ROUTE_KEY);
  $("walk-route").textContent = "";
  $("walk-map").hidden = true;
  setWalk(null);
  renderWalks();
}

/* ---------- screens, sign-in, language ---------- */

function show(name) {
  document.querySelectorAll(".screen").forEach((s) => { s.hidden = s.id !== `screen-${name}`; });
  document.querySelectorAll(".tabs button").forEach((b) => {
    if (b.dataset.screen === name) b.setAttribute("aria-current", "page");
    else b.removeAttribute("aria-current");
  });
  document.querySelector(".tabs").hidden = name === "signin";
  if (name === "queue") renderQueue();
  if (name === "mine") renderMine();
  if (name === "walk") renderWalks();
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.querySelectorAll("input[name=lang]").forEach((r) => { r.checked = r.value === state.lang; });
  renderCategories();
  renderWho();
  renderWalkState();
  renderNet();
}

function renderWho() {
  $("who").textContent = state.me
    ? t("who", { o: state.me.organisation, m: `${state.me.municipality_name} (${state.me.municipality_code})` })
    : "";
}

function renderNet() {
  $("net").textContent = navigator.onLine ? "" : t("offline");
}

function signOut(message) {
  const who = owner();
  recordRoute(false);
  state.token = "";
  state.me = null;
  state.walk = null; // kept on the phone for its owner, not shown to the next
  renderWalkState();
  renderQueue();
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(`${TOKEN_KEY}.me`);
  if (window.caches) caches.delete("field-api"); // what the last user's token could read
  renderWho();
  $("signin-error").textContent = message || "";
  show("signin");
  noteWaiting(who);
}

async function noteWaiting(who) {
  const n = (await allReports()).filter((r) => r.status === "waiting" && r.owner === who).length;
  if (n && who) $("signin-waiting").textContent = t("waitingForYou", { n });
}

function showForm() {
  applyLanguage();
  show("report");
  if (!performance.getEntriesByName("form-ready").length) performance.mark("form-ready");
  document.body.dataset.ready = "form";
}

async function loadSession(boot) {
  // a known device shows the form at once from what it stored last time, then refreshes it
  const cached = JSON.parse(localStorage.getItem(`${TOKEN_KEY}.me`) || "null");
  const known = cached && cached.token === state.token;
  if (known) {
    state.me = cached.me;
    state.categories = cached.categories;
    restoreWalk();
    showForm();
  }
  try {
    const [me, categories] = await Promise.all([
      (boot && boot.me) || api("/me"),
      (boot && boot.categories) || api(withMc("/field/categories")),
    ]);
    state.me = me;
    state.categories = categories;
    localStorage.setItem(`${TOKEN_KEY}.me`, JSON.stringify({ token: state.token, me, categories }));
    restoreWalk();
    $("signin-waiting").textContent = "";
    renderQueue();
    flush();
  } catch (err) {
    const status = err instanceof ApiError ? err.status : err;
    if (status === 401 || status === 403 || !known) return signOut(t("badToken"));
    return; // offline start: keep what the app knew last time
  }
  if (known) {
    renderWho();
    if (!document.querySelector("input[name=category]:checked")) renderCategories();
  } else {
    showForm();
  }
}

function signIn(event) {
  event.preventDefault();
  state.token = $("token-input").value.trim();
  localStorage.setItem(TOKEN_KEY, state.token);
  loadSession(null);
}

function bind() {
  $("signin-form").addEventListener("submit", signIn);
  $("report-form").addEventListener("submit", submitReport);
  $("use-gps").addEventListener("click", useGps);
  $("use-map").addEventListener("click", () => {
    $("map").hidden = false;
    openMap("map", pickOnMap).then((m) => m.resize());
  });
  $("place-input").addEventListener("input", onPlaceInput);
  document.querySelectorAll("input[name=when]").forEach((r) => r.addEventListener("change", () => {
    $("when-input").hidden = r.value !== "earlier" || !r.checked;
  }));
  document.querySelectorAll(".tabs button").forEach((b) => b.addEventListener("click", () => show(b.dataset.screen)));
  document.querySelectorAll("input[name=lang]").forEach((r) => r.addEventListener("change", () => {
    state.lang = r.value;
    localStorage.setItem(LANG_KEY, state.lang);
    applyLanguage();
  }));
  $("signout").addEventListener("click", () => signOut(""));
  $("walk-form").addEventListener("submit", startWalk);
  $("walk-end").addEventListener("click", endWalk);
  $("walk-report").addEventListener("click", () => show("report"));
  $("walk-record").addEventListener("change", (e) => recordRoute(e.target.checked));
  $("walk-draw").addEventListener("click", drawRoute);
  $("mine-map-toggle").addEventListener("click", () => {
    $("mine-map").hidden = false;
    openMap("mine-map", null).then((m) => { m.resize(); showMine(m); });
  });
  window.addEventListener("online", () => { renderNet(); flush(); });
  window.addEventListener("offline", renderNet);
  setInterval(flush, RETRY_MS);
}

function start() {
  bind();
  $("walk-date").value = new Date().toISOString().slice(0, 10);
  applyLanguage();
  if (state.token) loadSession(window.fieldBoot);
  else show("signin");
  renderQueue();
  flush();
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", () => navigator.serviceWorker.register("sw.js").catch(() => {}));
  }
}

start();
