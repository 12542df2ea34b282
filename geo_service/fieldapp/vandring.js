/* The printable summary of a safety walk: its findings grouped by the place they lie in. */
"use strict";

(async function summary() {
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const token = localStorage.getItem("geo_service.field.token") || "";
  const mc = (/^gs_(\d{4})_/.exec(token) || [])[1];
  const id = (/(?:^#|&)id=(\d+)/.exec(location.hash) || [])[1];
  $("print").addEventListener("click", () => window.print());
  const response = await fetch(`/api/v1/walks/${id}?municipality=${mc}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const body = await response.json();
  if (!response.ok) {
    $("error").textContent = body.detail || `HTTP ${response.status}`;
    return;
  }
  const { walk, items } = body;
  const time = (s) => new Date(s).toLocaleString("sv-SE", { dateStyle: "short", timeStyle: "short" });
  document.title = `${walk.name} – sammanfattning`;
  $("walk-title").textContent = walk.name;
  $("walk-meta").textContent = `${walk.walk_date} · ${walk.organisations.join(", ")} · ${items.length} fynd`
    + (walk.route ? ` · rutt med ${walk.route.coordinates.length} punkter` : "");
  const anchor = (f) => (f.place_id ? `plats-${f.place_id}` : "plats-utan");
  const groups = new Map();
  for (const f of items) {
    const key = anchor(f);
    if (!groups.has(key)) groups.set(key, { name: f.place_name || "Utanför kommunens platser", items: [] });
    groups.get(key).items.push(f);
  }
  $("places").innerHTML = [...groups].map(([key, g]) => `<section class="place" id="${key}">
    <h3>${esc(g.name)} (${g.items.length})</h3><ul>${g.items.map((f) => `<li>${esc(f.label_sv || f.category)},
    allvar ${f.severity ?? "–"}${f.description ? `: ${esc(f.description)}` : ""}</li>`).join("")}</ul></section>`).join("");
  $("findings").innerHTML = items.map((f) => `<tr><td>${esc(time(f.occurred_at))}</td>
    <td>${esc(f.label_sv || f.category)}</td><td>${f.severity ?? "–"}</td>
    <td><a href="#${anchor(f)}">${esc(f.place_name || "–")}</a></td><td>${esc(f.description)}</td></tr>`).join("");
  document.body.dataset.ready = "summary";
})();
