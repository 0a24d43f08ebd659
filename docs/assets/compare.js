// The Compare page: reads the JSON files the builder writes under compare/data/ and
// shows the chosen CA owners' answers side by side, for one survey or all of them. All
// text goes in with textContent, never as markup. The selection lives in the address
// (?survey=ID&ca=SLUG&ca=SLUG, and differ=1 for only the questions whose answers differ;
// no survey means all), so it can be shared.
(function () {
  "use strict";
  var root = document.getElementById("csr-compare");
  if (!root) return;
  root.hidden = false;
  var $ = function (id) { return document.getElementById(id); };
  var surveySelect = $("csr-compare-survey"), find = $("csr-compare-find");
  var matches = $("csr-compare-matches"), chips = $("csr-compare-chosen");
  var result = $("csr-compare-result"), status = $("csr-compare-status");
  var error = $("csr-compare-error"), base = root.getAttribute("data-base");
  var differOnly = $("csr-compare-differ");
  var index = null, names = {}, chosen = [], active = -1, loaded = {}, request = 0;
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function load(url) {
    if (!loaded[url]) {
      loaded[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error("could not load " + url + " (" + r.status + ")");
        return r.json();
      });
    }
    return loaded[url];
  }
  // Names match whatever the reader types, ignoring case and accents.
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLocaleLowerCase();
  }

  // --- the picker: a text field, a list of matching names, the chosen ones as chips ---
  function options() { return matches.querySelectorAll("[role=option]"); }
  function highlight(k) {
    var all = options();
    active = all.length ? (k + all.length) % all.length : -1;
    Array.prototype.forEach.call(all, function (o, i) {
      o.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    if (active >= 0) {
      find.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({block: "nearest"});
    } else find.removeAttribute("aria-activedescendant");
  }
  function close() {
    matches.hidden = true;
    find.setAttribute("aria-expanded", "false");
    highlight(-1);
  }
  function suggest() {
    var needle = fold(find.value.trim());
    matches.textContent = "";
    if (!needle) { close(); return; }
    var hits = index.owners.filter(function (o) {
      return chosen.indexOf(o.id) === -1 && fold(o.name).indexOf(needle) !== -1;
    });
    hits.slice(0, 50).forEach(function (o, i) {
      var li = el("li", o.name);
      li.id = "csr-match-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("data-id", o.id);
      li.addEventListener("mousedown", function (e) { e.preventDefault(); });
      li.addEventListener("click", function () { add(o.id); });
      matches.appendChild(li);
    });
    if (!hits.length) matches.appendChild(el("li", "No CA owner matches.", "csr-none"));
    else if (hits.length > 50) matches.appendChild(el("li", "… " + (hits.length - 50) +
      " more: type more of the name.", "csr-none"));
    matches.hidden = false;
    find.setAttribute("aria-expanded", "true");
    highlight(hits.length ? 0 : -1);
  }
  function drawChips() {
    chips.textContent = "";
    chosen.forEach(function (id) {
      var li = el("li", null, "csr-chip");
      li.appendChild(el("span", names[id]));
      var x = el("button", "×");
      x.type = "button";
      x.setAttribute("aria-label", "Remove " + names[id]);
      x.addEventListener("click", function () { remove(id); find.focus(); });
      li.appendChild(x);
      chips.appendChild(li);
    });
  }
  function add(id) {
    if (chosen.indexOf(id) === -1) chosen.push(id);
    find.value = "";
    close();
    drawChips();
    update();
  }
  function remove(id) {
    chosen = chosen.filter(function (c) { return c !== id; });
    drawChips();
    update();
  }
  function onKey(e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (matches.hidden) suggest();
      else highlight(active + (e.key === "ArrowDown" ? 1 : -1));
      e.preventDefault();
    } else if (e.key === "Enter") {
      var all = options();
      if (active >= 0 && all[active]) add(all[active].getAttribute("data-id"));
      e.preventDefault();
    } else if (e.key === "Escape") {
      close();
    } else if (e.key === "Backspace" && !find.value && chosen.length) {
      remove(chosen[chosen.length - 1]);
    }
  }

  // --- the comparison -----------------------------------------------------------------
  // What one CA owner's cell holds: an answer, or why there is none. Only answers are
  // compared; the other states are shown in words and never count as a difference.
  function state(survey, id, qid) {
    var values = (survey.answers[id] || {})[qid];
    if (values) {
      var text = values.join("\n");
      return text.trim() ? {kind: "answer", text: text} : {kind: "blank"};
    }
    var gone = (survey.withdrawn[id] || {})[qid];
    if (gone) return {kind: "withdrawn", label: "withdrawn: no longer in the export (seen gone: " + gone + ")"};
    if (survey.partial || !survey.captured) return {kind: "missing", label: "not captured"};
    return {kind: "missing", label: "no answer in the captured export"};
  }
  function fill(cell, st) {
    if (st.kind === "answer") cell.appendChild(el("span", st.text, "csr-pre"));
    else if (st.kind === "blank") cell.appendChild(el("em", "(left blank)", "csr-none"));
    else cell.appendChild(el("em", st.label, "csr-none csr-" + st.kind));
  }
  // A comment beside the answer it belongs to ("ACTION n COMMENTS"; the builder pairs them).
  function comment(cell, survey, id, cid) {
    var st = state(survey, id, cid);
    if (st.kind === "missing" || st.kind === "blank") return;
    var box = el("div", null, "csr-comment");
    box.appendChild(el("strong", "Comment: "));
    fill(box, st);
    cell.appendChild(box);
  }
  function questionCell(q) {
    var th = el("th");
    th.setAttribute("scope", "row");
    var a = el("a", q.id);
    a.href = base + q.url;
    th.appendChild(a);
    th.appendChild(document.createTextNode(": " + q.label));
    return th;
  }
  function row(body, survey, q) {
    var tr = body.insertRow(), th = questionCell(q);
    tr.appendChild(th);
    var states = chosen.map(function (id) { return state(survey, id, q.id); });
    var answers = states.filter(function (st) { return st.kind === "answer"; });
    var first = answers.length ? answers[0].text : null;
    var differs = answers.some(function (st) { return st.text !== first; });
    if (differs) {
      tr.className = "csr-differs";
      th.appendChild(el("strong", " (answers differ)"));
    }
    states.forEach(function (st, k) {
      var cell = tr.insertCell();
      cell.setAttribute("data-label", names[chosen[k]]);
      fill(cell, st);
      if (q.comments) comment(cell, survey, chosen[k], q.comments);
      if (differs && st.kind === "answer" && st.text !== first) cell.className = "csr-differs-cell";
    });
    return {differs: differs, answers: answers.length,
            captured: states.some(function (st) { return st.kind === "answer" || st.kind === "blank"; })};
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  // What the comparison found, counted only over questions where two or more of the chosen
  // CA owners have an answer: never a count of differences over answers that are not there.
  function verdict(survey, shown, compared, differing, captured) {
    if (!survey.captured) return null;  // the note above says so
    var who = chosen.length === 2 ? "either of these CA owners" : "any of these CA owners";
    if (!captured) {
      return "No answer to this survey has been captured for " + who +
        ": there is nothing to compare.";
    }
    if (!compared) {
      return "No question of this survey has captured answers from two or more of these " +
        "CA owners: there is nothing to compare.";
    }
    var rest = shown - compared;
    return differing + " of " + plural(compared, "question has", "questions have") +
      " differing answers (only answers are compared: not captured, withdrawn and left " +
      "blank are not counted as differences; comments stand beside their question and are " +
      "not compared)" + (rest ? "; " + plural(rest, "other question has", "other questions have") +
      " fewer than two answers to compare." : ".");
  }
  function section(survey) {
    var part = el("section", null, "csr-compared");
    part.appendChild(el("h2", survey.title));
    if (survey.partial) part.appendChild(el("p", survey.partial + ".", "csr-note csr-partial"));
    if (!survey.captured) part.appendChild(el("p", "No answers to this survey have been captured.", "csr-note"));
    var table = el("table");
    table.setAttribute("data-csr-cards", "");
    var head = table.createTHead().insertRow();
    head.appendChild(el("th", "Question")).setAttribute("scope", "col");
    chosen.forEach(function (id) { head.appendChild(el("th", names[id])).setAttribute("scope", "col"); });
    var body = table.createTBody(), shown = 0, compared = 0, differing = 0, captured = false;
    var paired = {};
    survey.questions.forEach(function (q) { if (q.comments) paired[q.comments] = true; });
    survey.questions.forEach(function (q) {
      if (paired[q.id]) return;  // shown beside its question
      shown += 1;
      var r = row(body, survey, q);
      if (r.differs) differing += 1;
      if (r.answers >= 2) compared += 1;
      if (r.captured) captured = true;
    });
    var said = verdict(survey, shown, compared, differing, captured);
    if (said) part.appendChild(el("p", said, "csr-verdict"));
    var scroll = el("div", null, "csr-scroll");
    scroll.appendChild(table);
    if (differOnly.checked) {
      // The counts above are of every question; only the differing rows are kept.
      Array.prototype.slice.call(body.rows).forEach(function (tr) {
        if (tr.className !== "csr-differs") body.removeChild(tr);
      });
      if (body.rows.length) part.appendChild(scroll);
    } else if (captured) {
      part.appendChild(scroll);
    } else {
      // Nothing of these owners was captured: a row per question would say only that,
      // over and over; the questions stay one click away.
      var folded = el("details", null, "csr-folded");
      folded.appendChild(el("summary", "Show its " + plural(shown, "question", "questions") +
        " (each “not captured” for " + (chosen.length === 2 ? "both" : "all") +
        " of these CA owners)"));
      folded.appendChild(scroll);
      part.appendChild(folded);
    }
    return part;
  }

  // --- the address and what it asks for ------------------------------------------------
  function fail(messages) {
    error.textContent = messages.join(" ");
    error.hidden = !messages.length;
  }
  function update() {
    var surveyId = surveySelect.value, params = new URLSearchParams();
    if (surveyId) params.set("survey", surveyId);
    chosen.forEach(function (id) { params.append("ca", id); });
    if (differOnly.checked) params.set("differ", "1");
    history.replaceState(null, "", "?" + params.toString());
    show(surveyId);
  }
  function show(surveyId) {
    var mine = ++request;
    result.textContent = "";
    if (chosen.length < 2) {
      status.textContent = chosen.length ? "Add at least one more CA owner." : "Add two or more CA owners.";
      return;
    }
    var wanted = index.surveys.filter(function (s) { return !surveyId || s.id === surveyId; });
    status.textContent = "Loading…";
    Promise.all(wanted.map(function (s) { return load(base + s.data); })).then(function (all) {
      if (mine !== request) return;  // a newer choice is on its way
      status.textContent = "Comparing " + chosen.length + " CA owners in " + all.length +
        (all.length === 1 ? " survey" : " surveys") +
        (differOnly.checked ? "; only the questions whose answers differ are shown." : ".");
      all.forEach(function (survey) { result.appendChild(section(survey)); });
    }).catch(function (e) { status.textContent = String(e.message || e); });
  }
  function start(data) {
    index = data;
    // An owner's id here is the one every Compare link of the site carries (the builder's
    // compare.owner_id); the name of the owner's own page (owners/NAME/) is understood too,
    // and the address then rewritten to the id.
    var byPage = {};
    index.owners.forEach(function (o) {
      names[o.id] = o.name;
      var m = /^owners\/([^\/]+)\/$/.exec(o.url);
      if (m) byPage[m[1]] = o.id;
    });
    var all = el("option", "All surveys");
    all.value = "";
    surveySelect.appendChild(all);
    index.surveys.forEach(function (s) {
      var o = el("option", s.title);
      o.value = s.id;
      surveySelect.appendChild(o);
    });
    var params = new URLSearchParams(location.search), problems = [];
    var surveyId = params.get("survey") || "";
    if (surveyId && !index.surveys.some(function (s) { return s.id === surveyId; })) {
      problems.push("No survey has the id " + JSON.stringify(surveyId) + "; all surveys are shown.");
      surveyId = "";
    }
    surveySelect.value = surveyId;
    differOnly.checked = params.get("differ") === "1";
    var unknown = [], renamed = false;
    params.getAll("ca").forEach(function (id) {
      if (!names[id] && byPage[id]) { id = byPage[id]; renamed = true; }
      if (!names[id]) unknown.push(JSON.stringify(id));
      else if (chosen.indexOf(id) === -1) chosen.push(id);
    });
    if (unknown.length) {
      problems.push("No CA owner has the id " + unknown.join(", ") +
        " (from the address of this page); it is left out.");
    }
    fail(problems);
    drawChips();
    find.addEventListener("input", suggest);
    find.addEventListener("keydown", onKey);
    find.addEventListener("blur", close);
    surveySelect.addEventListener("change", update);
    differOnly.addEventListener("change", update);
    if (renamed) update();
    else show(surveyId);
  }
  load(root.getAttribute("data-index")).then(start)
    .catch(function (e) { status.textContent = String(e.message || e); });
})();
