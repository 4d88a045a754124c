/* The course's dose calculators in the browser: a small interpreter of the JSON programs that
 * nmd_immuno.dosing.program generates from the validated data/dosing.yaml at build time.
 *
 * Why an interpreter: no clinical number, rule or text is typed here. A program lists its inputs (with their
 * limits), then steps: validate an input, compute a value (a JsonLogic expression, evaluated by the vendored
 * json-logic-js), refuse or reject with a message template, add a note, a warning or a citation. This file
 * only knows how to run steps and how Python formats numbers (`:g`, `.1f`, `.0%`, repr), so that every
 * message reads exactly as the Python calculators write it (tests/test_dosing_browser_parity.py proves it
 * under node on generated inputs).
 *
 * Exports (node: module.exports; browser: window.NMDDosing): run(program, args, jsonLogic) -> result or
 * refusal (the shape of Python's as_dict()), formatting helpers, and init(root) for the page form.
 */
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.NMDDosing = api;
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // ------------------------------------------------------------------------------------ Python number text

  /** x (finite, > 0) as an exact decimal: {digits, exp} with x = digits × 10^exp, digits without zeros at
   * either end. Exact (BigInt), so rounding can follow Python (half to even on exact ties only). */
  function exactDecimal(x) {
    var view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    var hi = view.getUint32(0), lo = view.getUint32(4);
    var biased = (hi >>> 20) & 0x7ff;
    var mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    var e;
    if (biased === 0) {
      e = -1074;
    } else {
      mant = mant | (1n << 52n);
      e = biased - 1075;
    }
    var digits, exp;
    if (e >= 0) {
      digits = (mant << BigInt(e)).toString();
      exp = 0;
    } else {
      digits = (mant * 5n ** BigInt(-e)).toString();
      exp = e;
    }
    var stripped = digits.replace(/0+$/, "");
    exp += digits.length - stripped.length;
    return { digits: stripped, exp: exp };
  }

  /** Round an exact decimal to keep `keep` leading digits (half to even); returns {digits, exp}. */
  function roundDigits(dec, keep) {
    var d = dec.digits;
    if (d.length <= keep) {
      return dec;
    }
    if (keep < 0) {
      return { digits: "0", exp: dec.exp + d.length - keep };
    }
    var head = d.slice(0, keep), tail = d.slice(keep);
    var up = tail[0] > "5" || (tail[0] === "5" && /[1-9]/.test(tail.slice(1)));
    if (tail[0] === "5" && !up) {
      var last = head.length ? Number(head[head.length - 1]) : 0;
      up = last % 2 === 1;
    }
    var n = head.length ? BigInt(head) : 0n;
    if (up) {
      n += 1n;
    }
    return { digits: n.toString(), exp: dec.exp + tail.length };
  }

  /** Fixed notation with `places` decimals, as Python's format(x, ".{places}f"). */
  function fixed(x, places) {
    if (!isFinite(x)) {
      return x > 0 ? "inf" : x < 0 ? "-inf" : "nan";
    }
    var sign = x < 0 || Object.is(x, -0) ? "-" : "";
    var ax = Math.abs(x);
    var s;
    if (ax === 0) {
      s = "0";
    } else {
      var dec = exactDecimal(ax);
      var keep = dec.digits.length + dec.exp + places; // digits left of the cut
      var r = roundDigits(dec, keep);
      s = r.digits + "0".repeat(Math.max(0, r.exp + places));
    }
    if (places > 0) {
      s = s.padStart(places + 1, "0");
      s = s.slice(0, s.length - places) + "." + s.slice(s.length - places);
    }
    return sign + s;
  }

  function expText(n) {
    return (n < 0 ? "-" : "+") + String(Math.abs(n)).padStart(2, "0");
  }

  /** Python's format(x, "g"): 6 significant digits, trailing zeros dropped, exponent outside 1e-4 .. 1e6. */
  function gfmt(x, precision) {
    var p = precision || 6;
    if (!isFinite(x)) {
      return x > 0 ? "inf" : x < 0 ? "-inf" : "nan";
    }
    if (x === 0) {
      return Object.is(x, -0) ? "-0" : "0";
    }
    var sign = x < 0 ? "-" : "";
    var r = roundDigits(exactDecimal(Math.abs(x)), p);
    var digits = r.digits.replace(/0+$/, "");
    var lead = r.digits.length - 1 + r.exp; // decimal exponent of the first digit
    if (lead >= -4 && lead < p) {
      var places = Math.max(0, p - 1 - lead);
      var text = fixed(Math.abs(x), places);
      if (text.indexOf(".") >= 0) {
        text = text.replace(/0+$/, "").replace(/\.$/, "");
      }
      return sign + text;
    }
    var mantissa = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    return sign + mantissa + "e" + expText(lead);
  }

  /** Python's repr(float): the shortest round-trip digits (as JavaScript finds them), laid out as Python does. */
  function floatRepr(x) {
    if (!isFinite(x)) {
      return x > 0 ? "inf" : x < 0 ? "-inf" : "nan";
    }
    if (x === 0) {
      return Object.is(x, -0) ? "-0.0" : "0.0";
    }
    var sign = x < 0 ? "-" : "";
    var m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(Math.abs(x)));
    var intPart = m[1], frac = m[2] || "", e = m[3] ? Number(m[3]) : 0;
    var all = (intPart + frac).replace(/^0+/, "");
    var lead = intPart.replace(/^0+/, "").length
      ? intPart.replace(/^0+/, "").length - 1 + e
      : -(frac.length - frac.replace(/^0+/, "").length) - 1 + e;
    var digits = all.replace(/0+$/, "");
    if (lead >= -4 && lead < 16) {
      var text;
      if (lead >= 0) {
        var whole = digits.slice(0, lead + 1).padEnd(lead + 1, "0");
        var rest = digits.slice(lead + 1);
        text = whole + "." + (rest || "0");
      } else {
        text = "0." + "0".repeat(-lead - 1) + digits;
      }
      return sign + text;
    }
    var mantissa = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    return sign + mantissa + "e" + expText(lead);
  }

  /** Python's round(x, places) on a float: correctly rounded, half to even. */
  function pyRound(x, places) {
    if (!isFinite(x) || x === 0) {
      return x;
    }
    return Number(fixed(x, places));
  }

  function stepDecimals(step) {
    var text = floatRepr(step);
    var m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
    var frac = (m[2] || "").replace(/0+$/, "");
    var e = m[3] ? Number(m[3]) : 0;
    return Math.max(0, frac.length - e);
  }

  /** nmd_immuno.dosing.common.round_down: down to a whole number of `step`, float noise removed. */
  function roundDown(value, step) {
    return pyRound(Math.floor(value / step + 1e-9) * step, stepDecimals(step));
  }

  /** repr() of a value a user gave: float, str, bool, None, list. */
  function pyRepr(value) {
    if (value === null || value === undefined) {
      return "None";
    }
    if (value === true) {
      return "True";
    }
    if (value === false) {
      return "False";
    }
    if (typeof value === "number") {
      return floatRepr(value);
    }
    if (typeof value === "string") {
      var quote = value.indexOf("'") >= 0 && value.indexOf('"') < 0 ? '"' : "'";
      var body = value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r");
      if (quote === "'") {
        body = body.replace(/'/g, "\\'");
      }
      return quote + body + quote;
    }
    if (Array.isArray(value)) {
      return "[" + value.map(pyRepr).join(", ") + "]";
    }
    return String(value);
  }

  function typeName(value) {
    if (typeof value === "string") {
      return "str";
    }
    if (Array.isArray(value)) {
      return "list";
    }
    if (value === null || value === undefined) {
      return "NoneType";
    }
    return typeof value === "object" ? "dict" : typeof value;
  }

  function groupThousands(text) {
    var parts = text.split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return parts.join(".");
  }

  /** A value formatted by a spec of the programs: g, d, r, given, .Nf, .N%, s (as str()). */
  function format(value, spec) {
    if (spec === "g") {
      return gfmt(value);
    }
    if (spec === "d") {
      return String(Math.trunc(value));
    }
    if (spec === "r") {
      return pyRepr(value);
    }
    if (spec === "given") {
      var short = gfmt(value);
      return Number(short) === value ? short : floatRepr(value);
    }
    var m = /^\.(\d+)([f%])$/.exec(spec);
    if (m) {
      return m[2] === "f" ? fixed(value, Number(m[1])) : fixed(value * 100, Number(m[1])) + "%";
    }
    return value === null || value === undefined ? "None" : String(value);
  }

  /** nmd_immuno.dosing.common._cell: how a result table shows a value (kind: num, int, str, ints, nums). */
  function cell(value, kind) {
    if (value === null || value === undefined) {
      return "—";
    }
    if (typeof value === "boolean") {
      return value ? "yes" : "no";
    }
    if (Array.isArray(value)) {
      var inner = kind === "ints" ? "int" : kind === "nums" ? "num" : kind;
      return value.map(function (v) { return cell(v, inner); }).join(", ") || "—";
    }
    if (typeof value === "number" && kind !== "int" && kind !== "str") {
      return groupThousands(fixed(value, 2)).replace(/0+$/, "").replace(/\.$/, "");
    }
    if (typeof value === "number") {
      return String(value);
    }
    return String(value);
  }

  // ------------------------------------------------------------------------------------ the interpreter

  function InputError(message) {
    this.name = "DoseInputError";
    this.message = message;
  }
  function Refused(message) {
    this.name = "DoseRefused";
    this.message = message;
  }

  /** A message from its parts: literal strings, and [name, spec] pairs read from the environment. */
  function render(parts, env) {
    return parts.map(function (part) {
      return typeof part === "string" ? part : format(env[part[0]], part[1]);
    }).join("");
  }

  function allowedRange(limit) {
    return "allowed: " + gfmt(limit.min) + " to " + gfmt(limit.max) + (limit.unit ? " " + limit.unit : "");
  }

  /** nmd_immuno.dosing.common.number / whole_number / choice / flag / choices, generically. */
  function validate(step, value) {
    var name = step.name;
    if (step.check === "number" || step.check === "whole") {
      var allowed = allowedRange(step.limit);
      if (value === null || value === undefined) {
        throw new InputError(name + ": not given; " + allowed);
      }
      if (typeof value === "boolean") {
        throw new InputError(name + ": " + pyRepr(value) + " is a yes/no value, not a number; " + allowed);
      }
      if (typeof value !== "number") {
        throw new InputError(name + ": " + pyRepr(value) + " (" + typeName(value) + ") is not a number; " + allowed);
      }
      if (!isFinite(value)) {
        throw new InputError(name + ": " + pyRepr(value) + " is not a finite number; " + allowed);
      }
      if (!(step.limit.min <= value && value <= step.limit.max)) {
        throw new InputError(name + ": " + format(value, "given") + " is outside the allowed range; " + allowed);
      }
      if (step.check === "whole" && !Number.isInteger(value)) {
        throw new InputError(name + ": " + pyRepr(value) + " is not a whole number; " + allowed);
      }
      return value;
    }
    if (step.check === "raw") {
      return value;
    }
    if (step.check === "choice") {
      if (typeof value !== "string" || step.options.indexOf(value) < 0) {
        throw new InputError(name + ": " + pyRepr(value) + " is not allowed; allowed: " + step.options.map(pyRepr).join(", "));
      }
      return value;
    }
    if (step.check === "flag") {
      if (typeof value !== "boolean") {
        throw new InputError(name + ": " + pyRepr(value) + " (" + typeName(value) + ") is not True or False; allowed: True, False");
      }
      return value;
    }
    if (step.check === "choices") {
      if (!Array.isArray(value)) {
        throw new InputError(name + ": " + pyRepr(value) + " is not a list of ids; give a list such as ['" + step.options[0] + "'] (or an empty list)");
      }
      value.forEach(function (item) {
        if (typeof item !== "string" || step.options.indexOf(item) < 0) {
          throw new InputError(name + ": " + pyRepr(item) + " is not a known id; allowed: " + step.options.join(", "));
        }
      });
      return step.options.filter(function (id) { return value.indexOf(id) >= 0; });
    }
    throw new Error("unknown check " + step.check);
  }

  var mathAdded = new WeakSet();
  /** Generic arithmetic json-logic-js lacks (no clinical content): floor, ceil, sqrt, exp, Python rounding. */
  function withMath(jsonLogic) {
    if (!mathAdded.has(jsonLogic)) {
      jsonLogic.add_operation("floor", Math.floor);
      jsonLogic.add_operation("ceil", Math.ceil);
      jsonLogic.add_operation("sqrt", Math.sqrt);
      jsonLogic.add_operation("exp", Math.exp);
      jsonLogic.add_operation("round_down", roundDown);
      jsonLogic.add_operation("py_round", pyRound);
      jsonLogic.add_operation("is_null", function (v) { return v === null || v === undefined; });
      jsonLogic.add_operation("list", function () { return Array.prototype.slice.call(arguments); });
      jsonLogic.add_operation("at", function (list, index) { return list[index]; });
      jsonLogic.add_operation("seq", function (start, step, count) {
        var out = [];
        for (var i = 0; i < count; i += 1) {
          out.push(start + i * step);
        }
        return out;
      });
      mathAdded.add(jsonLogic);
    }
    return jsonLogic;
  }

  function unique(items) {
    var seen = {};
    return items.filter(function (item) {
      if (seen[item]) {
        return false;
      }
      seen[item] = true;
      return true;
    });
  }

  /** Run a calculator program on keyword arguments: a result (as Python's as_dict(), with rows) or a refusal. */
  function run(program, args, jsonLogic) {
    var logic = withMath(jsonLogic);
    var env = { tables: program.tables || {} };
    var notes = [], warnings = [], refs = [];
    function value(expr) {
      return logic.apply(expr, env);
    }
    function holds(step) {
      return !("if" in step) || logic.truthy(value(step["if"]));
    }
    try {
      program.steps.forEach(function (step) {
        if (!holds(step)) {
          return;
        }
        switch (step.do) {
          case "input": {
            var given = Object.prototype.hasOwnProperty.call(args, step.arg) ? args[step.arg] : step.default;
            env[step.var] = step.optional && (given === null || given === undefined) ? null : validate(step, given);
            env["raw_" + step.var] = given === undefined ? null : given;
            break;
          }
          case "let":
            env[step.var] = value(step.value);
            break;
          case "invalid":
            throw new InputError(render(step.text, env));
          case "refuse":
            throw new Refused(render(step.text, env));
          case "note":
            notes.push(render(step.text, env));
            refs = refs.concat(step.refs || []);
            break;
          case "warn":
            warnings.push(render(step.text, env));
            refs = refs.concat(step.refs || []);
            break;
          case "cite":
            refs = refs.concat(step.refs);
            break;
          default:
            throw new Error("unknown step " + step.do);
        }
      });
    } catch (error) {
      if (error instanceof InputError || error instanceof Refused) {
        return {
          kind: "Refusal",
          calculator: program.id,
          refusal: error instanceof InputError ? "invalid input" : "refused",
          message: error.message,
        };
      }
      throw error;
    }
    var result = { kind: program.kind, notes: notes, warnings: warnings, references: unique(refs) };
    Object.keys(program.fields).forEach(function (name) {
      result[name] = value(program.fields[name]);
    });
    result.rows = program.rows.map(function (row) {
      if (row.choose) {
        var pick = row.choose.filter(function (c) { return !("if" in c) || logic.truthy(value(c["if"])); })[0];
        return [row.label, render(pick.text, env)];
      }
      if (row.text) {
        return [row.label, render(row.text, env)];
      }
      return [row.label, cell(value(row.value), row.kind || "num")];
    });
    result.title = program.title;
    return result;
  }


  // ------------------------------------------------------------------------------------ the page form

  function element(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  /** What a typed number means to the calculators: empty = not given, a number, else the text as typed
   * (which the calculator refuses as "not a number", as Python does for a string). */
  function parseNumber(text) {
    var trimmed = text.trim();
    if (trimmed === "") {
      return null;
    }
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) {
      return Number(trimmed);
    }
    if (/^[+-]?(inf|infinity)$/i.test(trimmed)) {
      return trimmed[0] === "-" ? -Infinity : Infinity;
    }
    if (/^[+-]?nan$/i.test(trimmed)) {
      return NaN;
    }
    return text;
  }

  function esc(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  /** The result or refusal as nmd_immuno.dosing.common renders it (_repr_html_). */
  function resultHtml(payload, program, outcome) {
    var disclaimer = "<p class='nmdd-disclaimer'>" + esc(payload.disclaimer) + "</p>";
    if (outcome.kind === "Refusal") {
      var heading = outcome.refusal === "invalid input" ? "Input refused" : "Dose refused (safety stop)";
      return "<div class='nmd-dose nmd-dose-refusal nmdd-box nmdd-refusal'><strong>" + esc(heading) + "</strong> (" +
        esc(outcome.calculator) + ")<p class='nmdd-message'>" + esc(outcome.message) + "</p>" + disclaimer + "</div>";
    }
    var rows = outcome.rows.map(function (row) {
      return "<tr><th scope='row'>" + esc(row[0]) + "</th><td>" + esc(row[1]) + "</td></tr>";
    }).join("");
    var parts = ["<div class='nmd-dose nmdd-box'><table class='nmd-dose-table'><caption>" + esc(program.title) +
      "</caption><tbody>" + rows + "</tbody></table>"];
    if (outcome.notes.length) {
      parts.push("<ul class='nmd-dose-notes'>" + outcome.notes.map(function (n) { return "<li>" + esc(n) + "</li>"; }).join("") + "</ul>");
    }
    if (outcome.warnings.length) {
      parts.push("<div class='nmd-dose-warnings'><strong>Warnings</strong><ul>" +
        outcome.warnings.map(function (w) { return "<li>" + esc(w) + "</li>"; }).join("") + "</ul></div>");
    }
    var refs = outcome.references.map(function (key) {
      return "<li>" + esc(payload.references[key] || key) + " <code>[" + esc(key) + "]</code></li>";
    }).join("");
    parts.push("<details><summary>References (" + outcome.references.length + ")</summary><ol>" + refs + "</ol></details>");
    parts.push(disclaimer + "</div>");
    return parts.join("");
  }

  function controlValue(spec, node) {
    if (spec.kind === "flag") {
      return node.querySelector("input").checked;
    }
    if (spec.kind === "multi") {
      return Array.prototype.slice.call(node.querySelectorAll("input:checked")).map(function (box) {
        return spec.options[Number(box.value)][1];
      });
    }
    if (spec.kind === "choice") {
      return spec.options[Number(node.querySelector("select").value)][1];
    }
    return parseNumber(node.querySelector("input").value);
  }

  function setControl(spec, node, value) {
    if (spec.kind === "number") {
      node.querySelector("input").value = value === null ? "" : String(value);
    } else if (spec.kind === "choice") {
      spec.options.forEach(function (option, index) {
        if (option[1] === value) {
          node.querySelector("select").value = String(index);
        }
      });
    }
  }

  function buildControl(prefix, spec) {
    var id = prefix + "-" + spec.name;
    var node = element("div", { "class": "nmdd-field nmdd-field-" + spec.kind, "data-name": spec.name });
    if (spec.kind === "flag") {
      var box = element("input", { type: "checkbox", id: id });
      box.checked = spec.value;
      node.appendChild(box);
      node.appendChild(element("label", { "for": id }, spec.label));
    } else if (spec.kind === "multi") {
      var group = element("fieldset", { "class": "nmdd-multi" });
      group.appendChild(element("legend", {}, spec.label));
      spec.options.forEach(function (option, index) {
        var optionId = id + "-" + index;
        var line = element("div", { "class": "nmdd-check" });
        line.appendChild(element("input", { type: "checkbox", id: optionId, value: String(index) }));
        line.appendChild(element("label", { "for": optionId }, option[0]));
        group.appendChild(line);
      });
      node.appendChild(group);
    } else if (spec.kind === "choice") {
      node.appendChild(element("label", { "for": id }, spec.label));
      var select = element("select", { id: id });
      spec.options.forEach(function (option, index) {
        var item = element("option", { value: String(index) }, option[0]);
        select.appendChild(item);
      });
      node.appendChild(select);
      setControl(spec, node, spec.value);
    } else {
      node.appendChild(element("label", { "for": id }, spec.label));
      node.appendChild(element("input", { type: "text", inputmode: "decimal", id: id, autocomplete: "off",
        spellcheck: "false" }));
      setControl(spec, node, spec.value);
    }
    return node;
  }

  /** The keyword arguments of the calculator from the form, with the form's stated adjustments. */
  function formArgs(form, nodes) {
    var values = {};
    form.controls.forEach(function (spec) {
      values[spec.name] = controlValue(spec, nodes[spec.name]);
    });
    (form.drop || []).forEach(function (name) { delete values[name]; });
    (form.zero_is_none || []).forEach(function (name) {
      if (values[name] === 0) {
        values[name] = null;
      }
    });
    Object.keys(form.none_if || {}).forEach(function (name) {
      var box = form.none_if[name];
      if (values[box]) {
        values[name] = null;
      }
      delete values[box];
    });
    return values;
  }

  function init(root, options) {
    var payload = JSON.parse(root.querySelector(".nmdd-data").textContent);
    var status = root.querySelector(".nmdd-status");
    var formBox = root.querySelector(".nmdd-form");
    var result = root.querySelector(".nmdd-result");
    loadJsonLogic(libraryUrl(payload, options && options.library), function (jsonLogic) {
      var prefix = root.id;
      var chooserId = prefix + "-calculator";
      var top = element("div", { "class": "nmdd-top" });
      top.appendChild(element("label", { "for": chooserId }, "Calculator"));
      var chooser = element("select", { id: chooserId, "class": "nmdd-chooser" });
      payload.forms.forEach(function (form, index) {
        chooser.appendChild(element("option", { value: String(index) }, form.title));
      });
      top.appendChild(chooser);
      formBox.appendChild(top);
      var panel = element("div", { "class": "nmdd-panel" });
      formBox.appendChild(panel);
      var current = null;
      var updates = 0;

      function show(index) {
        var form = payload.forms[index];
        var nodes = {};
        panel.textContent = "";
        if (form.intro) {
          panel.appendChild(element("p", { "class": "nmdd-intro" }, form.intro));
        }
        var fields = element("div", { "class": "nmdd-fields" });
        form.controls.forEach(function (spec) {
          nodes[spec.name] = buildControl(prefix + "-" + index, spec);
          fields.appendChild(nodes[spec.name]);
        });
        panel.appendChild(fields);
        current = { form: form, nodes: nodes };
        refresh();
      }

      function refresh(event) {
        var form = current.form;
        var presets = form.presets || {};
        if (event && event.target) {
          var holder = event.target.closest(".nmdd-field");
          var changed = holder && holder.getAttribute("data-name");
          if (changed && presets[changed]) {
            var spec = form.controls.filter(function (c) { return c.name === changed; })[0];
            var chosen = presets[changed][controlValue(spec, current.nodes[changed])];
            if (chosen) {
              Object.keys(chosen).forEach(function (name) {
                var target = form.controls.filter(function (c) { return c.name === name; })[0];
                setControl(target, current.nodes[name], chosen[name]);
              });
            }
          }
        }
        var program = payload.programs[form.calculator];
        var outcome = run(program, formArgs(form, current.nodes), jsonLogic);
        result.innerHTML = resultHtml(payload, program, outcome);
        updates += 1;
        root.setAttribute("data-updates", String(updates));
      }

      panel.addEventListener("input", refresh);
      panel.addEventListener("change", refresh);
      chooser.addEventListener("change", function () { show(Number(chooser.value)); });
      show(0);
      formBox.hidden = false;
      status.textContent = "Change any value: the result below is recalculated in this page.";
      root.setAttribute("data-ready", "true");
    }, function (url) {
      status.textContent = "The calculators could not start" + (url ? " (could not load " + url + ")" : "") +
        "; the result below is the IVIG calculator's at its starting values.";
    });
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

  var loading = {};
  /** json-logic-js is UMD: through require() on pages with require.js (the widget pages), else a script. */
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

  return {
    init: init,
    run: run,
    format: format,
    gfmt: gfmt,
    fixed: fixed,
    floatRepr: floatRepr,
    pyRound: pyRound,
    roundDown: roundDown,
    cell: cell,
  };
});
