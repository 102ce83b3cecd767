// The search page: fetch search.json once, match as the reader types, list the hits.
// No framework. Every piece of text, the query and the index's alike, reaches the page
// through textContent or text nodes, never innerHTML.
(function () {
  "use strict";

  var MAX_RESULTS = 50;
  var DEBOUNCE_MS = 150;
  var SNIPPET_BEFORE = 40; // characters of context before the first match
  var SNIPPET_LENGTH = 160;

  var root = document.querySelector("[data-search-index]");
  if (!root) return;
  var form = root.querySelector("form");
  var input = root.querySelector("input[name=q]");
  var status = root.querySelector("[role=status]");
  var list = root.querySelector(".search-results");
  var strings = root.dataset;
  var documents = null; // the index, with lower-cased copies for matching
  var timer = null;

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return name in values ? String(values[name]) : whole;
    });
  }

  function prepare(doc, order) {
    var labels = (doc.tags || []).concat(doc.categories || []).join(" ");
    return {
      doc: doc,
      order: order,
      title: doc.title.toLowerCase(),
      labels: labels.toLowerCase(),
      // Title, tags and categories first, so a term found there is also "in the document".
      all: (doc.title + "\n" + labels + "\n" + doc.text).toLowerCase(),
    };
  }

  // Each whitespace-separated term, lower-cased. A CJK query has no spaces: it is one
  // term, matched as a substring, so 能量 finds 能量模型.
  function termsOf(query) {
    return query.toLowerCase().split(/\s+/).filter(Boolean);
  }

  function count(haystack, terms) {
    var found = 0;
    for (var i = 0; i < terms.length; i++) {
      if (haystack.indexOf(terms[i]) >= 0) found++;
    }
    return found;
  }

  // Every term somewhere; then terms in the title first, then in tags or categories,
  // then the index's own order (posts newest first, then pages).
  function search(query) {
    var terms = termsOf(query);
    var hits = [];
    if (!terms.length) return { terms: terms, hits: hits };
    for (var i = 0; i < documents.length; i++) {
      var entry = documents[i];
      if (count(entry.all, terms) === terms.length) {
        hits.push({
          entry: entry,
          title: count(entry.title, terms),
          labels: count(entry.labels, terms),
        });
      }
    }
    hits.sort(function (a, b) {
      return b.title - a.title || b.labels - a.labels || a.entry.order - b.entry.order;
    });
    return { terms: terms, hits: hits };
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // Where the first term occurs earliest in `text`, found case-insensitively in the
  // original string, so positions never shift with lower-casing.
  function firstMatch(text, terms) {
    var best = null;
    for (var i = 0; i < terms.length; i++) {
      var match = new RegExp(escapeRegExp(terms[i]), "i").exec(text);
      if (match && (best === null || match.index < best.start)) {
        best = { start: match.index, end: match.index + match[0].length };
      }
    }
    return best;
  }

  function isLowSurrogate(text, index) {
    var code = text.charCodeAt(index);
    return code >= 0xdc00 && code <= 0xdfff;
  }

  // A piece of the text around the first match, the match itself in <mark>.
  function snippet(text, terms) {
    var element = document.createElement("p");
    element.className = "search-result-snippet";
    var match = firstMatch(text, terms);
    var start = match ? Math.max(0, match.start - SNIPPET_BEFORE) : 0;
    if (start > 0 && isLowSurrogate(text, start)) start--;
    var end = Math.min(text.length, start + SNIPPET_LENGTH);
    if (match && end < match.end) end = match.end;
    if (end < text.length && isLowSurrogate(text, end)) end++;
    var parts = [];
    if (start > 0) parts.push("…");
    if (match) {
      parts.push(text.slice(start, match.start));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(match.start, match.end);
      parts.push(mark);
      parts.push(text.slice(match.end, end));
    } else {
      parts.push(text.slice(start, end));
    }
    if (end < text.length) parts.push("…");
    parts.forEach(function (part) {
      element.append(part); // a string is appended as a text node
    });
    return element;
  }

  function resultItem(doc, terms) {
    var item = document.createElement("li");
    item.className = "search-result";
    var heading = document.createElement("h2");
    heading.className = "search-result-title";
    var link = document.createElement("a");
    link.href = doc.url;
    link.textContent = doc.title;
    heading.append(link);
    item.append(heading);
    if (doc.date) {
      var time = document.createElement("time");
      time.className = "search-result-date";
      time.dateTime = doc.date;
      time.textContent = doc.date;
      item.append(time);
    }
    if (doc.text) item.append(snippet(doc.text, terms));
    return item;
  }

  function show(query) {
    list.replaceChildren();
    if (documents === null) return;
    var result = search(query);
    var total = result.hits.length;
    if (!result.terms.length) {
      status.textContent = "";
      return;
    }
    if (total === 0) {
      status.textContent = strings.noResults;
    } else if (total > MAX_RESULTS) {
      status.textContent = format(strings.countCapped, { n: total, shown: MAX_RESULTS });
    } else {
      status.textContent = format(total === 1 ? strings.countOne : strings.countOther, {
        n: total,
      });
    }
    var items = document.createDocumentFragment();
    result.hits.slice(0, MAX_RESULTS).forEach(function (hit) {
      items.append(resultItem(hit.entry.doc, result.terms));
    });
    list.append(items);
  }

  // The address bar follows the query, so a search can be bookmarked or shared.
  function remember(query) {
    var url = new URL(window.location.href);
    if (query.trim()) {
      url.searchParams.set("q", query);
    } else {
      url.searchParams.delete("q");
    }
    window.history.replaceState(null, "", url);
  }

  function update() {
    window.clearTimeout(timer);
    timer = null;
    remember(input.value);
    show(input.value);
  }

  input.addEventListener("input", function (event) {
    if (event.isComposing) return; // an IME is still composing: wait for its text
    window.clearTimeout(timer);
    timer = window.setTimeout(update, DEBOUNCE_MS);
  });
  input.addEventListener("compositionend", update);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update();
  });

  input.value = new URLSearchParams(window.location.search).get("q") || "";
  status.textContent = strings.loading;
  fetch(root.dataset.searchIndex)
    .then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      return response.json();
    })
    .then(function (index) {
      documents = index.map(prepare);
      status.textContent = "";
      show(input.value);
    })
    .catch(function () {
      status.textContent = strings.failed;
    });
})();
