/* nmd_immuno in-browser algorithm explorer: the pathway walker of nmd_immuno.engine, in JavaScript.
 *
 * Why: in the published book no Python runs, so the ipywidgets explorer is frozen. The pathways are data
 * (data/algorithms/<disorder>.yaml) whose conditions are standard JsonLogic, so the browser can walk them with
 * json-logic-js. The payload (the validated pathway, field specs, labels, formatted references, the engine's
 * fixed texts) is built by nmd_immuno.widgets.static_explorer; nothing clinical is written here.
 *
 * Two parts:
 * - the walker (validate, buildContext, walk, recommend): pure functions of (payload, patient, jsonLogic),
 *   exported to node for the conformance test (tests/test_static_explorer.py compares them with recommend()
 *   on every preset and hundreds of random patients). Keep them in step with src/nmd_immuno/engine/:
 *   patient.py (validation and messages), logic.py (context), walker.py (walk and generic rules);
 * - the page component (init): the patient form, presets, reset, history, and the result, re-walked on every
 *   change. Inlined into every render, so it is defined once on window.NMDExplorer and is safe to run twice.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module && module.exports) {
    module.exports = api;
  } else if (!root.NMDExplorer || root.NMDExplorer.version !== api.version) {
    root.NMDExplorer = api;
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";
  var VERSION = "1";

  // ----------------------------------------------------------------------------------------- small helpers
  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function isMapping(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function patientError(message) {
    var error = new Error(message);
    error.name = "PatientError";
    return error;
  }

  // Python's repr(), for the values a patient can hold (the engine's messages quote values with !r).
  function pyString(text) {
    var quote = text.indexOf("'") !== -1 && text.indexOf('"') === -1 ? '"' : "'";
    var out = quote;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      var code = text.charCodeAt(i);
      if (ch === "\\" || ch === quote) {
        out += "\\" + ch;
      } else if (ch === "\n") {
        out += "\\n";
      } else if (ch === "\r") {
        out += "\\r";
      } else if (ch === "\t") {
        out += "\\t";
      } else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) {
        out += "\\x" + (code < 16 ? "0" : "") + code.toString(16);
      } else {
        out += ch;
      }
    }
    return out + quote;
  }

  function pyNumber(value) {
    if (isNaN(value)) {
      return "nan";
    }
    if (!isFinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    if (Number.isInteger(value) && Math.abs(value) < 1e16) {
      return String(value); // the engine keeps whole numbers as int
    }
    var parts = value.toExponential().split("e");
    var exponent = Number(parts[1]);
    if (exponent >= -4 && exponent < 16) {
      return String(value);
    }
    var digits = String(Math.abs(exponent));
    return parts[0] + "e" + (exponent < 0 ? "-" : "+") + (digits.length < 2 ? "0" : "") + digits;
  }

  function pyRepr(value) {
    if (value === null || value === undefined) {
      return "None";
    }
    if (typeof value === "boolean") {
      return value ? "True" : "False";
    }
    if (typeof value === "number") {
      return pyNumber(value);
    }
    if (typeof value === "string") {
      return pyString(value);
    }
    if (Array.isArray(value)) {
      return "[" + value.map(pyRepr).join(", ") + "]";
    }
    return "{" + Object.keys(value).map(function (key) {
      return pyRepr(key) + ": " + pyRepr(value[key]);
    }).join(", ") + "}";
  }

  function pyTypeName(value) {
    if (value === null || value === undefined) {
      return "NoneType";
    }
    if (Array.isArray(value)) {
      return "list";
    }
    if (typeof value === "number") {
      return Number.isInteger(value) ? "int" : "float";
    }
    return { "boolean": "bool", "string": "str" }[typeof value] || typeof value;
  }

  // difflib.get_close_matches(word, possibilities, n=1, cutoff=0.6): the engine's "did you mean" hint.
  function matchingCharacters(a, b) {
    var b2j = {};
    for (var j = 0; j < b.length; j++) {
      (b2j[b.charAt(j)] = b2j[b.charAt(j)] || []).push(j);
    }
    function longest(alo, ahi, blo, bhi) {
      var besti = alo, bestj = blo, bestsize = 0, j2len = {};
      for (var i = alo; i < ahi; i++) {
        var next = {}, js = b2j[a.charAt(i)] || [];
        for (var k = 0; k < js.length; k++) {
          var jj = js[k];
          if (jj < blo) {
            continue;
          }
          if (jj >= bhi) {
            break;
          }
          var size = next[jj] = (j2len[jj - 1] || 0) + 1;
          if (size > bestsize) {
            besti = i - size + 1;
            bestj = jj - size + 1;
            bestsize = size;
          }
        }
        j2len = next;
      }
      while (besti > alo && bestj > blo && a.charAt(besti - 1) === b.charAt(bestj - 1)) {
        besti--;
        bestj--;
        bestsize++;
      }
      while (besti + bestsize < ahi && bestj + bestsize < bhi &&
             a.charAt(besti + bestsize) === b.charAt(bestj + bestsize)) {
        bestsize++;
      }
      return [besti, bestj, bestsize];
    }
    var total = 0, queue = [[0, a.length, 0, b.length]];
    while (queue.length) {
      var q = queue.pop();
      var m = longest(q[0], q[1], q[2], q[3]);
      if (m[2]) {
        total += m[2];
        if (q[0] < m[0] && q[2] < m[1]) {
          queue.push([q[0], m[0], q[2], m[1]]);
        }
        if (m[0] + m[2] < q[1] && m[1] + m[2] < q[3]) {
          queue.push([m[0] + m[2], q[1], m[1] + m[2], q[3]]);
        }
      }
    }
    return total;
  }

  function closeMatch(word, possibilities) {
    var best = null, bestScore = -1;
    possibilities.forEach(function (candidate) {
      var length = candidate.length + word.length;
      var score = length ? 2.0 * matchingCharacters(candidate, word) / length : 1.0;
      if (score >= 0.6 && (score > bestScore || (score === bestScore && candidate > best))) {
        best = candidate;
        bestScore = score;
      }
    });
    return best;
  }

  function didYouMean(word, possibilities) {
    var close = closeMatch(String(word), possibilities);
    return close === null ? "" : " (did you mean " + pyRepr(close) + "?)";
  }

  // ------------------------------------------------------------------ the engine (keep in step with Python)
  function holds(jsonLogic, expr, context) {
    if (expr === null || expr === undefined) {
      return true;
    }
    return jsonLogic.truthy(jsonLogic.apply(expr, context));
  }

  /** engine/logic.py build_context: patient fields plus the derived history variables, no facts. */
  function buildContext(payload, patient) {
    var history = patient.history || {};
    var count = {};
    payload.classes.forEach(function (cls) {
      count[cls] = { any: 0 };
      payload.outcome_ids.forEach(function (outcome) { count[cls][outcome] = 0; });
    });
    var tried = Object.keys(history);
    tried.forEach(function (therapy) {
      var cls = payload.class_of[therapy];
      count[cls][history[therapy]] += 1;
      count[cls].any += 1;
    });
    var outcomes = {};
    payload.outcome_ids.forEach(function (outcome) {
      outcomes[outcome] = tried.filter(function (t) { return history[t] === outcome; });
    });
    var context = {};
    Object.keys(patient).forEach(function (key) { context[key] = patient[key]; });
    context.history = Object.assign({}, history);
    context.tried = tried;
    context.outcomes = outcomes;
    context.count = count;
    context.facts = {};
    return context;
  }

  function historyValue(payload, name, value) {
    if (!isMapping(value)) {
      throw patientError(name + ": " + pyRepr(value) + " is not allowed; allowed: a mapping {therapy id: " +
        "outcome}, e.g. {'pyridostigmine': 'partial'}");
    }
    var history = {};
    Object.keys(value).forEach(function (therapy) {
      var outcome = value[therapy];
      if (payload.therapy_ids.indexOf(therapy) === -1) {
        throw patientError(name + ": unknown therapy id " + pyRepr(therapy) +
          didYouMean(therapy, payload.therapy_ids) + "; allowed: " + payload.therapy_ids.join(", "));
      }
      if (payload.outcome_ids.indexOf(outcome) === -1) {
        throw patientError(name + "." + therapy + ": outcome " + pyRepr(outcome) + " is not allowed; allowed: " +
          payload.outcome_ids.join(", "));
      }
      history[therapy] = outcome;
    });
    return history;
  }

  function fieldValue(payload, name, spec, value) {
    if (value === undefined || value === null) {
      if (spec.required) {
        throw patientError(name + ": missing required field; allowed: " + spec.allowed);
      }
      return isMapping(spec.default) ? Object.assign({}, spec.default) : spec.default;
    }
    if (spec.type === "choice") {
      if (typeof value !== "string" || spec.values.indexOf(value) === -1) {
        throw patientError(name + ": " + pyRepr(value) + " is not allowed; allowed: " + spec.allowed);
      }
      return value;
    }
    if (spec.type === "bool") {
      if (typeof value !== "boolean") {
        throw patientError(name + ": " + pyRepr(value) + " is not allowed; allowed: " + spec.allowed);
      }
      return value;
    }
    if (spec.type === "number") {
      if (typeof value !== "number" || !isFinite(value)) {
        throw patientError(name + ": " + pyRepr(value) + " is not a number; allowed: " + spec.allowed);
      }
      if (!(spec.min <= value && value <= spec.max)) {
        throw patientError(name + ": " + pyRepr(value) + " is out of range; allowed: " + spec.allowed);
      }
      return value;
    }
    return historyValue(payload, name, value);
  }

  /** engine/patient.py validate_patient: every field present (defaults filled in), or a PatientError. */
  function validate(payload, patient, jsonLogic) {
    if (!isMapping(patient)) {
      throw patientError("patient: expected a mapping of field names to values, got " + pyTypeName(patient));
    }
    var names = Object.keys(payload.fields);
    Object.keys(patient).forEach(function (name) {
      if (!has(payload.fields, name)) {
        throw patientError(name + ": unknown field for " + payload.disorder + didYouMean(name, names) +
          "; allowed fields: " + names.join(", "));
      }
    });
    var normalized = {};
    names.forEach(function (name) {
      var value = has(patient, name) ? patient[name] : undefined;
      normalized[name] = fieldValue(payload, name, payload.fields[name], value);
    });
    var context = buildContext(payload, normalized);
    payload.constraints.forEach(function (constraint) {
      if (holds(jsonLogic, constraint.invalid_when, context)) {
        var given = constraint.fields.map(function (f) {
          return f + "=" + pyRepr(has(normalized, f) ? normalized[f] : null);
        }).join(", ");
        throw patientError(constraint.fields.join("/") + ": invalid combination (" + given + "): " +
          constraint.message);
      }
    });
    return normalized;
  }

  /** Ordered, de-duplicated collections (Python dicts keep insertion order; so does Map). */
  function Collector(payload, context, jsonLogic) {
    this.jsonLogic = jsonLogic;
    this.context = context;
    this.offers = new Map();
    this.avoid = new Map();
    this.warnings = new Map();
    this.references = new Map();
    this.cite(payload.pathway.references);
  }

  Collector.prototype.cite = function (keys) {
    var self = this;
    (keys || []).forEach(function (key) { self.references.set(key, null); });
  };

  Collector.prototype.therapies = function (items) {
    var chosen = [], self = this;
    (items || []).forEach(function (item) {
      if (typeof item === "string") {
        chosen.push(item);
      } else if (holds(self.jsonLogic, item.when, self.context)) {
        chosen.push.apply(chosen, item.therapies);
      }
    });
    return chosen;
  };

  Collector.prototype.addOffers = function (items) {
    var self = this;
    this.therapies(items).forEach(function (t) { self.offers.set(t, null); });
  };

  Collector.prototype.addAvoid = function (items, reason) {
    var self = this;
    this.therapies(items).forEach(function (t) {
      if (!self.avoid.has(t)) {
        self.avoid.set(t, reason);
      }
    });
  };

  Collector.prototype.addWarnings = function (items) {
    var self = this;
    (items || []).forEach(function (item) {
      if (typeof item === "string") {
        self.warnings.set(item, null);
      } else if (holds(self.jsonLogic, item.when, self.context)) {
        self.warnings.set(item.text, null);
        self.cite(item.references);
      }
    });
  };

  function step(item, kind, choice) {
    return {
      id: item.id, title: item.title, rationale: item.rationale,
      references: (item.references || []).slice(), kind: kind, choice: choice,
    };
  }

  /** engine/walker.py _walk + _finish, for a patient that validate() returned. */
  function walk(payload, patient, jsonLogic) {
    var pathway = payload.pathway, rules = payload.rules_text;
    var context = buildContext(payload, patient);
    Object.keys(pathway.facts).forEach(function (name) {
      context.facts[name] = jsonLogic.apply(pathway.facts[name], context);
    });
    var history = patient.history || {};
    var nodes = {};
    pathway.nodes.forEach(function (node) { nodes[node.id] = node; });
    var got = new Collector(payload, context, jsonLogic);
    var path = [];
    var current = pathway.start;
    while (current !== null && current !== undefined) {
      if (path.length > pathway.nodes.length) {
        throw new Error(payload.file + ": nodes[" + current + "]: the walk revisits a node: the pathway loops");
      }
      var node = nodes[current];
      got.addOffers(node.offer);
      var cont = node.continue_from_history;
      if (cont) {
        Object.keys(history).forEach(function (therapy) {
          if (cont.outcomes.indexOf(history[therapy]) !== -1 &&
              (cont.therapies.indexOf(therapy) !== -1 || cont.classes.indexOf(payload.class_of[therapy]) !== -1)) {
            got.offers.set(therapy, null);
          }
        });
      }
      got.addAvoid(node.avoid, rules.step_reason_prefix + node.title);
      got.addWarnings(node.warnings);
      got.cite(node.references);
      var choice = null, following = node.next;
      if (node.branches && node.branches.length) {
        choice = node.otherwise_label;
        following = node.otherwise;
        for (var i = 0; i < node.branches.length; i++) {
          if (holds(jsonLogic, node.branches[i].when, context)) {
            choice = node.branches[i].label;
            following = node.branches[i].goto;
            break;
          }
        }
      }
      path.push(step(node, node.kind, choice));
      current = following;
    }
    pathway.rules.forEach(function (rule) {
      if (holds(jsonLogic, rule.when, context)) {
        path.push(step(rule, "rule", null));
        got.addAvoid(rule.avoid, rule.title);
        got.addWarnings(rule.warnings);
        got.cite(rule.references);
      }
    });
    // _finish: the generic rules of every pathway.
    Object.keys(history).forEach(function (therapy) {
      if (has(rules.never_offer, history[therapy]) && !got.avoid.has(therapy)) {
        got.avoid.set(therapy, rules.never_offer[history[therapy]]);
      }
    });
    var notOffered = {}, therapies = [];
    got.offers.forEach(function (_, therapy) {
      if (got.avoid.has(therapy)) {
        notOffered[therapy] = got.avoid.get(therapy);
      } else if (has(history, therapy) && has(rules.not_again, history[therapy])) {
        notOffered[therapy] = rules.not_again[history[therapy]];
      } else {
        therapies.push(therapy);
      }
    });
    got.avoid.forEach(function (reason, therapy) {
      if (!has(notOffered, therapy)) {
        notOffered[therapy] = reason;
      }
    });
    pathway.therapy_notes.forEach(function (note) {
      var offered = note.therapies.some(function (t) { return therapies.indexOf(t) !== -1; });
      if (offered && holds(jsonLogic, note.when, context)) {
        got.warnings.set(note.text, null);
        got.cite(note.references);
      }
    });
    if (!therapies.length) {
      got.warnings.set(rules.nothing_left, null);
    }
    return {
      therapies: therapies,
      avoid: Array.from(got.avoid.keys()),
      warnings: Array.from(got.warnings.keys()),
      path: path,
      references: Array.from(got.references.keys()),
      not_offered: notOffered,
    };
  }

  /** nmd_immuno.recommend for one payload: validate, then walk (throws PatientError for bad input). */
  function recommend(payload, patient, jsonLogic) {
    return walk(payload, validate(payload, patient, jsonLogic), jsonLogic);
  }

  // ---------------------------------------------------------------------------------- the page component
  var NOT_TRIED = "not tried";
  var NOT_RECORDED = "not recorded";
  var NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  var loading = {};

  function element(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) {
      node.className = cls;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function option(value, label) {
    var node = element("option", null, label);
    node.value = value;
    return node;
  }

  /** Where the book publishes json-logic-js: Sphinx marks every page with its path to the site root. */
  function libraryUrl(payload, given) {
    if (given) {
      return given;
    }
    var base = document.documentElement.getAttribute("data-content_root");
    if (base === null && window.DOCUMENTATION_OPTIONS && window.DOCUMENTATION_OPTIONS.URL_ROOT) {
      base = window.DOCUMENTATION_OPTIONS.URL_ROOT;
    }
    return base === null ? null : base + payload.library_path;
  }

  /** json-logic-js is a UMD file: on pages with require.js (the widget pages) it must go through require(),
   * since a plain script element would register an anonymous module and make require.js report a mismatch. */
  function loadJsonLogic(url, done, fail) {
    if (window.jsonLogic && typeof window.jsonLogic.apply === "function") {
      done(window.jsonLogic);
      return;
    }
    if (!url) {
      fail(null);
      return;
    }
    if (typeof window.define === "function" && window.define.amd && typeof window.require === "function") {
      window.require([url], done, function () { fail(url); });
      return;
    }
    var entry = loading[url];
    if (!entry) {
      entry = loading[url] = { waiting: [], state: "loading" };
      var script = document.createElement("script");
      script.src = url;
      script.onload = function () {
        entry.state = window.jsonLogic ? "loaded" : "failed";
        entry.waiting.forEach(function (w) { return entry.state === "loaded" ? w[0](window.jsonLogic) : w[1](url); });
      };
      script.onerror = function () {
        entry.state = "failed";
        entry.waiting.forEach(function (w) { w[1](url); });
      };
      document.head.appendChild(script);
    }
    if (entry.state === "loaded") {
      done(window.jsonLogic);
    } else if (entry.state === "failed") {
      fail(url);
    } else {
      entry.waiting.push([done, fail]);
    }
  }

  function Explorer(root, payload, jsonLogic) {
    this.root = root;
    this.payload = payload;
    this.jsonLogic = jsonLogic;
    this.prefix = root.id || "nmdx";
    this.controls = {};
    this.history = {};
    this.holding = false;
    this.build();
    this.apply(payload.start);
  }

  Explorer.prototype.fieldControl = function (name, spec) {
    var id = this.prefix + "-f-" + name;
    var box = element("div", "nmdx-field nmdx-field-" + spec.type);
    box.setAttribute("data-field", name);
    var label = element("label", null, spec.label + (spec.unit && spec.type !== "bool" ? " (" + spec.unit + ")" : ""));
    label.htmlFor = id;
    var control;
    if (spec.type === "choice") {
      control = element("select");
      if (!spec.required) {
        control.appendChild(option("", NOT_RECORDED));
      }
      spec.values.forEach(function (value) {
        control.appendChild(option(value, (spec.value_labels && spec.value_labels[value]) || value));
      });
    } else if (spec.type === "bool") {
      control = element("input");
      control.type = "checkbox";
    } else {
      control = element("input");
      control.type = "text";
      control.setAttribute("inputmode", "decimal");
      control.setAttribute("autocomplete", "off");
      control.size = 8;
      if (!spec.required) {
        control.placeholder = "optional";
      }
    }
    control.id = id;
    control.name = name;
    if (spec.type === "bool") {
      box.appendChild(control);
      box.appendChild(label);
    } else {
      box.appendChild(label);
      box.appendChild(control);
    }
    this.controls[name] = control;
    return box;
  };

  Explorer.prototype.build = function () {
    var self = this, payload = this.payload;
    var form = this.root.querySelector(".nmdx-form");
    form.textContent = "";
    var top = element("div", "nmdx-top");
    var presetId = this.prefix + "-preset";
    var presetLabel = element("label", null, "Preset patient");
    presetLabel.htmlFor = presetId;
    this.preset = element("select", "nmdx-preset");
    this.preset.id = presetId;
    this.preset.appendChild(option("", "Choose a preset patient ..."));
    payload.presets.forEach(function (p) { self.preset.appendChild(option(p.id, p.label)); });
    this.reset = element("button", "nmdx-btn nmdx-reset", "Reset");
    this.reset.type = "button";
    this.reset.title = "Back to the starting patient";
    top.appendChild(presetLabel);
    top.appendChild(this.preset);
    top.appendChild(this.reset);
    this.description = element("p", "nmdx-preset-description");
    this.description.hidden = true;
    var fields = element("div", "nmdx-fields");
    Object.keys(payload.fields).forEach(function (name) {
      if (payload.fields[name].type !== "history") {
        fields.appendChild(self.fieldControl(name, payload.fields[name]));
      }
    });
    var history = element("fieldset", "nmdx-history");
    history.appendChild(element("legend", null, "Treatment history: what was tried and how it went"));
    var grid = element("div", "nmdx-history-grid");
    payload.history_therapies.forEach(function (therapy) {
      var id = self.prefix + "-h-" + therapy;
      var row = element("div", "nmdx-field");
      row.setAttribute("data-therapy", therapy);
      var label = element("label", null, payload.therapy_labels[therapy]);
      label.htmlFor = id;
      var select = element("select");
      select.id = id;
      select.appendChild(option("", NOT_TRIED));
      payload.outcome_ids.forEach(function (outcome) {
        select.appendChild(option(outcome, payload.outcome_labels[outcome]));
      });
      row.appendChild(label);
      row.appendChild(select);
      grid.appendChild(row);
      self.history[therapy] = select;
    });
    history.appendChild(grid);
    form.appendChild(top);
    form.appendChild(this.description);
    form.appendChild(fields);
    form.appendChild(history);
    form.hidden = false;
    var changed = function () {
      if (!self.holding) {
        self.update();
      }
    };
    form.addEventListener("change", function (event) {
      if (event.target !== self.preset) {
        changed();
      }
    });
    form.addEventListener("input", function (event) {
      if (event.target.type === "text") {
        changed();
      }
    });
    this.preset.addEventListener("change", function () {
      var chosen = payload.presets.filter(function (p) { return p.id === self.preset.value; })[0];
      if (chosen) {
        self.description.textContent = chosen.description;
        self.description.hidden = !chosen.description;
        self.apply(chosen.patient);
      }
    });
    this.reset.addEventListener("click", function () {
      self.preset.value = "";
      self.description.hidden = true;
      self.apply(payload.start);
    });
  };

  /** Show a patient in the controls (left-out fields take their defaults) and recompute once. */
  Explorer.prototype.apply = function (patient) {
    var payload = this.payload;
    this.holding = true;
    try {
      for (var name in this.controls) {
        var spec = payload.fields[name], control = this.controls[name];
        var value = has(patient, name) ? patient[name] : spec.default;
        if (spec.type === "bool") {
          control.checked = Boolean(value);
        } else {
          control.value = value === null || value === undefined ? "" : String(value);
        }
      }
      var history = patient.history || {};
      for (var therapy in this.history) {
        this.history[therapy].value = has(history, therapy) ? history[therapy] : "";
      }
    } finally {
      this.holding = false;
    }
    this.update();
  };

  /** The profile the controls describe, as the engine receives it from the live widget. */
  Explorer.prototype.patient = function () {
    var patient = {}, payload = this.payload;
    for (var name in this.controls) {
      var spec = payload.fields[name], control = this.controls[name];
      if (spec.type === "bool") {
        patient[name] = control.checked;
      } else if (spec.type === "number") {
        var text = control.value.trim();
        if (text) {
          patient[name] = NUMBER.test(text) ? Number(text) : text; // the engine names what is allowed
        }
      } else if (control.value !== "") {
        patient[name] = control.value;
      }
    }
    patient.history = {};
    for (var therapy in this.history) {
      if (this.history[therapy].value) {
        patient.history[therapy] = this.history[therapy].value;
      }
    }
    return patient;
  };

  Explorer.prototype.update = function () {
    var result;
    try {
      result = recommend(this.payload, this.patient(), this.jsonLogic);
    } catch (error) {
      var text = error.name === "PatientError" ? error.message : "unexpected problem (" + error.name + "): " +
        error.message;
      this.show(null, text);
      return;
    }
    this.show(result, null);
  };

  Explorer.prototype.show = function (result, message) {
    var box = this.root.querySelector(".nmdx-message");
    box.textContent = message || "";
    box.hidden = !message;
    var holder = this.root.querySelector(".nmdx-result");
    var old = holder.querySelector(".nmd-rec");
    if (old) {
      holder.removeChild(old);
    }
    if (result) {
      holder.appendChild(this.render(result));
    }
    this.root.setAttribute("data-state", result ? "ok" : "error");
  };

  /** The same markup as nmd_immuno.engine.recommendation.recommendation_html (same classes, same styles). */
  Explorer.prototype.render = function (result) {
    var payload = this.payload, prefix = this.prefix;
    var numbers = {};
    result.references.forEach(function (key, index) { numbers[key] = index + 1; });
    var rec = element("div", "nmd-rec");
    rec.setAttribute("data-disorder", payload.disorder);
    rec.appendChild(element("p", "nmd-disclaimer", payload.disclaimer));
    function heading(text) {
      // Same markup as recommendation_html's heading_html: a div announced as a heading, not an <h4>.
      var title = element("div", "nmd-heading", text);
      title.setAttribute("role", "heading");
      title.setAttribute("aria-level", "4");
      rec.appendChild(title);
    }
    function therapyList(ids, cls, reasons) {
      if (!ids.length) {
        var empty = element("p", cls + " nmd-empty");
        empty.appendChild(element("em", null, "none"));
        rec.appendChild(empty);
        return;
      }
      var list = element("ul", cls);
      ids.forEach(function (therapy) {
        var item = element("li", null, payload.therapy_labels[therapy] || therapy);
        item.setAttribute("data-therapy", therapy);
        if (reasons) {
          item.appendChild(document.createTextNode(" "));
          item.appendChild(element("span", "nmd-reason", "(" + reasons[therapy] + ")"));
        }
        list.appendChild(item);
      });
      rec.appendChild(list);
    }
    function cites(keys, parent) {
      if (!keys.length) {
        return;
      }
      var span = element("span", "nmd-cites", "[");
      keys.forEach(function (key, index) {
        var link = element("a", null, String(numbers[key]));
        link.href = "#" + prefix + "-ref-" + key;
        link.title = key;
        if (index) {
          span.appendChild(document.createTextNode(", "));
        }
        span.appendChild(link);
      });
      span.appendChild(document.createTextNode("]"));
      parent.appendChild(document.createTextNode(" "));
      parent.appendChild(span);
    }
    heading("Offered now");
    therapyList(result.therapies, "nmd-therapies");
    heading("Avoid");
    therapyList(result.avoid, "nmd-avoid");
    if (result.warnings.length) {
      heading("Warnings");
      var warnings = element("ul", "nmd-warnings");
      result.warnings.forEach(function (text) { warnings.appendChild(element("li", null, text)); });
      rec.appendChild(warnings);
    }
    var held = Object.keys(result.not_offered).filter(function (t) { return result.avoid.indexOf(t) === -1; });
    if (held.length) {
      heading("Not offered again");
      therapyList(held, "nmd-not-offered", result.not_offered);
    }
    heading("Path through the pathway");
    var path = element("ol", "nmd-path");
    result.path.forEach(function (s) {
      var item = element("li");
      item.setAttribute("data-step", s.id);
      item.appendChild(element("span", "nmd-kind", s.kind));
      item.appendChild(element("strong", null, s.title));
      if (s.choice) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(element("span", "nmd-choice", "\u2192 " + s.choice));
      }
      item.appendChild(element("br"));
      item.appendChild(document.createTextNode(s.rationale));
      cites(s.references, item);
      path.appendChild(item);
    });
    rec.appendChild(path);
    heading("References");
    var refs = element("ol", "nmd-references");
    result.references.forEach(function (key) {
      var item = element("li", null, payload.references[key] || key);
      item.id = prefix + "-ref-" + key;
      item.setAttribute("data-key", key);
      refs.appendChild(item);
    });
    rec.appendChild(refs);
    return rec;
  };

  /** Start the explorer in ``root`` (the fragment rendered by nmd_immuno.widgets.static_explorer). */
  function init(root, options) {
    if (!root || root.getAttribute("data-ready")) {
      return;
    }
    root.setAttribute("data-ready", "loading");
    var payload = JSON.parse(root.querySelector("script.nmdx-data").textContent);
    var status = root.querySelector(".nmdx-status");
    loadJsonLogic(libraryUrl(payload, options && options.library), function (jsonLogic) {
      status.hidden = true;
      root.explorer = new Explorer(root, payload, jsonLogic);
      root.setAttribute("data-ready", "yes");
    }, function (url) {
      root.setAttribute("data-ready", "failed");
      status.textContent = url ?
        "The explorer could not load its JsonLogic evaluator (" + url + "); the result below is the first " +
          "preset patient's, computed when the page was built." :
        "This in-browser explorer runs in the published course book; in a live notebook use " +
          "algorithm_explorer() instead. The result below is the first preset patient's.";
    });
  }

  return {
    version: VERSION,
    buildContext: buildContext,
    validate: validate,
    walk: walk,
    recommend: recommend,
    pyRepr: pyRepr,
    closeMatch: closeMatch,
    init: init,
  };
});
