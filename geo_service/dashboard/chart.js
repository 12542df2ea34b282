/* geo_service dashboard: the place panel's chart, drawn as inline SVG from
 * GET /api/v1/places/{id}/series (no chart library, nothing fetched from outside). */
(function () {
  "use strict";

  const NS = "http://www.w3.org/2000/svg";
  const W = 360;
  const H = 170;
  const M = { left: 30, right: 8, top: 10, bottom: 34 };

  function el(name, attrs, text) {
    const node = document.createElementNS(NS, name);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, String(v)));
    if (text != null) node.textContent = text;
    return node;
  }

  /** Whole-number ticks from 0 to at least `max`, at most five of them. */
  function ticks(max) {
    const step = Math.max(1, Math.ceil(Math.max(max, 1) / 4));
    const out = [];
    for (let v = 0; v <= Math.max(max, 1) + step - 1; v += step) out.push(v);
    return out;
  }

  /** The period (index) whose days hold `day`, or the last one before it (a meeting is the
   * day after a period ends); -1 before the first. */
  function periodOf(periods, day) {
    let found = -1;
    periods.forEach((p, i) => { if (p.start <= day) found = i; });
    return found;
  }

  /** A shaded band behind the periods a measure ran in (open-ended: to the last period). */
  function measureBands(svg, periods, measures, x, top, height) {
    const last = periods[periods.length - 1].last_day;
    measures.forEach((m) => {
      const end = m.end_date || last;
      if (end < periods[0].start || m.start_date > last) return;
      const i = Math.max(periodOf(periods, m.start_date), 0);
      const j = periodOf(periods, end);
      svg.appendChild(el("rect", { x: x(i), y: top, width: x(j + 1) - x(i), height,
        class: "measure-band" })).appendChild(el("title", {}, `${m.title}: ${m.start_date} – ${end}`));
    });
  }

  /**
   * Bars of the place's counts per period, a line of its usual level, a dashed line at each
   * meeting, a band for each measure. `words`: { title, count, usual, meeting, measure, hidden }.
   */
  function seriesSvg(series, words, measures) {
    const periods = series.periods;
    const known = periods.flatMap((p) => [p.count, p.usual]).filter((v) => v != null);
    const yTicks = ticks(Math.max(0, ...known));
    const top = yTicks[yTicks.length - 1];
    const iw = W - M.left - M.right;
    const ih = H - M.top - M.bottom;
    const bw = iw / periods.length;
    const x = (i) => M.left + i * bw;
    const y = (v) => M.top + ih - (v / top) * ih;
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "series-chart", role: "img",
      "aria-label": words.title });
    svg.appendChild(el("title", {}, words.title));
    measureBands(svg, periods, measures || [], x, M.top, ih);
    yTicks.forEach((v) => {
      svg.appendChild(el("line", { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: "grid" }));
      svg.appendChild(el("text", { x: M.left - 4, y: y(v) + 3, class: "tick y" }, String(v)));
    });
    periods.forEach((p, i) => {
      const tip = `${p.start} – ${p.last_day}: ${p.count == null ? words.hidden : p.count}`
        + (p.usual == null ? "" : ` (${words.usual} ${p.usual})`);
      if (p.count == null) {
        svg.appendChild(el("rect", { x: x(i) + 1, y: M.top, width: Math.max(bw - 2, 1), height: ih,
          class: "bar hidden" })).appendChild(el("title", {}, tip));
      } else {
        svg.appendChild(el("rect", { x: x(i) + 1, y: y(p.count), width: Math.max(bw - 2, 1),
          height: y(0) - y(p.count), class: "bar" })).appendChild(el("title", {}, tip));
      }
    });
    const line = periods.map((p, i) => (p.usual == null ? null : `${x(i) + bw / 2},${y(p.usual)}`))
      .filter(Boolean).join(" ");
    if (line) svg.appendChild(el("polyline", { points: line, class: "usual" }));
    series.meetings.forEach((day) => {
      const i = periodOf(periods, day);
      if (i < 0) return;
      const mx = x(i + 1) - 0.5;
      svg.appendChild(el("line", { x1: mx, x2: mx, y1: M.top, y2: M.top + ih, class: "meeting" }))
        .appendChild(el("title", {}, `${words.meeting} ${day}`));
    });
    svg.appendChild(el("text", { x: M.left, y: H - 20, class: "tick x" }, periods[0].start));
    svg.appendChild(el("text", { x: W - M.right, y: H - 20, class: "tick x end" },
      periods[periods.length - 1].last_day));
    const legend = [["bar", words.count], ["usual", words.usual], ["meeting", words.meeting],
      ["measure", words.measure]];
    legend.forEach(([kind, text], i) => {
      const lx = M.left + i * 82;
      svg.appendChild(el("rect", { x: lx, y: H - 11, width: 12, height: kind === "bar" || kind === "measure" ? 8 : 2,
        class: `key key-${kind}` }));
      svg.appendChild(el("text", { x: lx + 16, y: H - 3, class: "tick" }, text));
    });
    return svg;
  }

  window.geoChart = { seriesSvg };
})();
