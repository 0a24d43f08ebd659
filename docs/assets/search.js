/* Search: loads the builder's index (search/, see builder/publish/search/index.py) per
   query: meta.json, the shard of each word, and the record shards of the results shown.
   Every text from the index is put into the page as text nodes, never as markup. */
(function () {
  "use strict";
  var PAGE = 20;
  var cache = {};

  function root(form) { return form.getAttribute("data-root") || "."; }

  function load(form, path, version) {
    var url = root(form) + "/search/" + path + (version ? "?v=" + version : "");
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error(path + ": " + r.status); }
        return r.json();
      });
    }
    return cache[url];
  }

  function fold(text) {
    return text.normalize("NFKD").replace(/\p{Mn}/gu, "")
      .toLowerCase();
  }

  function words(meta, text) {
    var found = fold(text).match(/[\p{L}\p{N}]+/gu) || [];
    var out = [];
    found.forEach(function (w) {
      w = w.slice(0, meta.max_term);
      if (meta.stop.indexOf(w) < 0 && out.indexOf(w) < 0) { out.push(w); }
    });
    return out.slice(0, 8);
  }

  function hex(text) {
    return Array.prototype.map.call(new TextEncoder().encode(text), function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function decode(runs) {  /* [gap, length, ...] -> ascending ids */
    var ids = [], end = 0;
    for (var i = 0; i < runs.length; i += 2) {
      var start = end + runs[i];
      for (var j = 0; j < runs[i + 1]; j++) { ids.push(start + j); }
      end = start + runs[i + 1];
    }
    return ids;
  }

  function postings(form, meta, term, prefix) {
    var key = hex(Array.from(term).slice(0, meta.prefix).join(""));
    var shard = meta.shards.indexOf(key) < 0 ? Promise.resolve({}) :
      load(form, "t/" + key + ".json", meta.version);
    return shard.then(function (shard) {
        var lists = [];
        Object.keys(shard).forEach(function (t) {
          var entry = shard[t];
          if (t === term) {
            lists.push(Array.isArray(entry) ? Promise.resolve(decode(entry)) :
              load(form, "p/" + entry.f + ".json", meta.version).then(decode));
          } else if (prefix && term.length >= 3 && t.indexOf(term) === 0 &&
                     Array.isArray(entry) && lists.length < 50) {
            lists.push(Promise.resolve(decode(entry)));  /* a word still being typed */
          }
        });
        return Promise.all(lists).then(function (all) {
          var set = {};
          all.forEach(function (ids) { ids.forEach(function (id) { set[id] = true; }); });
          return Object.keys(set).map(Number).sort(function (a, b) { return a - b; });
        });
      });
  }

  function intersect(lists) {
    lists.sort(function (a, b) { return a.length - b.length; });
    return lists[0].filter(function (id) {
      return lists.every(function (list) { return hasId(list, id); });
    });
  }

  function hasId(list, id) {
    var lo = 0, hi = list.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid] === id) { return true; }
      if (list[mid] < id) { lo = mid + 1; } else { hi = mid - 1; }
    }
    return false;
  }

  /* fold(text), with where in text each of its UTF-16 units comes from: folding can
     change the length ("…" is "...", "ﬁ" is "fi", an accent is dropped), so a word found
     in the folded text is marked on the characters it was folded from. */
  function folding(text) {
    var folded = fold(text);
    if (folded.length === text.length) { return {text: folded, start: null, end: null}; }
    var out = "", start = [], end = [], at = 0;
    for (var ch of text) {  /* one character (code point) at a time */
      var f = fold(ch);
      for (var k = 0; k < f.length; k++) { start.push(at); end.push(at + ch.length); }
      out += f;
      at += ch.length;
    }
    return {text: out, start: start, end: end};
  }

  function marked(text, terms) {  /* text with the query's words in <mark>, as DOM nodes */
    var span = document.createElement("span");
    var f = folding(text);
    var pos = 0;
    var re = /[\p{L}\p{N}]+/gu, m;
    while ((m = re.exec(f.text)) !== null) {
      var hit = terms.some(function (t) { return m[0].indexOf(t) === 0; });
      var from = f.start ? f.start[m.index] : m.index;
      var to = f.end ? f.end[m.index + m[0].length - 1] : m.index + m[0].length;
      if (!hit || from < pos) { continue; }
      span.appendChild(document.createTextNode(text.slice(pos, from)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(from, to);
      span.appendChild(mark);
      pos = to;
    }
    span.appendChild(document.createTextNode(text.slice(pos)));
    return span;
  }

  function item(form, meta, record, terms) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = root(form) + "/" + record[3];
    a.className = "csr-search-hit csr-search-" + meta.kinds[record[0]];
    var title = document.createElement("strong");
    title.appendChild(marked(record[1], terms));
    a.appendChild(title);
    var where = document.createElement("span");
    where.className = "csr-search-where";
    where.textContent = record[2];
    a.appendChild(where);
    if (record[4]) {
      var text = document.createElement("span");
      text.className = "csr-search-text";
      text.appendChild(marked(record[4], terms));
      a.appendChild(text);
    }
    li.appendChild(a);
    return li;
  }

  function show(form, meta, ids, terms, from, list, status) {
    var serial = form.csrSerial, shown = ids.slice(from, from + PAGE);
    var shards = {};
    shown.forEach(function (id) { shards[Math.floor(id / meta.per_shard)] = true; });
    return Promise.all(Object.keys(shards).map(function (n) {
      return load(form, "d/" + n + ".json", meta.version).then(function (records) {
        return [Number(n), records];
      });
    })).then(function (loaded) {
      if (form.csrSerial !== serial) { return; }  // a later search owns the list now
      var byShard = {};
      loaded.forEach(function (pair) { byShard[pair[0]] = pair[1]; });
      shown.forEach(function (id) {
        var record = byShard[Math.floor(id / meta.per_shard)][id % meta.per_shard];
        list.appendChild(item(form, meta, record, terms));
      });
      var more = form.querySelector(".csr-search-more");
      more.hidden = from + PAGE >= ids.length;
      more.onclick = function () { show(form, meta, ids, terms, from + PAGE, list, status); };
      status.textContent = ids.length === 1 ? "1 result" :
        ids.length + " results" + (ids.length > from + PAGE ? ", " + (from + PAGE) +
        " shown" : "");
    });
  }

  function search(form, query) {
    var list = form.querySelector(".csr-search-results");
    var status = form.querySelector(".csr-search-status");
    var serial = (form.csrSerial || 0) + 1;
    form.csrSerial = serial;
    return load(form, "meta.json", null).then(function (meta) {
      var terms = words(meta, query);
      if (!terms.length) {
        list.textContent = "";
        form.querySelector(".csr-search-more").hidden = true;
        status.textContent = query.trim() ? "Only very common words: type another." : "";
        return null;
      }
      var typing = !/\s$/.test(query);
      return Promise.all(terms.map(function (t, i) {
        return postings(form, meta, t, typing && i === terms.length - 1);
      })).then(function (lists) {
        if (form.csrSerial !== serial) { return null; }
        list.textContent = "";
        var ids = intersect(lists);
        if (!ids.length) {
          form.querySelector(".csr-search-more").hidden = true;
          status.textContent = "No results.";
          return null;
        }
        return show(form, meta, ids, terms, 0, list, status);
      });
    }).catch(function () { status.textContent = "The search index could not be loaded."; });
  }

  function setUp(form) {
    var input = form.querySelector("input[type=search]");
    var timer = null;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      // The search typing scheduled is this one: run later, it would draw the same
      // results again and take the focus from a result chosen with the arrow keys.
      clearTimeout(timer);
      search(form, input.value);
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { search(form, input.value); }, 250);
    });
    form.addEventListener("keydown", function (event) {
      var hits = Array.prototype.slice.call(form.querySelectorAll(".csr-search-hit"));
      var at = hits.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && hits.length) {
        event.preventDefault();
        hits[Math.min(at + 1, hits.length - 1)].focus();
      } else if (event.key === "ArrowUp" && at >= 0) {
        event.preventDefault();
        (at === 0 ? input : hits[at - 1]).focus();
      } else if (event.key === "Escape") {
        input.value = "";
        search(form, "");
        input.focus();
      }
    });
  }

  document.querySelectorAll("form.csr-search").forEach(setUp);
})();
