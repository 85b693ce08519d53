/*
 * The creator console: follows the show over the websocket and shows the host what to say
 * now, what comes next, the price to call out and how long is left. No controls: the producer
 * runs the show; this page only reads it.
 *
 * Time left in the segment and the flash-sale countdown are recomputed from the state's
 * timestamps and the server clock four times a second, never counted down locally.
 *
 * Plain ES2017 (Chromium 127), like overlays/realtime.js.
 */
(function (root) {
  "use strict";

  var VERSION = "creator-console/1.0.0";
  var C = root.SieuConsole;
  var $ = C.$;
  var page = C.page();
  var data = page.data;
  var W = page.words;
  var products = page.products;
  var state = data.state;
  var live = null;

  function now() {
    return live ? live.serverNow() : Date.now() + page.offsetGuessMs;
  }

  function show() {
    return (state && state.show) || {};
  }

  function segmentName(seg) {
    return seg.title || W["segment_" + seg.kind] || seg.kind;
  }

  // Talking points are written as prose or one per line: one bullet per line or sentence.
  function points(text) {
    var lines = String(text || "")
      .split(/\n+/)
      .map(function (l) {
        return l.replace(/^\s*[-•*]\s*/, "").trim();
      })
      .filter(Boolean);
    if (lines.length === 1) {
      lines = lines[0].split(/(?<=[.!?…])\s+/).filter(Boolean);
    }
    return lines;
  }

  function render() {
    var rehearsal = C.renderHeader(state, W, {
      phaseClass: "cc-phase",
      code: data.code,
      title: W.console_creator_title,
    });
    $("[data-rehearsal]").hidden = !rehearsal;
    $("[data-rehearsal-note]").hidden = !rehearsal;
    $("[data-console]").classList.toggle("is-rehearsal", rehearsal);
    renderNow();
    renderProduct();
    renderFlash();
    renderNext();
    renderSales();
    tick();
  }

  function ended() {
    return show().phase === "ended";
  }

  function renderNow() {
    var s = show();
    var seg = C.current(state);
    var box = $("[data-now]");
    // The ended screen is the thank-you and the sales: no "now" label, no clock, no dashes.
    var over = ended();
    box.classList.toggle("is-ended", over);
    $("[data-now-label]").hidden = over;
    $("[data-timer]").hidden = over;
    $("[data-progress-track]").hidden = over;
    box.classList.toggle("is-live", s.phase === "live");
    box.classList.toggle("is-held", s.phase === "held");
    var total = (state.segments || []).length;
    C.setText($("[data-now-position]"), seg ? "· " + C.fill(W.console_segment_of, { n: seg.position, total: total }) : "");
    if (seg) C.setText($("[data-now-title]"), segmentName(seg));
    else C.setText($("[data-now-title]"), s.phase === "ended" ? W.console_thanks : W.console_waiting);
    $("[data-held]").hidden = s.phase !== "held";
    var notes = $("[data-now-notes]");
    notes.hidden = !(seg && seg.notes);
    C.setText(notes, seg && seg.notes ? seg.notes : "");
  }

  function stockText(stock) {
    // Below zero means more sold than brought (the supplier's page shows how many): sold out.
    if (stock === null) return "";
    return stock <= 0 ? W.console_sold_out : C.fill(W.console_stock_left, { n: C.count(stock) });
  }

  function renderProduct() {
    var p = state.featured;
    var box = $("[data-product]");
    box.hidden = ended();
    box.classList.toggle("is-empty", !p);
    C.setText($("[data-product-name]"), p ? p.name : W.console_no_product);
    $("[data-prices]").hidden = !p;
    $("[data-stock]").hidden = !p;
    $("[data-points-title]").hidden = !p;
    var list = $("[data-points]");
    list.textContent = "";
    // No product on screen: no price either — not even the last one's, hidden or not.
    var price = root.SieuFormat.priceNow(p, state.flash_sale);
    C.setText($("[data-live-price]"), price ? C.money(price.price) : "");
    C.setText($("[data-list-price]"), price && price.struck !== null ? C.money(price.struck) : "");
    C.setText($("[data-off]"), price && price.off !== null ? "\u2212" + price.off + "%" : "");
    $("[data-prices]").classList.toggle("is-flash", !!(price && price.flash));
    if (!p) {
      C.setText($("[data-stock]"), "");
      return;
    }
    var stock = typeof p.stock_left === "number" ? p.stock_left : null;
    C.setText($("[data-stock]"), stockText(stock));
    var said = points(p.talking_points);
    if (!said.length) {
      var empty = document.createElement("li");
      empty.className = "cc-empty";
      empty.textContent = W.console_no_talking_points;
      list.appendChild(empty);
    }
    said.forEach(function (line) {
      var li = document.createElement("li");
      li.textContent = line;
      list.appendChild(li);
    });
  }

  function renderFlash() {
    var f = state.flash_sale;
    var box = $("[data-flash]");
    box.hidden = !f || ended();
    if (!f) return;
    var quantity = Number(f.quantity) || 0;
    var remaining = Math.max(0, Number(f.remaining) || 0);
    C.setText($("[data-flash-price]"), C.money(f.price));
    C.setText(
      $("[data-flash-left]"),
      f.sold_out ? W.console_sold_out : C.fill(W.console_flash_left, { left: C.count(remaining), total: C.count(quantity) })
    );
    box.classList.toggle("is-sold-out", !!f.sold_out);
    $("[data-flash-bar]").style.width = (quantity ? Math.min(100, (100 * remaining) / quantity) : 0).toFixed(1) + "%";
  }

  function renderNext() {
    var seg = C.next(state);
    var title = $("[data-next-title]");
    var detail = $("[data-next-detail]");
    $("[data-next]").hidden = ended();
    if (!seg) {
      C.setText(title, show().phase === "ended" ? "—" : W.console_last_segment);
      C.setText(detail, "");
      return;
    }
    C.setText(title, segmentName(seg));
    var parts = [W["segment_" + seg.kind] || seg.kind, C.duration(seg.planned_seconds)];
    var p = seg.product_id ? products[seg.product_id] : null;
    if (p && p.name !== seg.title) parts.push(p.name);
    if (seg.kind === "flash_sale" && seg.flash_price) parts.push("⚡ " + C.money(seg.flash_price));
    else if (p) parts.push(C.money(p.live_price)); // up next: not on screen yet, so its plain price
    C.setText(detail, parts.join(" · "));
  }

  function renderSales() {
    var sales = state.sales || {};
    C.setText($('[data-sales="revenue"]'), C.money(sales.revenue || 0));
    C.setText($('[data-sales="orders"]'), C.count(sales.orders || 0));
    C.setText($('[data-sales="units"]'), C.count(sales.units || 0));
  }

  function tick() {
    var t = now();
    var seg = C.current(state);
    var timer = $("[data-timer]");
    var bar = $("[data-progress]");
    if (seg) {
      var elapsed = C.elapsed(state, t);
      var left = seg.planned_seconds - elapsed;
      var over = left < 0;
      timer.className = "cc-timer" + (over ? " is-over" : "");
      C.setText($("[data-timer-label]"), over ? W.console_overrun : W.console_time_left);
      C.setText($("[data-timer-value]"), over ? C.signed(-left) : C.duration(left + 0.999));
      bar.style.width = (seg.planned_seconds > 0 ? Math.min(100, (100 * elapsed) / seg.planned_seconds) : 100).toFixed(2) + "%";
      bar.classList.toggle("is-over", over);
    } else {
      timer.className = "cc-timer is-idle";
      C.setText($("[data-timer-label]"), W.console_time_left);
      C.setText($("[data-timer-value]"), "—:—");
      bar.style.width = "0";
    }
    var f = state.flash_sale;
    if (f) {
      var ends = C.parseTime(f.ends_at);
      var ms = ends === null ? 0 : ends - t;
      C.setText($("[data-flash-clock]"), C.duration(Math.max(0, ms) / 1000 + 0.999));
      $("[data-flash]").classList.toggle("is-urgent", ms > 0 && ms <= 10000);
    }
  }

  render();
  live = C.connect(data.session_id, {
    kind: "creator",
    name: W.console_creator_title,
    version: VERSION,
    offsetGuessMs: page.offsetGuessMs,
    onState: function (next) {
      if (!C.newer(state, next)) return;
      state = next;
      render();
    },
    onStatus: function (status) {
      C.renderConnection(W, status, "cc-conn");
    },
  });
  setInterval(tick, 250);

  root.sieuCreator = {
    state: function () {
      return state;
    },
    connection: function () {
      return live.status();
    },
  };
})(window);
