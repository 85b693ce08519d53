/*
 * QR code of a buy link as an inline SVG, drawn in the page from the vendored qrcode-generator
 * (overlays/vendor/qrcode.js): no server round trip when the featured product changes, and an
 * SVG stays sharp at any `scale=` an OBS scene asks for.
 */
(function (root) {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";

  function svg(text, quiet) {
    var q = root.qrcode(0, "M"); // type 0 = smallest version that fits; M survives glare
    // Links may carry Vietnamese (UTF-8) in their path; the library's default is Latin-1.
    var previous = root.qrcode.stringToBytes;
    root.qrcode.stringToBytes = root.qrcode.stringToBytesFuncs["UTF-8"];
    try {
      q.addData(String(text), "Byte");
      q.make();
    } finally {
      root.qrcode.stringToBytes = previous;
    }
    var n = q.getModuleCount();
    var margin = typeof quiet === "number" ? quiet : 2;
    var size = n + 2 * margin;
    // One path of 1×1 squares: small DOM, no seams between modules.
    var d = [];
    for (var r = 0; r < n; r++) {
      for (var c = 0; c < n; c++) {
        if (q.isDark(r, c)) d.push("M" + (c + margin) + " " + (r + margin) + "h1v1h-1z");
      }
    }
    var el = document.createElementNS(SVG, "svg");
    el.setAttribute("viewBox", "0 0 " + size + " " + size);
    el.setAttribute("shape-rendering", "crispEdges");
    el.setAttribute("class", "qr-svg");
    el.setAttribute("data-modules", String(n));
    var bg = document.createElementNS(SVG, "rect");
    bg.setAttribute("width", String(size));
    bg.setAttribute("height", String(size));
    bg.setAttribute("fill", "#fff");
    var path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d.join(""));
    path.setAttribute("fill", "#000");
    el.appendChild(bg);
    el.appendChild(path);
    return el;
  }

  root.SieuQR = { svg: svg };
})(window);
