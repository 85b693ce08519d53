/*
 * The OBS overlay: renders the show state the server sends; it owns nothing.
 *
 * - Nothing is on air until the first state arrives; after that the last good state stays on
 *   screen through any disconnection (no error, no spinner), and is replaced whole by the next.
 * - A refused or revoked overlay token blanks the page: that URL is no longer allowed on air.
 * - The flash-sale countdown is redrawn every 250 ms from `ends_at` and the server clock as
 *   measured by ping/pong, so it can't drift or restart with a reconnect.
 * - Rendering only sets text, classes and widths; CSS transitions (≤ 300 ms) animate the rest,
 *   so a state arriving mid-animation simply retargets it.
 */
(function (root) {
  "use strict";

  var VERSION = "overlay/1.0.0";
  var F = root.SieuFormat;
  var opts = F.options(root.location.search);
  var W = F.words(opts.lang);
  var $ = function (id) {
    return document.getElementById(id);
  };

  var el = {
    stage: $("stage"),
    stack: $("stack"),
    card: $("card"),
    flash: $("flash"),
    band: $("band"),
    ticker: $("ticker"),
    mark: $("mark"),
  };

  var shown = null; // the state on air; kept through disconnections
  var blanked = false;
  var lastProductId = null;
  var lastQrLink = null;
  var client = null;

  function wants(name) {
    return opts.elements.indexOf(name) >= 0;
  }

  function setText(id, text) {
    var node = $(id);
    var value = text === null || text === undefined ? "" : String(text);
    if (node.textContent !== value) node.textContent = value;
  }

  function toggle(node, on) {
    node.classList.toggle("on", !!on);
  }

  function panel(node, on) {
    // Like toggle, but a panel that has faded out also stops taking room in the stack, so
    // the one left on air sits at the edge instead of floating where the other one was.
    if (on) {
      clearTimeout(node._goneTimer);
      if (node.classList.contains("gone")) {
        node.classList.remove("gone");
        void node.offsetWidth; // start the fade from the hidden style, not from nothing
      }
      node.classList.add("on");
    } else if (node.classList.contains("on")) {
      node.classList.remove("on");
      clearTimeout(node._goneTimer);
      node._goneTimer = setTimeout(function () {
        if (!node.classList.contains("on")) node.classList.add("gone");
      }, 300);
    }
  }

  function restart(node, cls) {
    // Restart a short CSS animation; a new change mid-animation just starts it over.
    node.classList.remove(cls);
    void node.offsetWidth;
    node.classList.add(cls);
  }

  function layout() {
    document.documentElement.lang = opts.lang;
    el.stage.classList.add("theme-" + opts.theme, "bar-" + opts.bar);
    el.stack.className = "stack pos-" + opts.position;
    el.stage.style.setProperty("--scale", String(opts.scale));
    var labels = document.querySelectorAll("[data-t]");
    for (var i = 0; i < labels.length; i++) {
      var word = W[labels[i].getAttribute("data-t")];
      if (typeof word === "string") labels[i].textContent = word;
    }
  }

  function fit() {
    // Laid out for 1920×1080; a Browser Source of another size gets the same picture scaled.
    var w = root.innerWidth;
    var h = root.innerHeight;
    if (w > 0 && h > 0) el.stage.style.setProperty("--fit", String(Math.min(w / 1920, h / 1080)));
  }

  function stars(n) {
    n = Math.max(0, Math.min(5, Math.round(Number(n) || 0)));
    var html = "";
    for (var i = 0; i < 5; i++) html += i < n ? "★" : '<i class="dim">★</i>';
    return html;
  }

  function renderCard(state, onAir) {
    var p = state.featured;
    var on = wants("card") && onAir && !!p;
    panel(el.card, on);
    if (!p) return; // keep the old text while it fades out
    setText("card-name", p.name);
    setText("card-supplier", p.supplier_name);
    setText("card-province", p.province);
    toggle($("card-province"), !!p.province);
    var starsNode = $("card-stars");
    var html = stars(p.ocop_stars);
    if (starsNode.innerHTML !== html) starsNode.innerHTML = html;
    toggle($("card-ocop"), Number(p.ocop_stars) > 0);
    // During the product's flash sale the flash price is the card's price (F.priceNow).
    var price = F.priceNow(p, state.flash_sale);
    setText("card-live", F.money(price.price));
    setText("card-list", price.struck !== null ? F.money(price.struck) : "");
    setText("card-off", price.off !== null ? "−" + price.off + "%" : "");
    toggle($("card-list"), price.struck !== null);
    toggle($("card-off"), price.off !== null);
    el.card.classList.toggle("flash-price", price.flash);
    var stock = typeof p.stock_left === "number" ? p.stock_left : null;
    // Below zero means more sold than brought (the supplier's page shows how many): on air,
    // simply sold out.
    setText("card-stock", stock === null ? "" : stock <= 0 ? W.soldOut : W.stockLeft(stock));
    toggle($("card-stock"), stock !== null);
    $("card-stock").classList.toggle("low", stock !== null && stock <= 10);
    renderQr(p.buy_link);
    if (on && p.id !== lastProductId) restart(el.card, "swap");
    lastProductId = on ? p.id : lastProductId;
  }

  function renderQr(link) {
    var box = $("card-qr-box");
    // Only a web address becomes a code viewers scan (the server sends no other kind).
    if (typeof link !== "string" || !/^https?:\/\/[^\s]/i.test(link)) link = "";
    toggle(box, !!link);
    if (!link || link === lastQrLink) return;
    var holder = $("card-qr");
    try {
      var svg = root.SieuQR.svg(link);
      holder.textContent = "";
      holder.appendChild(svg);
      lastQrLink = link;
    } catch (err) {
      toggle(box, false); // a link too long for a QR code: no code rather than a broken one
    }
  }

  function renderFlash(state, onAir) {
    var f = state.flash_sale;
    var on = wants("flash") && onAir && !!f;
    panel(el.flash, on);
    if (!f) return;
    var quantity = Number(f.quantity) || 0;
    var remaining = Math.max(0, Number(f.remaining) || 0);
    var soldOut = !!f.sold_out && quantity > 0;
    el.flash.classList.toggle("sold-out", soldOut);
    var product = f.product || {};
    // The card already names the product; alone in a scene the flash panel names it itself.
    var named = !wants("card") || !state.featured || state.featured.id !== f.product_id;
    setText("flash-name", named ? product.name : "");
    toggle($("flash-name"), named && !!product.name);
    setText("flash-price", F.money(f.price));
    setText("flash-left", soldOut ? W.allSold(quantity) : W.flashLeft(remaining, quantity));
    var pct = quantity > 0 ? Math.min(100, (100 * remaining) / quantity) : 0;
    $("flash-bar").style.width = pct.toFixed(2) + "%";
    $("flash-bar").classList.toggle("low", pct <= 20);
    tick();
  }

  function purchaseKey(p) {
    return [p.at, p.product_name, p.province, p.quantity].join("|");
  }

  function renderTicker(state) {
    // Newest first; only product, province and quantity are shown — never who bought.
    var items = (state.recent_purchases || []).slice().sort(function (a, b) {
      return (F.parseTime(b.at) || 0) - (F.parseTime(a.at) || 0);
    });
    items = items.slice(0, 6);
    var on = wants("ticker") && items.length > 0;
    toggle(el.ticker, on);
    var box = $("ticker-items");
    var old = {};
    for (var i = 0; i < box.children.length; i++) old[box.children[i].dataset.key] = true;
    var seen = Object.keys(old).length > 0;
    var fragment = document.createDocumentFragment();
    items.forEach(function (p) {
      var key = purchaseKey(p);
      var chip = document.createElement("span");
      chip.className = "chip" + (seen && !old[key] ? " new" : "");
      chip.dataset.key = key;
      var qty = document.createElement("b");
      qty.textContent = F.count(p.quantity || 1) + " × ";
      var name = document.createElement("span");
      name.className = "chip-name";
      name.textContent = p.product_name || "";
      chip.appendChild(qty);
      chip.appendChild(name);
      if (p.province) {
        var where = document.createElement("span");
        where.className = "chip-where";
        where.textContent = p.province;
        chip.appendChild(where);
      }
      fragment.appendChild(chip);
    });
    if (items.length) {
      box.textContent = "";
      box.appendChild(fragment);
    }
    return on;
  }

  function render(state) {
    if (!state || typeof state !== "object") return;
    shown = state;
    blanked = false;
    var show = state.show || {};
    // An ended show takes the product off air; the ticker may stay for the wrap-up.
    var onAir = show.phase !== "ended";
    renderCard(state, onAir);
    renderFlash(state, onAir);
    // No goal or revenue on air: the overlay's token sees only what it draws (docs/realtime.md).
    var tickerOn = renderTicker(state);
    toggle(el.band, tickerOn);
    el.stage.classList.toggle("band-on", tickerOn);
    toggle(el.mark, opts.preview && !!show.rehearsal);
    el.stage.classList.add("ready");
  }

  function blank() {
    // A refused or revoked token: take everything off air, quietly.
    blanked = true;
    shown = null;
    lastProductId = null;
    panel(el.card, false);
    panel(el.flash, false);
    [el.band, el.ticker, el.mark].forEach(function (node) {
      toggle(node, false);
    });
  }

  function tick() {
    var f = shown && shown.flash_sale;
    if (!f || blanked) return;
    var ends = F.parseTime(f.ends_at);
    var now = client ? client.serverNow() : Date.now();
    var left = ends === null ? 0 : ends - now;
    setText("flash-clock", F.clock(left));
    el.flash.classList.toggle("ended", left <= 0 && !f.sold_out);
    el.flash.classList.toggle("urgent", left > 0 && left <= 10000);
  }

  function onStatus(status) {
    var denied = ["unauthorized", "revoked", "forbidden", "not_found"];
    if (denied.indexOf(status.state) >= 0 && !blanked) blank();
  }

  layout();
  fit();
  root.addEventListener("resize", fit);
  setInterval(tick, 250);
  var scheme = root.location.protocol === "https:" ? "wss:" : "ws:";
  var url = "";
  if (opts.token) {
    url = "/ws/overlay?token=" + encodeURIComponent(opts.token);
  } else if (opts.session) {
    // The page cookie is the credential; the view is the overlay's own, as OBS gets it.
    url = "/ws/sessions/" + opts.session + "?view=overlay";
  }
  if (url) {
    url = scheme + "//" + root.location.host + url;
    client = root.SieuRealtime.connect({
      url: url,
      kind: "overlay",
      name: opts.name,
      version: VERSION,
      onState: render,
      onStatus: onStatus,
    });
  }
  // For the producer's preview frame and for tests: read-only handles, nothing drawn.
  root.sieuOverlay = {
    version: VERSION,
    options: opts,
    client: client,
    state: function () {
      return shown;
    },
  };
})(window);
