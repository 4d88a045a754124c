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

  return {
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
