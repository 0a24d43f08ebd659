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
    owners.forEach(function (id) { head.appendChild(el("th", names[id] || id)).setAttribute("scope", "col"); });
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
      var texts = owners.map(function (id) {
        var values = (survey.answers[id] || {})[q.id];
        return values ? values.join("\n") : null;
      });
      var differs = texts.some(function (t) { return t !== texts[0]; });
      if (differs) {
        differing += 1;
        row.className = "csr-differs";
        th.appendChild(el("strong", " (answers differ)"));
      }
      texts.forEach(function (t) {
        var cell = row.insertCell();
        if (t === null) cell.appendChild(el("em", "no answer captured", "csr-none"));
        else if (!t.trim()) cell.appendChild(el("em", "(left blank)", "csr-none"));
        else cell.appendChild(el("span", t, "csr-pre"));
        if (differs && t !== texts[0]) cell.className = "csr-differs-cell";
      });
    });
    result.appendChild(el("h2", survey.title));
    result.appendChild(el("p", differing + " of " + survey.questions.length + " questions have differing answers."));
    result.appendChild(table);
  }
  function show(index, surveyId, owners, push) {
    var entry = index.surveys.filter(function (s) { return s.id === surveyId; })[0];
    if (!entry) { status.textContent = "Unknown survey."; return; }
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
