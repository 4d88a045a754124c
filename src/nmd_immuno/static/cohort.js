/* The course's cohort simulator in the static book: looks up runs precomputed at build time and draws them.
 *
 * Why it computes nothing: the simulator is Python (nmd_immuno.simulate). When the page is built,
 * nmd_immuno.widgets.static_cohort runs every strategy of the chapter's disorder for a few cohort sizes,
 * seeds and follow-ups and stores, per run, the monthly curves (mean score, interquartile band, responders),
 * the summary table's column as Python formats it, and the caveats of each pair of strategies. This file
 * picks the runs the reader asked for, cuts the curves at the chosen month and draws them as SVG; every
 * number and sentence shown comes from the payload.
 *
 * Exports (node: module.exports; browser: window.NMDCohort): view(payload, state) -> what to show (a pure
 * function, tested under node), and init(root) for the page.
 */
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.NMDCohort = api;
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";

  function pyRepr(text) {
    return "'" + String(text).replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "'";
  }

  /** What the page shows for a state {a, b, size, seed, months}: strategies, curves, table, caveats. */
  function view(payload, state) {
    var ids = state.a === state.b ? [state.a] : [state.a, state.b];
    var index = {};
    payload.strategies.forEach(function (s, i) { index[s.id] = i; });
    var sizeAt = payload.sizes.indexOf(state.size);
    var seedAt = payload.seeds.indexOf(state.seed);
    var key = String(state.months);
    if (sizeAt < 0 || seedAt < 0 || !(key in payload.measures) || ids.some(function (id) { return !(id in index); })) {
      throw new Error("no precomputed run for " + JSON.stringify(state));
    }
    var strategies = ids.map(function (id) {
      var run = payload.runs[sizeAt][seedAt][index[id]];
      var cut = function (values) { return values.slice(0, state.months + 1); };
      var info = payload.strategies[index[id]];
      return {
        id: id,
        label: info.label,
        colour: info.colour,
        description: info.description,
        curve: {
          mean: cut(run.curve.mean),
          q25: cut(run.curve.q25),
          q75: cut(run.curve.q75),
          responders: cut(run.curve.responders)
        },
        summary: run.summary[key]
      };
    });
    var caveats = payload.caveats.pairs[state.a + "|" + state.b].map(function (i) { return payload.caveats.texts[i]; });
    var call = "compare_strategies(" + pyRepr(payload.disorder) + ", [" + ids.map(pyRepr).join(", ") +
      "], n_patients=" + state.size + ", months=" + state.months + ", seed=" + state.seed + ")";
    return {
      ids: ids,
      strategies: strategies,
      measures: payload.measures[key],
      headline: payload.headline[key],
      caveats: caveats,
      call: call
    };
  }

  // ------------------------------------------------------------------------------------------ drawing

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function html(name, attrs, text) {
    var node = document.createElement(name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function ticks(low, high, count) {
    var span = high - low;
    var raw = span / count;
    var step = Math.pow(10, Math.floor(Math.log10(raw)));
    [1, 2, 2.5, 5, 10].some(function (m) {
      if (raw <= m * step) { step = m * step; return true; }
      return false;
    });
    var out = [];
    for (var v = Math.ceil(low / step) * step; v <= high + 1e-9; v += step) { out.push(Math.round(v * 1000) / 1000); }
    return out;
  }

  var W = 460, H = 300, M = { l: 56, r: 14, t: 30, b: 44 };

  /** One panel: lines (and optional bands) over months, with axes, ticks, labels and a text description. */
  function panel(opts) {
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "class": "nmdc-svg", "aria-labelledby": opts.id + "-t " + opts.id + "-d" });
    svg.appendChild(el("title", { id: opts.id + "-t" }, opts.title));
    svg.appendChild(el("desc", { id: opts.id + "-d" }, opts.description));
    var x0 = M.l, x1 = W - M.r, y0 = H - M.b, y1 = M.t;
    var sx = function (m) { return x0 + (x1 - x0) * (opts.months ? m / opts.months : 0); };
    var sy = function (v) { return y0 - (y0 - y1) * (v - opts.low) / (opts.high - opts.low); };
    svg.appendChild(el("text", { x: (x0 + x1) / 2, y: 18, "text-anchor": "middle", "class": "nmdc-ptitle" }, opts.title));
    var grid = el("g", { "class": "nmdc-grid" });
    ticks(opts.low, opts.high, 5).forEach(function (v) {
      grid.appendChild(el("line", { x1: x0, x2: x1, y1: sy(v), y2: sy(v) }));
      svg.appendChild(el("text", { x: x0 - 6, y: sy(v) + 4, "text-anchor": "end", "class": "nmdc-tick" }, String(v)));
    });
    ticks(0, opts.months, Math.min(6, Math.max(1, opts.months))).forEach(function (m) {
      if (m !== Math.round(m)) { return; }
      grid.appendChild(el("line", { x1: sx(m), x2: sx(m), y1: y0, y2: y1 }));
      svg.appendChild(el("text", { x: sx(m), y: y0 + 16, "text-anchor": "middle", "class": "nmdc-tick" }, String(m)));
    });
    svg.appendChild(grid);
    svg.appendChild(el("rect", { x: x0, y: y1, width: x1 - x0, height: y0 - y1, "class": "nmdc-frame" }));
    svg.appendChild(el("text", { x: (x0 + x1) / 2, y: H - 8, "text-anchor": "middle", "class": "nmdc-axis" }, opts.xLabel));
    svg.appendChild(el("text", { x: 14, y: (y0 + y1) / 2, "text-anchor": "middle", "class": "nmdc-axis", transform: "rotate(-90 14 " + (y0 + y1) / 2 + ")" }, opts.yLabel));
    opts.series.forEach(function (s) {
      var g = el("g", { "data-strategy": s.id });
      if (s.low) {
        var top = s.high.map(function (v, m) { return sx(m).toFixed(1) + "," + sy(v).toFixed(1); });
        var bottom = s.low.map(function (v, m) { return sx(m).toFixed(1) + "," + sy(v).toFixed(1); }).reverse();
        g.appendChild(el("polygon", { points: top.concat(bottom).join(" "), fill: s.colour, "fill-opacity": "0.18", "class": "nmdc-band" }));
      }
      var points = s.values.map(function (v, m) { return sx(m).toFixed(1) + "," + sy(v).toFixed(1); }).join(" ");
      g.appendChild(el("polyline", { points: points, fill: "none", stroke: s.colour, "stroke-width": "2.5", "class": "nmdc-line", "data-values": s.values.join(" ") }));
      svg.appendChild(g);
    });
    return svg;
  }

  function fmt(v) { return String(Math.round(v * 10) / 10); }

  function render(root, payload, state) {
    var shown = view(payload, state);
    var texts = payload.texts;
    var score = payload.score;
    var top = score.minimum;
    shown.strategies.forEach(function (s) { s.curve.q75.concat(s.curve.mean).forEach(function (v) { top = Math.max(top, v); }); });
    var high = Math.min(score.maximum, Math.ceil(top) + 1);
    var describe = function (pick, scale, unit) {
      return shown.strategies.map(function (s) {
        var values = pick(s);
        return s.label + ": " + fmt(scale * values[0]) + unit + " at month 0, " + fmt(scale * values[values.length - 1]) + unit + " at month " + state.months;
      }).join("; ") + ".";
    };
    var plots = root.querySelector(".nmdc-plots");
    plots.replaceChildren(
      panel({
        id: root.id + "-mean", title: texts.mean_title, xLabel: texts.month_axis, yLabel: texts.mean_axis,
        months: state.months, low: score.minimum, high: high,
        description: describe(function (s) { return s.curve.mean; }, 1, ""),
        series: shown.strategies.map(function (s) {
          return { id: s.id, colour: s.colour, values: s.curve.mean, low: s.curve.q25, high: s.curve.q75 };
        })
      }),
      panel({
        id: root.id + "-resp", title: texts.responder_title, xLabel: texts.month_axis, yLabel: texts.responder_axis,
        months: state.months, low: 0, high: 100,
        description: describe(function (s) { return s.curve.responders; }, 100, "%"),
        series: shown.strategies.map(function (s) {
          return { id: s.id, colour: s.colour, values: s.curve.responders.map(function (v) { return Math.round(v * 1e6) / 1e4; }) };
        })
      })
    );
    var legend = html("ul", { "class": "nmdc-legend-list" });
    shown.strategies.forEach(function (s) {
      var item = html("li", { "data-strategy": s.id });
      var swatch = html("span", { "class": "nmdc-swatch", "aria-hidden": "true" });
      swatch.style.background = s.colour;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(s.label));
      legend.appendChild(item);
    });
    root.querySelector(".nmdc-legend").replaceChildren(legend);

    var table = html("table", { "class": "nmd-cohort-summary nmdc-summary" });
    var caption = html("caption", {}, state.size + " virtual patients per strategy, seed " + state.seed + ", " + state.months + " months");
    table.appendChild(caption);
    var head = html("tr");
    head.appendChild(html("th", { scope: "col" }, "Measure"));
    shown.strategies.forEach(function (s) { head.appendChild(html("th", { scope: "col", "data-strategy": s.id }, s.label)); });
    var thead = html("thead");
    thead.appendChild(head);
    var tbody = html("tbody");
    shown.measures.forEach(function (measure, i) {
      var row = html("tr");
      row.appendChild(html("th", { scope: "row" }, measure));
      shown.strategies.forEach(function (s) { row.appendChild(html("td", {}, s.summary[i])); });
      tbody.appendChild(row);
    });
    table.appendChild(thead);
    table.appendChild(tbody);
    root.querySelector(".nmdc-table").replaceChildren(table);

    var list = root.querySelector(".nmdc-descriptions");
    list.replaceChildren.apply(list, shown.strategies.map(function (s) { return html("li", {}, s.description); }));
    var caveats = root.querySelector(".nmdc-caveats");
    if (shown.caveats.length) {
      var ul = html("ul");
      shown.caveats.forEach(function (text) { ul.appendChild(html("li", {}, text)); });
      caveats.replaceChildren(html("strong", {}, "Read with care:"), ul);
      caveats.hidden = false;
    } else {
      caveats.replaceChildren();
      caveats.hidden = true;
    }
    root.querySelector(".nmdc-call code").textContent = shown.call;
    var name = shown.measures[shown.headline];
    var headline = name.charAt(0).toUpperCase() + name.slice(1) + ": " + shown.strategies.map(function (s) {
      return s.label + " " + s.summary[shown.headline];
    }).join("; ");
    root.querySelector(".nmdc-status").textContent = "Showing " + state.size + " virtual patients per strategy, seed " +
      state.seed + ", " + state.months + " months. " + headline + ".";
    root.setAttribute("data-state", JSON.stringify(state));
    return shown;
  }

  function select(id, labelText, options, value) {
    var wrap = html("div", { "class": "nmdc-field" });
    var label = html("label", { "for": id }, labelText);
    var box = html("select", { id: id });
    options.forEach(function (o) {
      var option = html("option", { value: String(o[1]) }, o[0]);
      if (String(o[1]) === String(value)) { option.selected = true; }
      box.appendChild(option);
    });
    wrap.appendChild(label);
    wrap.appendChild(box);
    return { wrap: wrap, box: box };
  }

  function init(root) {
    if (root.getAttribute("data-started")) { return; }
    root.setAttribute("data-started", "1");
    var payload = JSON.parse(root.querySelector(".nmdc-data").textContent);
    var d = payload.defaults;
    var strategies = payload.strategies.map(function (s) { return [s.label, s.id]; });
    var id = root.id;
    var controls = {
      a: select(id + "-a", "Strategy A", strategies, d.a),
      b: select(id + "-b", "Strategy B", strategies, d.b),
      size: select(id + "-size", "Patients per strategy", payload.sizes.map(function (n) { return [String(n), n]; }), d.size),
      seed: select(id + "-seed", "Seed (which virtual patients)", payload.seeds.map(function (n) { return [String(n), n]; }), d.seed),
      months: select(id + "-months", "Follow-up (months)", payload.months.map(function (n) { return [String(n), n]; }), d.months)
    };
    var form = root.querySelector(".nmdc-form");
    var pair = html("div", { "class": "nmdc-row" });
    pair.appendChild(controls.a.wrap);
    pair.appendChild(controls.b.wrap);
    var rest = html("div", { "class": "nmdc-row" });
    rest.appendChild(controls.size.wrap);
    rest.appendChild(controls.seed.wrap);
    rest.appendChild(controls.months.wrap);
    form.replaceChildren(pair, rest);
    form.hidden = false;
    var state = function () {
      return {
        a: controls.a.box.value,
        b: controls.b.box.value,
        size: Number(controls.size.box.value),
        seed: Number(controls.seed.box.value),
        months: Number(controls.months.box.value)
      };
    };
    var update = function () { render(root, payload, state()); };
    Object.keys(controls).forEach(function (k) {
      controls[k].box.addEventListener("change", update);
      controls[k].box.addEventListener("input", update);
    });
    update();
  }

  return { view: view, init: init };
});
