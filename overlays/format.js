/*
 * Formatting and words for the overlay (and any console that wants the same look of a price):
 * prices as `125.000 ₫`, ISO timestamps to milliseconds, countdowns as m:ss, the labels in
 * Vietnamese (default) and English, and the URL options.
 */
(function (root) {
  "use strict";

  var NBSP = "\u00a0";

  // Intl gives `125.000 ₫` (dot grouping, a no-break space, ₫ after) when the browser has
  // Vietnamese locale data; a trimmed ICU would give something else, so check once and fall
  // back to the same shape by hand rather than put a wrong-looking price on air.
  var intl = null;
  try {
    intl = new Intl.NumberFormat("vi-VN", { style: "currency", currency: "VND" });
    if (intl.format(125000) !== "125.000" + NBSP + "₫") intl = null;
  } catch (err) {
    intl = null;
  }

  function money(amount) {
    var n = Math.round(Number(amount) || 0);
    if (intl) return intl.format(n);
    var digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (n < 0 ? "-" : "") + digits + NBSP + "₫";
  }

  function count(n) {
    return String(Math.round(Number(n) || 0)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  // Server timestamps are ISO 8601 with microseconds and an offset ("…T01:26:00.123456+00:00").
  // Keep milliseconds only and read a missing offset as UTC, so every engine parses alike.
  function parseTime(value) {
    if (value === null || value === undefined || value === "") return null;
    if (typeof value === "number") return value;
    var s = String(value).replace(/(\.\d{3})\d+/, "$1");
    if (!/(Z|[+-]\d{2}:?\d{2})$/.test(s)) s += "Z";
    var ms = Date.parse(s);
    return isNaN(ms) ? null : ms;
  }

  function clock(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var h = Math.floor(total / 3600);
    var m = Math.floor((total % 3600) / 60);
    var s = total % 60;
    var pad = function (x) {
      return (x < 10 ? "0" : "") + x;
    };
    return h > 0 ? h + ":" + pad(m) + ":" + pad(s) : pad(m) + ":" + pad(s);
  }

  var WORDS = {
    vi: {
      flash: "FLASH SALE",
      soldOut: "Hết hàng",
      scan: "Quét mã để mua",
      justBought: "Vừa đặt mua",
      rehearsal: "Diễn tập",
      stockLeft: function (n) {
        return "Còn " + count(n) + " sản phẩm";
      },
      flashLeft: function (left, total) {
        return "Còn " + count(left) + "/" + count(total) + " suất";
      },
      allSold: function (total) {
        return "Đã bán hết " + count(total) + " suất";
      },
    },
    en: {
      flash: "FLASH SALE",
      soldOut: "Sold out",
      scan: "Scan to buy",
      justBought: "Just ordered",
      rehearsal: "Rehearsal",
      stockLeft: function (n) {
        return count(n) + " left";
      },
      flashLeft: function (left, total) {
        return count(left) + "/" + count(total) + " left";
      },
      allSold: function (total) {
        return "All " + count(total) + " sold";
      },
    },
  };

  var ELEMENTS = ["card", "flash", "ticker"];
  var POSITIONS = [
    "bottom-left",
    "bottom-center",
    "bottom-right",
    "top-left",
    "top-center",
    "top-right",
    "center-left",
    "center-right",
  ];

  // URL options: one page, several OBS scenes. Anything unknown falls back to the default
  // rather than failing: a typo in a scene must not blank the show.
  function options(search) {
    var p = new URLSearchParams(search || "");
    var wanted = (p.get("elements") || ELEMENTS.join(","))
      .split(",")
      .map(function (x) {
        return x.trim().toLowerCase();
      })
      .filter(function (x) {
        return ELEMENTS.indexOf(x) >= 0;
      });
    if (!wanted.length) wanted = ELEMENTS.slice();
    var position = (p.get("position") || "bottom-left").toLowerCase();
    if (POSITIONS.indexOf(position) < 0) position = "bottom-left";
    var scale = parseFloat(p.get("scale") || "1");
    if (!(scale > 0)) scale = 1;
    scale = Math.min(2, Math.max(0.5, scale));
    var lang = (p.get("lang") || "vi").toLowerCase() === "en" ? "en" : "vi";
    var theme = (p.get("theme") || "dark").toLowerCase() === "light" ? "light" : "dark";
    var bar = (p.get("bar") || "bottom").toLowerCase() === "top" ? "top" : "bottom";
    var name = (p.get("name") || wanted.join("+") + " " + position).slice(0, 60);
    return {
      token: p.get("token") || "",
      // The producer console's preview: the session, followed with the console's cookie.
      session: /^[1-9][0-9]{0,9}$/.test(p.get("session") || "") ? p.get("session") : "",
      elements: wanted,
      position: position,
      scale: scale,
      lang: lang,
      theme: theme,
      bar: bar,
      name: name,
      preview: p.get("preview") === "1",
    };
  }

  // The price a product sells at now, and what may stand beside it. During its own flash sale
  // the flash price is the price, with the normal (live) price struck through and nothing
  // else; otherwise the live price, with the list price struck through and the discount.
  // Overlay and consoles both draw prices with this, so they never disagree.
  function priceNow(product, flash) {
    if (!product) return null;
    var live = Number(product.live_price) || 0;
    if (flash && flash.product_id === product.id && typeof flash.price === "number") {
      return { price: flash.price, struck: live > flash.price ? live : null, off: null, flash: true };
    }
    var list = Number(product.list_price) || 0;
    var discounted = list > live;
    return {
      price: live,
      struck: discounted ? list : null,
      off: discounted ? Math.round((100 * (list - live)) / list) : null,
      flash: false,
    };
  }

  root.SieuFormat = {
    priceNow: priceNow,
    money: money,
    count: count,
    parseTime: parseTime,
    clock: clock,
    words: function (lang) {
      return WORDS[lang] || WORDS.vi;
    },
    options: options,
    ELEMENTS: ELEMENTS,
    POSITIONS: POSITIONS,
  };
})(window);
