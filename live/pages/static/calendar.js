// Instant, accent-insensitive search over the calendar's sessions.
//
// The server folds each session's text into data-search (live/text.py `fold`); the typed query
// is folded the same way here, so "ca phe" finds "Cà phê" and "dak lak" finds "Đắk Lắk", the
// same rule as the server's ?q= and the API's. The address keeps ?q= in step, so a filtered calendar can be shared as a link
// and the server renders the same filter (see live/pages/calendar.py `matches_query`).
(function () {
  "use strict";

  var input = document.querySelector("[data-calendar-search]");
  if (!input) return;
  var form = document.querySelector("[data-search-form]");
  var status = document.querySelector("[data-search-status]");
  var clear = document.querySelector("[data-search-clear]");
  var noResults = document.querySelector("[data-no-results]");
  var cards = Array.prototype.slice.call(document.querySelectorAll("[data-search]"));
  var days = Array.prototype.slice.call(document.querySelectorAll("[data-day]"));
  var langLinks = Array.prototype.slice.call(document.querySelectorAll("[data-lang-link]"));

  // Same as live/text.py: decompose, drop the marks, and map đ by hand (it has no mark to drop).
  function fold(text) {
    return text
      .normalize("NFD")
      .replace(/\p{M}/gu, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase()
      .trim();
  }

  function withQuery(href, q) {
    var url = new URL(href, window.location.href);
    if (q) url.searchParams.set("q", q);
    else url.searchParams.delete("q");
    url.searchParams.delete("token");
    return url.pathname + url.search + url.hash;
  }

  function apply(raw) {
    var q = raw.trim();
    var phrase = fold(q).split(/\s+/).filter(Boolean).join(" ");
    var searching = phrase.length > 0;
    var shown = {};
    cards.forEach(function (card) {
      var ok = card.getAttribute("data-search").indexOf(phrase) !== -1;
      card.hidden = !ok;
      if (ok) shown[card.getAttribute("data-session")] = true;
    });
    days.forEach(function (day) {
      day.hidden = searching && !day.querySelector("[data-search]:not([hidden])");
    });
    var count = Object.keys(shown).length;
    status.textContent = searching
      ? status.getAttribute("data-template")
          .replace("{shown}", String(count))
          .replace("{total}", status.getAttribute("data-total"))
      : "";
    noResults.hidden = !(searching && count === 0);
    noResults.textContent = noResults.getAttribute("data-template").replace("{q}", q);
    clear.hidden = !searching;
    history.replaceState(null, "", withQuery(window.location.href, searching ? q : ""));
    langLinks.forEach(function (link) {
      link.setAttribute("href", withQuery(link.getAttribute("href"), searching ? q : ""));
    });
  }

  input.addEventListener("input", function () { apply(input.value); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    apply(input.value);
  });
  clear.addEventListener("click", function (event) {
    event.preventDefault();
    input.value = "";
    apply("");
    input.focus();
  });
  // "/" jumps to the search box, as on most web apps, unless the reader is already typing.
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      input.focus();
    }
  });
})();
