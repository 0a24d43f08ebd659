// The Compare page: reads the JSON files the builder writes under compare/data/ and
// shows the chosen CA owners' answers side by side. All text goes in with
// textContent, never as markup. The selection lives in the URL (?survey=&ca=&ca=).
(function () {
  "use strict";
  var root = document.getElementById("csr-compare");
  if (!root) return;
  root.hidden = false;
  var surveySelect = document.getElementById("csr-compare-survey");
  var ownerSelect = document.getElementById("csr-compare-owners");
  var result = document.getElementById("csr-compare-result");
  var status = document.getElementById("csr-compare-status");
  var error = document.getElementById("csr-compare-error");
  var base = root.getAttribute("data-base");
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function option(value, text) {
    var o = el("option", text);
    o.value = value;
    return o;
  }
  function load(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error("could not load " + url + " (" + r.status + ")");
      return r.json();
    });
  }
  function chosen() {
    return Array.prototype.filter.call(ownerSelect.options, function (o) { return o.selected; })
      .map(function (o) { return o.value; });
  }
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
  function render(survey, owners, index) {
    result.textContent = "";
    if (owners.length < 2) {
      status.textContent = "Pick at least two CA owners.";
      return;
    }
    status.textContent = "";
    var names = {};
    index.owners.forEach(function (o) { names[o.id] = o.name; });
    var table = el("table");
    var head = table.createTHead().insertRow();
    head.appendChild(el("th", "Question")).setAttribute("scope", "col");
    owners.forEach(function (id) { head.appendChild(el("th", names[id])).setAttribute("scope", "col"); });
    var body = table.createTBody();
    var differing = 0;
    survey.questions.forEach(function (q) {
      var row = body.insertRow();
      var th = el("th");
      th.setAttribute("scope", "row");
      var a = el("a", q.id);
      a.href = base + q.url;
      th.appendChild(a);
      th.appendChild(document.createTextNode(": " + q.label));
      row.appendChild(th);
      var states = owners.map(function (id) { return state(survey, id, q.id); });
      var answers = states.filter(function (st) { return st.kind === "answer"; });
      var first = answers.length ? answers[0].text : null;
      var differs = answers.some(function (st) { return st.text !== first; });
      if (differs) {
        differing += 1;
        row.className = "csr-differs";
        th.appendChild(el("strong", " (answers differ)"));
      }
      states.forEach(function (st) {
        var cell = row.insertCell();
        if (st.kind === "answer") cell.appendChild(el("span", st.text, "csr-pre"));
        else if (st.kind === "blank") cell.appendChild(el("em", "(left blank)", "csr-none"));
        else cell.appendChild(el("em", st.label, "csr-none csr-" + st.kind));
        if (differs && st.kind === "answer" && st.text !== first) cell.className = "csr-differs-cell";
      });
    });
    result.appendChild(el("h2", survey.title));
    if (survey.partial) result.appendChild(el("p", survey.partial + ".", "csr-note csr-partial"));
    if (!survey.captured) result.appendChild(el("p", "No answers to this survey have been captured.", "csr-note"));
    result.appendChild(el("p", differing + " of " + survey.questions.length +
      " questions have differing answers (only answers are compared: not captured, " +
      "withdrawn and left blank are not counted as differences)."));
    result.appendChild(table);
  }
  function fail(message) {
    error.textContent = message;
    error.hidden = !message;
  }
  function show(index, surveyId, owners, push) {
    var entry = index.surveys.filter(function (s) { return s.id === surveyId; })[0];
    var known = {};
    index.owners.forEach(function (o) { known[o.id] = true; });
    var unknown = owners.filter(function (id) { return !known[id]; });
    owners = owners.filter(function (id) { return known[id]; });
    result.textContent = "";
    fail(entry ? "" : "No survey has the id " + JSON.stringify(surveyId) + ".");
    if (unknown.length) {
      fail((error.textContent ? error.textContent + " " : "") + "No CA owner has the id " +
        unknown.map(function (id) { return JSON.stringify(id); }).join(", ") +
        " (from the address of this page); it is left out.");
    }
    if (!entry) return;
    if (push) {
      var params = new URLSearchParams();
      params.set("survey", surveyId);
      owners.forEach(function (o) { params.append("ca", o); });
      history.replaceState(null, "", "?" + params.toString());
    }
    status.textContent = "Loading…";
    load(base + entry.data).then(function (survey) { render(survey, owners, index); })
      .catch(function (e) { status.textContent = String(e.message || e); });
  }
  load(root.getAttribute("data-index")).then(function (index) {
    index.surveys.forEach(function (s) { surveySelect.appendChild(option(s.id, s.title)); });
    index.owners.forEach(function (o) { ownerSelect.appendChild(option(o.id, o.name)); });
    var params = new URLSearchParams(location.search);
    var surveyId = params.get("survey");
    var owners = params.getAll("ca");
    if (surveyId) surveySelect.value = surveyId;
    Array.prototype.forEach.call(ownerSelect.options, function (o) {
      o.selected = owners.indexOf(o.value) !== -1;
    });
    document.getElementById("csr-compare-go").addEventListener("click", function () {
      show(index, surveySelect.value, chosen(), true);
    });
    if (surveyId && owners.length) show(index, surveyId, owners, false);
  }).catch(function (e) { status.textContent = String(e.message || e); });
})();
