/* nmd_immuno quiz runtime: turns the HTML rendered by nmd_immuno.quiz.static_html into an interactive quiz.
 *
 * Inlined into every render (no file is fetched), so it must be safe to run several times on one page:
 * everything lives inside this function and the runtime is defined once on window.NMDQuiz. It mirrors the
 * rules of nmd_immuno/quiz/answers.py (same verdict texts, same number parsing and tolerance arithmetic).
 * No framework, no network, plain DOM; keyboard use relies on native inputs and buttons.
 */
(function () {
  "use strict";
  var VERSION = "1";
  if (window.NMDQuiz && window.NMDQuiz.version === VERSION) {
    return;
  }

  var NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

  function children(node, cls) {
    var out = [];
    for (var i = 0; i < node.children.length; i++) {
      if (node.children[i].classList.contains(cls)) {
        out.push(node.children[i]);
      }
    }
    return out;
  }

  function all(node, selector) {
    return Array.prototype.slice.call(node.querySelectorAll(selector));
  }

  function parseNumber(text) {
    var cleaned = String(text).replace(/\s+/g, "").replace(",", ".");
    if (!NUMBER.test(cleaned)) {
      return null;
    }
    var value = Number(cleaned);
    return isFinite(value) ? value : null;
  }

  function within(value, target, tolerance) {
    return Math.abs(value - target) <= tolerance + 1e-9 * Math.max(1, Math.abs(target));
  }

  function formatNumber(value) {
    // like Python's "%g": up to 6 significant digits, no trailing zeros
    return String(Number(value.toPrecision(6)));
  }

  function element(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) {
      node.className = cls;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function Item(fieldset, onResolved) {
    this.el = fieldset;
    this.type = fieldset.getAttribute("data-type");
    this.key = fieldset.querySelector(".nmdq-key");
    this.feedback = fieldset.querySelector(".nmdq-feedback");
    this.checkButton = fieldset.querySelector(".nmdq-check");
    this.revealButton = fieldset.querySelector(".nmdq-reveal");
    this.retryButton = fieldset.querySelector(".nmdq-retry");
    this.inputs = all(fieldset, ".nmdq-options input");
    this.valueInput = fieldset.querySelector(".nmdq-value");
    this.onResolved = onResolved;
    this.resolved = false;
    var self = this;
    this.checkButton.addEventListener("click", function () { self.check(); });
    this.revealButton.addEventListener("click", function () { self.resolve(false); });
    this.retryButton.addEventListener("click", function () { self.reset(true); });
    if (this.valueInput) {
      this.valueInput.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          self.check();
        }
      });
    }
    this.key.open = false;
    this.key.hidden = true;
  }

  Item.prototype.why = function (index) {
    return this.el.querySelector('.nmdq-why[data-index="' + index + '"]');
  };

  Item.prototype.say = function (verdict, cls) {
    this.feedback.textContent = "";
    this.feedback.appendChild(element("p", "nmdq-verdict " + cls, verdict));
  };

  Item.prototype.check = function () {
    if (this.type === "numeric") {
      this.checkNumeric();
    } else {
      this.checkChoice();
    }
  };

  Item.prototype.checkChoice = function () {
    var picks = [], correct = [];
    this.inputs.forEach(function (input, index) {
      if (input.checked) { picks.push(index); }
      if (input.getAttribute("data-correct") === "1") { correct.push(index); }
    });
    if (!picks.length) {
      this.say(this.type === "single" ? "Choose one option first." : "Choose at least one option first.", "nmdq-warn");
      return;
    }
    var right = picks.filter(function (i) { return correct.indexOf(i) >= 0; }).length;
    var isCorrect = right === correct.length && picks.length === correct.length;
    var verdict = "Correct.";
    if (!isCorrect) {
      verdict = this.type === "multiple"
        ? "Not quite: " + right + " of your " + picks.length + " choice(s) are correct, and " +
          correct.length + " options are correct in all."
        : "Incorrect.";
    }
    this.say(verdict, isCorrect ? "nmdq-ok" : "nmdq-bad");
    var list = element("ul", "nmdq-chosen");
    var self = this;
    picks.forEach(function (index) {
      var why = self.why(index);
      var row = element("li", why.getAttribute("data-correct") === "1" ? "nmdq-chosen-right" : "nmdq-chosen-wrong");
      row.appendChild(element("span", "nmdq-letter", why.querySelector(".nmdq-letter").textContent + " "));
      row.appendChild(element("span", "nmdq-why-option", why.querySelector(".nmdq-why-option").textContent));
      row.appendChild(document.createTextNode(": " + why.querySelector(".nmdq-why-text").textContent));
      list.appendChild(row);
    });
    this.feedback.appendChild(list);
    this.afterCheck(isCorrect);
  };

  Item.prototype.checkNumeric = function () {
    var box = this.el.querySelector(".nmdq-numeric");
    var raw = this.valueInput.value;
    if (!raw.trim()) {
      this.say("Enter a number first.", "nmdq-warn");
      return;
    }
    var value = parseNumber(raw);
    if (value === null) {
      this.say("\u201c" + raw + "\u201d is not a number; type digits, e.g. 2.5.", "nmdq-warn");
      return;
    }
    var answer = Number(box.getAttribute("data-answer"));
    var tolerance = Number(box.getAttribute("data-tolerance"));
    var unit = box.getAttribute("data-unit");
    var shown = formatNumber(value) + (unit ? " " + unit : "");
    var isCorrect = within(value, answer, tolerance);
    var note = shown + (isCorrect ? " is within the accepted range." : " is outside the accepted range.");
    if (!isCorrect) {
      all(box, ".nmdq-common-error").some(function (error) {
        if (within(value, Number(error.getAttribute("data-value")), Number(error.getAttribute("data-tolerance")))) {
          note = error.textContent;
          return true;
        }
        return false;
      });
    }
    this.say(isCorrect ? "Correct." : "Incorrect.", isCorrect ? "nmdq-ok" : "nmdq-bad");
    this.feedback.appendChild(element("p", "nmdq-note", note));
    this.afterCheck(isCorrect);
  };

  Item.prototype.afterCheck = function (isCorrect) {
    this.retryButton.hidden = false;
    if (this.resolved) {
      this.mark();
    }
    if (isCorrect) {
      this.resolve(true);
    } else if (!this.resolved) {
      this.revealButton.hidden = false;
      this.feedback.appendChild(element("p", "nmdq-hint",
        "Change your answer and check again, or choose \u201cShow answer\u201d."));
    }
  };

  Item.prototype.resolve = function (byCorrectAnswer) {
    this.key.hidden = false;
    this.key.open = true;
    this.revealButton.hidden = true;
    this.retryButton.hidden = false;
    this.mark();
    if (!byCorrectAnswer && !this.resolved) {
      all(this.feedback, ".nmdq-hint").forEach(function (hint) { hint.remove(); });
      this.feedback.appendChild(element("p", "nmdq-note", "Answer shown below."));
    }
    var first = !this.resolved;
    this.resolved = true;
    if (first && this.onResolved()) {
      this.feedback.appendChild(element("p", "nmdq-continue", "The case continues below."));
    }
  };

  Item.prototype.mark = function () {
    // After the answer is known: outline the correct options and any wrong option currently chosen.
    this.inputs.forEach(function (input) {
      var row = input.parentNode;
      row.classList.toggle("nmdq-is-correct", input.getAttribute("data-correct") === "1");
      row.classList.toggle("nmdq-is-wrong", input.checked && input.getAttribute("data-correct") !== "1");
    });
  };

  Item.prototype.reset = function (focus) {
    this.inputs.forEach(function (input) {
      input.checked = false;
      input.parentNode.classList.remove("nmdq-is-correct", "nmdq-is-wrong");
    });
    if (this.valueInput) {
      this.valueInput.value = "";
    }
    this.feedback.textContent = "";
    this.key.open = false;
    this.key.hidden = true;
    this.revealButton.hidden = true;
    this.retryButton.hidden = true;
    this.resolved = false;
    if (focus) {
      var target = this.valueInput || this.inputs[0];
      if (target) { target.focus(); }
    }
  };

  function setupCase(section) {
    var stages = children(section, "nmdq-stage");
    var items = [];
    stages.forEach(function (stage, index) {
      stage.hidden = index > 0;
      var next = stages[index + 1];
      items.push(new Item(stage.querySelector(".nmdq-item"), function () {
        if (next && next.hidden) {
          next.hidden = false;
          return true;
        }
        return false;
      }));
    });
    var restart = section.querySelector(".nmdq-restart");
    restart.addEventListener("click", function () {
      items.forEach(function (item) { item.reset(false); });
      stages.forEach(function (stage, index) { stage.hidden = index > 0; });
      var first = items.length ? (items[0].valueInput || items[0].inputs[0]) : null;
      if (first) { first.focus(); }
    });
  }

  function init(root) {
    if (!root || root.getAttribute("data-nmdq-ready") === "1") {
      return;
    }
    root.setAttribute("data-nmdq-ready", "1");
    root.classList.add("nmdq-js");
    all(root, ".nmdq-case").forEach(setupCase);
  }

  window.NMDQuiz = { version: VERSION, init: init, parseNumber: parseNumber, within: within };
})();
