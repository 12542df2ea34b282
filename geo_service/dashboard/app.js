/* geo_service dashboard: the EST coordinator's map and ranked places for one meeting.
 * Reads only this service's API (JSON, GeoJSON, TileJSON + MVT); no external URLs. */
(function () {
  "use strict";

  const API = "/api/v1";
  const HOT = ["new_hot", "consecutive_hot", "intensifying_hot", "persistent_hot",
    "diminishing_hot", "oscillating_hot", "sporadic_hot", "historical_hot"];
  const COLD = HOT.map((c) => c.replace("_hot", "_cold"));
  // Colours and labels come from the service's palette (GET /api/v1/palette), the same one the
  // report maps and the QGIS styles are drawn from.
  const COLORS = {};
  const CATEGORY_LABELS = { sv: {}, en: {} };
  const UNCERTAIN_LABELS = { sv: {}, en: {} };
  const EXPLAIN = { sv: {}, en: {} };
  const PALETTE = { opacity: { certain: 0.75, uncertain: 0.35 }, note: {}, clusters: {}, bins: [] };
  const LEVEL_COLORS = { green: "#2e8b3d", yellow: "#e0b000", red: "#c62828" };

  const TEXT = {
    sv: {
      title: "EST-översikt", token: "Token", tokenHint: "gs_1275_… (tomt = öppen vy)",
      municipality: "Kommunkod", meeting: "Mötesdatum", load: "Visa", reports: "Lägesbild",
      reportHtml: "Öppna lägesbild (HTML)", reportPdf: "Ladda ner PDF",
      priorities: "Platser att prioritera", switchLang: "English", switchTitle: "Switch to English",
      legend: "Hotspotmönster (senaste körningen)", boundary: "Kommungräns", places: "Platser",
      loading: "Hämtar …", rank: "Plats", score: "poäng",
      level: { green: "grön", yellow: "gul", red: "röd" },
      run: (r) => `Analyskörning ${r.id}: ${r.n_periods} perioder, ${localDate(r.period_start)}`
        + ` – ${lastDay(r.period_end)} (H3-upplösning ${r.resolution}).`,
      noRun: (mc) => `Kommun ${mc} har ingen färdig analyskörning ännu. Kör: `
        + `geo-service analyze --municipality ${mc}`,
      meetingRun: (p) => `Mötet ${p.meeting_date} använder körning ${p.run_id}`
        + ` (perioden ${localDate(p.period_start)} – ${lastDay(p.period_end)}).`,
      anonymousPlaces: "Platser och prioriteringar kräver en token (öppna vyn visar bara kartan).",
      noPlaces: "Inga platser är inlagda för kommunen.",
      trendUp: "ökande", trendDown: "minskande", trendFlat: "ingen tydlig trend",
      category: "Mönster", zscore: "Gi* z", pvalue: "p", trend: "Trend", events: "Händelser",
      hidden: "dolt (för få händelser att visa)", cold: "Coldspots", hot: "Hotspots",
      uncertain: "Osäker", confirmed: "Bekräftad",
      confirmedWhy: "Ligger i en ovanlig ansamling som skanningen larmar om.",
      cluster: "Ansamling", scanAlarm: "Ovanlig ansamling (larm)",
      scanNoAlarm: "Ansamling utan larm", pointCluster: "Punktkluster (minst 5 händelser inom 150 m)",
      expected: "väntat", chance: "Slumpen",
      snapshot: "Spara mötets ögonblicksbild", pastMeetings: "Tidigare möten",
      pastChoose: "Välj ett sparat möte …", pastNone: "inga sparade möten",
      snapshotSaved: (d) => `Ögonblicksbilden av mötet ${d} är sparad.`,
      snapshotExists: (d) => `Mötet ${d} har redan en sparad ögonblicksbild; den visas nu.`,
      snapshotShown: (s) => `Mötet ${s.meeting_date}: sparad ögonblicksbild (körning ${s.run_id},`
        + ` sparad ${localDate(s.created_at)}).`,
      components: "Poängens delar", component: "Del", value: "Värde", contribution: "Bidrag",
      chartTitle: (n) => `Händelser per period vid ${n} mot den vanliga nivån`,
      chartCount: "händelser", chartUsual: "vanlig nivå", chartMeeting: "möte", chartMeasure: "åtgärd",
      measures: "Åtgärder och uppföljning", noMeasures: "Inga åtgärder är registrerade här.",
      measureStatus: { planned: "planerad", ongoing: "pågår", done: "klar", cancelled: "inställd" },
      close: "Stäng", placeReport: "Lägesbilden för mötet",
      eventCount: (n) => `${fmt(n, 0)} ${n === 1 ? "händelse" : "händelser"}`,
      lastPeriod: "Senaste perioden", usualLevel: "Vanligt", perPeriod: "per period",
      meaning: "Betyder",
      neighbours: "Rutan själv hade inga händelser senaste perioden; mönstret kommer från "
        + "grannrutorna (Gi* räknar rutan tillsammans med sina grannar).",
      periodAll: "Mönster över hela körningen (dra för att se perioderna)",
      periodLabel: (p) => `Period ${p.start} – ${p.last_day}: ${p.hot} hotspots, ${p.cold} coldspots`,
      periodWord: "Period", periodBins: "Hotspots och coldspots i perioden", periodBin: "Gi* i perioden",
      periodEvents: "Händelser i perioden",
      scanAlarmLegend: "Ovanlig ansamling (skanningen larmar)",
      pointClusterLegend: "Punktkluster senaste fyra veckorna",
      mapFailed: "Kartan kunde inte ritas (WebGL saknas i webbläsaren?).",
      reportFailed: "Lägesbilden kunde inte hämtas", tilesFailed: "Hotspotrutorna kunde inte hämtas",
      errorPrefix: "Fel från tjänsten", networkError: "Tjänsten svarar inte. Kontrollera anslutningen.",
      invalidMc: "Kommunkoden ska vara fyra siffror, t.ex. 1275.",
      codes: {
        unauthorized: "Token saknas eller är okänd/återkallad. Kontrollera token.",
        forbidden_tenant: "Token hör till en annan kommun än den du valt.",
        forbidden_role: "Din roll får inte se detta.",
        no_run_for_meeting: "Det finns ingen analyskörning för det mötesdatumet.",
        not_found: "Hittades inte.",
        invalid_request: "Ogiltig fråga.",
        database_unavailable: "Databasen går inte att nå just nu.",
        rate_limited: "För många förfrågningar; vänta en stund.",
        internal_error: "Ett oväntat fel inträffade i tjänsten.",
      },
    },
    en: {
      title: "EST overview", token: "Token", tokenHint: "gs_1275_… (empty = public view)",
      municipality: "Municipality code", meeting: "Meeting date", load: "Show",
      reports: "Situation report", reportHtml: "Open report (HTML)", reportPdf: "Download PDF",
      priorities: "Places to prioritise", switchLang: "Svenska", switchTitle: "Byt till svenska",
      legend: "Hot spot patterns (latest run)", boundary: "Municipality boundary", places: "Places",
      loading: "Loading …", rank: "Rank", score: "points",
      level: { green: "green", yellow: "yellow", red: "red" },
      run: (r) => `Analysis run ${r.id}: ${r.n_periods} periods, ${localDate(r.period_start)}`
        + ` – ${lastDay(r.period_end)} (H3 resolution ${r.resolution}).`,
      noRun: (mc) => `Municipality ${mc} has no completed analysis run yet. Run: `
        + `geo-service analyze --municipality ${mc}`,
      meetingRun: (p) => `The meeting on ${p.meeting_date} uses run ${p.run_id}`
        + ` (period ${localDate(p.period_start)} – ${lastDay(p.period_end)}).`,
      anonymousPlaces: "Places and priorities need a token (the public view shows the map only).",
      noPlaces: "No places are registered for the municipality.",
      trendUp: "rising", trendDown: "falling", trendFlat: "no clear trend",
      category: "Pattern", zscore: "Gi* z", pvalue: "p", trend: "Trend", events: "Events",
      hidden: "hidden (too few events to show)", cold: "Cold spots", hot: "Hot spots",
      uncertain: "Uncertain", confirmed: "Confirmed",
      confirmedWhy: "Lies in an unusual cluster that the scan raises an alarm for.",
      cluster: "Cluster", scanAlarm: "Unusual cluster (alarm)",
      scanNoAlarm: "Cluster without alarm", pointCluster: "Point cluster (5+ events within 150 m)",
      expected: "expected", chance: "Chance",
      snapshot: "Save the meeting's snapshot", pastMeetings: "Past meetings",
      pastChoose: "Choose a saved meeting …", pastNone: "no saved meetings",
      snapshotSaved: (d) => `The snapshot of the meeting on ${d} is saved.`,
      snapshotExists: (d) => `The meeting on ${d} already has a saved snapshot; it is shown now.`,
      snapshotShown: (s) => `Meeting on ${s.meeting_date}: saved snapshot (run ${s.run_id},`
        + ` saved ${localDate(s.created_at)}).`,
      components: "Parts of the score", component: "Part", value: "Value", contribution: "Adds",
      chartTitle: (n) => `Events per period at ${n} against the usual level`,
      chartCount: "events", chartUsual: "usual level", chartMeeting: "meeting", chartMeasure: "measure",
      measures: "Measures and follow-up", noMeasures: "No measures are registered here.",
      measureStatus: { planned: "planned", ongoing: "ongoing", done: "done", cancelled: "cancelled" },
      close: "Close", placeReport: "The meeting's report",
      eventCount: (n) => `${fmt(n, 0)} ${n === 1 ? "event" : "events"}`,
      lastPeriod: "Last period", usualLevel: "Usual", perPeriod: "per period",
      meaning: "Means",
      neighbours: "The cell itself had no events in the last period; the pattern comes from its "
        + "neighbours (Gi* counts the cell together with its neighbours).",
      periodAll: "Patterns over the whole run (drag to see the periods)",
      periodLabel: (p) => `Period ${p.start} – ${p.last_day}: ${p.hot} hot spots, ${p.cold} cold spots`,
      periodWord: "Period", periodBins: "Hot and cold spots in the period", periodBin: "Gi* in the period",
      periodEvents: "Events in the period",
      scanAlarmLegend: "Unusual cluster (the scan raises an alarm)",
      pointClusterLegend: "Point cluster, last four weeks",
      mapFailed: "The map could not be drawn (no WebGL in this browser?).",
      reportFailed: "The report could not be fetched", tilesFailed: "The hot spot tiles could not be fetched",
      errorPrefix: "Error from the service", networkError: "The service does not answer. Check the connection.",
      invalidMc: "The municipality code is four digits, e.g. 1275.",
      codes: {
        unauthorized: "The token is missing, unknown or revoked. Check the token.",
        forbidden_tenant: "The token belongs to another municipality than the one chosen.",
        forbidden_role: "Your role may not see this.",
        no_run_for_meeting: "There is no analysis run for that meeting date.",
        not_found: "Not found.",
        invalid_request: "Invalid request.",
        database_unavailable: "The database cannot be reached right now.",
        rate_limited: "Too many requests; wait a moment.",
        internal_error: "An unexpected error occurred in the service.",
      },
    },
  };
  const $ = (id) => document.getElementById(id);
  const node = (tag, className, text) => {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text != null) el.textContent = text;
    return el;
  };
  const state = {
    lang: localStorage.getItem("geo_service.lang") === "en" ? "en" : "sv",
    token: localStorage.getItem("geo_service.token") || "",
    mc: "1275", run: null, priorities: null, places: new Map(), errors: [], notes: [],
    map: null, markers: [], popup: null, meetingChosen: false,
    meetings: [], snapshot: null, placeId: null, periods: [], periodIndex: null, periodCells: new Map(),
  };
  const t = () => TEXT[state.lang];

  /** The local (Stockholm) calendar date of an API timestamp, as YYYY-MM-DD. */
  const localDate = (iso) => new Date(iso).toLocaleDateString("sv-SE", { timeZone: "Europe/Stockholm" });

  /** The last day covered by a period whose end (an exclusive local midnight) is `iso`: periods
   * are shown with both days inclusive, as in the lägesbild and the command line. */
  const lastDay = (iso) => localDate(new Date(new Date(iso).getTime() - 12 * 3600 * 1000));

  /** The day after a YYYY-MM-DD date. */
  function nextDay(day) {
    const d = new Date(`${day}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }

  /** An API failure with the problem+json fields, shown in words. */
  class ApiError extends Error {
    constructor(status, code, detail) {
      super(detail || code);
      this.status = status;
      this.code = code;
      this.detail = detail;
    }
  }

  const LOCAL = { network: "networkError", invalid_mc: "invalidMc", webgl: "mapFailed",
    maplibre: "mapFailed" };

  function words(err) {
    if (!(err instanceof ApiError)) return t().networkError;
    if (LOCAL[err.code]) return t()[LOCAL[err.code]];
    const known = t().codes[err.code];
    if (!known) return `${t().errorPrefix} (${err.status}): ${err.detail || err.code}`;
    return err.detail ? `${known} (${err.detail})` : known;
  }

  function authHeaders() {
    return state.token ? { Authorization: `Bearer ${state.token}` } : {};
  }

  async function request(path, params, method = "GET") {
    const url = new URL(path, window.location.origin);
    Object.entries(params || {}).forEach(([k, v]) => v != null && url.searchParams.set(k, v));
    let response;
    try {
      response = await fetch(url, { method, headers: authHeaders() });
    } catch (e) {
      throw new ApiError(0, "network", "");
    }
    if (!response.ok) {
      let body = {};
      try { body = await response.json(); } catch (e) { /* not JSON */ }
      throw new ApiError(response.status, body.code || `http_${response.status}`,
        body.detail || response.statusText);
    }
    return response;
  }

  const getJson = async (path, params) => (await request(path, params)).json();

  // ---------- messages ----------
  function renderMessages() {
    const box = $("messages");
    box.replaceChildren();
    state.errors.forEach((e) => {
      const text = e.prefix ? `${t()[e.prefix]}: ${words(e.err)}` : words(e.err);
      box.appendChild(messageEl("error", text));
    });
  }

  function messageEl(kind, text) {
    const p = document.createElement("p");
    p.className = `message ${kind}`;
    p.textContent = text;
    return p;
  }

  function fail(err, prefix) {
    if (state.errors.some((e) => e.prefix === prefix && e.err.code === err.code)) return;
    state.errors.push({ err, prefix });
    renderMessages();
  }

  // ---------- language ----------
  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => {
      const value = t()[el.dataset.i18n];
      if (typeof value === "string") el.textContent = value;
    });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => {
      el.placeholder = t()[el.dataset.i18nPlaceholder];
    });
    const button = $("lang");
    button.textContent = t().switchLang;
    button.title = t().switchTitle;
    button.lang = state.lang === "sv" ? "en" : "sv";
    renderLegend();
    renderRun();
    renderPriorities();
    renderPlace();
    renderMeetings();
    renderPeriodLabel();
    renderMessages();
  }

  // ---------- map ----------
  function createMap() {
    try {
      state.map = new maplibregl.Map({
        container: "map",
        style: {
          version: 8,
          sources: {},
          layers: [{ id: "background", type: "background", paint: { "background-color": "#eef1f4" } }],
        },
        center: [13.39, 56.14],
        zoom: 10,
        attributionControl: { compact: true },
        transformRequest: (url) => (url.startsWith(window.location.origin)
          ? { url, headers: authHeaders() } : { url }),
      });
    } catch (e) {
      fail(new ApiError(0, "webgl", ""), null);
      return;
    }
    state.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    state.map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
    // The legend lives in the map's control layer, so popups can open above it.
    state.map.addControl({ onAdd: () => $("legend"), onRemove: () => {} }, "top-left");
    state.legendHome = $("legend").parentNode;
    window.addEventListener("resize", placeLegend);
    state.map.on("error", (ev) => {
      const status = ev.error && ev.error.status;
      if (status === 401 || status === 403) {
        fail(new ApiError(status, status === 401 ? "unauthorized" : "forbidden_tenant", ""), "tilesFailed");
      }
    });
    state.map.on("click", "hotspots-fill", (ev) => showPopup(ev));
    state.map.on("click", "clusters-scan", (ev) => showClusterPopup(ev));
    state.map.on("click", "clusters-points", (ev) => showClusterPopup(ev));
    state.map.on("mouseenter", "hotspots-fill", () => { state.map.getCanvas().style.cursor = "pointer"; });
    state.map.on("mouseleave", "hotspots-fill", () => { state.map.getCanvas().style.cursor = ""; });
  }

  const mapReady = () => new Promise((resolve) => {
    if (!state.map) return resolve(false);
    if (state.map.isStyleLoaded()) return resolve(true);
    state.map.once("load", () => resolve(true));
  });

  // Drawing order, bottom to top; a layer is inserted below the first later layer present.
  const ORDER = ["boundary-fill", "boundary-line", "hotspots-fill", "hotspots-line",
    "hotspots-uncertain", "clusters-points", "clusters-scan", "places-fill", "places-line"];

  function addLayer(layer) {
    const later = ORDER.slice(ORDER.indexOf(layer.id) + 1).find((id) => state.map.getLayer(id));
    state.map.addLayer(layer, later);
  }

  function removeLayers(ids, source) {
    const map = state.map;
    ids.forEach((id) => map.getLayer(id) && map.removeLayer(id));
    if (map.getSource(source)) map.removeSource(source);
  }

  function setBoundary(feature) {
    const map = state.map;
    removeLayers(["boundary-fill", "boundary-line"], "boundary");
    if (!feature.geometry) return;
    map.addSource("boundary", { type: "geojson", data: feature });
    addLayer({ id: "boundary-fill", type: "fill", source: "boundary",
      paint: { "fill-color": "#ffffff", "fill-opacity": 0.85 } });
    addLayer({ id: "boundary-line", type: "line", source: "boundary",
      paint: { "line-color": "#37474f", "line-width": 2 } });
    if (feature.bbox) {
      map.fitBounds(feature.bbox, { padding: 30, duration: 0 });
      state.fitted = true;
    }
  }

  const SHOWN = ["!=", ["get", "category"], "no_pattern"];
  const UNCERTAIN = ["==", ["get", "uncertain"], true];

  function categoryColour() {
    const color = ["match", ["get", "category"]];
    Object.entries(COLORS).forEach(([k, v]) => color.push(k, v));
    color.push("#000000");
    return color;
  }

  function setHotspots(tilejson) {
    const map = state.map;
    // Without a boundary, the tiles' bounds (the municipality's events) frame the map.
    if (!state.fitted && tilejson.bounds) {
      map.fitBounds(tilejson.bounds, { padding: 30, duration: 0, maxZoom: 14 });
    }
    removeLayers(["hotspots-fill", "hotspots-line", "hotspots-uncertain"], "hotspots");
    map.addSource("hotspots", {
      type: "vector", tiles: tilejson.tiles, minzoom: tilejson.minzoom, maxzoom: tilejson.maxzoom,
      bounds: tilejson.bounds, attribution: tilejson.attribution,
    });
    const color = categoryColour();
    const shown = SHOWN;
    const uncertain = UNCERTAIN;
    addLayer({ id: "hotspots-fill", type: "fill", source: "hotspots", "source-layer": "hotspots",
      filter: shown,
      paint: { "fill-color": color,
        "fill-opacity": ["case", uncertain, PALETTE.opacity.uncertain, PALETTE.opacity.certain] } });
    addLayer({ id: "hotspots-line", type: "line", source: "hotspots", "source-layer": "hotspots",
      filter: ["all", shown, ["!", uncertain]],
      paint: { "line-color": color, "line-width": 1 } });
    // An unconfirmed new or consecutive label: light fill and a dashed outline.
    addLayer({ id: "hotspots-uncertain", type: "line", source: "hotspots",
      "source-layer": "hotspots", filter: ["all", shown, uncertain],
      paint: { "line-color": color, "line-width": 1.5, "line-dasharray": [2, 2] } });
  }

  function setClusters(tilejson, items) {
    const map = state.map;
    state.clusters = new Map(items.map((c) => [c.id, c]));
    removeLayers(["clusters-scan", "clusters-points"], "clusters");
    map.addSource("clusters", {
      type: "vector", tiles: tilejson.tiles, minzoom: tilejson.minzoom, maxzoom: tilejson.maxzoom,
      bounds: tilejson.bounds,
    });
    const c = PALETTE.clusters;
    addLayer({ id: "clusters-scan", type: "line", source: "clusters", "source-layer": "clusters",
      filter: ["==", ["get", "method"], "scan"],
      paint: { "line-color": ["case", ["get", "alarm"], c.scan_alarm, c.scan],
        "line-width": ["case", ["get", "alarm"], 3, 1.5] } });
    addLayer({ id: "clusters-points", type: "line", source: "clusters",
      "source-layer": "clusters", filter: ["!=", ["get", "method"], "scan"],
      paint: { "line-color": c.points, "line-width": 2, "line-dasharray": [1, 1] } });
  }

  function setPlaces(places) {
    const map = state.map;
    removeLayers(["places-fill", "places-line"], "places");
    const features = places.filter((p) => p.geometry).map((p) => ({
      type: "Feature", id: p.id, geometry: p.geometry, properties: { id: p.id, name: p.name },
    }));
    map.addSource("places", { type: "geojson", data: { type: "FeatureCollection", features } });
    addLayer({ id: "places-fill", type: "fill", source: "places",
      paint: { "fill-color": "#1a237e", "fill-opacity": 0.04 } });
    addLayer({ id: "places-line", type: "line", source: "places",
      paint: { "line-color": "#1a237e", "line-width": 1.5, "line-dasharray": [2, 1] } });
  }

  function bboxOf(geometry) {
    const box = [Infinity, Infinity, -Infinity, -Infinity];
    const walk = (c) => {
      if (typeof c[0] === "number") {
        box[0] = Math.min(box[0], c[0]); box[1] = Math.min(box[1], c[1]);
        box[2] = Math.max(box[2], c[0]); box[3] = Math.max(box[3], c[1]);
      } else c.forEach(walk);
    };
    walk(geometry.coordinates);
    return box;
  }

  function renderMarkers() {
    state.markers.forEach((m) => m.remove());
    state.markers = [];
    if (!state.map || !state.priorities) return;
    state.priorities.priorities.forEach((p) => {
      const place = state.places.get(p.place_id);
      if (!place || !place.geometry) return;
      const b = bboxOf(place.geometry);
      const el = document.createElement("div");
      el.className = `rank-marker level-${p.level}`;
      el.textContent = String(p.rank);
      el.title = `${p.rank}. ${p.name}`;
      el.addEventListener("click", () => selectPlace(p.place_id));
      state.markers.push(new maplibregl.Marker({ element: el })
        .setLngLat([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]).addTo(state.map));
    });
  }

  /** Fly to a place with its surroundings in view: the place's box widened to at least
   * about 600 m, padding of a fifth of the map, and never closer than zoom 15. */
  function flyToPlace(placeId) {
    const place = state.places.get(placeId);
    if (!state.map || !place || !place.geometry) return;
    const [w, s, e, n] = bboxOf(place.geometry);
    const lat = (s + n) / 2;
    const half = [Math.max((e - w) / 2, 0.0027 / Math.cos((lat * Math.PI) / 180)),
      Math.max((n - s) / 2, 0.0027)];
    const c = [(w + e) / 2, lat];
    const canvas = state.map.getCanvas();
    const pad = Math.round(Math.min(canvas.clientWidth, canvas.clientHeight) / 5);
    state.map.fitBounds([c[0] - half[0], c[1] - half[1], c[0] + half[0], c[1] + half[1]],
      { padding: pad, maxZoom: 15, duration: 800 });
    document.querySelectorAll("#priority-list li").forEach((li) => {
      li.classList.toggle("selected", Number(li.dataset.placeId) === placeId);
    });
  }

  const fmt = (x, digits) => (x == null ? "–"
    : Number(x).toLocaleString(state.lang === "sv" ? "sv-SE" : "en-GB",
      { maximumFractionDigits: digits, minimumFractionDigits: digits }));

  function trendWords(tau) {
    if (tau == null) return t().trendFlat;
    const word = tau >= 0.1 ? t().trendUp : tau <= -0.1 ? t().trendDown : t().trendFlat;
    return `${word} (τ = ${fmt(tau, 2)})`;
  }

  /** "12 (vanligt 4,5 per period)": a count shown, or "hidden" below k for this token. */
  const countWords = (n) => (n == null ? t().hidden : fmt(n, 0));

  function showPopup(ev) {
    const f = ev.features && ev.features[0];
    if (!f) return;
    const p = f.properties;
    const period = state.periodIndex != null ? state.periods[state.periodIndex] : null;
    const cell = period && state.periodCells.get(f.id);
    if (period) {
      const bin = PALETTE.bins.find((b) => cell && b.bin === cell.bin);
      showRows([
        [t().periodWord, `${period.start} – ${period.last_day}`],
        [t().periodBin, bin ? `${bin.label[state.lang]} (z ${fmt(cell.z, 2)})` : t().trendFlat],
        [t().periodEvents, cell ? countWords(cell.count) : "–"],
      ], ev.lngLat);
      return;
    }
    const labels = p.uncertain ? UNCERTAIN_LABELS : CATEGORY_LABELS;
    const rows = [
      [t().category, labels[state.lang][p.category] || p.category],
      [t().meaning, EXPLAIN[state.lang][p.category] || ""],
      [t().lastPeriod, p.last == null ? t().hidden : t().eventCount(p.last)],
      [t().usualLevel, p.usual == null ? t().hidden : `${fmt(p.usual, 1)} ${t().perPeriod}`],
      [t().zscore, fmt(p.z, 2)],
      [t().pvalue, p.p == null ? "–" : p.p < 0.001 ? `< ${fmt(0.001, 3)}` : fmt(p.p, 3)],
      [t().trend, trendWords(p.trend_tau)],
    ];
    if (p.last === 0 && p.category.endsWith("_hot")) rows.push(["", t().neighbours]);
    if (p.uncertain) rows.push([t().uncertain, PALETTE.note[state.lang] || ""]);
    if (p.confirmed) rows.push([t().confirmed, t().confirmedWhy]);
    showRows(rows, ev.lngLat);
  }

  function showClusterPopup(ev) {
    const f = ev.features && ev.features[0];
    const c = f && state.clusters && state.clusters.get(f.id);
    if (!c) return;
    const rows = c.method === "scan"
      ? [[t().cluster, c.alarm ? t().scanAlarm : t().scanNoAlarm],
        [t().events, c.size == null ? t().hidden : `${fmt(c.size, 0)} (${t().expected} ${fmt(c.expected, 1)})`],
        [t().chance, state.lang === "sv" ? c.recurrence_sv : c.recurrence_en]]
      : [[t().cluster, t().pointCluster],
        [t().events, c.size == null ? t().hidden : fmt(c.size, 0)]];
    showRows(rows, ev.lngLat);
  }

  function showRows(rows, lngLat) {
    const dl = document.createElement("dl");
    dl.className = "popup";
    rows.forEach(([k, v]) => {
      const dt = document.createElement("dt"); dt.textContent = k;
      const dd = document.createElement("dd"); dd.textContent = v;
      dl.append(dt, dd);
    });
    if (state.popup) state.popup.remove();
    state.popup = new maplibregl.Popup({ maxWidth: "280px" }).setLngLat(lngLat)
      .setDOMContent(dl).addTo(state.map);
  }

  /** On a phone the legend sits below the map, so it never covers a place; otherwise it is a
   * map control (top left), where popups can open above it. */
  function placeLegend() {
    const legend = $("legend");
    const phone = window.innerWidth < 600;
    const home = phone ? $("legend-dock") : state.legendHome;
    if (home && legend.parentNode !== home) home.appendChild(legend);
  }

  function legendRow(swatch, text, explanation) {
    const row = node("div", "legend-row");
    const label = node("span", "legend-label", text);
    if (explanation) label.append(node("small", "explain", explanation));
    row.append(swatch, label);
    return row;
  }

  function swatchEl(className, style) {
    const sw = node("span", `swatch ${className}`.trim());
    Object.assign(sw.style, style || {});
    return sw;
  }

  function renderLegend() {
    const legend = $("legend");
    legend.replaceChildren();
    placeLegend();
    // The heading is a button that folds the legend; on a phone it starts folded.
    if (state.legendFolded === undefined) state.legendFolded = window.innerWidth < 600;
    legend.classList.toggle("folded", state.legendFolded);
    const h = node("button", "legend-toggle", `${state.legendFolded ? "▸" : "▾"} ${t().legend}`);
    h.type = "button";
    h.setAttribute("aria-expanded", String(!state.legendFolded));
    h.addEventListener("click", () => { state.legendFolded = !state.legendFolded; renderLegend(); });
    legend.appendChild(h);
    if (state.periodIndex != null) {
      const group = node("div", "legend-group");
      group.append(node("h4", null, t().periodBins));
      PALETTE.bins.forEach((b) => group.append(
        legendRow(swatchEl("", { background: b.colour }), b.label[state.lang])));
      legend.appendChild(group);
      return;
    }
    const counts = state.run && state.run.categories;
    const present = (c) => !counts || counts[c] > 0;
    [[t().hot, HOT.filter(present)], [t().cold, COLD.filter(present)]].forEach(([title, cats]) => {
      if (!cats.length) return;
      const group = node("div", "legend-group");
      group.append(node("h4", null, title));
      cats.forEach((c) => group.append(legendRow(swatchEl("", { background: COLORS[c] }),
        CATEGORY_LABELS[state.lang][c] + (counts ? ` (${counts[c]})` : ""), EXPLAIN[state.lang][c])));
      legend.appendChild(group);
    });
    legend.append(legendRow(swatchEl("uncertain"), PALETTE.note[state.lang] || ""),
      legendRow(swatchEl("cluster", { borderColor: PALETTE.clusters.scan_alarm }), t().scanAlarmLegend),
      legendRow(swatchEl("cluster dotted", { borderColor: PALETTE.clusters.points }),
        t().pointClusterLegend),
      legendRow(swatchEl("place"), t().places));
  }

  // ---------- panel ----------
  function renderRun() {
    const box = $("run-info");
    box.replaceChildren();
    if (state.run) box.appendChild(messageEl("info", t().run(state.run)));
    else if (state.noRun) box.appendChild(messageEl("warning", t().noRun(state.mc)));
    state.notes.forEach((n) => {
      const el = messageEl("warning", n[state.lang] || n.sv);
      el.classList.add("run-warning");
      box.appendChild(el);
    });
    if (state.snapshot) box.appendChild(messageEl("info", t().snapshotShown(state.snapshot)));
    else if (state.priorities) box.appendChild(messageEl("info", t().meetingRun(state.priorities)));
  }

  function renderPriorities() {
    const list = $("priority-list");
    list.replaceChildren();
    $("priorities-note").textContent = state.prioritiesNote ? t()[state.prioritiesNote] : "";
    if (!state.priorities) return;
    state.priorities.priorities.forEach((p) => {
      const li = document.createElement("li");
      li.dataset.placeId = String(p.place_id);
      li.dataset.level = p.level;
      li.tabIndex = 0;
      const head = document.createElement("div");
      head.className = "priority-head";
      const rank = document.createElement("span"); rank.className = "rank"; rank.textContent = p.rank;
      const dot = document.createElement("span");
      dot.className = "level"; dot.style.background = LEVEL_COLORS[p.level];
      dot.title = t().level[p.level];
      const name = document.createElement("span"); name.className = "name"; name.textContent = p.name;
      const score = document.createElement("span"); score.className = "score";
      score.textContent = `${fmt(p.score, 1)} ${t().score} · ${t().level[p.level]}`;
      head.append(rank, dot, name, score);
      const reason = document.createElement("p");
      reason.className = "reason";
      reason.textContent = state.lang === "en" ? p.reason_en : p.reason_sv;
      li.append(head, reason);
      li.addEventListener("click", () => selectPlace(p.place_id));
      li.addEventListener("keydown", (e) => { if (e.key === "Enter") selectPlace(p.place_id); });
      list.appendChild(li);
    });
    renderMarkers();
  }

  // ---------- the place panel ----------
  function selectPlace(placeId) {
    flyToPlace(placeId);
    state.placeId = placeId;
    renderPlace();
    if (!$("place").hidden) $("place").scrollIntoView({ block: "start" });
  }

  /** The panel of the chosen place: score parts, chart, measures, report links. */
  function renderPlace() {
    const box = $("place");
    const item = state.priorities && state.priorities.priorities.find((p) => p.place_id === state.placeId);
    box.hidden = !item;
    box.replaceChildren();
    if (!item) return;
    const head = node("div", "place-head");
    head.append(node("h2", null, `${item.rank}. ${item.name}`));
    const close = node("button", "close", "×");
    close.type = "button"; close.title = t().close; close.setAttribute("aria-label", t().close);
    close.addEventListener("click", () => { state.placeId = null; renderPlace(); });
    head.append(close);
    const level = node("p", `level-line level-${item.level}`,
      `${fmt(item.score, 1)} ${t().score} · ${t().level[item.level]}`);
    box.append(head, level, node("p", "reason", state.lang === "en" ? item.reason_en : item.reason_sv));
    box.append(node("h3", null, t().components), componentsTable(item));
    const chart = node("div", "chart"); chart.id = "place-chart";
    chart.textContent = t().loading;
    const measures = node("div", "measures"); measures.id = "place-measures";
    box.append(chart, node("h3", null, t().measures), measures);
    const links = node("div", "links");
    [["html", t().reportHtml], ["pdf", t().reportPdf]].forEach(([format, label]) => {
      const b = node("button", "report-link", label);
      b.type = "button"; b.dataset.format = format;
      b.addEventListener("click", () => openReport(format));
      links.append(b);
    });
    box.append(node("h3", null, t().placeReport), links);
    loadPlaceDetails(item);
  }

  function componentsTable(item) {
    const table = node("table", "components");
    const top = Math.max(...item.components.map((c) => Math.abs(c.contribution)), 1e-9);
    const hr = node("tr");
    [t().component, t().value, t().contribution].forEach((h) => hr.append(node("th", null, h)));
    table.append(hr);
    item.components.forEach((c) => {
      const tr = node("tr");
      tr.dataset.key = c.key;
      const bar = node("span", "contribution-bar");
      bar.style.width = `${Math.round((Math.abs(c.contribution) / top) * 60)}px`;
      const cell = node("td", "contribution");
      cell.append(bar, node("span", null, fmt(c.contribution, 2)));
      tr.append(node("td", null, state.lang === "en" ? c.label_en : c.label_sv),
        node("td", "num", `${fmt(c.value, 2)} × ${fmt(c.weight, 2)}`), cell);
      table.append(tr);
    });
    return table;
  }

  async function loadPlaceDetails(item) {
    const meeting = state.priorities.meeting_date;
    const placeId = item.place_id;
    const [series, measures] = await Promise.all([
      getJson(`${API}/places/${placeId}/series`, { municipality: state.mc, meeting })
        .catch((err) => err),
      getJson(`${API}/measures`, { municipality: state.mc, place_id: placeId }).catch((err) => err),
    ]);
    if (state.placeId !== placeId) return;
    const chart = $("place-chart");
    if (series instanceof Error) chart.textContent = words(series);
    else {
      const marks = measures instanceof Error ? [] : measures.filter((m) => m.status !== "cancelled");
      chart.replaceChildren(window.geoChart.seriesSvg(series, { title: t().chartTitle(item.name),
        count: t().chartCount, usual: t().chartUsual, meeting: t().chartMeeting,
        measure: t().chartMeasure, hidden: t().hidden }, marks));
    }
    const box = $("place-measures");
    if (measures instanceof Error) { box.textContent = words(measures); return; }
    box.replaceChildren(measures.length ? node("ul", "measure-list") : node("p", "note", t().noMeasures));
    const followups = await Promise.all(measures.map((m) => getJson(`${API}/measures/${m.id}/followup`,
      { municipality: state.mc }).catch((err) => err)));
    if (state.placeId !== placeId) return;
    measures.forEach((m, i) => {
      const li = node("li", "measure");
      const dates = `${m.start_date} – ${m.end_date || "…"}`;
      li.append(node("strong", null, m.title),
        node("span", "measure-meta", ` ${dates} · ${t().measureStatus[m.status] || m.status}`));
      const f = followups[i];
      li.append(node("p", "followup", f instanceof Error ? (f.detail || words(f))
        : (state.lang === "en" ? f.summary_en : f.summary_sv)));
      box.firstChild.append(li);
    });
  }

  async function openReport(format) {
    const date = $("meeting").value;
    if (!date) return;
    try {
      const response = await request(`${API}/meetings/${date}/lagesbild.${format}`,
        { municipality: state.mc, lang: state.lang });
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      if (format === "pdf") a.download = `lagesbild-${state.mc}-${date}.pdf`;
      else a.target = "_blank";
      a.rel = "noopener";
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (err) {
      fail(err, "reportFailed");
    }
  }

  // ---------- meetings: save the snapshot, open a past one ----------
  async function loadMeetings() {
    state.meetings = [];
    if (state.token) {
      try {
        state.meetings = await getJson(`${API}/meetings`, { municipality: state.mc, lang: state.lang });
      } catch (err) { /* a role without places sees no meetings */ }
    }
    renderMeetings();
  }

  function renderMeetings() {
    const select = $("past-meetings");
    select.replaceChildren(node("option", null, state.meetings.length ? t().pastChoose : t().pastNone));
    select.firstChild.value = "";
    state.meetings.forEach((m) => {
      const option = node("option", null, m.meeting_date);
      option.value = m.meeting_date;
      select.append(option);
    });
    select.value = state.snapshot ? state.snapshot.meeting_date : "";
  }

  async function saveSnapshot() {
    const day = $("meeting").value;
    if (!day) return;
    const status = $("snapshot-status");
    try {
      await request(`${API}/meetings/${day}/snapshot`, { municipality: state.mc }, "POST");
      status.textContent = t().snapshotSaved(day);
    } catch (err) {
      status.textContent = err.code === "snapshot_exists" ? t().snapshotExists(day) : words(err);
      if (err.code !== "snapshot_exists") return;
    }
    await loadMeetings();
    openMeeting(day);
  }

  function openMeeting(day) {
    if (!day) return;
    $("meeting").value = day;
    state.meetingChosen = true;
    state.openSnapshot = day;
    load();
  }

  async function loadPriorities(meeting) {
    if (state.openSnapshot === meeting) {
      const snap = await getJson(`${API}/meetings/${meeting}/snapshot`,
        { municipality: state.mc, lang: state.lang });
      state.snapshot = snap;
      state.priorities = { meeting_date: snap.meeting_date, run_id: snap.run_id,
        priorities: snap.priorities };
      return;
    }
    state.snapshot = null;
    state.priorities = await getJson(`${API}/priorities`,
      { municipality: state.mc, meeting, lang: state.lang });
  }

  // ---------- the period slider ----------
  async function loadPeriods() {
    const bar = $("period-bar");
    state.periods = []; state.periodIndex = null; state.periodCells = new Map();
    state.periodCache = new Map();
    bar.hidden = true;
    if (!state.run || !state.map) return;
    const body = await getJson(`${API}/hotspots/periods`, { municipality: state.mc, run: state.run.id });
    state.periods = body.periods;
    const slider = $("period-slider");
    slider.max = String(state.periods.length);
    slider.value = String(state.periods.length);
    bar.hidden = !state.periods.length;
    renderPeriodLabel();
  }

  function renderPeriodLabel() {
    const p = state.periodIndex != null ? state.periods[state.periodIndex] : null;
    $("period-label").textContent = p ? t().periodLabel(p) : t().periodAll;
  }

  async function showPeriod(index) {
    const map = state.map;
    if (!map || !map.getLayer("hotspots-fill")) return;
    const target = { source: "hotspots", sourceLayer: "hotspots" };
    const period = index < state.periods.length ? state.periods[index] : null;
    let cells = [];
    if (period) {
      if (!state.periodCache.has(period.start)) {
        const body = await getJson(`${API}/hotspots/periods/${period.start}`,
          { municipality: state.mc, run: state.run.id });
        state.periodCache.set(period.start, body.cells);
      }
      cells = state.periodCache.get(period.start);
      if (Number($("period-slider").value) !== index) return;  // moved on meanwhile
    }
    map.removeFeatureState(target);
    state.periodCells = new Map(cells.map((c) => [c.id, c]));
    cells.forEach((c) => map.setFeatureState({ ...target, id: c.id }, { bin: c.bin }));
    state.periodIndex = period ? index : null;
    paintHotspots();
    renderPeriodLabel();
    renderLegend();
  }

  /** Categories of the whole run, or one period's Gi* bins (from feature state). */
  function paintHotspots() {
    const map = state.map;
    const byPeriod = state.periodIndex != null;
    if (byPeriod) {
      const bin = ["coalesce", ["feature-state", "bin"], 0];
      const colour = ["match", bin];
      PALETTE.bins.forEach((b) => colour.push(b.bin, b.colour));
      colour.push("rgba(0,0,0,0)");
      map.setFilter("hotspots-fill", null);
      map.setPaintProperty("hotspots-fill", "fill-color", colour);
      map.setPaintProperty("hotspots-fill", "fill-opacity", ["case", ["==", bin, 0], 0, 0.8]);
    } else {
      map.setFilter("hotspots-fill", SHOWN);
      map.setPaintProperty("hotspots-fill", "fill-color", categoryColour());
      map.setPaintProperty("hotspots-fill", "fill-opacity",
        ["case", UNCERTAIN, PALETTE.opacity.uncertain, PALETTE.opacity.certain]);
    }
    ["hotspots-line", "hotspots-uncertain"].forEach((id) => map.getLayer(id)
      && map.setLayoutProperty(id, "visibility", byPeriod ? "none" : "visible"));
  }

  // ---------- loading ----------
  async function loadPalette() {
    const palette = await getJson(`${API}/palette`, {});
    palette.categories.forEach((c) => {
      COLORS[c.category] = c.colour;
      ["sv", "en"].forEach((lang) => {
        CATEGORY_LABELS[lang][c.category] = c.label[lang];
        UNCERTAIN_LABELS[lang][c.category] = c.uncertain_label[lang];
        EXPLAIN[lang][c.category] = c.explanation[lang];
      });
    });
    PALETTE.opacity = palette.opacity;
    PALETTE.note = palette.uncertain_note;
    PALETTE.clusters = palette.clusters;
    PALETTE.bins = palette.period_bins;
  }

  async function loadRun(id) {
    state.run = await getJson(`${API}/runs/${id}`, { municipality: state.mc });
    state.notes = (state.run.warnings || []).map((w) => ({ sv: w.message_sv, en: w.message_en }));
  }

  /** The latest completed run (it sets the default meeting), or false after an error. */
  async function loadLatestRun() {
    try {
      if (!Object.keys(COLORS).length) await loadPalette();
      const runs = await getJson(`${API}/runs`, { municipality: state.mc, status: "completed", limit: 1 });
      if (runs.items.length) await loadRun(runs.items[0].id);
      else state.noRun = true;
      return true;
    } catch (err) {
      fail(err, null);
      document.body.dataset.state = "error";
      renderRun();
      return false;
    }
  }

  /** The meeting's priorities (or its saved snapshot); the map then shows the run they read. */
  async function loadMeeting() {
    const meeting = $("meeting").value;
    if (!meeting) return;
    try {
      await loadPriorities(meeting);
      if (state.run && state.priorities.run_id !== state.run.id) await loadRun(state.priorities.run_id);
    } catch (err) {
      if (state.token || err.status !== 401) fail(err, null);
    }
  }

  function mapJobs() {
    const run = { municipality: state.mc, run: state.run.id };
    return [
      getJson("/tiles/hotspots.json", run).then(setHotspots).catch((err) => fail(err, "tilesFailed")),
      Promise.all([getJson("/tiles/clusters.json", run), getJson(`${API}/clusters`, run)])
        .then(([tj, list]) => setClusters(tj, list.items)).catch((err) => fail(err, "tilesFailed")),
      loadPeriods().catch((err) => fail(err, null)),
    ];
  }

  async function load() {
    document.body.dataset.state = "loading";
    state.errors = []; state.notes = []; state.run = null; state.noRun = false;
    state.priorities = null; state.prioritiesNote = null; state.places = new Map();
    state.fitted = false;
    state.token = $("token").value.trim();
    localStorage.setItem("geo_service.token", state.token);
    state.mc = $("municipality").value.trim();
    renderMessages(); renderRun(); renderPriorities();
    if (!/^[0-9]{4}$/.test(state.mc)) {
      fail(new ApiError(0, "invalid_mc", ""), null);
      document.body.dataset.state = "error";
      return;
    }
    const haveMap = await mapReady();
    if (!(await loadLatestRun())) return;
    if (!state.meetingChosen && state.run) {
      // The meeting after the run's data end reviews it (docs/priorities.md).
      $("meeting").value = nextDay(localDate(state.run.period_end));
    }
    if ($("meeting").value !== state.openSnapshot) state.openSnapshot = null;
    await Promise.all([loadMeetings(), loadMeeting()]);
    renderRun();
    renderLegend();
    renderMessages();
    const jobs = [];
    if (haveMap) {
      await getJson(`${API}/boundary`, { municipality: state.mc })
        .then(setBoundary).catch((err) => fail(err, null));
      if (state.run) jobs.push(...mapJobs());
    }
    jobs.push(getJson(`${API}/places`, { municipality: state.mc })
      .then((places) => {
        places.forEach((p) => state.places.set(p.id, p));
        if (!places.length) state.prioritiesNote = "noPlaces";
        if (haveMap) setPlaces(places);
      })
      .catch((err) => {
        if (!state.token && err.status === 401) state.prioritiesNote = "anonymousPlaces";
        else fail(err, null);
      }));
    await Promise.all(jobs);
    renderRun();
    renderPriorities();
    renderPlace();
    renderMessages();
    document.body.dataset.state = state.errors.length ? "error" : "ready";
  }

  function init() {
    $("token").value = state.token;
    $("controls").addEventListener("submit", (e) => { e.preventDefault(); load(); });
    $("meeting").addEventListener("change", () => { state.meetingChosen = Boolean($("meeting").value); });
    $("lang").addEventListener("click", () => {
      state.lang = state.lang === "sv" ? "en" : "sv";
      localStorage.setItem("geo_service.lang", state.lang);
      applyLanguage();
    });
    $("report-html").addEventListener("click", () => openReport("html"));
    $("report-pdf").addEventListener("click", () => openReport("pdf"));
    $("snapshot").addEventListener("click", saveSnapshot);
    $("past-meetings").addEventListener("change", (e) => openMeeting(e.target.value));
    let timer = null;
    $("period-slider").addEventListener("input", (e) => {
      clearTimeout(timer);
      const index = Number(e.target.value);
      timer = setTimeout(() => showPeriod(index).catch((err) => fail(err, null)), 120);
    });
    const params = new URLSearchParams(window.location.search);
    if (/^[0-9]{4}$/.test(params.get("municipality") || "")) $("municipality").value = params.get("municipality");
    if (/^\d{4}-\d{2}-\d{2}$/.test(params.get("meeting") || "")) {
      $("meeting").value = params.get("meeting");
      state.meetingChosen = true;
    }
    if (typeof maplibregl !== "undefined") createMap();
    else state.errors.push({ err: new ApiError(0, "maplibre", ""), prefix: null });
    applyLanguage();
    load();
  }

  /** For tests and the curious: the map and how many hot spot cells are drawn. */
  window.geoDashboard = {
    state,
    categoryLabels: CATEGORY_LABELS,
    get map() { return state.map; },
    periodShown: () => (state.periodIndex == null ? null : state.periods[state.periodIndex].start),
    renderedHotspots: () => (state.map && state.map.getLayer("hotspots-fill")
      ? state.map.queryRenderedFeatures({ layers: ["hotspots-fill"] }).length : 0),
    reload: load,
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
