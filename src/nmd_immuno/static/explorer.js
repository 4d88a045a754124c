/* nmd_immuno in-browser algorithm explorer: an interpreter of the pathway programs of nmd_immuno.engine.program.
 *
 * Why an interpreter: each validated pathway is lowered once, in Python, into a JSON program (patient checks,
 * message templates, "did you mean" suggestions, the walk and the engine's generic rules); the Python walker
 * (engine/walker.py run_program) and this file run the same program, so there is one engine and no Python
 * behaviour to re-implement here. Conditions are JsonLogic, evaluated by the vendored json-logic-js. The only
 * Python convention left is how a value typed by the reader is quoted in a message (strings and numbers as
 * the engine quotes them; the constants' spellings come from the program). Nothing clinical is written here.
 *
 * Exports (node: module.exports, for tests/test_static_explorer.py; browser: window.NMDExplorer):
 * validate, walk, recommend (program, patient, jsonLogic) and init(root). The book loads this file once per
 * page (nmd_immuno.sphinxext.explorer_assets); every explorer output carries only its data.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module && module.exports) {
    module.exports = api;
  } else {
    root.NMDExplorer = api;
    api.start();
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function isMapping(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  /** A template of the program filled in one pass, as engine.program.fill does. */
  function fill(template, parts) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) { return has(parts, key) ? parts[key] : whole; });
  }

  function refusal(message) {
    var error = new Error(message);
    error.name = "PatientError";
    return error;
  }

  function jsonType(value) {
    if (value === null || value === undefined) {
      return "null";
    }
    if (Array.isArray(value)) {
      return "array";
    }
    if (typeof value === "number") {
      return Number.isInteger(value) ? "int" : "float";
    }
    return typeof value;
  }

  /** A value as the engine quotes it in a message: strings in quotes with escapes, numbers in the shortest
   * form with an exponent from 1e16 or below 1e-4, the constants as the program spells them. */
  function shown(P, value) {
    var literals = P.literals, type = jsonType(value);
    if (type === "null" || type === "boolean") {
      return literals[String(value === undefined ? null : value)];
    }
    if (type === "int" || type === "float") {
      if (!isFinite(value)) {
        return literals[isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf"];
      }
      var exp = value.toExponential().split("e"), power = Number(exp[1]);
      if ((type === "int" && Math.abs(value) < 1e16) || (type === "float" && power >= -4 && power < 16)) {
        return String(value);
      }
      return exp[0] + "e" + (power < 0 ? "-" : "+") + (Math.abs(power) < 10 ? "0" : "") + Math.abs(power);
    }
    if (type === "string") {
      var quote = value.indexOf("'") !== -1 && value.indexOf('"') === -1 ? '"' : "'";
      return quote + value.replace(/[\\'"\x00-\x1f\x7f-\x9f]/g, function (ch) {
        if (ch === "\\" || ch === quote) {
          return "\\" + ch;
        }
        if (ch === "'" || ch === '"') {
          return ch;
        }
        var code = ch.charCodeAt(0).toString(16);
        return { "\n": "\\n", "\r": "\\r", "\t": "\\t" }[ch] || "\\x" + (code.length < 2 ? "0" : "") + code;
      }) + quote;
    }
    if (type === "array") {
      return "[" + value.map(function (item) { return shown(P, item); }).join(", ") + "]";
    }
    return "{" + Object.keys(value).map(function (key) {
      return shown(P, key) + ": " + shown(P, value[key]);
    }).join(", ") + "}";
  }

  function hint(P, table, word) {
    var key = String(word);
    return has(table.typos, key) ? fill(P.messages.hint, { value: table.shown[table.typos[key]] }) : "";
  }

  function holds(jsonLogic, expr, context) {
    return expr === null || expr === undefined || jsonLogic.truthy(jsonLogic.apply(expr, context));
  }

  /** engine/logic.py build_context: the patient plus the derived history variables, no facts yet. */
  function buildContext(program, patient) {
    var W = program.walk, outcomes = program.patient.outcomes, history = patient.history || {};
    var tried = Object.keys(history), count = {}, byOutcome = {}, context = Object.assign({}, patient);
    W.classes.forEach(function (cls) {
      count[cls] = { any: 0 };
      outcomes.forEach(function (outcome) { count[cls][outcome] = 0; });
    });
    tried.forEach(function (therapy) {
      count[W.class_of[therapy]][history[therapy]] += 1;
      count[W.class_of[therapy]].any += 1;
    });
    outcomes.forEach(function (outcome) {
      byOutcome[outcome] = tried.filter(function (t) { return history[t] === outcome; });
    });
    context.history = Object.assign({}, history);
    context.tried = tried;
    context.outcomes = byOutcome;
    context.count = count;
    context.facts = {};
    return context;
  }

  function fieldValue(P, name, spec, value) {
    function refuse(kind) {
      return refusal(fill(P.messages[kind], { name: name, value: shown(P, value), allowed: spec.allowed }));
    }
    if (value === null || value === undefined) {
      if (spec.required) {
        throw refuse("missing");
      }
      return isMapping(spec["default"]) ? Object.assign({}, spec["default"]) : spec["default"];
    }
    if (spec.type === "choice" && (typeof value !== "string" || spec.values.indexOf(value) === -1)) {
      throw refuse("not_allowed");
    }
    if (spec.type === "bool" && typeof value !== "boolean") {
      throw refuse("not_allowed");
    }
    if (spec.type === "number") {
      if (typeof value !== "number" || !isFinite(value)) {
        throw refuse("not_a_number");
      }
      if (!(spec.min <= value && value <= spec.max)) {
        throw refuse("out_of_range");
      }
    }
    if (spec.type !== "history") {
      return value;
    }
    if (!isMapping(value)) {
      throw refuse("history_not_mapping");
    }
    Object.keys(value).forEach(function (therapy) {
      if (P.therapy_ids.indexOf(therapy) === -1) {
        throw refusal(fill(P.messages.unknown_therapy, {
          name: name, value: shown(P, therapy), hint: hint(P, P.suggest.therapies, therapy),
          allowed: P.therapies_allowed,
        }));
      }
      if (P.outcomes.indexOf(value[therapy]) === -1) {
        throw refusal(fill(P.messages.bad_outcome, {
          name: name, therapy: therapy, value: shown(P, value[therapy]), allowed: P.outcomes_allowed,
        }));
      }
    });
    return Object.assign({}, value);
  }

  /** engine/patient.py validate_patient: every field present (defaults filled in), or a PatientError. */
  function validate(program, patient, jsonLogic) {
    var P = program.patient;
    if (!isMapping(patient)) {
      throw refusal(fill(P.messages.not_mapping, { type: P.type_names[jsonType(patient)] }));
    }
    Object.keys(patient).forEach(function (name) {
      if (!has(P.fields, name)) {
        throw refusal(fill(P.messages.unknown_field, {
          name: name, disorder: program.disorder, hint: hint(P, P.suggest.fields, name), allowed: P.field_names,
        }));
      }
    });
    var normalized = {};
    Object.keys(P.fields).forEach(function (name) {
      normalized[name] = fieldValue(P, name, P.fields[name], has(patient, name) ? patient[name] : null);
    });
    var context = buildContext(program, normalized);
    P.constraints.forEach(function (constraint) {
      if (holds(jsonLogic, constraint.when, context)) {
        throw refusal(fill(P.messages.combination, {
          fields: constraint.fields.join("/"),
          given: constraint.fields.map(function (f) { return f + "=" + shown(P, normalized[f]); }).join(", "),
          message: constraint.message,
        }));
      }
    });
    return normalized;
  }

  /** engine/walker.py run_program, for a patient that validate() returned. */
  function walk(program, patient, jsonLogic) {
    var W = program.walk, context = buildContext(program, patient);
    W.facts.forEach(function (fact) { context.facts[fact[0]] = jsonLogic.apply(fact[1], context); });
    var history = patient.history || {}, tried = Object.keys(history);
    var offers = new Map(), avoid = new Map(), warnings = new Map(), references = new Map();
    function test(expr) {
      return holds(jsonLogic, expr, context);
    }
    function cite(keys) {
      keys.forEach(function (key) { references.set(key, null); });
    }
    function therapies(items) {
      var chosen = [];
      items.forEach(function (item) {
        if (test(item[0])) {
          chosen.push.apply(chosen, item[1]);
        }
      });
      return chosen;
    }
    function collect(part) {
      therapies(part.avoid).forEach(function (t) {
        if (!avoid.has(t)) {
          avoid.set(t, part.reason);
        }
      });
      part.warnings.forEach(function (w) {
        if (test(w[0])) {
          warnings.set(w[1], null);
          cite(w[2]);
        }
      });
      cite(part.references);
    }
    function step(s, choice) {
      return {
        id: s.id, title: s.title, rationale: s.rationale, references: s.references.slice(), kind: s.kind,
        choice: choice,
      };
    }
    cite(W.references);
    var path = [], current = W.start, count = Object.keys(W.nodes).length;
    while (current !== null && current !== undefined) {
      if (path.length > count) {
        throw new Error(program.file + ": nodes[" + current + "]: the walk revisits a node: the pathway loops");
      }
      var node = W.nodes[current], choice = null, following = node.next;
      therapies(node.offer).forEach(function (t) { offers.set(t, null); });
      if (node["continue"]) {
        var cont = node["continue"];
        tried.forEach(function (t) {
          if (cont.outcomes.indexOf(history[t]) !== -1 && cont.therapies.indexOf(t) !== -1) {
            offers.set(t, null);
          }
        });
      }
      collect(node);
      if (node.branches.length) {
        choice = node.otherwise[0];
        following = node.otherwise[1];
        for (var i = 0; i < node.branches.length; i++) {
          if (test(node.branches[i][0])) {
            choice = node.branches[i][1];
            following = node.branches[i][2];
            break;
          }
        }
      }
      path.push(step(node.step, choice));
      current = following;
    }
    W.rules.forEach(function (rule) {
      if (test(rule.when)) {
        path.push(step(rule.step, null));
        collect(rule);
      }
    });
    tried.forEach(function (t) {
      if (has(W.never_offer, history[t]) && !avoid.has(t)) {
        avoid.set(t, W.never_offer[history[t]]);
      }
    });
    var notOffered = {}, offered = [];
    offers.forEach(function (_, t) {
      if (avoid.has(t)) {
        notOffered[t] = avoid.get(t);
      } else if (has(history, t) && has(W.not_again, history[t])) {
        notOffered[t] = W.not_again[history[t]];
      } else {
        offered.push(t);
      }
    });
    avoid.forEach(function (reason, t) {
      if (!has(notOffered, t)) {
        notOffered[t] = reason;
      }
    });
    W.notes.forEach(function (note) {
      if (note.therapies.some(function (t) { return offered.indexOf(t) !== -1; }) && test(note.when)) {
        warnings.set(note.text, null);
        cite(note.references);
      }
    });
    if (!offered.length) {
      warnings.set(W.nothing_left, null);
    }
    return {
      therapies: offered, avoid: Array.from(avoid.keys()), warnings: Array.from(warnings.keys()), path: path,
      references: Array.from(references.keys()), not_offered: notOffered,
    };
  }

  /** nmd_immuno.recommend for one program: validate, then walk (throws PatientError for bad input). */
  function recommend(program, patient, jsonLogic) {
    return walk(program, validate(program, patient, jsonLogic), jsonLogic);
  }

  // ---------------------------------------------------------------------------------- the page component
  var NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

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

  function Explorer(root, data, jsonLogic) {
    this.root = root;
    this.data = data;
    this.program = data.program;
    this.jsonLogic = jsonLogic;
    this.prefix = root.id;
    this.controls = {};
    this.history = {};
    this.holding = false;
    this.chart = this.chartParts();
    this.build();
    this.apply(data.start);
  }

  /** The explorer's flowchart: its node and edge groups by pathway id (ids are prefixed by the explorer's). */
  Explorer.prototype.chartParts = function () {
    var parts = {}, cut = this.prefix.length + 1;
    Array.prototype.forEach.call(this.root.querySelectorAll(".nmdx-chart g.nmd-node, .nmdx-chart g.nmd-edge"),
      function (g) { parts[g.id.slice(cut)] = g; });
    return parts;
  };

  Explorer.prototype.fieldControl = function (name, ui) {
    var spec = this.program.patient.fields[name], id = this.prefix + "-f-" + name, control;
    var box = element("div", "nmdx-field nmdx-field-" + spec.type);
    var label = element("label", null, ui.label);
    box.setAttribute("data-field", name);
    label.htmlFor = id;
    if (spec.type === "choice") {
      control = element("select");
      if (!spec.required) {
        control.appendChild(option("", this.data.texts.not_recorded));
      }
      spec.values.forEach(function (value) { control.appendChild(option(value, ui.value_labels[value] || value)); });
    } else {
      control = element("input");
      control.type = spec.type === "bool" ? "checkbox" : "text";
      if (spec.type === "number") {
        control.setAttribute("inputmode", "decimal");
        control.setAttribute("autocomplete", "off");
        control.size = 8;
        control.placeholder = spec.required ? "" : this.data.texts.optional;
      }
    }
    control.id = id;
    control.name = name;
    box.appendChild(spec.type === "bool" ? control : label);
    box.appendChild(spec.type === "bool" ? label : control);
    this.controls[name] = control;
    return box;
  };

  Explorer.prototype.build = function () {
    var self = this, data = this.data, form = this.root.querySelector(".nmdx-form");
    var top = element("div", "nmdx-top"), presetLabel = element("label", null, data.texts.preset);
    form.textContent = "";
    presetLabel.htmlFor = this.prefix + "-preset";
    this.preset = element("select", "nmdx-preset");
    this.preset.id = this.prefix + "-preset";
    this.preset.appendChild(option("", data.texts.choose));
    data.presets.forEach(function (p) { self.preset.appendChild(option(p.id, p.label)); });
    this.reset = element("button", "nmdx-btn nmdx-reset", data.texts.reset);
    this.reset.type = "button";
    this.reset.title = data.texts.reset_title;
    [presetLabel, this.preset, this.reset].forEach(function (node) { top.appendChild(node); });
    this.description = element("p", "nmdx-preset-description");
    this.description.hidden = true;
    var fields = element("div", "nmdx-fields");
    Object.keys(data.fields).forEach(function (name) { fields.appendChild(self.fieldControl(name, data.fields[name])); });
    var history = element("fieldset", "nmdx-history"), grid = element("div", "nmdx-history-grid");
    history.appendChild(element("legend", null, data.texts.history));
    data.history_therapies.forEach(function (therapy) {
      var row = element("div", "nmdx-field"), label = element("label", null, data.therapy_labels[therapy]);
      var select = element("select");
      row.setAttribute("data-therapy", therapy);
      select.id = label.htmlFor = self.prefix + "-h-" + therapy;
      select.appendChild(option("", data.texts.not_tried));
      data.outcome_labels.forEach(function (pair) { select.appendChild(option(pair[0], pair[1])); });
      row.appendChild(label);
      row.appendChild(select);
      grid.appendChild(row);
      self.history[therapy] = select;
    });
    history.appendChild(grid);
    [top, this.description, fields, history].forEach(function (node) { form.appendChild(node); });
    form.hidden = false;
    function changed(event) {
      if (!self.holding && event.target !== self.preset && (event.type === "change" || event.target.type === "text")) {
        self.update();
      }
    }
    form.addEventListener("change", changed);
    form.addEventListener("input", changed);
    this.preset.addEventListener("change", function () {
      var chosen = data.presets.filter(function (p) { return p.id === self.preset.value; })[0];
      if (chosen) {
        self.description.textContent = chosen.description;
        self.description.hidden = !chosen.description;
        self.apply(chosen.patient);
      }
    });
    this.reset.addEventListener("click", function () {
      self.preset.value = "";
      self.description.hidden = true;
      self.apply(data.start);
    });
  };

  /** Show a patient in the controls (left-out fields take their defaults) and recompute once. */
  Explorer.prototype.apply = function (patient) {
    var fields = this.program.patient.fields, history = patient.history || {};
    this.holding = true;
    for (var name in this.controls) {
      var value = has(patient, name) ? patient[name] : fields[name]["default"];
      if (fields[name].type === "bool") {
        this.controls[name].checked = Boolean(value);
      } else {
        this.controls[name].value = value === null || value === undefined ? "" : String(value);
      }
    }
    for (var therapy in this.history) {
      this.history[therapy].value = has(history, therapy) ? history[therapy] : "";
    }
    this.holding = false;
    this.update();
  };

  /** The profile the controls describe, as the live widget hands it to the engine. */
  Explorer.prototype.patient = function () {
    var patient = { history: {} }, fields = this.program.patient.fields;
    for (var name in this.controls) {
      var control = this.controls[name], text = control.value.trim();
      if (fields[name].type === "bool") {
        patient[name] = control.checked;
      } else if (fields[name].type === "number" && text) {
        patient[name] = NUMBER.test(text) ? Number(text) : text; // the engine names what is allowed
      } else if (text) {
        patient[name] = control.value;
      }
    }
    for (var therapy in this.history) {
      if (this.history[therapy].value) {
        patient.history[therapy] = this.history[therapy].value;
      }
    }
    return patient;
  };

  /** The patient the pathway was walked for, as entered: every field the reader changes shows here. */
  Explorer.prototype.summary = function (patient) {
    var P = this.program.patient, parts = [];
    Object.keys(patient).forEach(function (name) {
      if (name !== "history") {
        parts.push(name + " = " + shown(P, patient[name]));
      }
    });
    var tried = Object.keys(patient.history);
    parts.push("history: " + (tried.length ? tried.map(function (t) {
      return t + " " + patient.history[t];
    }).join(", ") : "none recorded"));
    return "Walked for: " + parts.join("; ");
  };

  Explorer.prototype.update = function () {
    var result = null, message = "", patient = this.patient();
    var entered = this.root.querySelector(".nmdx-patient");
    if (entered) {
      entered.textContent = this.summary(patient);
      entered.hidden = false;
    }
    try {
      result = recommend(this.program, patient, this.jsonLogic);
    } catch (error) {
      message = error.name === "PatientError" ? error.message :
        "unexpected problem (" + error.name + "): " + error.message;
    }
    var box = this.root.querySelector(".nmdx-message"), holder = this.root.querySelector(".nmdx-result");
    box.textContent = message;
    box.hidden = !message;
    holder.textContent = "";
    if (result) {
      holder.appendChild(this.render(result));
    }
    this.highlight(result ? result.path.map(function (s) { return s.id; }) : []);
    this.root.setAttribute("data-state", result ? "ok" : "error");
  };

  /** Mark the walked nodes, rules and edges of the flowchart (class nmd-on-path, as flowchart.py draws it). */
  Explorer.prototype.highlight = function (ids) {
    var on = {}, nodes = this.program.walk.nodes, last = null;
    ids.forEach(function (id) {
      on["node-" + id] = true;
      if (has(nodes, id)) {
        if (last !== null) {
          on["edge-" + last + "-" + id] = true;
        }
        last = id;
      }
    });
    for (var key in this.chart) {
      this.chart[key].classList.toggle("nmd-on-path", has(on, key));
    }
    this.root.setAttribute("data-path", ids.join(" "));
  };

  /** The same markup as nmd_immuno.engine.recommendation.recommendation_html (same classes, same styles). */
  Explorer.prototype.render = function (result) {
    var data = this.data, prefix = this.prefix, numbers = {}, rec = element("div", "nmd-rec");
    result.references.forEach(function (key, index) { numbers[key] = index + 1; });
    rec.setAttribute("data-disorder", this.program.disorder);
    rec.appendChild(element("p", "nmd-disclaimer", data.texts.disclaimer));
    function add(node) {
      rec.appendChild(node);
      return node;
    }
    function heading(text) {
      var title = add(element("div", "nmd-heading", text));
      title.setAttribute("role", "heading");
      title.setAttribute("aria-level", "4");
    }
    function therapyList(ids, cls, reasons) {
      if (!ids.length) {
        add(element("p", cls + " nmd-empty")).appendChild(element("em", null, "none"));
        return;
      }
      var list = add(element("ul", cls));
      ids.forEach(function (therapy) {
        var item = list.appendChild(element("li", null, data.therapy_labels[therapy] || therapy));
        item.setAttribute("data-therapy", therapy);
        if (reasons) {
          item.appendChild(document.createTextNode(" "));
          item.appendChild(element("span", "nmd-reason", "(" + reasons[therapy] + ")"));
        }
      });
    }
    heading("Offered now");
    therapyList(result.therapies, "nmd-therapies");
    heading("Avoid");
    therapyList(result.avoid, "nmd-avoid");
    if (result.warnings.length) {
      heading("Warnings");
      var warnings = add(element("ul", "nmd-warnings"));
      result.warnings.forEach(function (text) { warnings.appendChild(element("li", null, text)); });
    }
    var held = Object.keys(result.not_offered).filter(function (t) { return result.avoid.indexOf(t) === -1; });
    if (held.length) {
      heading("Not offered again");
      therapyList(held, "nmd-not-offered", result.not_offered);
    }
    heading("Path through the pathway");
    var path = add(element("ol", "nmd-path"));
    result.path.forEach(function (s) {
      var item = path.appendChild(element("li"));
      item.setAttribute("data-step", s.id);
      item.appendChild(element("span", "nmd-kind", s.kind));
      item.appendChild(element("strong", null, s.title));
      if (s.choice) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(element("span", "nmd-choice", "\u2192 " + s.choice));
      }
      item.appendChild(element("br"));
      item.appendChild(document.createTextNode(s.rationale));
      if (s.references.length) {
        var cites = element("span", "nmd-cites", "[");
        s.references.forEach(function (key, index) {
          var link = element("a", null, String(numbers[key]));
          link.href = "#" + prefix + "-ref-" + key;
          link.title = key;
          cites.appendChild(document.createTextNode(index ? ", " : ""));
          cites.appendChild(link);
        });
        cites.appendChild(document.createTextNode("]"));
        item.appendChild(document.createTextNode(" "));
        item.appendChild(cites);
      }
    });
    heading("References");
    var refs = add(element("ol", "nmd-references"));
    result.references.forEach(function (key) {
      var item = refs.appendChild(element("li", null, data.references[key] || key));
      item.id = prefix + "-ref-" + key;
      item.setAttribute("data-key", key);
    });
    return rec;
  };

  /** Start the explorer in ``root`` (the output rendered by nmd_immuno.widgets.static_explorer). */
  function init(root) {
    if (!root || root.getAttribute("data-ready")) {
      return;
    }
    var status = root.querySelector(".nmdx-status"), jsonLogic = window.jsonLogic;
    if (!jsonLogic || typeof jsonLogic.apply !== "function") {
      root.setAttribute("data-ready", "failed");
      status.textContent = status.getAttribute("data-failed");
      return;
    }
    root.explorer = new Explorer(root, JSON.parse(root.querySelector("script.nmdx-data").textContent), jsonLogic);
    status.hidden = true;
    root.setAttribute("data-ready", "yes");
  }

  /** Start every explorer of the page once the document is parsed (the script may load in <head>). */
  function start() {
    function all() {
      Array.prototype.forEach.call(document.querySelectorAll(".nmdx"), init);
    }
    if (typeof document === "undefined") {
      return;
    }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", all);
    } else {
      all();
    }
  }

  return { validate: validate, walk: walk, recommend: recommend, init: init, start: start };
});
